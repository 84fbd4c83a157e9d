"""The order's timeline (SPEC §3.4): its event types, one writer (`record_<type>`) per type,
and the Contract shape of an entry. Nothing else writes an OrderEvent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.orders.tables import Order, OrderEvent


class EventType(StrEnum):
    """The `type` of a timeline entry (Contract: API clients and exports read these)."""

    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    EDITED = "edited"
    CALL_LOGGED = "call_logged"
    CLAIMED = "claimed"
    RELEASED = "released"
    CLAIM_EXPIRED = "claim_expired"
    CALLBACK_DUE = "callback_due"
    DISPATCH_REQUESTED = "dispatch_requested"
    DISPATCH_FAILED = "dispatch_failed"
    PARCEL_STATUS = "parcel_status"
    NOTIFICATION_FAILED = "notification_failed"


ACTOR_KINDS = frozenset({"customer", "owner", "agent", "courier", "system", "api"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: kind is one of ACTOR_KINDS; id and name as the source knows them."""

    kind: str
    id: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")


SYSTEM = Actor("system", "", "Hanout")


async def _append(
    conn: BaseDBAsyncClient,
    order: Order,
    type_: EventType,
    actor: Actor,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """Append one timeline row inside the caller's transaction."""
    return await OrderEvent.create(
        using_db=conn,
        order=order,
        type=type_.value,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_name=actor.name[:128],
        note=note[:1000],
        data=data or {},
    )


# One writer per type, each inside the caller's transaction (the change and its event
# commit together).
Data = dict[str, Any]


async def record_created(conn: BaseDBAsyncClient, order: Order, actor: Actor) -> OrderEvent:
    return await _append(conn, order, EventType.CREATED, actor, to_status=order.status.value)


async def record_status_change(
    conn: BaseDBAsyncClient,
    order: Order,
    actor: Actor,
    from_status: str,
    to_status: str,
    note: str = "",
    data: Data | None = None,
) -> OrderEvent:
    return await _append(
        conn,
        order,
        EventType.STATUS_CHANGED,
        actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )


async def record_edited(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, note: str, data: Data
) -> OrderEvent:
    return await _append(conn, order, EventType.EDITED, actor, note=note, data=data)


async def record_call_logged(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, note: str, data: Data
) -> OrderEvent:
    return await _append(conn, order, EventType.CALL_LOGGED, actor, note=note, data=data)


async def record_claimed(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, until: datetime
) -> OrderEvent:
    data = {"until": until.isoformat()}
    return await _append(conn, order, EventType.CLAIMED, actor, data=data)


async def record_released(conn: BaseDBAsyncClient, order: Order, actor: Actor) -> OrderEvent:
    return await _append(conn, order, EventType.RELEASED, actor)


async def record_claim_expired(conn: BaseDBAsyncClient, order: Order) -> OrderEvent:
    return await _append(conn, order, EventType.CLAIM_EXPIRED, SYSTEM)


async def record_callback_due(conn: BaseDBAsyncClient, order: Order) -> OrderEvent:
    return await _append(conn, order, EventType.CALLBACK_DUE, SYSTEM)


async def record_dispatch_requested(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, data: Data
) -> OrderEvent:
    return await _append(conn, order, EventType.DISPATCH_REQUESTED, actor, data=data)


async def record_dispatch_failed(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, note: str, data: Data
) -> OrderEvent:
    return await _append(conn, order, EventType.DISPATCH_FAILED, actor, note=note, data=data)


async def record_parcel_status(
    conn: BaseDBAsyncClient, order: Order, actor: Actor, note: str, data: Data
) -> OrderEvent:
    return await _append(conn, order, EventType.PARCEL_STATUS, actor, note=note, data=data)


async def record_notification_failed(
    conn: BaseDBAsyncClient, order: Order, data: Data, note: str = ""
) -> OrderEvent:
    return await _append(conn, order, EventType.NOTIFICATION_FAILED, SYSTEM, note=note, data=data)


def event_to_dict(event: OrderEvent) -> dict[str, Any]:
    """The Contract shape: `{at, type, from_status, to_status, actor, note, data}`."""
    return {
        "at": event.at.isoformat(),
        "type": event.type,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": {"kind": event.actor_kind, "id": event.actor_id, "name": event.actor_name},
        "note": event.note,
        "data": event.data,
    }


async def timeline_of(order_id: int) -> list[OrderEvent]:
    """Events of one order, oldest first."""
    return await OrderEvent.filter(order_id=order_id).order_by("at", "id")


async def record_notification_failure(order: Order, channel: str, error: str) -> None:
    """A notification that will not be delivered is on the order's timeline (SPEC §3.4),
    in a transaction of its own (the sender's, after the order's change committed)."""
    async with in_transaction() as conn:
        await record_notification_failed(conn, order, {"channel": channel}, note=error[:300])
