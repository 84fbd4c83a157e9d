"""The scheduled jobs as a worker runs them without the bot: APScheduler drives the parcel
sync, which moves the order when the courier advanced the parcel."""

from __future__ import annotations

import asyncio

import pytest

from models.orders.lifecycle import OrderStatus
from models.orders.transitions import get_order
from shipping import jobs
from shipping.dispatch import dispatch
from shipping.jobs import ShippingJobs
from shipping.pool import CourierPool
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import make_shop
from tests.shipping.support import (
    OWNER,
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    make_due,
    sealer,
)


async def test_apscheduler_runs_the_parcel_sync(
    db: str, yalidine: FakeYalidine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "FIRST_RUN_SECONDS", 0.1)
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    order = await confirmed_order(shop)
    pool = CourierPool(sealer(), FakeBuilder(yalidine))
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    await courier_relay(pool).run_once()
    order = await get_order(shop.store, order.number)
    yalidine.advance(order.tracking, "Livré")
    await make_due(order)

    scheduled = ShippingJobs(pool, "worker-test")
    scheduled.start(job_queue=None)
    try:
        for _ in range(100):
            if (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduled.stop()
        await pool.aclose()
    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED
