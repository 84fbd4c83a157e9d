"""The manual courier: the merchant ships with a courier Hanout has no API for (or by hand)
and types the tracking number. Nothing is sent anywhere.

How dispatch treats it uniformly (our choice): ParcelRequest gains no field. The manual
courier says so through its capabilities — `create_batch=0` (it cannot create parcels)
and `track_batch=0` (nothing to poll) — and `create_parcel` raises NotSupported. Dispatch
code that sees `create_batch == 0` asks the merchant for the tracking number and calls
`record_parcel(request, tracking)`, which checks the typed number and answers the same
CreatedParcel a real courier would, so storing, the order's move to shipped and the
customer's SMS follow one path. Status changes are made by the merchant, not synced.

Credentials are optional: `carrier` names the company shown beside the tracking number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from couriers.base import (
    Account,
    Capabilities,
    CourierCommune,
    CourierRejected,
    CourierWilaya,
    CreatedParcel,
    Fee,
    Label,
    NotSupported,
    ParcelRequest,
    ParcelState,
    StopDesk,
)

# Letters, digits and the separators tracking numbers use ("16-JUKYSI-ZR", "yal-8F2K1Q").
TRACKING = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9./_-]{1,62}[A-Za-z0-9])")


def clean_tracking(typed: str) -> str:
    """The tracking number as typed, spaces around it removed; CourierRejected when it
    cannot be one (empty, too short or long, spaces or symbols inside)."""
    tracking = typed.strip()
    if not TRACKING.fullmatch(tracking):
        raise CourierRejected(f"manual: {typed!r} is not a tracking number")
    return tracking


class ManualCourier:
    name = "manual"
    capabilities = Capabilities(
        webhooks=False,
        cancel=False,
        labels="none",
        create_batch=0,
        track_batch=0,
        stop_desks=False,
    )

    def __init__(self, account: Account) -> None:
        self.carrier = account.credentials.get("carrier", "")

    def record_parcel(self, request: ParcelRequest, tracking: str) -> CreatedParcel:
        """The parcel the merchant shipped themselves, under the number they typed."""
        raw = {"entered_by_hand": True, "carrier": self.carrier}
        return CreatedParcel(
            tracking=clean_tracking(tracking), reference=request.reference, raw=raw
        )

    async def test_credentials(self) -> None:
        """Nothing to test: there is no account at the other end."""

    async def create_parcel(self, request: ParcelRequest) -> CreatedParcel:
        raise NotSupported("manual courier: type the tracking number (record_parcel)")

    async def find_parcel(self, reference: str) -> CreatedParcel | None:
        return None  # nothing is ever created at a courier, so a retry has nothing to find

    async def wilayas(self) -> list[CourierWilaya]:
        raise NotSupported("manual courier: no reference data")

    async def communes(self, wilaya_code_58: int) -> list[CourierCommune]:
        raise NotSupported("manual courier: no reference data")

    async def stop_desks(self, wilaya_code_58: int | None = None) -> list[StopDesk]:
        raise NotSupported("manual courier: no reference data")

    async def fees(self) -> list[Fee]:
        raise NotSupported("manual courier: the store's own fee table applies")

    async def track_many(self, trackings: Sequence[str]) -> dict[str, ParcelState]:
        raise NotSupported("manual courier: nothing to poll")

    async def history(self, tracking: str) -> list[ParcelState]:
        raise NotSupported("manual courier: nothing to poll")

    async def label(self, tracking: str) -> Label | None:
        raise NotSupported("manual courier: no label")

    async def cancel(self, tracking: str) -> None:
        raise NotSupported("manual courier: cancel with the carrier directly")

    async def aclose(self) -> None:
        """No connection to close."""


def make(account: Account) -> ManualCourier:
    return ManualCourier(account)
