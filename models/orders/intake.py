"""`place_order`: a validated checkout becomes an order, its lines, timeline and outbox rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.catalog.tables import Variant
from models.customers.tables import Customer
from models.errors import Blacklisted, IdempotencyConflict, InvalidOrder
from models.infra import clock
from models.infra.db import dialect_sql
from models.orders.checkout import (
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    CheckoutRequest,
    Draft,
    fingerprint,
    validate,
)
from models.orders.lifecycle import OrderStatus
from models.orders.tables import IdempotencyKey, Order, OrderLine
from models.orders.timeline import Actor, record_created
from models.outbox import relay
from models.shipping.fees import NoFee, delivery_fee
from models.stores import cache
from models.stores.setup import kept_fee_table
from models.stores.tables import Store

log = logging.getLogger(__name__)

PHONE_LIMIT_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order: Order
    created: bool  # False: a duplicate or an idempotent replay returned the existing order
    # True: the caller's own Idempotency-Key made this order. A duplicate (same phone and
    # lines, no key or another key) is someone's order the caller has no proof of owning.
    replayed: bool = False


class _Existing(Exception):
    """Leaves the checkout's transaction, rolled back (the number it took is given back),
    when the order already exists."""

    def __init__(self, placed: PlacedOrder) -> None:
        self.placed = placed


async def _orderable(store: Store, variant_id: int) -> Variant | None:
    """The store's active variant of an active product, with its product (kept in memory:
    models.stores.cache; read only)."""

    async def load() -> Variant | None:
        return (
            await Variant.filter(store_id=store.id, id=variant_id, active=True)
            .filter(product__active=True)
            .select_related("product")
            .first()
        )

    return await cache.cached(store.id, ("orderable", variant_id), load)


async def _resolve_variants(store: Store, draft: Draft) -> dict[int, tuple[Variant, int]]:
    ids = [int(k[3:]) for k in draft.quantities if k.startswith("id:") and k[3:].isdigit()]
    skus = [k[4:] for k in draft.quantities if k.startswith("sku:")]
    found = [v for v in [await _orderable(store, i) for i in ids] if v is not None]
    by_sku = (
        await Variant.filter(
            store_id=store.id, active=True, product__active=True, sku__in=skus
        ).select_related("product")
        if skus
        else []
    )
    index = {f"id:{v.id}": v for v in found} | {f"sku:{v.sku}": v for v in by_sku}
    resolved: dict[int, tuple[Variant, int]] = {}
    for key, qty in draft.quantities.items():
        variant = index.get(key)
        if variant is None:
            raise InvalidOrder({"items": "unknown_variant"})
        prev = resolved.get(variant.id, (variant, 0))[1]
        resolved[variant.id] = (variant, prev + qty)
    if any(qty > MAX_QUANTITY for _, qty in resolved.values()):
        raise InvalidOrder({"quantity": "out_of_range"})
    return resolved


# The hottest reads of a checkout as plain SQL: building them through the ORM costs more
# CPU than running them.
_BLACKLIST = 'SELECT "phone" FROM "customer" WHERE "store_id" = ? AND "blacklisted"'


async def _blacklisted(store: Store, phone: str) -> bool:
    """The early refusal, before any lock or number, from the store's blacklist kept in
    memory (models.stores.cache). The check that counts is _customer_id's, under the lock."""

    async def load() -> frozenset[str]:
        conn = connections.get("default")
        _, rows = await conn.execute_query(dialect_sql(conn, _BLACKLIST), [store.id])
        return frozenset(row["phone"] for row in rows)

    return phone in await cache.cached(store.id, "blacklist", load)


async def _fee(store: Store, draft: Draft) -> int:
    # The fee table comes from memory (models.stores.cache); the rule is models.shipping.fees'.
    table = await kept_fee_table(store)
    try:
        allowed = store.allowed_wilayas or ()
        return delivery_fee(table, draft.wilaya.code, draft.delivery_type, allowed)
    except NoFee as no:
        raise InvalidOrder({no.field: no.code}) from None


_NEXT_NUMBER = (
    'UPDATE "store" SET "last_order_number" = "last_order_number" + 1 '
    'WHERE "id" = ? RETURNING "last_order_number"'
)


