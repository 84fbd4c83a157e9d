"""Yalidine's vocabulary, without I/O: its `last_status` / history `status` strings
(reference/couriers.md §2.5, the newer YDOC list of 30 plus the history-only "Alerte
résolue") mapped to the canonical status; how its answers write booleans, dates, errors and
rows; and the parcel object a create sends (couriers.yalidine does the talking).

Decisions where the reference leaves room:
- Only "Retourné au vendeur" is RETURNED: the goods are back with the merchant, so the order
  may move to returned and its stock come back. The steps of a return on its way (Retour
  vers centre, Retour transfert, Retour groupé, Retour vers vendeur) are IN_TRANSIT and
  "Retourné au centre" AT_HUB: the parcel keeps being polled and its raw status shows the
  return on the timeline, but no stock is restored for goods still on the road. DZC maps the
  whole return phase to RETURNED; we do not, on purpose.
- "Retour à retirer" (the return waits at a desk for the merchant to collect it) is ON_HOLD,
  so the team is told to go and fetch it.
- "Echèc livraison" (final failure, the return starts; note Yalidine's spelling) and
  "Echange échoué" are DELIVERY_ATTEMPTED, as CDJ reads the former: the team is alerted and
  can still call the customer. DZC reads RETURNED; see above for why we wait.
- "En attente du client" (at the stop desk, waiting for the customer) is AT_HUB; "Prêt pour
  livreur" (handed to the driver's round) is OUT_FOR_DELIVERY, as the reference's phases.
- Cancellation has no status: a cancelled parcel is deleted and disappears from reads.
Anything else is UNKNOWN (logged), never delivered by guess.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from couriers.base import (
    CourierAnswerUnexpected,
    CourierAuthError,
    CourierCommune,
    CourierError,
    CourierRejected,
    CourierUnavailable,
    ParcelRequest,
    ParcelState,
    ParcelStatus,
    StopDesk,
    map_status,
    status_table,
)

log = logging.getLogger(__name__)
S = ParcelStatus

RAW: dict[str, ParcelStatus] = {
    # in preparation, at the merchant's
    "Pas encore expédié": S.CREATED,
    "A vérifier": S.CREATED,
    "En préparation": S.CREATED,
    "Pas encore ramassé": S.PENDING_PICKUP,
    "Prêt à expédier": S.PENDING_PICKUP,
    # picked up and moving
    "Ramassé": S.PICKED_UP,
    "Transfert": S.IN_TRANSIT,
    "Expédié": S.IN_TRANSIT,
    "En localisation": S.IN_TRANSIT,
    "Vers Wilaya": S.IN_TRANSIT,
    "Débloqué": S.IN_TRANSIT,
    "Alerte résolue": S.IN_TRANSIT,
    "Centre": S.AT_HUB,
    "Reçu à Wilaya": S.AT_HUB,
    "En attente du client": S.AT_HUB,
    # last mile
    "Prêt pour livreur": S.OUT_FOR_DELIVERY,
    "Sorti en livraison": S.OUT_FOR_DELIVERY,
    "Tentative échouée": S.DELIVERY_ATTEMPTED,
    "Echèc livraison": S.DELIVERY_ATTEMPTED,
    "Echange échoué": S.DELIVERY_ATTEMPTED,
    "En attente": S.ON_HOLD,
    "En alerte": S.ON_HOLD,
    "Bloqué": S.ON_HOLD,
    "Livré": S.DELIVERED,
    # the way back
    "Retour vers centre": S.IN_TRANSIT,
    "Retour transfert": S.IN_TRANSIT,
    "Retour groupé": S.IN_TRANSIT,
    "Retour vers vendeur": S.IN_TRANSIT,
    "Retourné au centre": S.AT_HUB,
    "Retour à retirer": S.ON_HOLD,
    "Retourné au vendeur": S.RETURNED,
}

STATUSES = status_table(RAW)


# --- reading Yalidine's answers ----------------------------------------------------------

TRACK_FIELDS = "tracking,last_status,date_last_status"
FIND_FIELDS = "tracking,order_id,label,delivery_fee,last_status,date_creation"
HISTORY_FIELDS = "tracking,status,reason,date_status"
EXPRESS = ("express_home", "express_desk")  # economic_* fees exist only on some accounts
ALGIERS = timezone(timedelta(hours=1))  # Yalidine's dates are local time; Algeria has no DST


def truthy(value: object) -> bool:
    """Yalidine writes booleans as true/false, 1/0 or "1"/"0"."""
    return value is True or str(value).strip().lower() in ("1", "true")


def number(value: object) -> int | None:
    try:
        return int(float(str(value)))
    except (ValueError, OverflowError):
        return None


def text(value: object) -> str | None:
    return str(value) if value else None


def local_time(value: object) -> datetime | None:
    """Yalidine's "YYYY-MM-DD HH:MM:SS" (Algiers time) as an aware datetime."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=ALGIERS)
    except ValueError:
        return None


