"""Telegram unreachable for five minutes, on a controlled clock: the bot, the relay and the
card sender run against the fake Bot API while it refuses connections, then answers 502
through a proxy; the event loop's clock is moved on instead of waited for, so every timer
(the sender's passes, the flood budget, python-telegram-bot's polling back-off, HTTP
timeouts) sees the five minutes pass. When Telegram is back, every card arrives, none
twice, and the bot hears presses again.

Runs on both databases: one process, the test's own (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from bot import runtime as bot_runtime
from bot.limits import TELEGRAM, FloodBudget
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox.tables import OutboxMessage
from tests.bot.harness import OWNER, running_desk
from tests.factories import checkout, make_shop
from tests.system.watch import answers, button, card, card_sends, live_cards

OUTAGE = 300.0  # seconds on the loop's clock
STEP = 5.0
TEAM = Actor("owner", "1001", "Nadia")


class LoopClock:
    """The running loop's clock, moved forward on demand. It never goes back: timers
    set while it ran ahead stay due when they were meant to be, so it stays in place
    after the test (only ahead of the wall clock by the time it was moved)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.real: Callable[[], float] = loop.time
        self.offset = 0.0
        # A call on its way to the fake when the clock jumps would see its timeout expire
        # though only milliseconds passed: the clock waits for such calls to be answered.
        self.busy: Callable[[], bool] = lambda: False

    def __call__(self) -> float:
        return self.real() + self.offset

    async def advance(self, seconds: float, step: float = STEP) -> None:
        """Let `seconds` pass in `step`s, giving every task a turn after each."""
        moved = 0.0
        while moved < seconds:
            for _ in range(200):
                if not self.busy():
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.01)  # the answer's last bytes reach the client
            self.offset += step
            moved += step
            for _ in range(5):
                await asyncio.sleep(0.01)


@contextmanager
def loop_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopClock]:
    loop = asyncio.get_running_loop()
    clock = LoopClock(loop)
    loop.time = clock  # type: ignore[method-assign]
    # The flood budget counts on the same clock as everything else.
    monkeypatch.setattr(bot_runtime, "FloodBudget", lambda pacing: FloodBudget(clock, pacing))
    yield clock


async def test_every_card_arrives_once_after_five_minutes_without_telegram(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop(stock=100)
    with loop_clock(monkeypatch) as clock:
        async with running_desk(pacing=TELEGRAM) as desk:
            fake = desk.fake
            clock.busy = lambda: any(
                n != "getUpdates" and calls > 0 for n, calls in fake.in_flight.items()
            )
            chat = await desk.bind(shop.store, OWNER)
            first = (await place_order(shop.store, checkout(shop.variants[0].id, 1))).order
            await desk.settle()
            assert list(card_sends(fake, chat).elements()) == [first.number]

            await fake.go_down()  # connections refused…
            before = len(fake.requests)
            later = [
                (await place_order(shop.store, checkout(shop.variants[0].id, 1, phone=p))).order
                for p in ("0551 00 00 01", "0551 00 00 02")
            ]
            await transition_order(shop.store, first.number, OrderStatus.CONFIRMED, TEAM)
            await clock.advance(OUTAGE / 2)
            await fake.come_back()  # …then a proxy answering 502 for the rest
            fake.fail_with_status("*", 502, times=None)
            await clock.advance(OUTAGE / 2)
            assert fake.served_429 == 0 and card_sends(fake, chat)[later[0].number] == 0
            tries = fake.requests[before:]

            fake.clear_faults()
            numbers = [first.number] + [o.number for o in later]
            await arrive(
                clock,
                lambda: (
                    set(live_cards(fake, chat)) == set(numbers)
                    and (card(fake, chat, first.number).text or "").startswith("✅")
                ),  # the edit too
            )
            # The sender and the poller kept trying all along, the poller backing off to
            # one try in 30 s: the five minutes did pass for them.
            assert all(r.status == 502 for r in tries)
            assert sum(r.method == "getUpdates" for r in tries) >= 4
            assert sum(r.method == "sendMessage" for r in tries) >= 10
            assert card_sends(fake, chat) == dict.fromkeys(numbers, 1)

            # The bot hears the team again: a press is answered, once.
            shown = card(fake, chat, later[0].number)
            update = fake.press(chat, shown.message_id, button(shown, "tl"), OWNER)
            await fake.send_update(update)
            query = str(update["callback_query"]["id"])
            await arrive(clock, lambda: fake.query(query).answered)
            assert answers(fake)[query] == 1

    assert not await OutboxMessage.filter(status="dead").exists()
    assert not await OrderEvent.filter(type="notification_failed").exists()


async def arrive(clock: LoopClock, done: Callable[[], bool]) -> None:
    """Let loop time pass (python-telegram-bot's polling back-off reached 30 s during the
    outage) until `done()`; at most two minutes of it."""
    for _ in range(int(120 / STEP)):
        if done():
            return
        await clock.advance(STEP)
        await asyncio.sleep(0.05)
    assert done(), "not there after two minutes of loop time"
