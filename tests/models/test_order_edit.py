"""Editing an order on the call: lines with stock, the place and the fee, prices set by the
owner, the customer's fields, and the compare-and-set on the order's version."""

from __future__ import annotations

import asyncio

import pytest

from models.catalog import products
from models.catalog.tables import Variant
from models.errors import (
    ConcurrentChange,
    IllegalTransition,
    InsufficientStock,
    InvalidOrder,
    NotAllowed,
)
from models.orders import intake, transitions
from models.orders.edit import edit_order
from models.orders.edit_plan import LineEdit, OrderEdit
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import Actor
from tests.factories import Shop, checkout, make_shop

OWNER = Actor("owner", "42", "Nadia")
AGENT = Actor("agent", "7", "Yacine")


async def _order(shop: Shop, qty: int = 1, variant: int = 0, **fields: object) -> Order:
    placed = await intake.place_order(
        shop.store, checkout(shop.variants[variant].id, qty, **fields)
    )
    return placed.order


async def _stock(variant: Variant) -> int:
    return (await Variant.get(id=variant.id)).stock


async def _confirmed(shop: Shop, qty: int = 1) -> Order:
    order = await _order(shop, qty)
    return await transitions.transition_order(
        shop.store, order.number, OrderStatus.CONFIRMED, OWNER
    )


async def test_changing_the_variant_and_delivery_type_of_a_confirmed_order(db: str) -> None:
    shop = await make_shop(stock=5)
    order = await _confirmed(shop, 2)
    assert (await _stock(shop.variants[0]), await _stock(shop.variants[1])) == (3, 5)
    edit = OrderEdit(lines=(LineEdit(shop.variants[1].id, 2),), delivery_type="desk")
    result = await edit_order(shop.store, order.number, edit, AGENT, order.version)
    # The M units go back, the L units are taken, once.
    assert (await _stock(shop.variants[0]), await _stock(shop.variants[1])) == (5, 3)
    fresh = await Order.get(id=order.id)
    assert fresh.version == order.version + 1 and fresh.status is OrderStatus.CONFIRMED
    assert (fresh.delivery_type, fresh.delivery_fee) == ("desk", 250)
    assert (fresh.subtotal, fresh.total) == (9600, 9850)
    lines = await OrderLine.filter(order_id=order.id)
    assert [(ln.variant_id, ln.quantity, ln.unit_price) for ln in lines] == [
        (shop.variants[1].id, 2, 4800)
    ]
    event = await OrderEvent.filter(order_id=order.id, type="edited").get()
    changes = event.data["changes"]
    assert changes["delivery_type"] == {"before": "home", "after": "desk"}
    assert changes["delivery_fee"] == {"before": 400, "after": 250}
    assert changes["total"] == {"before": 9400, "after": 9850}
    assert [ln["variant_id"] for ln in changes["lines"]["before"]] == [shop.variants[0].id]
    assert changes["lines"]["after"][0]["label"] == "Robe kabyle (Taille: L)"
    assert (event.actor_kind, event.actor_name) == ("agent", "Yacine")
    assert set(result.changes) == set(changes) and result.warning is None


async def test_short_stock_names_the_variant_and_changes_nothing(db: str) -> None:
    shop = await make_shop(stock=3)
    order = await _confirmed(shop, 1)
    edit = OrderEdit(lines=(LineEdit(shop.variants[0].id, 1), LineEdit(shop.variants[1].id, 4)))
    with pytest.raises(InsufficientStock) as refused:
        await edit_order(shop.store, order.number, edit, AGENT, order.version)
    [short] = refused.value.shortages
    assert (short.variant_id, short.label, short.wanted, short.available) == (
        shop.variants[1].id,
        "Robe kabyle (Taille: L)",
        4,
        3,
    )
    assert (await _stock(shop.variants[0]), await _stock(shop.variants[1])) == (2, 3)
    assert (await Order.get(id=order.id)).version == order.version
    assert await OrderLine.filter(order_id=order.id).count() == 1
    assert not await OrderEvent.filter(type="edited").exists()


