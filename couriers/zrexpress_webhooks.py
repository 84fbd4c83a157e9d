"""ZR Express webhooks (couriers/zrexpress.md): Svix-style signatures and the parcel state a
delivery announces. The live payloads are PascalCase (`{"EventType", "Data": {"TrackingNumber",
"State": {"Name", "Description"}, "Situation": {…}}}`, older ones `Data.NewStateName`); the
camelCase form (`{eventType, occurredAt, data:{trackingNumber, state:{name}}}`) is read too.
Dedupe on the message id (`svix-id`/`webhook-id`) and re-read the parcel when in doubt."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping

from couriers.base import ParcelState
from couriers.zrexpress_statuses import STATE_EVENTS, field, parcel_state, zr_instant

TOLERANCE = 300  # seconds a signed timestamp may be off, as Svix


def verify_webhook(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> bool:
    """Whether a webhook carries a valid Svix-style signature: `v1,<base64 HMAC-SHA256 of
    "id.timestamp.body">` keyed by the base64 part of the `whsec_…` secret, its timestamp
    within five minutes. Accepts the `svix-*` and the Standard Webhooks `webhook-*` names."""
    named = {k.lower(): v for k, v in headers.items()}
    prefix = "svix-" if "svix-id" in named else "webhook-"
    msg_id, stamp = named.get(prefix + "id", ""), named.get(prefix + "timestamp", "")
    signatures = named.get(prefix + "signature", "")
    # isascii: "²" is a digit to str.isdigit() but not to int()
    if not (msg_id and stamp.isascii() and stamp.isdigit() and len(stamp) < 20 and signatures):
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE:
        return False
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        return False
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    return any(  # compared as bytes: a non-ASCII signature is unequal, never an error
        version == "v1" and hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected)
        for version, _, given in (part.partition(",") for part in signatures.split())
    )


def parse_webhook(body: bytes) -> ParcelState | None:
    """The parcel state a webhook announces (verify its signature first); None for events
    that are not about a parcel's state. Re-read the parcel when in doubt."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if not isinstance(payload, dict) or field(payload, "eventType") not in STATE_EVENTS:
        return None
    data = field(payload, "data")
    if not isinstance(data, dict):
        return None
    state = parcel_state(data)
    if not state.raw_status or not field(data, "trackingNumber"):
        return None
    at = zr_instant(field(payload, "occurredAt")) or state.at
    return ParcelState(state.tracking, state.status, state.raw_status, state.raw_reason, at)
