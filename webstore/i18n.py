"""Storefront languages: the visitor's choice among ar/fr/en, and the catalogues."""

from __future__ import annotations

from pathlib import Path

from i18n import LANGS, Catalogues, Translator, format_dinars

LANG_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
RTL_LANGS = frozenset({"ar"})
CATALOGUE_DIR = Path(__file__).parent / "translations"


def load_catalogues() -> Catalogues:
    return Catalogues.load(CATALOGUE_DIR)


def choose_lang(asked: str | None, remembered: str | None, store_lang: str) -> str:
    """The language asked in the query, else the one remembered in the cookie, else the
    store's; unknown codes are ignored at each step."""
    for candidate in (asked, remembered, store_lang):
        if candidate in LANGS:
            return candidate
    return "fr"


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGS


__all__ = ["LANGS", "Catalogues", "Translator", "format_dinars"]
