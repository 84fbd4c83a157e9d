"""Callback data: short ASCII `o:<order id>:<action>:<card version>` (≤ 64 bytes).

Ids, never names, go in callback data; the version lets a press on an outdated card be
refused and that card refreshed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64


class Prefix(StrEnum):
    """The first field of every button's callback data: which handler reads it."""

    ORDER = "o"  # an order card's button (OrderAction)
    LIST = "l"  # /orders page
    OPEN = "op"  # open one order's card from a list
    DIGEST = "dg"  # a digest's orders
    DIGEST_PAGE = "dl"  # a page of a digest's orders
    STATS = "fg"  # /stats for another period
    KEEP = "dk"  # 🔁 Duplicate ▸: keep this order instead
    TEAM = "tm"  # /team (TeamAction)
    SETTING = "st"  # /settings (SettingKey)
    PRODUCTS = "cp"  # catalogue: a page of products
    PRODUCT_ACTIVE = "ca"  # catalogue: hide or show a product
    STOCK_PAGE = "sp"  # catalogue: a page of stock
    STOCK_MOVE = "s"  # catalogue: move a variant's stock
    PRODUCT_FORM = "ap"  # /addproduct's summary (FormAction)
    COURIER = "dc"  # Dispatch ▸: a courier account
    DESK_PAGE = "dp"  # Dispatch ▸: a page of its stop desks
    DESK = "dd"  # Dispatch ▸: a stop desk
    COURIERS = "cr"  # /couriers (CourierAction)
    EDIT = "e"  # ✏️ Edit ▸ (EditStep)
    API_KEYS = "ak"  # API keys (ApiKeyAction)
    BLACKLIST = "bl"  # /blacklist (BlacklistAction)
    WEBHOOKS = "wh"  # outgoing webhooks (WebhookAction)
    EXPORT = "ex"  # /export


class OrderAction(StrEnum):
    """`o:<order>:<action>:<version>`: what a button of an order card does."""

    CONFIRM = "cf"
    CALL_MENU = "cm"  # call outcome menu
    NO_ANSWER = "na"
    BUSY = "bz"
    UNREACHABLE = "ur"
    WRONG_NUMBER = "wn"
    POSTPONE_MENU = "pm"
    POSTPONE_1H = "p1"
    POSTPONE_3H = "p3"
    POSTPONE_TOMORROW = "pt"  # tomorrow 10:00
    POSTPONE_TYPED = "pk"  # postpone to a typed time (asks it)
    CUSTOMER_CANCELLED = "cc"
    FAKE = "fk"  # asks for a second tap: it also blocks the number
    FAKE_YES = "fy"  # yes, fake: cancel and block the number
    DUPLICATE = "du"  # asks which order is kept
    DUPLICATE_TYPED = "dt"  # duplicate of an order typed by number (asks it)
    CLAIM = "cl"
    RELEASE = "rl"
    PROCESS = "pr"
    DISPATCH_MENU = "dm"
    DISPATCH_MANUAL = "dx"  # manual dispatch (asks the tracking number)
    DELIVERED = "dv"  # asks for a second tap
    DELIVERED_YES = "dy"
    RETURNED = "rt"  # asks for a second tap
    RETURNED_YES = "ry"
    CANCEL = "cx"  # asks why
    CANCEL_YES = "cy"  # an older card's "Yes, cancel"
    CONFIRM_ANYWAY = "cw"  # confirm a blacklisted customer's order anyway
    TIMELINE = "tl"
    EDIT = "ed"  # bot.edit_flow
    BACK = "bk"  # back to the main keyboard
    # Cancel ▸ reasons, models.orders.cancellation.REASONS by index (k7 asks for the words)
    REASON_0 = "k0"
    REASON_1 = "k1"
    REASON_2 = "k2"
    REASON_3 = "k3"
    REASON_4 = "k4"
    REASON_5 = "k5"
    REASON_6 = "k6"
    REASON_7 = "k7"


def cancel_reason_action(index: int) -> OrderAction:
    """The Cancel ▸ button of the reason at `index` in models.orders.cancellation.REASONS."""
    return OrderAction(f"k{index}")


