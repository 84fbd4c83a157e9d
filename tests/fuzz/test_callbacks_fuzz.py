"""Callback data under generated input: every button the bot can make fits Telegram's
64 bytes and reads back to what made it, and no string (forged, truncated, garbled, in
another script) makes a parser raise or read something the bot did not write."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import callbacks as cb

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None)

ORDER_ID = st.integers(0, 10**12 - 1)  # order, product, variant, member and chat row ids
VERSION = st.integers(0, 10**9 - 1)
STORE_ID = st.integers(0, 10**9 - 1)
PAGE = st.integers(0, 9999)


def fits(data: str) -> None:
    assert data.isascii() and len(data.encode()) <= cb.MAX_BYTES, data


@FUZZ
@given(order_id=ORDER_ID, action=st.sampled_from(sorted(cb.ACTIONS)), version=VERSION)
def test_order_buttons_read_back(order_id: int, action: str, version: int) -> None:
    data = cb.order_button(order_id, action, version)
    fits(data)
    assert cb.parse_order(data) == cb.OrderPress(order_id, action, version)
    assert cb.parse_open(cb.open_button(order_id)) == order_id


@FUZZ
@given(
    store=STORE_ID,
    a=VERSION,
    b=VERSION,
    page=PAGE,
    period=st.sampled_from(["today", "week", "month"]),
)
def test_list_digest_and_stats_buttons_read_back(
    store: int, a: int, b: int, page: int, period: str
) -> None:
    pairs: list[tuple[str, object, object]] = [
        (cb.list_button(store, page), cb.parse_list, (store, page)),
        (cb.digest_button(store, a, b), cb.parse_digest, (store, a, b)),
        (cb.digest_page_button(store, a, b, page), cb.parse_digest_page, (store, a, b, page)),
        (cb.stats_button(store, period), cb.parse_stats, (store, period)),
    ]
    for data, parse, expected in pairs:
        fits(data)
        assert parse(data) == expected  # type: ignore[operator]


@FUZZ
@given(
    store=STORE_ID,
    team_action=st.sampled_from(sorted(cb.TEAM_ACTIONS)),
    target=ORDER_ID,
    key=st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2),
    value=st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    courier_action=st.sampled_from(sorted(cb.COURIER_ACTIONS)),
    account=STORE_ID,
)
def test_owner_menu_buttons_read_back(
    store: int,
    team_action: str,
    target: int,
    key: str,
    value: str,
    courier_action: str,
    account: int,
) -> None:
    data = cb.team_button(store, team_action, target)
    fits(data)
    assert cb.parse_team(data) == (store, team_action, target)
    data = cb.setting_button(store, key, value)
    fits(data)
    assert cb.parse_setting(data) == (store, key, value)
    data = cb.courier_menu_button(store, courier_action, account)
    fits(data)
    assert cb.parse_courier_menu(data) == (store, courier_action, account)


catalog_presses = st.one_of(
    st.builds(cb.CatalogPress, st.just("cp"), STORE_ID, st.sampled_from([0, 1]), PAGE),
    st.builds(cb.CatalogPress, st.just("ca"), ORDER_ID, st.sampled_from([0, 1]), PAGE),
    st.builds(cb.CatalogPress, st.just("sp"), STORE_ID, st.just(0), PAGE),
    st.builds(cb.CatalogPress, st.just("s"), ORDER_ID, st.sampled_from(cb.STOCK_STEPS), PAGE),
)
dispatch_presses = st.one_of(
    st.builds(cb.DispatchPress, st.just("dc"), ORDER_ID, VERSION, STORE_ID),
    st.builds(cb.DispatchPress, st.just("dp"), ORDER_ID, VERSION, STORE_ID, PAGE),
    st.builds(
        cb.DispatchPress,
        st.just("dd"),
        ORDER_ID,
        VERSION,
        STORE_ID,
        PAGE,
        st.text("0123456789abcdef", min_size=6, max_size=6),
    ),
)


@FUZZ
@given(
    catalog=catalog_presses,
    dispatch=dispatch_presses,
    token=st.text("0123456789abcdef", min_size=8, max_size=8),
    form_action=st.sampled_from(["sv", "cx"]),
)
def test_catalog_form_and_dispatch_buttons_read_back(
    catalog: cb.CatalogPress, dispatch: cb.DispatchPress, token: str, form_action: str
) -> None:
    data = cb.catalog_button(catalog.kind, catalog.target, catalog.arg, catalog.page)
    fits(data)
    assert cb.parse_catalog(data) == catalog
    data = cb.dispatch_button(dispatch)
    fits(data)
    assert cb.parse_dispatch(data) == dispatch
    data = cb.form_button(token, form_action)
    fits(data)
    assert cb.parse_form(data) == (token, form_action)


# Each parser with the encoder that writes its canonical form back from what it read.
Rewrite = Callable[[object], str]
PARSERS: list[tuple[Callable[[str], object], Rewrite]] = [
    (cb.parse_order, lambda p: cb.order_button(p.order_id, p.action, p.version)),  # type: ignore[attr-defined]
    (cb.parse_list, lambda v: cb.list_button(*v)),  # type: ignore[misc]
    (cb.parse_open, lambda v: cb.open_button(v)),  # type: ignore[arg-type]
    (cb.parse_digest, lambda v: cb.digest_button(*v)),  # type: ignore[misc]
    (cb.parse_digest_page, lambda v: cb.digest_page_button(*v)),  # type: ignore[misc]
    (cb.parse_stats, lambda v: cb.stats_button(*v)),  # type: ignore[misc]
    (cb.parse_team, lambda v: cb.team_button(*v)),  # type: ignore[misc]
    (cb.parse_setting, lambda v: cb.setting_button(*v)),  # type: ignore[misc]
    (cb.parse_catalog, lambda p: cb.catalog_button(p.kind, p.target, p.arg, p.page)),  # type: ignore[attr-defined]
    (cb.parse_form, lambda v: cb.form_button(*v)),  # type: ignore[misc]
    (cb.parse_dispatch, lambda p: cb.dispatch_button(p)),  # type: ignore[arg-type]
    (cb.parse_courier_menu, lambda v: cb.courier_menu_button(*v)),  # type: ignore[misc]
]

PREFIXES = [
    "o",
    "l",
    "op",
    "dg",
    "dl",
    "fg",
    "tm",
    "st",
    "cp",
    "ca",
    "sp",
    "s",
    "ap",
    "dc",
    "dp",
    "dd",
    "cr",
]
# Pieces a forged or garbled button is made of: digits of three scripts, signs, the
# bot's own words, blanks and line ends.
PIECES = st.one_of(
    st.from_regex(r"-?[0-9]{1,14}", fullmatch=True),
    st.text("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹0123456789", min_size=1, max_size=4),
    st.sampled_from(
        [*sorted(cb.ACTIONS), *sorted(cb.TEAM_ACTIONS), "t", "d", "w", "m", "sv", "cx"]
    ),
    st.text("abcdef0123456789", min_size=6, max_size=8),
    st.sampled_from(["", " ", "\n", "\t", "\x00", "+1", "1e3", "0x1f", "²", "½"]),
)


@st.composite
def garbled(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(PREFIXES)), *draw(st.lists(PIECES, max_size=6))]
    text = ":".join(parts)
    return text + draw(st.sampled_from(["", "\n", " ", ":", "\r\n"]))


@FUZZ
@given(
    data=st.one_of(
        garbled(), st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))
    )
)
@example(data="l:1:2\n")
@example(data="l:١:2")
@example(data="fg:1:t\n")
@example(data="dd:1:2:3:4:abcdef\n")
@example(data="o:" + "9" * 12 + ":cf:" + "9" * 9)
def test_no_string_breaks_a_parser_or_reads_as_something_else(data: str) -> None:
    """A parser returns None or a press; what it reads is ASCII without line ends and
    within 64 bytes, and writing the press back reads the same (so no two spellings of a
    button reach a handler as different presses)."""
    for parse, rewrite in PARSERS:
        press = parse(data)
        if press is None:
            continue
        assert data.isascii() and not any(c in data for c in "\r\n\x00"), (parse.__name__, data)
        assert len(data.encode()) <= cb.MAX_BYTES
        again = rewrite(press)
        fits(again)
        assert parse(again) == press, (parse.__name__, data, again)


@FUZZ
@given(data=st.one_of(st.none(), st.text(max_size=200)))
def test_none_and_overlong_data_are_refused(data: str | None) -> None:
    long = (data or "") + "1" * 70
    for parse, _ in PARSERS:
        assert parse(long) is None
        assert parse(None) is None  # type: ignore[arg-type]  # a query without data
