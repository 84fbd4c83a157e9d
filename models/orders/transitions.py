"""Status changes (SPEC §3.1–3.2): one compare-and-set path with its stock move, timeline
row and outbox rows in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.catalog import stock
from models.customers.registry import actor_label, blacklist_fake_order
from models.errors import (
    ConcurrentChange,
    IllegalTransition,
    NotFound,
)
from models.infra import clock
from models.orders.cancellation import Cancellation
from models.orders.lifecycle import (
    OrderStatus,
    StockMove,
    Trigger,
    next_status,
    stock_move,
    trigger_for,
)
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import Actor, record_status_change
from models.outbox import relay
from models.stores import cache
from models.stores.tables import Store

log = logging.getLogger(__name__)


class LostRace(Exception):
    """The compare-and-set matched no row: someone changed the order first."""


async def get_order(store: Store, number: int) -> Order:
    """The store's order by its number; NotFound for another store's or a missing one."""
    order = await Order.get_or_none(store_id=store.id, number=number)
    if order is None:
        raise NotFound("order", number)
    return order


async def apply_transition(
    conn: BaseDBAsyncClient,
    store: Store,
    order: Order,
    target: OrderStatus,
    actor: Actor,
    note: str = "",
    data: dict[str, object] | None = None,
    *,
    trigger: Trigger | None = None,
    cancel: Cancellation | None = None,
) -> Order:
    """Inside the caller's transaction: compare-and-set the status by the lifecycle table,
    move stock, write the timeline row and the outbox rows. A cancellation keeps who,
    when and why on the order (`cancel`: the reason; none given leaves it blank).
    Raises LostRace. `trigger` names a system-only trigger (lifecycle.SYSTEM_TRANSITIONS)
    leading to `target`."""
    if next_status(order.status, trigger or trigger_for(target)) is not target:
        raise IllegalTransition(order.status.value, target.value)
    move = stock_move(target, order.stock_committed)
    committed = {StockMove.COMMIT: True, StockMove.RESTORE: False}.get(move, order.stock_committed)
    at = clock.now()
    changes = _cancel_fields(target, actor, cancel)
    won = (
        await Order.filter(id=order.id, status=order.status, version=order.version)
        .using_db(conn)
        .update(
            status=target,
            version=order.version + 1,
            stock_committed=committed,
            updated_at=at,  # update() does not apply auto_now
            **changes,
        )
    )
    if not won:
        raise LostRace()
    for name, value in changes.items():
        setattr(order, name, value)
    if cancel is not None:
        data = {**(data or {}), "reason": cancel.reason}
        note = note or cancel.note
    if move is not StockMove.NONE:
        lines = await OrderLine.filter(order_id=order.id).using_db(conn)
        moves = stock.taken_by(lines) if move is StockMove.COMMIT else stock.given_back_by(lines)
        await stock.apply_moves(conn, store.id, moves)
        cache.forget(store.id)
    previous = order.status
    order.status, order.version, order.stock_committed = target, order.version + 1, committed
    order.updated_at = at  # answers show the version and the time of this change together
    event = await record_status_change(
        conn, order, actor, previous.value, target.value, note=note, data=data
    )
    await relay.publish(
        conn,
        store,
        f"order.{target.value}",
        order,
        event,
        {"from_status": previous.value, "to_status": target.value},
    )
    return order


def _cancel_fields(
    target: OrderStatus, actor: Actor, cancel: Cancellation | None
) -> dict[str, object]:
    if target is not OrderStatus.CANCELLED:
        return {}
    return {
        "cancel_reason": cancel.reason if cancel else "",
        "cancel_note": cancel.note[:300] if cancel else "",
        "cancelled_by": actor_label(actor)[:128],
        "cancelled_at": clock.now(),
    }


async def _conflict(order: Order) -> ConcurrentChange:
    fresh = await Order.get(id=order.id)
    last = await OrderEvent.filter(order_id=order.id).order_by("-id").first()
    name = last.actor_name or last.actor_kind if last else "?"
    return ConcurrentChange(order.number, name, fresh.status.value)


async def bump_version(conn: BaseDBAsyncClient, order: Order, **changes: object) -> Order:
    """Compare-and-set non-status fields (calls, claims), bumping the version so cards
    re-render and stale buttons are refused. Raises LostRace."""
    at = clock.now()
    won = (
        await Order.filter(id=order.id, status=order.status, version=order.version)
        .using_db(conn)
        .update(version=order.version + 1, updated_at=at, **changes)
    )
    if not won:
        raise LostRace()
    for name, value in changes.items():
        setattr(order, name, value)
    order.version += 1
    order.updated_at = at  # answers show the version and the time of this change together
    return order


ChangeWork = Callable[[BaseDBAsyncClient, Order], Awaitable[Order]]


async def change_order(
    store: Store, number: int, work: ChangeWork, expected_version: int | None = None
) -> Order:
    """Run `work` on the store's order in one transaction; a lost compare-and-set or a
    stale `expected_version` becomes ConcurrentChange naming who acted."""
    order = await get_order(store, number)
    if expected_version is not None and expected_version != order.version:
        raise await _conflict(order)
    try:
        async with in_transaction() as conn:
            order = await work(conn, order)
    except LostRace:
        raise await _conflict(order) from None
    relay.notify_committed()
    return order


async def transition_order(
    store: Store,
    number: int,
    target: OrderStatus,
    actor: Actor,
    note: str = "",
    expected_version: int | None = None,
    data: dict[str, object] | None = None,
    cancel: Cancellation | None = None,
) -> Order:
    """Move the store's order `number` to `target` by the lifecycle table; `cancel` says
    why when the target is cancelled.

    Raises IllegalTransition (not allowed from the current status), InsufficientStock
    (confirming, nothing changes), ConcurrentChange (someone acted first, or the caller's
    `expected_version` is stale) or NotFound.
    """

    async def work(conn: BaseDBAsyncClient, current: Order) -> Order:
        if cancel is not None and cancel.reason == "fake":  # a fake order blocks the phone
            await blacklist_fake_order(conn, store, current, actor)
        return await apply_transition(
            conn, store, current, target, actor, note, data, cancel=cancel
        )

    order = await change_order(store, number, work, expected_version)
    log.info(
        "order moved store=%s number=%s to=%s actor=%s", store.slug, number, target, actor.kind
    )
    return order


async def cancel_order(
    store: Store,
    number: int,
    actor: Actor,
    note: str = "",
    cancel: Cancellation | None = None,
    expected_version: int | None = None,
) -> Order:
    """Cancel from any non-terminal status, saying why (`cancel`); restores stock if it
    was committed."""
    return await transition_order(
        store, number, OrderStatus.CANCELLED, actor, note, expected_version, cancel=cancel
    )
