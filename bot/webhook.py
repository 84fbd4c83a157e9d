"""The Telegram webhook route for the web process (TELEGRAM_MODE=webhook): the secret
token is checked, the update is queued, and Telegram gets its 200 at once."""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict

from aiohttp import web
from telegram import Update

from bot.runtime import BotRuntime

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Telegram resends an update it thinks was not received (a slow 200, a restart of the
# proxy): the last update ids seen are remembered so a press is never applied twice.
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


def _allowed(request: web.Request, runtime: BotRuntime) -> bool:
    secret = runtime.config.webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    # surrogateescape: odd bytes in the header compare unequal instead of raising.
    return not secret or hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), secret.encode()
    )


def add_route(app: web.Application, runtime: BotRuntime) -> None:
    seen = RecentIds()

    async def receive(request: web.Request) -> web.Response:
        if not _allowed(request, runtime):
            return web.json_response({"ok": False}, status=403)
        update = _read(await request.read(), runtime)
        # Garbage is answered 200 too: Telegram would only send it again.
        if update is not None and seen.first_time(update.update_id):
            await runtime.app.update_queue.put(update)
        return web.json_response({"ok": True})

    app.router.add_post(PATH, receive)
