"""Typed call-back times, read in Algiers time (models.calls.callback_time), table-tested."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from models.calls.callback_time import parse_callback_time

ALGIERS = ZoneInfo("Africa/Algiers")
# Monday 7 December 2026, 11:00 in Algiers.
NOW = datetime(2026, 12, 7, 11, 0, tzinfo=ALGIERS)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ALGIERS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:30", at(7, 18, 30)),
        ("18h30", at(7, 18, 30)),
        ("18h", at(7, 18)),
        ("18.30", at(7, 18, 30)),
        ("10:00", at(8, 10)),  # passed today: tomorrow
        ("9", at(8, 9)),
        ("3", at(7, 15)),  # a bare early hour is the afternoon
        ("3 am", at(8, 3)),
        ("8 pm", at(7, 20)),
        ("7 du soir", at(7, 19)),
        ("demain 14h", at(8, 14)),
        ("Demain à 14h30", at(8, 14, 30)),
        ("demain", at(8, 10)),
        ("après-demain 11h", at(9, 11)),
        ("aujourd'hui 16h", at(7, 16)),
        ("dans 30 min", at(7, 11, 30)),
        ("+2h", at(7, 13)),
        ("tomorrow 9", at(8, 9)),
        ("tomorrow 9:15", at(8, 9, 15)),
        ("today 16:00", at(7, 16)),
        ("in 2 hours", at(7, 13)),
        ("غدا 10", at(8, 10)),
        ("غدًا ١٠", at(8, 10)),  # harakat and Arabic-Indic digits
        ("غدا 10 صباحا", at(8, 10)),
        ("بكرة على 3", at(8, 15)),
        ("غدا الساعة 14:30", at(8, 14, 30)),
        ("اليوم 17", at(7, 17)),
        ("بعد 2 ساعات", at(7, 13)),
        ("١٨:٣٠", at(7, 18, 30)),
    ],
)
def test_typed_times_are_read_in_algiers(typed: str, expected: datetime) -> None:
    assert parse_callback_time(typed, NOW) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "blah", "25:00", "18:75", "aujourd'hui 9h", "demain 99", "+999h", "lundi", "1 2 3"],
)
def test_what_is_no_time_to_come_is_refused(typed: str) -> None:
    assert parse_callback_time(typed, NOW) is None
