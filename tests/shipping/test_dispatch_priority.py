"""The first dispatch after `courier add` does not wait for the reference-data load: against
the fake Yalidine enforcing its quotas (5/s, 50/min, …) with every wilaya listed, the load
asks for 58 wilayas' communes and fees, more than a minute's quota, while the dispatch
creates its parcel within seconds — and nobody gets a 429."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from models.orders.lifecycle import OrderStatus
from models.orders.transitions import get_order
from models.shipping.geography import wilayas
from models.shipping.tables import CourierAccount, Shipment
from shipping.accounts import add_account
from shipping.dispatch import dispatch
from shipping.pool import CourierPool
from shipping.reference import refresh_one
from tests.couriers import fake_yalidine
from tests.couriers.fake_yalidine import FakeClock, FakeYalidine
from tests.factories import make_shop
from tests.shipping.support import (
    OWNER,
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    confirmed_order,
    courier_relay,
    sealer,
)

STALL = 2.0  # real seconds without any change: something waits on other than the clock


class VirtualClock(FakeClock):
    """Courier time as virtual time: it jumps to the next sleeper's deadline only once every
    task being watched sleeps on it, so a request in flight on a slow machine never sees
    time pass. (A task stuck on anything else for STALL real seconds lets time move too,
    so a wait behind a lock still shows as courier time.)"""

    def __init__(self) -> None:
        super().__init__()
        self.sleepers: list[float] = []
        self._moved = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        until = self.now + max(0.0, seconds)
        self.sleepers.append(until)
        try:
            while self.now < until:
                self._moved.clear()
                await self._moved.wait()
        finally:
            self.sleepers.remove(until)

    async def run(self, tasks: list[asyncio.Task[Any]], until: Callable[[], bool]) -> None:
        """Let the tasks run, moving time as they sleep, until `until()` is true."""
        seen, still = self._state(), 0.0
        while not until():
            await asyncio.sleep(0.002)
            if until():
                return
            live = [t for t in tasks if not t.done()]
            if not self.sleepers or any(d <= self.now for d in self.sleepers):
                still = 0.0
                continue  # nobody sleeps, or a woken sleeper has not run yet
            state = self._state()
            still = still + 0.002 if state == seen else 0.0
            seen = state
            if len(self.sleepers) >= len(live) or still >= STALL:
                self.now = min(self.sleepers)
                self._moved.set()
                still = 0.0

    def _state(self) -> tuple[float, int]:
        return self.now, len(self.sleepers)


@pytest.fixture
def every_wilaya(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake lists all 58 wilayas, as the real Yalidine does (its own six keep their
    communes; the others have none here, which costs the same requests)."""
    table = {w.code: (w.name_fr, 3, 1) for w in wilayas() if w.code <= 58}
    monkeypatch.setattr(fake_yalidine, "WILAYAS", table | fake_yalidine.WILAYAS)


async def test_first_dispatch_creates_its_parcel_while_the_reference_loads(
    db: str, every_wilaya: None
) -> None:
    clock = VirtualClock()
    fake = FakeYalidine(clock)
    await fake.start()
    builder = FakeBuilder(fake, timeout=5.0)
    pool = CourierPool(sealer(), builder)
    try:
        shop = await make_shop()
        creds = YALIDINE_CREDENTIALS
        acc = await add_account(shop.store, "yalidine", creds, sealer(), base_url=fake.base_url,
                                build=builder)  # fmt: skip
        order = await confirmed_order(shop)

        # The worker starts loading the account's reference data, and spends what the
        # background may of the minute's quota.
        loading = asyncio.create_task(refresh_one(pool))

        def parked() -> bool:  # the load waits for its share of the next minute
            return bool(clock.sleepers) and min(clock.sleepers) - clock() > 5.0

        await asyncio.wait_for(clock.run([loading], parked), timeout=120)
        assert not loading.done()
        communes_asked = sum(1 for s in fake.seen if s.path == "/v1/communes/")
        assert 20 <= communes_asked < 58

        # Now the owner dispatches.
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        began = clock()
        creating = asyncio.create_task(courier_relay(pool).run_once())
        await asyncio.wait_for(clock.run([creating, loading], creating.done), timeout=120)
        assert creating.result() == 1
        assert clock() - began <= 5.0  # seconds, not the minute the load would take
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.SHIPPED
        [parcel] = fake.parcels.values()
        assert order.tracking == parcel["tracking"] == (await Shipment.get()).tracking

        # The load goes on and completes within the quotas.
        await asyncio.wait_for(clock.run([loading], loading.done), timeout=120)
        assert await loading == acc.id
        reference = (await CourierAccount.get(id=acc.id)).reference
        assert len(reference["wilayas"]) == 57  # Illizi is not served
        assert reference["communes"]["1630"]["name"] == "Bordj El Kiffan"
        assert sum(1 for s in fake.seen if s.path == "/v1/communes/") == 57
        assert fake.over_quota == 0 and all(s.status == 200 for s in fake.seen)
    finally:
        await pool.aclose()
        await fake.close()
