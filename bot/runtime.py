"""The python-telegram-bot Application inside Hanout's processes (reference telegram.md
§1.3): no `run_polling()`; the process starts what it needs. Receiving updates (polling,
or the webhook route) and sending cards (the card sender, scheduled jobs) are separate so
`web` and `worker` can split them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import handlers
from bot.limits import FloodBudget
from bot.sender import CardSender
from models import calls
from models.shipping import DispatchService

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
    poll_timeout: float = 10.0
    # Where /addproduct saves product photos; the web process serves them at /media/….
    media_dir: str = "var/media"
    # Dispatch through courier accounts (Dispatch ▸, /couriers); None: manual courier only.
    dispatcher: DispatchService | None = None

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
    so a restart loses nothing."""
    back = await calls.bring_back_callbacks()
    expired = await calls.expire_claims()
    if back or expired:
        log.info("scheduled callbacks=%s claims_expired=%s", back, expired)


class BotRuntime:
    def __init__(self, config: BotConfig, *, receive: bool, send: bool) -> None:
        self.config, self.receive, self.send = config, receive, send
        self.budget = FloodBudget()
        self.app = build_application(config, self.budget)
        self.sender = CardSender(self.app.bot, self.budget) if send else None

    async def start(self) -> None:
        await self.app.initialize()
        log.info("telegram bot ready username=%s mode=%s", self.app.bot.username, self.config.mode)
        if self.receive:
            await handlers.publish_commands(self.app.bot)
        await self.app.start()
        if self.send and self.app.job_queue is not None:
            self.app.job_queue.run_repeating(_scheduled, interval=JOB_EVERY, first=1.0)
        if self.sender is not None:
            await self.sender.start()
        if self.receive:
            await self._start_receiving()

    async def _start_receiving(self) -> None:
        if self.config.mode == "webhook":
            await self.app.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
            )
            return
        await self.app.bot.delete_webhook()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            # Whole seconds, and never 0: a zero timeout polls in a tight loop.
            timeout=max(1, round(self.config.poll_timeout)),
            allowed_updates=Update.ALL_TYPES,
        )

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.sender is not None:
            await self.sender.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
