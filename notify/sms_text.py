"""Customer SMS texts in the store's language (ar, fr, en) and how many SMS they cost.

A text that fits the GSM 03.38 alphabet travels in 7-bit septets: 160 per SMS, 153 per part
of a longer one (the rest of each part is the concatenation header); extension-table
characters (`€ [ ] { } ^ ~ | \\` and form feed) take two septets, an escape and the
character, and a part never ends between the two. One character outside that alphabet (any
Arabic letter, `ê`, `ç`, an emoji, a typographic apostrophe) sends the whole text as UCS-2:
70 UTF-16 units per SMS, 67 per part, an emoji taking two units that stay in one part.

Each text is kept within MAX_PARTS parts: a long store name is shortened first, then the
courier's name is left out; the order number and the tracking number are never cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from models.shipping.courier_names import DISPLAY_NAMES

DEFAULT_LANG = "ar"  # the Store default
MAX_PARTS = 2
MIN_STORE_CHARS = 8
MAX_COURIER_CHARS = 24

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Look-alikes that would turn a whole French or English text into UCS-2 for one character.
_TO_GSM = str.maketrans(
    {"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-"}
    | {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "…": "...", "\t": " "}
)

CATALOGUE: dict[str, dict[str, str]] = {
    "ar": {
        # No full stops: the line breaks end the sentences, and a typical text fits one SMS.
        "shipped": "{store}\nتم شحن طلبك رقم {number} مع {courier}\nرقم التتبع: {tracking}",
        "shipped_plain": "{store}\nتم شحن طلبك رقم {number}\nرقم التتبع: {tracking}",
    },
    "fr": {
        "shipped": (
            "{store}\nVotre commande {number} a été expédiée avec {courier}.\n"
            "Numéro de suivi : {tracking}"
        ),
        "shipped_plain": (
            "{store}\nVotre commande {number} a été expédiée.\nNuméro de suivi : {tracking}"
        ),
    },
    "en": {
        "shipped": (
            "{store}\nYour order {number} has shipped with {courier}.\nTracking number: {tracking}"
        ),
        "shipped_plain": "{store}\nYour order {number} has shipped.\nTracking number: {tracking}",
    },
}

# How customers know the couriers: models.shipping.courier_names, as the team sees them.
COURIER_NAMES = DISPLAY_NAMES


@dataclass(frozen=True, slots=True)
class Segments:
    """How a text travels: its encoding, its length in that encoding's units (septets or
    UTF-16 units) and the number of SMS it is split into."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    parts: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def count_segments(text: str) -> Segments:
    """Encoding, length and SMS count of `text`, as a phone splits it."""
    if is_gsm7(text):
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
        return Segments("GSM-7", sum(costs), _parts(costs, single=160, multi=153))
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return Segments("UCS-2", sum(costs), _parts(costs, single=70, multi=67))


def _parts(costs: list[int], single: int, multi: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1 if costs else 0
    parts, used = 1, 0
    for cost in costs:  # an escape pair or a surrogate pair never straddles two parts
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return parts


def courier_name(courier: str, label: str = "") -> str:
    """The name the customer knows the courier by; "" for the manual courier with no label
    (the merchant typed a tracking number, the courier is unknown)."""
    name = label.strip() or COURIER_NAMES.get(courier, "" if courier == "manual" else courier)
    return _one_line(name)[:MAX_COURIER_CHARS].strip()


def shipped_sms(lang: str, store: str, number: int, courier: str, tracking: str) -> str:
    """ "Your order is on its way" with the tracking number, within MAX_PARTS SMS when the
    tracking number allows it. `courier` is a display name ("" leaves it out)."""
    texts = CATALOGUE[lang if lang in CATALOGUE else DEFAULT_LANG]
    text = ""
    for store_name, courier_shown in _shortenings(_one_line(store), courier):
        key = "shipped" if courier_shown else "shipped_plain"
        text = texts[key].format(
            store=store_name, number=number, courier=courier_shown, tracking=tracking
        )
        if count_segments(text).parts <= MAX_PARTS:
            return text
    return text  # the shortest form: only a very long tracking number gets here


def _shortenings(store: str, courier: str) -> Iterator[tuple[str, str]]:
    """Store name and courier from the full text to the shortest one."""
    floor = min(len(store), MIN_STORE_CHARS)
    for shown in (courier, "") if courier else ("",):
        yield store, shown
        for length in range(len(store) - 1, floor - 1, -1):
            yield store[:length].rstrip(" -.,:'"), shown


def _one_line(text: str) -> str:
    return " ".join(text.translate(_TO_GSM).split())
