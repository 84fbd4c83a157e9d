"""Procolis `Situation` strings (reference/couriers.md §5.3) mapped to the canonical status.

Decisions where sources disagree:
- The "Annuler par le Client" family is a refusal at the door after dispatch; a return
  follows, so it maps to RETURNED (DZC, CLK), not CANCELLED (CDJ). The parcel is lost to the
  sale either way and the raw situation is kept for the merchant to read.
- Every "Retour …" step maps to RETURNED: the canonical set has no "returning" state and
  the order is over once the return starts.
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
    "Annuler par le Client": S.RETURNED,
    "SD - Annuler par le Client": S.RETURNED,
    "SD - Annuler 3x": S.RETURNED,
    "Retour de Dispatche": S.RETURNED,
    "Retour Livreur": S.RETURNED,
    "Retour Navette": S.RETURNED,
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
