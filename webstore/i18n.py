"""Storefront languages: the ar/fr/en catalogues, the visitor's choice, and dinars on screen."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("ar", "fr", "en")
LANG_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
RTL_LANGS = frozenset({"ar"})
CATALOGUE_DIR = Path(__file__).parent / "translations"

# U+202F (narrow no-break space) groups thousands: it is a "common separator" for the
# bidi algorithm, so "2 500" stays one number inside Arabic text, where a plain space
# would let the groups swap places. U+00A0 keeps the currency on the number's line.
THOUSANDS = "\u202f"
BEFORE_CURRENCY = "\u00a0"


def compile_catalogue(lang: str) -> Translations:
    """Read `<lang>/LC_MESSAGES/messages.po` and compile it in memory (no .mo on disk)."""
    po_path = CATALOGUE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


@dataclass(frozen=True, slots=True)
class Catalogues:
    """One compiled catalogue per storefront language, loaded once at startup."""

    by_lang: Mapping[str, Translations]

    @classmethod
    def load(cls) -> Catalogues:
        return cls({lang: compile_catalogue(lang) for lang in LANGS})

    def translator(self, lang: str) -> Translator:
        return Translator(self.by_lang.get(lang) or self.by_lang["fr"])


class Translator:
    """`_("Hello %(name)s", name=...)` for templates and views."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations

    def __call__(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text


def choose_lang(asked: str | None, remembered: str | None, store_lang: str) -> str:
    """The language asked in the query, else the one remembered in the cookie, else the
    store's; unknown codes are ignored at each step."""
    for candidate in (asked, remembered, store_lang):
        if candidate in LANGS:
            return candidate
    return "fr"


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGS


def group_thousands(amount: int) -> str:
    return f"{amount:,}".replace(",", THOUSANDS)


def format_dinars(amount: int, currency: str) -> str:
    """`2 500 DA` / `2 500 د.ج`: the currency label comes from the visitor's catalogue."""
    return f"{group_thousands(amount)}{BEFORE_CURRENCY}{currency}"
