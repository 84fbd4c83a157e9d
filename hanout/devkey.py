"""`make run` on a fresh clone: write a random SECRET_KEY into `.env`, once.

Only when neither the environment nor `.env` sets one and the database is new (its SQLite
file does not exist yet): a key changed under an existing database would leave the courier
and SMS secrets sealed with the old one unreadable."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from dotenv import dotenv_values
from pydantic import ValidationError

from hanout.settings import Settings

ENV_FILE = Path(".env")


def _new_database(settings: Settings) -> bool:
    prefix = "sqlite://"
    if not settings.database_url.startswith(prefix):
        return False  # a server database may hold secrets sealed with the current key
    path = settings.database_url[len(prefix) :]
    return bool(path) and path != ":memory:" and not Path(path).exists()


def ensure_secret_key(env_file: Path = ENV_FILE) -> bool:
    """Append `SECRET_KEY=<random>` to `env_file` when none is set anywhere and the database
    is new; True when written."""
    if os.environ.get("SECRET_KEY"):
        return False
    if env_file.exists() and dotenv_values(env_file).get("SECRET_KEY"):
        return False
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError:
        return False  # `hanout migrate`, next, names what is wrong
    if not _new_database(settings):
        return False
    text = env_file.read_text(encoding="utf-8") if env_file.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    key = secrets.token_urlsafe(48)
    env_file.write_text(f"{text}SECRET_KEY={key}\n", encoding="utf-8")
    env_file.chmod(0o600)
    return True


def main() -> int:
    if ensure_secret_key():
        print(f"hanout: wrote a new random SECRET_KEY to {ENV_FILE} (keep that file private)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
