"""ZR Express (new platform) workflow states mapped to the canonical status, and the reading
of a parcel, a history row or a webhook into a ParcelState (wire contract and sources:
couriers/zrexpress.md).

The live state names are snake_case identifiers with a French description (`commande_recue`
"Commande reçue", `pret_a_expedier` "Prêt à expédier", `livre` "Livré" …); tenants that kept
the older PascalCase names (`OrderReceived`, `ReadyToDispatch` …) are read too. Names are
folded and compared without spaces or underscores, so "pret_a_expedier", "Prêt à expédier"
and "PretAExpedier" are one key. The sub-status ("situation", e.g. a call attempt or
"Commande annulée") is kept as the raw reason.

Decisions:
- The confirmation-desk states before preparation (`commande_recue` … `commande_confirmee`)
  are CREATED; `en_preparation` and `pret_a_expedier` wait for the courier (PENDING_PICKUP).
- `confirme_au_bureau`, `confirme_chez_partenaire`, `dispatch`, `vers_wilaya` are a parcel
  moving between hubs (IN_TRANSIT): a live-observed history alternates `confirme_au_bureau`
  with `vers_wilaya` for days. `en_livraison` and `sortie_en_livraison` are OUT_FOR_DELIVERY.
- `livre`, `livre au client`, `encaisse` and `recouvert` are DELIVERED (the money states come
  after delivery). `disponible_bureau`, `en_attente_client` wait at a pickup point (AT_HUB);
  `en_attente_dechange` waits for an exchange (ON_HOLD); `echec_livraison` is a failed
  attempt.
- Return semantics (one rule for every courier): RETURNED only once the parcel is back with
  the merchant, because the order then closes and its stock comes back. So
  `attente_recuperation_fournisseur` (back at ZR's hub, waiting for the merchant) is AT_HUB,
  `retour_sous_traitant`, `colis_recupere` (taken back from the customer) and `en_retour`
  are IN_TRANSIT, and `recupere_par_fournisseur`, `reinjecte_dans_stock`,
  `remboursement_reinjecte` and `retourne` RETURNED. Three public maps call
  `attente_recuperation_fournisseur` "returned"; a live-tested one calls it "returning" —
  we side with the latter, since the merchant does not have the parcel yet.
- `annule` is CANCELLED (cancelling here deletes the parcel, so it is rarely seen).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from couriers.base import ParcelState, ParcelStatus, fold, map_status

S = ParcelStatus

STATES: dict[str, ParcelStatus] = {
    # live names (snake_case)
    "commande_recue": S.CREATED,
    "en_traitement": S.CREATED,
    "appel_confirmation": S.CREATED,
    "commande_confirmee": S.CREATED,
    "en_preparation": S.PENDING_PICKUP,
    "pret_a_expedier": S.PENDING_PICKUP,
    "confirme_au_bureau": S.IN_TRANSIT,
    "confirme_chez_partenaire": S.IN_TRANSIT,
    "dispatch": S.IN_TRANSIT,
    "vers_wilaya": S.IN_TRANSIT,
    "en_livraison": S.OUT_FOR_DELIVERY,
    "sortie_en_livraison": S.OUT_FOR_DELIVERY,
    "livre": S.DELIVERED,
    "livre au client": S.DELIVERED,
    "encaisse": S.DELIVERED,
    "recouvert": S.DELIVERED,
    "echec_livraison": S.DELIVERY_ATTEMPTED,
    "commande_annulee": S.DELIVERY_ATTEMPTED,
    "disponible_bureau": S.AT_HUB,
    "en_attente_client": S.AT_HUB,
    "en_attente_dechange": S.ON_HOLD,
    "en_attente_echange": S.ON_HOLD,
    "retour_sous_traitant": S.IN_TRANSIT,
    "colis_recupere": S.IN_TRANSIT,
    "en_retour": S.IN_TRANSIT,
    "attente_recuperation_fournisseur": S.AT_HUB,
    "recupere_par_fournisseur": S.RETURNED,
    "reinjecte_dans_stock": S.RETURNED,
    "remboursement_reinjecte": S.RETURNED,
    "retourne": S.RETURNED,
    "annule": S.CANCELLED,
    # older PascalCase names
    "OrderReceived": S.CREATED,
    "InProcessing": S.CREATED,
    "ConfirmationCall": S.CREATED,
    "OrderConfirmed": S.CREATED,
    "InPreparation": S.PENDING_PICKUP,
    "ReadyToDispatch": S.PENDING_PICKUP,
    "ConfirmedAtBranch": S.IN_TRANSIT,
    "Dispatched": S.IN_TRANSIT,
    "InterWilayaTransit": S.IN_TRANSIT,
    "ReadyForPickup": S.AT_HUB,
    "WaitingClient": S.AT_HUB,
    "InDelivery": S.OUT_FOR_DELIVERY,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "FailedDelivery": S.DELIVERY_ATTEMPTED,
    "OrderRefused": S.DELIVERY_ATTEMPTED,
    "Delivered": S.DELIVERED,
    "Collected": S.DELIVERED,
    "Encaissé": S.DELIVERED,
    "InReturn": S.IN_TRANSIT,
    "Returned": S.RETURNED,
    "ReturnConfirmed": S.RETURNED,
    "Cancelled": S.CANCELLED,
}

READY_STATES = ("pret_a_expedier", "ReadyToDispatch")  # where the hub collects a parcel
RECEIVED_STATES = ("commande_recue", "OrderReceived")  # where a new parcel starts
STATE_EVENTS = ("parcel.state.updated", "parcel.state.situation.created")


def state_key(raw: object) -> str:
    return fold(raw).replace(" ", "")


TABLE = {state_key(raw): status for raw, status in STATES.items()}
READY_KEYS = frozenset(state_key(s) for s in READY_STATES)
RECEIVED_KEYS = frozenset(state_key(s) for s in RECEIVED_STATES)


def state_status(raw: object) -> ParcelStatus:
    """The canonical status of a ZR state name; unknown ones are logged as UNKNOWN."""
    status = TABLE.get(state_key(raw))
    if status is not None:
        return status
    return map_status({}, raw, "zrexpress")


def field(data: object, name: str) -> Any:
    """A key of a JSON object read case-insensitively (webhooks come in PascalCase,
    the API in camelCase); None when absent or when `data` is not an object."""
    if not isinstance(data, Mapping):
        return None
    if name in data:
        return data[name]
    wanted = name.lower()
    return next((v for k, v in data.items() if str(k).lower() == wanted), None)


def _name(value: object) -> str:
    return str(field(value, "name") or "")


def _reason(value: object) -> str:
    return str(field(value, "description") or field(value, "name") or "")


def instant(value: object) -> datetime | None:
    """An ISO 8601 instant (naive when it names no zone); None when absent or unreadable."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def zr_instant(value: object) -> datetime | None:
    """A ZR timestamp; one without a zone (as ZR writes them) is read as UTC (unverified)."""
    at = instant(value) if isinstance(value, str) and value else None
    return at if at is None or at.tzinfo is not None else at.replace(tzinfo=UTC)


def parcel_state(parcel: Mapping[str, Any]) -> ParcelState:
    """The current state of a parcel as `GET parcels/{id}` (or a webhook's data) gives it."""
    raw = _name(field(parcel, "state")) or str(field(parcel, "newStateName") or "")
    return ParcelState(
        tracking=str(field(parcel, "trackingNumber") or field(parcel, "id") or ""),
        status=state_status(raw),
        raw_status=raw,
        raw_reason=_reason(field(parcel, "situation")),
        at=zr_instant(field(parcel, "lastStateUpdateAt") or field(parcel, "createdAt")),
    )


def history_state(tracking: str, event: Mapping[str, Any]) -> ParcelState:
    """One `state-history` row: `{newState:{name, description}, createdAt}`."""
    state = field(event, "newState")
    raw = _name(state)
    return ParcelState(
        tracking=tracking,
        status=state_status(raw),
        raw_status=raw,
        raw_reason=str(field(state, "description") or ""),
        at=zr_instant(field(event, "createdAt")),
    )
