"""Read side of the team's order desk: the orders to handle page by page, the orders a
digest named, and search by phone, number or name (SPEC §5). Every query is scoped to one
store."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count
from tortoise.queryset import QuerySet

from models.customers.phones import InvalidPhone, parse_phone
from models.infra.clock import now
from models.orders import name_search
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.stores.tables import Store

S = OrderStatus
# What the team still has to act on, in the order they act on it: calls first.
TO_HANDLE = (S.PENDING, S.CONFIRMED, S.PROCESSING, S.SHIPPED)
# Every status, live ones first: how a digest's orders are listed.
ALL_RANKED = (*TO_HANDLE, S.DELIVERED, S.RETURNED, S.CANCELLED)
FOUND_LIMIT = 10
MAX_QUERY = 120
# Order numbers start at 1001 and never begin with 0; a longer run of digits is a phone.
_NUMBER = re.compile(r"^#?\s*([1-9][0-9]{0,6})$")
_FORCED_NUMBER = re.compile(r"^#\s*([0-9]{1,9})$")


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of a ranked list; `page` is 0-based and always within `pages`. `counts`
    holds how many orders each slice of the ranking has, in rank order."""

    orders: list[Order]
    page: int
    pages: int
    total: int
    counts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Slice:
    """One rank of a list: the orders it takes and how they are ordered inside it."""

    query: QuerySet[Order]
    order_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HandlingPage:
    """/orders: who to call now (due call-backs, then never called, oldest first), the
    call-backs to come, then the orders past the call (to dispatch or follow)."""

    page: OrderPage
    to_call: int
    later: int
    after_call: int


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """What a typed search means: kind is number | phone | name."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Found:
    term: SearchTerm
    orders: list[Order]
    more: bool  # more orders matched than FOUND_LIMIT


async def _counts(query: QuerySet[Order]) -> dict[str, int]:
    rows = await query.annotate(n=Count("id")).group_by("status").values_list("status", "n")
    return {str(status): int(n) for status, n in rows}


async def _sliced_page(
    slices: Sequence[Slice], counts: Sequence[int], page: int, per_page: int
) -> OrderPage:
    """The slices one after the other, cut into pages. The count of each slice tells which
    slices a page spans, so no SQL CASE ordering is needed."""
    total = sum(counts)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 0), pages - 1)
    skip, room, orders = page * per_page, per_page, []
    for part, in_part in zip(slices, counts, strict=True):
        if skip >= in_part:
            skip -= in_part
            continue
        chunk = await part.query.order_by(*part.order_by).offset(skip).limit(room)
        orders.extend(chunk)
        skip, room = 0, room - len(chunk)
        if room <= 0:
            break
    return OrderPage(orders, page, pages, total, tuple(counts))


async def _ranked_page(
    query: QuerySet[Order], statuses: Sequence[OrderStatus], page: int, per_page: int
) -> OrderPage:
    """Statuses in the given rank, newest first inside each, cut into pages."""
    by_status = await _counts(query.filter(status__in=list(statuses)))
    slices = [Slice(query.filter(status=s), ("-created_at", "-id")) for s in statuses]
    counts = [by_status.get(s.value, 0) for s in statuses]
    return await _sliced_page(slices, counts, page, per_page)


def _handling_slices(store: Store, at: datetime) -> list[Slice]:
    pending = Order.filter(store_id=store.id, status=S.PENDING)
    oldest = ("created_at", "id")
    waiting = pending.filter(callback_at__isnull=True)
    return [
        # Call-backs due now, then those already brought back (their time cleared), then
        # the orders never called: the calls to make, the longest waiting first.
        Slice(pending.filter(callback_at__lte=at), ("callback_at", "id")),
        Slice(waiting.filter(call_attempts__gt=0), ("last_call_at", "id")),
        Slice(waiting.filter(call_attempts=0), oldest),
        Slice(pending.filter(callback_at__gt=at), ("callback_at", "id")),
        *(Slice(Order.filter(store_id=store.id, status=s), oldest) for s in TO_HANDLE[1:]),
    ]


def calls_to_make(store: Store, at: datetime) -> list[Slice]:
    """The first three parts of the orders to handle: the calls to make at `at`."""
    return _handling_slices(store, at)[:3]


async def orders_to_handle(
    store: Store, page: int, per_page: int = 8, at: datetime | None = None
) -> HandlingPage:
    """The store's live orders in the order the team acts on them: the calls to make (due
    call-backs first, then orders never called, oldest first), then call-backs to come,
    then confirmed, processing and shipped orders, oldest first. A page past the end gives
    the last page."""
    slices = _handling_slices(store, at or now())
    counts = [await part.query.count() for part in slices]
    listed = await _sliced_page(slices, counts, page, per_page)
    return HandlingPage(listed, sum(counts[:3]), counts[3], sum(counts[4:]))


async def orders_numbered(
    store: Store, first: int, last: int, page: int, per_page: int = 8
) -> OrderPage:
    """The store's orders numbered first..last (a digest), ranked like the orders to handle,
    finished ones last."""
    query = Order.filter(store_id=store.id, number__gte=first, number__lte=last)
    return await _ranked_page(query, ALL_RANKED, page, per_page)


def read_number(text: str) -> int | None:
    """`1042` or `#1042` as an order number, else None."""
    match = _NUMBER.match(text.strip()) or _FORCED_NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def search_term(text: str) -> SearchTerm | None:
    """What a person typed after /find: an order number (`1042`, `#1042`), a phone in any
    form people type (stored E.164), or else part of a name. None when empty."""
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return None
    number = read_number(text)
    if number is not None:
        return SearchTerm("number", str(number))
    try:
        return SearchTerm("phone", parse_phone(text).e164)
    except InvalidPhone:
        return SearchTerm("name", text)


async def find_orders(store: Store, text: str) -> Found | None:
    """Up to FOUND_LIMIT of the store's orders matching `text`, newest first.

    Names match case-insensitively anywhere in the name; LIKE wildcards typed by the person
    (`%`, `_`) are matched literally. SQLite folds case for ASCII letters only; PostgreSQL
    for every alphabet. A name is looked up through its trigram index (name_search)."""
    term = search_term(text)
    if term is None:
        return None
    if term.kind == "name":
        rows = await _named(store, term.value)
    else:
        query = Order.filter(store_id=store.id)
        if term.kind == "number":
            query = query.filter(number=int(term.value))
        else:
            query = query.filter(phone=term.value)
        rows = await query.order_by("-created_at", "-id").limit(FOUND_LIMIT + 1)
    return Found(term, rows[:FOUND_LIMIT], len(rows) > FOUND_LIMIT)


async def _named(store: Store, text: str) -> list[Order]:
    ids = await name_search.newest_named(store.id, text, FOUND_LIMIT + 1)
    found = await Order.filter(store_id=store.id, id__in=ids) if ids else []
    loaded = {order.id: order for order in found}
    return [loaded[i] for i in ids if i in loaded]  # one deleted meanwhile is left out


async def order_numbered(store: Store, number: int) -> Order | None:
    """The store's order with this number, or None (another store's is never revealed)."""
    return await Order.get_or_none(store_id=store.id, number=number)
