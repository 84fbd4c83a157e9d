"""Process wiring for `hanout run`, `web` and `worker` (SPEC §9).

run: web + relay + bot (receiving and sending). web: storefront and API, plus the
Telegram webhook route when TELEGRAM_MODE=webhook. worker: relay, card sender and
scheduled jobs, plus long polling when TELEGRAM_MODE=polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot import telegram_webhook
from bot.channel import TOPICS as TELEGRAM_TOPICS
from bot.channel import TelegramChannel
from bot.runtime import BotConfig, BotRuntime
from hanout.migrate import pending_migrations
from hanout.settings import Settings
from models.infra import server_secrets
from models.infra.leader import Leader
from models.infra.sealing import Sealer
from models.outbox import relay as outbox
from models.outbox.routes import Route, Routes
from models.outbox.sms import SMS_TOPICS
from models.outbox.webhook_rows import WEBHOOK_EVENTS, endpoint_rows
from models.outbox.webhooks import count_dead_letter
from models.session import close_db, open_db
from notify.email import EMAIL_TOPICS, EmailChannel, has_owner_email
from notify.relay import ChannelHandler, PermanentFailure, Relay, new_worker_id
from notify.sms import SmsChannel
from notify.webhooks import WebhookChannel
from shipping import courier_webhooks
from shipping.channel import CHANNEL as COURIER_CHANNEL
from shipping.channel import TOPICS as COURIER_TOPICS
from shipping.channel import CourierChannel
from shipping.jobs import ShippingJobs
from shipping.polling import configure_polling
from shipping.pool import CourierPool
from shipping.service import CourierDispatch
from webstore.app import create_app
from webstore.config import WebConfig

log = logging.getLogger(__name__)


def outbox_routes(*, telegram: bool) -> Routes:
    """The outbox's one routing table: which channel gets a row for which topic. Every
    process writes every channel's rows; a process's relay delivers those it has a handler
    for. Telegram rows only when the bot is on (a token is set)."""
    table = [Route("email", EMAIL_TOPICS, when=has_owner_email)]
    if telegram:
        table.append(Route("telegram", TELEGRAM_TOPICS))
    table += [
        Route("sms", tuple(sorted(SMS_TOPICS))),  # the channel skips stores without a gateway
        Route(COURIER_CHANNEL, COURIER_TOPICS),
        Route(
            outbox.WEBHOOK,
            WEBHOOK_EVENTS,
            fanout=endpoint_rows,  # one row per subscribed endpoint of the store
            on_dead_letter=count_dead_letter,  # five in a row disable the endpoint
        ),
    ]
    return Routes(*table)


def dispatch_service(settings: Settings) -> CourierDispatch:
    """Dispatch through courier accounts, for the bot and the API alike."""
    return CourierDispatch(Sealer(settings.secret_key))


def web_config(settings: Settings) -> WebConfig:
    return WebConfig(
        secret_key=settings.secret_key,
        base_url=settings.base_url,
        media_dir=settings.media_dir,
        trust_forwarded=settings.trust_proxy,
        api_rate_limit=settings.api_rate_limit,
        dispatcher=dispatch_service(settings),
        webhook_allow_private=settings.webhook_allow_private,
        readiness=lambda: pending_migrations(settings.database_url),
        telegram_bot_token=settings.telegram_bot_token,
    )


def bot_config(settings: Settings) -> BotConfig:
    return BotConfig(
        token=settings.telegram_bot_token,
        api_url=settings.telegram_api_url,
        mode=settings.telegram_mode,
        webhook_secret=settings.telegram_webhook_secret,
        public_url=settings.base_url,
        desk_app=settings.telegram_desk_app,
        media_dir=settings.media_dir,
        dispatcher=dispatch_service(settings),
        job_every=timedelta(seconds=settings.callback_interval),
        sealer=Sealer(settings.secret_key),
        webhook_allow_private=settings.webhook_allow_private,
    )


def make_bot(settings: Settings, *, with_web: bool, with_worker: bool) -> BotRuntime | None:
    """The bot's share of this process, or None (no token, or nothing to do here)."""
    if not settings.telegram_bot_token:
        log.warning(
            "TELEGRAM_BOT_TOKEN is not set: the Telegram bot is off; "
            "storefront, API, email and the relay work"
        )
        return None
    webhook_mode = settings.telegram_mode == "webhook"
    receive = (with_web and webhook_mode) or (with_worker and not webhook_mode)
    if not receive and not with_worker:
        return None
    return BotRuntime(bot_config(settings), receive=receive, send=with_worker)


