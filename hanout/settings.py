"""Typed settings, read once from the environment and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Hanout has (SPEC §9). All optional, with working defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite://var/hanout.sqlite3"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = ""
    # A development default so `make run` works; production sets its own.
    # Behind a reverse proxy you run: take the client address and scheme from
    # X-Forwarded-For / X-Forwarded-Proto (never enable it when exposed directly).
    trust_proxy: bool = False
    secret_key: str = "dev-secret-change-me"  # noqa: S105
    telegram_bot_token: str = ""
    # Used to print t.me invite links; the bot learns it from getMe when it runs.
    telegram_bot_username: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str = ""
    smtp_url: str = ""
    smtp_from: str = "Hanout <no-reply@localhost>"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    relay_interval: float = Field(default=0.5, gt=0, le=60)
    # REST API requests per key: `requests/seconds`, bursts up to `requests`; counted in
    # each web process's memory (several web processes: each gives a key this budget).
    api_rate_limit: str = Field(default="120/60", pattern=r"^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$")
    # Seconds between a worker's passes over due call-backs and expired claims, and
    # between its parcel sync cycles.
    callback_interval: float = Field(default=30, gt=0, le=3600)
    parcel_sync_interval: float = Field(default=60, gt=0, le=3600)
    # Seconds between two polls of one parcel at its courier (raised per courier to what
    # its quotas allow); a courier webhook brings changes at once whatever this is.
    parcel_poll_seconds: int = Field(default=900, ge=60, le=86400)
    # Product photos: the bot (/addproduct) writes them, the web process serves them at
    # /media/…; when web and worker run apart they must share this folder.
    media_dir: str = "var/media"
    # Outgoing webhooks may point at localhost and private networks (a receiver on the same
    # machine or LAN); off by default, so a store cannot make the server call its neighbours.
    webhook_allow_private: bool = False

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def base_url(self) -> str:
        """Where customers reach the storefront; used in links the bot and emails print."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    def ensure_sqlite_dir(self) -> None:
        """Create the folder of a relative SQLite file so a fresh clone just runs."""
        prefix = "sqlite://"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix) :]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
