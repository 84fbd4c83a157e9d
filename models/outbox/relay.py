"""Transactional outbox (SPEC §7): rows written in the change's transaction, drained later.

Delivery is at-least-once per row and each row is unique per (channel, event), so a channel
handler that is idempotent on `dedupe_key` gives exactly-once notifications.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models.infra import clock
from models.infra.db import dialect_sql
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import record_notification_failed
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store

log = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
LEASE = timedelta(minutes=2)

# Outgoing webhooks (SPEC §7): the events an endpoint may subscribe to, and their own retry
# schedule (1 min, 5 min, 30 min, 2 h, 12 h, then dead: six tries over about 15 hours).
WEBHOOK = "webhook"
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
_WEBHOOK_TOPICS = frozenset(WEBHOOK_EVENTS)
CHANNEL_BACKOFF: dict[str, tuple[int, ...]] = {WEBHOOK: (60, 300, 1800, 7200, 43200)}

# Channels that want a topic, given the store. Later channels (telegram, webhooks, sms)
# register here through `add_route` so the writers below never change.
Route = Callable[[Store, str], bool]
_routes: dict[str, Route] = {
    "email": lambda store, topic: topic == "order.created" and bool(store.owner_email),
}
_listeners: list[Callable[[], None]] = []
# Called in the transaction that dead-letters a row of the channel (webhook endpoints count
# their dead letters in a row there).
DeadLetterHook = Callable[[BaseDBAsyncClient, OutboxMessage, str], Awaitable[None]]
_dead_letter_hooks: dict[str, DeadLetterHook] = {}


def channels_for(store: Store, topic: str) -> tuple[str, ...]:
    """The channels (webhooks aside) that want `topic` for `store`."""
    return tuple(channel for channel, wants in _routes.items() if wants(store, topic))


def add_route(channel: str, wants: Route) -> None:
    """Subscribe a channel to topics; `wants(store, topic)` decides per message."""
    _routes[channel] = wants


def on_dead_letter(channel: str, hook: DeadLetterHook) -> None:
    """Run `hook(conn, message, error)` in the transaction that dead-letters a row of
    `channel`, after the row is marked dead."""
    _dead_letter_hooks[channel] = hook


def add_listener(callback: Callable[[], None]) -> None:
    """Called after a transaction that wrote outbox rows commits (wakes an in-process relay)."""
    _listeners.append(callback)


def remove_listener(callback: Callable[[], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def notify_committed() -> None:
    """Wake in-process relays; call after the transaction has committed."""
    for callback in list(_listeners):
        callback()


async def publish(
    conn: BaseDBAsyncClient,
    store: Store,
    topic: str,
    order: Order,
    event: OrderEvent,
    data: dict[str, Any] | None = None,
) -> int:
    """Write one outbox row per channel that wants `topic`, and one per webhook endpoint of
    the store subscribed to it, inside the caller's transaction."""
    payload = {
        "order_id": order.id,
        "number": order.number,
        "event_id": event.id,
        "version": order.version,
        **(data or {}),
    }
    t = clock.now()
    rows = [
        OutboxMessage(
            store_id=store.id,
            channel=channel,
            topic=topic,
            dedupe_key=f"{channel}:{event.id}",
            payload=payload,
            available_at=t,
        )
        for channel, wants in _routes.items()
        if wants(store, topic)
    ]
    if topic in _WEBHOOK_TOPICS:
        rows += await _webhook_rows(conn, store, topic, order, event, data or {})
    if rows:
        await OutboxMessage.bulk_create(rows, using_db=conn)
    return len(rows)


async def publish_notice(
    conn: BaseDBAsyncClient, store: Store, topic: str, key: str, payload: dict[str, Any]
) -> int:
    """Write one row per channel that wants `topic`, about the store rather than an order
    (an endpoint disabled, …), inside the caller's transaction. `key` makes the notice
    unique per channel: the same key is written once."""
    t = clock.now()
    rows = [
        OutboxMessage(
            store_id=store.id,
            channel=channel,
            topic=topic,
            dedupe_key=f"{channel}:{key}"[:128],
            payload=payload,
            available_at=t,
        )
        for channel, wants in _routes.items()
        if wants(store, topic)
    ]
    if rows:
        await OutboxMessage.bulk_create(rows, using_db=conn)
    return len(rows)


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


