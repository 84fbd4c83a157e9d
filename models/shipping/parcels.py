"""Parcels (SPEC §6): dispatch through a courier account, the parcel's life at the courier,
and what it does to the order.

Dispatch writes the shipment and an outbox row in the order's transaction; the courier
channel creates the parcel after commit, looking it up by our reference first, so a
timeout after the courier created it never makes a second parcel.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from models.errors import ConcurrentChange, InvalidInput
from models.infra import clock
from models.orders.lifecycle import OrderStatus, Trigger
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import (
    Actor,
    EventType,
    record_dispatch_failed,
    record_dispatch_requested,
    record_parcel_status,
)
from models.orders.transitions import apply_transition, bump_version, change_order
from models.outbox import relay
from models.shipping.accounts import get_account
from models.shipping.dispatch_guard import start_dispatch
from models.shipping.tables import CourierAccount, Shipment
from models.stores.tables import Store

log = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=15)  # PARCEL_POLL_SECONDS' default
_poll_every: dict[str, timedelta] = {}
_poll_default = POLL_EVERY
FINAL = frozenset({"delivered", "returned", "cancelled", "lost"})
ATTENTION = frozenset({"delivery_attempted", "on_hold"})
PARCEL_STATUS_TRIES = 3
ANSWER_CHARS = 1000  # a courier's raw answer kept on the timeline


def set_poll_intervals(default: timedelta, per_courier: Mapping[str, timedelta]) -> None:
    """How long a parcel waits between two polls: `default` (PARCEL_POLL_SECONDS), or its
    courier's own interval when it has one (the composition root calls this at start)."""
    global _poll_default
    _poll_default = default
    _poll_every.clear()
    _poll_every.update(per_courier)


def poll_every(courier: str) -> timedelta:
    """The time between two polls of a parcel at this courier."""
    return _poll_every.get(courier, _poll_default)


def parcel_reference(order: Order) -> str:
    """Our idempotency key at the courier: one per order, forever."""
    return f"HN{order.store_id}-{order.number}"


@dataclass(frozen=True, slots=True)
class ParcelToCreate:
    """What the courier channel needs to create an order's parcel."""

    shipment: Shipment
    order: Order
    lines: list[OrderLine]
    account: CourierAccount | None


async def parcel_to_create(order_id: int) -> ParcelToCreate | None:
    """The order's shipment still waiting for its parcel, or None (created, or dropped
    after the courier refused it)."""
    shipment = await Shipment.filter(order_id=order_id, state="requested").first()
    if shipment is None:
        return None
    order = await Order.get(id=order_id)
    lines = await OrderLine.filter(order_id=order_id).order_by("id")
    account = await CourierAccount.filter(id=shipment.account_id).first()
    return ParcelToCreate(shipment, order, list(lines), account)


async def request_dispatch(
    store: Store,
    number: int,
    actor: Actor,
    account_id: int | None = None,
    stopdesk_id: str | None = None,
    expected_version: int | None = None,
    *,
    desk_required: bool,
) -> Order:
    """confirmed → processing, and a parcel to create at the account's courier (after
    commit, by the courier channel). `desk_required`: the courier has a list of stop desks
    (the caller knows its capabilities), so a stop-desk order must name one — refused
    rather than shipped home. Couriers without a list pick the desk themselves."""
    account = await get_account(store, account_id)

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        order = await start_dispatch(conn, store, order, actor)  # rolled back if refused below
        if order.delivery_type == "desk" and desk_required and not stopdesk_id:
            raise InvalidInput("stopdesk_id: this order goes to a stop desk; choose one")
        await Shipment.create(
            using_db=conn,
            order=order,
            account=account,
            courier=account.courier,
            reference=parcel_reference(order),
            stopdesk_id=(stopdesk_id or "")[:64],
            stopdesk_name=_desk_name(account, stopdesk_id)[:160],
            cod_amount=order.total,
        )
        order = await bump_version(conn, order, courier=account.courier)
        data: dict[str, object] = {
            "courier": account.courier,
            "account": account.id,
            "stopdesk_id": stopdesk_id,
        }
        event = await record_dispatch_requested(conn, order, actor, data)
        # The routing table always has a channel for parcel.create (routes.REQUIRED_TOPICS).
        await relay.publish(conn, store, "parcel.create", order, event, data)
        return order

    return await change_order(store, number, work, expected_version)


def _desk_name(account: CourierAccount, stopdesk_id: str | None) -> str:
    """The desk's name in the courier's synced list (empty when unknown: the card and the
    exports then show its id)."""
    desks = (account.reference or {}).get("desks") or []
    if not stopdesk_id or not isinstance(desks, list):
        return ""
    found = (d for d in desks if isinstance(d, dict) and str(d.get("id")) == stopdesk_id)
    return str(next(found, {}).get("name") or "")


