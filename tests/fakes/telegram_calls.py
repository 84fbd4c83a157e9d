"""One Bot API call as the method implementations see it, and their registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_state import BotAccount, Chat, TelegramState


@dataclass
class Settings:
    query_ttl: float = 15.0  # seconds a callback query can still be answered
    long_poll_cap: float = 1.0  # getUpdates never waits longer, whatever `timeout` says
    closing: bool = False  # set on shutdown so waiting long polls return at once


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    bot: BotAccount
    state: TelegramState
    settings: Settings
    throttle: Callable[[Chat], None] = field(default=lambda chat: None)


Handler = Callable[[Call], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def handles(*methods: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for method in methods:
            HANDLERS[method] = handler
        return handler

    return register
