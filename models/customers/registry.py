"""Customers of a store, one per phone (E.164): their order history, the risk mark that
history earns, and the blacklist (SPEC §3.3 `fake`, §4 anti-fake).

The history is counted from the orders themselves, never kept in counters that could
drift: one aggregate query for one phone (an order card), one grouped query for a page of
customers. A customer row exists for every phone that ordered and for every phone the
store blacklisted; lifting the blacklist of a phone that never ordered removes its row.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max, Min, Sum
from tortoise.transactions import in_transaction

from models.customers.phones import InvalidPhone, parse_phone
from models.customers.risk import UNANSWERED, History, Risk, risk_of
from models.customers.tables import Customer
from models.errors import InvalidInput, NotFound
from models.infra.clock import now
from models.orders.lifecycle import TERMINAL, OrderStatus
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.stores import cache
from models.stores.tables import Store
from models.team import cards

log = logging.getLogger(__name__)

MAX_REASON = 200
MAX_BY = 128
OPEN = [s.value for s in OrderStatus if s not in TERMINAL and s is not OrderStatus.DELIVERED]
# A page filtered by risk examines at most this many customers per request (see
# customers_page), in batches of SCAN_BATCH: one grouped query per batch.
SCAN_BATCH = 200
SCAN_LIMIT = 2000
# Open orders whose cards learn at once that their phone was (un)blacklisted.
CARDS_REFRESHED = 20


@dataclass(frozen=True, slots=True)
class Standing:
    """What an order card shows of its customer: the phone's other orders and the mark."""

    history: History
    risk: Risk
    blacklist_reason: str = ""

    @property
    def blacklisted(self) -> bool:
        return self.risk is Risk.BLACKLISTED


