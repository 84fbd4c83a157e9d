"""Checkout: validate what a customer typed (pure), then `place_order` in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from models.customers.phones import InvalidPhone, Phone, parse_mobile
from models.errors import InvalidOrder
from models.shipping import geography
from models.shipping.fees import DELIVERY_TYPES

MAX_NAME, MAX_ADDRESS, MAX_NOTE = 120, 300, 500
MAX_QUANTITY, MAX_LINES = 99, 30
# The most one order may come to, delivery included (dinars): far above any cash-on-delivery
# parcel, and it keeps every total, sum and COD amount well inside the columns.
MAX_ORDER_TOTAL = 100_000_000


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One requested line: a variant by id or by SKU, and a raw quantity."""

    variant_id: int | None = None
    sku: str | None = None
    quantity: object = 1


@dataclass(slots=True)
class CheckoutRequest:
    """The fields of SPEC §4 as received; nothing here is trusted yet."""

    name: str
    phone: str
    wilaya: str
    commune: str
    address: str
    delivery_type: str
    note: str = ""
    lines: list[LineRequest] = field(default_factory=list)
    source: str = "storefront"
    client_ip: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """A validated request: every field parsed, lines merged by variant."""

    name: str
    phone: Phone
    wilaya: geography.Wilaya
    commune: geography.Commune
    address: str
    delivery_type: str
    note: str
    quantities: dict[str, int]  # "id:<n>" or "sku:<s>" → quantity


def _clean(text: object) -> str:
    """Collapse whitespace and drop control characters people paste from other apps."""
    if not isinstance(text, str):
        return ""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _quantity(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        qty = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError:
        return None
    return qty if 1 <= qty <= MAX_QUANTITY else None


def _line_key(line: LineRequest) -> str | None:
    if line.variant_id is not None:
        return f"id:{line.variant_id}"
    if line.sku:
        return f"sku:{line.sku.strip()[:64]}"
    return None


def _validate_lines(lines: list[LineRequest], errors: dict[str, str]) -> dict[str, int]:
    if not lines:
        errors["items"] = "empty"
        return {}
    if len(lines) > MAX_LINES:
        errors["items"] = "too_many"
        return {}
    merged: dict[str, int] = {}
    for line in lines:
        key, qty = _line_key(line), _quantity(line.quantity)
        if key is None:
            errors["items"] = "unknown_variant"
        elif qty is None or merged.get(key, 0) + qty > MAX_QUANTITY:
            errors["quantity"] = "out_of_range"
        else:
            merged[key] = merged.get(key, 0) + qty
    return merged


def _validate_place(
    req: CheckoutRequest, errors: dict[str, str]
) -> tuple[geography.Wilaya | None, geography.Commune | None]:
    code = geography.parse_wilaya_code(_clean(req.wilaya))
    wilaya = geography.get_wilaya(code) if code is not None else None
    if wilaya is None:
        errors["wilaya"] = "required" if not _clean(req.wilaya) else "unknown"
        return None, None
    commune = geography.get_commune(_clean(req.commune)[:8])
    if commune is None:
        errors["commune"] = "required" if not _clean(req.commune) else "unknown"
    elif commune.wilaya_code != wilaya.code:
        errors["commune"] = "other_wilaya"
        commune = None
    return wilaya, commune


def _bounded(value: object, key: str, lo: int, hi: int, errors: dict[str, str]) -> str:
    text = _clean(value)
    if len(text) < lo:
        errors[key] = "required" if not text else "too_short"
    elif len(text) > hi:
        errors[key] = "too_long"
    return text


def validate(req: CheckoutRequest) -> Draft:
    """Parse and check a request; raise InvalidOrder naming each bad field (pure, no I/O)."""
    errors: dict[str, str] = {}
    name = _bounded(req.name, "name", 2, MAX_NAME, errors)
    address = _bounded(req.address, "address", 3, MAX_ADDRESS, errors)
    note = _bounded(req.note, "note", 0, MAX_NOTE, errors)
    phone: Phone | None = None
    try:
        phone = parse_mobile(req.phone if isinstance(req.phone, str) else "")
    except InvalidPhone as exc:
        errors["phone"] = "required" if exc.reason == "empty" else "invalid"
    wilaya, commune = _validate_place(req, errors)
    if req.delivery_type not in DELIVERY_TYPES:
        errors["delivery_type"] = "invalid"
    quantities = _validate_lines(req.lines, errors)
    if errors or phone is None or wilaya is None or commune is None:
        raise InvalidOrder(errors)
    return Draft(name, phone, wilaya, commune, address, req.delivery_type, note, quantities)


def fingerprint(phone_e164: str, quantities: dict[int, int]) -> str:
    """Same phone and same lines give the same fingerprint (the duplicate-window key)."""
    items = ",".join(f"{vid}x{qty}" for vid, qty in sorted(quantities.items()))
    return hashlib.sha256(f"{phone_e164}|{items}".encode()).hexdigest()
