"""Transactional outbox (SPEC §7): rows written in the change's transaction, drained later.

Delivery is at-least-once per row and each row is unique per (channel, event), so a channel
handler that is idempotent on `dedupe_key` gives exactly-once notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.infra import clock
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import record_notification_failed
from models.outbox.routes import Routes
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store

log = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, DEAD = "pending", "processing", "done", "dead"
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
LEASE = timedelta(minutes=2)

# Store webhooks retry on their own schedule (1 min, 5 min, 30 min, 2 h, 12 h, then dead:
# six tries over about 15 hours).
WEBHOOK = "webhook"
CHANNEL_BACKOFF: dict[str, tuple[int, ...]] = {WEBHOOK: (60, 300, 1800, 7200, 43200)}

# The routing table in use: handed in by the composition root (`use_routes`) before
# anything publishes.
_routes: Routes | None = None
_listeners: list[Callable[[], None]] = []


def use_routes(table: Routes) -> Routes | None:
    """Hand the outbox its routing table (the composition root does, at start, before
    anything publishes); returns the table it replaces, if any."""
    global _routes
    previous, _routes = _routes, table
    return previous


def routes() -> Routes:
    """The routing table in use."""
    if _routes is None:
        raise RuntimeError("the outbox has no routing table: call relay.use_routes at start")
    return _routes


def channels_for(store: Store, topic: str) -> tuple[str, ...]:
    """The channels that get one row for `topic` of `store` (a channel with a fan-out, the
    webhook endpoints, aside)."""
    return tuple(r.channel for r in routes().wanting(store, topic) if r.fanout is None)


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
    """Write one outbox row per channel that wants `topic` (a channel with a fan-out, the
    store's webhook endpoints, writes one per recipient), inside the caller's transaction.
    Returns the number of rows written."""
    payload = {
        "order_id": order.id,
        "number": order.number,
        "event_id": event.id,
        "version": order.version,
        **(data or {}),
    }
    t = clock.now()
    rows: list[OutboxMessage] = []
    for route in routes().wanting(store, topic):
        if route.fanout is not None:
            rows += await route.fanout(conn, store, topic, order, event, data or {})
            continue
        rows.append(
            OutboxMessage(
                store_id=store.id,
                channel=route.channel,
                topic=topic,
                dedupe_key=f"{route.channel}:{event.id}",
                payload=payload,
                available_at=t,
            )
        )
    if rows:
        await OutboxMessage.bulk_create(rows, using_db=conn)
    return len(rows)


async def publish_notice(
    conn: BaseDBAsyncClient, store: Store, topic: str, key: str, payload: dict[str, Any]
) -> int:
    """Write one row per channel that wants `topic`, about the store rather than an order
    (an endpoint disabled, …), inside the caller's transaction. `key` makes the notice
    unique per channel: the same key is written once. Channels with a fan-out (about
    orders only) get no notice."""
    t = clock.now()
    rows = [
        OutboxMessage(
            store_id=store.id,
            channel=route.channel,
            topic=topic,
            dedupe_key=f"{route.channel}:{key}"[:128],
            payload=payload,
            available_at=t,
        )
        for route in routes().wanting(store, topic)
        if route.fanout is None
    ]
    if rows:
        await OutboxMessage.bulk_create(rows, using_db=conn)
    return len(rows)


async def claim(
    worker: str, limit: int = 50, channels: Collection[str] | None = None, fair: bool = False
) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this worker, each row by exactly one worker.

    Due means pending and past `available_at`, or processing with an expired lease (its
    worker died). Only rows of `channels` are taken when given, so a process leaves the
    channels it has no handler for to the process that has. Each claim counts one attempt;
    the returned rows carry `locked_by` and `attempts`, which `complete` and `fail` use as
    the proof that the row is still this worker's.

    Rows are taken oldest first; `fair` takes the oldest due row of every store first (see
    _FIRSTS), at the cost of sorting every due row of `channels`: for the channels whose
    claims are large and whose latency people watch (Telegram cards).
    """
    wanted = None if channels is None else sorted(set(channels))
    if limit <= 0 or wanted == []:
        return []
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        return await _claim_skip_locked(conn, worker, limit, wanted, fair)
    return await _claim_conditional(conn, worker, limit, wanted, fair)


# Fair between stores: a claim takes the oldest due row of every store first, then the
# oldest of the rest. One store's surge of orders (thousands of rows a minute) then never
# holds another store's cards behind it, first in first out. Otherwise: oldest first.
_DUE = """((status = 'pending' AND available_at <= {t})
          OR (status = 'processing' AND locked_until < {t})){channels}"""
_FIRSTS = "SELECT MIN(id) FROM outbox_message WHERE {due} GROUP BY store_id"

# SQLite has no row locks, and needs none: one statement runs under the database's single
# writer lock, so the rows it picks and the rows it takes are the same, and no other worker
# (thread or process) takes them in between.
_CLAIM_SQLITE = """
    UPDATE outbox_message
       SET status = ?, locked_by = ?, locked_until = ?, attempts = attempts + 1
     WHERE id IN (
        SELECT id FROM outbox_message WHERE {due}
         ORDER BY {order} LIMIT ?)
    RETURNING id"""


def _order(fair: bool, due: str) -> str:
    return f"id NOT IN ({_FIRSTS.format(due=due)}), id" if fair else "id"


async def _claim_conditional(
    conn: BaseDBAsyncClient, worker: str, limit: int, channels: list[str] | None, fair: bool
) -> list[OutboxMessage]:
    t = clock.now()
    wanted = "" if channels is None else f" AND channel IN ({', '.join('?' * len(channels))})"
    due = _DUE.format(t="?", channels=wanted)
    sql = _CLAIM_SQLITE.format(due=due, order=_order(fair, due))
    each_due = [t, t, *(channels or ())]
    values: list[Any] = [
        PROCESSING,
        worker,
        t + LEASE,
        *each_due,
        *(each_due if fair else ()),
        limit,
    ]
    rows = await conn.execute_query_dict(sql, values)
    ids = [r["id"] for r in rows]
    return await OutboxMessage.filter(id__in=ids).order_by("id") if ids else []


# MATERIALIZED keeps the locking sub-select a single evaluation, so LIMIT bounds the batch.
_PG_DUE = _DUE.format(t="$4", channels=" AND ($6::text[] IS NULL OR channel = ANY($6::text[]))")
_CLAIM_PG = """
    WITH due AS MATERIALIZED (
        SELECT id FROM outbox_message WHERE {due}
         ORDER BY {order} LIMIT $5
           FOR UPDATE SKIP LOCKED)
    UPDATE outbox_message AS m
       SET status = $1, locked_by = $2, locked_until = $3, attempts = m.attempts + 1
      FROM due WHERE m.id = due.id
    RETURNING m.id"""


async def _claim_skip_locked(
    conn: BaseDBAsyncClient, worker: str, limit: int, channels: list[str] | None, fair: bool
) -> list[OutboxMessage]:
    # Rows another worker is claiming right now are skipped, not waited for: concurrent
    # workers each get a disjoint batch without blocking one another.
    t = clock.now()
    sql = _CLAIM_PG.format(due=_PG_DUE, order=_order(fair, _PG_DUE))
    rows = await conn.execute_query_dict(sql, [PROCESSING, worker, t + LEASE, t, limit, channels])
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


async def complete_many(messages: Collection[OutboxMessage]) -> int:
    """Mark claimed rows delivered, in one statement per attempt number among them (one,
    nearly always); rows no longer their claim's are left as they are. Returns how many
    were marked."""
    by_claim: dict[tuple[str | None, int], list[int]] = {}
    for message in messages:
        by_claim.setdefault((message.locked_by, message.attempts), []).append(message.id)
    t, marked = clock.now(), 0
    for (worker, attempts), ids in by_claim.items():
        owned = OutboxMessage.filter(
            id__in=ids, status=PROCESSING, locked_by=worker, attempts=attempts
        )
        marked += await owned.update(status=DONE, sent_at=t, locked_until=None, last_error="")
    return marked


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
            hook = routes().dead_letter_hook(message.channel)
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