@dataclass(frozen=True, slots=True)
class CustomerView:
    customer: Customer
    history: History

    @property
    def risk(self) -> Risk:
        return risk_of(self.history, self.customer.blacklisted)


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Optional criteria of a customer list; `phone` is E.164, `since` timezone-aware
    (customers who ordered at or after it)."""

    blacklisted: bool | None = None
    risk: Risk | None = None
    phone: str | None = None
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerPage:
    items: list[CustomerView]
    # Customer id to pass as `before_id` for the next page; None at the end.
    next_before: int | None


def parse_customer_phone(raw: str) -> str:
    """E.164 of a phone typed in any usual form; InvalidInput names the field otherwise."""
    try:
        return parse_phone(raw).e164
    except InvalidPhone as exc:
        raise InvalidInput(f"phone: not an Algerian phone number ({exc.reason})") from None


def actor_label(actor: Actor) -> str:
    """Who blacklisted, as stored: `Amina (agent)`, `API`."""
    name = actor.name or actor.kind
    return name if actor.kind in ("api", "system") else f"{name} ({actor.kind})"


_ACTOR_LABEL = re.compile(r"(.+) \((owner|agent)\)")
_FAKE_ORDER = re.compile(r"fake order #(\d+)")


def split_actor_label(label: str) -> tuple[str, str | None]:
    """`Amina (agent)` → ("Amina", "agent"), so a screen can name the role in its language."""
    found = _ACTOR_LABEL.fullmatch(label)
    return (found.group(1), found.group(2)) if found else (label, None)


def fake_order_reason(number: int) -> str:
    """The reason stored when the Fake outcome blacklists a phone (shown translated)."""
    return f"fake order #{number}"


def fake_order_of(reason: str) -> int | None:
    """The order number of a reason written by `fake_order_reason`, else None."""
    found = _FAKE_ORDER.fullmatch(reason)
    return int(found.group(1)) if found else None


# --- history -----------------------------------------------------------------------------


def _aggregates(skip_order: int | None) -> dict[str, Any]:
    def only(condition: Q | None = None) -> Q | None:
        skip = ~Q(id=skip_order) if skip_order is not None else None
        parts = [q for q in (condition, skip) if q is not None]
        return Q(*parts) if parts else None

    cancelled = Q(status=OrderStatus.CANCELLED)
    return {
        "h_orders": Count("id", _filter=only()),
        "h_open": Count("id", _filter=only(Q(status__in=OPEN))),
        "h_delivered": Count("id", _filter=only(Q(status=OrderStatus.DELIVERED))),
        "h_returned": Count("id", _filter=only(Q(status=OrderStatus.RETURNED))),
        "h_cancelled": Count("id", _filter=only(cancelled)),
        "h_fake": Count(
            "id", _filter=only(cancelled & (Q(last_call_outcome="fake") | Q(cancel_reason="fake")))
        ),
        "h_unanswered": Count("id", _filter=only(cancelled & Q(last_call_outcome__in=UNANSWERED))),
        "h_amount": Sum("total", _filter=only(Q(status=OrderStatus.DELIVERED))),
        "h_first": Min("created_at", _filter=only()),
        "h_last": Max("created_at", _filter=only()),
    }


def _moment(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite hands back the stored text


def _history(row: dict[str, Any]) -> History:
    return History(
        orders=int(row["h_orders"] or 0),
        open=int(row["h_open"] or 0),
        delivered=int(row["h_delivered"] or 0),
        returned=int(row["h_returned"] or 0),
        cancelled=int(row["h_cancelled"] or 0),
        fake=int(row["h_fake"] or 0),
        unanswered=int(row["h_unanswered"] or 0),
        delivered_amount=int(row["h_amount"] or 0),
        first_order_at=_moment(row["h_first"]),
        last_order_at=_moment(row["h_last"]),
    )


async def standing_of(order: Order) -> Standing:
    """The order's customer as its card shows them: the phone's other orders in the store
    and the mark they earn. One query (the order's own row carries the blacklist flag)."""
    aggregates = _aggregates(skip_order=order.id)
    flag, reason = "customer__blacklisted", "customer__blacklist_reason"
    rows = (
        await Order.filter(store_id=order.store_id, phone=order.phone)
        .annotate(**aggregates)
        .group_by(flag, reason)
        .values(flag, reason, *aggregates)
    )
    if not rows:  # the order is gone: nothing to say about its customer
        return Standing(History(), Risk.NEW)
    row = rows[0]
    history = _history(row)
    blacklisted = bool(row[flag])
    return Standing(history, risk_of(history, blacklisted), row[reason] if blacklisted else "")


async def histories(store: Store, phones: Sequence[str]) -> dict[str, History]:
    """History of several phones in one grouped query; a phone with no order has none."""
    found = {phone: History() for phone in phones}
    if not phones:
        return found
    aggregates = _aggregates(skip_order=None)
    rows = (
        await Order.filter(store_id=store.id, phone__in=list(found))
        .annotate(**aggregates)
        .group_by("phone")
        .values("phone", *aggregates)
    )
    for row in rows:
        found[row["phone"]] = _history(row)
    return found


async def _views(store: Store, customers: Sequence[Customer]) -> list[CustomerView]:
    known = await histories(store, [c.phone for c in customers])
    return [CustomerView(c, known[c.phone]) for c in customers]


async def get_customer(store: Store, phone: str) -> CustomerView:
    """The store's customer by phone (any usual form): history, mark and blacklist state.
    NotFound when the store never saw the phone and did not blacklist it."""
    e164 = parse_customer_phone(phone)
    customer = await Customer.get_or_none(store_id=store.id, phone=e164)
    if customer is None:
        raise NotFound("customer", e164)
    return (await _views(store, [customer]))[0]


# --- lists -------------------------------------------------------------------------------


def _filtered(store: Store, where: CustomerFilter) -> Any:
    query = Customer.filter(store_id=store.id)
    if where.blacklisted is not None:
        query = query.filter(blacklisted=where.blacklisted)
    if where.risk is not None:  # the blacklist decides the mark before any history
        query = query.filter(blacklisted=where.risk is Risk.BLACKLISTED)
    if where.phone is not None:
        query = query.filter(phone=where.phone)
    if where.since is not None:
        recent = Order.filter(store_id=store.id, created_at__gte=where.since)
        query = query.filter(id__in=Subquery(recent.values("customer_id")))
    return query


def _older(query: Any, before_id: int | None) -> Any:
    return query.filter(id__lt=before_id) if before_id is not None else query


async def customers_page(
    store: Store, where: CustomerFilter, before_id: int | None, limit: int
) -> CustomerPage:
    """Up to `limit` of the store's customers, newest first, older than `before_id`.

    The mark is computed, not stored, so a `risk` other than blacklisted is matched by
    examining customers SCAN_BATCH at a time, at most SCAN_LIMIT per call: such a page may
    hold fewer than `limit` customers (even none) and still have a next page.
    """
    query = _filtered(store, where)
    if where.risk is None or where.risk is Risk.BLACKLISTED:
        rows = await _older(query, before_id).order_by("-id").limit(limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return CustomerPage(await _views(store, page), page[-1].id if more else None)
    return await _scan(store, query, where.risk, before_id, limit)


async def _scan(
    store: Store, query: Any, risk: Risk, before_id: int | None, limit: int
) -> CustomerPage:
    matched: list[CustomerView] = []
    cursor, examined = before_id, 0
    while examined < SCAN_LIMIT:
        batch = await _older(query, cursor).order_by("-id").limit(SCAN_BATCH)
        for index, view in enumerate(await _views(store, batch)):
            cursor = view.customer.id
            if view.risk is risk:
                matched.append(view)
            if len(matched) == limit:
                more = index < len(batch) - 1 or len(batch) == SCAN_BATCH
                return CustomerPage(matched, cursor if more else None)
        examined += len(batch)
        if len(batch) < SCAN_BATCH:
            return CustomerPage(matched, None)
    return CustomerPage(matched, cursor)


async def list_blacklisted(
    store: Store, before_id: int | None = None, limit: int = 20
) -> tuple[list[Customer], int | None]:
    """The store's blacklisted phones, newest customer first, and the cursor of the next
    page (None at the end)."""
    query = _older(Customer.filter(store_id=store.id, blacklisted=True), before_id)
    rows = await query.order_by("-id").limit(limit + 1)
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)


async def blacklisted_customer(store: Store, customer_id: int) -> Customer:
    """One of the store's blacklisted customers by id; NotFound when it is not (or no
    longer) on the list, or belongs to another store."""
    customer = await Customer.get_or_none(id=customer_id, store_id=store.id, blacklisted=True)
    if customer is None:
        raise NotFound("blacklisted customer", customer_id)
    return customer


# --- blacklist ---------------------------------------------------------------------------


async def mark_blacklisted(conn: BaseDBAsyncClient, customer_id: int, reason: str, by: str) -> bool:
    """Inside the caller's transaction: put the customer on the blacklist, saying why, who
    and when. A customer already on it keeps the first record (False is returned)."""
    changed = (
        await Customer.filter(id=customer_id, blacklisted=False)
        .using_db(conn)
        .update(
            blacklisted=True,
            blacklist_reason=reason[:MAX_REASON],
            blacklisted_at=now(),
            blacklisted_by=by[:MAX_BY],
        )
    )
    return bool(changed)


async def blacklist_fake_order(
    conn: BaseDBAsyncClient, store: Store, order: Order, actor: Actor
) -> bool:
    """Inside the transaction that cancels `order` as fake (a call's outcome or the card's
    Cancel ▸ fake): blacklist its customer with the fake-order reason, and drop the store's
    kept blacklist so the storefront refuses the phone at once. False when the customer was
    already on the list (the first record is kept)."""
    why = fake_order_reason(order.number)
    added = await mark_blacklisted(conn, order.customer_id, why, actor_label(actor))
    cache.forget(store.id)  # the checkout's early refusal reads the list from memory
    return added


async def _customer_row(store: Store, phone: str) -> Customer:
    customer = await Customer.get_or_none(store_id=store.id, phone=phone)
    if customer is not None:
        return customer
    try:
        return await Customer.create(store=store, phone=phone, name="")
    except IntegrityError:  # a checkout or another blacklisting created it meanwhile
        return await Customer.get(store_id=store.id, phone=phone)


async def _refresh_cards(store: Store, phone: str) -> None:
    """The cards of the phone's open orders show the new mark without waiting for a change."""
    orders = (
        await Order.filter(store_id=store.id, phone=phone, status__in=OPEN)
        .order_by("-id")
        .limit(CARDS_REFRESHED)
        .values_list("id", "version")
    )
    for order_id, version in orders:
        await cards.mark_cards(order_id, version)


async def blacklist_phone(store: Store, phone: str, reason: str, by: str) -> CustomerView:
    """Refuse the phone's future orders in this store (SPEC §4). `phone` in any usual form,
    `by` says who (see actor_label). A phone the store never saw gets its customer row.
    Blacklisting a phone already on the list replaces its reason only (a blank one keeps
    it). Raises InvalidInput for a bad phone or a reason over MAX_REASON characters."""
    e164 = parse_customer_phone(phone)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason: at most {MAX_REASON} characters")
    customer = await _customer_row(store, e164)
    async with in_transaction() as conn:
        added = await mark_blacklisted(conn, customer.id, reason, by)
    cache.forget(store.id)
    if not added and reason:
        await Customer.filter(id=customer.id).update(blacklist_reason=reason)
    log.info(
        "phone blacklisted store=%s customer=%s by=%s new=%s", store.slug, customer.id, by, added
    )
    await _refresh_cards(store, e164)
    return await get_customer(store, e164)


async def unblacklist_phone(store: Store, phone: str, by: str) -> bool:
    """Take the phone off the blacklist; False when it was not on it. NotFound when the
    store never saw the phone. A phone that never ordered leaves no customer behind."""
    e164 = parse_customer_phone(phone)
    customer = await Customer.get_or_none(store_id=store.id, phone=e164)
    if customer is None:
        raise NotFound("customer", e164)
    async with in_transaction() as conn:
        lifted = await (
            Customer.filter(id=customer.id, blacklisted=True)
            .using_db(conn)
            .update(blacklisted=False, blacklist_reason="", blacklisted_at=None, blacklisted_by="")
        )
        # Still blacklisted until this commits, so no checkout can take the row meanwhile.
        ordered = await Order.filter(store_id=store.id, phone=e164).using_db(conn).exists()
        if lifted and not ordered:
            await Customer.filter(id=customer.id).using_db(conn).delete()
    cache.forget(store.id)  # after the commit: a read meanwhile saw it still listed
    log.info("phone unblacklisted store=%s customer=%s by=%s", store.slug, customer.id, by)
    if lifted:
        await _refresh_cards(store, e164)
    return bool(lifted)


def _without(whole: History, own: History) -> History:
    """A phone's history less one of its orders (the counts; the dates are not needed)."""
    return History(
        orders=whole.orders - own.orders,
        open=whole.open - own.open,
        delivered=whole.delivered - own.delivered,
        returned=whole.returned - own.returned,
        cancelled=whole.cancelled - own.cancelled,
        fake=whole.fake - own.fake,
        unanswered=whole.unanswered - own.unanswered,
    )


async def order_marks(store: Store, orders: Sequence[Order]) -> dict[int, Risk]:
    """The mark each order's card shows (standing_of: the phone's other orders), for many
    orders in three grouped queries: the phones' histories, each order's own share of
    them, and the blacklist."""
    phones = sorted({o.phone for o in orders})
    whole = await histories(store, phones)
    aggregates = _aggregates(skip_order=None)
    rows = (
        await Order.filter(id__in=[o.id for o in orders])
        .annotate(**aggregates)
        .group_by("id")
        .values("id", *aggregates)
    )
    own = {int(row["id"]): _history(row) for row in rows}
    listed = set(
        await Customer.filter(store_id=store.id, phone__in=phones, blacklisted=True).values_list(
            "phone", flat=True
        )
    )
    return {
        o.id: risk_of(_without(whole[o.phone], own.get(o.id, History())), o.phone in listed)
        for o in orders
    }
