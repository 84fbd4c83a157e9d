"""The cart: variant quantities kept in a signed cookie, so a visitor needs no account and
the server keeps no state. The signature binds the cookie to its store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.orders.checkout import MAX_QUANTITY
from webstore.security import cart_signature, same_token

COOKIE = "cart"
MAX_LINES = 30
_LINE = r"[0-9]{1,10}x[0-9]{1,2}"
_PAYLOAD_RE = re.compile(rf"{_LINE}(?:-{_LINE}){{0,{MAX_LINES - 1}}}")


@dataclass(slots=True)
class Cart:
    """variant id → quantity, in the order the customer added them."""

    lines: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.lines.values())

    @property
    def stamp(self) -> str:
        """The lines as one short word ("0" for none): two carts alike have the same."""
        return "-".join(f"{vid}x{qty}" for vid, qty in self.lines.items()) or "0"

    def add(self, variant_id: int, quantity: int) -> bool:
        """Add units (capped at MAX_QUANTITY); False when the cart has no room for a line."""
        if variant_id not in self.lines and len(self.lines) >= MAX_LINES:
            return False
        self.lines[variant_id] = min(self.lines.get(variant_id, 0) + quantity, MAX_QUANTITY)
        return True

    def change(self, variant_id: int, quantity: int) -> None:
        """Change a line's quantity; 0 removes it. Unknown lines are left alone."""
        if variant_id not in self.lines:
            return
        if quantity <= 0:
            del self.lines[variant_id]
        else:
            self.lines[variant_id] = min(quantity, MAX_QUANTITY)

    def keep_only(self, variant_ids: set[int]) -> bool:
        """Drop lines whose variant is gone; True when something was dropped."""
        gone = [vid for vid in self.lines if vid not in variant_ids]
        for vid in gone:
            del self.lines[vid]
        return bool(gone)


def encode(cart: Cart, secret: str, store_id: int) -> str:
    payload = "-".join(f"{vid}x{qty}" for vid, qty in cart.lines.items())
    return f"{payload}.{cart_signature(secret, store_id, payload)}"


def decode(raw: str | None, secret: str, store_id: int) -> Cart:
    """The cart in a cookie value; an empty cart for a missing, tampered or foreign one."""
    if not raw or len(raw) > 1024:
        return Cart()
    payload, _, signature = raw.rpartition(".")
    if not _PAYLOAD_RE.fullmatch(payload):
        return Cart()
    if not same_token(cart_signature(secret, store_id, payload), signature):
        return Cart()
    cart = Cart()
    for part in payload.split("-"):
        vid, _, qty = part.partition("x")
        if int(qty) > 0:
            cart.add(int(vid), int(qty))
    return cart


def _whole_number(raw: object, digits: int) -> int | None:
    # isdecimal (not isdigit) accepts Arabic-Indic digits but not "²", which int() refuses.
    if not isinstance(raw, str) or not raw.strip().isdecimal() or len(raw.strip()) > digits:
        return None
    return int(raw.strip())


def parse_quantity(raw: object) -> int | None:
    """A quantity typed in a form: 1 to MAX_QUANTITY, else None."""
    quantity = _whole_number(raw, 4)
    return quantity if quantity is not None and 1 <= quantity <= MAX_QUANTITY else None


def parse_variant_id(raw: object) -> int | None:
    """A variant id from a form, within the database's integer range, else None."""
    variant_id = _whole_number(raw, 10)
    return variant_id if variant_id is not None and 0 < variant_id < 2**31 else None
