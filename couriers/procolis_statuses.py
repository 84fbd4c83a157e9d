"""Procolis `Situation` strings (reference/couriers.md §5.3) mapped to the canonical status.

Return semantics (one rule for every courier): RETURNED only once the parcel is back with
the merchant, because the order then closes and its stock comes back; a return on its way
is IN_TRANSIT; a refusal at the door is DELIVERY_ATTEMPTED, which alerts the team while the
sale can still be saved. Hence, where sources disagree:
- The "Annuler par le Client" family (incl. "SD - Annuler 3x") is the customer refusing the
  parcel at the door or the desk: DELIVERY_ATTEMPTED, not CANCELLED (CDJ) nor RETURNED
  (DZC, CLK). The raw situation is kept for the merchant to read.
- "Retour de Dispatche", "Retour Livreur" and "Retour Navette" are the return on its way:
  IN_TRANSIT. Only "Retour Stock" (back in the merchant's stock) is RETURNED.
- "Échange" (exchange parcel on its way) maps to IN_TRANSIT, as the reference's phase table.
- "Supprimée" (deleted at the courier, seen in one app) maps to CANCELLED.
- Hub-tagged variants such as "En Livraison ( 1528 )" lose their trailing "( number )"
  before the exact lookup; nothing else is guessed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from couriers.base import ParcelStatus, fold, map_status

S = ParcelStatus

SITUATIONS: dict[str, ParcelStatus] = {
    "En Préparation": S.CREATED,
    "En Traitement - Prêt à Expédie": S.PENDING_PICKUP,
    "Dispatcher": S.IN_TRANSIT,
    "Échange": S.IN_TRANSIT,
    "Au Bureau": S.AT_HUB,
    "SD - En Attente du Client": S.AT_HUB,
    "En Livraison": S.OUT_FOR_DELIVERY,
    "Appel sans Réponse 1": S.DELIVERY_ATTEMPTED,
    "Appel sans Réponse 2": S.DELIVERY_ATTEMPTED,
    "Appel sans Réponse 3": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 1": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 2": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 3": S.DELIVERY_ATTEMPTED,
    "Reporté": S.ON_HOLD,
    "SD - Reporté": S.ON_HOLD,
    "A Relancé": S.ON_HOLD,
    "Colis Livrée": S.DELIVERED,
    "Livrée": S.DELIVERED,
    "Livrée [ Encaisser ]": S.DELIVERED,
    "Annuler par le Client": S.DELIVERY_ATTEMPTED,
    "SD - Annuler par le Client": S.DELIVERY_ATTEMPTED,
    "SD - Annuler 3x": S.DELIVERY_ATTEMPTED,
    "Retour de Dispatche": S.IN_TRANSIT,
    "Retour Livreur": S.IN_TRANSIT,
    "Retour Navette": S.IN_TRANSIT,
    "Retour Stock": S.RETURNED,
    "Supprimée": S.CANCELLED,
}

_ALGIERS = timezone(timedelta(hours=1))  # no daylight saving time in Algeria
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
_HUB_TAG = re.compile(r"\(\s*\d+\s*\)$")
_BRACKET_SPACE = re.compile(r"\s*([\[\]()])\s*")


def situation_key(raw: object) -> str:
    """Folded situation without a trailing hub tag; spacing around brackets ignored, so
    "Livrée [Encaisser]" and "Livrée [ Encaisser ]" are one key."""
    text = _HUB_TAG.sub("", fold(raw)).strip()
    return _BRACKET_SPACE.sub(r"\1", text)


TABLE = {situation_key(raw): status for raw, status in SITUATIONS.items()}


def situation_status(raw: object) -> ParcelStatus:
    """The canonical status of a Procolis situation; unknown ones are logged as UNKNOWN."""
    status = TABLE.get(situation_key(raw))
    if status is not None:
        return status
    return map_status({}, raw, "procolis")


def action_time(value: object) -> datetime | None:
    """`DateH_Action` (Algiers local time, layout undocumented) as an aware datetime."""
    for layout in _DATE_FORMATS:
        try:
            return datetime.strptime(str(value), layout).replace(tzinfo=_ALGIERS)
        except ValueError:
            continue
    return None
