"""Request and response bodies of the customer endpoints (see webstore.schemas)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, field_validator

from models.customers.phones import InvalidPhone, parse_phone
from models.customers.registry import MAX_REASON
from models.customers.risk import Risk
from webstore.api_paging import PageQuery
from webstore.query_schemas import Moment
from webstore.schemas import (
    DATE_TIME,
    NEXT_CURSOR,
    PHONE_PATTERN,
    CustomerHistory,
    Reply,
    RequestBody,
    Text,
)

RISK_RULE = (
    "Computed from the history, the first rule that matches: `blacklisted` (the phone is on "
    "the store's blacklist); `risky` (an order cancelled as fake, or a return with no more "
    "deliveries than returns); `watch` (a return, or an order cancelled after calls nobody "
    "answered); `trusted` (two deliveries or more); `known` (one delivery); `new` (no "
    "delivery yet)."
)


class CustomerQuery(PageQuery):
    """Filters of `GET /v1/customers`."""

    KIND: ClassVar[str] = "customers"

    blacklisted: bool | None = Field(
        None, description="`true`: only blacklisted phones; `false`: only the others."
    )
    risk: Risk | None = Field(
        None,
        description="Only customers with this mark. The mark is computed, so such a page may "
        "hold fewer than `limit` customers (even none) before the last: follow `next_cursor` "
        "until it is null.",
    )
    phone: str | None = Field(
        None,
        max_length=32,
        json_schema_extra={"pattern": PHONE_PATTERN},
        description="Customer phone in any usual form (0550 12 34 56, +213550123456…).",
    )
    since: Moment | None = Field(
        None,
        description="ISO 8601; customers who ordered at or after it (UTC when no offset).",
    )

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # A `+` left unencoded in a query string arrives as a space; parse_phone skips it.
        try:
            return parse_phone(value).e164
        except InvalidPhone:
            raise ValueError("not an Algerian phone number") from None


class BlacklistState(Reply):
    blacklisted: bool
    reason: str
    at: str | None = Field(json_schema_extra=DATE_TIME, description="When it was blacklisted.")
    by: str = Field(
        description="Who blacklisted it: a team member (`Amina (agent)`), `API`, or the "
        "person who logged a fake order's call."
    )


class CustomerOut(Reply):
    phone: str = Field(description="E.164, e.g. +213550123456.")
    phone_national: str = Field(description="As Algerians write it, e.g. 0550 12 34 56.")
    name: str = Field(description="As given on the first order (empty: blacklisted unseen).")
    risk: Risk = Field(description=RISK_RULE)
    history: CustomerHistory
    blacklist: BlacklistState
    first_seen_at: str = Field(json_schema_extra=DATE_TIME)


class CustomerPage(Reply):
    data: list[CustomerOut] = Field(description="Newest customers first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class BlacklistRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Refused two parcels"}]})

    reason: Annotated[Text, Field(max_length=MAX_REASON)] = Field(
        "", description="Why, for the team; a blank one keeps the reason already given."
    )
