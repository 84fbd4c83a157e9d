"""Typed settings, read once from the environment and an optional `.env` file."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The development default and the value .env.example shows: both public, so refused on
# any server reachable beyond this machine (Settings.secret_key_problem).
DEFAULT_SECRET_KEY = "dev-secret-change-me"  # noqa: S105
PUBLIC_SECRET_KEYS = frozenset({DEFAULT_SECRET_KEY, "change-me-to-a-long-random-string"})
MIN_SECRET_KEY = 32
MAKE_SECRET_KEY = "python -c 'import secrets;print(secrets.token_urlsafe(48))'"  # noqa: S105


def is_local_host(host: str | None) -> bool:
    """Whether `host` names this machine only (localhost or a loopback address); an empty
    host or 0.0.0.0 listens on every interface, so it is not."""
    if not host:
        return False
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Every knob Hanout has (SPEC §9). All optional, with working defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite://var/hanout.sqlite3"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = ""
    # Behind a reverse proxy you run: take the client address and scheme from
    # X-Forwarded-For / X-Forwarded-Proto (never enable it when exposed directly).
    trust_proxy: bool = False
    # A development default so `make run` works on this machine (`make run` writes a random
    # one into .env); refused by web, worker and run when reachable from elsewhere.
    secret_key: str = DEFAULT_SECRET_KEY
    telegram_bot_token: str = ""
    # Used to print t.me invite links; the bot learns it from getMe when it runs.
    telegram_bot_username: str = ""
    # The desk's Mini App short name registered with @BotFather (/newapp): groups get a
    # t.me/<bot>/<app>?startapp=<store> link, as web_app buttons work in private chats only.
    telegram_desk_app: str = Field(default="", pattern=r"^([A-Za-z0-9_]{3,30})?$")
    telegram_api_url: str = "https://api.telegram.org"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    # Empty: webhook mode generates one, kept in the database for every web process.
    # Telegram allows 1-256 characters from A-Z, a-z, 0-9, _ and -.
    telegram_webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    smtp_url: str = ""
    smtp_from: str = "Hanout <no-reply@localhost>"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Log every SQL statement with its parameters (customers' phones and addresses): only
    # when asked, whatever LOG_LEVEL says.
    log_sql: bool = False
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

    @property
    def local_only(self) -> bool:
        """Whether the service is reachable from this machine only: it listens on loopback
        and PUBLIC_URL (when set) names this machine too."""
        if not is_local_host(self.host):
            return False
        return not self.public_url or is_local_host(urlsplit(self.public_url).hostname)

    def secret_key_problem(self) -> str | None:
        """Why SECRET_KEY may not serve a shop reachable beyond this machine (one line), or
        None. With a public key anyone could forge thank-you links, form tokens and cart
        cookies, and unseal the courier, SMS and webhook secrets of a database copy."""
        if self.local_only:
            return None
        if self.secret_key in PUBLIC_SECRET_KEYS:
            weak = "SECRET_KEY is a public example value"
        elif len(self.secret_key) < MIN_SECRET_KEY:
            weak = f"SECRET_KEY has {len(self.secret_key)} characters, fewer than {MIN_SECRET_KEY}"
        else:
            return None
        return (
            f"{weak} while this server is reachable beyond this machine "
            f"(HOST={self.host}, PUBLIC_URL={self.public_url or 'unset'}): "
            f"set SECRET_KEY (environment or .env) to the output of {MAKE_SECRET_KEY}"
        )

    def ensure_sqlite_dir(self) -> None:
        """Create the folder of a relative SQLite file so a fresh clone just runs."""
        prefix = "sqlite://"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix) :]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
