"""Orders over the API: list with filters and a cursor, one order with its timeline, and
status transitions through the one lifecycle path (models.orders.transitions.transition_order)."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from models.customers.phones import national_display
from models.errors import InvalidInput
from models.orders import listing, queries
from models.orders.cancellation import Cancellation, cancellation
from models.orders.lifecycle import OrderStatus, allowed_targets
from models.orders.tables import Order, OrderLine
from models.orders.timeline import event_to_dict, timeline_of
from models.orders.transitions import get_order, transition_order
from models.shipping import geography
from webstore.api_customers import customer_detail
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.query_schemas import OrderQuery, moment_or_none
from webstore.schemas import (
    CommuneRef,
    OrderAmounts,
    OrderCalls,
    OrderCancellation,
    OrderCustomer,
    OrderLineOut,
    OrderOut,
    OrderPage,
    OrderShipping,
    OrderSummary,
    TimelineEntry,
    TransitionRequest,
    WilayaRef,
)


def _wilaya(order: Order) -> WilayaRef:
    wilaya = geography.get_wilaya(order.wilaya_code)
    return WilayaRef(
        code=order.wilaya_code,
        code_58=order.wilaya_code_58,
        name_fr=wilaya.name_fr if wilaya else "",
        name_ar=wilaya.name_ar if wilaya else "",
    )


def _commune(order: Order) -> CommuneRef:
    commune = geography.get_commune(order.commune_code)
    return CommuneRef(
        code=order.commune_code,
        name_fr=commune.name_fr if commune else order.commune_name,
        name_ar=commune.name_ar if commune else "",
    )


def _line(line: OrderLine) -> OrderLineOut:
    return OrderLineOut(
        variant_id=line.variant_id,
        sku=line.sku,
        product_name=line.product_name,
        variant_label=line.variant_label,
        unit_price=line.unit_price,
        quantity=line.quantity,
        line_total=line.line_total,
    )


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def calls_state(order: Order) -> OrderCalls:
    return OrderCalls(
        attempts=order.call_attempts,
        no_answers=order.no_answers,
        last_outcome=order.last_call_outcome or None,  # type: ignore[arg-type]
        last_call_at=_when(order.last_call_at),
        callback_at=_when(order.callback_at),
        duplicate_of=order.duplicate_of,
    )


def summary(order: Order, lines: list[OrderLine]) -> OrderSummary:
    return OrderSummary(
        number=order.number,
        status=order.status,
        version=order.version,
        source=order.source,
        note=order.note,
        call_note=order.call_note,
        created_at=order.created_at.isoformat(),
        updated_at=order.updated_at.isoformat(),
        customer=OrderCustomer(
            name=order.name,
            phone=order.phone,
            phone_national=national_display(order.phone),
            phone2=order.phone2,
        ),
        shipping=OrderShipping(
            wilaya=_wilaya(order),
            commune=_commune(order),
            address=order.address,
            delivery_type=order.delivery_type,  # type: ignore[arg-type]
        ),
        amounts=OrderAmounts(
            subtotal=order.subtotal,
            delivery_fee=order.delivery_fee,
            discount=order.discount,
            total=order.total,
        ),
        lines=[_line(line) for line in lines],
        calls=calls_state(order),
        cancellation=_cancellation(order),
    )


def _cancellation(order: Order) -> OrderCancellation | None:
    if order.status is not OrderStatus.CANCELLED or order.cancelled_at is None:
        return None
    return OrderCancellation(
        reason=order.cancel_reason or None,  # type: ignore[arg-type]
        note=order.cancel_note,
        by=order.cancelled_by,
        at=order.cancelled_at.isoformat(),
    )


async def order_detail(order: Order) -> OrderOut:
    lines = (await queries.lines_by_order([order.id]))[order.id]
    timeline = [TimelineEntry.model_validate(event_to_dict(e)) for e in await timeline_of(order.id)]
    brief = summary(order, lines)
    customer = await customer_detail(order, brief.customer)
    return OrderOut(**(dict(brief) | {"customer": customer}), timeline=timeline)


async def list_orders(call: ApiCall) -> web.Response:
    query = call.query_as(OrderQuery)
    where = listing.OrderFilter(
        statuses=query.statuses(),
        phone=query.phone,
        wilaya=query.wilaya,
        courier=query.courier,
        since=moment_or_none(query.since),
        until=moment_or_none(query.until),
        updated_since=moment_or_none(query.updated_since),
    )
    page = await listing.orders_page(call.current_store(), where, query.after(), query.limit)
    lines = await queries.lines_by_order([o.id for o in page.rows])
    return reply(
        OrderPage(
            data=[summary(o, lines[o.id]) for o in page.rows],
            next_cursor=query.next_cursor(page.next_after),
        )
    )


async def show_order(call: ApiCall) -> web.Response:
    order = await get_order(call.current_store(), call.path_int("number"))
    return reply(await order_detail(order))


async def post_transition(call: ApiCall) -> web.Response:
    body, store, number = (
        call.body_as(TransitionRequest),
        call.current_store(),
        call.path_int("number"),
    )
    await transition_order(
        store,
        number,
        body.to,
        call.actor,
        body.note,
        body.expected_version,
        cancel=_why(body.to, body.reason, body.note),
    )
    return reply(await order_detail(await get_order(store, number)))


def _why(to: OrderStatus, reason: str | None, note: str) -> Cancellation | None:
    """The reason of a cancellation; a client that sends none keeps working (its note,
    if any, is kept as the words of `other`)."""
    if to is not OrderStatus.CANCELLED:
        if reason is not None:
            raise InvalidInput("reason: only when cancelling")
        return None
    if reason is None and not note.strip():
        return None
    return cancellation(reason, note if reason is not None else note[:300])


def _moves() -> str:
    """The lifecycle table as the reference reads it: `pending` → `confirmed`, ... ."""
    return "; ".join(
        f"`{status}` → " + ", ".join(f"`{to}`" for to in allowed_targets(status))
        for status in OrderStatus
        if allowed_targets(status)
    )


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/orders",
        list_orders,
        "listOrders",
        "List orders, newest first",
        "orders",
        query=OrderQuery,
        response=OrderPage,
        errors=(400,),
        description="Pages through the store's orders by a cursor (stable under new orders: "
        "a page never repeats or skips an order). Filters combine with AND; keep them the "
        "same from page to page. 400 `invalid_parameter` names a bad filter, 400 "
        "`invalid_cursor` a cursor this list did not return.",
    ),
    Endpoint(
        "GET",
        "/v1/orders/{number}",
        show_order,
        "getOrder",
        "One order with its timeline",
        "orders",
        int_params=("number",),
        response=OrderOut,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/v1/orders/{number}/transitions",
        post_transition,
        "transitionOrder",
        "Move an order to another status",
        "orders",
        int_params=("number",),
        body=TransitionRequest,
        response=OrderOut,
        errors=(404, 409, 422),
        codes={409: ("illegal_transition", "conflict"), 422: ("insufficient_stock",)},
        description=f"Allowed moves, from the lifecycle table: {_moves()}. "
        "409 `illegal_transition` when the lifecycle does not allow it "
        "(details.allowed lists what is), 409 `conflict` when someone changed the order "
        "first, 422 `insufficient_stock` when confirming and stock is short "
        "(details.shortages names the variants); nothing changes then.",
    ),
)