async def _webhook_rows(
    conn: BaseDBAsyncClient,
    store: Store,
    topic: str,
    order: Order,
    event: OrderEvent,
    data: dict[str, Any],
) -> list[OutboxMessage]:
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


async def claim(
    worker: str, limit: int = 50, channels: Collection[str] | None = None
) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this worker, each row by exactly one worker.

    Due means pending and past `available_at`, or processing with an expired lease (its
    worker died). Only rows of `channels` are taken when given, so a process leaves the
    channels it has no handler for to the process that has. Each claim counts one attempt;
    the returned rows carry `locked_by` and `attempts`, which `complete` and `fail` use as
    the proof that the row is still this worker's.
    """
    wanted = None if channels is None else sorted(set(channels))
    if limit <= 0 or wanted == []:
        return []
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        return await _claim_skip_locked(conn, worker, limit, wanted)
    return await _claim_conditional(worker, limit, wanted)


def _due(t: datetime, channels: list[str] | None) -> Any:
    query = OutboxMessage.filter(
        Q(status=PENDING, available_at__lte=t) | Q(status=PROCESSING, locked_until__lt=t)
    )
    if channels is not None:
        query = query.filter(channel__in=channels)
    return query


async def _claim_conditional(
    worker: str, limit: int, channels: list[str] | None
) -> list[OutboxMessage]:
    # SQLite has no row locks: a conditional UPDATE per row decides who owns it. A row lost
    # to another worker is passed over for the next due one, as SKIP LOCKED does.
    t = clock.now()
    claimed: list[int] = []
    after = 0
    while len(claimed) < limit:
        due = _due(t, channels).filter(id__gt=after).order_by("id").limit(limit - len(claimed))
        candidates = await due.values_list("id", "status", "attempts")
        if not candidates:
            break
        for row_id, status, attempts in candidates:
            if await _take(t, worker, channels, row_id, status, attempts):
                claimed.append(row_id)
        after = candidates[-1][0]
    return await OutboxMessage.filter(id__in=claimed).order_by("id") if claimed else []


async def _take(
    t: datetime, worker: str, channels: list[str] | None, row_id: int, status: str, attempts: int
) -> bool:
    # `attempts` changes on every claim, so it is the version that makes a stale read lose.
    still_due = _due(t, channels).filter(id=row_id, status=status, attempts=attempts)
    lease = {"status": PROCESSING, "locked_by": worker, "locked_until": t + LEASE}
    return bool(await still_due.update(**lease, attempts=F("attempts") + 1))


# MATERIALIZED keeps the locking sub-select a single evaluation, so LIMIT bounds the batch.
_CLAIM_SQL = """
    WITH due AS MATERIALIZED (
        SELECT id FROM outbox_message
         WHERE ((status = 'pending' AND available_at <= $4)
                OR (status = 'processing' AND locked_until < $4))
           AND ($6::text[] IS NULL OR channel = ANY($6::text[]))
         ORDER BY id LIMIT $5
           FOR UPDATE SKIP LOCKED)
    UPDATE outbox_message AS m
       SET status = $1, locked_by = $2, locked_until = $3, attempts = m.attempts + 1
      FROM due WHERE m.id = due.id
    RETURNING m.id"""


async def _claim_skip_locked(
    conn: BaseDBAsyncClient, worker: str, limit: int, channels: list[str] | None
) -> list[OutboxMessage]:
    # Rows another worker is claiming right now are skipped, not waited for: concurrent
    # workers each get a disjoint batch without blocking one another.
    t = clock.now()
    rows = await conn.execute_query_dict(
        _CLAIM_SQL, [PROCESSING, worker, t + LEASE, t, limit, channels]
    )
    ids = [r["id"] for r in rows]
    return await OutboxMessage.filter(id__in=ids).order_by("id") if ids else []


async def release_unseen(worker: str, seen: Collection[int]) -> int:
    """Put back the rows claimed by `worker` that it never received: a claim whose UPDATE
    committed while its answer (or the reading of the rows) was lost to a connection that
    died. The claim does not count as an attempt; `seen` are the rows the worker holds or
    may have delivered, left to their lease. Returns how many rows came back."""
    unseen = OutboxMessage.filter(status=PROCESSING, locked_by=worker)
    if seen:
        unseen = unseen.exclude(id__in=list(seen))
    return int(await unseen.update(status=PENDING, locked_until=None, attempts=F("attempts") - 1))


def _owned(message: OutboxMessage) -> Any:
    # A lease that expired may have been claimed again (even by the same worker id after a
    # restart); the attempt number tells this delivery from the newer one.
    return OutboxMessage.filter(
        id=message.id, status=PROCESSING, locked_by=message.locked_by, attempts=message.attempts
    )


async def complete(message: OutboxMessage) -> bool:
    """Mark a claimed row delivered. False if the row is no longer this claim's (its lease
    expired and another claim took it), in which case nothing changes."""
    updated = await _owned(message).update(
        status=DONE, sent_at=clock.now(), locked_until=None, last_error=""
    )
    return bool(updated)


async def postpone(message: OutboxMessage, seconds: float, reason: str = "") -> bool:
    """Put a claimed row back, due in `seconds`, without counting the claim as an attempt
    (the handler did not try: its receiver was busy). False if the row is no longer this
    claim's."""
    changes: dict[str, Any] = {
        "status": PENDING,
        "locked_until": None,
        "attempts": F("attempts") - 1,
        "available_at": clock.now() + timedelta(seconds=max(0.0, seconds)),
    }
    done = bool(await _owned(message).update(**changes))
    log.debug("outbox postponed id=%s seconds=%s reason=%s", message.id, seconds, reason)
    return done


