"""The Telegram webhook route for the web process (TELEGRAM_MODE=webhook): the secret
token is checked, the update is queued, and Telegram gets its 200 at once.

Telegram resends an update it thinks was not received (a slow 200, a restart of the proxy),
to whichever web process answers the address: an update id is applied once by all of them,
the database (models.team.telegram_updates) deciding which process applies it."""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict

from aiohttp import web
from telegram import Update

from bot.runtime import BotRuntime
from models.infra.db import is_unavailable
from models.team import telegram_updates

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# The last update ids this process saw: a resend to the same process is passed over without
# asking the database.
SEEN = 2048


class RecentIds:
    """The last `size` update ids, oldest forgotten first."""

    def __init__(self, size: int = SEEN) -> None:
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def _read(body: bytes, runtime: BotRuntime) -> Update | None:
    """The update, or None for a body that is not one (logged, never retried)."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update object")
        return Update.de_json(data, runtime.app.bot)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("unreadable telegram update error=%s", exc)
        return None


def _allowed(request: web.Request, secret: str) -> bool:
    given = request.headers.get(SECRET_HEADER, "")
    # surrogateescape: odd bytes in the header compare unequal instead of raising.
    return bool(secret) and hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), secret.encode()
    )


async def _first_delivery(update_id: int) -> bool:
    """Whether no web process has taken this update yet. When the id cannot be written (the
    database away) the update is applied all the same, as Telegram gets its 200 anyway: a
    lost press is worse than a rare double, and this process's own memory of ids still
    stops a resend to it."""
    try:
        return await telegram_updates.first_delivery(update_id)
    except Exception as exc:
        if not is_unavailable(exc):
            log.exception("telegram update id not recorded update_id=%s", update_id)
        else:
            log.warning("telegram update id not recorded update_id=%s error=%s", update_id, exc)
        return True


def add_route(app: web.Application, runtime: BotRuntime) -> None:
    """Mount the webhook; it needs a secret (anyone could post updates as any user
    otherwise), so the composition root generates one when none is configured."""
    if not runtime.config.webhook_secret:
        raise ValueError("the Telegram webhook needs a secret (TELEGRAM_WEBHOOK_SECRET)")
    seen = RecentIds()

    async def receive(request: web.Request) -> web.Response:
        if not _allowed(request, runtime.config.webhook_secret):
            log.warning("telegram webhook call refused: wrong or missing secret token")
            return web.json_response({"ok": False}, status=403)
        update = _read(await request.read(), runtime)
        # Garbage is answered 200 too: Telegram would only send it again.
        if (
            update is not None
            and seen.first_time(update.update_id)
            and await _first_delivery(update.update_id)
        ):
            await runtime.app.update_queue.put(update)
        return web.json_response({"ok": True})

    app.router.add_post(PATH, receive)
