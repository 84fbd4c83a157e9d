"""Request and response bodies of the REST API v1 and the public intake (SPEC §4, §8).

The same classes validate requests and generate the OpenAPI document (webstore.openapi),
so the two cannot disagree. Request bodies are strict: JSON numbers for numbers, strings
for strings, no unknown keys (a typo is reported, not ignored) — except the public intake,
which landing pages fill from forms and which therefore takes codes as numbers or strings
and ignores extra keys.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from models.calls.outcomes import CallOutcome
from models.customers.risk import Risk
from models.orders.cancellation import MAX_NOTE as CANCEL_NOTE_MAX
from models.orders.cancellation import REASONS as CANCEL_REASONS
from models.orders.cancellation import CancelReason
from models.orders.checkout import MAX_ADDRESS, MAX_LINES, MAX_NAME, MAX_NOTE, MAX_QUANTITY
from models.orders.lifecycle import OrderStatus

MAX_ID = 2**31 - 1  # the tables' integer columns; larger ids cannot exist
NEXT_CURSOR = "Pass it as `cursor` to get the next page; null on the last page."
DATE_TIME: dict[str, Any] = {"format": "date-time"}
# A `+01:00` offset typed unencoded in a query string arrives as ` 01:00` after a time.
UNENCODED_OFFSET = re.compile(r"([T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


# What `no_control_characters` lets through, for the document: no C0 or C1 control
# character but tab, line feed and carriage return.
CONTROL_FREE = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"


# The usual forms of an Algerian number, as the document states them: +213, 00213 or the
# trunk 0, then the national number (mobile 5-7 and 8 digits, landline 1-4 and 7, other 8-9
# and 8), a space, dot or dash allowed between digits. models.customers.phones takes these and more
# (Arabic-Indic digits, brackets, direction marks…), so a number in these forms is never
# refused for its form.
_SEP = r"[ .-]?"
_TRUNK = rf"(?:\+213|00213|0){_SEP}"
_MOBILE = rf"[5-7](?:{_SEP}[0-9]){{8}}"
PHONE_PATTERN = rf"^{_TRUNK}(?:{_MOBILE}|[1-4](?:{_SEP}[0-9]){{7}}|[89](?:{_SEP}[0-9]){{8}})$"
MOBILE_PATTERN = rf"^{_TRUNK}{_MOBILE}$"


def no_control_characters(value: str) -> str:
    """Refuse NUL and other control characters (PostgreSQL cannot store NUL in text)."""
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise ValueError("control characters are not allowed")
    return value


def number_as_text(value: object) -> object:
    """Landing pages send codes and phones as numbers as often as strings."""
    value = integral(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def integral(value: object) -> object:
    """`63.0` is the integer 63 in JSON (and in JSON Schema's `integer`); JavaScript clients
    write integers that way. Other values are left for the field to judge."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integral_members(data: object) -> object:
    """A body's object with every integral number as an integer (nested models do their own)."""
    if isinstance(data, dict):
        return {key: _integral_deep(item) for key, item in data.items()}
    return data


def _integral_deep(value: object) -> object:
    if isinstance(value, list):
        return [_integral_deep(item) for item in value]
    return integral(value)


Text = Annotated[
    str, AfterValidator(no_control_characters), Field(json_schema_extra={"pattern": CONTROL_FREE})
]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Sku = Annotated[Text, Field(max_length=64)]
CodeText = Annotated[Text, BeforeValidator(number_as_text)]


NOT_NULL: dict[str, Any] = {"not": {"type": "null"}}


def keys_and_values(schema: dict[str, Any]) -> None:
    """A `dict[Text, …]` field's schema as JSON Schema means it: pydantic states the key's
    pattern as `patternProperties`, which leaves other keys free; every key must match it."""
    for pattern, values in schema.pop("patternProperties", {}).items():
        schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}
        schema["additionalProperties"] = values


def exactly_one(first: str, second: str) -> list[Any]:
    """`oneOf` of a body that takes exactly one of two fields (the other absent or null)."""
    return [
        {"required": [a], "properties": {a: NOT_NULL, b: {"type": "null"}}}
        for a, b in ((first, second), (second, first))
    ]


class RequestBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: object) -> object:
        return integral_members(data)


class Reply(BaseModel):
    """A response body. Not closed to extra keys in the document: fields may be added."""


# --- errors ------------------------------------------------------------------------------


