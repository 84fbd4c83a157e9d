"""Maystro webhooks (reference/couriers.md §7.5). Registered through the API
(`stores/hooks/costume/`, sic); no signature scheme is documented, so the endpoint we
register must carry its own secret (a token in the URL path) and the web route checks it.
The payload encoding is disputed — plain JSON `{event, payload:{external_order_id, status,
display_id_order}}`, base64-encoded JSON (once or twice), or a Pub/Sub-like envelope
`{message:{data:<base64>}}` — so every one is unwrapped. Re-read the order after a webhook:
the payload is a hint, the API is the truth."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from couriers.base import ParcelState
from couriers.maystro_statuses import code_status, raw_code

MAX_LAYERS = 4


def _unwrap(body: bytes | str) -> dict[str, Any] | None:
    value: Any = body
    for _ in range(MAX_LAYERS):
        if isinstance(value, dict):
            inner = (value.get("message") or {}).get("data") if "message" in value else None
            if not isinstance(inner, str):
                return value
            value = inner
        try:
            value = json.loads(value)
            continue
        except (ValueError, TypeError):
            pass
        try:
            value = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError, TypeError):
            return None
    return value if isinstance(value, dict) else None


def parse_webhook(body: bytes) -> ParcelState | None:
    """The order state a webhook announces, keyed by Maystro's display id (our tracking);
    None when the body names no order or no status."""
    payload = _unwrap(body)
    if payload is None:
        return None
    data = payload.get("payload", payload)
    if not isinstance(data, dict):
        return None
    tracking = data.get("display_id_order") or data.get("display_id")
    status = data.get("status")
    if tracking in (None, "") or status in (None, ""):
        return None
    return ParcelState(str(tracking), code_status(status), raw_code(status))
