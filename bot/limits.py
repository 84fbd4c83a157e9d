"""Telegram's flood limits as budgets every request goes through (SPEC §5, reference
telegram.md §2.1): ≈30 messages/s overall, 1/s per private chat, 20/min per group, edits
included. The card sender asks a chat's budget before choosing cards or a digest."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Slightly under Telegram's published limits: the server measures arrival, we measure
# departure, and a 429 costs far more than a margin.
GROUP_RATE, GROUP_WINDOW = 19, 61.0
PRIVATE_RATE, PRIVATE_WINDOW = 1, 1.1
GLOBAL_RATE, GLOBAL_WINDOW = 25, 1.0
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "copyMessage",
        "forwardMessage",
    }
)


class Window:
    """At most `rate` events in any `period` seconds."""

    def __init__(self, rate: int, period: float) -> None:
        self.rate, self.period = rate, period
        self.events: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self.events and now - self.events[0] >= self.period:
            self.events.popleft()

    def free(self, now: float) -> int:
        self._trim(now)
        return self.rate - len(self.events)

    def wait(self, now: float) -> float:
        """Seconds until one more event fits."""
        self._trim(now)
        if len(self.events) < self.rate:
            return 0.0
        return self.events[0] + self.period - now

    def take(self, now: float) -> None:
        self.events.append(now)


class FloodBudget(BaseRateLimiter[dict[str, Any]]):
    """A python-telegram-bot rate limiter that waits for room instead of drawing 429s."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.overall = Window(GLOBAL_RATE, GLOBAL_WINDOW)
        self.chats: dict[int, Window] = {}
        self.paused_until: dict[int | None, float] = {}
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _window(self, chat_id: int) -> Window:
        window = self.chats.get(chat_id)
        if window is None:
            window = (
                Window(GROUP_RATE, GROUP_WINDOW)
                if chat_id < 0
                else Window(PRIVATE_RATE, PRIVATE_WINDOW)
            )
            self.chats[chat_id] = window
        return window

    def available(self, chat_id: int) -> int:
        """Messages (sends or edits) this chat can take right now."""
        now = self.clock()
        if self.paused_until.get(chat_id, 0) > now or self.paused_until.get(None, 0) > now:
            return 0
        return max(0, min(self._window(chat_id).free(now), self.overall.free(now)))

    def pause(self, chat_id: int | None, seconds: float) -> None:
        self.paused_until[chat_id] = max(self.paused_until.get(chat_id, 0), self.clock() + seconds)

    async def _acquire(self, chat_id: int) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                pause = max(self.paused_until.get(chat_id, 0), self.paused_until.get(None, 0))
                delay = max(pause - now, self._window(chat_id).wait(now), self.overall.wait(now))
                if delay <= 0:
                    self._window(chat_id).take(now)
                    self.overall.take(now)
                    return
                await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        counted = endpoint in COUNTED and isinstance(chat_id, int)
        for attempt in range(3):
            if counted:
                await self._acquire(int(chat_id))  # type: ignore[arg-type]
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                log.warning("telegram flood wait chat=%s seconds=%s", chat_id, seconds)
                self.pause(int(chat_id) if counted else None, seconds)  # type: ignore[arg-type]
                if attempt == 2 or not counted:
                    raise
        raise AssertionError("unreachable")


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