class TeamAction(StrEnum):
    """`tm:<store>:<action>:<member or chat id>` (/team)."""

    REMOVE = "rm"  # asks
    REMOVE_YES = "ry"
    UNLINK = "ul"  # asks
    UNLINK_YES = "uy"
    BACK = "bk"
    BLOCK_HELPER = "bh"  # a group helper; asks
    BLOCK_YES = "by"


class SettingKey(StrEnum):
    """`st:<store>:<key>:<value>` (/settings): a submenu to open, or a setting to change."""

    MENU = "mn"  # value: main or the submenu's key
    LANG = "lg"
    NO_ANSWER_LIMIT = "na"
    NO_ANSWER_MIN_HOURS = "mh"
    CALLBACK_PLAN = "cp"
    CLAIM_MINUTES = "cl"
    SILENT_NOTIFICATIONS = "sn"
    ROSTER_MODE = "rm"
    AGENTS_SEE_MONEY = "am"
    AGENTS_CHANGE_STOCK = "as"


class FormAction(StrEnum):
    """`ap:<draft token>:<action>` (/addproduct's summary)."""

    SAVE = "sv"
    CANCEL = "cx"


class CourierAction(StrEnum):
    """`cr:<store>:<action>:<account>` (/couriers)."""

    TEST = "t"
    MAKE_DEFAULT = "d"


class EditStep(StrEnum):
    """`e:<step>:<a>[:<b>]` (✏️ Edit ▸, bot/edit_session.py)."""

    ITEMS = "it"  # items menu
    LINE = "li"  # one line: variants, quantity, remove
    LINE_QUANTITY = "lq"  # b = 0 minus, 1 plus
    LINE_REMOVE = "lr"
    LINE_VARIANT = "lv"  # b = the variant id
    PRODUCTS = "pp"  # add a product: page of products
    PRODUCT = "pr"  # a product's variants
    ADD = "pa"  # add this variant
    DELIVERY_TYPE = "dt"  # home ↔ stop desk
    WILAYAS = "wp"  # page of wilayas
    WILAYA = "wy"  # wilaya chosen (a = code)
    COMMUNES = "cp"  # page of communes
    COMMUNE = "cm"  # commune chosen (a = index in the wilaya's communes)
    TYPE = "ty"  # ask a typed value (a = index in TYPED)
    SAVE = "sv"
    DISCARD = "cx"
    BACK = "bk"  # back to the panel


class ApiKeyAction(StrEnum):
    """`ak:<store>:<action>:<key id>` (API keys in /settings)."""

    LIST = "ls"
    NEW = "nw"
    REVOKE = "rv"  # asks
    REVOKE_YES = "ry"


class BlacklistAction(StrEnum):
    """`bl:<store>:<action>:<target>` (/blacklist)."""

    PAGE = "pg"
    REMOVE = "rm"  # asks
    REMOVE_YES = "ry"
    BACK = "bk"  # first page


class ExportAction(StrEnum):
    """`ex:<store>:<action>:<format>` (/export): a period to export, or the format switch."""

    TODAY = "t"
    YESTERDAY = "y"
    WEEK = "w"  # the last 7 days
    MONTH = "m"  # this month
    LAST_MONTH = "l"
    FORMAT = "f"  # show the buttons with the other format chosen


class ExportFormat(StrEnum):
    """The last field of an `ex:` button: the file's format."""

    CSV = "c"
    XLSX = "x"


class WebhookAction(StrEnum):
    """`wh:<store>:<action>:<target>[:<arg>]` (outgoing webhooks in /settings)."""

    LIST = "ls"
    OPEN = "op"
    LOG = "lg"  # delivery log
    REDELIVER = "rd"
    TEST = "tp"  # send a test ping
    ENABLE = "en"  # turn on or off
    DELETE = "dl"  # asks
    DELETE_YES = "dy"
    ADD = "ad"
    # the draft of a new endpoint (bot/webhook_add.py)
    DRAFT_EVENT = "ev"
    DRAFT_ALL = "al"
    DRAFT_PERSONAL = "pd"
    DRAFT_SAVE = "sv"
    DRAFT_CANCEL = "cx"


