"""The checkout's writes, in one place: concurrent checkouts committed together.

A checkout that passed every check it can make outside a transaction (models.orders.intake) is a
`NewOrder`: the lines resolved, the fee and totals known, the outbox channels chosen. It
is queued here and awaited. One writer per process takes whatever is queued (up to
MAX_BATCH) and writes it in one transaction (group commit):

1. per store, the store row is locked first (`UPDATE … RETURNING` of its order counter:
   PostgreSQL's row lock; SQLite's `BEGIN IMMEDIATE` already holds the only write lock),
   so every check below sees every order committed before, by any process;
2. one read of the idempotency keys, one of the phones' customers and one of their
   orders of the last hour and of the duplicate window, for the whole batch;
3. each checkout is decided in turn, in queue order, against those rows and the batch's
   earlier checkouts: an idempotent replay, a duplicate (the order it repeats), the
   phone's hourly limit, a blacklisted customer — a refused or repeated checkout writes
   nothing and takes no number;
4. the accepted ones are written with one multi-row `INSERT` per table (customers,
   orders, lines, timeline events, idempotency keys, outbox rows), numbered in order, and
   the store's counter is set once.

Each order is all-or-nothing: nothing is written for a refused checkout, and a batch that
fails as a whole (a database error, a unique key another process took meanwhile) is rolled
back and each of its checkouts written again alone, so one bad checkout cannot fail the
others. No ORM query is built and no model object made: a handful of plain statements per
batch, whatever its size.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.connection import connections
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from models.errors import Blacklisted, IdempotencyConflict, InvalidOrder
from models.infra import clock
from models.infra.db import dialect_sql
from models.orders.lifecycle import OrderStatus
from models.orders.timeline import EventType
from models.outbox import relay
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_rows import json_list, webhook_payload
from models.stores.tables import Store

log = logging.getLogger(__name__)

MAX_BATCH = 64  # checkouts per transaction
PHONE_LIMIT_PER_HOUR = 5
PENDING = OrderStatus.PENDING.value
CREATED = EventType.CREATED.value  # the timeline's type, written here in bulk with its order
CANCELLED = OrderStatus.CANCELLED.value


@dataclass(frozen=True, slots=True)
class NewLine:
    variant_id: int
    product_name: str
    variant_label: str
    sku: str
    unit_price: int
    quantity: int


@dataclass(frozen=True, slots=True)
class NewOrder:
    """A checkout ready to be written: everything but its number, customer and ids."""

    store: Store
    name: str
    phone: str
    wilaya_code: int
    wilaya_code_58: int
    commune_code: str
    commune_name: str
    address: str
    delivery_type: str
    note: str
    lines: tuple[NewLine, ...]
    subtotal: int
    delivery_fee: int
    source: str
    fingerprint: str
    client_ip: str
    actor: tuple[str, str, str]  # kind, id, name of who placed it
    channels: tuple[str, ...]  # outbox channels that want order.created
    idempotency: tuple[str, str] | None = None  # key, request hash

    @property
    def total(self) -> int:
        return self.subtotal + self.delivery_fee


@dataclass(frozen=True, slots=True)
class Written:
    """What became of a checkout: its order's id and number; `created` False for a
    duplicate or a replay (the existing order), `replayed` for the caller's own key."""

    order_id: int
    number: int
    created: bool
    replayed: bool = False
    created_at: datetime | None = None  # of a created order: as written
    customer_id: int = 0
    event_id: int = 0


@dataclass(slots=True)
class _Pending:
    item: NewOrder
    done: asyncio.Future[Written]


_queue: list[_Pending] = []
_drainer: asyncio.Task[None] | None = None


