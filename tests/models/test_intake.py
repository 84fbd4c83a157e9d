"""place_order: what gets written, what gets refused, duplicates and numbering."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from models.catalog.tables import Product
from models.customers.tables import Customer
from models.errors import Blacklisted, IdempotencyConflict, InvalidOrder
from models.infra.clock import now as outbox_now
from models.orders import intake
from models.orders.checkout import CheckoutRequest, LineRequest
from models.orders.tables import IdempotencyKey, Order, OrderEvent, OrderLine
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from tests.factories import checkout, make_shop


async def test_order_is_written_with_lines_timeline_and_outbox(db: str) -> None:
    shop = await make_shop()
    placed = await intake.place_order(shop.store, checkout(shop.variants[1].id, 2))
    order = placed.order
    assert placed.created and order.number == 1001
    assert (order.subtotal, order.delivery_fee, order.total) == (9600, 400, 10000)
    assert order.phone == "+213550123456" and order.status == "pending"
    lines = await OrderLine.filter(order_id=order.id)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in lines] == [
        (shop.variants[1].sku, 2, 4800)
    ]
    events = await OrderEvent.filter(order_id=order.id)
    assert [(e.type, e.actor_kind, e.actor_name) for e in events] == [
        ("created", "customer", "Amina Benali")
    ]
    outbox = await OutboxMessage.filter(topic="order.created")
    assert [(m.channel, m.payload["number"]) for m in outbox] == [("email", 1001)]


async def test_stock_is_not_taken_at_pending(db: str) -> None:
    shop = await make_shop(stock=1)
    await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
    await intake.place_order(shop.store, checkout(shop.variants[0].id, 1, phone="0661000000"))
    await shop.variants[0].refresh_from_db()
    assert shop.variants[0].stock == 1


BAD = [
    ({"name": ""}, "name", "required"),
    ({"name": "x" * 300}, "name", "too_long"),
    ({"phone": "12345"}, "phone", "invalid"),
    ({"phone": "021 23 45 67"}, "phone", "invalid"),
    ({"wilaya": "99"}, "wilaya", "unknown"),
    ({"commune": "9999"}, "commune", "unknown"),
    ({"commune": "3101"}, "commune", "other_wilaya"),
    ({"address": "a" * 100_000}, "address", "too_long"),
    ({"delivery_type": "drone"}, "delivery_type", "invalid"),
    ({"wilaya": "5", "commune": "0501"}, "wilaya", "not_served"),
    ({"wilaya": "31", "commune": "3101", "delivery_type": "desk"}, "delivery_type", "not_offered"),
]


@pytest.mark.parametrize(("overrides", "field", "reason"), BAD)
async def test_bad_input_is_refused_and_writes_nothing(
    db: str, overrides: dict[str, str], field: str, reason: str
) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidOrder) as info:
        await intake.place_order(shop.store, checkout(shop.variants[0].id, 1, **overrides))
    assert info.value.errors.get(field) == reason
    assert await Order.all().count() == 0 and await Customer.all().count() == 0


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "abc", None, 1.5, True])
async def test_bad_quantity(db: str, quantity: object) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidOrder) as info:
        await intake.place_order(shop.store, checkout(shop.variants[0].id, quantity))
    assert info.value.errors == {"quantity": "out_of_range"}
    assert await Order.all().count() == 0


async def test_unknown_or_foreign_variant(db: str) -> None:
    shop = await make_shop()
    other = await make_shop("other")
    for variant_id in (999_999, other.variants[0].id):
        with pytest.raises(InvalidOrder) as info:
            await intake.place_order(shop.store, checkout(variant_id, 1))
        assert info.value.errors == {"items": "unknown_variant"}
    assert await Order.all().count() == 0


async def test_blacklisted_phone_is_refused(db: str) -> None:
    shop = await make_shop()
    await Customer.create(store=shop.store, phone="+213550123456", name="X", blacklisted=True)
    with pytest.raises(Blacklisted):
        await intake.place_order(
            shop.store, checkout(shop.variants[0].id, 1, phone="+213 550 12 34 56")
        )
    assert await Order.all().count() == 0


async def test_a_blacklisting_not_yet_seen_in_memory_is_still_refused(db: str) -> None:
    """Another process blacklists the phone: this one's copy of the blacklist (the early
    refusal) does not know yet, the customer row read under the lock does; no number taken."""
    shop = await make_shop()
    first = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
    await Customer.filter(store_id=shop.store.id).update(blacklisted=True)
    with pytest.raises(Blacklisted):
        await intake.place_order(shop.store, checkout(shop.variants[0].id, 2))
    assert await Order.all().count() == 1
    assert (await Store.get(id=shop.store.id)).last_order_number == first.order.number


async def test_same_phone_same_lines_is_a_duplicate(db: str) -> None:
    shop = await make_shop()
    first = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
    again = await intake.place_order(
        shop.store, checkout(shop.variants[0].id, 1, phone="+213 550-12-34-56")
    )
    other = await intake.place_order(shop.store, checkout(shop.variants[0].id, 2))
    assert not again.created and again.order.id == first.order.id
    assert other.created and other.order.number != first.order.number
    assert await Order.all().count() == 2


async def test_idempotency_key_replays_and_conflicts(db: str) -> None:
    shop = await make_shop()
    req = checkout(shop.variants[0].id, 1)
    first = await intake.place_order(shop.store, req, idempotency=("k1", "hash-a"))
    replay = await intake.place_order(shop.store, req, idempotency=("k1", "hash-a"))
    assert replay.order.id == first.order.id and not replay.created
    with pytest.raises(IdempotencyConflict):
        await intake.place_order(
            shop.store, checkout(shop.variants[1].id, 1), idempotency=("k1", "hash-b")
        )


async def test_sku_lines_and_merging(db: str) -> None:
    shop = await make_shop()
    req = CheckoutRequest(
        name="Karim",
        phone="0770 11 22 33",
        wilaya="16",
        commune="1601",
        address="Bab El Oued",
        delivery_type="desk",
        lines=[
            LineRequest(sku=shop.variants[0].sku, quantity=1),
            LineRequest(variant_id=shop.variants[0].id, quantity="2"),
        ],
    )
    order = (await intake.place_order(shop.store, req)).order
    lines = await OrderLine.filter(order_id=order.id)
    assert [ln.quantity for ln in lines] == [3]
    assert order.delivery_fee == 250


async def test_per_phone_rate_limit(db: str) -> None:
    shop = await make_shop(stock=100)
    for qty in range(1, intake.PHONE_LIMIT_PER_HOUR + 1):
        await intake.place_order(shop.store, checkout(shop.variants[0].id, qty))
    with pytest.raises(InvalidOrder) as info:
        await intake.place_order(shop.store, checkout(shop.variants[0].id, 50))
    assert info.value.errors == {"phone": "rate_limited"}


async def test_100_concurrent_checkouts_get_unique_numbers(db: str) -> None:
    shop = await make_shop()
    other = await make_shop("other")

    async def order(i: int) -> int:
        target = shop if i % 2 else other
        phone = f"0550{i:06d}"
        return (
            await intake.place_order(target.store, checkout(target.variants[0].id, 1, phone=phone))
        ).order.number

    numbers = await asyncio.gather(*(order(i) for i in range(100)))
    per_store: dict[int, list[int]] = {}
    for i, n in enumerate(numbers):
        per_store.setdefault(i % 2, []).append(n)
    for nums in per_store.values():
        assert len(nums) == len(set(nums)) == 50
        assert min(nums) >= 1001
    assert await Order.all().count() == 100


async def test_a_key_that_matched_a_duplicate_is_not_bound_to_that_order(db: str) -> None:
    shop = await make_shop()
    req = checkout(shop.variants[0].id, 1)
    first = await intake.place_order(shop.store, req)
    keyed = await intake.place_order(shop.store, req, idempotency=("K1", "h"))
    assert keyed.order.id == first.order.id and not keyed.created and not keyed.replayed
    assert not await IdempotencyKey.exists()
    again = await intake.place_order(shop.store, req, idempotency=("K1", "h"))
    assert again.order.id == first.order.id and not again.replayed  # still only a duplicate
    await Order.all().update(created_at=outbox_now() - timedelta(hours=2))
    later = await intake.place_order(shop.store, req, idempotency=("K1", "h"))
    assert later.created and later.order.number == first.order.number + 1
    replay = await intake.place_order(shop.store, req, idempotency=("K1", "h"))
    assert replay.order.id == later.order.id and replay.replayed and not replay.created
    assert await Order.all().count() == 2


async def test_a_replay_returns_its_order_even_when_the_product_is_gone(db: str) -> None:
    shop = await make_shop()
    req = checkout(shop.variants[0].id, 1)
    first = await intake.place_order(shop.store, req, idempotency=("K2", "h"))
    await Product.all().update(active=False)
    replay = await intake.place_order(shop.store, req, idempotency=("K2", "h"))
    assert replay.order.id == first.order.id and not replay.created


async def test_numbers_are_taken_only_by_orders_created(db: str) -> None:
    shop = await make_shop(stock=100)
    req = checkout(shop.variants[0].id, 1)
    first = await intake.place_order(shop.store, req, idempotency=("K1", "h"))
    await intake.place_order(shop.store, req, idempotency=("K1", "h"))  # a replay
    await intake.place_order(shop.store, req, idempotency=("K2", "h"))  # a duplicate
    await intake.place_order(shop.store, req)  # a duplicate without a key
    for qty in range(2, intake.PHONE_LIMIT_PER_HOUR + 1):
        await intake.place_order(shop.store, checkout(shop.variants[0].id, qty))
    with pytest.raises(InvalidOrder):  # past the phone's limit
        await intake.place_order(shop.store, checkout(shop.variants[0].id, 50))
    newcomer = checkout(shop.variants[0].id, 1, phone="0661000000")
    other = await intake.place_order(shop.store, newcomer)
    numbers = await Order.all().order_by("number").values_list("number", flat=True)
    assert numbers == list(range(1001, 1001 + intake.PHONE_LIMIT_PER_HOUR + 1))
    assert first.order.number == 1001 and other.order.number == numbers[-1]
    assert (await Store.get(id=shop.store.id)).last_order_number == numbers[-1]


async def test_concurrent_replays_and_duplicates_leave_no_gap(db: str) -> None:
    shop = await make_shop(stock=100)

    async def attempt(i: int) -> intake.PlacedOrder:
        phone = f"0661{i % 4:06d}"  # four customers, each sending many times
        key = (f"K{i % 8}", f"h{i % 4}") if i % 3 else None  # some replays, some new keys
        return await intake.place_order(
            shop.store, checkout(shop.variants[0].id, 1, phone=phone), idempotency=key
        )

    placed = await asyncio.gather(*(attempt(i) for i in range(48)), return_exceptions=True)
    assert not [p for p in placed if isinstance(p, BaseException)]
    numbers = sorted(await Order.all().values_list("number", flat=True))
    assert numbers == [1001, 1002, 1003, 1004]
    assert (await Store.get(id=shop.store.id)).last_order_number == 1004
    assert sum(p.created for p in placed if isinstance(p, intake.PlacedOrder)) == 4
