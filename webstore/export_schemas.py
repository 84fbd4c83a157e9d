"""Query parameters of `GET /v1/exports/orders`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.exports.reading import (
    PERIOD_HELP,
    ExportPeriod,
    parse_day,
    parse_period,
    period_between,
)
from models.orders.lifecycle import OrderStatus

DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# The periods parse_period takes (in lower case), for the document, and the empty one that
# stands for the default; a day of the calendar and, for a span, its length are checked
# once parsed (422 `invalid_input`).
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_MONTH = f"{_YEAR}-(?:0[1-9]|1[0-2])"
_DAY = f"{_MONTH}-(?:0[1-9]|[12][0-9]|3[01])"
PERIOD_PATTERN = rf"^(?:|today|yesterday|week|month|last-month|{_MONTH}|{_DAY}|{_DAY}\.\.{_DAY})$"


class ExportQuery(BaseModel):
    """Which orders, in which format and language; the period is `period` or `from`/`to`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period: str | None = Field(
        None,
        max_length=40,
        json_schema_extra={"pattern": PERIOD_PATTERN},
        description=f"One of {PERIOD_HELP}, in Africa/Algiers days, both ends included. "
        "`week` is the last 7 days (today included), `month` this calendar month so far. "
        "Without `period` nor `from` (or with an empty `period`): `week`.",
    )
    from_: str | None = Field(
        None,
        alias="from",
        json_schema_extra={"pattern": DAY_PATTERN, "format": "date"},
        description="First day (YYYY-MM-DD, Algiers), instead of `period` (400 with both).",
    )
    to: str | None = Field(
        None,
        json_schema_extra={"pattern": DAY_PATTERN, "format": "date"},
        description="Last day, included (YYYY-MM-DD); only with `from` (400 without). "
        "Default: today.",
    )
    status: OrderStatus | None = Field(None, description="Only orders now in this status.")
    format: Literal["csv", "xlsx"] = Field(
        "xlsx",
        description="`xlsx`: sheets Orders, Lines and Summary; `csv`: the orders, UTF-8 with "
        "a byte-order mark, comma-separated.",
    )
    lang: Literal["ar", "fr", "en"] | None = Field(
        None, description="Language of the headers and values; default: the store's."
    )

    @model_validator(mode="after")
    def _one_period(self) -> ExportQuery:
        if self.period is not None and (self.from_ is not None or self.to is not None):
            raise ValueError("give either period or from/to, not both")
        if self.to is not None and self.from_ is None:
            raise ValueError("to needs from")
        return self

    def export_period(self, today: date) -> ExportPeriod:
        """The period asked for; models.errors.InvalidInput when it is not one."""
        if self.from_ is not None:
            last = parse_day(self.to, "to") if self.to is not None else today
            return period_between(parse_day(self.from_, "from"), last)
        return parse_period(self.period or "week", today)