async def write(item: NewOrder) -> Written:
    """Queue `item` for the next batch and wait for its outcome: Written, or the refusal
    (Blacklisted, InvalidOrder for the hourly limit, IdempotencyConflict) or the database
    error that kept it out. Returns once the transaction that holds it has committed."""
    global _drainer
    done: asyncio.Future[Written] = asyncio.get_running_loop().create_future()
    _queue.append(_Pending(item, done))
    if _drainer is None or _drainer.done():
        _drainer = asyncio.ensure_future(_drain())
    # The caller may go away (a client hanging up): the order is still written, once.
    return await asyncio.shield(done)


async def _drain() -> None:
    while _queue:
        batch = _queue[:MAX_BATCH]
        del _queue[: len(batch)]
        try:
            await _commit(batch)
        except BaseException as exc:  # each checkout gets the outcome
            for pending in batch:
                if not pending.done.done():
                    pending.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise


async def _commit(batch: list[_Pending]) -> None:
    try:
        outcomes = await _write_batch([p.item for p in batch])
    except Exception as exc:
        if len(batch) == 1:
            raise
        # One checkout's failure must not cost the others: each again, alone.
        log.warning("checkout batch failed, written one by one size=%s error=%r", len(batch), exc)
        for pending in batch:
            try:
                await _commit([pending])
            except Exception as alone:
                pending.done.set_exception(alone)
        return
    relay.notify_committed()
    for pending, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, Exception):
            pending.done.set_exception(outcome)
        else:
            pending.done.set_result(outcome)


# ---------------------------------------------------------------- the batch transaction

_LOCK_STORE = (
    'UPDATE "store" SET "last_order_number" = "last_order_number" '
    'WHERE "id" = ? RETURNING "last_order_number"'
)
_SET_NUMBER = 'UPDATE "store" SET "last_order_number" = ? WHERE "id" = ?'
_ENDPOINTS = (
    'SELECT "id", "events" FROM "webhook_endpoint" '
    'WHERE "store_id" = ? AND "active" AND "deleted_at" IS NULL'
)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _insert(table: str, columns: Sequence[str], rows: int, returning: str = "") -> str:
    row = f"({_marks(len(columns))})"
    names = ", ".join(f'"{c}"' for c in columns)
    tail = f" RETURNING {returning}" if returning else ""
    return f'INSERT INTO "{table}" ({names}) VALUES {", ".join([row] * rows)}{tail}'  # noqa: S608


_ORDER_COLUMNS = (
    "store_id", "number", "customer_id", "status", "version", "name", "phone",
    "wilaya_code", "wilaya_code_58", "commune_code", "commune_name", "address",
    "delivery_type", "note", "subtotal", "delivery_fee", "total", "stock_committed",
    "source", "fingerprint", "client_ip", "call_attempts", "no_answers",
    "last_call_outcome", "claimed_by_id", "claimed_by_name", "phone2", "discount",
    "call_note", "cancel_reason", "cancel_note", "cancelled_by", "courier", "tracking",
    "created_at", "updated_at",
)  # fmt: skip
_LINE_COLUMNS = (
    "order_id", "variant_id", "product_name", "variant_label", "sku", "unit_price", "quantity",
)  # fmt: skip
_EVENT_COLUMNS = (
    "order_id", "at", "type", "from_status", "to_status", "actor_kind", "actor_id",
    "actor_name", "note", "data",
)  # fmt: skip
_OUTBOX_COLUMNS = (
    "store_id", "channel", "topic", "dedupe_key", "payload", "status", "attempts",
    "available_at", "locked_by", "last_error", "created_at",
)  # fmt: skip
_CUSTOMER_COLUMNS = (
    "store_id", "phone", "name", "blacklisted", "blacklist_reason", "blacklisted_by",
    "created_at",
)  # fmt: skip
_KEY_COLUMNS = ("store_id", "key", "request_hash", "order_id", "created_at")


