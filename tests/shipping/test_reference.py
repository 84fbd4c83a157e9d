"""Reference data synced from the courier onto the account: its wilayas, its communes
matched to ours, its desks (which the desk picker offers and dispatch checks) and fees."""

from __future__ import annotations

import pytest

from models.errors import InvalidInput
from models.shipping.tables import CourierAccount, Shipment
from shipping.dispatch import desks_for_order, dispatch
from shipping.pool import CourierPool
from shipping.reference import refresh_one
from tests.couriers.fake_procolis import FakeProcolis
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import make_shop
from tests.shipping.support import (
    OWNER,
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    sealer,
)


async def test_yalidine_reference_is_matched_to_our_communes(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    pool = CourierPool(sealer(), FakeBuilder(yalidine))
    assert await refresh_one(pool) == acc.id
    assert await refresh_one(pool) is None  # fresh for a week
    await pool.aclose()

    reference = (await CourierAccount.get(id=acc.id)).reference
    assert reference["wilayas"]["16"] == "Alger" and "33" not in reference["wilayas"]
    assert reference["communes"]["1601"] == {"name": "Alger Centre", "id": "1601", "desk": True}
    assert reference["communes"]["1640"]["name"] == "El Marsa"  # Alger's, not Skikda's 2138
    assert reference["communes"]["2138"]["name"] == "El Marsa"
    names = {entry["name"] for entry in reference["communes"].values()}
    assert {"Aïn Arnat", "Beni Fouda", "Bordj El Kiffan"} <= names
    assert reference["unmatched"] == []  # "Zone Militaire" is not served, hence not listed
    assert {"id": "163001", "wilaya": 16}.items() <= next(
        d for d in reference["desks"] if d["id"] == "163001"
    ).items()
    assert reference["fees"]["16"] == [550, 400]
    assert reference["errors"] == {}


async def test_the_desk_picker_offers_the_synced_desks_and_dispatch_checks_them(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    pool = CourierPool(sealer(), FakeBuilder(yalidine))
    await refresh_one(pool)
    await pool.aclose()
    order = await confirmed_order(shop, delivery_type="desk")

    desks = await desks_for_order(shop.store, order.number, acc.id, sealer())
    assert [d.id for d in desks] == ["163001", "160101"]  # the customer's commune first
    with pytest.raises(InvalidInput, match="not a yalidine desk"):
        await dispatch(shop.store, order.number, OWNER, acc.id, "190201", sealer())
    assert not await Shipment.exists()
    await dispatch(shop.store, order.number, OWNER, acc.id, "163001", sealer())
    assert (await Shipment.get(order_id=order.id)).stopdesk_id == "163001"


async def test_a_part_the_courier_lacks_is_noted_and_the_rest_kept(db: str) -> None:
    shop = await make_shop()
    async with FakeProcolis() as procolis:
        creds = procolis.account()
        acc = await account(shop.store, "procolis", creds.base_url, dict(creds.credentials))
        pool = CourierPool(sealer(), FakeBuilder())
        await refresh_one(pool)
        await pool.aclose()
    reference = (await CourierAccount.get(id=acc.id)).reference
    assert reference["wilayas"]["31"] == "Oran"
    assert reference["fees"]["16"] == [400, 250]
    assert set(reference["errors"]) == {"communes", "desks"}  # free-text communes, no desk list
