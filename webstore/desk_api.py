"""The desk's screens as JSON (`GET /desk/api/{slug}/…`): who opened it, the orders (tabs,
to call now, search, filters, cursor pages), an order's page and the team. The actions are
in webstore.desk_actions, the figures in webstore.desk_stats, the stock in
webstore.desk_stock.

Each handler: who is asking (401/403, webstore.desk_auth), parse, one query, reply."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from models.calls.outcomes import OUTCOMES
from models.customers.phones import national_display
from models.customers.risk import Risk
from models.infra.clock import now
from models.orders import search
from models.orders.call_pages import CallPosition, calls_page
from models.orders.cancellation import REASONS
from models.orders.filters import OrderFilter, filtered_orders
from models.orders.lifecycle import OrderStatus, moves_by_hand
from models.orders.tables import Order
from models.shipping.courier_names import DISPLAY_NAMES
from models.shipping.geography import get_wilaya, parse_wilaya_code, wilayas
from models.stores import settings
from models.team import members as team
from webstore.api_errors import ApiError
from webstore.api_orders import order_detail
from webstore.api_paging import decode_cursor, encode_cursor
from webstore.desk_auth import DeskUser, desk_user, require_owner
from webstore.desk_http import guarded, order_number
from webstore.desk_strings import strings_for
from webstore.schemas import MAX_ID

PAGE = 30
MAX_PAGE = 100  # `limit` of a status tab: a longer scroll in one request
CALL_TAB = "call"
RISKS = tuple(r.value for r in Risk)
TABS = (CALL_TAB, *(s.value for s in OrderStatus))


def _row(order: Order) -> dict[str, Any]:
    """One line of the orders screen: what tells orders apart at a glance."""
    return {
        "number": order.number,
        "status": order.status.value,
        "name": order.name,
        "phone": national_display(order.phone),
        "wilaya": order.wilaya_code,
        "total": order.total,
        "created_at": order.created_at.isoformat(),
        "call_attempts": order.call_attempts,
        "last_call_outcome": order.last_call_outcome,
        "callback_at": order.callback_at.isoformat() if order.callback_at else None,
    }


def _cursor_after(request: web.Request, kind: str) -> int | None:
    """The position a `cursor` of list `kind` continues after; 400 for a made-up one."""
    cursor = request.query.get("cursor")
    if cursor is None:
        return None
    after = decode_cursor(kind, cursor)
    if after is None:
        raise ApiError(400, "invalid_cursor", "not a cursor this list returned")
    return after


CALL_CURSOR = re.compile(r"desk_call\.([0-2])\.([0-9]{1,17})\.([1-9][0-9]{0,9})")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _call_cursor(position: CallPosition) -> str:
    """`desk_call.<part>.<microseconds since 1970>.<id>`: where the page ended."""
    micros = (position.at - EPOCH) // timedelta(microseconds=1)
    return f"desk_call.{position.part}.{micros}.{position.id}"


def _call_after(request: web.Request) -> CallPosition | None:
    cursor = request.query.get("cursor")
    if cursor is None:
        return None
    match = CALL_CURSOR.fullmatch(cursor)
    if match is None or int(match[3]) > MAX_ID:
        raise ApiError(400, "invalid_cursor", "not a cursor this list returned")
    at = EPOCH + timedelta(microseconds=int(match[2]))
    return CallPosition(int(match[1]), at, int(match[3]))


async def _to_call_now(who: DeskUser, request: web.Request) -> dict[str, Any]:
    """The calls to make now, in the order the team makes them, keyset pages after the
    last order shown (models.orders.call_pages): stable while orders arrive and calls
    are logged."""
    page = await calls_page(who.store, _call_after(request), PAGE)
    below = page.next_after
    return {
        "orders": [_row(o) for o in page.orders],
        "next_cursor": _call_cursor(below) if below is not None else None,
        "total": page.total,
    }


FILTERS = ("wilaya", "day", "courier", "agent", "risk")
COURIERS = (*DISPLAY_NAMES, "manual")


def _wilaya(raw: str) -> int:
    code = parse_wilaya_code(raw)
    if code is None or get_wilaya(code) is None:
        raise ApiError(400, "bad_request", "wilaya: a wilaya code, 1 to 69")
    return code


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "bad_request", "day: a date, YYYY-MM-DD") from None


def _choice(raw: str, name: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise ApiError(400, "bad_request", f"{name} must be one of {', '.join(allowed)}")
    return raw


def _filter_of(request: web.Request) -> OrderFilter:
    """`wilaya` (its code), `day` (YYYY-MM-DD, an Algiers day the order was placed),
    `courier` (its code or manual), `agent` (a Telegram id: who confirmed the order or is
    calling it now) and `risk` (the customer's mark on the card); 400 for a bad value."""
    raw = {name: request.query.get(name, "").strip() for name in FILTERS}
    agent = raw["agent"]
    if agent and not agent.isdigit():
        raise ApiError(400, "bad_request", "agent: a Telegram user id")
    return OrderFilter(
        wilaya=_wilaya(raw["wilaya"]) if raw["wilaya"] else None,
        day=_day(raw["day"]) if raw["day"] else None,
        courier=_choice(raw["courier"], "courier", COURIERS) if raw["courier"] else None,
        person=agent or None,
        risk=Risk(_choice(raw["risk"], "risk", RISKS)) if raw["risk"] else None,
    )


def _limit(request: web.Request) -> int:
    """`limit`: orders per page of a status tab, 1 to MAX_PAGE (PAGE when not given)."""
    raw = request.query.get("limit")
    if raw is None:
        return PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(400, "bad_request", f"limit: a whole number, 1 to {MAX_PAGE}")
    return int(raw)


async def _by_status(who: DeskUser, request: web.Request, status: str) -> dict[str, Any]:
    """Newest first, keyset pages over the id (stable while orders arrive; the index on
    store, status and id serves them without sorting), narrowed by the filters asked (keep
    the same filters from page to page). Filtered by the customer's mark, a page may be
    short, even empty, and still have a next one."""
    kind = f"desk_{status}"
    after = _cursor_after(request, kind)
    page = await filtered_orders(who.store, status, _filter_of(request), after, _limit(request))
    below = page.next_after
    return {
        "orders": [_row(o) for o in page.orders],
        "next_cursor": encode_cursor(kind, below) if below is not None else None,
    }


async def _search(who: DeskUser, text: str) -> dict[str, Any]:
    found = await search.find_orders(who.store, text)
    if found is None:
        return {"orders": [], "next_cursor": None, "more": False}
    return {
        "orders": [_row(o) for o in found.orders],
        "next_cursor": None,
        "more": found.more,  # more matched than shown: say so, ask for a finer search
        "kind": found.term.kind,
    }


async def orders(request: web.Request) -> web.Response:
    """`?tab=call|<status>&cursor=` (`&limit=` on a status tab) or `?q=` (a number, a
    phone or part of a name)."""
    who = await desk_user(request, request.match_info["slug"])
    text = request.query.get("q", "").strip()
    if text:
        return web.json_response(await _search(who, text))
    tab = request.query.get("tab", CALL_TAB)
    if tab not in TABS:
        raise ApiError(400, "bad_request", f"tab must be one of {', '.join(TABS)}")
    if tab == CALL_TAB:
        if any(request.query.get(name) for name in FILTERS):
            raise ApiError(400, "bad_request", "the calls to make are not filtered")
        if request.query.get("limit") is not None:
            raise ApiError(400, "bad_request", f"limit: the calls to make come {PAGE} at a time")
        return web.json_response(await _to_call_now(who, request))
    return web.json_response(await _by_status(who, request, tab))


async def me(request: web.Request) -> web.Response:
    """Who opened the desk, in which language, and the words of its screens."""
    who = await desk_user(request, request.match_info["slug"])
    lang = who.lang
    return web.json_response(
        {
            "store": {"slug": who.store.slug, "name": who.store.name},
            "user": {"name": who.actor.name, "role": who.member.role},
            "lang": lang,
            "dir": "rtl" if lang == "ar" else "ltr",
            "tabs": list(TABS),
            "outcomes": [o for o in OUTCOMES if o != "confirmed"],
            "cancel_reasons": list(REASONS),
            "wilayas": [[w.code, w.label(lang)] for w in wilayas()],
            "couriers": [[c, DISPLAY_NAMES.get(c, "")] for c in COURIERS],
            "people": [[str(m.telegram_user_id), m.name] for m in await team.team_of(who.store)],
            "risks": list(RISKS),
            "start_param": who.user.start_param,
            "strings": strings_for(request, lang),
        }
    )


async def _store_order(who: DeskUser, number: int) -> Order:
    order = await search.order_numbered(who.store, number)
    if order is None:  # another store's number is never revealed
        raise ApiError(404, "not_found", f"No order {number} in this store")
    return order


async def order_page(request: web.Request) -> web.Response:
    """The order's card facts, timeline and customer (history and risk), as the API has
    them (its version included, sent back with an action)."""
    who = await desk_user(request, request.match_info["slug"])
    order = await _store_order(who, order_number(request))
    detail = (await order_detail(order)).model_dump(mode="json")
    detail["claim"] = _claim_of(who, order)
    # The buttons the page offers: the lifecycle table's, as the bot's card has them.
    detail["moves"] = [s.value for s in moves_by_hand(order.status)]
    if not sees_money(who):
        # Money figures are the owner's (as /stats has it) unless the owner shares them.
        detail["customer"]["history"].pop("delivered_amount", None)
    return web.json_response(detail)


async def order_version(request: web.Request) -> web.Response:
    """What an open order page polls (one indexed row): when the version moved, someone
    changed the order (another agent, the API, the courier sync) and the page redraws."""
    who = await desk_user(request, request.match_info["slug"])
    order = await _store_order(who, order_number(request))
    return web.json_response({"version": order.version, "status": order.status.value})


async def team_screen(request: web.Request) -> web.Response:
    """The store's team, an owner's screen as /team is in the bot: 403 for an agent."""
    who = await desk_user(request, request.match_info["slug"])
    require_owner(who)
    members = [
        {"name": m.name, "role": m.role, "joined_at": m.joined_at.isoformat()}
        for m in await team.team_of(who.store)
    ]
    return web.json_response({"members": members})


def _claim_of(who: DeskUser, order: Order) -> dict[str, Any] | None:
    """Who is calling the customer now, if anyone (a lapsed claim is no claim)."""
    until = order.claim_expires_at
    if not order.claimed_by_id or until is None or until <= now():
        return None
    mine = order.claimed_by_id == str(who.user.id)
    return {"by": order.claimed_by_name, "mine": mine, "until": until.isoformat()}


def sees_money(who: DeskUser) -> bool:
    """Money figures are the owner's unless the owner shares them (/settings)."""
    return settings.sees_money(who.store, "owner" if who.is_owner else "agent")


def setup(app: web.Application) -> None:
    base = "/desk/api/{slug}"
    app.router.add_get(f"{base}/me", guarded(me))
    app.router.add_get(f"{base}/team", guarded(team_screen))
    app.router.add_get(f"{base}/orders", guarded(orders))
    app.router.add_get(base + "/orders/{number}", guarded(order_page))
    app.router.add_get(base + "/orders/{number}/version", guarded(order_version))
