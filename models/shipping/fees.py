"""Delivery fees: the rule of which fee applies, and the starting table. Money is whole
dinars.

The rule, used by the checkout (models.orders.intake) and the order form the customer sees
(webstore.order_form) alike: a store delivers to a wilaya when the wilaya is in its allowed
list (if it keeps one) and its fee table has a row there; the fee is the row's home or
stop-desk fee, and a type the row leaves empty is not offered there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
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


class NoFee(Exception):
    """The store does not deliver that way: `field` ("wilaya" or "delivery_type") names
    what to change, `code` says why ("not_served", "not_offered")."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def delivery_fee(
    table: Mapping[int, FeeRow],
    wilaya_code: int | None,
    delivery_type: str,
    allowed: Collection[int] = (),
) -> int:
    """The fee for delivering `delivery_type` to a wilaya, from the store's fee table and
    allowed wilayas (empty: every wilaya with a row). NoFee says why there is none."""
    if wilaya_code is None or (allowed and wilaya_code not in allowed):
        raise NoFee("wilaya", "not_served")
    row = table.get(wilaya_code)
    if row is None:
        raise NoFee("wilaya", "not_served")
    fee = row.fee(delivery_type) if delivery_type in DELIVERY_TYPES else None
    if fee is None:
        raise NoFee("delivery_type", "not_offered")
    return fee


def lookup_fee(
    table: Mapping[int, FeeRow],
    wilaya_code: int | None,
    delivery_type: str,
    allowed: Collection[int] = (),
) -> int | None:
    """`delivery_fee`, or None when the store does not deliver that way there."""
    try:
        return delivery_fee(table, wilaya_code, delivery_type, allowed)
    except NoFee:
        return None


def served_wilayas(table: Mapping[int, FeeRow], allowed: Collection[int] = ()) -> dict[int, FeeRow]:
    """The rows of the wilayas the store delivers to, one way or the other."""
    return {
        code: row
        for code, row in table.items()
        if any(lookup_fee(table, code, kind, allowed) is not None for kind in DELIVERY_TYPES)
    }


# Zones modelled on what Algerian couriers charge from the centre-north (2025-2026 price
# lists): the north is cheap, the high plateaus a little more, the far south most.
_NORTH = {2, 6, 9, 10, 15, 16, 19, 21, 23, 25, 26, 27, 31, 34, 35, 42, 43, 44, 48}
_SOUTH = {1, 8, 11, 33, 37, 49, 50, 52, 53, 54, 56, 58}
_NO_DESK = {33, 50, 52, 54, 56}


def default_fee(parent_58: int) -> FeeRow:
    """A sensible starting fee for a wilaya (new wilayas price like their 58-map parent);
    every new store starts with this table and replaces it with `hanout store fees`."""
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


FEE_CSV_COLUMNS = ("wilaya", "home", "desk")


def _fee_cell(raw: str | None, line: int, column: str) -> int | None:
    text = (raw or "").strip().replace(" ", "")
    if text in ("", "-"):
        return None
    if not text.isdigit() or int(text) > 100_000:
        raise ValueError(f"line {line}: {column} must be a whole number of dinars, or empty")
    return int(text)


def parse_fee_csv(text: str, known_wilayas: set[int]) -> dict[int, FeeRow]:
    """`wilaya,home,desk` rows (empty or `-` = not offered there) → the fee table.
    A bad line names itself; wilayas missing from the file are not served."""
    reader = csv.DictReader(io.StringIO(text))
    if set(FEE_CSV_COLUMNS) - set(reader.fieldnames or []):
        raise ValueError(f"the CSV needs the columns {', '.join(FEE_CSV_COLUMNS)}")
    table: dict[int, FeeRow] = {}
    for line, row in enumerate(reader, start=2):
        code_text = (row.get("wilaya") or "").strip()
        if not code_text.isdigit() or int(code_text) not in known_wilayas:
            raise ValueError(f"line {line}: unknown wilaya {code_text!r}")
        table[int(code_text)] = FeeRow(
            _fee_cell(row.get("home"), line, "home"), _fee_cell(row.get("desk"), line, "desk")
        )
    return table
