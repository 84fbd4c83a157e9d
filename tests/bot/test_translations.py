"""The bot speaks the store's language: every string it can show has an Arabic and a French
translation that keeps what the code and Telegram rely on (placeholders, HTML tags, emojis,
commands). The strings are extracted from bot/ at test time, as `pybabel extract -F
bot/babel.cfg -k _ -k N_` does, so a string added without its translations fails here."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from i18n import LANGS, compile_catalogue
from i18n.catalogue import read_catalogue

BOT = Path(__file__).resolve().parents[2] / "bot"
TRANSLATIONS = BOT / "translations"
# `-k` adds to Babel's default keywords: the same set here.
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None}
TRANSLATED = ("ar", "fr")  # English is the msgids themselves: its msgstr stay empty
ALERT_CHARS = 200  # Telegram refuses a longer callback answer (the bot's alerts and toasts)

PLACEHOLDER = re.compile(r"%\(([^)]+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


@functools.cache
def extracted() -> tuple[str, ...]:
    with (BOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(BOT), method_map, options_map, keywords=KEYWORDS)
    ids = {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}
    return tuple(sorted(ids))


@functools.cache
def catalogue(lang: str) -> Catalog:
    return read_catalogue(TRANSLATIONS, lang)


def translation(lang: str, msgid: str) -> str:
    message = catalogue(lang).get(msgid)
    if message is None or message.fuzzy:  # a fuzzy entry is left out when compiled
        return ""
    string = message.string
    if isinstance(string, str):
        return string
    return " ".join(string) if string and all(string) else ""  # plural: every form filled


def translated_pairs() -> list[tuple[str, str, str]]:
    """(lang, msgid, msgstr) of every extracted string in the translated languages."""
    return [(lang, m, translation(lang, m)) for lang in TRANSLATED for m in extracted()]


def symbols(text: str) -> Counter[str]:
    """Emojis and pictographs (⚠️, ▸): they keep their meaning in every language."""
    return Counter(c for c in text if unicodedata.category(c) == "So" or c == "\ufe0f")


def words_of(msgid: str) -> str:
    return COMMAND.sub("", PLACEHOLDER.sub("", msgid))


def test_the_extraction_finds_the_bot_strings() -> None:
    ids = extracted()
    # Shown through a marker (N_) and through a local translator (`_ = translator(lang)`).
    assert "Wrong number" in ids
    assert "Confirmed #%(number)s" in ids
    assert len(ids) > 100


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_bot_string_is_translated(lang: str) -> None:
    missing = [msgid for msgid in extracted() if not translation(lang, msgid).strip()]
    assert missing == [], f"{len(missing)} strings without a {lang} translation"


def test_english_shows_the_source_text() -> None:
    english = compile_catalogue(TRANSLATIONS, "en")
    changed = [msgid for msgid in extracted() if english.gettext(msgid) != msgid]
    assert changed == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_compiled_catalogue_serves_every_translation(lang: str) -> None:
    compiled = compile_catalogue(TRANSLATIONS, lang)
    wrong = [m for m in extracted() if compiled.gettext(m) != (translation(lang, m) or m)]
    assert wrong == []


def test_placeholders_are_kept_and_format() -> None:
    for lang, msgid, msgstr in translated_pairs():
        names = set(PLACEHOLDER.findall(msgid))
        assert set(PLACEHOLDER.findall(msgstr)) == names, (lang, msgid, msgstr)
        if names:  # the Translator formats with `%`: a stray `%` would raise
            assert msgstr % dict.fromkeys(names, "x"), (lang, msgid)


def test_html_tags_emojis_and_commands_are_kept() -> None:
    for lang, msgid, msgstr in translated_pairs():
        assert TAG.findall(msgstr) == TAG.findall(msgid), (lang, msgid, msgstr)
        assert msgstr.count("<") == msgid.count("<"), (lang, msgstr)
        assert symbols(msgstr) == symbols(msgid), (lang, msgid, msgstr)
        assert set(COMMAND.findall(msgstr)) == set(COMMAND.findall(msgid)), (lang, msgstr)


def test_arabic_strings_are_written_in_arabic() -> None:
    for msgid in extracted():
        if LATIN_LETTER.search(words_of(msgid)):
            assert ARABIC_LETTER.search(translation("ar", msgid)), msgid


def test_translations_of_short_texts_fit_in_an_alert() -> None:
    for lang, msgid, msgstr in translated_pairs():
        if len(msgid) <= ALERT_CHARS:
            assert len(msgstr) <= ALERT_CHARS, (lang, msgid)
