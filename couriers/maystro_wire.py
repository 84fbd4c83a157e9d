"""Maystro wire format: the order body, and orders, history rows and DRF errors read into
the neutral dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from couriers.base import CourierRejected, CreatedParcel, ParcelRequest, ParcelState
from couriers.maystro_statuses import code_status, raw_code

HOME, DESK = 1, 2
SOURCE = 4  # the constant the API requires for orders sent through it


def order_body(request: ParcelRequest, commune_id: int) -> dict[str, Any]:
    if request.delivery_type not in ("home", "desk"):
        raise CourierRejected(f"maystro: unknown delivery type {request.delivery_type!r}")
    desk = request.delivery_type == "desk"
    body: dict[str, Any] = {
        "wilaya": request.wilaya_code_58,
        "commune": commune_id,
        "destination_text": request.address,
        "customer_name": request.recipient_name,
        "customer_phone": request.phone,
        "product_price": request.cod_amount,
        "delivery_type": DESK if desk else HOME,
        "express": False,
        "note_to_driver": request.note,
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


def created(order: Mapping[str, Any], reference: str) -> CreatedParcel:
    fee = order.get("delivery_price")
    return CreatedParcel(
        tracking=str(order["display_id"]),
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
