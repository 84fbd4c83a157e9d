"""Storefront rules without a server: dinars, the cart cookie, the IP window, tokens, and
the three catalogues covering every string the storefront shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from i18n import compile_catalogue, format_dinars
from webstore import cart as carts
from webstore.i18n import CATALOGUE_DIR, LANGS, choose_lang, load_catalogues
from webstore.security import (
    SlidingWindow,
    csrf_token,
    csrf_valid,
    new_visitor_id,
    order_token,
    order_token_valid,
    placed_cookie,
    placed_numbers,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (2500, "DA", "2 500 DA"),
        (2500, "د.ج", "2 500 د.ج"),
        (0, "DA", "0 DA"),
        (999, "DA", "999 DA"),
        (1_234_567, "DA", "1 234 567 DA"),
    ],
)
def test_dinars(amount: int, currency: str, shown: str) -> None:
    text = format_dinars(amount, currency)
    assert text.replace("\u202f", " ").replace("\u00a0", " ") == shown
    assert " " not in text  # no breakable space: the amount never wraps or reorders


def test_arabic_catalogue_writes_dinars_in_arabic() -> None:
    assert load_catalogues().translator("ar")("DA") == "د.ج"


def test_language_choice_order() -> None:
    assert choose_lang("en", "ar", "fr") == "en"
    assert choose_lang(None, "ar", "fr") == "ar"
    assert choose_lang("xx", "yy", "fr") == "fr"
    assert choose_lang(None, None, "zz") == "fr"


def test_cart_cookie_round_trip_and_tampering() -> None:
    cart = carts.Cart()
    cart.add(7, 2)
    cart.add(9, 1)
    cart.add(7, 200)
    raw = carts.encode(cart, "s", store_id=1)
    assert carts.decode(raw, "s", 1).lines == {7: 99, 9: 1}
    assert carts.decode(raw, "s", 2).lines == {}  # another store's cart
    assert carts.decode(raw, "other secret", 1).lines == {}
    assert carts.decode(raw.replace("9x1", "9x5"), "s", 1).lines == {}
    for junk in ("", "x", "1x1.", "." * 2000, "٣x1.abc", None):
        assert carts.decode(junk, "s", 1).lines == {}


def test_cart_holds_at_most_its_line_count() -> None:
    cart = carts.Cart()
    assert all(cart.add(vid, 1) for vid in range(1, carts.MAX_LINES + 1))
    assert not cart.add(999, 1)
    cart.change(1, 0)
    assert cart.add(999, 1)


@pytest.mark.parametrize(
    ("raw", "quantity"),
    [
        ("1", 1),
        (" 99 ", 99),
        ("٣", 3),
        ("0", None),
        ("100", None),
        ("²", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("9" * 50, None),
    ],
)
def test_quantity_parsing(raw: object, quantity: int | None) -> None:
    assert carts.parse_quantity(raw) == quantity


def test_variant_id_stays_in_the_database_range() -> None:
    assert carts.parse_variant_id("12") == 12
    assert carts.parse_variant_id(str(2**31)) is None
    assert carts.parse_variant_id("0") is None


def test_sliding_window_forgets_old_hits() -> None:
    now = [0.0]
    window = SlidingWindow(limit=2, window=600, clock=lambda: now[0])
    assert window.hit("a") and window.hit("a")
    assert not window.hit("a")
    assert window.hit("b")
    now[0] = 599.0
    assert not window.hit("a")
    now[0] = 600.5
    assert window.hit("a")


def test_tokens_are_bound_to_their_subject() -> None:
    visitor = new_visitor_id()
    assert csrf_valid("k", visitor, csrf_token("k", visitor))
    assert not csrf_valid("k", new_visitor_id(), csrf_token("k", visitor))
    assert not csrf_valid("k", visitor, csrf_token("other", visitor))
    assert not csrf_valid("k", None, csrf_token("k", visitor))
    token = order_token("k", 1, 1001)
    assert order_token_valid("k", 1, 1001, token)
    assert not order_token_valid("k", 1, 1002, token)
    assert not order_token_valid("k", 2, 1001, token)


def test_placed_orders_cookie_keeps_the_last_five_of_its_store() -> None:
    raw = placed_cookie(tuple(range(1001, 1008)), "k", 1)
    assert placed_numbers(raw, "k", 1) == (1003, 1004, 1005, 1006, 1007)
    assert placed_numbers(raw, "k", 2) == ()  # another store's orders
    assert placed_numbers(raw, "other", 1) == ()
    assert placed_numbers(raw.replace("1007", "1008"), "k", 1) == ()
    payload, _, signature = raw.partition(".")
    for junk in (None, "", ".", "1001", f"{payload}.{signature[:-1]}é", "x" * 500, payload):
        assert placed_numbers(junk, "k", 1) == ()


def test_a_non_ascii_token_is_refused_not_an_error() -> None:
    visitor = new_visitor_id()
    assert not csrf_valid("k", visitor, "é" * 64)
    assert not order_token_valid("k", 1, 1001, "é" * 24)


def _extracted_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("lang", LANGS)
def test_every_storefront_string_is_in_each_catalogue(lang: str) -> None:
    messages = _extracted_messages()
    assert len(messages) > 50
    catalogue = compile_catalogue(CATALOGUE_DIR, lang)
    placeholders = re.compile(r"%\(\w+\)s")
    for message in messages:
        translated = catalogue.gettext(message)
        assert (
            translated != message
            or lang == "en"
            or message in {"DA", "Wilaya", "Commune", "Total", "Stop desk", "Stock"}
        ), f"{lang}: {message!r} is not translated"
        assert placeholders.findall(translated) == placeholders.findall(message), message
