"""Courier name → adapter factory. The composition root and the CLI look couriers up here;
each adapter module adds its names (one line per courier family)."""

from __future__ import annotations

from collections.abc import Callable

from couriers import ecotrack, manual, maystro, noest, procolis, yalidine, zrexpress
from couriers.base import Account, Courier

COURIERS: dict[str, Callable[[Account], Courier]] = {
    "yalidine": yalidine.make,
    **dict.fromkeys(yalidine.CLONES, yalidine.make),  # yalitec, guepex, … (other hosts)
    "ecotrack": ecotrack.make,  # every EcoTrack company: the account's base URL picks it
    "noest": noest.make,
    "procolis": procolis.make,  # ZR Express legacy, ABEX, Leopard, Colilog, Flash: own token+key
    "zrexpress": zrexpress.make,  # the new platform (api.zrexpress.app)
    "maystro": maystro.make,
    "manual": manual.make,  # the merchant types the tracking number
}