async def test_a_pending_order_changes_lines_without_touching_stock(db: str) -> None:
    shop = await make_shop(stock=2)
    order = await _order(shop, 1)
    # More than the stock: a pending order reserves nothing yet (confirming will check).
    edit = OrderEdit(lines=(LineEdit(shop.variants[0].id, 5),))
    await edit_order(shop.store, order.number, edit, AGENT, order.version)
    assert await _stock(shop.variants[0]) == 2
    assert (await Order.get(id=order.id)).subtotal == 5 * 4500


async def test_a_stale_version_is_refused_and_names_who_acted(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, OWNER)
    with pytest.raises(ConcurrentChange) as stale:
        await edit_order(shop.store, order.number, OrderEdit(name="Amina B."), AGENT, 1)
    assert stale.value.actor_name == "Nadia"
    assert (await Order.get(id=order.id)).name == "Amina Benali"


async def test_two_edits_of_the_same_version_one_wins(db: str) -> None:
    shop = await make_shop(stock=10)
    order = await _confirmed(shop, 1)

    async def edit(qty: int) -> str:
        change = OrderEdit(lines=(LineEdit(shop.variants[1].id, qty),))
        try:
            await edit_order(shop.store, order.number, change, AGENT, order.version)
        except ConcurrentChange as exc:
            return exc.code
        return "won"

    results = await asyncio.gather(*(edit(q) for q in (1, 2, 3, 4, 5, 6)))
    assert results.count("won") == 1 and results.count("conflict") == 5
    [line] = await OrderLine.filter(order_id=order.id)
    # Stock moved for the winner only.
    assert await _stock(shop.variants[0]) == 10
    assert await _stock(shop.variants[1]) == 10 - line.quantity
    assert await OrderEvent.filter(type="edited").count() == 1


