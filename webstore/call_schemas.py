"""Bodies of `POST /v1/orders/{number}/calls` and `GET /v1/orders/{number}/calls`."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from webstore.api_paging import PageQuery
from webstore.schemas import (
    DATE_TIME,
    NEXT_CURSOR,
    NOT_NULL,
    CallOutcome,
    Id,
    OrderOut,
    Reply,
    RequestBody,
    Text,
    TimelineActor,
)

OUTCOMES_DOC = (
    "`confirmed` confirms the order (its stock is taken: 422 `insufficient_stock` when "
    "short); `customer_cancelled`, `fake` (also blacklists the phone) and `duplicate` "
    "cancel it; `postponed` needs `callback_at`; `no_answer`, `busy`, `unreachable` and "
    "`wrong_number` keep it pending (the store's no-answer limit may cancel it)."
)


def _with(outcome: str, field: str) -> dict[str, Any]:
    other = "duplicate_of" if field == "callback_at" else "callback_at"
    return {
        "required": ["outcome", field],
        "properties": {"outcome": {"const": outcome}, field: NOT_NULL, other: {"type": "null"}},
    }


class CallRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"outcome": "confirmed", "note": "Size M confirmed, delivery Thursday"},
                {"outcome": "no_answer"},
                {"outcome": "duplicate", "duplicate_of": 1001},
            ],
            # `callback_at` with `postponed` only and `duplicate_of` with `duplicate` only,
            # each required with its outcome.
            "oneOf": [
                _with("postponed", "callback_at"),
                _with("duplicate", "duplicate_of"),
                {
                    "properties": {
                        "outcome": {"not": {"enum": ["postponed", "duplicate"]}},
                        "callback_at": {"type": "null"},
                        "duplicate_of": {"type": "null"},
                    }
                },
            ],
        }
    )

    outcome: CallOutcome = Field(description=OUTCOMES_DOC)
    note: Annotated[Text, Field(max_length=500)] = ""
    callback_at: Annotated[Text, Field(max_length=40)] | None = Field(
        None,
        json_schema_extra=DATE_TIME,
        description="With `postponed` only, and required then: when to call back, ISO 8601 "
        "with an offset (`2026-03-02T10:00:00+01:00`), in the future, within a year.",
    )
    duplicate_of: Id | None = Field(
        None,
        description="With `duplicate` only, and required then: the number of the order "
        "that is kept.",
    )
    other_customer: bool = Field(
        False,
        description="With `duplicate`: link an order of another customer (another phone) "
        "on purpose; without it that is refused with 409 `other_customer`.",
    )
    expected_version: Id | None = Field(
        None, description="Refuse with 409 `conflict` if the order changed since this version."
    )


class CallOut(Reply):
    """One call logged on an order."""

    id: int
    at: str = Field(json_schema_extra=DATE_TIME)
    outcome: CallOutcome
    note: str
    callback_at: str | None = Field(json_schema_extra=DATE_TIME)
    actor: TimelineActor = Field(description="Who called: a team member, or `api`.")


class CallLogged(Reply):
    call: CallOut
    order: OrderOut = Field(description="The order after the call: `status`, `calls`…")


class CallQuery(PageQuery):
    """Filters of `GET /v1/orders/{number}/calls`."""

    KIND: ClassVar[str] = "calls"

    outcome: CallOutcome | None = Field(None, description="Only calls with this outcome.")


class CallPage(Reply):
    data: list[CallOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
