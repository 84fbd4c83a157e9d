"""Cursor pagination shared by every list of the API: `?limit=&cursor=` in, `{data,
next_cursor}` out.

A cursor is the list's name and the id to continue after, `orders.1042`: the document
states that form (a pattern per list), so a cursor of one list is refused by another and
anything else a client made up is a 400 `invalid_cursor` rather than a wrong page.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, field_validator
from pydantic_core import CoreSchema

from webstore.schemas import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
CURSOR_ISSUE = "not a cursor this list returned; pass `next_cursor` as given"


def up_to(limit: int) -> str:
    """A regular expression of the integers 1 to `limit` in decimal, without leading zeros."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits[:-1] if len(digits) > 1 else ""):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            top = int(digit) - 1
            span = f"{low}" if top == low else f"[{low}-{top}]"
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}{span}[0-9]" + (f"{{{rest}}}" if rest > 1 else ""))
    last = int(digits[-1])
    options.append(f"{digits[:-1]}[{1 if len(digits) == 1 else 0}-{last}]")
    return "|".join(options)


ID = up_to(MAX_ID)


def cursor_pattern(kind: str) -> str:
    return rf"^{re.escape(kind)}\.(?:{ID})$"


def encode_cursor(kind: str, after: int) -> str:
    return f"{kind}.{after}"


def decode_cursor(kind: str, cursor: str) -> int | None:
    """The id a cursor of list `kind` continues after; None when it is not one."""
    if not re.fullmatch(cursor_pattern(kind), cursor):
        return None
    return int(cursor.rpartition(".")[2])


class PageQuery(BaseModel):
    """`limit` and `cursor` of a list; subclasses add the list's filters and its KIND."""

    model_config = ConfigDict(extra="forbid")
    KIND: ClassVar[str] = ""

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}."
    )
    cursor: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="`next_cursor` of the previous page, as given: `<list>.<id>`. Keep the "
        "same filters from page to page.",
    )

    @field_validator("cursor")
    @classmethod
    def _known_cursor(cls, value: str | None) -> str | None:
        if value is not None and decode_cursor(cls.KIND, value) is None:
            raise ValueError(CURSOR_ISSUE)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        """The document gives each list's cursor pattern (KIND is per subclass)."""
        schema = dict(handler(core_schema))
        target = handler.resolve_ref_schema(schema)
        cursor = target["properties"]["cursor"]
        for option in cursor.get("anyOf", [cursor]):
            if option.get("type") == "string":
                option["pattern"] = cursor_pattern(cls.KIND)
        return schema

    def after(self) -> int | None:
        """The id this page continues after (the cursor was checked on the way in)."""
        return decode_cursor(self.KIND, self.cursor) if self.cursor else None

    def next_cursor(self, next_after: int | None) -> str | None:
        return encode_cursor(self.KIND, next_after) if next_after is not None else None
