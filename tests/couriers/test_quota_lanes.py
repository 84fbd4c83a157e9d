"""The two lanes of a courier quota: background calls (reference loading, the parcel sync)
keep part of every window free and give way, so a call a person waits for never queues
behind them."""

from __future__ import annotations

import asyncio

import pytest

from couriers.base import CourierRateLimited
from couriers.http import Quota, background_calls, reserved


class ParkedClock:
    """Time moves only when the test says so; a sleeper waits until its time has come."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self._moved = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        until = self.now + max(0.0, seconds)
        while self.now < until:
            self._moved.clear()
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()


def test_background_leaves_a_share_of_each_window() -> None:
    assert [reserved(n) for n in (1, 2, 5, 10, 50, 1000)] == [0, 1, 1, 2, 10, 200]


async def test_background_stops_at_its_share_and_the_first_lane_still_finds_room() -> None:
    clock = ParkedClock()
    quota = Quota({60.0: 50}, clock, clock.sleep)

    async def load() -> int:
        sent = 0
        with background_calls():
            for _ in range(100):
                await quota.acquire()
                sent += 1
        return sent

    loading = asyncio.create_task(load())
    await asyncio.sleep(0.01)
    assert len(quota.sent[60.0]) == 40  # the background parked with 10 of 50 left
    for _ in range(10):  # a dispatch's requests go at once, no time passes
        await asyncio.wait_for(quota.acquire(), timeout=1)
    assert clock() == 1_000.0 and len(quota.sent[60.0]) == 50
    clock.advance(60.0)
    await asyncio.sleep(0.01)
    assert len(quota.sent[60.0]) == 40  # the window rolled: the background took its share again
    loading.cancel()


async def test_the_background_gives_way_while_a_first_lane_call_waits() -> None:
    clock = ParkedClock()
    quota = Quota({60.0: 5}, clock, clock.sleep)
    for _ in range(5):
        await quota.acquire()  # the window is spent by first-lane calls
    order: list[str] = []

    async def call(name: str, background: bool) -> None:
        if background:
            with background_calls():
                await quota.acquire()
        else:
            await quota.acquire()
        order.append(name)

    waiting = [asyncio.create_task(call("background", True))]
    await asyncio.sleep(0.01)
    waiting.append(asyncio.create_task(call("dispatch", False)))
    await asyncio.sleep(0.01)
    assert order == []
    for _ in range(1000):  # time passes, a second at a time, until both went
        if all(task.done() for task in waiting):
            break
        clock.advance(1.0)
        await asyncio.sleep(0)
    await asyncio.gather(*waiting)
    assert order == ["dispatch", "background"]


async def test_a_long_background_wait_raises_instead_of_sleeping() -> None:
    clock = ParkedClock()
    quota = Quota({3600.0: 10}, clock, clock.sleep)
    quota.max_wait = 120.0
    with background_calls():
        for _ in range(8):
            await quota.acquire()
        with pytest.raises(CourierRateLimited):
            await quota.acquire()  # 8 of 10 is the background's share of the hour
    await asyncio.wait_for(quota.acquire(), timeout=1)  # the first lane still has two
