"""Delivery fees: the pure lookup and the demo table. Money is whole dinars."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HOME, DESK = "home", "desk"
DELIVERY_TYPES = (HOME, DESK)


@dataclass(frozen=True, slots=True)
class FeeRow:
    """Fees for one wilaya; None means that delivery type is not offered there."""

    home: int | None
    desk: int | None

    def fee(self, delivery_type: str) -> int | None:
        return self.home if delivery_type == HOME else self.desk


def lookup_fee(table: Mapping[int, FeeRow], wilaya_code: int, delivery_type: str) -> int | None:
    """Fee for a wilaya and type, or None when the store does not deliver that way there."""
    row = table.get(wilaya_code)
    if row is None or delivery_type not in DELIVERY_TYPES:
        return None
    return row.fee(delivery_type)


# Zones modelled on what Algerian couriers charge from the centre-north (2025-2026 price
# lists): the north is cheap, the high plateaus a little more, the far south most.
_NORTH = {2, 6, 9, 10, 15, 16, 19, 21, 23, 25, 26, 27, 31, 34, 35, 42, 43, 44, 48}
_SOUTH = {1, 8, 11, 33, 37, 49, 50, 52, 53, 54, 56, 58}
_NO_DESK = {33, 50, 52, 54, 56}


def demo_fee(wilaya_code: int, parent_58: int) -> FeeRow:
    """A sensible fee row for the demo store; new wilayas price like their parent."""
    zone = parent_58
    if zone in _NORTH:
        home, desk = 450, 300
    elif zone in _SOUTH:
        home, desk = 1000, 700
    else:
        home, desk = 650, 400
    if zone == 16:
        home, desk = 400, 250
    return FeeRow(home=home, desk=None if zone in _NO_DESK else desk)