def batches(items: Sequence[str], most: int, chars: int) -> Iterator[list[str]]:
    """Unique items, in order, in comma-joined batches of at most `most` items and `chars`
    characters (they travel in a URL)."""
    batch: list[str] = []
    size = 0
    for item in dict.fromkeys(items):
        if batch and (len(batch) == most or size + len(item) + 1 > chars):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item) + 1
    if batch:
        yield batch


def typical(values: Iterable[object]) -> int | None:
    """The fee most communes of a wilaya pay (the cheaper one on a tie)."""
    fees = Counter(v for v in map(number, values) if v is not None)
    return min(fees, key=lambda fee: (-fees[fee], fee)) if fees else None


def refusal(status: int, body: object) -> CourierError:
    """The error an error answer stands for: 401/403 (in the status or the body) are
    credentials, anything else a refusal of the request itself."""
    error = body.get("error", body) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {"message": error}
    code = number(error.get("code")) or status
    message = f"yalidine: {error.get('message') or f'HTTP {status}'}"
    return CourierAuthError(message) if code in (401, 403) else CourierRejected(message)


def answer(response: httpx.Response) -> Any:
    """The JSON of an answer; error answers (4xx, or any body with an `error`) raise."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
        raise refusal(response.status_code, body)
    if body is None:
        raise CourierAnswerUnexpected(
            f"yalidine: HTTP {response.status_code} without JSON", response.content
        )
    return body


def page(body: object, rows: list[dict[str, Any]]) -> bool:
    """Add a list page's rows ({has_more, total_data, data, links}); whether more follow."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise CourierUnavailable("yalidine: a list answered something else")
    rows += [row for row in body["data"] if isinstance(row, dict)]
    return truthy(body.get("has_more"))


def created(body: object, reference: str) -> dict[str, Any]:
    """Our entry in a create answer (keyed by order_id, one `success` flag per parcel)."""
    entry = body.get(reference) if isinstance(body, dict) else None
    if not isinstance(entry, dict):  # outcome unknown: the next dispatch looks it up first
        raise CourierAnswerUnexpected("yalidine: the create answer omits our order_id", body)
    if not truthy(entry.get("success")) or not entry.get("tracking"):
        reason = entry.get("message") or "no reason given"
        raise CourierRejected(f"yalidine refused the parcel: {reason}")
    return entry


def oldest_of(rows: list[dict[str, Any]], reference: str) -> dict[str, Any] | None:
    """The parcel carrying exactly our order_id (rows come oldest first); more than one is
    a past duplicate, logged for the team to delete at Yalidine."""
    mine = [row for row in rows if str(row.get("order_id")) == reference]
    if len(mine) > 1:
        extra = [row.get("tracking") for row in mine[1:]]
        log.warning("yalidine duplicate parcels reference=%s extra=%s", reference, extra)
    return mine[0] if mine else None


def deleted(body: object, tracking: str) -> bool:
    """Whether a DELETE answer ({tracking, deleted} rows, as a list, a map or one row)
    says `tracking` was deleted."""
    if isinstance(body, dict):
        rows: Iterable[object] = [body] if "tracking" in body else body.values()
    else:
        rows = body if isinstance(body, list) else []
    return any(
        isinstance(row, dict) and row.get("tracking") == tracking and truthy(row.get("deleted"))
        for row in rows
    )