async def _dispatcher(order: Order) -> Actor:
    """The person who asked for the dispatch acts for the parcel's creation too."""
    event = (
        await OrderEvent.filter(order_id=order.id, type=EventType.DISPATCH_REQUESTED)
        .order_by("-id")
        .first()
    )
    if event is None:
        return Actor("system", "", "Hanout")
    return Actor(event.actor_kind, event.actor_id, event.actor_name)


async def apply_parcel_created(
    shipment_id: int,
    tracking: str,
    fee: int | None = None,
    label: bytes | None = None,
    label_type: str = "",
) -> Order:
    """The courier has the parcel: tracking stored, order shipped (processing → shipped)."""
    shipment = await Shipment.get(id=shipment_id).select_related("order")
    store = await Store.get(id=shipment.order.store_id)
    actor = await _dispatcher(shipment.order)

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        await (
            Shipment.filter(id=shipment.id)
            .using_db(conn)
            .update(
                state="created",
                tracking=tracking[:64],
                fee=fee,
                label=label,
                label_type=label_type[:40],
                last_error="",
                next_poll_at=clock.now() + poll_every(shipment.courier),
                updated_at=clock.now(),
            )
        )
        if order.status is not OrderStatus.PROCESSING:
            return order  # cancelled meanwhile: the parcel exists, the team sees the event
        order = await bump_version(conn, order, tracking=tracking[:64])
        data: dict[str, object] = {"courier": shipment.courier, "tracking": tracking, "fee": fee}
        return await apply_transition(
            conn, store, order, OrderStatus.SHIPPED, actor, note=tracking, data=data
        )

    return await change_order(store, shipment.order.number, work)


async def note_dispatch_error(shipment_id: int, error: str) -> None:
    """The courier could not be reached for this parcel yet; the relay tries again and the
    team can read why on the shipment."""
    await Shipment.filter(id=shipment_id, state="requested").update(
        last_error=error[:500], updated_at=clock.now()
    )


async def dispatch_tried_before(order_id: int) -> bool:
    """Whether an earlier dispatch of the order ended without a parcel (refused, unexpected
    answer, unreachable, deleted at the courier): the courier may hold a parcel with our
    reference, so it is looked up before another is created."""
    return await OrderEvent.filter(order_id=order_id, type=EventType.DISPATCH_FAILED).exists()


async def apply_dispatch_failed(shipment_id: int, reason: str, answer: str = "") -> None:
    """The courier refused the parcel: the order stays in processing and the team sees
    why on the card and the timeline; dispatching again is allowed. `answer` is the
    courier's raw answer when it was not one we could read, kept on the timeline."""
    shipment = await Shipment.get(id=shipment_id).select_related("order")
    store = await Store.get(id=shipment.order.store_id)

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        await Shipment.filter(id=shipment.id).using_db(conn).delete()
        order = await bump_version(conn, order, courier="")
        data: dict[str, object] = {"courier": shipment.courier, "reason": reason[:300]}
        if answer:
            data["answer"] = answer[:ANSWER_CHARS]
        courier = Actor("courier", shipment.courier, shipment.courier)
        event = await record_dispatch_failed(conn, order, courier, reason[:300], data)
        await relay.publish(conn, store, "order.dispatch_failed", order, event, data)
        return order

    await change_order(store, shipment.order.number, work)


async def apply_parcel_withdrawn(shipment_id: int, raw_status: str, reason: str) -> bool:
    """The courier deleted the parcel (Yalidine `parcel_deleted`; only possible before it
    was picked up, so the goods are still at the shop): the order goes back from shipped
    to processing without courier or tracking — its card shows why and offers Dispatch
    and Cancel again, as after a refusal — and stock stays committed. The parcel's
    tracking and the courier's words are on the timeline. False when there was nothing to
    undo (the order is no longer shipped, or the shipment is already gone)."""
    shipment = await Shipment.filter(id=shipment_id).select_related("order").first()
    if shipment is None or shipment.order.status is not OrderStatus.SHIPPED:
        return False
    store = await Store.get(id=shipment.order.store_id)
    courier = Actor("courier", shipment.courier, shipment.courier)
    data: dict[str, object] = {
        "courier": shipment.courier,
        "tracking": shipment.tracking,
        "raw_status": raw_status,
        "reason": reason[:300],
    }

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        if order.status is not OrderStatus.SHIPPED:
            return order
        await Shipment.filter(id=shipment.id).using_db(conn).delete()
        order = await apply_transition(
            conn, store, order, OrderStatus.PROCESSING, courier, note=reason[:300], data=data,
            trigger=Trigger.WITHDRAW,
        )  # fmt: skip
        order = await bump_version(conn, order, courier="", tracking="")
        event = await record_dispatch_failed(conn, order, courier, reason[:300], data)
        await relay.publish(conn, store, "order.dispatch_failed", order, event, data)
        return order

    order = await change_order(store, shipment.order.number, work)
    return order.status is OrderStatus.PROCESSING