def make_relay(
    settings: Settings, role: str, bot: BotRuntime | None, couriers: CourierPool | None = None
) -> Relay:
    handlers: dict[str, ChannelHandler] = {
        "email": EmailChannel(settings.smtp_url, settings.smtp_from),
        "sms": SmsChannel(Sealer(settings.secret_key)),
        outbox.WEBHOOK: make_webhook_channel(settings),
    }
    if bot is not None and bot.sender is not None:
        handlers["telegram"] = TelegramChannel(bot.wake, bot.app.bot)
    if couriers is not None:
        handlers[COURIER_CHANNEL] = CourierChannel(couriers, PermanentFailure)
    # Store webhooks get slots of their own: slow receivers never hold Telegram, email or SMS.
    # Telegram too: during a checkout surge in one store, the email rows of its orders
    # queue up faster than they are sent, and the team cards of every store waited behind
    # them (order → card past 30 s while 32 connections placed orders; bench/README.md).
    return Relay(
        handlers,
        worker_id=new_worker_id(role),
        interval=settings.relay_interval,
        pools={outbox.WEBHOOK: WEBHOOK_SLOTS, "telegram": TELEGRAM_SLOTS},
    )


WEBHOOK_SLOTS = 16
# Telegram rows only mark cards (the card sender paces each chat itself, bot/limits.py), a
# claim's rows all in one statement: this many may be in hand at once.
TELEGRAM_SLOTS = 200


def make_webhook_channel(settings: Settings) -> WebhookChannel:
    """The relay's webhook handler (every process writes webhook rows in outbox.publish)."""
    return WebhookChannel(Sealer(settings.secret_key), allow_private=settings.webhook_allow_private)


def settle_heap() -> None:
    """Once started, move what start-up built (modules, the ORM's and the bot's tables,
    translations, phone metadata: most of the heap) out of the garbage collector's reach.
    A full collection otherwise walks all of it: under checkout load on the 2-core machine
    one took 340 ms, every request of the process waiting it out (the checkout's p99;
    bench/README.md). What is made afterwards is collected as before."""
    gc.collect()
    gc.freeze()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def warn_about_proxy(settings: Settings) -> None:
    """An https PUBLIC_URL means a TLS proxy in front; without TRUST_PROXY every customer
    has the proxy's address and cookies are not marked Secure."""
    if settings.public_url.lower().startswith("https://") and not settings.trust_proxy:
        log.warning(
            "PUBLIC_URL is https but TRUST_PROXY is off: behind your TLS proxy every customer "
            "shares its address (one checkout limit for the whole shop), cookies lose Secure "
            "and no HSTS is sent; set TRUST_PROXY=true if your own proxy sets X-Forwarded-For "
            "and X-Forwarded-Proto"
        )


async def _start_web(
    settings: Settings, bot: BotRuntime | None, couriers: CourierPool, reuse_port: bool
) -> web.AppRunner:
    warn_about_proxy(settings)
    app = create_app(web_config(settings))
    if bot is not None and bot.receive and settings.telegram_mode == "webhook":
        telegram_webhook.add_route(app, bot)
    courier_webhooks.add_routes(app, Sealer(settings.secret_key), couriers)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # Several `hanout web` processes may share the port (--workers): the kernel spreads
    # the connections among them.
    await web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port or None).start()
    log.info("web listening url=%s", settings.base_url)
    return runner