WEBHOOK_DRAFT_ACTIONS = frozenset(
    {
        WebhookAction.DRAFT_EVENT,
        WebhookAction.DRAFT_ALL,
        WebhookAction.DRAFT_PERSONAL,
        WebhookAction.DRAFT_SAVE,
        WebhookAction.DRAFT_CANCEL,
    }
)
ACTIONS = frozenset(OrderAction)
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
    action: OrderAction
    version: int


def order_button(order_id: int, action: OrderAction, version: int) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    data = f"{Prefix.ORDER}:{order_id}:{action}:{version}"
    assert len(data.encode()) <= MAX_BYTES
    return data


def parse_order(data: str | None) -> OrderPress | None:
    """The press, or None for data this bot never made (forged, truncated, too long)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _ORDER.fullmatch(data)
    if match is None or match.group(2) not in ACTIONS:
        return None
    return OrderPress(int(match.group(1)), OrderAction(match.group(2)), int(match.group(3)))


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
    data = f"{Prefix.KEEP}:{order_id}:{version}:{kept}:{int(other_customer)}"
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
    return f"{Prefix.LIST}:{store_id}:{page}"


def parse_list(data: str) -> tuple[int, int] | None:
    match = _LIST.match(data or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def open_button(order_id: int) -> str:
    return f"{Prefix.OPEN}:{order_id}"


def parse_open(data: str) -> int | None:
    match = _OPEN.match(data or "")
    return int(match.group(1)) if match else None


def digest_button(store_id: int, first: int, last: int) -> str:
    return f"{Prefix.DIGEST}:{store_id}:{first}:{last}"


def parse_digest(data: str) -> tuple[int, int, int] | None:
    match = _DIGEST.match(data or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


# Owner menus: /team (`tm:<store>:<action>:<member or chat id>`) and /settings
# (`st:<store>:<key>:<value>`); the store id lets a press be checked against the chat.
TEAM_ACTIONS = frozenset(TeamAction)
_TEAM = re.compile(r"^tm:([0-9]{1,9}):([a-z]{2}):([0-9]{1,16})\Z")
_SETTING = re.compile(r"^st:([0-9]{1,9}):([a-z]{2}):([a-z0-9]{1,8})\Z")


def team_button(store_id: int, action: TeamAction, target: int = 0) -> str:
    if action not in TEAM_ACTIONS:
        raise ValueError(f"unknown team action {action!r}")
    return f"{Prefix.TEAM}:{store_id}:{action}:{target}"


def parse_team(data: str | None) -> tuple[int, TeamAction, int] | None:
    match = _TEAM.match(data or "")
    if match is None or match.group(2) not in TEAM_ACTIONS:
        return None
    return int(match.group(1)), TeamAction(match.group(2)), int(match.group(3))


SETTING_KEYS = frozenset(SettingKey)


def setting_button(store_id: int, key: SettingKey, value: str) -> str:
    data = f"{Prefix.SETTING}:{store_id}:{key}:{value}"
    if not _SETTING.match(data):
        raise ValueError(f"bad setting button {data!r}")
    return data


def parse_setting(data: str | None) -> tuple[int, str, str] | None:
    """(store, key, value); the key is a SettingKey when it is one the bot knows."""
    match = _SETTING.match(data or "")
    if match is None:
        return None
    key = match.group(2)
    return int(match.group(1)), SettingKey(key) if key in SETTING_KEYS else key, match.group(3)


# Catalogue lists (bot/catalog_cmds.py), all `<kind>:<id>:<arg>:<page>`: products page
# `cp:<store>:<manage 0|1>:<page>`, hide/show `ca:<product>:<active 0|1>:<page>`, stock page
# `sp:<store>:0:<page>`, stock move `s:<variant>:<delta>:<page>`. /addproduct's summary:
# `ap:<draft token>:<sv|cx>` (save, cancel).
STOCK_STEPS = (-5, -1, 1, 5)
_CATALOG = re.compile(r"^(cp|ca|sp|s):([0-9]{1,12}):(-?[0-9]{1,2}):([0-9]{1,4})\Z")
_CATALOG_ARGS = {
    Prefix.PRODUCTS: (0, 1),
    Prefix.PRODUCT_ACTIVE: (0, 1),
    Prefix.STOCK_PAGE: (0,),
    Prefix.STOCK_MOVE: STOCK_STEPS,
}
_FORM = re.compile(r"^ap:([0-9a-f]{8}):(sv|cx)\Z")


@dataclass(frozen=True, slots=True)
class CatalogPress:
    kind: Prefix  # products, product active, stock page or stock move
    target: int  # store, product or variant id
    arg: int
    page: int


def catalog_button(kind: Prefix, target: int, arg: int, page: int) -> str:
    if arg not in _CATALOG_ARGS.get(kind, ()):
        raise ValueError(f"bad catalogue button {kind!r} {arg!r}")
    return f"{kind}:{target}:{arg}:{page}"


def parse_catalog(data: str | None) -> CatalogPress | None:
    match = _CATALOG.match(data or "")
    if match is None or int(match.group(3)) not in _CATALOG_ARGS[Prefix(match.group(1))]:
        return None
    kind, target, arg, page = match.groups()
    return CatalogPress(Prefix(kind), int(target), int(arg), int(page))


def form_button(token: str, action: FormAction) -> str:
    data = f"{Prefix.PRODUCT_FORM}:{token}:{action}"
    if not _FORM.match(data):
        raise ValueError(f"bad form button {data!r}")
    return data


def parse_form(data: str | None) -> tuple[str, FormAction] | None:
    match = _FORM.match(data or "")
    return (match.group(1), FormAction(match.group(2))) if match else None


def digest_page_button(store_id: int, first: int, last: int, page: int) -> str:
    """A page of the orders a digest named (`dl:<store>:<first>:<last>:<page>`)."""
    return f"{Prefix.DIGEST_PAGE}:{store_id}:{first}:{last}:{page}"


def parse_digest_page(data: str) -> tuple[int, int, int, int] | None:
    match = _DIGEST_PAGE.match(data or "")
    if match is None:
        return None
    store_id, first, last, page = (int(g) for g in match.groups())
    return store_id, first, last, page


def stats_button(store_id: int, period: str) -> str:
    """/stats for another period (`fg:<store>:<t|w|m>`)."""
    return f"{Prefix.STATS}:{store_id}:{period[0]}"


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
_DISPATCH_ARGS = {
    Prefix.COURIER: (False, False),
    Prefix.DESK_PAGE: (True, False),
    Prefix.DESK: (True, True),
}


@dataclass(frozen=True, slots=True)
class DispatchPress:
    kind: Prefix  # courier, desk page or desk
    order_id: int
    version: int
    account_id: int
    arg: int = 0  # page (dp) or desk index (dd)
    check: str = ""  # dd: the desk id's hash prefix


def dispatch_button(press: DispatchPress) -> str:
    data = f"{press.kind}:{press.order_id}:{press.version}:{press.account_id}"
    data += f":{press.arg}" if press.kind != Prefix.COURIER else ""
    data += f":{press.check}" if press.kind == Prefix.DESK else ""
    if parse_dispatch(data) != press:
        raise ValueError(f"bad dispatch button {data!r}")
    return data


def parse_dispatch(data: str | None) -> DispatchPress | None:
    match = _DISPATCH.match(data or "")
    if match is None or len(match.group(0).encode()) > MAX_BYTES:
        return None
    kind, order_id, version, account_id, arg, check = match.groups()
    if _DISPATCH_ARGS[Prefix(kind)] != (arg is not None, check is not None):
        return None
    return DispatchPress(
        Prefix(kind), int(order_id), int(version), int(account_id), int(arg or 0), check or ""
    )


# /couriers (owner): test an account's credentials or make it the default,
# `cr:<store>:<t|d>:<account>` (the store id lets a press be checked against the chat).
COURIER_ACTIONS = frozenset(CourierAction)
_COURIER = re.compile(r"^cr:([0-9]{1,9}):([td]):([0-9]{1,9})\Z")


def courier_menu_button(store_id: int, action: CourierAction, account_id: int) -> str:
    if action not in COURIER_ACTIONS:
        raise ValueError(f"unknown courier action {action!r}")
    return f"{Prefix.COURIERS}:{store_id}:{action}:{account_id}"


def parse_courier_menu(data: str | None) -> tuple[int, CourierAction, int] | None:
    match = _COURIER.match(data or "")
    if match is None:
        return None
    return int(match.group(1)), CourierAction(match.group(2)), int(match.group(3))