async def _next_number(conn: BaseDBAsyncClient, store: Store) -> int:
    # The UPDATE takes the store row's lock on PostgreSQL (SQLite serialises writers), so
    # numbers are unique and the duplicate/idempotency checks after it see committed rows.
    # RETURNING reads the new number in the same statement (both dialects have it).
    rows = await conn.execute_query_dict(dialect_sql(conn, _NEXT_NUMBER), [store.id])
    return int(rows[0]["last_order_number"])


async def replayed_order(
    store: Store, idempotency: tuple[str, str], conn: BaseDBAsyncClient | None = None
) -> Order | None:
    """The order an Idempotency-Key already made, or None; IdempotencyConflict when the
    key came with a different request. Asked before anything else, so a replay gets the
    same order even if the product was hidden or the client hit a limit since."""
    query = IdempotencyKey.filter(store_id=store.id, key=idempotency[0])
    key = await (query.using_db(conn) if conn is not None else query).first()
    if key is None:
        return None
    if key.request_hash != idempotency[1]:
        raise IdempotencyConflict()
    orders = Order.filter(id=key.order_id)
    return await (orders.using_db(conn) if conn is not None else orders).get()


# The orders of a phone since the start of the duplicate window or of the last hour,
# whichever is older. Datetimes compare in SQL as the ORM's filters do (SQLite keeps them
# as ISO text in UTC; PostgreSQL as timestamptz).
# The phone's customer row comes in the same round trip (one row of NULLs when neither
# exists): under the store's lock every statement is a round trip the others wait for.
_RECENT = (
    'SELECT c."id" AS "customer_id", c."blacklisted" AS "blacklisted", o."id" AS "id", '
    'o."fingerprint" AS "fingerprint", o."status" AS "status", '
    'o."created_at" >= ? AS "in_window", o."created_at" >= ? AS "in_hour" '
    'FROM (SELECT 1 AS "one") AS "x" '
    'LEFT JOIN "customer" AS c ON c."store_id" = ? AND c."phone" = ? '
    'LEFT JOIN "order" AS o ON o."store_id" = ? AND o."phone" = ? AND o."created_at" >= ?'
)


async def _recent_orders(
    conn: BaseDBAsyncClient, store: Store, draft_fp: str, phone: str
) -> tuple[Order | None, int, tuple[int, bool] | None]:
    """The duplicate of this checkout (the newest order with the same phone and lines inside
    the store's window, not cancelled), and how many orders the phone placed in the last
    hour, and the phone's customer (id, blacklisted) if any: one query for all three."""
    t = clock.now()
    window, hour = t - timedelta(minutes=store.duplicate_window_minutes), t - timedelta(hours=1)
    since = min(window, hour)
    rows = await conn.execute_query_dict(
        dialect_sql(conn, _RECENT), [window, hour, store.id, phone, store.id, phone, since]
    )
    first = rows[0] if rows else None
    customer = (
        (int(first["customer_id"]), bool(first["blacklisted"]))
        if first is not None and first["customer_id"] is not None
        else None
    )
    duplicate = max(
        (
            int(row["id"])
            for row in rows
            if row["id"] is not None
            and row["fingerprint"] == draft_fp
            and row["in_window"]
            and row["status"] != OrderStatus.CANCELLED.value
        ),
        default=None,
    )
    recent = sum(1 for row in rows if row["in_hour"])
    if duplicate is None:
        return None, recent, customer
    return await Order.filter(id=duplicate).using_db(conn).get(), recent, customer


async def _remember_key(
    conn: BaseDBAsyncClient, store: Store, idempotency: tuple[str, str] | None, order: Order
) -> None:
    if idempotency is None:
        return
    await IdempotencyKey.create(
        using_db=conn, store=store, key=idempotency[0], request_hash=idempotency[1], order=order
    )


async def _not_placed_yet(
    conn: BaseDBAsyncClient,
    store: Store,
    idempotency: tuple[str, str] | None,
    draft_fp: str,
    phone: str,
) -> tuple[int, bool] | None:
    """Under the store row's lock, so a concurrent replay of the key or a duplicate is seen:
    raises _Existing for either, InvalidOrder past the phone's hourly limit. Returns the
    phone's customer (id, blacklisted), None when the store has none yet."""
    if idempotency is not None and (replay := await replayed_order(store, idempotency, conn)):
        raise _Existing(PlacedOrder(replay, created=False, replayed=True))
    duplicate, recent, customer = await _recent_orders(conn, store, draft_fp, phone)
    if duplicate is not None:
        raise _Existing(PlacedOrder(duplicate, created=False))
    if recent >= PHONE_LIMIT_PER_HOUR:
        raise InvalidOrder({"phone": "rate_limited"})
    return customer


