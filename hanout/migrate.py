"""Apply (and, for developers, generate) the Aerich migrations for the configured database."""

from __future__ import annotations

import logging
from pathlib import Path

from aerich import Command
from tortoise import Tortoise
from tortoise.exceptions import OperationalError

import migrations
from models.infra.db import dialect_of, tortoise_config

log = logging.getLogger(__name__)
APP = "models"


def location(db_url: str) -> Path:
    return Path(migrations.__file__).parent / dialect_of(db_url)


def command(db_url: str) -> Command:
    return Command(tortoise_config(db_url), app=APP, location=str(location(db_url)))


async def _initialised() -> bool:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1 FROM aerich LIMIT 1")
    except OperationalError:
        return False
    except Exception as exc:  # asyncpg's UndefinedTableError is not an OperationalError
        if "aerich" in str(exc) and ("exist" in str(exc) or "no such" in str(exc)):
            return False
        raise
    return True


async def migrate(db_url: str) -> list[str]:
    """Bring the schema to the latest migration; returns the versions applied now."""
    cmd = command(db_url)
    await Tortoise.init(config=cmd.tortoise_config)
    try:
        if await _initialised():
            await cmd.init()
            applied = await cmd.upgrade(run_in_transaction=True)
        else:
            await cmd.init_db(safe=True)
            applied = migration_files(db_url)
    finally:
        await Tortoise.close_connections()
    log.info("migrations applied dialect=%s versions=%s", dialect_of(db_url), applied or "none")
    return applied


def migration_files(db_url: str) -> list[str]:
    """The migrations this release has for the database's dialect, as Aerich names them."""
    return sorted(
        (p.name for p in location(db_url).glob(f"{APP}/[0-9]*_*.py")),
        key=lambda name: int(name.split("_", 1)[0]),
    )


async def pending_migrations(db_url: str) -> list[str]:
    """The migrations of this release the open database has not applied (all of them when
    it was never migrated); raises when the database cannot be reached."""
    connection = Tortoise.get_connection("default")
    await connection.execute_query("SELECT 1")  # unreachable: raises, rather than "no table"
    if not await _initialised():
        return migration_files(db_url)
    rows = await connection.execute_query_dict(
        "SELECT version FROM aerich WHERE app = 'models'"  # a constant: no parameter needed
    )
    done = {row["version"] for row in rows}
    return [name for name in migration_files(db_url) if name not in done]
