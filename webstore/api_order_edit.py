"""`PATCH /v1/orders/{number}`: edit an order on the call (lines, customer, place, delivery
type, fee, discount, call note) through models.orders.edit.edit_order — the same path as the
bot's ✏️ Edit — with the version the client read."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import ConfigDict, Field

from models.errors import InvalidOrder
from models.orders.edit import edit_order
from models.orders.edit_plan import LineEdit, OrderEdit
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.api_errors import ApiError, describe_fields
from webstore.api_orders import order_detail
from webstore.schemas import CodeText, Id, OrderOut, Reply, RequestBody, Text

# Domain reason keys that are not the body's field names.
FIELD_PATHS = {"quantity": "lines"}


class EditLine(RequestBody):
    variant_id: Id
    quantity: Annotated[int, Field(ge=1, le=99)]


class OrderEditRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 3,
                    "lines": [{"variant_id": 12, "quantity": 1}],
                    "delivery_type": "desk",
                },
                {"version": 4, "phone2": "0661 22 33 44", "call_note": "Call after 17:00"},
                {"version": 5, "discount": 300, "price_reason": "Loyal customer"},
            ]
        }
    )

    version: Id = Field(
        description="The order's `version` as read; 409 `conflict` if it changed since."
    )
    lines: list[EditLine] | None = Field(
        None,
        max_length=30,
        description="The whole new list of lines (change a variant, a quantity, add or remove "
        "a product). A variant already on the order keeps its price; a new one must be on "
        "sale and takes today's price. On a confirmed or processing order the stock is "
        "re-reserved: 422 `insufficient_stock` names the short variants.",
    )
    name: Annotated[Text, Field(max_length=200)] | None = None
    phone2: Annotated[CodeText, Field(max_length=32)] | None = Field(
        None, description='A second number for the customer, any usual form; `""` removes it.'
    )
    wilaya: Annotated[CodeText, Field(max_length=3)] | None = Field(
        None, description="69-wilaya map code; needs `commune` in that wilaya."
    )
    commune: Annotated[CodeText, Field(max_length=8)] | None = Field(
        None, description="ONS commune code, e.g. 1601."
    )
    address: Annotated[Text, Field(max_length=400)] | None = None
    delivery_type: Annotated[str, Field(pattern="^(home|desk)$")] | None = Field(
        None,
        description="A new wilaya or delivery type takes its fee from the store's fee table.",
    )
    delivery_fee: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        None, description="Set the fee by hand (owner's right); needs `price_reason`."
    )
    discount: Annotated[int, Field(ge=0, le=10_000_000)] | None = Field(
        None,
        description="Dinars off the total, at most subtotal + fee; needs `price_reason`.",
    )
    price_reason: Annotated[Text, Field(max_length=200)] = ""
    call_note: Annotated[Text, Field(max_length=500)] | None = Field(
        None, description="What the call settled; shown on the Telegram card."
    )

    def edit(self) -> OrderEdit:
        lines = (
            None
            if self.lines is None
            else tuple(LineEdit(x.variant_id, x.quantity) for x in self.lines)
        )
        return OrderEdit(
            lines=lines,
            name=self.name,
            phone2=self.phone2,
            wilaya=self.wilaya,
            commune=self.commune,
            address=self.address,
            delivery_type=self.delivery_type,
            delivery_fee=self.delivery_fee,
            discount=self.discount,
            price_reason=self.price_reason,
            call_note=self.call_note,
        )


class OrderEdited(Reply):
    order: OrderOut = Field(description="The order after the edit.")
    changes: dict[str, dict[str, Any]] = Field(
        description="Each changed field with its `before` and `after` (also on the "
        "timeline's `edited` entry); empty when nothing changed (the version stays then)."
    )
    warning: str | None = Field(
        description="`processing`: the order is being prepared; change the parcel too."
    )


async def patch_order(call: ApiCall) -> web.Response:
    body, store, number = (
        call.body_as(OrderEditRequest),
        call.current_store(),
        call.path_int("number"),
    )
    try:
        result = await edit_order(store, number, body.edit(), call.actor, body.version)
    except InvalidOrder as exc:
        fields = {FIELD_PATHS.get(k, k): reason for k, reason in exc.errors.items()}
        message = f"The edit was refused; check these fields: {describe_fields(fields)}"
        raise ApiError(422, "invalid_request", message, fields=fields) from None
    detail = await order_detail(result.order)
    return reply(OrderEdited(order=detail, changes=result.changes, warning=result.warning))


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "PATCH",
        "/v1/orders/{number}",
        patch_order,
        "editOrder",
        "Edit a pending, confirmed or processing order",
        "orders",
        int_params=("number",),
        body=OrderEditRequest,
        response=OrderEdited,
        errors=(404, 409, 422),
        codes={409: ("illegal_transition", "conflict"), 422: ("insufficient_stock",)},
        description="Only the fields sent change, in one step with the order's version "
        "bumped, an `edited` timeline entry (before/after) and the `order.updated` webhook. "
        "409 `conflict` when `version` is stale (`details.changed_by`); 409 "
        "`illegal_transition` for an order shipped, delivered, cancelled, returned or whose "
        "parcel a courier is creating; 422 `invalid_request` (`fields`) for a bad field, a "
        "wilaya or delivery type the store does not serve, a missing `price_reason`; 422 "
        "`insufficient_stock` (`details.shortages`) when the new lines need more stock than "
        "is left. Nothing changes on a refusal.",
    ),
)
