"""Telegram's flood limits as budgets every request goes through (SPEC §5, reference
telegram.md §2.1): ≈30 messages/s overall, 1/s per private chat, 20/min per group, edits
included. The card sender asks a chat's room before choosing cards or a digest."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

# Slightly under Telegram's published limits: the server measures arrival, we measure
# departure, and a 429 costs far more than a margin.
GROUP_RATE, GROUP_WINDOW = 19, 61.0
PRIVATE_RATE, PRIVATE_WINDOW = 1, 1.1
GLOBAL_RATE, GLOBAL_WINDOW = 25, 1.0
# A group keeps this many of its messages for people's presses and commands: a burst of
# orders never leaves the team unable to use their cards.
GROUP_RESERVE = 4
# New-order messages (cards or digests): a burst, then one every so many seconds, so a long
# burst of orders ends in a digest soon after its last order instead of after the group's
# whole minute was spent in its first second (and a phone does not buzz every second).
GROUP_NEWS = (6, 4.0)
# A team busy all minute keeps a group near its limit: a new order that waited this long for
# the reserve above goes in the room results leave, ahead of sub-menus (MENU_SPARE).
NEWS_OVERDUE = 5.0
OVERDUE_RESERVE = 1
PRIVATE_NEWS = (3, 2.0)
# Results first: the card edits a press produces may take a group's last messages, while a
# sub-menu a press opens (the card's buttons swapped, nothing changed) leaves this many free
# for them. Two agents logging a call every 10 s need 12 of the group's 20 a minute: a menu
# opened before each outcome would double that, so menus wait for the room results leave.
MENU_SPARE = 2
# rate_limit_args of a sub-menu's edit (bot.presses).
MENU: dict[str, Any] = {"menu": True}
# Requests a 429 may retry inside the limiter (the card sender asks for none: it has
# other chats to serve and comes back when the pause is over).
RETRIES = 2
NOT_COUNTED = frozenset({"sendChatAction"})


@dataclass(frozen=True, slots=True)
class Pacing:
    """The rates above as one value a budget is built with: Telegram's (`TELEGRAM`) in every
    process; the desk's flow tests, against a fake that counts nothing, run the same rules
    `quicker` so a private chat's second a message costs them no waiting."""

    group: tuple[int, float] = (GROUP_RATE, GROUP_WINDOW)
    private: tuple[int, float] = (PRIVATE_RATE, PRIVATE_WINDOW)
    overall: tuple[int, float] = (GLOBAL_RATE, GLOBAL_WINDOW)
    group_news: tuple[int, float] = GROUP_NEWS
    private_news: tuple[int, float] = PRIVATE_NEWS
    news_overdue: float = NEWS_OVERDUE

    def quicker(self, factor: float) -> Pacing:
        """The same counts over periods `factor` times shorter."""

        def scaled(rate: tuple[int, float]) -> tuple[int, float]:
            return rate[0], rate[1] / factor

        return replace(
            self,
            group=scaled(self.group),
            private=scaled(self.private),
            overall=scaled(self.overall),
            group_news=scaled(self.group_news),
            private_news=scaled(self.private_news),
            news_overdue=self.news_overdue / factor,
        )


TELEGRAM = Pacing()


def counted(endpoint: str) -> bool:
    """Telegram counts every message a bot sends or edits against the chat's budget."""
    if endpoint in NOT_COUNTED:
        return False
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))


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

    def wait(self, now: float, spare: int = 0) -> float:
        """Seconds until one more event fits with `spare` more still free after it."""
        self._trim(now)
        over = len(self.events) - (self.rate - spare - 1)  # events that must expire first
        if over <= 0:
            return 0.0
        return self.events[min(over, len(self.events)) - 1] + self.period - now

    def take(self, now: float) -> None:
        self.events.append(now)


class Pace:
    """A token bucket: `burst` at once, then one every `every` seconds."""

    def __init__(self, burst: int, every: float, now: float) -> None:
        self.burst, self.every = burst, every
        self.tokens, self.updated = float(burst), now

    def free(self, now: float) -> int:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) / self.every)
        self.updated = now
        return int(self.tokens)

    def take(self, now: float) -> None:
        self.free(now)
        self.tokens -= 1


