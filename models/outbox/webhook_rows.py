"""Outgoing webhooks' outbox rows (SPEC §7): the events an endpoint may subscribe to, the
envelope a receiver gets, and the fan-out that writes one row per subscribed endpoint of
the store in the change's transaction (the webhook channel's route in the routing table).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import UTC
from typing import Any, Literal, get_args

from tortoise.backends.base.client import BaseDBAsyncClient

from models.infra import clock
from models.infra.db import dialect_sql
from models.orders.tables import Order, OrderEvent
from models.outbox.relay import WEBHOOK
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store

WebhookEvent = Literal[
    "order.created",
    "order.confirmed",
    "order.processing",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "order.returned",
    "order.call_logged",
    "order.updated",
]
WEBHOOK_EVENTS: tuple[str, ...] = get_args(WebhookEvent)


def new_delivery_id() -> str:
    """The envelope id a webhook receiver dedupes on: the same on every retry."""
    return f"whd_{uuid.uuid4().hex}"


def webhook_data(
    topic: str, order: Order, event: OrderEvent, data: dict[str, Any]
) -> dict[str, Any]:
    """The `data` of a webhook envelope: the order number and its status change, plus what
    the event says (a call's outcome…); nothing about the customer."""
    body: dict[str, Any] = {
        "number": order.number,
        "status": order.status.value,
        "old_status": event.from_status,
        "new_status": event.to_status,
    }
    if topic == "order.call_logged":
        body["call"] = {k: data.get(k) for k in ("outcome", "attempts", "callback_at")}
    if topic == "order.updated":
        body["changed"] = list(data.get("changed") or [])
    if event.note:
        body["note"] = event.note
    return body


_ENDPOINTS_SQL = (
    'SELECT "id", "events" FROM "webhook_endpoint" '
    'WHERE "store_id" = ? AND "active" AND "deleted_at" IS NULL'
)


def json_list(raw: object) -> Collection[str]:
    # A JSON column comes back as text from SQLite (and from asyncpg without a codec).
    value = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    return value if isinstance(value, list) else ()


async def endpoint_rows(
    conn: BaseDBAsyncClient,
    store: Store,
    topic: str,
    order: Order,
    event: OrderEvent,
    data: dict[str, Any],
) -> list[OutboxMessage]:
    """One row per active endpoint of the store subscribed to `topic`."""
    # One indexed query (store, active) in the change's transaction; a store without
    # endpoints pays only that.
    # Plain SQL: building the query through the ORM costs more CPU than running it.
    endpoints = await conn.execute_query_dict(dialect_sql(conn, _ENDPOINTS_SQL), [store.id])
    wanted = [row["id"] for row in endpoints if topic in json_list(row["events"])]
    if not wanted:
        return []
    occurred = (event.at or clock.now()).astimezone(UTC).isoformat()
    t = clock.now()
    return [
        OutboxMessage(
            store_id=store.id,
            channel=WEBHOOK,
            topic=topic,
            dedupe_key=f"{WEBHOOK}:{endpoint_id}:{event.id}",
            payload=webhook_payload(
                endpoint_id,
                store,
                topic,
                occurred,
                webhook_data(topic, order, event, data),
                order_id=order.id,
                event_id=event.id,
            ),
            available_at=t,
        )
        for endpoint_id in sorted(wanted)
    ]


def webhook_payload(
    endpoint_id: int,
    store: Store,
    event: str,
    occurred_at: str,
    data: dict[str, Any],
    *,
    order_id: int | None = None,
    event_id: int | None = None,
    delivery_id: str | None = None,
) -> dict[str, Any]:
    """An outbox row's payload for one endpoint: the envelope the receiver gets (without the
    personal data, added at delivery when the endpoint asks for it) and what finds it."""
    return {
        "endpoint_id": endpoint_id,
        "order_id": order_id,
        "number": data.get("number"),
        "event_id": event_id,
        "envelope": {
            "id": delivery_id or new_delivery_id(),
            "event": event,
            "store": {"id": store.id, "slug": store.slug},
            "occurred_at": occurred_at,
            "data": data,
        },
    }
