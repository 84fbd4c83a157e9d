"""Dispatch end to end: a confirmed order, the courier channel on a relay, the real adapters
against the fake couriers — one parcel, the order shipped through processing, tracking and
label stored; timeouts retried into one parcel; refusals leaving the order dispatchable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from couriers.base import Account, Courier
from couriers.ecotrack import EcotrackCourier
from models.catalog.tables import Variant
from models.errors import IllegalTransition, InvalidInput
from models.orders.lifecycle import OrderStatus
from models.orders.tables import OrderEvent
from models.orders.transitions import cancel_order, get_order
from models.outbox import relay as outbox
from models.outbox.tables import OutboxMessage
from models.shipping.parcels import dispatch_refusal
from models.shipping.tables import Shipment
from shipping.dispatch import dispatch
from shipping.pool import CourierPool
from shipping.reference import refresh_one
from tests.couriers.fake_ecotrack import TOKEN, FakeEcotrack
from tests.couriers.fake_noest import FakeNoest
from tests.couriers.fake_procolis import FakeProcolis
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import make_shop
from tests.shipping.support import (
    OWNER,
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    deliver_now,
    event_types,
    sealer,
)


@pytest.fixture
async def pool(yalidine: FakeYalidine) -> AsyncIterator[CourierPool]:
    couriers = CourierPool(sealer(), FakeBuilder(yalidine, timeout=1.0))
    yield couriers
    await couriers.aclose()


async def test_yalidine_parcel_created_once_and_order_shipped(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)

    order = await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    assert order.status is OrderStatus.PROCESSING
    assert await courier_relay(pool).run_once() == 1

    [parcel] = yalidine.parcels.values()
    shipment = await Shipment.get(order_id=order.id)
    assert parcel["order_id"] == shipment.reference
    assert (parcel["to_wilaya_name"], parcel["to_commune_name"]) == ("Alger", "Bordj El Kiffan")
    assert parcel["contact_phone"] == "0550123456"
    assert parcel["price"] == order.total  # collected at the door: goods + delivery
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.SHIPPED
    assert order.tracking == shipment.tracking == parcel["tracking"]
    assert shipment.fee == parcel["delivery_fee"]
    assert shipment.label and b"Bordereau " + parcel["tracking"].encode() in shipment.label
    assert shipment.label_type == "text/html"
    steps = await event_types(order)
    assert (
        steps.index("->processing") < steps.index("dispatch_requested") < steps.index("->shipped")
    )
    assert await OutboxMessage.filter(channel="courier", status=outbox.DONE).count() == 1


async def test_timeout_after_the_courier_created_it_is_retried_into_one_parcel(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    relay = courier_relay(pool)

    yalidine.create_delay = 3.0  # the parcel exists, the answer comes after our timeout
    await relay.run_once()
    row = await OutboxMessage.get(channel="courier")
    assert (row.status, row.attempts) == (outbox.PENDING, 1)
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.state == "requested" and "timeout" in shipment.last_error
    assert (await get_order(shop.store, order.number)).status is OrderStatus.PROCESSING

    yalidine.create_delay = 0.0
    await deliver_now()
    assert await relay.run_once() == 1
    assert len(yalidine.parcels) == 1 and len(yalidine.creates) == 1
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.SHIPPED
    assert order.tracking == next(iter(yalidine.parcels))


async def test_a_refused_parcel_leaves_the_order_dispatchable(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, commune="1645")  # Staouéli: Yalidine does not serve it
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())

    await courier_relay(pool).run_once()
    assert yalidine.parcels == {}
    assert (await OutboxMessage.get(channel="courier")).status == outbox.DEAD
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.PROCESSING and order.courier == ""
    assert not await Shipment.filter(order_id=order.id).exists()
    assert "dispatch_failed" in await event_types(order)
    assert await OutboxMessage.filter(topic="order.dispatch_failed").exists()

    async with FakeProcolis() as procolis:  # another courier takes it
        other = procolis.account()
        acc2 = await account(shop.store, "procolis", other.base_url, dict(other.credentials))
        await dispatch(shop.store, order.number, OWNER, acc2.id, None, sealer())
        await courier_relay(pool).run_once()
        assert list(procolis.parcels) == [f"HN{shop.store.id}-{order.number}"]
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


async def test_procolis_desk_order_needs_no_desk_and_has_no_label(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, delivery_type="desk")
    async with FakeProcolis() as procolis:
        creds = procolis.account()
        acc = await account(shop.store, "procolis", creds.base_url, dict(creds.credentials))
        pool = CourierPool(sealer(), FakeBuilder())
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        await courier_relay(pool).run_once()
        await pool.aclose()
    [parcel] = procolis.parcels.values()
    assert (parcel["TypeLivraison"], parcel["Commune"]) == ("1", "Bordj El Kiffan")
    assert parcel["Total"] == str(order.total)
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.tracking == parcel["Tracking"] and shipment.label is None
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


class EcotrackBuilder:
    def __init__(self, fake: FakeEcotrack) -> None:
        self.fake = fake

    def __call__(self, account: Account) -> Courier:
        return EcotrackCourier(account, quota=self.fake.quota())


async def test_ecotrack_parcel_in_its_spelling_validated_with_its_pdf_label(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, commune="1601")  # our "Alger-centre"
    async with FakeEcotrack() as eco:
        acc = await account(shop.store, "ecotrack", eco.base_url, {"api_token": TOKEN})
        pool = CourierPool(sealer(), EcotrackBuilder(eco))
        # EcoTrack takes its own commune names only: the synced reference data gives them
        assert await refresh_one(pool) == acc.id
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        await courier_relay(pool).run_once()
        await pool.aclose()
        [parcel] = eco.orders.values()
        assert parcel.validated  # the second step, without which the parcel stalls
        assert parcel.params["montant"] == str(order.total)
        assert parcel.params["commune"] == "Alger Centre"
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.tracking == parcel.tracking
    assert shipment.label and shipment.label.startswith(b"%PDF")
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


async def test_a_desk_order_needs_a_desk_when_the_courier_lists_them(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, delivery_type="desk")
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)

    with pytest.raises(InvalidInput, match="stopdesk_id"):
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED
    assert not await Shipment.filter(order_id=order.id).exists()

    await dispatch(shop.store, order.number, OWNER, acc.id, "163001", sealer())
    await courier_relay(pool).run_once()
    [parcel] = yalidine.parcels.values()
    assert (parcel["is_stopdesk"], parcel["stopdesk_id"]) == (1, 163001)
    with pytest.raises(IllegalTransition):  # one parcel per order, ever
        await dispatch(shop.store, order.number, OWNER, acc.id, "163001", sealer())


async def test_an_order_cancelled_before_its_parcel_is_made_gets_none(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop(stock=5)
    order = await confirmed_order(shop)
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    await cancel_order(shop.store, order.number, OWNER)

    await courier_relay(pool).run_once()
    assert yalidine.parcels == {}
    assert "dispatch_failed" in await event_types(order)
    assert (await Variant.get(id=shop.variants[0].id)).stock == 5


async def test_the_manual_courier_is_dispatched_by_typing_the_tracking(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    acc = await account(shop.store, "manual", "", {"carrier": "Guepex"})
    with pytest.raises(InvalidInput, match="tracking"):
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED


async def _refused_with(order_id: int) -> OrderEvent:
    event = await OrderEvent.filter(order_id=order_id, type="dispatch_failed").order_by("-id")
    return event[0]


async def test_ecotrack_unexpected_answer_keeps_the_order_and_a_retry_makes_one_parcel(
    db: str,
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, commune="1601")
    async with FakeEcotrack() as eco:
        acc = await account(shop.store, "ecotrack", eco.base_url, {"api_token": TOKEN})
        pool = CourierPool(sealer(), EcotrackBuilder(eco))
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        eco.odd["create/order"] = web.Response(text="<html>Maintenance en cours</html>")
        await courier_relay(pool).run_once()  # never raises out of the channel

        assert (await OutboxMessage.get(channel="courier")).status == outbox.DEAD
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.PROCESSING and order.courier == ""
        refusal = await dispatch_refusal(order)  # what the card shows
        assert refusal is not None and "unexpected" in refusal.note
        assert "Maintenance en cours" in refusal.note
        assert "Maintenance en cours" in str((await _refused_with(order.id)).data["answer"])
        assert eco.paths("get/orders") == []  # no lookup on a first try

        # The courier had in fact made the parcel (a draft carrying our reference).
        reference = f"HN{shop.store.id}-{order.number}"
        draft = eco.seed(reference, code_wilaya="16", commune="Alger Centre")
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        await courier_relay(pool).run_once()
        await pool.aclose()
        assert len(eco.paths("create/order")) == 1  # found by reference, not made again
        assert list(eco.orders) == [draft.tracking] and draft.validated
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.SHIPPED and order.tracking == draft.tracking


async def test_noest_unexpected_answer_and_an_unreadable_one_never_escape(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)  # Bordj El Kiffan
    async with FakeNoest() as noest:
        creds = noest.account()
        acc = await account(shop.store, "noest", creds.base_url, dict(creds.credentials))
        pool = CourierPool(sealer(), FakeBuilder())
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        noest.odd["create/order"] = web.json_response({"success": True, "queued": 1})
        await courier_relay(pool).run_once()
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.PROCESSING and noest.orders == {}
        refusal = await dispatch_refusal(order)
        assert refusal is not None and '{"success":true,"queued":1}' in refusal.note

        # an adapter that trips over an answer (here a KeyError) ends the same way
        adapter = await pool.courier(acc)

        async def trips(*_: object) -> None:
            raise KeyError("tracking")

        adapter.create_parcel = trips  # type: ignore[method-assign]
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        await courier_relay(pool).run_once()
        assert noest.bodies("get/orders")  # a retry after an unknown outcome looks it up
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.PROCESSING
        assert "KeyError" in (await _refused_with(order.id)).note

        # and a normal dispatch afterwards makes exactly one parcel
        await pool.aclose()
        pool = CourierPool(sealer(), FakeBuilder())
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        await courier_relay(pool).run_once()
        await pool.aclose()
        [parcel] = noest.orders.values()
        assert parcel.validated and parcel.body["commune"] == "Bordj El Kiffan"
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED
