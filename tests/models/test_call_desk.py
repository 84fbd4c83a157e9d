"""The call desk's domain rules on a real database: cancellations keep who, when and why;
no-answers schedule the next call and the policy waits for its span; duplicates are the
customer's own orders; the stop desk's name is kept with the parcel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.calls import outcomes
from models.customers.tables import Customer
from models.errors import IllegalTransition
from models.infra.clock import now
from models.orders import duplicates, intake, transitions
from models.orders.cancellation import Cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.shipping import parcels
from models.shipping.tables import CourierAccount, Shipment
from models.stores.tables import Store
from tests.factories import Shop, checkout, make_shop

YACINE = Actor("agent", "2002", "Yacine")


async def place(shop: Shop, quantity: int = 1, phone: str = "0550123456") -> Order:
    placed = await intake.place_order(
        shop.store, checkout(shop.variants[0].id, quantity, phone=phone)
    )
    return placed.order


async def test_a_cancellation_keeps_who_when_and_why(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, YACINE)
    done = await transitions.cancel_order(
        shop.store, order.number, YACINE, cancel=Cancellation("price", "trop cher")
    )
    fresh = await Order.get(id=order.id)
    assert (fresh.cancel_reason, fresh.cancel_note, fresh.cancelled_by) == (
        "price",
        "trop cher",
        "Yacine (agent)",
    )
    assert fresh.cancelled_at is not None and now() - fresh.cancelled_at < timedelta(minutes=1)
    assert done.stock_committed is False  # the stock came back as before
    event = await OrderEvent.get(order_id=order.id, to_status="cancelled")
    assert (event.data["reason"], event.note) == ("price", "trop cher")
    assert not (await Customer.get(id=order.customer_id)).blacklisted


async def test_cancelling_as_fake_blocks_the_number_whatever_the_status(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, YACINE)
    await transitions.cancel_order(shop.store, order.number, YACINE, cancel=Cancellation("fake"))
    customer = await Customer.get(id=order.customer_id)
    assert customer.blacklisted and customer.blacklisted_by == "Yacine (agent)"


async def test_other_status_changes_leave_the_cancellation_empty(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    confirmed = await transitions.transition_order(
        shop.store, order.number, OrderStatus.CONFIRMED, YACINE
    )
    assert (confirmed.cancel_reason, confirmed.cancelled_at) == ("", None)
    with pytest.raises(IllegalTransition):
        await transitions.transition_order(shop.store, order.number, OrderStatus.PENDING, YACINE)


async def test_no_answers_call_back_by_the_plan_and_cancel_only_over_the_span(db: str) -> None:
    shop = await make_shop()
    await Store.filter(id=shop.store.id).update(no_answer_limit=3, no_answer_min_hours=24)
    store = await Store.get(id=shop.store.id)
    order = await place(shop)
    first = await outcomes.log_call(store, order.number, "no_answer", YACINE)
    assert first.first_no_answer_at is not None and first.callback_at is not None
    assert timedelta(minutes=59) < first.callback_at - now() <= timedelta(hours=1)
    second = await outcomes.log_call(store, order.number, "no_answer", YACINE)
    # The third call may be the last: it waits until the first no-answer is a day old.
    assert second.callback_at == first.first_no_answer_at + timedelta(hours=24)
    third = await outcomes.log_call(store, order.number, "no_answer", YACINE)
    assert third.status == "pending" and third.no_answers == 3  # too soon to give up
    await Order.filter(id=order.id).update(first_no_answer_at=now() - timedelta(hours=25))
    fourth = await outcomes.log_call(store, order.number, "no_answer", YACINE)
    assert (fourth.status, fourth.cancel_reason, fourth.cancelled_by) == (
        "cancelled",
        "unreachable",
        "Hanout",
    )
    assert (await Order.get(id=order.id)).callback_at is None


@pytest.mark.parametrize("outcome", ["busy", "unreachable"])
async def test_a_busy_or_unreachable_phone_is_called_back_at_the_first_step(
    db: str, outcome: str
) -> None:
    shop = await make_shop()
    await Store.filter(id=shop.store.id).update(callback_plan="2h,10:00")
    store = await Store.get(id=shop.store.id)
    order = await place(shop)
    wrong = await place(shop, phone="0661223344")
    busy = await outcomes.log_call(store, order.number, outcome, YACINE)
    assert busy.callback_at is not None
    assert timedelta(minutes=119) < busy.callback_at - now() <= timedelta(hours=2)
    assert busy.no_answers == 0  # not a no-answer for the policy
    assert (
        await outcomes.log_call(store, wrong.number, "wrong_number", YACINE)
    ).callback_at is None
    confirmed = await outcomes.log_call(store, order.number, "confirmed", YACINE)
    assert confirmed.callback_at is None


async def test_other_orders_of_the_customer_are_found_not_guessed(db: str) -> None:
    shop = await make_shop()
    first = await place(shop)
    second = await place(shop, quantity=2)
    stranger = await place(shop, phone="0661223344")
    done = await place(shop, quantity=3)
    await transitions.transition_order(shop.store, done.number, OrderStatus.CONFIRMED, YACINE)
    await transitions.cancel_order(shop.store, done.number, YACINE, cancel=Cancellation("delay"))
    assert await duplicates.also_open(second) == [first.number]
    assert await duplicates.also_open(stranger) == []
    found = [o.number for o in await duplicates.duplicate_candidates(second)]
    assert found == [first.number, done.number]  # open first, then the others


async def test_the_stop_desk_s_name_is_kept_with_the_parcel(db: str) -> None:
    shop = await make_shop()
    placed = await intake.place_order(
        shop.store, checkout(shop.variants[0].id, 1, delivery_type="desk")
    )
    await transitions.transition_order(
        shop.store, placed.order.number, OrderStatus.CONFIRMED, YACINE
    )
    account = await CourierAccount.create(
        store=shop.store,
        courier="yalidine",
        reference={"desks": [{"id": "163001", "name": "Agence Bab Ezzouar", "wilaya": 16}]},
    )
    await parcels.request_dispatch(
        shop.store, placed.order.number, YACINE, account.id, "163001", desk_required=True
    )
    shipment = await Shipment.get(order_id=placed.order.id)
    assert (shipment.stopdesk_id, shipment.stopdesk_name) == ("163001", "Agence Bab Ezzouar")
