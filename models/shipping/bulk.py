"""Shipping many orders at once (the desk's Shipping screen): the orders waiting for a
courier, their dispatch one by one through the same use case as the card's Dispatch ▸
button (models.shipping.parcels.DispatchService: one parcel per order however often it is
asked), where each parcel stands afterwards, and what the labels and pick list print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery

from models.errors import ConcurrentChange, DomainError, IllegalTransition
from models.orders.lifecycle import OrderStatus, can_dispatch
from models.orders.tables import Order, OrderLine
from models.orders.timeline import Actor
from models.shipping.parcels import DispatchService, dispatch_refusal
from models.shipping.tables import Shipment
from models.stores.tables import Store

MAX_BATCH = 300  # a busy shop's day
READY = tuple(s for s in OrderStatus if can_dispatch(s))  # by the lifecycle table


async def orders_to_ship(store: Store, limit: int = MAX_BATCH) -> list[Order]:
    """Confirmed orders, and those in processing with no parcel (being prepared, or
    refused by a courier), oldest first: what the team sends today."""
    shipped = Subquery(Shipment.filter(order__store_id=store.id).values("order_id"))
    return await (
        Order.filter(store_id=store.id, status__in=READY)
        .exclude(id__in=shipped)
        .order_by("id")
        .limit(limit)
    )


@dataclass(frozen=True, slots=True)
class Pick:
    """An order to dispatch and, for a stop-desk order, the desk chosen for it."""

    number: int
    stopdesk_id: str | None = None


@dataclass(frozen=True, slots=True)
class Dispatched:
    """What became of one order of the batch: `requested` (the parcel is being created),
    `already` (an earlier press dispatched it: no second parcel), or `failed` with the
    domain's refusal in `error`."""

    number: int
    outcome: str
    error: DomainError | None = None


async def _already(store: Store, number: int) -> bool:
    return await Shipment.filter(order__store_id=store.id, order__number=number).exists()


async def _dispatch_one(
    service: DispatchService, store: Store, actor: Actor, account_id: int, pick: Pick
) -> Dispatched:
    try:
        await service.dispatch(store, pick.number, actor, account_id, pick.stopdesk_id)
    except (IllegalTransition, ConcurrentChange, IntegrityError) as exc:
        # A second press (or two at once) finds the parcel the first one asked for.
        if await _already(store, pick.number):
            return Dispatched(pick.number, "already")
        if isinstance(exc, IntegrityError):
            raise
        return Dispatched(pick.number, "failed", exc)
    except DomainError as exc:
        return Dispatched(pick.number, "failed", exc)
    return Dispatched(pick.number, "requested")


async def dispatch_many(
    service: DispatchService,
    store: Store,
    actor: Actor,
    account_id: int,
    picks: Sequence[Pick],
) -> list[Dispatched]:
    """Dispatch each order of `picks` to the account's courier, each in its own
    transaction (one refusal never holds the others back), attributed to `actor`; the
    cards and the timeline follow as for one order."""
    return [await _dispatch_one(service, store, actor, account_id, p) for p in picks]


@dataclass(frozen=True, slots=True)
class Progress:
    """Where an order of the batch stands: its status, its parcel (`requested` while the
    courier creates it, `created` with the tracking number), or why the courier refused."""

    number: int
    status: str
    parcel: str | None
    tracking: str | None
    refused: str | None


async def _refusal(order: Order) -> str | None:
    event = await dispatch_refusal(order)
    return (event.note or "?") if event is not None else None


async def batch_progress(store: Store, numbers: Sequence[int]) -> list[Progress]:
    """The orders of `numbers` that are this store's, in the order asked."""
    orders = {o.number: o for o in await Order.filter(store_id=store.id, number__in=list(numbers))}
    shipments = {
        s.order_id: s for s in await Shipment.filter(order_id__in=[o.id for o in orders.values()])
    }
    found = []
    for number in numbers:
        order = orders.get(number)
        if order is None:
            continue
        parcel = shipments.get(order.id)
        refused = await _refusal(order) if parcel is None else None
        found.append(
            Progress(
                number,
                order.status.value,
                parcel.state if parcel else None,
                parcel.tracking if parcel else None,
                refused,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class LabelFacts:
    """An order whose parcel the courier created, with what its label prints."""

    order: Order
    shipment: Shipment
    lines: list[OrderLine]


async def parcels_to_label(store: Store, numbers: Sequence[int]) -> list[LabelFacts]:
    """The orders of `numbers` (this store's) whose parcel has its tracking number, in
    the order asked."""
    shipments = await Shipment.filter(
        order__store_id=store.id, order__number__in=list(numbers), state="created"
    ).select_related("order")
    by_number = {s.order.number: s for s in shipments if s.tracking}
    lines = await OrderLine.filter(order_id__in=[s.order_id for s in by_number.values()]).order_by(
        "id"
    )
    facts = []
    for number in numbers:
        shipment = by_number.get(number)
        if shipment is not None:
            mine = [line for line in lines if line.order_id == shipment.order_id]  # type: ignore[attr-defined]
            facts.append(LabelFacts(shipment.order, shipment, mine))
    return facts


@dataclass(frozen=True, slots=True)
class PickLine:
    """A variant to take off the shelf: `units` over `orders` orders."""

    product: str
    variant: str
    sku: str
    units: int
    orders: int


async def pick_lines(store: Store, numbers: Sequence[int]) -> list[PickLine]:
    """What the orders of `numbers` (this store's) hold, summed per variant, by product
    then variant name (as the shelves are arranged)."""
    lines = await OrderLine.filter(order__store_id=store.id, order__number__in=list(numbers))
    grouped: dict[int, list[OrderLine]] = {}
    for line in lines:
        grouped.setdefault(line.variant_id, []).append(line)
    rows = [
        PickLine(
            same[0].product_name,
            same[0].variant_label,
            same[0].sku,
            sum(line.quantity for line in same),
            len({line.order_id for line in same}),  # type: ignore[attr-defined]
        )
        for same in grouped.values()
    ]
    return sorted(rows, key=lambda r: (r.product.casefold(), r.variant.casefold(), r.sku))
