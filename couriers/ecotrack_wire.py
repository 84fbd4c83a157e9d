"""Wire format of the EcoTrack platform, shared by EcoTrack and NOEST (an EcoTrack
derivative, reference/couriers.md §4.1): what we send (each one's create body) and how we
read what comes back (Laravel 422 bags, objects keyed by index, loose numbers, Algiers
local times, `success: false` inside HTTP 200 bodies)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from couriers.base import CourierRejected, ParcelRequest

ALGIERS = timezone(timedelta(hours=1))  # no daylight saving in Algeria
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def refused(answer: object) -> bool:
    """An HTTP 200 body that says the call failed."""
    return isinstance(answer, dict) and answer.get("success") in (False, 0, "false", "0")


def laravel_errors(response: httpx.Response) -> str:
    """The field errors of a 422 answer as one line: "telephone: Le champ … ; commune: …"."""
    try:
        body = response.json()
    except ValueError:
        return "invalid request"
    if not isinstance(body, dict):
        return "invalid request"
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{name}: {' '.join(map(str, why))}" for name, why in errors.items())
    return str(body.get("message") or "invalid request")


def rows(value: object) -> list[dict[str, Any]]:
    """Rows of a JSON array, or of an object keyed by index as these APIs often answer."""
    if isinstance(value, dict):
        value = list(value.values())
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def keyed(value: object) -> dict[str, dict[str, Any]]:
    """Rows by key (tracking, desk code…), whether the API keyed them or listed them with a
    `tracking` field: matched by key, never by position."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, dict)}
    return {str(r["tracking"]): r for r in rows(value) if r.get("tracking")}


def local_time(text: object) -> datetime | None:
    """A courier's Algiers wall-clock time ("2026-11-20 14:05:33", ISO too) as aware UTC+1."""
    raw = str(text or "").strip()
    for pattern in _FORMATS:
        try:
            return datetime.strptime(raw, pattern).replace(tzinfo=ALGIERS)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ALGIERS)


def dated(event: Mapping[str, Any]) -> datetime | None:
    """When an event happened: `date` + `time` (EcoTrack) or `created_at`/`date` (NOEST)."""
    stamp = f"{event.get('date') or ''} {event.get('time') or ''}".strip()
    return local_time(stamp or event.get("created_at"))


def latest(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The most recent event, whichever order the API lists them in (ties: the later one)."""
    if not events:
        return {}
    floor = datetime.min.replace(tzinfo=UTC)
    return max(enumerate(events), key=lambda pair: (dated(pair[1]) or floor, pair[0]))[1]


def as_int(value: object) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def as_money(value: object) -> int | None:
    """Whole dinars from "400", "400.00" or 400; None when absent."""
    try:
        return round(float(str(value)))
    except ValueError:
        return None


def first(mapping: Mapping[str, Any], *keys: str) -> str:
    """The first non-empty value among keys, as text."""
    return next((str(mapping[k]) for k in keys if mapping.get(k)), "")


def ecotrack_order(request: ParcelRequest) -> dict[str, str]:
    """EcoTrack's create/order query parameters; `montant` is collected at the door."""
    desk = request.delivery_type == "desk"
    if desk and not request.stopdesk_id:
        raise CourierRejected("ecotrack: a stop-desk parcel needs the desk's code")
    if not 1 <= request.wilaya_code_58 <= 58:
        raise CourierRejected("ecotrack: wilaya codes go from 1 to 58")
    params = {
        "reference": request.reference,
        "nom_client": request.recipient_name[:255],
        "telephone": request.phone,
        "adresse": (request.address or request.commune_name)[:255],
        "commune": request.commune_name,
        "code_wilaya": str(request.wilaya_code_58),
        "montant": str(request.cod_amount),
        "produit": request.products[:255],
        "type": "1",
        "stop_desk": "1" if desk else "0",
        "weight": f"{request.weight_kg:g}",
    }
    if desk:
        params["code_postal"] = str(request.stopdesk_id)
    if request.note:
        params["remarque"] = request.note[:255]
    return params


def noest_order(request: ParcelRequest) -> dict[str, Any]:
    """NOEST's create/order JSON body (without user_guid); `montant` is collected at the door."""
    desk = request.delivery_type == "desk"
    if desk and not request.stopdesk_id:
        raise CourierRejected("noest: a stop-desk parcel needs the desk's station code")
    if len(request.reference) < 5:
        raise CourierRejected("noest: references need at least 5 characters")
    if not 1 <= request.wilaya_code_58 <= 58:
        raise CourierRejected("noest: wilaya codes go from 1 to 58")
    body: dict[str, Any] = {
        "reference": request.reference,
        "client": request.recipient_name[:255],
        "phone": request.phone,
        "adresse": (request.address or request.commune_name)[:255],
        "wilaya_id": request.wilaya_code_58,
        "commune": request.commune_name,
        "montant": request.cod_amount,
        "produit": request.products[:255],
        "type_id": 1,
        "poids": request.weight_kg,
        "stop_desk": 1 if desk else 0,
    }
    if desk:
        body["station_code"] = request.stopdesk_id
    if request.note:
        body["remarque"] = request.note[:255]
    return body
