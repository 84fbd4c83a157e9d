"""The python-telegram-bot Application inside Hanout's processes (reference telegram.md
§1.3): no `run_polling()`; the process starts what it needs. Receiving updates (polling,
or the webhook route) and sending cards (the card sender, scheduled jobs) are separate so
`web` and `worker` can split them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import handlers
from bot.desk_links import DeskLinks
from bot.limits import TELEGRAM, FloodBudget, Pacing
from bot.sender import CardSender
from models.calls import outcomes
from models.infra.clock import now
from models.infra.db import on_side_connection
from models.infra.sealing import Sealer
from models.shipping.parcels import DispatchService
from models.team import telegram_updates

log = logging.getLogger(__name__)
JOB_EVERY = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class BotConfig:
    """What the bot needs from the settings (it never reads the environment)."""

    token: str
    api_url: str = "https://api.telegram.org"
    mode: str = "polling"  # polling | webhook
    webhook_secret: str = ""
    public_url: str = ""
    # The desk's Mini App short name at @BotFather; empty: no t.me link for groups.
    desk_app: str = ""
    poll_timeout: float = 10.0
    # Where /addproduct saves product photos; the web process serves them at /media/….
    media_dir: str = "var/media"
    # Dispatch through courier accounts (Dispatch ▸, /couriers); None: manual courier only.
    dispatcher: DispatchService | None = None
    # How often due call-backs come back and stale claims end.
    job_every: timedelta = JOB_EVERY
    # Seals the signing secrets of the webhooks the owner adds (/settings); None: no adding.
    sealer: Sealer | None = None
    # Webhooks may point at localhost and private networks (settings.webhook_allow_private).
    webhook_allow_private: bool = False
    # How fast chats may be written to: Telegram's flood limits (tests of flows go quicker).
    pacing: Pacing = TELEGRAM

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/telegram/webhook"


def build_application(config: BotConfig, budget: FloodBudget) -> Application:
    base = config.api_url.rstrip("/")
    app = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(budget)
        # Every text is HTML: customer and user text is escaped where it is written.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .build()
    )
    app.bot_data["config"] = config  # handlers read it (media_dir, public_url, dispatcher)
    handlers.register(app)
    return app


async def _scheduled(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Postponed orders come back and stale claims end; the times live in the database,
    so a restart loses nothing. Webhook update ids Telegram no longer resends are dropped."""
    back = await outcomes.bring_back_callbacks()
    expired = await outcomes.expire_claims()
    forgotten = await telegram_updates.forget_updates_before(now() - telegram_updates.KEEP)
    if back or expired or forgotten:
        log.info(
            "scheduled callbacks=%s claims_expired=%s update_ids_forgotten=%s",
            back,
            expired,
            forgotten,
        )


def _on_side_connection(app: Application) -> None:
    """Every update is handled on the SQLite side connection (models.infra.db), with the
    cards it changes: a press under a checkout surge waits for no batch of orders."""
    process = app.process_update

    async def process_on_the_side(update: object) -> None:
        with on_side_connection():
            await process(update)

    app.process_update = process_on_the_side  # type: ignore[method-assign]


class BotRuntime:
    """The bot's share of one process. Long polling and the card sender are done by one
    process at a time (`lead`/`follow`, driven by models.infra.leader when several run); the
    handlers, the webhook route and the scheduled jobs are safe in every process."""

    def __init__(self, config: BotConfig, *, receive: bool, send: bool) -> None:
        self.config, self.receive, self.send = config, receive, send
        self.budget = FloodBudget(pacing=config.pacing)
        self.app = build_application(config, self.budget)
        _on_side_connection(self.app)
        links = DeskLinks(config.public_url, config.desk_app)
        self.sender = CardSender(self.app.bot, self.budget, links=links) if send else None
        self.leading = False
        # Wakes the sender of the process that leads, when it is another (models.infra.leader).
        self.wake_leader: Callable[[], None] | None = None

    @property
    def polls(self) -> bool:
        return self.receive and self.config.mode != "webhook"

    @property
    def needs_leader(self) -> bool:
        """Whether this process has work only one process may do at a time."""
        return self.sender is not None or self.polls

    def wake(self) -> None:
        """Cards were marked: the card sender looks now, here or where it runs."""
        if self.leading and self.sender is not None:
            self.sender.wake()
        elif self.wake_leader is not None:
            self.wake_leader()

    async def start(self, lead: bool = True) -> None:
        """Start the bot; with `lead=False` polling and sending wait for `lead()`."""
        if self.receive and not self.polls and not self.config.webhook_secret:
            # Anyone could post updates as any user: the composition root generates one.
            raise ValueError("the Telegram webhook needs a secret (TELEGRAM_WEBHOOK_SECRET)")
        await self.app.initialize()
        log.info("telegram bot ready username=%s mode=%s", self.app.bot.username, self.config.mode)
        if self.receive:
            await handlers.publish_commands(self.app.bot)
        await self.app.start()
        if self.send and self.app.job_queue is not None:
            # Safe in every worker at once: each change is a compare-and-set on the order.
            self.app.job_queue.run_repeating(_scheduled, interval=self.config.job_every, first=1.0)
        if self.receive and not self.polls:
            await self.app.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        if lead:
            await self.lead()

    async def lead(self) -> None:
        """Start the card sender and long polling: this process is the one doing them."""
        if self.leading:
            return
        self.leading = True
        if self.sender is not None:
            await self.sender.start()
        if self.polls:
            await self.app.bot.delete_webhook()
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                # Whole seconds, and never 0: a zero timeout polls in a tight loop.
                timeout=max(1, round(self.config.poll_timeout)),
                allowed_updates=Update.ALL_TYPES,
            )

    async def follow(self) -> None:
        """Stop polling and sending: another process does them now (or none, stopping)."""
        self.leading = False
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.sender is not None:
            await self.sender.stop()

    async def stop(self) -> None:
        await self.follow()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
