"""Dinars on screen: `2 500 DA` in French and English, `2 500 د.ج` in Arabic (SPEC §4)."""

from __future__ import annotations

# U+202F (narrow no-break space) groups thousands: it is a "common separator" for the
# bidi algorithm, so "2 500" stays one number inside Arabic text, where a plain space
# would let the groups swap places. U+00A0 keeps the currency on the number's line.
THOUSANDS = "\u202f"
BEFORE_CURRENCY = "\u00a0"
CURRENCY = {"ar": "د.ج", "fr": "DA", "en": "DA"}


def group_thousands(amount: int) -> str:
    return f"{amount:,}".replace(",", THOUSANDS)


def format_dinars(amount: int, lang_or_label: str) -> str:
    """`2 500 DA` / `2 500 د.ج`; takes a language code or a currency label."""
    currency = CURRENCY.get(lang_or_label, lang_or_label)
    return f"{group_thousands(amount)}{BEFORE_CURRENCY}{currency}"