def backoff_for(channel: str) -> tuple[int, ...]:
    """Seconds to wait after each failed try of a row of `channel`, in order."""
    return CHANNEL_BACKOFF.get(channel, BACKOFF_SECONDS)


def max_attempts(channel: str) -> int:
    """Tries a row of `channel` gets before it is dead-lettered."""
    return len(backoff_for(channel)) + 1


def retry_delay(attempts: int, channel: str = "") -> timedelta:
    """Wait before the next try after `attempts` failed deliveries (attempts >= 1)."""
    backoff = backoff_for(channel)
    return timedelta(seconds=backoff[min(max(attempts, 1), len(backoff)) - 1])


async def fail(message: OutboxMessage, error: str, permanent: bool = False) -> str | None:
    """Schedule a retry with the channel's backoff, or dead-letter when `permanent` or after
    the channel's last try (MAX_ATTEMPTS for most).

    A dead-lettered row about an order leaves a `notification_failed` event on its timeline
    (SPEC §3.4), in the same transaction, as does the channel's dead-letter hook. Returns
    the new status (PENDING or DEAD), or None if the row is no longer this claim's, in which
    case nothing changes.
    """
    dead = permanent or message.attempts >= max_attempts(message.channel)
    status = DEAD if dead else PENDING
    changes: dict[str, Any] = {"status": status, "locked_until": None, "last_error": error[:1000]}
    if not dead:
        changes["available_at"] = clock.now() + retry_delay(message.attempts, message.channel)
    async with in_transaction() as conn:
        if not await _owned(message).using_db(conn).update(**changes):
            return None
        if dead:
            await _record_dead_letter(conn, message, error)
            hook = _dead_letter_hooks.get(message.channel)
            if hook is not None:
                await hook(conn, message, error)
    log.log(
        logging.ERROR if dead else logging.WARNING,
        "outbox delivery failed id=%s channel=%s topic=%s store=%s attempts=%s status=%s error=%s",
        message.id,
        message.channel,
        message.topic,
        message.store_id,
        message.attempts,
        status,
        error[:200],
    )
    return status


async def _record_dead_letter(conn: BaseDBAsyncClient, message: OutboxMessage, error: str) -> None:
    order_id = message.payload.get("order_id")
    order = await Order.filter(id=order_id).using_db(conn).first() if order_id else None
    if order is None:
        return
    data = {"channel": message.channel, "topic": message.topic, "attempts": message.attempts}
    await record_notification_failed(conn, order, data | {"error": error[:300]})
