"""Bot API methods about the bot itself: identity, commands, webhook and long polling."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.telegram_calls import Call, handles
from tests.fakes.telegram_errors import ApiError, bad_request
from tests.fakes.telegram_state import JSON, BotAccount, Webhook

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
# Telegram leaves these out unless asked for by name.
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


@handles("getMe")
async def get_me(call: Call) -> JSON:
    return call.bot.user


_ACCEPTED = ("logOut", "close", "setMyDescription", "setMyShortDescription", "setMyName")


@handles(*_ACCEPTED, "setChatMenuButton")
async def accepted(call: Call) -> bool:
    return True


def scope_key(scope: JSON | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.get("scope") or {"type": "default"}
    if scope.get("type") not in _SCOPES:
        raise bad_request("wrong bot command scope type specified")
    if "chat_id" in scope:
        call.state.find_chat(scope["chat_id"])
    return scope_key(scope), call.params.get("language_code") or ""


def _check_command(command: Any) -> JSON:
    if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
        raise bad_request("BOT_COMMAND_INVALID")
    description = command.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": command["command"], "description": description}


@handles("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params["commands"]
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    call.bot.commands[_commands_key(call)] = [_check_command(c) for c in commands]
    return True


@handles("getMyCommands")
async def get_my_commands(call: Call) -> list[JSON]:
    return call.bot.commands.get(_commands_key(call), [])


@handles("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_commands_key(call), None)
    return True


def _check_webhook(params: JSON) -> None:
    url = urlsplit(params["url"])
    loopback = url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost", "::1")
    if url.scheme != "https" and not loopback:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if not 1 <= params.get("max_connections", 40) <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")


@handles("setWebhook")
async def set_webhook(call: Call) -> bool:
    params, bot = call.params, call.bot
    if not params["url"]:
        bot.webhook = None
        return True
    _check_webhook(params)
    allowed = params.get("allowed_updates")
    bot.webhook = Webhook(
        params["url"], params.get("secret_token"), params.get("max_connections", 40), allowed
    )
    if allowed is not None:
        bot.allowed_updates = allowed or None
    if params.get("drop_pending_updates"):
        bot.updates.clear()
    return True


@handles("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    call.bot.webhook = None
    if call.params.get("drop_pending_updates"):
        call.bot.updates.clear()
    return True


@handles("getWebhookInfo")
async def get_webhook_info(call: Call) -> JSON:
    hook, bot = call.bot.webhook, call.bot
    info: JSON = {"url": "", "has_custom_certificate": False}
    info["pending_update_count"] = len(bot.updates)
    if hook is not None:
        info |= {"url": hook.url, "max_connections": hook.max_connections}
        extra = {
            "allowed_updates": hook.allowed_updates,
            "last_error_date": hook.last_error_date,
            "last_error_message": hook.last_error_message,
        }
        info |= {k: v for k, v in extra.items() if v is not None}
    return info


def update_kind(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def _confirm(bot: BotAccount, offset: int | None) -> None:
    """Forget updates the client confirmed with `offset` (negative: keep only the last -n)."""
    if offset is None or offset == 0:
        return
    if offset < 0:
        del bot.updates[: max(0, len(bot.updates) + offset)]
    else:
        bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]


def _ready(bot: BotAccount) -> list[JSON]:
    allowed = set(bot.allowed_updates or ())

    def wanted(update: JSON) -> bool:
        kind = update_kind(update)
        return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

    bot.updates[:] = [u for u in bot.updates if wanted(u)]
    return list(bot.updates)


@handles("getUpdates")
async def get_updates(call: Call) -> list[JSON]:
    params, bot = call.params, call.bot
    if bot.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if "allowed_updates" in params:
        bot.allowed_updates = params["allowed_updates"] or None
    _confirm(bot, params.get("offset"))
    limit = min(max(params.get("limit", 100), 1), 100)
    bot.polls += 1
    generation = bot.polls
    bot.arrived.set()  # a poll still waiting for this bot is now terminated
    wait = min(max(params.get("timeout", 0), 0), call.settings.long_poll_cap)
    deadline = asyncio.get_running_loop().time() + wait
    while not (ready := _ready(bot)) and not call.settings.closing:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            break
        bot.arrived.clear()
        try:
            await asyncio.wait_for(bot.arrived.wait(), remaining)
        except TimeoutError:
            break
        if bot.polls != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
    return ready[:limit]
