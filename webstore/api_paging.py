"""Cursor pagination shared by every list of the API: `?limit=&cursor=` in, `{data,
next_cursor}` out.

A cursor is opaque to clients: URL-safe base64 of the list's name and the id to continue
after, so a cursor of one list is refused by another, and anything a client made up is a
400 `invalid_cursor` rather than a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from webstore.schemas import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
CURSOR_ISSUE = "not a cursor this list returned; pass `next_cursor` as given"
_PLAIN = re.compile(r"([a-z_]+):([1-9][0-9]{0,9})")


def encode_cursor(kind: str, after: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{after}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int | None:
    """The id a cursor of list `kind` continues after; None when it is not one."""
    if not cursor.isascii() or len(cursor) > 64:
        return None
    try:
        plain = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    found = _PLAIN.fullmatch(plain)
    if found is None or found[1] != kind or int(found[2]) > MAX_ID:
        return None
    # Only the canonical spelling: one cursor, one string.
    after = int(found[2])
    return after if encode_cursor(kind, after) == cursor else None


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
        description="`next_cursor` of the previous page, as given (opaque). Keep the same "
        "filters from page to page.",
    )

    @field_validator("cursor")
    @classmethod
    def _known_cursor(cls, value: str | None) -> str | None:
        if value is not None and decode_cursor(cls.KIND, value) is None:
            raise ValueError(CURSOR_ISSUE)
        return value

    def after(self) -> int | None:
        """The id this page continues after (the cursor was checked on the way in)."""
        return decode_cursor(self.KIND, self.cursor) if self.cursor else None

    def next_cursor(self, next_after: int | None) -> str | None:
        return encode_cursor(self.KIND, next_after) if next_after is not None else None
