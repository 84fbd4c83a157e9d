"""Developer tools for migrations: write one for model changes, or report drift.

Aerich writes dialect-specific SQL, so every change is written once per dialect, offline,
from the models state stored in the last migration file.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from aerich import Command
from tortoise import Tortoise

from hanout.migrate import APP
from models.infra.db import tortoise_config

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


def _one(command: str, dialect: str, name: str) -> int:
    if command == "make-migration":
        print(dialect, asyncio.run(_migrate_offline(dialect, ROOT / dialect, name)) or "no changes")
        return 0
    text = drift(dialect)
    if text:
        print(f"{dialect}: models and migrations differ:\n{text}")
    return 1 if text else 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hanout.devtools")
    parser.add_argument("command", choices=["make-migration", "check-drift"])
    parser.add_argument("name", nargs="?", default="update")
    parser.add_argument("--dialect", choices=list(DIALECT_URLS))
    args = parser.parse_args()
    if args.dialect:
        return _one(args.command, args.dialect, args.name)
    # One process per dialect: Tortoise and Aerich keep the first dialect's DDL in
    # class-level state, which would write SQLite SQL into the PostgreSQL folder.
    status = 0
    for dialect in DIALECT_URLS:
        argv = [
            sys.executable,
            "-m",
            "hanout.devtools",
            args.command,
            args.name,
            "--dialect",
            dialect,
        ]
        status |= subprocess.run(argv, check=False).returncode  # noqa: S603 (our own module)
    return status


if __name__ == "__main__":
    sys.exit(main())
