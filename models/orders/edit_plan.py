"""Planning an edit of an order made on the call (models.orders.edit applies it): what the
edit asks (`OrderEdit`), checked against the order and its lines, and what it would change
(`EditPlan`: the columns, the new lines, the stock to move, the before/after of each field).
Reads the catalogue and the fee table; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.catalog.tables import Variant
from models.customers.phones import InvalidPhone, parse_phone
from models.errors import IllegalTransition, InvalidOrder, NotAllowed
from models.orders import lifecycle
from models.orders.checkout import (
    MAX_ADDRESS,
    MAX_LINES,
    MAX_NAME,
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    fingerprint,
)
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderLine
from models.orders.timeline import Actor
from models.shipping import geography
from models.shipping.fees import DELIVERY_TYPES
from models.shipping.tables import DeliveryFee
from models.stores.tables import Store

# Orders are edited until their parcel leaves (the lifecycle table says which those are).
EDITABLE = frozenset(s for s in OrderStatus if lifecycle.before_shipping(s))
# Editing a processing order is allowed, but the parcel being packed must be changed too.
WARNING_PROCESSING = "processing"
MAX_CALL_NOTE, MAX_REASON, MAX_FEE = 500, 200, 100_000
# Who may set the fee by hand or give a discount: the owner, and the store's API key.
PRICE_SETTERS = frozenset({"owner", "api"})


@dataclass(frozen=True, slots=True)
class LineEdit:
    variant_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderEdit:
    """What to change; None keeps a field. `lines` is the whole new list of lines;
    `phone2=""` removes the second phone. `delivery_fee` and `discount` need
    `price_reason`."""

    lines: tuple[LineEdit, ...] | None = None
    name: str | None = None
    phone2: str | None = None
    wilaya: str | int | None = None
    commune: str | None = None
    address: str | None = None
    delivery_type: str | None = None
    delivery_fee: int | None = None
    discount: int | None = None
    price_reason: str = ""
    call_note: str | None = None


@dataclass(frozen=True, slots=True)
class NewLine:
    variant_id: int
    product_name: str
    variant_label: str
    sku: str
    unit_price: int
    quantity: int

    def as_dict(self) -> dict[str, Any]:
        label = f"{self.product_name} ({self.variant_label})" if self.variant_label else ""
        return {
            "variant_id": self.variant_id,
            "sku": self.sku,
            "label": label or self.product_name,
            "unit_price": self.unit_price,
            "quantity": self.quantity,
        }


@dataclass(slots=True)
class EditPlan:
    """What an edit does to an order: the columns to set, the new lines (None: unchanged),
    the stock to take (+) or give back (-) per variant, and the before/after of each
    changed field."""

    columns: dict[str, Any] = field(default_factory=dict)
    lines: list[NewLine] | None = None
    stock: dict[int, int] = field(default_factory=dict)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    warning: str | None = None


def clean_text(text: str) -> str:
    """Whitespace collapsed, control characters dropped."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _text(value: str | None, key: str, lo: int, hi: int, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    text = clean_text(value)
    if len(text) < lo:
        errors[key] = "required" if not text else "too_short"
    elif len(text) > hi:
        errors[key] = "too_long"
    return text


def require_editable(order: Order) -> str | None:
    """IllegalTransition unless the order may be edited; the warning for a processing one.
    A processing order whose parcel a courier is creating is no longer editable."""
    if order.status not in EDITABLE or (order.status is OrderStatus.PROCESSING and order.courier):
        raise IllegalTransition(order.status.value, "edit")
    return WARNING_PROCESSING if order.status is OrderStatus.PROCESSING else None


def _line_of(line: OrderLine) -> NewLine:
    return NewLine(
        line.variant_id,
        line.product_name,
        line.variant_label,
        line.sku,
        line.unit_price,
        line.quantity,
    )


def _merged(wanted: tuple[LineEdit, ...], errors: dict[str, str]) -> dict[int, int]:
    if not wanted:
        errors["lines"] = "empty"
    elif len(wanted) > MAX_LINES:
        errors["lines"] = "too_many"
    merged: dict[int, int] = {}
    for line in wanted:
        quantity = merged.get(line.variant_id, 0) + line.quantity
        if not 1 <= line.quantity <= MAX_QUANTITY or quantity > MAX_QUANTITY:
            errors["quantity"] = "out_of_range"
        merged[line.variant_id] = quantity
    return merged


