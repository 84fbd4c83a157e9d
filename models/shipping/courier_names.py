"""How couriers are shown to people (Yalidine, not yalidine) and where a parcel can be
followed on the courier's public site. Pure: no I/O."""

from __future__ import annotations

from urllib.parse import quote

# Brand names, the same in every language (the SMS to customers uses them too).
DISPLAY_NAMES = {
    "yalidine": "Yalidine",
    "yalitec": "Yalitec",
    "guepex": "Guepex",
    "economiqua": "Economiqua",
    "easyandspeed": "Easy and Speed",
    "wecan": "WeCan",
    "ecotrack": "EcoTrack",
    "noest": "NOEST",
    "procolis": "Procolis",
    "zrexpress": "ZR Express",
    "maystro": "Maystro Delivery",
}
# Public tracking pages, only where the courier publishes one that takes the number in
# the address; the others show the tracking number as plain text.
TRACKING_URLS = {
    "yalidine": "https://yalidine.com/suivre-un-colis/?tracking={tracking}",
}


def courier_display_name(courier: str) -> str:
    """`yalidine` → `Yalidine`; an unknown code is shown as stored."""
    return DISPLAY_NAMES.get(courier, courier)


def tracking_url(courier: str, tracking: str) -> str | None:
    """The courier's public page for this parcel, or None when it has none we know."""
    template = TRACKING_URLS.get(courier)
    if template is None or not tracking:
        return None
    return template.format(tracking=quote(tracking, safe=""))
