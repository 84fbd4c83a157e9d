"""Timeline writers (`record_*`) and the Contract shape of a timeline entry (SPEC §3.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.orders.tables import Order, OrderEvent

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


async def record_event(
    conn: BaseDBAsyncClient,
    order: Order,
    type_: str,
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
        type=type_,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_name=actor.name[:128],
        note=note[:1000],
        data=data or {},
    )


async def record_created(conn: BaseDBAsyncClient, order: Order, actor: Actor) -> OrderEvent:
    return await record_event(conn, order, "created", actor, to_status=order.status.value)


async def record_status_change(
    conn: BaseDBAsyncClient,
    order: Order,
    actor: Actor,
    from_status: str,
    to_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    return await record_event(
        conn,
        order,
        "status_changed",
        actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )


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
    """A notification that will not be delivered is on the order's timeline (SPEC §3.4)."""
    async with in_transaction() as conn:
        await record_event(
            conn, order, "notification_failed", SYSTEM, note=error[:300], data={"channel": channel}
        )
