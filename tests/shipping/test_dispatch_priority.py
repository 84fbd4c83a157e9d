"""The first dispatch after `courier add` does not wait for the reference-data load: against
the fake Yalidine enforcing its quotas (5/s, 50/min, …) with every wilaya listed, the load
asks for 58 wilayas' communes and fees, more than a minute's quota, while the dispatch
creates its parcel within seconds — and nobody gets a 429."""

from __future__ import annotations

import asyncio

import pytest

from models.geography import wilayas
from models.lifecycle import OrderStatus
from models.orders import get_order
from models.orm import CourierAccount, Shipment
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

STEP = 0.25  # seconds of courier time per step of the test's clock


class SteppedClock(FakeClock):
    """Courier time moves only when the test steps it; a sleeper waits for its time."""

    def __init__(self) -> None:
        super().__init__()
        self._moved = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        until = self.now + max(0.0, seconds)
        while self.now < until:
            self._moved.clear()
            await self._moved.wait()

    async def step(self) -> None:
        self.now += STEP
        self._moved.set()
        await asyncio.sleep(0.002)  # let the requests due by now run (loopback HTTP)


@pytest.fixture
def every_wilaya(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake lists all 58 wilayas, as the real Yalidine does (its own six keep their
    communes; the others have none here, which costs the same requests)."""
    table = {w.code: (w.name_fr, 3, 1) for w in wilayas() if w.code <= 58}
    monkeypatch.setattr(fake_yalidine, "WILAYAS", table | fake_yalidine.WILAYAS)


async def quiet(clock: SteppedClock, fake: FakeYalidine, seconds: float) -> None:
    """Step the clock until no request reached the fake for `seconds` of its time."""
    last, since = len(fake.seen), clock()
    for _ in range(2000):
        await clock.step()
        if len(fake.seen) != last:
            last, since = len(fake.seen), clock()
        elif clock() - since >= seconds:
            return
    raise AssertionError("the courier never went quiet")


async def test_first_dispatch_creates_its_parcel_while_the_reference_loads(
    db: str, every_wilaya: None
) -> None:
    clock = SteppedClock()
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
        await quiet(clock, fake, 5.0)
        assert not loading.done()
        communes_asked = sum(1 for s in fake.seen if s.path == "/v1/communes/")
        assert 20 <= communes_asked < 58

        # Now the owner dispatches.
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        began = clock()
        creating = asyncio.create_task(courier_relay(pool).run_once())
        while not creating.done() and clock() - began < 120:
            await clock.step()
        assert creating.done() and creating.result() == 1
        assert clock() - began <= 5.0  # seconds, not the minute the load would take
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.SHIPPED
        [parcel] = fake.parcels.values()
        assert order.tracking == parcel["tracking"] == (await Shipment.get()).tracking

        # The load goes on and completes within the quotas.
        while not loading.done() and clock() - began < 900:
            await clock.step()
        assert await loading == acc.id
        reference = (await CourierAccount.get(id=acc.id)).reference
        assert len(reference["wilayas"]) == 57  # Illizi is not served
        assert reference["communes"]["1630"]["name"] == "Bordj El Kiffan"
        assert sum(1 for s in fake.seen if s.path == "/v1/communes/") == 57
        assert fake.over_quota == 0 and all(s.status == 200 for s in fake.seen)
    finally:
        await pool.aclose()
        await fake.close()
