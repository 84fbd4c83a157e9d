"""Database wiring: the Tortoise config for a URL, opening and closing connections."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES = ["models.orm", "aerich.models"]


def dialect_of(db_url: str) -> str:
    """`sqlite` or `postgres`: picks the migration folder and the outbox claim strategy."""
    scheme = db_url.split(":", 1)[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql", "asyncpg", "psycopg"):
        return "postgres"
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r} (use sqlite:// or postgres://)")


def tortoise_config(db_url: str) -> dict[str, Any]:
    """Tortoise config for `db_url`, with WAL and a busy timeout on SQLite."""
    dialect_of(db_url)
    if db_url.startswith("postgresql://"):
        db_url = "postgres://" + db_url[len("postgresql://") :]
    connection = expand_db_url(db_url)
    if connection["engine"].endswith("sqlite"):
        connection["credentials"].setdefault("journal_mode", "WAL")
        connection["credentials"].setdefault("foreign_keys", "ON")
    else:
        connection["credentials"].setdefault("minsize", 1)
        connection["credentials"].setdefault("maxsize", 10)
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_db(db_url: str) -> None:
    await Tortoise.init(config=tortoise_config(db_url))


async def close_db() -> None:
    await Tortoise.close_connections()
