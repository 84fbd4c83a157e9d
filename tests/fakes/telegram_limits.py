"""Flood limits as Telegram enforces them, a clock tests can move, and injected faults."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Calls Telegram counts against a chat's message budget; edits count like sends.
LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)


class ManualClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class _SlidingWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.hits: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more hit fits (0 when it fits now)."""
        while self.hits and self.hits[0] <= now - self.period:
            self.hits.popleft()
        if len(self.hits) < self.limit:
            return 0.0
        return self.hits[0] + self.period - now

    def hit(self, now: float) -> None:
        self.hits.append(now)


class _TokenBucket:
    """`capacity` messages at once, then one every 1/rate seconds."""

    def __init__(self, capacity: int, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.updated: float | None = None

    def wait(self, now: float) -> float:
        if self.updated is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def hit(self, now: float) -> None:
        self.tokens -= 1


@dataclass
class FloodLimits:
    """Telegram's published budget: ~1 msg/s per private chat (small burst), 20/min per group,
    30/s overall. Values are per instance so a test can tighten them."""

    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30


class RateLimiter:
    def __init__(self, clock: Callable[[], float], limits: FloodLimits | None = None) -> None:
        self.clock = clock
        self.limits = limits or FloodLimits()
        self._global = _SlidingWindow(self.limits.global_per_second, 1.0)
        self._chats: dict[int, _SlidingWindow | _TokenBucket] = {}

    def _budget(self, chat_id: int, is_group: bool) -> _SlidingWindow | _TokenBucket:
        if chat_id not in self._chats:
            limits = self.limits
            self._chats[chat_id] = (
                _SlidingWindow(limits.group_per_minute, 60.0)
                if is_group
                else _TokenBucket(limits.private_burst, limits.private_per_second)
            )
        return self._chats[chat_id]

    def spend(self, chat_id: int, is_group: bool) -> int | None:
        """Count one message for the chat; None when allowed, else seconds to retry after."""
        now = self.clock()
        chat_budget = self._budget(chat_id, is_group)
        wait = max(self._global.wait(now), chat_budget.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.hit(now)
        chat_budget.hit(now)
        return None


@dataclass
class Fault:
    """One scripted misbehaviour for calls of `method` ("*" for any) whose params match."""

    method: str
    times: int | None  # None: forever
    match: Callable[[dict[str, Any]], bool] | None = None
    error: tuple[int, str, dict[str, Any] | None] | None = None
    status: int | None = None
    delay: float = 0.0
    fired: int = field(default=0)

    def applies(self, method: str, params: dict[str, Any]) -> bool:
        if self.method not in ("*", method):
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        return self.match is None or bool(self.match(params))


class Faults:
    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.pending.append(fault)
        return fault

    def take(self, method: str, params: dict[str, Any]) -> list[Fault]:
        """Faults firing for this call (a delay may combine with an error or a status)."""
        fired = [fault for fault in self.pending if fault.applies(method, params)]
        for fault in fired:
            fault.fired += 1
        self.pending = [f for f in self.pending if f.times is None or f.fired < f.times]
        return fired

    def clear(self) -> None:
        self.pending.clear()
