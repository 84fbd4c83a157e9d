"""Callback data: short ASCII `o:<order id>:<action>:<card version>` (≤ 64 bytes).

Ids, never names, go in callback data; the version lets a press on an outdated card be
refused and that card refreshed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
ACTIONS = frozenset(
    {
        "cf",  # confirm
        "cm",  # call outcome menu
        "na",
        "bz",
        "ur",
        "wn",  # no answer, busy, unreachable, wrong number
        "pm",
        "p1",
        "p3",
        "pt",  # postpone menu, +1 h, +3 h, tomorrow 10:00
        "cc",
        "fk",
        "du",  # customer cancelled, fake, duplicate (asks which order is kept)
        "cl",
        "rl",  # claim, release
        "pr",  # processing
        "dm",
        "dx",  # dispatch menu, manual dispatch (asks the tracking number)
        "dv",
        "rt",  # delivered, returned
        "cx",
        "cy",  # cancel (ask), cancel (yes)
        "tl",  # timeline
        "bk",  # back to the main keyboard
    }
)
_ORDER = re.compile(r"^o:(\d{1,12}):([a-z]{2}):(\d{1,9})$")
_LIST = re.compile(r"^l:(\d{1,9}):(\d{1,4})$")
_OPEN = re.compile(r"^op:(\d{1,12})$")
_DIGEST = re.compile(r"^dg:(\d{1,9}):(\d{1,9}):(\d{1,9})$")


@dataclass(frozen=True, slots=True)
class OrderPress:
    order_id: int
    action: str
    version: int


def order_button(order_id: int, action: str, version: int) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    data = f"o:{order_id}:{action}:{version}"
    assert len(data.encode()) <= MAX_BYTES
    return data


def parse_order(data: str | None) -> OrderPress | None:
    """The press, or None for data this bot never made (forged, truncated, too long)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _ORDER.match(data)
    if match is None or match.group(2) not in ACTIONS:
        return None
    return OrderPress(int(match.group(1)), match.group(2), int(match.group(3)))


def list_button(store_id: int, page: int) -> str:
    return f"l:{store_id}:{page}"


def parse_list(data: str) -> tuple[int, int] | None:
    match = _LIST.match(data or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def open_button(order_id: int) -> str:
    return f"op:{order_id}"


def parse_open(data: str) -> int | None:
    match = _OPEN.match(data or "")
    return int(match.group(1)) if match else None


def digest_button(store_id: int, first: int, last: int) -> str:
    return f"dg:{store_id}:{first}:{last}"


def parse_digest(data: str) -> tuple[int, int, int] | None:
    match = _DIGEST.match(data or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