async def _customer_id(
    conn: BaseDBAsyncClient, store: Store, draft: Draft, known: tuple[int, bool] | None
) -> int:
    """The customer row read under the lock (`known`), or a new one; Blacklisted for a
    blacklisted phone (the check that counts)."""
    if known is None:
        customer = await Customer.create(
            using_db=conn, store=store, phone=draft.phone.e164, name=draft.name
        )
        return customer.id
    if known[1]:
        raise Blacklisted()
    return known[0]


async def place_order(
    store: Store,
    request: CheckoutRequest,
    actor: Actor | None = None,
    idempotency: tuple[str, str] | None = None,
    draft: Draft | None = None,
) -> PlacedOrder:
    """Validate and record a customer's order in one transaction (SPEC §3–4).

    Returns the existing order instead of a new one for a replayed `idempotency`
    (key, request hash; `replayed`) or the same phone and lines inside the store's duplicate
    window; a key is bound only to the order it created, never to a duplicate. Raises
    InvalidOrder (a total over MAX_ORDER_TOTAL included), Blacklisted or
    IdempotencyConflict. Unless an order is created nothing is written, and no order number
    is taken.
    `draft` is `validate(request)` when the caller has already made it (parsing a phone
    number is not free).
    """
    if idempotency is not None and (replay := await replayed_order(store, idempotency)):
        return PlacedOrder(replay, created=False, replayed=True)
    if draft is None:
        draft = validate(request)
    if await _blacklisted(store, draft.phone.e164):
        raise Blacklisted()
    resolved = await _resolve_variants(store, draft)
    fee = await _fee(store, draft)
    if sum(v.price * q for v, q in resolved.values()) + fee > MAX_ORDER_TOTAL:
        raise InvalidOrder({"items": "total_too_high"})
    draft_fp = fingerprint(draft.phone.e164, {vid: q for vid, (_, q) in resolved.items()})
    try:
        async with in_transaction() as conn:
            # Taking the number first takes the store row's lock; an exit without an order
            # rolls it back, so numbers run without gaps.
            number = await _next_number(conn, store)
            known = await _not_placed_yet(conn, store, idempotency, draft_fp, draft.phone.e164)
            customer_id = await _customer_id(conn, store, draft, known)
            order = await _create(
                conn, store, draft, request, resolved, fee, number, draft_fp, customer_id
            )
            await _remember_key(conn, store, idempotency, order)
            event = await record_created(conn, order, actor or Actor("customer", "", draft.name))
            await relay.publish(conn, store, "order.created", order, event)
    except _Existing as existing:
        return existing.placed
    relay.notify_committed()
    log.info("order placed store=%s number=%s total=%s", store.slug, order.number, order.total)
    return PlacedOrder(order, created=True)


async def _create(
    conn: BaseDBAsyncClient,
    store: Store,
    draft: Draft,
    request: CheckoutRequest,
    resolved: dict[int, tuple[Variant, int]],
    fee: int,
    number: int,
    draft_fp: str,
    customer_id: int,
) -> Order:
    subtotal = sum(v.price * q for v, q in resolved.values())
    order = await Order.create(
        using_db=conn,
        store=store,
        number=number,
        customer_id=customer_id,
        name=draft.name,
        phone=draft.phone.e164,
        wilaya_code=draft.wilaya.code,
        wilaya_code_58=draft.commune.wilaya_code_58,
        commune_code=draft.commune.ons_code,
        commune_name=draft.commune.name_fr,
        address=draft.address,
        delivery_type=draft.delivery_type,
        note=draft.note,
        subtotal=subtotal,
        delivery_fee=fee,
        total=subtotal + fee,
        source=request.source[:16],
        fingerprint=draft_fp,
        client_ip=request.client_ip[:45],
    )
    await OrderLine.bulk_create(
        [
            OrderLine(
                order=order,
                variant=v,
                product_name=v.product.name,
                variant_label=v.label(),
                sku=v.sku,
                unit_price=v.price,
                quantity=q,
            )
            for v, q in resolved.values()
        ],
        using_db=conn,
    )
    return order
