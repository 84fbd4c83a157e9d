"""Models and committed migrations must agree, for both dialects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_models_match_migrations() -> None:
    # A child process: Aerich keeps class-level state between runs.
    result = subprocess.run(
        [sys.executable, "-m", "hanout.devtools", "check-drift"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dialect_has_migrations() -> None:
    for dialect in ("sqlite", "postgres"):
        assert list((ROOT / "migrations" / dialect / "models").glob("0_*_init.py")), dialect


UPGRADE_FROM_BEFORE_HASHED_INVITES = """
import asyncio, json, shutil, sys, tempfile
from pathlib import Path

from aerich import Command
from tortoise import Tortoise, connections

from hanout.migrate import APP, location
from models.infra.db import tortoise_config

url, token = sys.argv[1], sys.argv[2]
OLD = "2026-12-01 00:00:00+00:00"


def number(path: Path) -> int:
    return int(path.name.split("_", 1)[0])


async def upgrade(folder: str) -> None:
    cmd = Command(tortoise_config(url), app=APP, location=folder)
    await Tortoise.init(config=cmd.tortoise_config)
    await cmd.init()
    await cmd.upgrade(run_in_transaction=True)


async def main() -> None:
    files = sorted(location(url).glob(f"{APP}/[0-9]*_*.py"), key=number)
    ours = next(p for p in files if p.name.endswith("_keys_invites.py"))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / APP).mkdir()
        for path in files:
            if number(path) < number(ours):
                shutil.copy(path, Path(tmp) / APP)
        await upgrade(tmp)
        conn = connections.get("default")
        await conn.execute_script(
            'INSERT INTO "store" ("slug", "name", "lang", "owner_email", "allowed_wilayas", '
            '"last_order_number", "duplicate_window_minutes", "created_at") '
            f"VALUES ('old', 'Old', 'fr', '', '[]', 1000, 30, '{OLD}');"
            'INSERT INTO "invite" ("store_id", "token", "role", "created_at", "expires_at") '
            f"SELECT id, '{token}', 'agent', '{OLD}', '2099-01-01 00:00:00+00:00' FROM store;"
        )
        await Tortoise.close_connections()
        shutil.copy(ours, Path(tmp) / APP)
        await upgrade(tmp)
        rows = await connections.get("default").execute_query_dict(
            'SELECT "token_hash" FROM "invite"'
        )
        await Tortoise.close_connections()
    print(json.dumps([row["token_hash"] for row in rows]))


asyncio.run(main())
"""


async def test_the_upgrade_hashes_the_tokens_of_existing_invites(
    tmp_path: Path, backend: str
) -> None:
    """The migration that stopped keeping invite tokens in clear hashes the ones already
    handed out: they keep working and the database no longer holds them."""
    from models.stores.setup import invite_hash
    from tests.conftest import _pg_admin, _pg_url

    token = "Old_clear-Token_123456789"
    if backend == "postgres":
        name = f"hanout_upgrade_{tmp_path.name[-20:].lower().replace('-', '_')}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        url = f"sqlite://{tmp_path}/old.sqlite3"
    try:
        done = subprocess.run(
            [sys.executable, "-c", UPGRADE_FROM_BEFORE_HASHED_INVITES, url, token],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        if backend == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [invite_hash(token)]