async def _new_lines(
    store: Store,
    current: list[OrderLine],
    wanted: tuple[LineEdit, ...],
    errors: dict[str, str],
    conn: BaseDBAsyncClient | None,
) -> list[NewLine]:
    """The new lines in the order asked; a variant already ordered keeps its price, a new
    one must be on sale and takes today's price."""
    merged = _merged(wanted, errors)
    kept = {line.variant_id: _line_of(line) for line in current}
    query = Variant.filter(store_id=store.id, id__in=[v for v in merged if v not in kept] or [0])
    query = query.filter(active=True, product__active=True).select_related("product")
    found = {v.id: v for v in await (query.using_db(conn) if conn else query)}
    lines: list[NewLine] = []
    for variant_id, quantity in merged.items():
        if variant_id in kept:
            lines.append(replace(kept[variant_id], quantity=quantity))
        elif (v := found.get(variant_id)) is not None:
            lines.append(NewLine(v.id, v.product.name, v.label(), v.sku, v.price, quantity))
        else:
            errors["lines"] = "unknown_variant"
    return lines


def _stock_moves(current: list[OrderLine], lines: list[NewLine]) -> dict[int, int]:
    """Per variant, units to take (+) or give back (-) when committed lines change."""
    delta: dict[int, int] = {}
    for old in current:
        delta[old.variant_id] = delta.get(old.variant_id, 0) - old.quantity
    for new in lines:
        delta[new.variant_id] = delta.get(new.variant_id, 0) + new.quantity
    return {variant: units for variant, units in sorted(delta.items()) if units}


def _place(
    store: Store, order: Order, edit: OrderEdit, errors: dict[str, str]
) -> tuple[geography.Wilaya | None, geography.Commune | None]:
    """The wilaya and commune after the edit (None, None when neither changes)."""
    if edit.wilaya is None and edit.commune is None:
        return None, None
    code = order.wilaya_code
    if edit.wilaya is not None:
        code = geography.parse_wilaya_code(edit.wilaya) or 0
    wilaya = geography.get_wilaya(code)
    if wilaya is None:
        errors["wilaya"] = "unknown"
        return None, None
    if store.allowed_wilayas and wilaya.code not in store.allowed_wilayas:
        errors["wilaya"] = "not_served"
    commune = geography.get_commune(edit.commune or order.commune_code)
    if commune is None:
        errors["commune"] = "required" if not (edit.commune or "").strip() else "unknown"
    elif commune.wilaya_code != wilaya.code:
        errors["commune"] = "other_wilaya" if edit.commune else "required"
        commune = None
    return wilaya, commune


async def _table_fee(
    store: Store, wilaya: int, delivery_type: str, conn: BaseDBAsyncClient | None
) -> tuple[int | None, str]:
    """The store's fee for a wilaya and type, or None with the reason it has none."""
    query = DeliveryFee.filter(store_id=store.id, wilaya_code=wilaya)
    row = await (query.using_db(conn) if conn else query).first()
    if row is None:
        return None, "not_served"
    fee = row.home_fee if delivery_type == "home" else row.desk_fee
    return fee, "not_offered"


def _amount(value: int | None, key: str, hi: int, errors: dict[str, str]) -> int | None:
    if value is not None and not 0 <= value <= hi:
        errors[key] = "out_of_range"
        return None
    return value


def _changed(plan: EditPlan, key: str, before: Any, after: Any, column: str = "") -> None:
    if after is None or after == before:
        return
    plan.changes[key] = {"before": before, "after": after}
    if column:
        plan.columns[column] = after


def _customer(plan: EditPlan, order: Order, edit: OrderEdit, errors: dict[str, str]) -> None:
    name = _text(edit.name, "name", 2, MAX_NAME, errors)
    address = _text(edit.address, "address", 3, MAX_ADDRESS, errors)
    note = _text(edit.call_note, "call_note", 0, MAX_CALL_NOTE, errors)
    phone2 = None
    if edit.phone2 is not None and edit.phone2.strip():
        try:
            phone2 = parse_phone(edit.phone2).e164
        except InvalidPhone:
            errors["phone2"] = "invalid"
        if phone2 == order.phone:
            errors["phone2"] = "same_as_phone"
    elif edit.phone2 is not None:
        phone2 = ""
    _changed(plan, "name", order.name, name, "name")
    _changed(plan, "phone2", order.phone2, phone2, "phone2")
    _changed(plan, "address", order.address, address, "address")
    _changed(plan, "call_note", order.call_note, note, "call_note")