async def apply_parcel_status(
    shipment_id: int,
    status: str,
    raw_status: str,
    raw_reason: str = "",
    at: datetime | None = None,
) -> bool:
    """A status read from the courier (poll or webhook). A change goes on the timeline
    (actor courier, raw status kept); delivered and returned move the order; a failed
    attempt or a parcel on hold brings the order back to the team. Returns whether it
    changed anything.

    The parcel's new status is stored in the order's transaction, and a change that loses
    the race with another change of the order (a press, another courier status) is read
    again and retried: a courier status is never half-applied, so never lost."""
    for attempt in range(PARCEL_STATUS_TRIES):
        try:
            return await _apply_parcel_status(shipment_id, status, raw_status, raw_reason, at)
        except ConcurrentChange:
            if attempt == PARCEL_STATUS_TRIES - 1:
                raise  # nothing was written: the next poll or webhook brings it again
    raise AssertionError("unreachable")


async def _apply_parcel_status(
    shipment_id: int, status: str, raw_status: str, raw_reason: str, at: datetime | None
) -> bool:
    shipment = await Shipment.get(id=shipment_id).select_related("order")
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # storage is UTC; a courier's naive time is not compared
    interval = poll_every(shipment.courier)
    next_poll = None if status in FINAL else clock.now() + interval
    unchanged = (shipment.status, shipment.raw_status) == (status, raw_status[:120])
    # Webhooks arrive late and out of order: an event older than the known state is news
    # of the past, not a change.
    stale = at is not None and shipment.status_at is not None and at < shipment.status_at
    if unchanged or stale:
        keep_polling = shipment.status not in FINAL
        await Shipment.filter(id=shipment.id).update(
            next_poll_at=clock.now() + interval if keep_polling else None
        )
        return False
    store = await Store.get(id=shipment.order.store_id)
    courier = Actor("courier", shipment.courier, shipment.courier)
    data: dict[str, object] = {
        "status": status,
        "raw_status": raw_status,
        "raw_reason": raw_reason,
        "tracking": shipment.tracking,
    }
    target = {"delivered": OrderStatus.DELIVERED, "returned": OrderStatus.RETURNED}.get(status)

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        await (
            Shipment.filter(id=shipment.id)
            .using_db(conn)
            .update(
                status=status,
                raw_status=raw_status[:120],
                raw_reason=raw_reason[:300],
                status_at=at or clock.now(),
                next_poll_at=next_poll,
                updated_at=clock.now(),
            )
        )
        event = await record_parcel_status(conn, order, courier, raw_status[:300], data)
        topic = "order.parcel_attention" if status in ATTENTION else "order.parcel_status"
        order = await bump_version(conn, order)
        await relay.publish(conn, store, topic, order, event, data)
        movable = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        if target is not None and order.status in movable and order.status is not target:
            order = await apply_transition(
                conn, store, order, target, courier, note=raw_status[:300], data=data
            )
        return order

    await change_order(store, shipment.order.number, work)
    return True


# --- dispatch as the bot and the API see it ------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeskChoice:
    """A stop desk to offer for an order (the courier's id, its name and commune)."""

    id: str
    name: str
    commune: str = ""


class DispatchService(Protocol):
    """Dispatch through the store's courier accounts. The shipping adapter implements it;
    the composition root hands it to the bot and the web app (they never import shipping)."""

    async def dispatch(
        self,
        store: Store,
        number: int,
        actor: Actor,
        account_id: int | None,
        stopdesk_id: str | None,
        expected_version: int | None = None,
    ) -> Order:
        """confirmed → processing, the parcel created after commit (request_dispatch)."""
        ...

    async def desks(self, store: Store, order: Order, account_id: int | None) -> list[DeskChoice]:
        """The desks to choose from for this order, the customer's commune first; empty when
        none is needed (home order, or the courier picks the desk itself). InvalidInput when
        the courier needs one and has none for this order."""
        ...

    async def accounts(self, store: Store) -> list[CourierAccount]:
        """The store's active accounts, the default first."""
        ...

    async def test_account(self, store: Store, account_id: int) -> str | None:
        """Test the credentials at the courier again: None when they work, else why not."""
        ...

    async def set_default(self, store: Store, account_id: int) -> None:
        """The account dispatch uses when none is chosen."""
        ...


async def shipment_of(order_id: int) -> Shipment | None:
    """The order's parcel (requested or created), if it was dispatched."""
    return await Shipment.filter(order_id=order_id).first()


async def dispatch_refusal(order: Order) -> OrderEvent | None:
    """Why the last dispatch of an order still waiting in processing was refused (the
    courier's answer is on the event's note), or None."""
    if order.status is not OrderStatus.PROCESSING or order.courier:
        return None
    return (
        await OrderEvent.filter(order_id=order.id, type=EventType.DISPATCH_FAILED)
        .order_by("-id")
        .first()
    )


async def last_parcel_status(order: Order) -> OrderEvent | None:
    """The courier's last word on a shipped order's parcel (status, raw status, reason)."""
    if order.status is not OrderStatus.SHIPPED:
        return None
    return (
        await OrderEvent.filter(order_id=order.id, type=EventType.PARCEL_STATUS)
        .order_by("-id")
        .first()
    )
