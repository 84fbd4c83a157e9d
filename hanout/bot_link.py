"""The t.me links the CLI prints: the bot's username comes from TELEGRAM_BOT_USERNAME, else
from the database, else from Telegram's getMe with TELEGRAM_BOT_TOKEN (then stored)."""

from __future__ import annotations

import logging
import re
import sys

import httpx

from hanout.settings import Settings
from models.team import telegram_bot

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,63}$")
GET_ME_TIMEOUT = 10.0


async def invite_link(settings: Settings, token: str) -> str | None:
    """`https://t.me/<bot>?start=<token>`, or None when no bot is configured or Telegram
    could not be asked (a warning says so; nothing else fails)."""
    username = await bot_username(settings)
    return f"https://t.me/{username}?start={token}" if username else None


async def bot_username(settings: Settings) -> str:
    configured = settings.telegram_bot_username.strip().lstrip("@")
    if configured or not settings.telegram_bot_token:
        return configured
    bot_id = settings.telegram_bot_token.partition(":")[0]
    if bot_id.isdigit() and (stored := await telegram_bot.known_username(int(bot_id))):
        return stored
    learnt = await _get_me(settings)
    if learnt is None:
        return ""
    await telegram_bot.remember_username(*learnt)
    return learnt[1]


async def _get_me(settings: Settings) -> tuple[int, str] | None:
    # The URL holds the token: no message below may quote it or the exception.
    url = f"{settings.telegram_api_url.rstrip('/')}/bot{settings.telegram_bot_token}/getMe"
    try:
        async with httpx.AsyncClient(timeout=GET_ME_TIMEOUT) as client:
            response = await client.get(url)
        if response.status_code in (401, 404):
            _warn("Telegram refused TELEGRAM_BOT_TOKEN")
            return None
        response.raise_for_status()
        me = response.json()["result"]
        bot_id, username = int(me["id"]), str(me["username"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        _warn(f"Telegram's getMe failed ({type(exc).__name__})")
        return None
    if not USERNAME_RE.match(username):
        _warn("Telegram's getMe answered no usable username")
        return None
    log.info("bot username learnt from getMe username=%s", username)
    return bot_id, username


def _warn(reason: str) -> None:
    print(
        f"hanout: {reason}; invite_link left empty (set TELEGRAM_BOT_USERNAME to print it)",
        file=sys.stderr,
    )
