"""`POST /v1/orders/{number}/dispatch` (SPEC §8): ship an order through one of the store's
courier accounts — 202, the order in processing while the courier channel creates the
parcel, then shipped — or with the manual courier and a typed tracking number — 200,
shipped at once.

Dispatch goes through models.shipping.parcels.DispatchService, given by the composition root in
WebConfig (the web app never imports the shipping adapter).
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import ConfigDict, Field

from models.errors import InvalidInput, NotFound
from models.orders.tables import Order
from models.orders.transitions import get_order
from models.shipping.manual import dispatch_order
from models.shipping.parcels import DispatchService, shipment_of
from models.shipping.tables import CourierAccount, Shipment
from models.stores.tables import Store
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.api_errors import ApiError
from webstore.api_orders import order_detail
from webstore.config import CONFIG
from webstore.schemas import CodeText, Id, OrderOut, Reply, RequestBody, Text

MANUAL = "manual"
# Dispatch refusals that name a request field: answered with `fields` like other 422s.
FIELDS = ("stopdesk_id", "tracking", "courier")


class DispatchRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"courier": "yalidine", "stopdesk_id": "160101"},
                {"courier": "manual", "tracking": "ECS-2026-000123"},
            ]
        }
    )

    courier: Annotated[CodeText, Field(min_length=1, max_length=40)] = Field(
        description="One of the store's courier accounts: its id, or its courier's name "
        "(`yalidine`, `ecotrack`…; the default account first when several match); or "
        "`manual` with `tracking`."
    )
    stopdesk_id: Annotated[CodeText, Field(min_length=1, max_length=64)] | None = Field(
        None,
        description="The courier's stop desk, required for a stop-desk order when the "
        "courier lists its desks (Yalidine, EcoTrack, NOEST, ZR Express); ignored for a "
        "home order.",
    )
    tracking: Annotated[Text, Field(min_length=1, max_length=64)] | None = Field(
        None, description="With courier `manual` only: the tracking number you got."
    )
    expected_version: Id | None = Field(
        None, description="Refuse with 409 `conflict` if the order changed since this version."
    )


class ShipmentOut(Reply):
    courier: str
    account_id: int | None = Field(description="The courier account; null for `manual`.")
    state: str = Field(
        description="`requested`: the parcel is being created at the courier; "
        "`created`: the courier has it (tracking set)."
    )
    tracking: str | None
    stopdesk_id: str | None
    fee: int | None = Field(description="What the courier charges, when it says.")
    has_label: bool = Field(description="The courier's label is stored.")


class DispatchOut(OrderOut):
    shipment: ShipmentOut | None


def _shipment(shipment: Shipment | None) -> ShipmentOut | None:
    if shipment is None:
        return None
    return ShipmentOut(
        courier=shipment.courier,
        account_id=shipment.account_id,
        state=shipment.state,
        tracking=shipment.tracking,
        stopdesk_id=shipment.stopdesk_id or None,
        fee=shipment.fee,
        has_label=bool(shipment.label),
    )


def _dispatcher(call: ApiCall) -> DispatchService:
    dispatcher = call.request.config_dict[CONFIG].dispatcher
    if dispatcher is None:
        message = 'Courier accounts are not available here; use courier "manual" with tracking'
        raise ApiError(503, "unavailable", message)
    return dispatcher


def _account(accounts: list[CourierAccount], courier: str) -> CourierAccount:
    wanted = courier.strip()
    if wanted.isdigit():
        found = next((a for a in accounts if a.id == int(wanted)), None)
    else:
        found = next((a for a in accounts if a.courier == wanted.lower()), None)
    if found is None:
        raise NotFound("courier account", wanted)
    return found


def _field_error(exc: InvalidInput, body: DispatchRequest) -> ApiError | InvalidInput:
    field = str(exc).partition(":")[0]
    if field not in FIELDS:
        return exc
    missing = getattr(body, field) is None
    reason = "required" if missing else "invalid"
    return ApiError(422, exc.code, str(exc), fields={field: reason})


async def _by_hand(call: ApiCall, body: DispatchRequest, store: Store, number: int) -> Order:
    if body.tracking is None:
        raise InvalidInput("tracking: required with the manual courier")
    return await dispatch_order(
        store, number, call.actor, body.tracking, expected_version=body.expected_version
    )


async def _through(
    call: ApiCall, body: DispatchRequest, store: Store, number: int
) -> tuple[Order, int]:
    dispatcher = _dispatcher(call)
    account = _account(await dispatcher.accounts(store), body.courier)
    if account.courier == MANUAL:
        return await _by_hand(call, body, store, number), 200
    if body.tracking is not None:
        raise InvalidInput(f"tracking: {account.courier} gives the tracking number; leave it out")
    order = await dispatcher.dispatch(
        store, number, call.actor, account.id, body.stopdesk_id, body.expected_version
    )
    return order, 202


async def post_dispatch(call: ApiCall) -> web.Response:
    body, store = call.body_as(DispatchRequest), call.current_store()
    number = (await get_order(store, call.path_int("number"))).number  # an unknown order: 404
    try:
        if body.courier.strip().lower() == MANUAL:
            order, status = await _by_hand(call, body, store, number), 200
        else:
            order, status = await _through(call, body, store, number)
    except InvalidInput as exc:
        error = _field_error(exc, body)
        if error is exc:
            raise
        raise error from exc
    detail = await order_detail(order)
    shipment = _shipment(await shipment_of(order.id))
    return reply(DispatchOut(**dict(detail), shipment=shipment), status)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/v1/orders/{number}/dispatch",
        post_dispatch,
        "dispatchOrder",
        "Dispatch an order to a courier",
        "orders",
        status=202,
        also={200: "Shipped at once: the manual courier with its tracking number."},
        int_params=("number",),
        body=DispatchRequest,
        response=DispatchOut,
        errors=(404, 409, 422, 503),
        codes={409: ("illegal_transition", "conflict"), 422: ("invalid_input",)},
        description="A confirmed or processing order only. Through a courier account the "
        "answer is 202 with the order in processing (`shipment.state` `requested`): the "
        "parcel is created at the courier once, even across retries, and the order moves "
        "to shipped with its tracking number (poll `GET /v1/orders/{number}` or use "
        "webhooks). 404 `not_found` for an unknown order or courier account; 409 "
        "`illegal_transition` when the order cannot be dispatched now or already was, "
        "409 `conflict` when it changed first; 422 `invalid_input` (`fields` names "
        "`stopdesk_id` or `tracking`) for a stop-desk order without its desk, an unknown "
        "desk or a malformed tracking number; 503 when courier accounts are unavailable.",
    ),
)
