"""Callback data: short ASCII `o:<order id>:<action>:<card version>` (≤ 64 bytes).

Ids, never names, go in callback data; the version lets a press on an outdated card be
refused and that card refreshed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
ACTIONS = frozenset(
    {
        "cf",  # confirm
        "cm",  # call outcome menu
        "na",
        "bz",
        "ur",
        "wn",  # no answer, busy, unreachable, wrong number
        "pm",
        "p1",
        "p3",
        "pt",  # postpone menu, +1 h, +3 h, tomorrow 10:00
        "cc",
        "fk",
        "du",  # customer cancelled, fake, duplicate (asks which order is kept)
        "cl",
        "rl",  # claim, release
        "pr",  # processing
        "dm",
        "dx",  # dispatch menu, manual dispatch (asks the tracking number)
        "dv",
        "rt",  # delivered, returned
        "cx",
        "cy",  # cancel (ask), cancel (yes)
        "tl",  # timeline
        "ed",  # edit the order (bot.edit_flow)
        "bk",  # back to the main keyboard
        # Cancel ▸ reasons (models.orders.cancellation.REASONS by index; k7 asks for the words)
        *(f"k{i}" for i in range(8)),
        "fy",  # yes, fake: cancel and block the number
        "dy",
        "ry",  # yes, delivered / yes, returned
        "cw",  # confirm a blacklisted customer's order anyway
        "pk",  # postpone to a typed time (asks it)
        "dt",  # duplicate of an order typed by number (asks it)
    }
)
# ASCII digits only (`\d` takes any script's digits), and no trailing newline (`$` would
# allow one; `\Z` does not): forged data never parses. The same holds for every pattern here.
_ORDER = re.compile(r"o:([0-9]{1,12}):([a-z][a-z0-9]):([0-9]{1,9})")
_LIST = re.compile(r"^l:([0-9]{1,9}):([0-9]{1,4})\Z")
_OPEN = re.compile(r"^op:([0-9]{1,12})\Z")
_DIGEST = re.compile(r"^dg:([0-9]{1,9}):([0-9]{1,9}):([0-9]{1,9})\Z")
_DIGEST_PAGE = re.compile(r"^dl:([0-9]{1,9}):([0-9]{1,9}):([0-9]{1,9}):([0-9]{1,4})\Z")
_STATS = re.compile(r"^fg:([0-9]{1,9}):([twm])\Z")
STATS_PERIODS = {"t": "today", "w": "week", "m": "month"}


@dataclass(frozen=True, slots=True)
class OrderPress:
    order_id: int
    action: str
    version: int


def order_button(order_id: int, action: str, version: int) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    data = f"o:{order_id}:{action}:{version}"
    assert len(data.encode()) <= MAX_BYTES
    return data


def parse_order(data: str | None) -> OrderPress | None:
    """The press, or None for data this bot never made (forged, truncated, too long)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _ORDER.fullmatch(data)
    if match is None or match.group(2) not in ACTIONS:
        return None
    return OrderPress(int(match.group(1)), match.group(2), int(match.group(3)))


# 🔁 Duplicate ▸ (bot/duplicate_menu.py): keep order `<kept number>` instead of the card's
# order, `dk:<order>:<version>:<kept number>:<1 = another customer's order, on purpose>`.
_KEEP = re.compile(r"^dk:([0-9]{1,12}):([0-9]{1,9}):([0-9]{1,9}):([01])\Z")


@dataclass(frozen=True, slots=True)
class KeepPress:
    order_id: int
    version: int
    kept: int
    other_customer: bool


def keep_button(order_id: int, version: int, kept: int, other_customer: bool = False) -> str:
    data = f"dk:{order_id}:{version}:{kept}:{int(other_customer)}"
    if not _KEEP.match(data):
        raise ValueError(f"bad duplicate button {data!r}")
    return data


