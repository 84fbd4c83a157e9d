"""Callback data of order buttons: short enough for Telegram with the largest ids, read back
exactly, and anything the bot did not make (forged, garbage, too long) is refused."""

from __future__ import annotations

import pytest

from bot.callbacks import (
    ACTIONS,
    MAX_BYTES,
    OrderAction,
    OrderPress,
    Prefix,
    WebhookAction,
    digest_button,
    order_button,
    parse_order,
)
from bot.sender import number_ranges

BIGGEST_ORDER = 10**12 - 1
BIGGEST_VERSION = 10**9 - 1


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_every_action_fits_64_bytes_with_the_largest_ids_and_reads_back(
    db: str, action: str
) -> None:
    data = order_button(BIGGEST_ORDER, action, BIGGEST_VERSION)
    assert len(data.encode()) <= MAX_BYTES and data.isascii()
    assert parse_order(data) == OrderPress(BIGGEST_ORDER, action, BIGGEST_VERSION)


async def test_digest_button_fits_with_the_largest_numbers(db: str) -> None:
    assert len(digest_button(10**9 - 1, 10**9 - 2, 10**9 - 1).encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "o",
        "o:",
        "o:12:cf",  # truncated
        "o:12:cf:",
        "o:12:zz:3",  # unknown action
        "o:12:CF:3",
        "o:-12:cf:3",
        "o:12:cf:-3",
        "o:12:cf:3:4",  # extra field
        "o:12:cf:3\n",  # a trailing newline
        " o:12:cf:3",
        "o:١٢:cf:3",  # Arabic-Indic digits are digits to Python, not to this bot
        "o:12:cf:٣",
        "o:1234567890123:cf:3",  # id longer than any the bot makes
        "o:12:cf:1234567890",
        "o:" + "1" * 70 + ":cf:3",  # longer than Telegram allows
        "l:1:2",  # another kind of button
        "o:12:cf:3" + " " * 60,
        "o:12:cf:3;DROP TABLE order",
    ],
)
async def test_forged_or_garbled_data_is_refused(db: str, data: str | None) -> None:
    assert parse_order(data) is None


async def test_an_unknown_action_cannot_be_made(db: str) -> None:
    with pytest.raises(ValueError):
        order_button(1, "zz", 1)


@pytest.mark.parametrize(
    ("numbers", "shown"),
    [
        ([1001], "#1001"),
        ([1001, 1002, 1003], "#1001–#1003"),
        ([1001, 1002, 1004, 1006, 1007], "#1001–#1002, #1004, #1006–#1007"),
    ],
)
async def test_digest_names_exactly_its_orders(db: str, numbers: list[int], shown: str) -> None:
    assert number_ranges(numbers) == shown


def test_the_codes_cards_already_in_chats_carry_keep_their_meaning() -> None:
    # The wire never changes: a card sent last month must still do what its button says.
    assert parse_order("o:12:cf:3") == OrderPress(12, OrderAction.CONFIRM, 3)
    assert parse_order("o:12:k7:3") == OrderPress(12, OrderAction.REASON_7, 3)
    assert (Prefix.DIGEST_PAGE, WebhookAction.DELETE) == ("dl", "dl")  # two things, two names
    wire = {
        "cf": "CONFIRM", "cm": "CALL_MENU", "na": "NO_ANSWER", "bz": "BUSY",
        "ur": "UNREACHABLE", "wn": "WRONG_NUMBER", "pm": "POSTPONE_MENU", "p1": "POSTPONE_1H",
        "p3": "POSTPONE_3H", "pt": "POSTPONE_TOMORROW", "pk": "POSTPONE_TYPED",
        "cc": "CUSTOMER_CANCELLED", "fk": "FAKE", "fy": "FAKE_YES", "du": "DUPLICATE",
        "dt": "DUPLICATE_TYPED", "cl": "CLAIM", "rl": "RELEASE", "pr": "PROCESS",
        "dm": "DISPATCH_MENU", "dx": "DISPATCH_MANUAL", "dv": "DELIVERED", "dy": "DELIVERED_YES",
        "rt": "RETURNED", "ry": "RETURNED_YES", "cx": "CANCEL", "cy": "CANCEL_YES",
        "cw": "CONFIRM_ANYWAY", "tl": "TIMELINE", "ed": "EDIT", "bk": "BACK",
        **{f"k{i}": f"REASON_{i}" for i in range(8)},
    }  # fmt: skip
    assert {a.value: a.name for a in OrderAction} == wire