def _state(row: dict[str, Any], status_key: str, date_key: str, courier: str) -> ParcelState:
    raw = str(row.get(status_key) or "")
    status = map_status(STATUSES, raw, courier)
    reason, at = str(row.get("reason") or ""), local_time(row.get(date_key))
    return ParcelState(str(row.get("tracking")), status, raw, reason, at)


def parcel_state(row: dict[str, Any], courier: str) -> ParcelState:
    """A `/parcels/` row (`last_status`, `date_last_status`) as a ParcelState."""
    return _state(row, "last_status", "date_last_status", courier)


def history_event(row: dict[str, Any], courier: str) -> ParcelState:
    """A `/histories/` row (`status`, `reason`, `date_status`) as a ParcelState."""
    return _state(row, "status", "date_status", courier)


def served(row: dict[str, Any]) -> bool:
    """Whether a wilaya or commune row is deliverable (absent flag: yes)."""
    return truthy(row.get("is_deliverable", 1))


def commune(row: dict[str, Any], wilaya: int) -> CourierCommune:
    """A `/communes/` row, with Yalidine's own commune id."""
    return CourierCommune(wilaya, str(row["name"]), str(row["id"]), truthy(row["has_stop_desk"]))


def stop_desk(row: dict[str, Any]) -> StopDesk:
    """A `/centers/` row; its `center_id` is the `stopdesk_id` of a create."""
    return StopDesk(
        str(row["center_id"]),
        str(row.get("name") or ""),
        number(row.get("wilaya_id")) or 0,
        str(row.get("commune_name") or ""),
        str(row.get("address") or ""),
    )


# --- the parcel a create sends -------------------------------------------------------------

MAX_AMOUNT = 150_000  # DZD, for price and declared_value


def check_request(request: ParcelRequest) -> None:
    """Refuse, before sending anything, what Yalidine would refuse or we could not find."""
    if "," in request.reference:  # filters read commas as OR: find_parcel could not work
        raise CourierRejected("yalidine: the reference may not contain a comma")
    if not 0 <= request.cod_amount <= MAX_AMOUNT:
        raise CourierRejected(f"yalidine collects 0 to {MAX_AMOUNT} DZD per parcel")
    if request.delivery_type == "desk" and not (request.stopdesk_id or "").isdigit():
        raise CourierRejected("yalidine: a stop-desk parcel needs its desk (center id)")


def parcel_payload(
    request: ParcelRequest, origin: str, wilaya: str, commune: str
) -> dict[str, Any]:
    """The create object, wilayas and commune already in Yalidine's spelling.

    COD: Yalidine collects `price` and, with `freeshipping=false`, adds its own delivery fee
    on top. We always send `freeshipping=true` with `price=cod_amount` (goods plus the fee
    the customer was quoted, or goods alone when shipping is free): the customer pays
    exactly what the order says and Yalidine takes its fee from the merchant's remittance.
    `declared_value` is the goods' value (no insurance bought)."""
    check_request(request)
    desk = request.delivery_type == "desk"
    first, _, family = " ".join(request.recipient_name.split()).partition(" ")
    return {
        "order_id": request.reference,
        "from_wilaya_name": origin,
        "firstname": first,
        "familyname": family or first,
        "contact_phone": request.phone,
        "address": request.address.strip() or commune,
        "to_wilaya_name": wilaya,
        "to_commune_name": commune,
        "product_list": request.products,
        "price": request.cod_amount,
        "do_insurance": False,
        "declared_value": max(0, min(request.goods_value, MAX_AMOUNT)),
        **dict.fromkeys(("length", "width", "height"), 0),  # unknown; weight decides the fee
        "weight": max(0, math.ceil(request.weight_kg)),
        "freeshipping": True,
        "is_stopdesk": desk,
        **({"stopdesk_id": int(request.stopdesk_id or 0)} if desk else {}),
        "has_exchange": False,
    }
