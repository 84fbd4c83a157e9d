"""ZR Express (new platform) workflow states (reference/couriers.md §6.4) mapped to the
canonical status, and the reading of a parcel or a history row into a ParcelState.

State names are PascalCase and workflow-configured; they are folded and compared without
spaces, so "ReadyToDispatch", "ready_to_dispatch" and "Ready To Dispatch" are one key.
The sub-status ("situation", e.g. a call attempt) is kept as the raw reason.

Decisions: the confirmation-desk states before preparation (OrderReceived … OrderConfirmed)
are CREATED; InPreparation and ReadyToDispatch wait for the courier (PENDING_PICKUP);
ConfirmedAtBranch means the branch has the parcel (PICKED_UP); ReadyForPickup and
WaitingClient are a parcel waiting at a pickup point (AT_HUB); "Collected"/"Encaissé" is
cash collected, so delivered.

Return semantics (one rule for every courier): RETURNED only once the parcel is back with
the merchant, because the order then closes and its stock comes back; a return on its way
is IN_TRANSIT; a refusal at the door is DELIVERY_ATTEMPTED, which alerts the team while the
sale can still be saved. Hence OrderRefused is DELIVERY_ATTEMPTED, InReturn (travelling
back) IN_TRANSIT, and Returned (handed back to the merchant) and ReturnConfirmed (the
merchant acknowledged it) RETURNED; the order moves on the first of the two it sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from couriers.base import ParcelState, ParcelStatus, fold, map_status

S = ParcelStatus

STATES: dict[str, ParcelStatus] = {
    "OrderReceived": S.CREATED,
    "InProcessing": S.CREATED,
    "ConfirmationCall": S.CREATED,
    "OrderConfirmed": S.CREATED,
    "InPreparation": S.PENDING_PICKUP,
    "ReadyToDispatch": S.PENDING_PICKUP,
    "ConfirmedAtBranch": S.PICKED_UP,
    "Dispatched": S.IN_TRANSIT,
    "InterWilayaTransit": S.IN_TRANSIT,
    "ReadyForPickup": S.AT_HUB,
    "WaitingClient": S.AT_HUB,
    "InDelivery": S.OUT_FOR_DELIVERY,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "FailedDelivery": S.DELIVERY_ATTEMPTED,
    "Delivered": S.DELIVERED,
    "Collected": S.DELIVERED,
    "Encaissé": S.DELIVERED,
    "OrderRefused": S.DELIVERY_ATTEMPTED,
    "InReturn": S.IN_TRANSIT,
    "Returned": S.RETURNED,
    "ReturnConfirmed": S.RETURNED,
    "Cancelled": S.CANCELLED,
}

READY_TO_DISPATCH = "ReadyToDispatch"
NOT_DISPATCHED = "OrderReceived"
STATE_EVENTS = ("parcel.state.updated", "parcel.state.situation.created")


def state_key(raw: object) -> str:
    return fold(raw).replace(" ", "")


TABLE = {state_key(raw): status for raw, status in STATES.items()}


def state_status(raw: object) -> ParcelStatus:
    """The canonical status of a ZR state name; unknown ones are logged as UNKNOWN."""
    status = TABLE.get(state_key(raw))
    if status is not None:
        return status
    return map_status({}, raw, "zrexpress")


def _name(value: object) -> str:
    return str(value.get("name") or "") if isinstance(value, Mapping) else ""


def instant(value: object) -> datetime | None:
    """An ISO 8601 instant from the API; None when absent or unreadable."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def parcel_state(parcel: Mapping[str, Any]) -> ParcelState:
    """The current state of a parcel as `GET parcels/{id}` or `parcels/search` gives it."""
    raw = _name(parcel.get("state"))
    return ParcelState(
        tracking=str(parcel.get("trackingNumber") or parcel.get("id") or ""),
        status=state_status(raw),
        raw_status=raw,
        raw_reason=_name(parcel.get("situation")),
        at=instant(parcel.get("lastStateUpdateAt") or parcel.get("createdAt")),
    )


def history_state(tracking: str, event: Mapping[str, Any]) -> ParcelState:
    """One `state-history` row: `{newState:{name, description}, createdAt}`."""
    state = event.get("newState") or {}
    raw = _name(state)
    return ParcelState(
        tracking=tracking,
        status=state_status(raw),
        raw_status=raw,
        raw_reason=str(state.get("description") or "") if isinstance(state, Mapping) else "",
        at=instant(event.get("createdAt")),
    )