async def test_the_place_follows_the_fee_table(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    edit = OrderEdit(wilaya="31", commune="3101", delivery_type="home")
    await edit_order(shop.store, order.number, edit, AGENT, order.version)
    fresh = await Order.get(id=order.id)
    assert (fresh.wilaya_code, fresh.commune_code, fresh.delivery_fee) == (31, "3101", 600)
    assert fresh.total == 4500 + 600
    # Oran has no stop desk in this store; a wilaya without the commune is refused too.
    for bad, field in (
        (OrderEdit(delivery_type="desk"), "delivery_type"),
        (OrderEdit(wilaya="16"), "commune"),
        (OrderEdit(wilaya="16", commune="3101"), "commune"),
        (OrderEdit(wilaya="5", commune="0501"), "wilaya"),
    ):
        with pytest.raises(InvalidOrder) as refused:
            await edit_order(shop.store, order.number, bad, AGENT, fresh.version)
        assert field in refused.value.errors


async def test_only_an_owner_sets_the_fee_or_a_discount_and_says_why(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    with pytest.raises(NotAllowed):
        await edit_order(shop.store, order.number, OrderEdit(discount=500), AGENT, order.version)
    with pytest.raises(InvalidOrder) as refused:
        await edit_order(shop.store, order.number, OrderEdit(discount=500), OWNER, order.version)
    assert refused.value.errors == {"price_reason": "required"}
    edit = OrderEdit(delivery_fee=0, discount=500, price_reason="client fidèle")
    await edit_order(shop.store, order.number, edit, OWNER, order.version)
    fresh = await Order.get(id=order.id)
    assert (fresh.delivery_fee, fresh.discount, fresh.total) == (0, 500, 4000)
    event = await OrderEvent.filter(type="edited").get()
    assert event.note == "client fidèle"
    too_much = OrderEdit(discount=4501, price_reason="x")
    with pytest.raises(InvalidOrder) as refused:
        await edit_order(shop.store, order.number, too_much, OWNER, fresh.version)
    assert refused.value.errors == {"discount": "out_of_range"}


async def test_customer_fields_and_the_call_note(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    edit = OrderEdit(
        name="  Amina   Benali-Haddad ",
        phone2="٠٦٦١ ٢٢ ٣٣ ٤٤",
        address="Cité 5 juillet, bloc B",
        call_note="Rappeler après 17h",
    )
    result = await edit_order(shop.store, order.number, edit, AGENT, order.version)
    fresh = await Order.get(id=order.id)
    assert (fresh.name, fresh.phone2) == ("Amina Benali-Haddad", "+213661223344")
    assert (fresh.address, fresh.call_note) == ("Cité 5 juillet, bloc B", "Rappeler après 17h")
    assert result.changes["phone2"] == {"before": "", "after": "+213661223344"}
    for bad, field in (
        (OrderEdit(phone2="12"), "phone2"),
        (OrderEdit(phone2="0550 12 34 56"), "phone2"),
        (OrderEdit(name="A"), "name"),
        (OrderEdit(lines=()), "lines"),
        (OrderEdit(lines=(LineEdit(shop.variants[0].id, 0),)), "quantity"),
        (OrderEdit(lines=(LineEdit(999999, 1),)), "lines"),
    ):
        with pytest.raises(InvalidOrder) as refused:
            await edit_order(shop.store, order.number, bad, AGENT, fresh.version)
        assert field in refused.value.errors
    # The second phone can be removed again.
    await edit_order(shop.store, order.number, OrderEdit(phone2=""), AGENT, fresh.version)
    assert (await Order.get(id=order.id)).phone2 == ""


async def test_a_hidden_product_cannot_be_added_but_stays_on_its_order(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    product = await products.add_product(
        shop.store, "Foulard", 900, [products.VariantSpec({}, None, 4)]
    )
    scarf = await Variant.get(product_id=product.id)
    await products.set_product_active(shop.store, product.id, False)
    edit = OrderEdit(lines=(LineEdit(shop.variants[0].id, 1), LineEdit(scarf.id, 1)))
    with pytest.raises(InvalidOrder):
        await edit_order(shop.store, order.number, edit, AGENT, order.version)
    await products.set_product_active(shop.store, product.id, True)
    await edit_order(shop.store, order.number, edit, AGENT, order.version)
    await products.set_product_active(shop.store, product.id, False)
    fresh = await Order.get(id=order.id)
    again = OrderEdit(lines=(LineEdit(scarf.id, 2),))
    await edit_order(shop.store, order.number, again, AGENT, fresh.version)
    assert (await Order.get(id=order.id)).subtotal == 1800


async def test_statuses_that_cannot_be_edited(db: str) -> None:
    shop = await make_shop()
    order = await _confirmed(shop)
    processing = await transitions.transition_order(
        shop.store, order.number, OrderStatus.PROCESSING, OWNER
    )
    result = await edit_order(
        shop.store, order.number, OrderEdit(address="Rue 2, Kouba"), AGENT, processing.version
    )
    assert result.warning == "processing"
    shipped = await transitions.transition_order(
        shop.store, order.number, OrderStatus.SHIPPED, OWNER
    )
    with pytest.raises(IllegalTransition):
        await edit_order(
            shop.store, order.number, OrderEdit(address="Rue 3"), AGENT, shipped.version
        )


async def test_an_edit_that_changes_nothing_writes_nothing(db: str) -> None:
    shop = await make_shop()
    order = await _order(shop)
    same = OrderEdit(name="Amina Benali", lines=(LineEdit(shop.variants[0].id, 1),))
    result = await edit_order(shop.store, order.number, same, AGENT, order.version)
    assert result.changes == {}
    assert (await Order.get(id=order.id)).version == order.version
    assert not await OrderEvent.filter(type="edited").exists()
