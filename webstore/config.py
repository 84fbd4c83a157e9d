"""The web adapter's typed application keys and configuration: what every view reads from
`request.config_dict`, apart from the application that sets it (webstore.app)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from models.shipping.parcels import DispatchService

# Database unreachable or busy (models.infra.db.is_unavailable): a clean 503 asking to retry.
RETRY_AFTER = "5"
UNAVAILABLE = "The service is briefly unavailable; retry in a few seconds"
# What /readyz awaits: the migrations not applied yet (raises when the database is away).
Readiness = Callable[[], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class WebConfig:
    """What the web adapter needs from the settings (it never reads the environment)."""

    secret_key: str
    base_url: str = "http://127.0.0.1:8080"
    # Checkouts allowed per client IP per 10 minutes (storefront and public intake).
    checkout_ip_limit: int = 20
    # Requests per API key: `limit/seconds`, bursts up to `limit` (webstore.api_limits).
    api_rate_limit: str = "120/60"
    # Behind a proxy you run: the client is the last X-Forwarded-For address, and cookies are
    # Secure when X-Forwarded-Proto says https. Never on a directly exposed server.
    trust_forwarded: bool = False
    # Product photos saved by the bot, served at /media/<store>/<file>.jpg.
    media_dir: str = "var/media"
    # Dispatch through courier accounts (POST /v1/orders/{n}/dispatch); None: manual only.
    dispatcher: DispatchService | None = None
    # Webhook URLs may name localhost and private networks (WEBHOOK_ALLOW_PRIVATE).
    webhook_allow_private: bool = False
    # /readyz: the migrations the database lacks (the composition root knows them); None
    # checks only that the database answers.
    readiness: Readiness | None = None
    # The bot's token: the desk (Mini App) checks Telegram's init data with it; empty, the
    # desk refuses every request.
    telegram_bot_token: str = ""


CONFIG = web.AppKey("config", WebConfig)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