class FloodBudget(BaseRateLimiter[dict[str, Any]]):
    """A python-telegram-bot rate limiter that waits for room instead of drawing 429s.

    `rate_limit_args={"retries": 0}` on a call makes a 429 raise at once (after pausing
    the chat) instead of waiting and retrying inside the call.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, pacing: Pacing = TELEGRAM
    ) -> None:
        self.clock, self.pacing = clock, pacing
        self.overall = Window(*pacing.overall)
        self.chats: dict[int, Window] = {}
        self.news: dict[int, Pace] = {}
        self.paused_until: dict[int | None, float] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _window(self, chat_id: int) -> Window:
        window = self.chats.get(chat_id)
        if window is None:
            window = Window(*(self.pacing.group if chat_id < 0 else self.pacing.private))
            self.chats[chat_id] = window
        return window

    def _pace(self, chat_id: int) -> Pace:
        pace = self.news.get(chat_id)
        if pace is None:
            burst, every = self.pacing.group_news if chat_id < 0 else self.pacing.private_news
            pace = self.news[chat_id] = Pace(burst, every, self.clock())
        return pace

    def _paused(self, chat_id: int, now: float) -> float:
        """Seconds this chat must still wait after a 429."""
        until = max(self.paused_until.get(chat_id, 0), self.paused_until.get(None, 0))
        return max(0.0, until - now)

    def available(self, chat_id: int) -> int:
        """Messages (sends or edits) this chat can take right now."""
        now = self.clock()
        if self._paused(chat_id, now) > 0:
            return 0
        return max(0, min(self._window(chat_id).free(now), self.overall.free(now)))

    def room_for_edits(self, chat_id: int) -> int:
        """Card edits the sender may make now: all the room there is (results come first;
        sub-menus and new orders leave them some, see `room_for_menus`, `room_for_news`)."""
        return self.available(chat_id)

    def room_for_menus(self, chat_id: int) -> int:
        """Sub-menus a press may open now: a group keeps MENU_SPARE for results."""
        return max(0, self.available(chat_id) - self._spare(chat_id, MENU))

    @staticmethod
    def _spare(chat_id: int, rate_limit_args: dict[str, Any] | None) -> int:
        menu = chat_id < 0 and bool((rate_limit_args or {}).get("menu"))
        return MENU_SPARE if menu else 0

    def room_for_news(self, chat_id: int, overdue: bool = False) -> int:
        """New-order messages (cards or a digest) the sender may send now; `overdue`: the
        oldest has waited NEWS_OVERDUE, so it goes before sub-menus (after results)."""
        reserve = (OVERDUE_RESERVE if overdue else GROUP_RESERVE) if chat_id < 0 else 0
        spare = self.available(chat_id) - reserve
        return max(0, min(spare, self._pace(chat_id).free(self.clock())))

    def news_pace(self, chat_id: int) -> int:
        """New-order messages the pace allows before it slows down: more new orders than
        this waiting means a burst, and a digest says more than cards trickling in."""
        return self._pace(chat_id).free(self.clock())

    def took_news(self, chat_id: int) -> None:
        """One new-order message left for this chat."""
        self._pace(chat_id).take(self.clock())

    def pause(self, chat_id: int | None, seconds: float) -> None:
        self.paused_until[chat_id] = max(self.paused_until.get(chat_id, 0), self.clock() + seconds)

    def _try_take(self, chat_id: int, spare: int = 0) -> float:
        """Take room for one message now (0.0) or say how long to wait; `spare`: messages
        that must stay free after this one. No await between the check and the take, so
        concurrent callers never overspend."""
        now = self.clock()
        window = self._window(chat_id)
        delay = max(self._paused(chat_id, now), window.wait(now, spare), self.overall.wait(now))
        if delay <= 0:
            window.take(now)
            self.overall.take(now)
        return delay

    async def _acquire(self, chat_id: int, spare: int = 0) -> None:
        # Sleeping holds nothing: one chat waiting for its minute never stalls the others.
        delay = self._try_take(chat_id, spare)
        while delay > 0:
            await asyncio.sleep(min(delay, 1.0))
            delay = self._try_take(chat_id, spare)

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
        chat = int(chat_id) if counted(endpoint) and isinstance(chat_id, int) else None
        retries = int((rate_limit_args or {}).get("retries", RETRIES))
        for attempt in range(retries + 1):
            if chat is not None:
                await self._acquire(chat, self._spare(chat, rate_limit_args))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                log.warning("telegram flood wait chat=%s seconds=%s", chat_id, seconds)
                self.pause(chat, seconds)
                if attempt == retries or chat is None:
                    raise
        raise AssertionError("unreachable")


def menu_room(bot: Bot, chat_id: int) -> bool:
    """Whether a sub-menu can show in the chat now without waiting for its results (a
    private chat's wait is a second at most: it is waited for)."""
    limiter = getattr(bot, "rate_limiter", None)
    if chat_id > 0 or not isinstance(limiter, FloodBudget):
        return True
    return limiter.room_for_menus(chat_id) > 0


async def show_menu(
    bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    """Swap a card's buttons for a sub-menu, in the room the card's results leave (MENU)."""
    await cast("ExtBot[Any]", bot).edit_message_reply_markup(
        chat_id, message_id, reply_markup=markup, rate_limit_args=MENU
    )


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait (an int or a timedelta, by PTB's settings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