class ErrorDetail(Reply):
    code: str = Field(
        description="Stable machine-readable code, e.g. `not_found`, `invalid_request`, "
        "`illegal_transition`; each response of the document lists those it may carry.",
    )
    message: str = Field(description="What went wrong, in English, for the developer.")
    fields: dict[str, str] | None = Field(
        None, description="Invalid input: field path → reason code (`required`, `too_long`…)."
    )
    details: dict[str, Any] | None = Field(
        None, description="Extra facts, e.g. `shortages` for `insufficient_stock`."
    )


class ErrorBody(Reply):
    error: ErrorDetail


# --- orders ------------------------------------------------------------------------------


class TimelineActor(Reply):
    kind: Literal["customer", "owner", "agent", "courier", "system", "api"]
    id: str
    name: str


class TimelineEntry(Reply):
    """One timeline event (SPEC §3.4, Contract)."""

    at: str = Field(json_schema_extra=DATE_TIME)
    type: str
    from_status: str | None
    to_status: str | None
    actor: TimelineActor
    note: str
    data: dict[str, Any]


class OrderCustomer(Reply):
    name: str
    phone: str = Field(description="E.164, e.g. +213550123456.")
    phone_national: str = Field(description="As Algerians write it, e.g. 0550 12 34 56.")
    phone2: str = Field("", description="A second number (E.164) set on the call, or empty.")


class CustomerHistory(Reply):
    """What became of a phone's orders in the store."""

    orders: int
    open: int = Field(description="Still pending, confirmed, processing or shipped.")
    delivered: int
    returned: int
    cancelled: int = Field(description="Cancelled for any reason (fakes included).")
    fake: int = Field(description="Cancelled as fake after a call (counted in `cancelled`).")
    unanswered: int = Field(
        description="Cancelled after calls nobody answered (counted in `cancelled`)."
    )
    delivered_amount: int = Field(description="Total of the delivered orders, in dinars.")
    first_order_at: str | None = Field(json_schema_extra=DATE_TIME)
    last_order_at: str | None = Field(json_schema_extra=DATE_TIME)


class OrderCustomerDetail(OrderCustomer):
    risk: Risk = Field(description="The mark the history earns (see `getCustomer`).")
    blacklisted: bool = Field(description="The phone is on the store's blacklist.")
    history: CustomerHistory = Field(
        description="The phone's other orders in the store (this one left out), as the "
        "order card shows them."
    )


class WilayaRef(Reply):
    code: int = Field(description="69-wilaya map code.")
    code_58: int = Field(description="58-wilaya map code, which couriers use.")
    name_fr: str
    name_ar: str


class CommuneRef(Reply):
    code: str = Field(description="ONS commune code.")
    name_fr: str
    name_ar: str


class OrderShipping(Reply):
    wilaya: WilayaRef
    commune: CommuneRef
    address: str
    delivery_type: Literal["home", "desk"]


class OrderAmounts(Reply):
    subtotal: int
    delivery_fee: int
    discount: int = Field(0, description="Given by the owner on the call.")
    total: int = Field(description="subtotal + delivery_fee - discount.")
    currency: Literal["DZD"] = "DZD"


class OrderLineOut(Reply):
    variant_id: int
    sku: str
    product_name: str
    variant_label: str
    unit_price: int
    quantity: int
    line_total: int


class OrderCalls(Reply):
    """Where the confirmation calls of the order stand (SPEC §3.3)."""

    attempts: int = Field(description="Calls logged so far.")
    no_answers: int = Field(description="Of which `no_answer`.")
    last_outcome: CallOutcome | None
    last_call_at: str | None = Field(json_schema_extra=DATE_TIME)
    callback_at: str | None = Field(
        json_schema_extra=DATE_TIME,
        description="When to call back: the time asked (postponed) or the next call of "
        "the store's call-back plan (no answer, busy).",
    )
    duplicate_of: int | None = Field(description="Cancelled as a duplicate of this order.")


class OrderCancellation(Reply):
    """Who cancelled the order, when and why."""

    reason: CancelReason | None = Field(description="None when no reason was given.")
    note: str = Field(description="The words given with the reason.")
    by: str = Field(description="`Amina (agent)`, `API`, `Hanout` (the store's policy).")
    at: str = Field(json_schema_extra=DATE_TIME)


class OrderSummary(Reply):
    number: int
    status: OrderStatus
    version: int = Field(description="Bumped on every change; send it as `expected_version`.")
    source: str
    note: str
    call_note: str = Field("", description="What the confirmation call settled.")
    created_at: str = Field(json_schema_extra=DATE_TIME)
    updated_at: str = Field(json_schema_extra=DATE_TIME)
    customer: OrderCustomer
    shipping: OrderShipping
    amounts: OrderAmounts
    lines: list[OrderLineOut]
    calls: OrderCalls
    cancellation: OrderCancellation | None = Field(
        None, description="Set once the order is cancelled."
    )