async def _shipping(
    plan: EditPlan,
    store: Store,
    order: Order,
    edit: OrderEdit,
    errors: dict[str, str],
    conn: BaseDBAsyncClient | None,
) -> int:
    """Place and delivery type; the fee from the table when either changed. Returns the
    delivery fee the order would have before any override."""
    wilaya, commune = _place(store, order, edit, errors)
    delivery_type = edit.delivery_type or order.delivery_type
    if delivery_type not in DELIVERY_TYPES:
        errors["delivery_type"] = "invalid"
        return order.delivery_fee
    if wilaya is not None and commune is not None:
        _changed(plan, "wilaya", order.wilaya_code, wilaya.code, "wilaya_code")
        plan.columns["wilaya_code_58"] = commune.wilaya_code_58
        _changed(plan, "commune", order.commune_code, commune.ons_code, "commune_code")
        plan.columns["commune_name"] = commune.name_fr
    _changed(plan, "delivery_type", order.delivery_type, delivery_type, "delivery_type")
    moved = {"wilaya", "delivery_type"} & plan.changes.keys()
    if not moved or errors:
        return order.delivery_fee
    code = wilaya.code if wilaya else order.wilaya_code
    fee, reason = await _table_fee(store, code, delivery_type, conn)
    if fee is None:
        errors["wilaya" if reason == "not_served" else "delivery_type"] = reason
        return order.delivery_fee
    return fee


def _prices(
    plan: EditPlan, order: Order, edit: OrderEdit, actor: Actor, fee: int, errors: dict[str, str]
) -> None:
    """Subtotal, fee (table or the owner's), discount and total, with the reason for a
    price set by hand."""
    if (edit.delivery_fee is not None or edit.discount is not None) and (
        actor.kind not in PRICE_SETTERS
    ):
        raise NotAllowed("only an owner may set the delivery fee or give a discount")
    lines = plan.lines
    subtotal = sum(n.unit_price * n.quantity for n in lines) if lines else order.subtotal
    override = _amount(edit.delivery_fee, "delivery_fee", MAX_FEE, errors)
    fee = fee if override is None else override
    discount = _amount(edit.discount, "discount", subtotal + fee, errors)
    discount = order.discount if discount is None else discount
    if discount > subtotal + fee:
        errors["discount"] = "out_of_range"
    if subtotal + fee - discount > MAX_ORDER_TOTAL:  # the bound a new order has
        errors["lines"] = "total_too_high"
    by_hand = (edit.delivery_fee is not None and edit.delivery_fee != order.delivery_fee) or (
        edit.discount is not None and edit.discount != order.discount
    )
    reason = clean_text(edit.price_reason)
    if by_hand and not reason:
        errors["price_reason"] = "required"
    elif len(reason) > MAX_REASON:
        errors["price_reason"] = "too_long"
    _changed(plan, "subtotal", order.subtotal, subtotal, "subtotal")
    _changed(plan, "delivery_fee", order.delivery_fee, fee, "delivery_fee")
    _changed(plan, "discount", order.discount, discount, "discount")
    _changed(plan, "total", order.total, subtotal + fee - discount, "total")
    if by_hand:
        plan.changes.setdefault("price_reason", {"before": None, "after": reason})


async def plan_edit(
    store: Store,
    order: Order,
    current: list[OrderLine],
    edit: OrderEdit,
    actor: Actor,
    conn: BaseDBAsyncClient | None = None,
) -> EditPlan:
    """Check `edit` against the order and its `current` lines and say what it changes.

    Raises IllegalTransition (status not editable), NotAllowed (an agent setting prices)
    or InvalidOrder naming each bad field. Writes nothing."""
    plan = EditPlan(warning=require_editable(order))
    errors: dict[str, str] = {}
    if edit.lines is not None:
        lines = await _new_lines(store, current, edit.lines, errors, conn)
        before = [_line_of(line) for line in current]
        if [(n.variant_id, n.quantity) for n in lines] != [
            (b.variant_id, b.quantity) for b in before
        ] and not errors:
            plan.lines = lines
            plan.changes["lines"] = {
                "before": [b.as_dict() for b in before],
                "after": [n.as_dict() for n in lines],
            }
            if order.stock_committed:
                plan.stock = _stock_moves(current, lines)
    _customer(plan, order, edit, errors)
    fee = await _shipping(plan, store, order, edit, errors, conn)
    _prices(plan, order, edit, actor, fee, errors)
    if errors:
        raise InvalidOrder(errors)
    if plan.lines is not None:
        quantities = {n.variant_id: n.quantity for n in plan.lines}
        plan.columns["fingerprint"] = fingerprint(order.phone, quantities)
    return plan
