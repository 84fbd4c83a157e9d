"""Delivery fees: the pure lookup and the demo table. Money is whole dinars."""

from __future__ import annotations

import csv
import io
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
