"""Maystro wire format: the order body, and orders, history rows and DRF errors read into
the neutral dataclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from couriers.base import CourierRejected, CreatedParcel, ParcelRequest, ParcelState
from couriers.maystro_statuses import code_status, raw_code

SOURCE = 4  # the constant the API requires for orders sent through it
TEXT_MAX = 255  # address, name and note are at most 255 characters (CDZ's rules)

# `delivery_type` on `stores/orders/`: three sources send 0 home / 1 desk, one 1 home /
# 2 desk (couriers/maystro.md). FIRST_TRY holds the value only one coding accepts, so a
# mismatch is refused rather than delivered elsewhere; OTHER is the value in the other
# coding, sent when the account refused the first.
CODINGS = {"0/1": {"home": 0, "desk": 1}, "1/2": {"home": 1, "desk": 2}}
FIRST_TRY = {"home": "0/1", "desk": "1/2"}
OTHER = {"0/1": "1/2", "1/2": "0/1"}
PRICE_TYPES = {"home": 1, "desk": 2}  # `stores/delivery_price/` takes 1|2 (CDJ)


def order_body(request: ParcelRequest, commune_id: int, coding: str) -> dict[str, Any]:
    if request.delivery_type not in ("home", "desk"):
        raise CourierRejected(f"maystro: unknown delivery type {request.delivery_type!r}")
    desk = request.delivery_type == "desk"
    body: dict[str, Any] = {
        "wilaya": request.wilaya_code_58,
        "commune": commune_id,
        "destination_text": request.address[:TEXT_MAX],
        "customer_name": request.recipient_name[:TEXT_MAX],
        "customer_phone": request.phone,
        "product_price": request.cod_amount,
        "delivery_type": CODINGS[coding][request.delivery_type],
        "express": False,
        "note_to_driver": request.note[:TEXT_MAX],
        "products": [
            {"quantity": max(request.quantity, 1), "logistical_description": request.products}
        ],
        "source": SOURCE,
        "external_order_id": request.reference,
    }
    if desk and request.stopdesk_id:
        body["stop_desk_id"] = request.stopdesk_id
    return body


def instant(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def tracking_of(order: Mapping[str, Any]) -> str:
    """The order's tracking number: its `display_id`, else its UUID ("" when neither)."""
    display, uuid = order.get("display_id"), order.get("id")
    if isinstance(display, int | str) and not isinstance(display, bool) and str(display):
        return str(display)
    return uuid if isinstance(uuid, str) and UUID.fullmatch(uuid) else ""


def created(order: Mapping[str, Any], reference: str) -> CreatedParcel:
    """The parcel an order answer describes (it has a `display_id` or an `id`)."""
    fee = order.get("delivery_price")
    return CreatedParcel(
        tracking=tracking_of(order),
        reference=reference,
        fee=int(fee) if isinstance(fee, int | float) else None,
        raw=dict(order),
    )


def order_state(tracking: str, order: Mapping[str, Any]) -> ParcelState:
    status = order.get("status")
    return ParcelState(
        tracking=tracking,
        status=code_status(status),
        raw_status=raw_code(status),
        raw_reason=str(order.get("abort_reason") or ""),
        at=instant(order.get("updated_at") or order.get("created_at")),
    )


def history_state(tracking: str, row: Mapping[str, Any]) -> ParcelState:
    """One `history_order` row: `{status, created_at, comment}`."""
    status = row.get("status")
    return ParcelState(
        tracking=tracking,
        status=code_status(status),
        raw_status=raw_code(status),
        raw_reason=str(row.get("comment") or ""),
        at=instant(row.get("created_at")),
    )


def results(answer: object) -> list[dict[str, Any]]:
    """The rows of a list answer: `{list: {results, next, count}}` (or a plain page)."""
    page: Any = answer.get("list", answer) if isinstance(answer, dict) else answer
    rows: Any = page.get("results") if isinstance(page, dict) else page
    return [r for r in rows or [] if isinstance(r, dict)]


def refused_fields(response: httpx.Response) -> set[str]:
    """The fields a DRF 400 body names."""
    try:
        body = response.json()
    except ValueError:
        return set()
    return set(body) if isinstance(body, dict) else set()


def shape(answer: object, limit: int = 300) -> str:
    """An answer as the team may read it (cut short)."""
    text = answer if isinstance(answer, str) else repr(answer)
    return text if len(text) <= limit else text[:limit] + "…"


def problem(response: httpx.Response) -> str:
    """A DRF error body (`detail`, per-field lists, `non_field_errors`) as one line."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        parts = [f"{k}: {_words(v)}" if k != "detail" else _words(v) for k, v in body.items()]
        return "; ".join(parts) or f"HTTP {response.status_code}"
    return _words(body) or f"HTTP {response.status_code}"


def _words(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_words(v)}" for k, v in value.items())
    return str(value)
