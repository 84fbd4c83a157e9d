"""Calls on pending orders: outcomes, the no-answer policy, claims and callbacks, and what
happens when two people act at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from models.calls import outcomes
from models.calls.tables import CallAttempt
from models.catalog.tables import Variant
from models.customers.tables import Customer
from models.errors import (
    ClaimedByOther,
    ConcurrentChange,
    IllegalTransition,
    InvalidInput,
    NotFound,
    OtherCustomersOrder,
)
from models.infra.clock import now
from models.orders import intake
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.stores.tables import Store
from tests.factories import Shop, checkout, make_shop

YACINE = Actor("agent", "2002", "Yacine")
SARA = Actor("agent", "3003", "Sara")
NADIA = Actor("owner", "1001", "Nadia")


async def place(shop: Shop, quantity: int = 2, phone: str = "0550123456") -> Order:
    placed = await intake.place_order(
        shop.store, checkout(shop.variants[0].id, quantity, phone=phone)
    )
    return placed.order


async def test_two_confirmations_at_once_confirm_once_and_name_the_winner(db: str) -> None:
    shop = await make_shop(stock=5)
    order = await place(shop)

    async def confirm(actor: Actor) -> Order | ConcurrentChange:
        try:  # both pressed the same card version, as two people on two cards do
            return await outcomes.log_call(
                shop.store, order.number, "confirmed", actor, expected_version=order.version
            )
        except ConcurrentChange as exc:
            return exc

    results = await asyncio.gather(confirm(YACINE), confirm(SARA))
    lost = [r for r in results if isinstance(r, ConcurrentChange)]
    assert len(lost) == 1
    won = await OrderEvent.get(order_id=order.id, type="status_changed")
    assert lost[0].actor_name == won.actor_name and lost[0].status == "confirmed"
    assert (await Variant.get(id=shop.variants[0].id)).stock == 3
    assert await CallAttempt.filter(order_id=order.id).count() == 1


async def test_many_confirmations_without_a_version_still_confirm_once(db: str) -> None:
    shop = await make_shop(stock=5)
    order = await place(shop)

    async def confirm(i: int) -> bool:
        try:
            await outcomes.log_call(
                shop.store, order.number, "confirmed", Actor("api", str(i), "x")
            )
        except (ConcurrentChange, IllegalTransition):
            return False
        return True

    assert sum(await asyncio.gather(*(confirm(i) for i in range(10)))) == 1
    assert (await Variant.get(id=shop.variants[0].id)).stock == 3
    assert await OrderEvent.filter(order_id=order.id, type="status_changed").count() == 1


async def test_an_outdated_version_is_refused_with_who_acted(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    await outcomes.log_call(shop.store, order.number, "busy", YACINE)
    with pytest.raises(ConcurrentChange) as refused:
        await outcomes.log_call(
            shop.store, order.number, "confirmed", SARA, expected_version=order.version
        )
    assert refused.value.actor_name == "Yacine"
    assert (await Order.get(id=order.id)).status == "pending"


async def test_postponing_needs_a_future_time_and_brings_the_order_back_once(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    with pytest.raises(InvalidInput):
        await outcomes.log_call(shop.store, order.number, "postponed", YACINE)
    with pytest.raises(InvalidInput):
        past = now() - timedelta(minutes=1)
        await outcomes.log_call(shop.store, order.number, "postponed", YACINE, callback_at=past)
    later = now() + timedelta(hours=1)
    await outcomes.log_call(shop.store, order.number, "postponed", YACINE, callback_at=later)
    assert (await Order.get(id=order.id)).callback_at == later
    assert await outcomes.bring_back_callbacks() == 0  # not yet

    await Order.filter(id=order.id).update(callback_at=now() - timedelta(seconds=1))
    assert await outcomes.bring_back_callbacks() == 1
    fresh = await Order.get(id=order.id)
    assert fresh.callback_at is None and fresh.status == "pending"
    due = await OrderEvent.get(order_id=order.id, type="callback_due")
    assert due.actor_kind == "system"
    assert await outcomes.bring_back_callbacks() == 0


async def test_a_callback_of_a_cancelled_order_never_comes_back(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    later = now() + timedelta(hours=1)
    await outcomes.log_call(shop.store, order.number, "postponed", YACINE, callback_at=later)
    await outcomes.log_call(shop.store, order.number, "customer_cancelled", YACINE)
    await Order.filter(id=order.id).update(callback_at=now() - timedelta(seconds=1))
    assert await outcomes.bring_back_callbacks() == 0


@pytest.mark.parametrize("limit", [1, 3])
async def test_the_no_answer_policy_cancels_at_the_limit(db: str, limit: int) -> None:
    shop = await make_shop()
    # No minimum span here: the span has its own tests (tests/models/test_call_desk.py).
    await Store.filter(id=shop.store.id).update(no_answer_limit=limit, no_answer_min_hours=0)
    store = await Store.get(id=shop.store.id)
    order = await place(shop)
    for _attempt in range(limit - 1):
        assert (
            await outcomes.log_call(store, order.number, "no_answer", YACINE)
        ).status == "pending"
    last = await outcomes.log_call(store, order.number, "no_answer", YACINE)
    assert (last.status, last.no_answers) == ("cancelled", limit)
    cancel = await OrderEvent.get(order_id=order.id, type="status_changed")
    assert cancel.actor_kind == "system"
    assert cancel.data == {
        "outcome": "no_answer_limit",
        "no_answers": limit,
        "reason": "unreachable",
    }
    assert (last.cancel_reason, last.cancelled_by) == ("unreachable", "Hanout")


async def test_without_a_policy_no_answers_never_cancel(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    for _attempt in range(5):
        await outcomes.log_call(shop.store, order.number, "no_answer", YACINE)
    assert (await Order.get(id=order.id)).status == "pending"


async def test_a_claim_keeps_other_agents_off_until_released_or_expired(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    await outcomes.claim_order(shop.store, order.number, YACINE)
    for act in (
        outcomes.claim_order(shop.store, order.number, SARA),
        outcomes.release_order(shop.store, order.number, SARA),
        outcomes.log_call(shop.store, order.number, "no_answer", SARA),
    ):
        with pytest.raises(ClaimedByOther) as refused:
            await act
        assert refused.value.name == "Yacine"
    again = await outcomes.claim_order(shop.store, order.number, YACINE)  # extends, still Yacine
    assert again.claimed_by_name == "Yacine"
    await outcomes.log_call(shop.store, order.number, "busy", NADIA)  # an owner may step in
    fresh = await Order.get(id=order.id)
    assert fresh.claimed_by_id == "" and fresh.call_attempts == 1


async def test_claims_expire_and_only_the_expired_ones(db: str) -> None:
    shop = await make_shop()
    first, second = await place(shop), await place(shop, phone="0661223344")
    await outcomes.claim_order(shop.store, first.number, YACINE)
    await outcomes.claim_order(shop.store, second.number, SARA)
    await Order.filter(id=first.id).update(claim_expires_at=now() - timedelta(seconds=1))
    assert await outcomes.expire_claims() == 1
    assert (await Order.get(id=first.id)).claimed_by_id == ""
    assert (await Order.get(id=second.id)).claimed_by_name == "Sara"
    await outcomes.claim_order(shop.store, first.number, SARA)  # free for anyone now
    assert await outcomes.expire_claims() == 0


async def test_a_claim_left_on_an_ended_order_is_not_touched(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    await outcomes.claim_order(shop.store, order.number, YACINE)
    await Order.filter(id=order.id).update(
        status="cancelled", claim_expires_at=now() - timedelta(seconds=1)
    )
    assert await outcomes.expire_claims() == 0


async def test_a_duplicate_links_the_kept_order_and_cancels(db: str) -> None:
    shop = await make_shop()
    kept, twin = await place(shop), await place(shop, phone="0661223344")
    with pytest.raises(InvalidInput):
        await outcomes.log_call(shop.store, twin.number, "duplicate", YACINE)
    with pytest.raises(InvalidInput):
        await outcomes.log_call(
            shop.store, twin.number, "duplicate", YACINE, duplicate_of=twin.number
        )
    with pytest.raises(NotFound):
        await outcomes.log_call(shop.store, twin.number, "duplicate", YACINE, duplicate_of=99999)
    # Another customer's order is linked only on purpose.
    with pytest.raises(OtherCustomersOrder):
        await outcomes.log_call(
            shop.store, twin.number, "duplicate", YACINE, duplicate_of=kept.number
        )
    done = await outcomes.log_call(
        shop.store, twin.number, "duplicate", YACINE, duplicate_of=kept.number, other_customer=True
    )
    assert (done.status, done.duplicate_of) == ("cancelled", kept.number)
    assert (done.cancel_reason, done.cancelled_by) == ("duplicate", "Yacine (agent)")
    assert (await Order.get(id=kept.id)).status == "pending"


async def test_a_duplicate_of_the_same_customer_needs_no_override(db: str) -> None:
    shop = await make_shop()
    kept, again = await place(shop), await place(shop, quantity=1)
    done = await outcomes.log_call(
        shop.store, again.number, "duplicate", YACINE, duplicate_of=kept.number
    )
    assert (done.status, done.duplicate_of, done.cancel_reason) == (
        "cancelled",
        kept.number,
        "duplicate",
    )


async def test_fake_cancels_and_blacklists_the_phone(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    done = await outcomes.log_call(shop.store, order.number, "fake", YACINE)
    assert done.status == "cancelled"
    assert (await Customer.get(id=order.customer_id)).blacklisted
