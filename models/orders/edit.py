"""Editing an order while the customer is on the line: its lines, the customer's name and a
second phone, the place, home ↔ stop desk (fee from the store's table, or an owner's
override or discount with a reason) and a call note.

`models.orders.edit_plan.plan_edit` checks an edit against the order and says what would change
(the bot shows it before saving); `edit_order` applies it in one transaction:
compare-and-set on the order's version, stock re-reserved when committed stock's lines
change, an `edited` timeline row carrying before/after, and an `order.updated` outbox row
(cards, webhooks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.catalog import stock
from models.orders.edit_plan import EditPlan, OrderEdit, clean_text, plan_edit
from models.orders.tables import Order, OrderLine
from models.orders.timeline import Actor, record_edited
from models.orders.transitions import bump_version, change_order
from models.outbox import relay
from models.stores import cache
from models.stores.tables import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EditResult:
    order: Order
    changes: dict[str, dict[str, Any]]
    warning: str | None


def _stock_moves(plan: EditPlan) -> list[stock.Move]:
    """The plan's units per variant, named by the new line of a variant that takes some."""
    named = {n.variant_id: n for n in plan.lines or []}
    return [
        stock.Move(variant_id, units, named[variant_id].sku, named[variant_id].as_dict()["label"])
        if units > 0
        else stock.Move(variant_id, units)
        for variant_id, units in plan.stock.items()
    ]


async def _apply(
    conn: BaseDBAsyncClient,
    store: Store,
    order: Order,
    plan: EditPlan,
    actor: Actor,
    edit: OrderEdit,
) -> Order:
    order = await bump_version(conn, order, **plan.columns)
    if plan.lines is not None:
        await stock.apply_moves(conn, store.id, _stock_moves(plan))
        cache.forget(store.id)
        await OrderLine.filter(order_id=order.id).using_db(conn).delete()
        await OrderLine.bulk_create(
            [
                OrderLine(
                    order_id=order.id,
                    variant_id=n.variant_id,
                    product_name=n.product_name,
                    variant_label=n.variant_label,
                    sku=n.sku,
                    unit_price=n.unit_price,
                    quantity=n.quantity,
                )
                for n in plan.lines
            ],
            using_db=conn,
        )
    data: dict[str, Any] = {"changes": plan.changes}
    if plan.warning:
        data["warning"] = plan.warning
    # The call note is in the changes; the event's note (also sent to webhooks) is only the
    # reason for a price set by hand.
    note = clean_text(edit.price_reason) if "price_reason" in plan.changes else ""
    event = await record_edited(conn, order, actor, note, data)
    await relay.publish(
        conn, store, "order.updated", order, event, {"changed": sorted(plan.changes)}
    )
    return order


async def edit_order(
    store: Store,
    number: int,
    edit: OrderEdit,
    actor: Actor,
    expected_version: int | None = None,
) -> EditResult:
    """Apply `edit` to the store's order `number` in one transaction (see the module).

    Raises NotFound, IllegalTransition (cancelled, shipped… or a parcel being created),
    ConcurrentChange (the order changed since `expected_version`, or meanwhile),
    NotAllowed (an agent setting prices), InvalidOrder (bad fields) or InsufficientStock
    (confirmed lines need more than is left; nothing changes). An edit that changes nothing
    writes nothing and returns no changes.
    """
    planned: list[EditPlan] = []

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        current = await OrderLine.filter(order_id=order.id).using_db(conn).order_by("id")
        plan = await plan_edit(store, order, list(current), edit, actor, conn)
        planned.append(plan)
        return await _apply(conn, store, order, plan, actor, edit) if plan.changes else order

    order = await change_order(store, number, work, expected_version)
    plan = planned[-1]
    log.info(
        "order edited store=%s number=%s fields=%s actor=%s",
        store.slug,
        number,
        ",".join(sorted(plan.changes)) or "-",
        actor.kind,
    )
    return EditResult(order, plan.changes, plan.warning)
