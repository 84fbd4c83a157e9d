"""Store settings: each change reaches the row and the rules that read it; a value outside
its rule is refused and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.calls import outcomes
from models.errors import InvalidInput
from models.infra.clock import now
from models.orders import intake
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.stores import settings
from models.stores.tables import Store
from tests.factories import checkout, make_shop

AGENT = Actor("agent", "2002", "Yacine")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lang", "en"),
        ("lang", "ar"),
        ("no_answer_limit", 0),
        ("no_answer_limit", 10),
        ("claim_minutes", 5),
        ("claim_minutes", 240),
        ("silent_notifications", True),
        ("roster_mode", True),
    ],
)
async def test_a_valid_value_is_stored(db: str, field: str, value: object) -> None:
    shop = await make_shop()
    returned = await settings.change_setting(shop.store, field, value)
    assert getattr(returned, field) == value
    assert getattr(await Store.get(id=shop.store.id), field) == value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lang", "de"),
        ("lang", ""),
        ("no_answer_limit", -1),
        ("no_answer_limit", 11),
        ("no_answer_limit", "3"),
        ("no_answer_limit", True),  # a bool is an int to Python, not a count of calls
        ("claim_minutes", 4),
        ("claim_minutes", 241),
        ("claim_minutes", 20.5),
        ("silent_notifications", 1),
        ("roster_mode", "on"),
        ("name", "Autre"),  # not a setting an owner changes here
        ("last_order_number", 1),
    ],
)
async def test_a_bad_value_changes_nothing(db: str, field: str, value: object) -> None:
    shop = await make_shop()
    before = (await Store.filter(id=shop.store.id).values())[0]
    with pytest.raises(InvalidInput):
        await settings.change_setting(shop.store, field, value)
    assert (await Store.filter(id=shop.store.id).values())[0] == before
    if hasattr(shop.store, field):
        assert getattr(shop.store, field) == before[field]


async def test_no_answer_policy_cancels_at_the_chosen_count(db: str) -> None:
    shop = await make_shop()
    await settings.set_no_answer_limit(shop.store, 2)
    await settings.set_no_answer_min_hours(shop.store, 0)
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    number = placed.order.number
    store = await Store.get(id=shop.store.id)
    first = await outcomes.log_call(store, number, "no_answer", AGENT)
    assert first.status == "pending"
    second = await outcomes.log_call(store, number, "no_answer", AGENT)
    assert second.status == "cancelled"
    assert (await Order.get(id=placed.order.id)).status == "cancelled"


async def test_policy_off_never_cancels_for_no_answers(db: str) -> None:
    shop = await make_shop()
    await settings.set_no_answer_limit(shop.store, 3)
    await settings.set_no_answer_limit(shop.store, 0)
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    store = await Store.get(id=shop.store.id)
    for _ in range(6):
        order = await outcomes.log_call(store, placed.order.number, "no_answer", AGENT)
    assert order.status == "pending" and order.no_answers == 6


async def test_claim_lasts_the_chosen_minutes(db: str) -> None:
    shop = await make_shop()
    await settings.set_claim_minutes(shop.store, 60)
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    store = await Store.get(id=shop.store.id)
    before = now()
    order = await outcomes.claim_order(store, placed.order.number, AGENT)
    assert order.claim_expires_at is not None
    left = order.claim_expires_at - before
    assert timedelta(minutes=59) < left <= timedelta(minutes=60, seconds=5)
