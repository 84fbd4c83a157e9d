"""The parcel sync job against the fake couriers: statuses advanced at the courier move the
order (delivered, returned with its stock back), failed attempts alert the team, unknown
statuses are logged without stopping anything, rate limits defer to the next cycle, and two
workers never poll the same parcel."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from models.catalog.tables import Variant
from models.infra import clock
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.transitions import get_order
from models.outbox.tables import OutboxMessage
from models.shipping.tables import Shipment
from shipping.dispatch import dispatch
from shipping.pool import CourierPool
from shipping.sync import ParcelSync
from tests.couriers.fake_procolis import FakeProcolis
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import Shop, make_shop
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


@pytest.fixture
async def pool(yalidine: FakeYalidine) -> AsyncIterator[CourierPool]:
    couriers = CourierPool(sealer(), FakeBuilder(yalidine))
    yield couriers
    await couriers.aclose()


async def shipped(shop: Shop, yalidine: FakeYalidine, pool: CourierPool, phone: str) -> Order:
    """A confirmed order dispatched with Yalidine, its parcel created, due for a poll."""
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    order = await confirmed_order(shop, phone=phone)
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    await courier_relay(pool).run_once()
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.SHIPPED
    await make_due(order)
    return order


async def test_delivered_at_the_courier_delivers_the_order(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await shipped(shop, yalidine, pool, "0550 12 34 56")
    yalidine.advance(order.tracking, "Sorti en livraison")
    yalidine.advance(order.tracking, "Livré")

    report = await ParcelSync(pool, "w1").run_once()
    assert (report.claimed, report.changed) == (1, 1)
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.DELIVERED
    event = await OrderEvent.filter(order_id=order.id, type="parcel_status").first()
    assert event is not None and event.actor_kind == "courier"
    assert event.data["raw_status"] == "Livré" and event.data["status"] == "delivered"
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.next_poll_at is None and shipment.poll_locked_by == ""  # final: no more polls


async def test_returned_to_the_merchant_restores_the_stock(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop(stock=10)
    order = await shipped(shop, yalidine, pool, "0550 12 34 56")
    variant = shop.variants[0].id
    assert (await Variant.get(id=variant)).stock == 8

    yalidine.advance(order.tracking, "Retour vers vendeur")  # on its way back: not yet
    await ParcelSync(pool, "w1").run_once()
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED
    assert (await Variant.get(id=variant)).stock == 8

    yalidine.advance(order.tracking, "Retourné au vendeur")
    await make_due(order)
    await ParcelSync(pool, "w1").run_once()
    assert (await get_order(shop.store, order.number)).status is OrderStatus.RETURNED
    assert (await Variant.get(id=variant)).stock == 10


async def test_a_failed_attempt_alerts_the_team_with_the_reason(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await shipped(shop, yalidine, pool, "0550 12 34 56")
    yalidine.advance(order.tracking, "Tentative échouée", reason="Client ne répond pas")

    await ParcelSync(pool, "w1").run_once()
    alert = await OutboxMessage.get(channel="probe", topic="order.parcel_attention")
    assert alert.payload["raw_reason"] == "Client ne répond pas"
    assert alert.payload["status"] == "delivery_attempted"
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


async def test_an_unknown_status_is_logged_and_the_others_still_apply(
    db: str, yalidine: FakeYalidine, pool: CourierPool, caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    odd = await shipped(shop, yalidine, pool, "0550 12 34 56")
    fine = await shipped(shop, yalidine, pool, "0661 22 33 44")
    yalidine.advance(odd.tracking, "Colis téléporté")
    yalidine.advance(fine.tracking, "Livré")

    with caplog.at_level(logging.WARNING):
        report = await ParcelSync(pool, "w1").run_once()
    assert (report.read, report.unknown, report.changed) == (2, 1, 2)
    assert "unknown parcel status" in caplog.text and "Colis téléporté" in caplog.text
    shipment = await Shipment.get(order_id=odd.id)
    assert (shipment.status, shipment.raw_status) == ("unknown", "Colis téléporté")
    assert shipment.next_poll_at is not None  # still followed
    assert (await get_order(shop.store, odd.number)).status is OrderStatus.SHIPPED
    assert (await get_order(shop.store, fine.number)).status is OrderStatus.DELIVERED


async def test_a_rate_limited_courier_leaves_its_parcels_for_the_next_cycle(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await shipped(shop, yalidine, pool, "0550 12 34 56")
    yalidine.advance(order.tracking, "Livré")
    yalidine.force_429(1, retry_after=3600)  # the hour's quota is spent

    report = await ParcelSync(pool, "w1").run_once()
    assert (report.deferred, report.changed) == (1, 0)
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.poll_locked_by == "" and shipment.status != "delivered"

    yalidine.clock.now += 3600  # an hour later
    report = await ParcelSync(pool, "w1").run_once()
    assert report.changed == 1
    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED


# --- two workers ------------------------------------------------------------------------


async def _parcels_at_procolis(shop: Shop, procolis: FakeProcolis, count: int) -> list[str]:
    """`count` orders whose parcels the fake already has, every one due for a poll."""
    creds = procolis.account()
    acc = await account(shop.store, "procolis", creds.base_url, dict(creds.credentials))
    trackings = []
    for n in range(count):
        order = await confirmed_order(shop, phone=f"0550 12 {n // 10:02d} {n % 10:02d}")
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        trackings.append(f"HN{shop.store.id}-{order.number}")
    pool = CourierPool(sealer(), FakeBuilder())
    relay = courier_relay(pool)
    while await relay.run_once():
        pass
    await pool.aclose()
    for tracking in trackings:
        procolis.set_situation(tracking, "En Livraison")
    await Shipment.all().update(next_poll_at=clock.now() - timedelta(seconds=1))
    return trackings


async def _work(sync: ParcelSync) -> None:
    while (await sync.run_once()).claimed:
        await asyncio.sleep(0)


async def test_two_workers_never_poll_the_same_parcel(db: str, backend: str) -> None:
    shop = await make_shop(stock=100)
    async with FakeProcolis() as procolis:
        trackings = await _parcels_at_procolis(shop, procolis, 24)
        reads_before = len(procolis.bodies("lire"))
        pools = [CourierPool(sealer(), FakeBuilder()) for _ in range(2)]
        workers = [ParcelSync(p, f"worker-{i}", limit=3) for i, p in enumerate(pools)]
        await asyncio.gather(*(_work(w) for w in workers))
        for p in pools:
            await p.aclose()
        polled = Counter(
            colis["Tracking"]
            for body in procolis.bodies("lire")[reads_before:]
            for colis in body["Colis"]
        )
    assert polled == Counter(dict.fromkeys(trackings, 1))  # each parcel once, none forgotten
    assert await Shipment.filter(status="out_for_delivery").count() == 24