async def start_bot(settings: Settings, bot: BotRuntime, parts: Parts, role: str) -> None:
    """Start the bot; polling and sending wait until this process is elected to do them
    (models.infra.leader: one process at a time, however many workers run)."""
    if not bot.needs_leader:
        await bot.start()
        parts.stops.append(bot.stop)
        return
    await bot.start(lead=False)
    parts.stops.append(bot.stop)
    wake = bot.sender.wake if bot.sender is not None else None
    leader = Leader(
        settings.database_url, "telegram", new_worker_id(role), bot.lead, bot.follow, on_signal=wake
    )
    bot.wake_leader = leader.signal
    await leader.start()
    parts.stops.append(leader.stop)


@dataclass
class Parts:
    """What this process started, stopped in reverse order."""

    stops: list[Callable[[], Awaitable[object]]] = field(default_factory=list)

    async def stop_all(self) -> None:
        for stop in reversed(self.stops):
            try:
                await stop()
            except Exception:
                log.exception("error while stopping")


async def with_webhook_secret(settings: Settings) -> Settings:
    """Webhook mode never runs without a secret: when TELEGRAM_WEBHOOK_SECRET is empty, the
    one generated by the first process (kept sealed in the database) is used by all."""
    if settings.telegram_mode != "webhook" or settings.telegram_webhook_secret:
        return settings
    secret = await server_secrets.shared_secret(
        server_secrets.TELEGRAM_WEBHOOK, Sealer(settings.secret_key)
    )
    log.info("telegram webhook secret: none configured, using the one kept in the database")
    return settings.model_copy(update={"telegram_webhook_secret": secret})


async def serve(
    settings: Settings, *, with_web: bool, with_worker: bool, reuse_port: bool = False
) -> None:
    """Run the chosen parts until SIGINT/SIGTERM, then stop them in order."""
    settings.ensure_sqlite_dir()
    await open_db(settings.database_url)
    outbox.use_routes(outbox_routes(telegram=bool(settings.telegram_bot_token)))
    await configure_polling(settings.parcel_poll_seconds)  # webhooks and the sync set polls
    parts = Parts([close_db])
    try:
        if settings.telegram_bot_token and with_web:
            settings = await with_webhook_secret(settings)
        bot = make_bot(settings, with_web=with_web, with_worker=with_worker)
        if bot is not None:
            await start_bot(settings, bot, parts, "run" if with_web else "worker")
        couriers = CourierPool(Sealer(settings.secret_key))  # one quota per account here
        parts.stops.append(couriers.aclose)
        if with_web:
            runner = await _start_web(settings, bot, couriers, reuse_port)
            parts.stops.append(runner.cleanup)
        if with_worker:
            relay = make_relay(settings, "run" if with_web else "worker", bot, couriers)
            hooks = relay.handlers[outbox.WEBHOOK]
            if isinstance(hooks, WebhookChannel):
                parts.stops.append(hooks.aclose)  # after the relay stopped
            await relay.start()
            parts.stops.append(relay.stop)
            jobs = ShippingJobs(couriers, relay.worker_id, settings.parcel_sync_interval)
            jobs.start(bot.app.job_queue if bot is not None and bot.send else None)
            parts.stops.append(jobs.stop)
        settle_heap()
        await _wait_for_signal()
    finally:
        log.info("shutting down")
        await parts.stop_all()


def run_workers(workers: int, main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """`hanout web --workers N`: N processes serving the same port (SO_REUSEPORT), forked
    before any loop or connection exists. This one is the first; SIGINT/SIGTERM here stop
    them all. Each keeps its own memory (models.stores.cache: a change seen by all within
    about a second) and its own per-IP checkout limit."""
    children: list[int] = []
    for _ in range(workers - 1):
        pid = os.fork()
        if pid == 0:
            try:
                run(main())
            finally:
                os._exit(0)
        children.append(pid)
    try:
        run(main())
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run a server process's coroutine on asyncio's own loop. Not uvloop: with it, a
    PostgreSQL restart left an asyncpg connection used by two operations at once and the
    relay could not record a delivery's outcome (tests/system/test_postgres_restart.py
    failed one run in two); asyncio's loop never did."""
    asyncio.run(main)
