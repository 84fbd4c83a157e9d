"""`place_order`: a validated checkout becomes an order, its lines, timeline and outbox rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.catalog.tables import Variant
from models.errors import Blacklisted, IdempotencyConflict, InvalidOrder
from models.infra import clock
from models.infra.db import dialect_sql
from models.orders import order_writer
from models.orders.checkout import (
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    CheckoutRequest,
    Draft,
    fingerprint,
    validate,
)
from models.orders.tables import IdempotencyKey, Order
from models.orders.timeline import Actor
from models.outbox import relay
from models.shipping.fees import NoFee, delivery_fee
from models.stores import cache
from models.stores.setup import kept_fee_table
from models.stores.tables import Store

log = logging.getLogger(__name__)

PHONE_LIMIT_PER_HOUR = order_writer.PHONE_LIMIT_PER_HOUR


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order: Order
    created: bool  # False: a duplicate or an idempotent replay returned the existing order
    # True: the caller's own Idempotency-Key made this order. A duplicate (same phone and
    # lines, no key or another key) is someone's order the caller has no proof of owning.
    replayed: bool = False


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


@dataclass(frozen=True, slots=True)
class Placement:
    """What the storefront needs of a placed checkout (no model object made): the order's
    store, id and number; `created` and `replayed` as in PlacedOrder."""

    store_id: int
    order_id: int
    number: int
    total: int
    created: bool
    replayed: bool = False


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
    item = await _new_order(store, request, draft, actor, idempotency)
    written = await order_writer.write(item)
    if not written.created:
        order = await Order.get(id=written.order_id)
        return PlacedOrder(order, created=False, replayed=written.replayed)
    _logged(store, written.number, item.total)
    return PlacedOrder(_order_object(item, written), created=True)


async def place(store: Store, request: CheckoutRequest, draft: Draft) -> Placement:
    """`place_order` for the storefront's checkout (no key, the customer as the actor),
    answering with the order's number rather than the order: the hot path builds no
    model object."""
    item = await _new_order(store, request, draft, None, None)
    written = await order_writer.write(item)
    if written.created:
        _logged(store, written.number, item.total)
    return Placement(
        store.id, written.order_id, written.number, item.total, written.created, written.replayed
    )


def _logged(store: Store, number: int, total: int) -> None:
    log.info("order placed store=%s number=%s total=%s", store.slug, number, total)


async def _new_order(
    store: Store,
    request: CheckoutRequest,
    draft: Draft,
    actor: Actor | None,
    idempotency: tuple[str, str] | None,
) -> order_writer.NewOrder:
    """Every check that needs no lock (the early blacklist refusal, the variants, the fee,
    the total), then the checkout as the writer takes it."""
    if await _blacklisted(store, draft.phone.e164):
        raise Blacklisted()
    resolved = await _resolve_variants(store, draft)
    fee = await _fee(store, draft)
    subtotal = sum(v.price * q for v, q in resolved.values())
    if subtotal + fee > MAX_ORDER_TOTAL:
        raise InvalidOrder({"items": "total_too_high"})
    who = actor or Actor("customer", "", draft.name)
    return order_writer.NewOrder(
        store=store,
        name=draft.name,
        phone=draft.phone.e164,
        wilaya_code=draft.wilaya.code,
        wilaya_code_58=draft.commune.wilaya_code_58,
        commune_code=draft.commune.ons_code,
        commune_name=draft.commune.name_fr,
        address=draft.address,
        delivery_type=draft.delivery_type,
        note=draft.note,
        lines=tuple(
            order_writer.NewLine(v.id, v.product.name, v.label(), v.sku, v.price, q)
            for v, q in resolved.values()
        ),
        subtotal=subtotal,
        delivery_fee=fee,
        source=request.source[:16],
        fingerprint=fingerprint(draft.phone.e164, {vid: q for vid, (_, q) in resolved.items()}),
        client_ip=request.client_ip[:45],
        actor=(who.kind, who.id, who.name),
        channels=relay.channels_for(store, "order.created"),
        idempotency=idempotency,
    )


def _order_object(item: order_writer.NewOrder, written: order_writer.Written) -> Order:
    """The created order as the ORM would read it back (for callers that go on with it)."""
    order = Order(
        store_id=item.store.id,
        number=written.number,
        customer_id=written.customer_id,
        name=item.name,
        phone=item.phone,
        wilaya_code=item.wilaya_code,
        wilaya_code_58=item.wilaya_code_58,
        commune_code=item.commune_code,
        commune_name=item.commune_name,
        address=item.address,
        delivery_type=item.delivery_type,
        note=item.note,
        subtotal=item.subtotal,
        delivery_fee=item.delivery_fee,
        total=item.total,
        source=item.source,
        fingerprint=item.fingerprint,
        client_ip=item.client_ip,
    )
    order.id = written.order_id
    order.created_at = order.updated_at = written.created_at or clock.now()
    order._saved_in_db = True
    return order
