"""The desk's JSON (`/desk/api/{slug}/…`): the orders screen and an order's page, and its
actions through the same use cases as the bot's buttons and the REST API (models.calls,
models.orders), attributed to the Telegram user the init data names (webstore.desk_auth).

Each handler: who is asking (401/403), parse, one use case, map domain errors, reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tortoise.queryset import QuerySet

from models import order_search, team
from models.call_queue import next_call
from models.calls import OUTCOMES, claim_order, log_call, release_order
from models.errors import DomainError, InvalidInput, NotFound
from models.geography import get_wilaya, parse_wilaya_code, wilayas
from models.lifecycle import OrderStatus
from models.orders import transition_order
from models.orm import Order
from models.outbox import now
from models.phones import national_display
from models.stats import ALGIERS, period_of, store_stats
from webstore.api_errors import ApiError, domain_response
from webstore.api_orders import order_detail
from webstore.api_paging import decode_cursor, encode_cursor
from webstore.desk_auth import DeskUser, desk_user, require_owner
from webstore.desk_strings import strings_for
from webstore.request_body import PROBLEM
from webstore.schemas import MAX_ID

PAGE = 30
CALL_TAB = "call"
TABS = (CALL_TAB, *(s.value for s in OrderStatus))
FURTHEST_CALLBACK = timedelta(days=366)
MAX_NUMBER = 2_147_483_647
M = TypeVar("M", bound=BaseModel)


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


async def _to_call_now(who: DeskUser, request: web.Request) -> dict[str, Any]:
    """The calls to make now, in the order the team makes them (models.order_search):
    pages of the handling list cut where the calls to make end."""
    page = _cursor_after(request, "desk_call") or 0
    handling = await order_search.orders_to_handle(who.store, page, PAGE)
    start = page * PAGE
    if handling.page.page != page:  # the list shrank under the cursor: nothing further
        return {"orders": [], "next_cursor": None, "total": handling.to_call}
    rows = [o for i, o in enumerate(handling.page.orders, start) if i < handling.to_call]
    more = start + PAGE < handling.to_call
    return {
        "orders": [_row(o) for o in rows],
        "next_cursor": encode_cursor("desk_call", page + 1) if more else None,
        "total": handling.to_call,
    }


def _filtered(query: QuerySet[Order], request: web.Request) -> QuerySet[Order]:
    """`wilaya` (its code) and `day` (YYYY-MM-DD, an Algiers day the order was placed)."""
    raw_wilaya, raw_day = request.query.get("wilaya"), request.query.get("day")
    if raw_wilaya:
        code = parse_wilaya_code(raw_wilaya)
        if code is None or get_wilaya(code) is None:
            raise ApiError(400, "bad_request", "wilaya: a wilaya code, 1 to 69")
        query = query.filter(wilaya_code=code)
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise ApiError(400, "bad_request", "day: a date, YYYY-MM-DD") from None
        start = datetime.combine(day, time(0), ALGIERS)
        query = query.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
    return query


async def _by_status(who: DeskUser, request: web.Request, status: str) -> dict[str, Any]:
    """Newest first, keyset pages over the id (stable while orders arrive); filtered by
    wilaya and day when asked (keep the same filters from page to page)."""
    kind = f"desk_{status}"
    after = _cursor_after(request, kind)
    query = _filtered(Order.filter(store_id=who.store.id, status=status), request)
    if after is not None:
        query = query.filter(id__lt=after)
    rows = await query.order_by("-id").limit(PAGE + 1)
    more = len(rows) > PAGE
    return {
        "orders": [_row(o) for o in rows[:PAGE]],
        "next_cursor": encode_cursor(kind, rows[PAGE - 1].id) if more else None,
    }


async def _search(who: DeskUser, text: str) -> dict[str, Any]:
    found = await order_search.find_orders(who.store, text)
    if found is None:
        return {"orders": [], "next_cursor": None, "more": False}
    return {
        "orders": [_row(o) for o in found.orders],
        "next_cursor": None,
        "more": found.more,  # more matched than shown: say so, ask for a finer search
        "kind": found.term.kind,
    }


async def orders(request: web.Request) -> web.Response:
    """`?tab=call|<status>&cursor=` or `?q=` (a number, a phone or part of a name)."""
    who = await desk_user(request, request.match_info["slug"])
    text = request.query.get("q", "").strip()
    if text:
        return web.json_response(await _search(who, text))
    tab = request.query.get("tab", CALL_TAB)
    if tab not in TABS:
        raise ApiError(400, "bad_request", f"tab must be one of {', '.join(TABS)}")
    if tab == CALL_TAB:
        if request.query.get("wilaya") or request.query.get("day"):
            raise ApiError(400, "bad_request", "the calls to make are not filtered")
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
            "wilayas": [[w.code, w.label(lang)] for w in wilayas()],
            "start_param": who.user.start_param,
            "strings": strings_for(request, lang),
        }
    )


def _number(request: web.Request) -> int:
    raw = request.match_info["number"]
    if not raw.isdigit() or not 0 < int(raw) <= MAX_NUMBER:
        raise ApiError(404, "not_found", "No such order")
    return int(raw)


async def _store_order(who: DeskUser, number: int) -> Order:
    order = await order_search.order_numbered(who.store, number)
    if order is None:  # another store's number is never revealed
        raise ApiError(404, "not_found", f"No order {number} in this store")
    return order


async def order_page(request: web.Request) -> web.Response:
    """The order's card facts, timeline and customer (history and risk), as the API has
    them (its version included, sent back with an action)."""
    who = await desk_user(request, request.match_info["slug"])
    order = await _store_order(who, _number(request))
    detail = (await order_detail(order)).model_dump(mode="json")
    detail["claim"] = _claim_of(who, order)
    if not _sees_money(who):
        # Money figures are the owner's (as /stats has it) unless the owner shares them.
        detail["customer"]["history"].pop("delivered_amount", None)
    return web.json_response(detail)


async def order_version(request: web.Request) -> web.Response:
    """What an open order page polls (one indexed row): when the version moved, someone
    changed the order (another agent, the API, the courier sync) and the page redraws."""
    who = await desk_user(request, request.match_info["slug"])
    order = await _store_order(who, _number(request))
    return web.json_response({"version": order.version, "status": order.status.value})


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


async def stats_screen(request: web.Request) -> web.Response:
    """`?period=today|week|month`: the figures of /stats (models.stats); money only for the
    owner, unless the owner shares it with the agents (/settings), as in the bot."""
    who = await desk_user(request, request.match_info["slug"])
    try:
        period = period_of(request.query.get("period", "today"), now())
    except InvalidInput as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    figures = await store_stats(who.store, period)
    body: dict[str, Any] = {
        "period": period.name,
        "by_status": figures.by_status,
        "placed": figures.placed,
        "confirmed": figures.confirmed,
        "shipped": figures.shipped,
        "delivered": figures.delivered,
        "returned": figures.returned,
        "confirmation_rate": _rate(figures.confirmation_rate),
        "delivery_rate": _rate(figures.delivery_rate),
        "return_rate": _rate(figures.return_rate),
        "team": [
            {"name": p.name, "calls": p.calls, "confirmations": p.confirmations}
            for p in figures.team
        ],
    }
    if _sees_money(who):
        body["money"] = {
            "delivered": figures.revenue_delivered,
            "booked": figures.revenue_booked,
        }
    return web.json_response(body)


async def team_screen(request: web.Request) -> web.Response:
    """The store's team, an owner's screen as /team is in the bot: 403 for an agent."""
    who = await desk_user(request, request.match_info["slug"])
    require_owner(who)
    members = [
        {"name": m.name, "role": m.role, "joined_at": m.joined_at.isoformat()}
        for m in await team.team_of(who.store)
    ]
    return web.json_response({"members": members})


async def post_next_call(request: web.Request) -> web.Response:
    """The calling queue (models.call_queue): the person's next call, claimed for them;
    its number, or null when there is no call to make now."""
    who = await desk_user(request, request.match_info["slug"])
    order = await next_call(who.store, who.actor)
    return web.json_response({"number": order.number if order else None})


def _claim_of(who: DeskUser, order: Order) -> dict[str, Any] | None:
    """Who is calling the customer now, if anyone (a lapsed claim is no claim)."""
    until = order.claim_expires_at
    if not order.claimed_by_id or until is None or until <= now():
        return None
    mine = order.claimed_by_id == str(who.user.id)
    return {"by": order.claimed_by_name, "mine": mine, "until": until.isoformat()}


def _sees_money(who: DeskUser) -> bool:
    return who.is_owner or who.store.agents_see_money


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0, le=MAX_ID)
    note: str = Field("", max_length=500)


class CallBody(_Action):
    outcome: Literal[
        "no_answer",
        "busy",
        "unreachable",
        "wrong_number",
        "postponed",
        "customer_cancelled",
        "fake",
        "duplicate",
        "confirmed",
    ]
    callback_at: datetime | None = None
    duplicate_of: int | None = Field(None, ge=1, le=MAX_NUMBER)


class StatusBody(_Action):
    # What the card's buttons move by hand; shipping goes through dispatch (not here yet).
    to: Literal["processing", "delivered", "returned", "cancelled"]


async def read_body(request: web.Request, model: type[M]) -> M:
    if request.get(PROBLEM) is not None:
        raise ApiError(400, "bad_request", "The body could not be read")
    try:
        return model.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        fields = {".".join(map(str, e["loc"])) or "body": e["type"] for e in exc.errors()}
        raise ApiError(422, "invalid_request", "Check the fields", fields=fields) from None


def _callback_at(body: CallBody) -> datetime | None:
    if body.outcome != "postponed":
        return None
    moment = body.callback_at
    if moment is None or moment.tzinfo is None:
        raise _invalid_time("required", "callback_at with its offset is needed to postpone")
    moment = moment.astimezone(UTC)
    if not now() < moment <= now() + FURTHEST_CALLBACK:
        raise _invalid_time("invalid", "callback_at: a time in the future, within a year")
    return moment


def _invalid_time(reason: str, message: str) -> ApiError:
    return ApiError(422, "invalid_request", message, fields={"callback_at": reason})


Act = Callable[[DeskUser, int], Awaitable[Order]]


async def _act(request: web.Request, act: Act) -> web.Response:
    who = await desk_user(request, request.match_info["slug"])
    number = _number(request)
    try:
        order = await act(who, number)
    except NotFound:
        raise ApiError(404, "not_found", f"No order {number} in this store") from None
    except DomainError as exc:
        return domain_response(exc)
    moved = {"number": order.number, "status": order.status.value, "version": order.version}
    return web.json_response(moved)


async def post_call(request: web.Request) -> web.Response:
    """A call's outcome (confirmed included: the card's Confirm button does the same)."""
    body = await read_body(request, CallBody)
    callback_at = _callback_at(body)

    async def act(who: DeskUser, number: int) -> Order:
        return await log_call(
            who.store,
            number,
            body.outcome,
            who.actor,
            note=body.note,
            callback_at=callback_at,
            duplicate_of=body.duplicate_of if body.outcome == "duplicate" else None,
            expected_version=body.version,
        )

    return await _act(request, act)


async def post_status(request: web.Request) -> web.Response:
    """Processing, delivered, returned, cancelled: the lifecycle table decides (409)."""
    body = await read_body(request, StatusBody)
    target = OrderStatus(body.to)

    async def act(who: DeskUser, number: int) -> Order:
        return await transition_order(who.store, number, target, who.actor, body.note, body.version)

    return await _act(request, act)


async def post_claim(request: web.Request) -> web.Response:
    """ "I'm calling": the pending order is the person's for the store's claim time."""
    body = await read_body(request, _Action)

    async def act(who: DeskUser, number: int) -> Order:
        return await claim_order(who.store, number, who.actor, body.version)

    return await _act(request, act)


async def post_release(request: web.Request) -> web.Response:
    body = await read_body(request, _Action)

    async def act(who: DeskUser, number: int) -> Order:
        return await release_order(who.store, number, who.actor, body.version)

    return await _act(request, act)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(handler: Handler) -> Handler:
    """Refusals raised on the way (ApiError) become their JSON answer."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return exc.response()

    return run


def setup(app: web.Application) -> None:
    base = "/desk/api/{slug}"
    app.router.add_get(f"{base}/me", guarded(me))
    app.router.add_get(f"{base}/team", guarded(team_screen))
    app.router.add_get(f"{base}/stats", guarded(stats_screen))
    app.router.add_get(f"{base}/orders", guarded(orders))
    app.router.add_post(f"{base}/queue/next", guarded(post_next_call))
    app.router.add_get(base + "/orders/{number}", guarded(order_page))
    app.router.add_get(base + "/orders/{number}/version", guarded(order_version))
    app.router.add_post(base + "/orders/{number}/calls", guarded(post_call))
    app.router.add_post(base + "/orders/{number}/status", guarded(post_status))
    app.router.add_post(base + "/orders/{number}/claim", guarded(post_claim))
    app.router.add_post(base + "/orders/{number}/release", guarded(post_release))