class OrderOut(OrderSummary):
    customer: OrderCustomerDetail
    timeline: list[TimelineEntry] = Field(description="Oldest first.")


class OrderPage(Reply):
    data: list[OrderSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


_CANCELLED: dict[str, Any] = {"const": OrderStatus.CANCELLED.value}
_NAMED_REASONS: Any = [r for r in CANCEL_REASONS if r != "other"]


class TransitionRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"to": "confirmed", "note": "Confirmed by phone"},
                {"to": "cancelled", "reason": "price"},
                {"to": "cancelled", "reason": "other", "note": "Ordered from a competitor"},
            ],
            # `reason` with `cancelled` only; with a reason the note has at most 300
            # characters, and `other` needs one.
            "oneOf": [
                {"properties": {"to": _CANCELLED, "reason": {"type": "null"}}},
                {
                    "properties": {
                        "to": _CANCELLED,
                        "reason": {"enum": _NAMED_REASONS},
                        "note": {"maxLength": CANCEL_NOTE_MAX},
                    },
                    "required": ["reason"],
                },
                {
                    "properties": {
                        "to": _CANCELLED,
                        "reason": {"const": "other"},
                        "note": {"maxLength": CANCEL_NOTE_MAX, "pattern": r"\S"},
                    },
                    "required": ["reason", "note"],
                },
                {"properties": {"to": {"not": _CANCELLED}, "reason": {"type": "null"}}},
            ],
        }
    )

    to: OrderStatus = Field(description="Target status; the lifecycle decides if it is allowed.")
    note: Annotated[Text, Field(max_length=1000)] = ""
    reason: CancelReason | None = Field(
        None,
        description="With `cancelled` only: why (`other` needs a `note`, at most 300 "
        "characters). `fake` also blacklists the customer's phone.",
    )
    expected_version: Id | None = Field(
        None, description="Refuse with 409 `conflict` if the order changed since this version."
    )


# --- public intake (Contract) ------------------------------------------------------------


class IntakeBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: object) -> object:
        return integral_members(data)


# The intake's own bounds (models.orders.checkout, after blanks are collapsed and invisible
# characters dropped): stated in the document only, so that a refusal keeps the reason
# codes of `invalid_order` (Contract).
WILAYA_PATTERN = "^(?:0?[1-9]|[1-5][0-9]|6[0-9])$"
COMMUNE_PATTERN = "^[0-9]{3,4}$"


class IntakeCustomer(IntakeBody):
    name: Text = Field(
        description="At least 2 characters once blanks are collapsed.",
        json_schema_extra={"minLength": 2, "maxLength": MAX_NAME},
    )
    phone: CodeText = Field(
        description="Algerian mobile in any usual form (0550 12 34 56, +213550123456…).",
        json_schema_extra={"pattern": MOBILE_PATTERN},
    )


class IntakeShipping(IntakeBody):
    wilaya: CodeText = Field(
        description="69-wilaya map code, e.g. 16.", json_schema_extra={"pattern": WILAYA_PATTERN}
    )
    commune: CodeText = Field(
        description="ONS commune code of that wilaya, e.g. 1601 (422 `unknown` or "
        "`other_wilaya` otherwise).",
        json_schema_extra={"pattern": COMMUNE_PATTERN},
    )
    address: Text = Field(
        description="At least 3 characters once blanks are collapsed.",
        json_schema_extra={"minLength": 3, "maxLength": MAX_ADDRESS},
    )
    delivery_type: Literal["home", "desk"]


class IntakeItem(IntakeBody):
    model_config = ConfigDict(json_schema_extra={"oneOf": exactly_one("variant_id", "sku")})

    variant_id: Id | None = None
    sku: Sku | None = Field(None, json_schema_extra={"minLength": 1})
    quantity: int = Field(
        1,
        description=f"1 to {MAX_QUANTITY}, lines of one variant added up.",
        json_schema_extra={"minimum": 1, "maximum": MAX_QUANTITY},
    )

    @model_validator(mode="after")
    def _one_reference(self) -> IntakeItem:
        if (self.variant_id is None) == (self.sku is None):
            raise ValueError("give exactly one of `variant_id` or `sku`")
        return self


class IntakeOrder(IntakeBody):
    customer: IntakeCustomer
    shipping: IntakeShipping
    items: list[IntakeItem] = Field(json_schema_extra={"minItems": 1, "maxItems": MAX_LINES})
    note: Text = Field("", json_schema_extra={"maxLength": MAX_NOTE})


class IntakeResult(Reply):
    number: int
    status: OrderStatus
    total: int
    delivery_fee: int