@dataclass(frozen=True, slots=True)
class _Recent:
    """An order of a phone: in the database (`slot` None) or accepted earlier in this batch."""

    order_id: int
    number: int
    slot: int | None
    fingerprint: str
    status: str
    in_window: bool
    in_hour: bool

    @property
    def age_rank(self) -> tuple[bool, int]:  # larger is newer; the batch's own are newest
        return (self.slot is not None, self.order_id if self.slot is None else self.slot)


@dataclass(slots=True)
class _Phone:
    """What the batch knows of one phone of one store: its customer and recent orders."""

    customer: tuple[int, bool] | None = None  # id, blacklisted
    creates_customer: bool = False  # this batch inserts it
    orders: list[_Recent] = field(default_factory=list)


async def _write_batch(items: list[NewOrder]) -> list[Written | Exception]:
    t = clock.now()
    client = connections.get("default")
    if isinstance(client, SqliteClient) and not isinstance(client, TransactionalDBClient):
        return await _sqlite_batch(client, t, items)
    async with in_transaction() as conn:
        return await _batch(conn, t, items)


async def _batch(
    conn: BaseDBAsyncClient, t: datetime, items: list[NewOrder]
) -> list[Written | Exception]:
    outcomes: list[Written | Exception | None] = [None] * len(items)
    by_store: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        by_store.setdefault(item.store.id, []).append(index)
    for store_id in sorted(by_store):  # locks in one order: no deadlock between processes
        await _store_batch(conn, t, [(i, items[i]) for i in by_store[store_id]], outcomes)
    return [o if o is not None else RuntimeError("checkout left undecided") for o in outcomes]


# ------------------------------------------------- SQLite: the batch in one trip to its thread


async def _sqlite_batch(
    client: SqliteClient, t: datetime, items: list[NewOrder]
) -> list[Written | Exception]:
    """The batch's transaction as one job of the connection's thread (aiosqlite runs one
    job at a time there), behind the lock every query and transaction of the process takes.

    Through the ORM's connection each of the batch's dozen statements was a trip to that
    thread and back, and each way back waited its turn behind every request the event
    loop had ready: under 32 concurrent checkouts a batch took 28 ms at p50 and 156 ms at
    p99, and a checkout waits for up to two batches (bench/README.md). The statements,
    their order, their values and the decisions are `_batch`'s own: it runs here against
    `_SqliteNow`, whose queries never suspend, so it completes in a single step."""
    async with client.acquire_connection() as connection:
        db = connection._conn  # the sqlite3 connection aiosqlite's thread owns
        try:
            return await connection._execute(_run_batch, db, t, items)
        except sqlite3.OperationalError as exc:  # as the ORM's client translates them
            raise OperationalError(exc) from exc
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc


# The ORM's own statement log, which LOG_SQL=true turns on (hanout.logs): the batch's
# statements are logged there as the ORM would have logged them.
_SQL_LOG = logging.getLogger("tortoise.db_client")


