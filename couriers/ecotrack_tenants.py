"""EcoTrack companies we know (reference/couriers.md §3.1) and their API roots.

EcoTrack has no default host: every company runs its own. A merchant may give the full
base URL or one of these names. Hosts drift (DHD moved to its own domain and the old one
answers 301), so a stored base URL always wins over this table.
"""

from __future__ import annotations

from couriers.base import CourierAuthError

KNOWN_TENANTS: dict[str, str] = {
    "48hr": "https://48hr.ecotrack.dz/api/v1",
    "allolivraison": "https://allolivraison.ecotrack.dz/api/v1",
    "anderson": "https://anderson-ecommerce.ecotrack.dz/api/v1",
    "areex": "https://areex.ecotrack.dz/api/v1",
    "bacexpress": "https://bacexpress.ecotrack.dz/api/v1",
    "conexlog": "https://app.conexlog-dz.com/api/v1",
    "coyoteexpressdz": "https://coyoteexpressdz.ecotrack.dz/api/v1",
    "dhd": "https://platform.dhd-dz.com/api/v1",
    "distazero": "https://distazero.ecotrack.dz/api/v1",
    "fret": "https://fret.ecotrack.dz/api/v1",
    "golivri": "https://golivri.ecotrack.dz/api/v1",
    "mono": "https://mono.ecotrack.dz/api/v1",
    "msmgo": "https://msmgo.ecotrack.dz/api/v1",
    "negmar": "https://negmar.ecotrack.dz/api/v1",
    "packers": "https://packers.ecotrack.dz/api/v1",
    "prest": "https://prest.ecotrack.dz/api/v1",
    "rblivraison": "https://rblivraison.ecotrack.dz/api/v1",
    "rex": "https://rex.ecotrack.dz/api/v1",
    "rocket": "https://rocket.ecotrack.dz/api/v1",
    "salvadelivery": "https://salvadelivery.ecotrack.dz/api/v1",
    "speeddelivery": "https://speeddelivery.ecotrack.dz/api/v1",
    "swift": "https://swift.ecotrack.dz/api/v1",
    "tsl": "https://tsl.ecotrack.dz/api/v1",
    "world-express": "https://world-express.ecotrack.dz/api/v1",
}


def tenant_base_url(value: str) -> str:
    """The API root of a company: a known company name or its URL (with or without /api/v1)."""
    value = value.strip()
    if not value:
        raise CourierAuthError(
            "ecotrack: no base URL; give the company's address (https://<company>.ecotrack.dz)"
            f" or one of: {', '.join(KNOWN_TENANTS)}"
        )
    if "://" not in value:
        known = KNOWN_TENANTS.get(value.lower())
        if known is None:
            raise CourierAuthError(f"ecotrack: unknown company {value!r}; give its base URL")
        return known
    base = value.rstrip("/")
    return base if base.endswith("/api/v1") else f"{base}/api/v1"
