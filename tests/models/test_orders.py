"""Status changes: stock, timeline, outbox, and compare-and-set under concurrency."""

from __future__ import annotations

import asyncio

import pytest

from models.catalog import products
from models.catalog.tables import Variant
from models.errors import ConcurrentChange, IllegalTransition, InsufficientStock, NotFound
from models.orders import intake, transitions
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.outbox.routes import Route
from models.outbox.tables import OutboxMessage
from tests.factories import Shop, checkout, make_shop
from tests.wiring import WireOutbox

OWNER = Actor("owner", "42", "Nadia")


async def _order(shop: Shop, qty: int = 1, variant: int = 0, phone: str = "0550123456") -> int:
    placed = await intake.place_order(
        shop.store, checkout(shop.variants[variant].id, qty, phone=phone)
    )
    return placed.order.number


async def _stock(variant: Variant) -> int:
    return (await Variant.get(id=variant.id)).stock


async def test_confirm_commits_stock_and_cancel_restores_it(db: str) -> None:
    shop = await make_shop(stock=5)
    number = await _order(shop, 2)
    before = (await Order.get(store_id=shop.store.id, number=number)).updated_at
    order = await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
    assert order.status == OrderStatus.CONFIRMED and order.stock_committed
    assert (await Order.get(id=order.id)).updated_at > before
    assert await _stock(shop.variants[0]) == 3
    await transitions.cancel_order(shop.store, number, OWNER, note="client injoignable")
    assert await _stock(shop.variants[0]) == 5
    events = await OrderEvent.filter(order__number=number).order_by("id")
    assert [(e.type, e.from_status, e.to_status, e.actor_name) for e in events] == [
        ("created", None, "pending", "Amina Benali"),
        ("status_changed", "pending", "confirmed", "Nadia"),
        ("status_changed", "confirmed", "cancelled", "Nadia"),
    ]
    assert events[-1].note == "client injoignable"


async def test_cancel_before_confirm_does_not_touch_stock(db: str) -> None:
    shop = await make_shop(stock=5)
    number = await _order(shop, 2)
    await transitions.cancel_order(shop.store, number, OWNER)
    assert await _stock(shop.variants[0]) == 5


async def test_return_restores_stock_once(db: str) -> None:
    shop = await make_shop(stock=5)
    number = await _order(shop, 2)
    for target in ("confirmed", "processing", "shipped", "delivered", "returned"):
        await transitions.transition_order(shop.store, number, OrderStatus(target), OWNER)
    assert await _stock(shop.variants[0]) == 5
    with pytest.raises(IllegalTransition):
        await transitions.cancel_order(shop.store, number, OWNER)
    assert await _stock(shop.variants[0]) == 5


async def test_every_change_writes_an_outbox_row_per_topic(db: str) -> None:
    shop = await make_shop()
    number = await _order(shop)
    await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
    # Only order.created goes to email today; the other channels of the routing table want
    # no order topic here (no bot token, no webhook endpoint).
    topics = await OutboxMessage.all().values_list("topic", flat=True)
    assert topics == ["order.created"]


async def test_insufficient_stock_names_the_short_variants_and_changes_nothing(db: str) -> None:
    shop = await make_shop(stock=1)
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 2))
    with pytest.raises(InsufficientStock) as info:
        await transitions.transition_order(
            shop.store, placed.order.number, OrderStatus.CONFIRMED, OWNER
        )
    [short] = info.value.shortages
    assert (short.sku, short.wanted, short.available) == (shop.variants[0].sku, 2, 1)
    assert "Taille: M" in short.label
    order = await Order.get(id=placed.order.id)
    assert order.status == OrderStatus.PENDING and order.version == 1
    assert await _stock(shop.variants[0]) == 1
    assert await OrderEvent.filter(order_id=order.id).count() == 1


async def test_another_stores_order_is_not_found(db: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    number = await _order(shop)
    with pytest.raises(NotFound):
        await transitions.transition_order(other.store, number + 1000, OrderStatus.CONFIRMED, OWNER)
    with pytest.raises(NotFound):
        await transitions.transition_order(other.store, number, OrderStatus.CONFIRMED, OWNER)


async def test_stale_version_is_a_conflict_naming_who_acted(db: str) -> None:
    shop = await make_shop()
    number = await _order(shop)
    await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
    with pytest.raises(ConcurrentChange) as info:
        await transitions.transition_order(
            shop.store,
            number,
            OrderStatus.CANCELLED,
            Actor("agent", "7", "Yacine"),
            expected_version=1,
        )
    assert info.value.actor_name == "Nadia" and info.value.status == "confirmed"


async def test_50_concurrent_confirmations_one_wins(db: str) -> None:
    shop = await make_shop(stock=10)
    number = await _order(shop, 3)

    async def press(i: int) -> str:
        try:
            await transitions.transition_order(
                shop.store, number, OrderStatus.CONFIRMED, Actor("agent", str(i), f"agent{i}")
            )
        except (ConcurrentChange, IllegalTransition) as exc:
            return exc.code
        return "won"

    results = await asyncio.gather(*(press(i) for i in range(50)))
    assert results.count("won") == 1
    assert await _stock(shop.variants[0]) == 7
    confirmations = await OrderEvent.filter(type="status_changed").count()
    assert confirmations == 1


async def test_competing_orders_never_drive_stock_negative(db: str) -> None:
    shop = await make_shop(stock=5)
    numbers = [await _order(shop, 2, phone=f"0661{i:06d}") for i in range(8)]

    async def confirm(number: int) -> bool:
        try:
            await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
        except InsufficientStock:
            return False
        return True

    won = await asyncio.gather(*(confirm(n) for n in numbers))
    assert sum(won) == 2
    assert await _stock(shop.variants[0]) == 1
    assert await Order.filter(status="confirmed").count() == 2


async def test_outbox_rows_commit_with_the_change_or_not_at_all(
    db: str, wire_outbox: WireOutbox
) -> None:
    wire_outbox(Route("audit", ("*",)))
    shop = await make_shop(stock=1)
    number = await _order(shop, 1)
    short = await _order(shop, 2, phone="0661000001")
    await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
    with pytest.raises(InsufficientStock):
        await transitions.transition_order(shop.store, short, OrderStatus.CONFIRMED, OWNER)
    rows = await OutboxMessage.filter(channel="audit").order_by("id")
    assert [(m.topic, m.payload["number"]) for m in rows] == [
        ("order.created", number),
        ("order.created", short),
        ("order.confirmed", number),
    ]
    assert rows[-1].payload["from_status"] == "pending"


async def test_variant_options_keep_the_merchants_order_on_every_database(db: str) -> None:
    shop = await make_shop()
    product = await products.add_product(
        shop.store, "Djellaba", 5200, [products.VariantSpec({"Taille": "M", "Couleur": "Rouge"})]
    )
    variant = await Variant.get(product_id=product.id)
    assert variant.label() == "Taille: M / Couleur: Rouge"
    assert list(variant.option_map()) == ["Taille", "Couleur"]
