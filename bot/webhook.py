"""The Telegram webhook route for the web process (TELEGRAM_MODE=webhook): the secret
token is checked, the update is queued, and Telegram gets its 200 at once."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.runtime import BotRuntime

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


def add_route(app: web.Application, runtime: BotRuntime) -> None:
    async def receive(request: web.Request) -> web.Response:
        secret = runtime.config.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False}, status=403)
        try:
            body = json.loads(await request.read())
            update = Update.de_json(body, runtime.app.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable telegram update error=%s", exc)
            return web.json_response({"ok": True})  # never ask Telegram to resend garbage
        if update is not None:
            await runtime.app.update_queue.put(update)
        return web.json_response({"ok": True})

    app.router.add_post(PATH, receive)
