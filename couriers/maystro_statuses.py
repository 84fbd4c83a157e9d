"""Maystro integer statuses (reference/couriers.md §7.4) mapped to the canonical status.

Libraries disagree on 15, 22 and 31; we read the codes as Maystro groups them by tens:
4–6 creation and pickup, 8–10 transit, 11–12 blocked, 15 ready to leave, 22–32 delivery
run, 41–42 doorstep outcome, 50–53 abort and return. Hence:
- 6 "En traitement" (Maystro has the parcel) is PICKED_UP; 8 "En attente de transit" and
  15 "Prêt à expédier" are a parcel waiting at a Maystro hub (AT_HUB).
- 11 "En attente" and 12 "Rupture de stock" are blocked until someone acts (ON_HOLD, which
  alerts the team), not preparation steps.
- 22 "Assigné" (to a driver) and 31 "Expédié" are OUT_FOR_DELIVERY, as the reference's
  phase table; 32 "Alerté" is a failed attempt, 42 "Reporté" on hold.
- Return semantics (one rule for every courier): RETURNED only once the parcel is back with
  the merchant, because the order then closes and its stock comes back; a return on its way
  is IN_TRANSIT (or AT_HUB while it waits at a hub); a refusal at the door is
  DELIVERY_ATTEMPTED, which alerts the team while the sale can still be saved. Hence
  10 "En transit pour retour" is IN_TRANSIT, 51 "Prêt à retourner" (waiting at Maystro's
  hub to go back) AT_HUB, and only 52 "Récupéré par le magasin" RETURNED. A refusal shows
  as 32 "Alerté" (DELIVERY_ATTEMPTED).
- 50 "Annulé" is what cancelling the order sets (our cancel PATCHes it): CANCELLED;
  53 "Non reçu" is LOST.
Nothing maps to DELIVERED but 41.
"""

from __future__ import annotations

from couriers.base import ParcelStatus, map_status, status_table

S = ParcelStatus

NAMES: dict[int, str] = {
    4: "Créé",
    5: "Ramassage demandé",
    6: "En traitement",
    8: "En attente de transit",
    9: "En transit pour expédition",
    10: "En transit pour retour",
    11: "En attente",
    12: "Rupture de stock",
    15: "Prêt à expédier",
    22: "Assigné",
    31: "Expédié",
    32: "Alerté",
    41: "Livré",
    42: "Reporté",
    50: "Annulé",
    51: "Prêt à retourner",
    52: "Récupéré par le magasin",
    53: "Non reçu",
}

STATUSES: dict[int, ParcelStatus] = {
    4: S.CREATED,
    5: S.PENDING_PICKUP,
    6: S.PICKED_UP,
    8: S.AT_HUB,
    9: S.IN_TRANSIT,
    10: S.IN_TRANSIT,
    11: S.ON_HOLD,
    12: S.ON_HOLD,
    15: S.AT_HUB,
    22: S.OUT_FOR_DELIVERY,
    31: S.OUT_FOR_DELIVERY,
    32: S.DELIVERY_ATTEMPTED,
    41: S.DELIVERED,
    42: S.ON_HOLD,
    50: S.CANCELLED,
    51: S.AT_HUB,
    52: S.RETURNED,
    53: S.LOST,
}

CANCELLED = 50
TABLE = status_table({str(code): status for code, status in STATUSES.items()})


def raw_code(value: object) -> str:
    """A status as the API sends it (int, or a numeric string in webhooks) as text."""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def code_status(value: object) -> ParcelStatus:
    """The canonical status of a Maystro code; unknown codes are logged as UNKNOWN."""
    return map_status(TABLE, raw_code(value), "maystro")
