"""Customers: the risk rule on every branch, the history counted from the orders, the
blacklist (added, lifted, refused at checkout), and one store never seeing another's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.calls import outcomes
from models.customers import registry
from models.customers.registry import CustomerFilter, History, Risk, risk_of
from models.customers.tables import Customer
from models.errors import Blacklisted, InvalidInput, NotFound
from models.infra.clock import now
from models.orders import intake, transitions
from models.orders.cancellation import Cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.shipping import geography
from models.stores import cache
from models.team.tables import CardMessage, TelegramChat
from tests.factories import Shop, checkout, make_shop

NADIA = Actor("owner", "1001", "Nadia")
YACINE = Actor("agent", "2002", "Yacine")
PHONE = "+213550123456"
ROAD = [OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED]


# --- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "blacklisted", "mark"),
    [
        (History(orders=5, delivered=5), True, Risk.BLACKLISTED),
        (History(), True, Risk.BLACKLISTED),
        (History(orders=6, delivered=5, cancelled=1, fake=1), False, Risk.RISKY),
        (History(orders=2, delivered=1, returned=1), False, Risk.RISKY),
        (History(orders=1, returned=1), False, Risk.RISKY),
        (History(orders=5, delivered=2, returned=3), False, Risk.RISKY),
        (History(orders=3, delivered=2, returned=1), False, Risk.WATCH),
        (History(orders=4, delivered=3, cancelled=1, unanswered=1), False, Risk.WATCH),
        (History(orders=1, cancelled=1, unanswered=1), False, Risk.WATCH),
        (History(orders=2, delivered=2), False, Risk.TRUSTED),
        (History(orders=4, delivered=3, open=1), False, Risk.TRUSTED),
        (History(orders=3, delivered=2, cancelled=1), False, Risk.TRUSTED),
        (History(orders=1, delivered=1), False, Risk.KNOWN),
        (History(), False, Risk.NEW),
        (History(orders=2, open=2), False, Risk.NEW),
        (History(orders=1, cancelled=1), False, Risk.NEW),
    ],
)
def test_the_risk_rule_takes_the_first_branch_that_matches(
    history: History, blacklisted: bool, mark: Risk
) -> None:
    assert risk_of(history, blacklisted) is mark


# --- history -----------------------------------------------------------------------------


async def order_for(
    shop: Shop, fate: str, phone: str = PHONE, days_ago: int = 0, quantity: int = 1
) -> Order:
    """An order of `phone` that ended as `fate`, placed `days_ago` (older orders stay out
    of the per-phone hourly limit and the duplicate window)."""
    request = checkout(shop.variants[0].id, quantity, phone=phone)
    order = (await intake.place_order(shop.store, request)).order
    if fate in ("fake", "customer_cancelled", "no_answer"):
        if fate == "no_answer":
            await outcomes.log_call(shop.store, order.number, "no_answer", YACINE)
            await transitions.cancel_order(shop.store, order.number, NADIA)
        else:
            await outcomes.log_call(shop.store, order.number, fate, YACINE)
    elif fate != "pending":
        for status in [*ROAD, OrderStatus.DELIVERED, OrderStatus.RETURNED]:
            await transitions.transition_order(shop.store, order.number, status, NADIA)
            if status == fate:
                break
    await Order.filter(id=order.id).update(created_at=now() - timedelta(days=days_ago))
    return await Order.get(id=order.id)


async def test_the_history_counts_every_fate_and_the_delivered_amounts(db: str) -> None:
    shop = await make_shop(stock=50)
    # The fake comes last: it blacklists the phone, so no order could follow it.
    fates = ["delivered", "delivered", "returned", "no_answer", "pending", "shipped", "fake"]
    made = [await order_for(shop, fate, days_ago=10 - i) for i, fate in enumerate(fates)]
    await order_for(shop, "delivered", phone="0661 00 00 01")  # someone else
    view = await registry.get_customer(shop.store, "0550 12 34 56")
    history = view.history
    assert (history.orders, history.open, history.delivered, history.returned) == (7, 2, 2, 1)
    assert (history.cancelled, history.fake, history.unanswered) == (2, 1, 1)
    assert history.delivered_amount == made[0].total + made[1].total
    assert history.first_order_at is not None and history.last_order_at is not None
    assert abs(history.first_order_at - made[0].created_at) < timedelta(seconds=1)
    assert abs(history.last_order_at - made[-1].created_at) < timedelta(seconds=1)
    assert view.customer.blacklisted and view.risk is Risk.BLACKLISTED  # the fake did it


async def test_a_card_counts_the_other_orders_of_the_phone_only(db: str) -> None:
    shop = await make_shop(stock=50)
    first = await order_for(shop, "pending", days_ago=1)
    assert await registry.standing_of(first) == registry.Standing(History(), Risk.NEW)
    await order_for(shop, "delivered", days_ago=30)
    await order_for(shop, "delivered", days_ago=20)
    current = await order_for(shop, "pending")
    standing = await registry.standing_of(current)
    history = standing.history
    assert (history.orders, history.delivered, history.open) == (3, 2, 1)
    assert standing.risk is Risk.TRUSTED and standing.blacklist_reason == ""


async def test_a_fake_order_shows_the_blacklist_on_its_own_card(db: str) -> None:
    shop = await make_shop()
    order = await order_for(shop, "fake")
    standing = await registry.standing_of(order)
    assert standing.history.orders == 0  # its own order is not history
    assert standing.risk is Risk.BLACKLISTED
    assert standing.blacklist_reason == f"fake order #{order.number}"


async def test_the_fake_outcome_says_who_blacklisted_and_when(db: str) -> None:
    shop = await make_shop()
    order = await order_for(shop, "fake")
    customer = await Customer.get(id=order.customer_id)
    assert customer.blacklisted_by == "Yacine (agent)"
    assert customer.blacklisted_at is not None
    assert now() - customer.blacklisted_at < timedelta(minutes=1)


BATNA = geography.communes_of(5)[0].ons_code  # wilaya 5: not in make_shop's fee table


async def _cancel_by_call(shop: Shop, number: int) -> None:
    await outcomes.log_call(shop.store, number, "fake", YACINE)


async def _cancel_by_card(shop: Shop, number: int) -> None:
    await transitions.cancel_order(shop.store, number, YACINE, cancel=Cancellation("fake"))


@pytest.mark.parametrize("cancel_as_fake", [_cancel_by_call, _cancel_by_card])
async def test_cancelling_as_fake_either_way_blacklists_and_the_storefront_refuses_at_once(
    db: str, monkeypatch: pytest.MonkeyPatch, cancel_as_fake: Any
) -> None:
    monkeypatch.setattr(cache, "clock", lambda: 1000.0)  # nothing kept grows old here
    shop = await make_shop()
    first = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    await intake.place_order(shop.store, checkout(shop.variants[0].id, phone="0661000001"))
    await cancel_as_fake(shop, first.order.number)

    customer = await Customer.get(id=first.order.customer_id)
    assert customer.blacklisted
    assert customer.blacklist_reason == f"fake order #{first.order.number}"
    assert customer.blacklisted_by == "Yacine (agent)"
    # A wilaya the store does not serve: only the early refusal, from the blacklist kept in
    # memory, answers Blacklisted (past it, the fee check would refuse the wilaya).
    unserved = checkout(shop.variants[0].id, wilaya="5", commune=BATNA)
    with pytest.raises(Blacklisted):
        await intake.place_order(shop.store, unserved)
    assert await Order.all().count() == 2


# --- blacklist ---------------------------------------------------------------------------


async def test_a_phone_never_seen_can_be_blacklisted_and_is_refused_at_checkout(
    db: str,
) -> None:
    shop = await make_shop()
    view = await registry.blacklist_phone(shop.store, "00213 661 22 33 44", "insults", "Nadia")
    assert view.customer.phone == "+213661223344"
    assert (view.customer.blacklist_reason, view.customer.blacklisted_by) == ("insults", "Nadia")
    assert view.customer.blacklisted_at is not None and view.risk is Risk.BLACKLISTED
    assert view.history.orders == 0
    with pytest.raises(Blacklisted):
        await intake.place_order(shop.store, checkout(shop.variants[0].id, phone="0661223344"))
    assert await Order.all().count() == 0


async def test_lifting_the_blacklist_of_a_phone_that_never_ordered_forgets_it(db: str) -> None:
    shop = await make_shop()
    await registry.blacklist_phone(shop.store, "0661223344", "", "Nadia")
    assert await registry.unblacklist_phone(shop.store, "+213661223344", "Nadia")
    with pytest.raises(NotFound):
        await registry.get_customer(shop.store, "0661223344")
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, phone="0661223344"))
    assert placed.created


async def test_lifting_the_blacklist_of_a_customer_keeps_their_history(db: str) -> None:
    shop = await make_shop()
    await order_for(shop, "fake", days_ago=3)
    assert await registry.unblacklist_phone(shop.store, PHONE, "Nadia")
    assert not await registry.unblacklist_phone(shop.store, PHONE, "Nadia")  # already off
    view = await registry.get_customer(shop.store, PHONE)
    assert not view.customer.blacklisted and view.customer.blacklisted_by == ""
    assert view.history.fake == 1 and view.risk is Risk.RISKY
    assert (await intake.place_order(shop.store, checkout(shop.variants[0].id))).created


async def test_blacklisting_twice_keeps_who_and_when_and_replaces_the_reason(db: str) -> None:
    shop = await make_shop()
    first = await registry.blacklist_phone(shop.store, PHONE, "fake", "Nadia (owner)")
    again = await registry.blacklist_phone(shop.store, PHONE, "fake twice", "API")
    kept = await registry.blacklist_phone(shop.store, PHONE, "  ", "API")
    assert again.customer.blacklisted_by == "Nadia (owner)"
    assert again.customer.blacklisted_at == first.customer.blacklisted_at
    assert again.customer.blacklist_reason == kept.customer.blacklist_reason == "fake twice"
    assert await Customer.filter(phone=PHONE).count() == 1


@pytest.mark.parametrize("phone", ["", "abc", "+33 6 12 34 56 78", "0550 12 34"])
async def test_a_bad_phone_is_a_clear_error(db: str, phone: str) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidInput, match="phone: not an Algerian phone number"):
        await registry.blacklist_phone(shop.store, phone, "x", "Nadia")
    with pytest.raises(InvalidInput):
        await registry.get_customer(shop.store, phone)
    assert await Customer.all().count() == 0


async def test_a_reason_too_long_is_refused_and_nothing_is_written(db: str) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidInput, match="reason"):
        await registry.blacklist_phone(shop.store, PHONE, "x" * 201, "Nadia")
    assert await Customer.all().count() == 0


async def test_blacklisting_refreshes_the_cards_of_the_phone_open_orders(db: str) -> None:
    shop = await make_shop()
    order = await order_for(shop, "pending")
    chat = await TelegramChat.create(store=shop.store, chat_id=5, kind="private")
    card = await CardMessage.create(
        order=order, chat=chat, message_id=9, wanted_version=order.version, dirty=False
    )
    await registry.blacklist_phone(shop.store, PHONE, "fake", "Nadia")
    assert (await CardMessage.get(id=card.id)).dirty


# --- lists and stores --------------------------------------------------------------------


async def test_pages_follow_the_cursor_newest_first_without_repeats(db: str) -> None:
    shop = await make_shop(stock=50)
    for i in range(5):
        await order_for(shop, "delivered", phone=f"0661 00 00 0{i}")
    seen: list[str] = []
    before = None
    while True:
        page = await registry.customers_page(shop.store, CustomerFilter(), before, 2)
        seen += [v.customer.phone for v in page.items]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [f"+21366100000{i}" for i in reversed(range(5))]


async def test_filters_combine_and_risk_is_matched_across_batches(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "SCAN_BATCH", 2)
    shop = await make_shop(stock=50)
    await order_for(shop, "returned", phone="0661000001", days_ago=40)
    for i in range(2, 6):
        await order_for(shop, "pending", phone=f"066100000{i}")
    await order_for(shop, "returned", phone="0661000006")
    await registry.blacklist_phone(shop.store, "0661000007", "x", "Nadia")

    async def phones(where: CustomerFilter, limit: int = 10) -> list[str]:
        page = await registry.customers_page(shop.store, where, None, limit)
        return [v.customer.phone[-1] for v in page.items]

    assert await phones(CustomerFilter(risk=Risk.RISKY)) == ["6", "1"]
    assert await phones(CustomerFilter(risk=Risk.BLACKLISTED)) == ["7"]
    assert await phones(CustomerFilter(blacklisted=True)) == ["7"]
    assert await phones(CustomerFilter(blacklisted=True, risk=Risk.RISKY)) == []
    assert await phones(CustomerFilter(risk=Risk.NEW), limit=3) == ["5", "4", "3"]
    assert await phones(CustomerFilter(phone="+213661000004")) == ["4"]
    recent = CustomerFilter(risk=Risk.RISKY, since=now() - timedelta(days=1))
    assert await phones(recent) == ["6"]
    first = await registry.customers_page(shop.store, CustomerFilter(risk=Risk.RISKY), None, 1)
    rest = await registry.customers_page(
        shop.store, CustomerFilter(risk=Risk.RISKY), first.next_before, 1
    )
    assert [v.customer.phone[-1] for v in first.items + rest.items] == ["6", "1"]


async def test_a_page_reads_its_histories_in_one_query(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop(stock=50)
    for i in range(4):
        await order_for(shop, "delivered", phone=f"0661 00 00 0{i}")
    asked: list[int] = []
    grouped = registry.histories

    async def counting(store: object, phones: list[str]) -> dict[str, History]:
        asked.append(len(phones))
        return await grouped(store, phones)  # type: ignore[arg-type]

    monkeypatch.setattr(registry, "histories", counting)
    page = await registry.customers_page(shop.store, CustomerFilter(), None, 10)
    assert asked == [4] and all(v.history.delivered == 1 for v in page.items)


async def test_another_store_never_sees_nor_changes_a_customer(db: str) -> None:
    a, b = await make_shop("shop-a"), await make_shop("shop-b")
    await order_for(a, "delivered")
    await registry.blacklist_phone(a.store, "0661223344", "x", "Nadia")
    with pytest.raises(NotFound):
        await registry.get_customer(b.store, PHONE)
    with pytest.raises(NotFound):
        await registry.unblacklist_phone(b.store, "0661223344", "Other")
    assert (await registry.customers_page(b.store, CustomerFilter(), None, 10)).items == []
    assert (await registry.list_blacklisted(b.store))[0] == []
    await registry.blacklist_phone(b.store, PHONE, "y", "Other")
    assert (await registry.get_customer(a.store, PHONE)).risk is Risk.KNOWN
    order_b = await order_for(b, "pending", phone="0661223344")
    assert (await registry.standing_of(order_b)).risk is Risk.NEW


async def test_the_blacklist_pages_by_cursor(db: str) -> None:
    shop = await make_shop()
    for i in range(5):
        await registry.blacklist_phone(shop.store, f"066100000{i}", f"r{i}", "Nadia")
    first, after = await registry.list_blacklisted(shop.store, limit=3)
    rest, end = await registry.list_blacklisted(shop.store, after, limit=3)
    assert [c.blacklist_reason for c in first + rest] == ["r4", "r3", "r2", "r1", "r0"]
    assert after is not None and end is None
