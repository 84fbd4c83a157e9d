"""The bot's words in ar/fr/en (the store's language), and labels shared by cards and lists."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from i18n import Catalogues, Translator, format_dinars
from models.customers import registry

CATALOGUE_DIR = Path(__file__).parent / "translations"
ALGIERS = ZoneInfo("Africa/Algiers")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


_ = N_


STATUS = {
    "pending": _("Pending"),
    "confirmed": _("Confirmed"),
    "processing": _("Processing"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "cancelled": _("Cancelled"),
    "returned": _("Returned"),
}
STATUS_ICON = {
    "pending": "🆕",
    "confirmed": "✅",
    "processing": "📦",
    "shipped": "🚚",
    "delivered": "🎉",
    "cancelled": "❌",
    "returned": "↩️",
}
OUTCOME = {
    "no_answer": _("No answer"),
    "busy": _("Busy"),
    "unreachable": _("Unreachable"),
    "wrong_number": _("Wrong number"),
    "postponed": _("Postponed"),
    "customer_cancelled": _("Customer cancelled"),
    "fake": _("Fake order"),
    "duplicate": _("Duplicate"),
    "confirmed": _("Confirmed by phone"),
}


@functools.cache
def _catalogues() -> Catalogues:
    return Catalogues.load(CATALOGUE_DIR)


def translator(lang: str) -> Translator:
    return _catalogues().translator(lang)


def money(amount: int, lang: str) -> str:
    return format_dinars(amount, lang)


def local_time(moment: datetime, with_date: bool = True) -> str:
    """Algiers time as people read it: `14:05` or `27/11 14:05`."""
    local = moment.astimezone(ALGIERS)
    return local.strftime("%d/%m %H:%M" if with_date else "%H:%M")


ROLE = {"owner": _("owner"), "agent": _("agent")}


def reason_text(reason: str, t: Translator) -> str:
    """A blacklist reason: the one the Fake outcome writes is shown in the reader's language."""
    number = registry.fake_order_of(reason)
    return t("fake order #%(number)s", number=number) if number is not None else reason


def who_text(label: str, t: Translator) -> str:
    """`Amina (agent)` as stored, with the role in the reader's language."""
    name, role = registry.split_actor_label(label)
    return f"{name} ({t(ROLE[role])})" if role else label
