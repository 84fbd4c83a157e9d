"""Developer tools for migrations: write one for model changes, or report drift.

Aerich writes dialect-specific SQL, so every change is written once per dialect, offline,
from the models state stored in the last migration file.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from aerich import Command
from tortoise import Tortoise

from hanout.migrate import APP
from models.db import tortoise_config

ROOT = Path(__file__).resolve().parent.parent / "migrations"
# Offline generation never connects; the URL only selects the SQL dialect.
DIALECT_URLS = {
    "sqlite": "sqlite://:memory:",
    "postgres": "postgres://offline@127.0.0.1:1/offline",
}


async def _migrate_offline(dialect: str, location: Path, name: str) -> str:
    cmd = Command(tortoise_config(DIALECT_URLS[dialect]), app=APP, location=str(location))
    try:
        if not any((location / APP).glob("*.py")):
            await cmd.init_migrations(safe=True)
            return "init"
        await cmd.init(offline=True)
        return await cmd.migrate(name, no_input=True, offline=True)
    finally:
        await Tortoise.close_connections()


def drift(dialect: str) -> str:
    """The migration Aerich would write now for `dialect` ('' when models match migrations)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / dialect
        shutil.copytree(ROOT / dialect, copy)
        created = asyncio.run(_migrate_offline(dialect, copy, "drift"))
        if not created:
            return ""
        return "\n".join(p.read_text() for p in (copy / APP).glob(f"*{created}*"))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hanout.devtools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("make-migration").add_argument("name")
    sub.add_parser("check-drift")
    args = parser.parse_args()
    status = 0
    for dialect in DIALECT_URLS:
        if args.command == "make-migration":
            print(dialect, asyncio.run(_migrate_offline(dialect, ROOT / dialect, args.name)))
        elif text := drift(dialect):
            print(f"{dialect}: models and migrations differ:\n{text}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
