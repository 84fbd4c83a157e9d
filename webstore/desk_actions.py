"""The desk's actions on an order (`POST /desk/api/{slug}/orders/{number}/…`) and its
calling queue, through the same use cases as the bot's buttons and the REST API
(models.calls.outcomes, models.orders.transitions, models.calls.queue), attributed to the
Telegram user the init data names. Each: who is asking, parse, one use case, map domain
errors, reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from models.calls.outcomes import CallOutcome, claim_order, log_call, release_order
from models.calls.queue import next_call
from models.errors import DomainError, NotFound
from models.infra.clock import now
from models.orders.cancellation import Cancellation, CancelReason, cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.transitions import transition_order
from webstore.api_errors import ApiError, domain_response
from webstore.desk_auth import DeskUser, desk_user
from webstore.desk_http import MAX_NUMBER, guarded, order_number, read_body
from webstore.schemas import MAX_ID

FURTHEST_CALLBACK = timedelta(days=366)


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=0, le=MAX_ID)
    note: str = Field("", max_length=500)


class CallBody(_Action):
    outcome: CallOutcome
    callback_at: datetime | None = None
    duplicate_of: int | None = Field(None, ge=1, le=MAX_NUMBER)


class StatusBody(_Action):
    # Every status a button moves to by hand (lifecycle.moves_by_hand); which of them the
    # order's status allows, the lifecycle table decides (409).
    to: Literal["processing", "delivered", "returned", "cancelled"]
    # Why, when cancelling (asked as the bot's Cancel ▸ menu asks; `other` with the note).
    reason: CancelReason | None = None


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


def _why(body: StatusBody) -> Cancellation | None:
    """The desk always says why it cancels (a reason from REASONS, `other` with words);
    422 naming the field otherwise, and for a reason sent with another move."""
    if body.to != "cancelled":
        if body.reason is not None:
            raise _invalid("reason", "invalid", "reason: only when cancelling")
        return None
    if body.reason is None:
        raise _invalid("reason", "required", "reason: say why the order is cancelled")
    try:
        return cancellation(body.reason, body.note)
    except DomainError as exc:
        field = "note" if str(exc).startswith("note") else "reason"
        raise _invalid(field, "invalid", str(exc)) from None


def _invalid(field: str, reason: str, message: str) -> ApiError:
    return ApiError(422, "invalid_request", message, fields={field: reason})


def _invalid_time(reason: str, message: str) -> ApiError:
    return ApiError(422, "invalid_request", message, fields={"callback_at": reason})


Act = Callable[[DeskUser, int], Awaitable[Order]]


async def _act(request: web.Request, act: Act) -> web.Response:
    who = await desk_user(request, request.match_info["slug"])
    number = order_number(request)
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
        why = _why(body)  # after who is asking: a stranger hears 401/403, not what is missing
        note = "" if why is not None else body.note  # the reason's words go with the reason
        return await transition_order(
            who.store, number, target, who.actor, note, body.version, cancel=why
        )

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


async def post_next_call(request: web.Request) -> web.Response:
    """The calling queue (models.calls.queue): the person's next call, claimed for them;
    its number, or null when there is no call to make now."""
    who = await desk_user(request, request.match_info["slug"])
    order = await next_call(who.store, who.actor)
    return web.json_response({"number": order.number if order else None})


def setup(app: web.Application) -> None:
    order = "/desk/api/{slug}/orders/{number}"
    app.router.add_post(f"{order}/calls", guarded(post_call))
    app.router.add_post(f"{order}/status", guarded(post_status))
    app.router.add_post(f"{order}/claim", guarded(post_claim))
    app.router.add_post(f"{order}/release", guarded(post_release))
    app.router.add_post("/desk/api/{slug}/queue/next", guarded(post_next_call))
