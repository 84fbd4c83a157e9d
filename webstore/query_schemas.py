"""Query parameters of the API's lists: each list's filters on top of `limit` and `cursor`
(webstore.api_paging). Parameters are optional and combine with AND; a bad one is a 400
that names it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from models.customers.phones import InvalidPhone, parse_phone
from models.orders.lifecycle import OrderStatus
from webstore.api_paging import PageQuery
from webstore.schemas import DATE_TIME, PHONE_PATTERN, UNENCODED_OFFSET, Text

_STATUS = "|".join(s.value for s in OrderStatus)
STATUSES_PATTERN = f"^({_STATUS})(,({_STATUS}))*$"
COURIER_PATTERN = r"^[a-z0-9_-]+$"


def as_moment(value: str) -> datetime:
    """An ISO 8601 date-time, UTC when it gives no offset; ValueError otherwise."""
    # A `+01:00` offset typed unencoded in a query string arrives as ` 01:00`.
    text = UNENCODED_OFFSET.sub(r"\1+\2", value.strip())
    try:
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("not an ISO 8601 date-time, e.g. 2026-03-01T08:00:00Z") from None


def _normalised_moment(value: str) -> str:
    return as_moment(value).isoformat()


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Moment = Annotated[
    str, Field(max_length=40, json_schema_extra=DATE_TIME), AfterValidator(_normalised_moment)
]


def moment_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class OrderQuery(PageQuery):
    """Filters of `GET /v1/orders`."""

    KIND: ClassVar[str] = "orders"

    status: str | None = Field(
        None,
        max_length=200,
        json_schema_extra={"pattern": STATUSES_PATTERN},
        description="Only orders in this status, or in any of several separated by commas "
        "(`confirmed,processing`).",
    )
    phone: str | None = Field(
        None,
        max_length=32,
        json_schema_extra={"pattern": PHONE_PATTERN},
        description="Customer phone in any usual form (0550 12 34 56, +213550123456…).",
    )
    wilaya: int | None = Field(
        None, ge=1, le=69, description="Only orders shipped to this wilaya (69-wilaya code)."
    )
    courier: Annotated[str, BeforeValidator(_lower)] | None = Field(
        None,
        min_length=1,
        max_length=24,
        pattern=COURIER_PATTERN,
        # pydantic leaves a pattern checked after a before-validator out of the schema.
        json_schema_extra={"pattern": COURIER_PATTERN},
        description="Only orders dispatched with this courier (`yalidine`, `manual`…).",
    )
    since: Moment | None = Field(
        None,
        description="ISO 8601; orders created at or after it (UTC when no offset is given).",
    )
    until: Moment | None = Field(None, description="ISO 8601; orders created before it.")
    updated_since: Moment | None = Field(
        None,
        description="ISO 8601; orders changed (status, call, dispatch…) at or after it: poll "
        "with the time of your previous poll to fetch what changed.",
    )

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        known = {s.value for s in OrderStatus}
        wanted = [s.strip().lower() for s in value.split(",")]
        if not all(s in known for s in wanted):
            raise ValueError(f"give statuses among {', '.join(sorted(known))}, comma-separated")
        return ",".join(dict.fromkeys(wanted))

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

    def statuses(self) -> tuple[OrderStatus, ...]:
        return tuple(OrderStatus(s) for s in self.status.split(",")) if self.status else ()


class ProductQuery(PageQuery):
    """Filters of `GET /v1/products`."""

    KIND: ClassVar[str] = "products"

    active: bool | None = Field(
        None, description="`true`: only products on sale; `false`: only hidden ones."
    )
    name: Text | None = Field(
        None,
        min_length=1,
        max_length=160,
        description="Only products whose name contains it (Latin letters in any case).",
    )
