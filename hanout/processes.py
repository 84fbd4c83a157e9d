"""Process wiring for `hanout run`, `web` and `worker` (SPEC §9)."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from hanout.settings import Settings
from models.db import close_db, open_db
from notify.email import EmailChannel
from notify.relay import Relay, new_worker_id
from webstore.app import WebConfig, create_app

log = logging.getLogger(__name__)


def web_config(settings: Settings) -> WebConfig:
    return WebConfig(secret_key=settings.secret_key, base_url=settings.base_url)


def _announce_bot(settings: Settings) -> None:
    if not settings.telegram_bot_token:
        log.warning(
            "TELEGRAM_BOT_TOKEN is not set: the Telegram bot is off; "
            "storefront, API, email and the relay work"
        )
    else:
        log.warning("TELEGRAM_BOT_TOKEN is set but this build has no Telegram bot yet")


def make_relay(settings: Settings, role: str) -> Relay:
    handlers = {"email": EmailChannel(settings.smtp_url, settings.smtp_from)}
    return Relay(handlers, worker_id=new_worker_id(role), interval=settings.relay_interval)


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _start_web(settings: Settings) -> web.AppRunner:
    runner = web.AppRunner(create_app(web_config(settings)), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("web listening url=%s", settings.base_url)
    return runner


async def serve(settings: Settings, *, with_web: bool, with_worker: bool) -> None:
    """Run the chosen parts until SIGINT/SIGTERM, then stop them in order."""
    settings.ensure_sqlite_dir()
    await open_db(settings.database_url)
    _announce_bot(settings)
    runner = await _start_web(settings) if with_web else None
    relay = make_relay(settings, "run" if with_web else "worker") if with_worker else None
    if relay is not None:
        await relay.start()
    try:
        await _wait_for_signal()
    finally:
        log.info("shutting down")
        if relay is not None:
            await relay.stop()
        if runner is not None:
            await runner.cleanup()
        await close_db()
