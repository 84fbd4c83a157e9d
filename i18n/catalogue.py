"""ar/fr/en gettext catalogues read from `.po` files and compiled in memory (no `.mo`)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("ar", "fr", "en")
FALLBACK = "fr"


def po_files(directory: Path, lang: str) -> list[Path]:
    """`messages.po` then the other `.po` files of `<directory>/<lang>/LC_MESSAGES`, by name.

    A feature may keep its strings in a file of its own (`webhooks.po`); a msgid found in
    two files keeps the first translation."""
    folder = directory / lang / "LC_MESSAGES"
    main = folder / "messages.po"
    return [main, *sorted(p for p in folder.glob("*.po") if p != main)]


def read_catalogue(directory: Path, lang: str) -> Catalog:
    """Every `.po` file of one language merged into one catalogue."""
    merged: Catalog | None = None
    for po_path in po_files(directory, lang):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.id not in merged:
                merged[message.id] = message
    assert merged is not None
    return merged


def compile_catalogue(directory: Path, lang: str) -> Translations:
    """Read the language's `.po` files and compile them in memory."""
    catalog = read_catalogue(directory, lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class Translator:
    """`_("Hello %(name)s", name=...)` in one language."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations

    def __call__(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % {"n": n, **params}


@dataclass(frozen=True, slots=True)
class Catalogues:
    """One compiled catalogue per language, loaded once at startup."""

    by_lang: Mapping[str, Translations]

    @classmethod
    def load(cls, directory: Path) -> Catalogues:
        return cls({lang: compile_catalogue(directory, lang) for lang in LANGS})

    def translator(self, lang: str) -> Translator:
        return Translator(self.by_lang.get(lang) or self.by_lang[FALLBACK])
