"""Shipping use cases on the database: the desk rule of request_dispatch, courier accounts
with sealed credentials, commune matching, parcel status application, and the poll claims
two workers share."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from tortoise import connections

from models.errors import InvalidInput, NotFound
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import get_order, transition_order
from models.outbox import relay
from models.outbox.routes import MissingRoute, Route
from models.outbox.tables import OutboxMessage
from models.shipping import accounts, polls
from models.shipping.accounts import CourierPlace, map_communes
from models.shipping.manual import dispatch_order
from models.shipping.parcels import apply_parcel_status, request_dispatch
from models.shipping.tables import CourierAccount, Shipment
from tests.factories import Shop, checkout, make_shop

OWNER = Actor("owner", "1", "Samira")
SEALER = Sealer("models-test-secret")
TOKEN = "5MKfvcyQtO3eouL6tDv0VDFhUT8Sc7w5"


async def confirmed(shop: Shop, phone: str = "0550 12 34 56", **fields: object) -> Order:
    placed = await place_order(shop.store, checkout(shop.variants[0].id, 1, phone=phone, **fields))
    return await transition_order(shop.store, placed.order.number, OrderStatus.CONFIRMED, OWNER)


async def yalidine_account(shop: Shop) -> CourierAccount:
    return await accounts.add_account(
        shop.store, "yalidine", {"api_id": "9498", "api_token": TOKEN}, SEALER
    )


# --- the desk rule ------------------------------------------------------------------------


async def test_a_desk_order_without_desk_is_refused_when_the_courier_lists_desks(db: str) -> None:
    shop = await make_shop()
    await yalidine_account(shop)
    order = await confirmed(shop, delivery_type="desk")
    with pytest.raises(InvalidInput, match="stopdesk_id"):
        await request_dispatch(shop.store, order.number, OWNER, desk_required=True)
    assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED
    assert not await Shipment.exists() and not await OutboxMessage.filter(channel="courier")


async def test_a_courier_that_picks_the_desk_takes_the_order_without_one(db: str) -> None:
    shop = await make_shop()
    await yalidine_account(shop)
    order = await confirmed(shop, delivery_type="desk")
    order = await request_dispatch(shop.store, order.number, OWNER, desk_required=False)
    assert order.status is OrderStatus.PROCESSING
    shipment = await Shipment.get(order_id=order.id)
    assert (shipment.state, shipment.stopdesk_id, shipment.cod_amount) == (
        "requested",
        "",
        order.total,
    )
    row = await OutboxMessage.get(channel="courier")
    assert (row.topic, row.payload["order_id"]) == ("parcel.create", order.id)


async def test_a_routing_table_without_a_courier_channel_is_refused_at_start(db: str) -> None:
    # A dispatch whose parcel row nobody writes would stall: the table is refused when the
    # process builds it, so no dispatch ever runs without the courier channel.
    with pytest.raises(MissingRoute, match=r"parcel\.create"):
        relay.routes().without("courier")
    only_some_stores = Route("courier", ("parcel.*",), when=lambda store: store.id == 1)
    with pytest.raises(MissingRoute, match=r"parcel\.create"):
        relay.routes().replacing(only_some_stores)
    shop = await make_shop()
    await yalidine_account(shop)
    order = await confirmed(shop)
    await request_dispatch(shop.store, order.number, OWNER, desk_required=True)
    row = await OutboxMessage.get(channel="courier")
    assert (row.topic, row.payload["order_id"]) == ("parcel.create", order.id)


# --- accounts -----------------------------------------------------------------------------


async def test_credentials_are_sealed_and_the_first_account_is_the_default(db: str) -> None:
    shop = await make_shop()
    first = await yalidine_account(shop)
    second = await accounts.add_account(
        shop.store,
        "noest",
        {"api_token": "n-tok", "user_guid": "g"},
        SEALER,
        base_url="https://x.dz/api",
    )
    rows = await connections.get("default").execute_query_dict(
        "SELECT * FROM courier_account WHERE id = $1"
        if connections.get("default").capabilities.dialect == "postgres"
        else "SELECT * FROM courier_account WHERE id = ?",
        [first.id],
    )
    assert TOKEN not in str(rows[0]) and "9498" not in str(rows[0])
    assert accounts.credentials_of(first, SEALER) == {"api_id": "9498", "api_token": TOKEN}
    assert (first.is_default, second.is_default, second.base_url) == (
        True,
        False,
        "https://x.dz/api/",
    )
    assert (await accounts.get_account(shop.store)).id == first.id

    await accounts.set_default(shop.store, second.id)
    assert [a.id for a in await accounts.list_accounts(shop.store)] == [second.id, first.id]
    assert (await accounts.get_account(shop.store)).id == second.id


@pytest.mark.parametrize(
    ("credentials", "base_url", "message"),
    [
        ({"API ID": "x"}, "", "credential"),
        ({"api_id": "  "}, "", "credential api_id"),
        ({"api_id": "x"}, "ftp://courier.dz", "base_url"),
        ({"api_id": "x"}, "not a url", "base_url"),
    ],
)
async def test_bad_account_input_is_refused_and_nothing_kept(
    db: str, credentials: dict[str, str], base_url: str, message: str
) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidInput, match=message):
        await accounts.add_account(shop.store, "yalidine", credentials, SEALER, base_url=base_url)
    assert not await CourierAccount.exists()


async def test_another_store_s_account_is_not_found(db: str) -> None:
    shop, other = await make_shop("one"), await make_shop("two")
    account = await yalidine_account(other)
    with pytest.raises(NotFound):
        await accounts.get_account(shop.store, account.id)


async def test_only_one_worker_refreshes_an_account_s_reference(db: str) -> None:
    shop = await make_shop()
    account = await yalidine_account(shop)
    claims = await asyncio.gather(*(accounts.claim_reference_refresh() for _ in range(4)))
    assert [c.id for c in claims if c is not None] == [account.id]
    await accounts.save_reference(account.id, {"wilayas": {"16": "Alger"}})
    assert await accounts.claim_reference_refresh() is None


# --- communes -----------------------------------------------------------------------------


def test_courier_communes_match_ours_within_the_wilaya() -> None:
    places = [
        CourierPlace("Alger Centre", "1601", True),
        CourierPlace("AIN BENIAN", "x1"),
        CourierPlace("Beni-Messous", "x2"),
        CourierPlace("El Marsa", "x3"),
        CourierPlace("Haraoua", "x4"),  # our Heraoua, by its alias
        CourierPlace("Zone Militaire", "x5"),
    ]
    mapped, unmatched = map_communes(16, places)
    assert mapped["1601"] == {"name": "Alger Centre", "id": "1601", "desk": True}
    assert mapped["1644"]["name"] == "AIN BENIAN" and mapped["1632"]["id"] == "x2"
    assert mapped["1640"]["id"] == "x3"  # Alger's El Marsa, not Chlef's nor Skikda's
    assert mapped["1641"]["name"] == "Haraoua"
    assert unmatched == ["Zone Militaire"]
    assert "0223" not in mapped and "2138" not in mapped


# --- statuses -----------------------------------------------------------------------------


async def shipped(shop: Shop, tracking: str, phone: str = "0550 12 34 56") -> Order:
    order = await confirmed(shop, phone=phone)
    return await dispatch_order(shop.store, order.number, OWNER, tracking, courier="yalidine")


async def test_an_older_status_never_overwrites_a_newer_one(db: str) -> None:
    shop = await make_shop()
    order = await shipped(shop, "yal-1")
    shipment = await Shipment.get(order_id=order.id)
    t = datetime(2026, 11, 26, 10, 0, tzinfo=clock.now().tzinfo)
    assert await apply_parcel_status(shipment.id, "delivered", "Livré", at=t)
    assert not await apply_parcel_status(
        shipment.id, "out_for_delivery", "Sorti", at=t - timedelta(hours=1)
    )
    assert not await apply_parcel_status(shipment.id, "delivered", "Livré", at=t)  # a resend
    shipment = await Shipment.get(order_id=order.id)
    assert (shipment.status, shipment.next_poll_at) == ("delivered", None)
    assert await OrderEvent.filter(order_id=order.id, type="parcel_status").count() == 1
    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED


# --- poll claims --------------------------------------------------------------------------


async def due_parcels(shop: Shop, count: int) -> list[int]:
    account = await yalidine_account(shop)
    ids = []
    for n in range(count):
        order = await shipped(shop, f"yal-{n}", phone=f"0550 12 34 {n:02d}")
        await Shipment.filter(order_id=order.id).update(
            account_id=account.id, next_poll_at=clock.now() - timedelta(seconds=1)
        )
        ids.append((await Shipment.get(order_id=order.id)).id)
    return ids


async def test_concurrent_claims_share_the_due_parcels_without_overlap(db: str) -> None:
    shop = await make_shop(stock=50)
    ids = await due_parcels(shop, 12)
    claims = await asyncio.gather(*(polls.claim_due(f"w{i}", 5) for i in range(4)))
    taken = [s.id for claim in claims for s in claim]
    assert sorted(taken) == sorted(ids)  # 4 × 5 ≥ 12: all of them, each once
    assert await polls.claim_due("late", 50) == []  # held for this cycle


async def test_a_claim_ends_at_release_or_when_its_lease_runs_out(db: str) -> None:
    shop = await make_shop()
    ids = await due_parcels(shop, 2)
    first = await polls.claim_due("w1")
    await polls.release("w1", [first[0].id])
    assert [s.id for s in await polls.claim_due("w2")] == [first[0].id]
    await Shipment.filter(id=first[1].id).update(
        poll_locked_until=clock.now() - timedelta(seconds=1)
    )
    assert [s.id for s in await polls.claim_due("w3")] == [first[1].id]
    await Shipment.filter(id__in=ids).update(status="delivered", poll_locked_until=None)
    assert await polls.claim_due("w4") == []  # final parcels are never polled