def parse_keep(data: str | None) -> KeepPress | None:
    match = _KEEP.match(data or "")
    if match is None:
        return None
    order_id, version, kept, other = match.groups()
    return KeepPress(int(order_id), int(version), int(kept), other == "1")


def list_button(store_id: int, page: int) -> str:
    return f"l:{store_id}:{page}"


def parse_list(data: str) -> tuple[int, int] | None:
    match = _LIST.match(data or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def open_button(order_id: int) -> str:
    return f"op:{order_id}"


def parse_open(data: str) -> int | None:
    match = _OPEN.match(data or "")
    return int(match.group(1)) if match else None


def digest_button(store_id: int, first: int, last: int) -> str:
    return f"dg:{store_id}:{first}:{last}"


def parse_digest(data: str) -> tuple[int, int, int] | None:
    match = _DIGEST.match(data or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


# Owner menus: /team (`tm:<store>:<action>:<member or chat id>`) and /settings
# (`st:<store>:<key>:<value>`); the store id lets a press be checked against the chat.
# remove?, remove!, unlink?, unlink!, back, block a group helper?, block!
TEAM_ACTIONS = frozenset({"rm", "ry", "ul", "uy", "bk", "bh", "by"})
_TEAM = re.compile(r"^tm:([0-9]{1,9}):([a-z]{2}):([0-9]{1,16})\Z")
_SETTING = re.compile(r"^st:([0-9]{1,9}):([a-z]{2}):([a-z0-9]{1,8})\Z")


def team_button(store_id: int, action: str, target: int = 0) -> str:
    if action not in TEAM_ACTIONS:
        raise ValueError(f"unknown team action {action!r}")
    return f"tm:{store_id}:{action}:{target}"


def parse_team(data: str | None) -> tuple[int, str, int] | None:
    match = _TEAM.match(data or "")
    if match is None or match.group(2) not in TEAM_ACTIONS:
        return None
    return int(match.group(1)), match.group(2), int(match.group(3))


def setting_button(store_id: int, key: str, value: str) -> str:
    data = f"st:{store_id}:{key}:{value}"
    if not _SETTING.match(data):
        raise ValueError(f"bad setting button {data!r}")
    return data


def parse_setting(data: str | None) -> tuple[int, str, str] | None:
    match = _SETTING.match(data or "")
    return (int(match.group(1)), match.group(2), match.group(3)) if match else None


# Catalogue lists (bot/catalog_cmds.py), all `<kind>:<id>:<arg>:<page>`: products page
# `cp:<store>:<manage 0|1>:<page>`, hide/show `ca:<product>:<active 0|1>:<page>`, stock page
# `sp:<store>:0:<page>`, stock move `s:<variant>:<delta>:<page>`. /addproduct's summary:
# `ap:<draft token>:<sv|cx>` (save, cancel).
STOCK_STEPS = (-5, -1, 1, 5)
_CATALOG = re.compile(r"^(cp|ca|sp|s):([0-9]{1,12}):(-?[0-9]{1,2}):([0-9]{1,4})\Z")
_CATALOG_ARGS = {"cp": (0, 1), "ca": (0, 1), "sp": (0,), "s": STOCK_STEPS}
_FORM = re.compile(r"^ap:([0-9a-f]{8}):(sv|cx)\Z")


@dataclass(frozen=True, slots=True)
class CatalogPress:
    kind: str
    target: int  # store, product or variant id
    arg: int
    page: int


def catalog_button(kind: str, target: int, arg: int, page: int) -> str:
    if arg not in _CATALOG_ARGS.get(kind, ()):
        raise ValueError(f"bad catalogue button {kind!r} {arg!r}")
    return f"{kind}:{target}:{arg}:{page}"


def parse_catalog(data: str | None) -> CatalogPress | None:
    match = _CATALOG.match(data or "")
    if match is None or int(match.group(3)) not in _CATALOG_ARGS[match.group(1)]:
        return None
    kind, target, arg, page = match.groups()
    return CatalogPress(kind, int(target), int(arg), int(page))


def form_button(token: str, action: str) -> str:
    data = f"ap:{token}:{action}"
    if not _FORM.match(data):
        raise ValueError(f"bad form button {data!r}")
    return data


def parse_form(data: str | None) -> tuple[str, str] | None:
    match = _FORM.match(data or "")
    return (match.group(1), match.group(2)) if match else None


def digest_page_button(store_id: int, first: int, last: int, page: int) -> str:
    """A page of the orders a digest named (`dl:<store>:<first>:<last>:<page>`)."""
    return f"dl:{store_id}:{first}:{last}:{page}"


def parse_digest_page(data: str) -> tuple[int, int, int, int] | None:
    match = _DIGEST_PAGE.match(data or "")
    if match is None:
        return None
    store_id, first, last, page = (int(g) for g in match.groups())
    return store_id, first, last, page


def stats_button(store_id: int, period: str) -> str:
    """/stats for another period (`fg:<store>:<t|w|m>`)."""
    return f"fg:{store_id}:{period[0]}"


def parse_stats(data: str) -> tuple[int, str] | None:
    match = _STATS.match(data or "")
    return (int(match.group(1)), STATS_PERIODS[match.group(2)]) if match else None


# Dispatch ▸ (bot/dispatch_menu.py), each on an order card at a version: a courier account
# `dc:<order>:<version>:<account>`, a page of its stop desks `dp:…:<account>:<page>`, a desk
# `dd:…:<account>:<index>:<check>` — the index into the desk list as the picker sorted it,
# and the first hex digits of a hash of the desk's id, so a list that changed meanwhile
# never dispatches to another desk (ids can be UUIDs: too long for 64 bytes).
_DISPATCH = re.compile(
    r"^(dc|dp|dd):([0-9]{1,12}):([0-9]{1,9}):([0-9]{1,9})"
    r"(?::([0-9]{1,4}))?(?::([0-9a-f]{6}))?\Z"
)
_DISPATCH_ARGS = {"dc": (False, False), "dp": (True, False), "dd": (True, True)}


@dataclass(frozen=True, slots=True)
class DispatchPress:
    kind: str  # dc | dp | dd
    order_id: int
    version: int
    account_id: int
    arg: int = 0  # page (dp) or desk index (dd)
    check: str = ""  # dd: the desk id's hash prefix


def dispatch_button(press: DispatchPress) -> str:
    data = f"{press.kind}:{press.order_id}:{press.version}:{press.account_id}"
    data += f":{press.arg}" if press.kind != "dc" else ""
    data += f":{press.check}" if press.kind == "dd" else ""
    if parse_dispatch(data) != press:
        raise ValueError(f"bad dispatch button {data!r}")
    return data


def parse_dispatch(data: str | None) -> DispatchPress | None:
    match = _DISPATCH.match(data or "")
    if match is None or len(match.group(0).encode()) > MAX_BYTES:
        return None
    kind, order_id, version, account_id, arg, check = match.groups()
    if _DISPATCH_ARGS[kind] != (arg is not None, check is not None):
        return None
    return DispatchPress(
        kind, int(order_id), int(version), int(account_id), int(arg or 0), check or ""
    )


# /couriers (owner): test an account's credentials or make it the default,
# `cr:<store>:<t|d>:<account>` (the store id lets a press be checked against the chat).
COURIER_ACTIONS = frozenset({"t", "d"})
_COURIER = re.compile(r"^cr:([0-9]{1,9}):([td]):([0-9]{1,9})\Z")


def courier_menu_button(store_id: int, action: str, account_id: int) -> str:
    if action not in COURIER_ACTIONS:
        raise ValueError(f"unknown courier action {action!r}")
    return f"cr:{store_id}:{action}:{account_id}"


def parse_courier_menu(data: str | None) -> tuple[int, str, int] | None:
    match = _COURIER.match(data or "")
    return (int(match.group(1)), match.group(2), int(match.group(3))) if match else None