class _SqliteNow:
    """The two query methods `_batch` uses, run at once on a sqlite3 connection."""

    capabilities = SqliteClient.capabilities

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    async def execute_query_dict(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        _SQL_LOG.debug("%s: %s", query, values)
        cursor = self.db.execute(query, values)
        cursor.row_factory = sqlite3.Row
        return [dict(row) for row in cursor.fetchall()]

    async def execute_query(self, query: str, values: list[Any]) -> None:
        _SQL_LOG.debug("%s: %s", query, values)
        self.db.execute(query, values)


def _run_batch(
    db: sqlite3.Connection, t: datetime, items: list[NewOrder]
) -> list[Written | Exception]:
    """In the connection's thread: BEGIN IMMEDIATE (as the ORM's transactions here begin),
    the batch, COMMIT; ROLLBACK on any error."""
    db.commit()
    db.execute("BEGIN IMMEDIATE")
    try:
        step = _batch(cast(BaseDBAsyncClient, _SqliteNow(db)), t, items)
        try:
            step.send(None)
        except StopIteration as done:
            outcomes: list[Written | Exception] = done.value
        else:  # cannot happen: nothing in `_batch` waits but the queries
            step.close()
            raise RuntimeError("the checkout batch waited on something else than SQLite")
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return outcomes


async def _store_batch(
    conn: BaseDBAsyncClient,
    t: datetime,
    items: list[tuple[int, NewOrder]],
    outcomes: list[Written | Exception | None],
) -> None:
    store = items[0][1].store
    rows = await conn.execute_query_dict(dialect_sql(conn, _LOCK_STORE), [store.id])
    if not rows:
        for index, _ in items:
            outcomes[index] = InvalidOrder({"store": "not_found"})
        return
    last_number = int(rows[0]["last_order_number"])
    keys = await _keys(conn, store.id, [i.idempotency[0] for _, i in items if i.idempotency])
    phones = await _phones(conn, store, t, sorted({i.phone for _, i in items}))
    accepted: list[tuple[int, NewOrder, int]] = []  # (index, item, number)
    repeats: list[tuple[int, int, bool]] = []  # (index, batch slot it repeats, replayed)
    batch_keys: dict[str, tuple[str, int]] = {}  # key → (request hash, batch slot)
    for index, item in items:
        phone = phones[item.phone]
        decided = _decide(item, keys, batch_keys, phone)
        if isinstance(decided, tuple):
            repeats.append((index, *decided))
            continue
        if decided is not None:
            outcomes[index] = decided
            continue
        slot = len(accepted)
        last_number += 1
        accepted.append((index, item, last_number))
        phone.orders.append(_Recent(0, last_number, slot, item.fingerprint, PENDING, True, True))
        if phone.customer is None:
            phone.creates_customer = True
            phone.customer = (0, False)
        if item.idempotency is not None:
            batch_keys[item.idempotency[0]] = (item.idempotency[1], slot)
    if not accepted:
        return
    written = await _insert_all(conn, store, t, accepted, phones)
    for (index, _, _), outcome in zip(accepted, written, strict=True):
        outcomes[index] = outcome
    for index, slot, replayed in repeats:
        first = written[slot]
        outcomes[index] = Written(first.order_id, first.number, created=False, replayed=replayed)
    await conn.execute_query(dialect_sql(conn, _SET_NUMBER), [last_number, store.id])


def _decide(
    item: NewOrder,
    keys: dict[str, tuple[str, int, int]],
    batch_keys: dict[str, tuple[str, int]],
    phone: _Phone,
) -> Written | Exception | tuple[int, bool] | None:
    """None: write it. Written: an existing order it repeats. (slot, replayed): it repeats
    the order an earlier checkout of this batch creates. An exception: refused."""
    if item.idempotency is not None:
        key, request_hash = item.idempotency
        if (stored := keys.get(key)) is not None:
            if stored[0] != request_hash:
                return IdempotencyConflict()
            return Written(stored[1], stored[2], created=False, replayed=True)
        if (in_batch := batch_keys.get(key)) is not None:
            if in_batch[0] != request_hash:
                return IdempotencyConflict()
            return (in_batch[1], True)
    same = [
        o
        for o in phone.orders
        if o.fingerprint == item.fingerprint and o.in_window and o.status != CANCELLED
    ]
    if same:
        newest = max(same, key=lambda o: o.age_rank)
        if newest.slot is not None:
            return (newest.slot, False)
        return Written(newest.order_id, newest.number, created=False)
    if sum(1 for o in phone.orders if o.in_hour) >= PHONE_LIMIT_PER_HOUR:
        return InvalidOrder({"phone": "rate_limited"})
    if phone.customer is not None and phone.customer[1]:
        return Blacklisted()
    return None


_KEYS = (
    'SELECT k."key" AS "key", k."request_hash" AS "request_hash", '
    'k."order_id" AS "order_id", o."number" AS "number" '
    'FROM "idempotency_key" AS k JOIN "order" AS o ON o."id" = k."order_id" '
    'WHERE k."store_id" = ? AND k."key" IN '
)


async def _keys(
    conn: BaseDBAsyncClient, store_id: int, keys: list[str]
) -> dict[str, tuple[str, int, int]]:
    """The idempotency keys already bound: key → (request hash, order id, number)."""
    if not keys:
        return {}
    sql = f"{_KEYS}({_marks(len(keys))})"
    rows = await conn.execute_query_dict(dialect_sql(conn, sql), [store_id, *keys])
    return {r["key"]: (r["request_hash"], int(r["order_id"]), int(r["number"])) for r in rows}


_CUSTOMERS = (
    'SELECT "id", "phone", "blacklisted" FROM "customer" WHERE "store_id" = ? AND "phone" IN '
)
# The orders of the phones since the start of the duplicate window or of the last hour,
# whichever is older. Datetimes compare in SQL as the ORM's filters do (SQLite keeps them
# as ISO text in UTC; PostgreSQL as timestamptz).
_RECENT = (
    'SELECT "id", "number", "phone", "fingerprint", "status", '
    '"created_at" >= ? AS "in_window", "created_at" >= ? AS "in_hour" '
    'FROM "order" WHERE "store_id" = ? AND "created_at" >= ? AND "phone" IN '
)


async def _phones(
    conn: BaseDBAsyncClient, store: Store, t: datetime, numbers: list[str]
) -> dict[str, _Phone]:
    phones = {n: _Phone() for n in numbers}
    marks = f"({_marks(len(numbers))})"
    customers = await conn.execute_query_dict(
        dialect_sql(conn, _CUSTOMERS + marks), [store.id, *numbers]
    )
    for row in customers:
        phones[row["phone"]].customer = (int(row["id"]), bool(row["blacklisted"]))
    window = t - timedelta(minutes=store.duplicate_window_minutes)
    hour = t - timedelta(hours=1)
    recent = await conn.execute_query_dict(
        dialect_sql(conn, _RECENT + marks), [window, hour, store.id, min(window, hour), *numbers]
    )
    for row in recent:
        phones[row["phone"]].orders.append(
            _Recent(
                int(row["id"]),
                int(row["number"]),
                None,
                row["fingerprint"],
                row["status"],
                bool(row["in_window"]),
                bool(row["in_hour"]),
            )
        )
    return phones


def _json(value: Any) -> Any:
    """A JSON column's value as the ORM writes it (its own encoder)."""
    return _PAYLOAD.to_db_value(value, OutboxMessage)


_PAYLOAD = OutboxMessage._meta.fields_map["payload"]
_EMPTY = _json({})


async def _insert_all(
    conn: BaseDBAsyncClient,
    store: Store,
    t: datetime,
    accepted: list[tuple[int, NewOrder, int]],
    phones: dict[str, _Phone],
) -> list[Written]:
    async def run(sql: str, values: list[Any]) -> list[dict[str, Any]]:
        return await conn.execute_query_dict(dialect_sql(conn, sql), values)

    values: list[Any]
    new = [p for p, known in phones.items() if known.creates_customer]
    if new:
        names = {i.phone: i.name for _, i, _ in reversed(accepted)}  # the first order's name
        values = [v for p in new for v in (store.id, p, names[p], False, "", "", t)]
        rows = await run(_insert("customer", _CUSTOMER_COLUMNS, len(new), '"id", "phone"'), values)
        for row in rows:
            phones[row["phone"]].customer = (int(row["id"]), False)
    customer_of = {p: known.customer[0] for p, known in phones.items() if known.customer}
    values = []
    for _, i, number in accepted:
        values += [
            store.id, number, customer_of[i.phone], PENDING, 1, i.name, i.phone,
            i.wilaya_code, i.wilaya_code_58, i.commune_code, i.commune_name, i.address,
            i.delivery_type, i.note, i.subtotal, i.delivery_fee, i.total, False,
            i.source, i.fingerprint, i.client_ip, 0, 0,
            "", "", "", "", 0,
            "", "", "", "", "", "",
            t, t,
        ]  # fmt: skip
    rows = await run(_insert("order", _ORDER_COLUMNS, len(accepted), '"id", "number"'), values)
    order_id = {int(r["number"]): int(r["id"]) for r in rows}
    lines = [(order_id[n], line) for _, i, n in accepted for line in i.lines]
    values = [
        v
        for oid, ln in lines
        for v in (
            oid, ln.variant_id, ln.product_name, ln.variant_label, ln.sku, ln.unit_price,
            ln.quantity,
        )
    ]  # fmt: skip
    await run(_insert("order_line", _LINE_COLUMNS, len(lines)), values)
    values = [
        v
        for _, i, n in accepted
        for v in (order_id[n], t, CREATED, None, PENDING, *_actor(i), "", _EMPTY)
    ]
    rows = await run(
        _insert("order_event", _EVENT_COLUMNS, len(accepted), '"id", "order_id"'), values
    )
    event_id = {int(r["order_id"]): int(r["id"]) for r in rows}
    keyed = [(i.idempotency, order_id[n]) for _, i, n in accepted if i.idempotency]
    if keyed:
        values = [v for (key, h), oid in keyed for v in (store.id, key, h, oid, t)]
        await run(_insert("idempotency_key", _KEY_COLUMNS, len(keyed)), values)
    messages = await _outbox_rows(conn, store, t, accepted, order_id, event_id)
    if messages:
        await run(_insert("outbox_message", _OUTBOX_COLUMNS, len(messages) // 11), messages)
    return [
        Written(
            order_id[n],
            n,
            created=True,
            created_at=t,
            customer_id=customer_of[i.phone],
            event_id=event_id[order_id[n]],
        )
        for _, i, n in accepted
    ]


def _actor(item: NewOrder) -> tuple[str, str, str]:
    kind, id_, name = item.actor
    return kind, id_[:64], name[:128]


async def _outbox_rows(
    conn: BaseDBAsyncClient,
    store: Store,
    t: datetime,
    accepted: list[tuple[int, NewOrder, int]],
    order_id: dict[int, int],
    event_id: dict[int, int],
) -> list[Any]:
    """The values of the outbox rows of the batch's orders (11 per row): one per channel
    that wants order.created, one per webhook endpoint subscribed to it."""
    values: list[Any] = []
    topic = "order.created"

    def row(channel: str, dedupe_key: str, payload: dict[str, Any]) -> None:
        values.extend(
            (store.id, channel, topic, dedupe_key, _json(payload), relay.PENDING, 0, t, "", "", t)
        )

    for _, item, number in accepted:
        oid = order_id[number]
        eid = event_id[oid]
        payload = {"order_id": oid, "number": number, "event_id": eid, "version": 1}
        for channel in item.channels:
            row(channel, f"{channel}:{eid}", payload)
    webhooks = relay.routes().channels.get(relay.WEBHOOK)
    if webhooks is None or not webhooks.wants(store, topic):
        return values
    # The webhook route's fan-out (webhook_rows.endpoint_rows), written for the whole batch.
    endpoints = await conn.execute_query_dict(dialect_sql(conn, _ENDPOINTS), [store.id])
    wanted = sorted(r["id"] for r in endpoints if topic in json_list(r["events"]))
    occurred = t.isoformat()
    for endpoint_id in wanted:
        for _, _item, number in accepted:
            oid = order_id[number]
            eid = event_id[oid]
            data = {"number": number, "status": PENDING, "old_status": None, "new_status": PENDING}
            payload = webhook_payload(
                endpoint_id, store, topic, occurred, data, order_id=oid, event_id=eid
            )
            row(relay.WEBHOOK, f"{relay.WEBHOOK}:{endpoint_id}:{eid}", payload)
    return values
