"""Call outcomes over the API (SPEC §3.3, §8): `POST /v1/orders/{number}/calls` logs a
call on a pending order through models.calls.outcomes.log_call — the same path as the bot's
buttons — and `GET /v1/orders/{number}/calls` lists the calls made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from models.calls.outcomes import log_call
from models.calls.tables import CallAttempt
from models.errors import InvalidInput, NotFound
from models.infra.clock import now
from models.orders import listing
from models.orders.tables import Order
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.api_errors import ApiError
from webstore.api_orders import order_detail
from webstore.call_schemas import CallLogged, CallOut, CallPage, CallQuery, CallRequest
from webstore.schemas import TimelineActor

FURTHEST_CALLBACK = timedelta(days=366)
# Domain refusals that name a request field: answered with `fields` like other 422s.
FIELDS = ("callback_at", "duplicate_of", "outcome")


def call_out(attempt: CallAttempt) -> CallOut:
    return CallOut(
        id=attempt.id,
        at=attempt.at.isoformat(),
        outcome=attempt.outcome,  # type: ignore[arg-type]
        note=attempt.note,
        callback_at=attempt.callback_at.isoformat() if attempt.callback_at else None,
        actor=TimelineActor(
            kind=attempt.actor_kind,  # type: ignore[arg-type]
            id=attempt.actor_id,
            name=attempt.actor_name,
        ),
    )


def _invalid(field: str, reason: str, message: str) -> ApiError:
    return ApiError(422, "invalid_request", f"{field}: {message}", fields={field: reason})


def _callback_time(body: CallRequest) -> datetime | None:
    """`callback_at` as an aware time: required to postpone, refused otherwise."""
    if body.outcome != "postponed":
        if body.callback_at is not None:
            raise _invalid("callback_at", "invalid", "only with the outcome postponed")
        return None
    if body.callback_at is None:
        raise _invalid("callback_at", "required", "required to postpone a call")
    try:
        moment = datetime.fromisoformat(body.callback_at.strip())
        if moment.tzinfo is None:
            raise ValueError("no offset")
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        message = "an ISO 8601 time with its offset, e.g. 2026-03-02T10:00:00+01:00"
        raise _invalid("callback_at", "invalid", message) from None
    if not now() < moment <= now() + FURTHEST_CALLBACK:
        raise _invalid("callback_at", "invalid", "a time in the future, within a year")
    return moment


def _check_duplicate(body: CallRequest) -> None:
    if body.outcome == "duplicate" and body.duplicate_of is None:
        raise _invalid("duplicate_of", "required", "the number of the order that is kept")
    if body.outcome != "duplicate" and body.duplicate_of is not None:
        raise _invalid("duplicate_of", "invalid", "only with the outcome duplicate")


async def _logged_attempt(order: Order) -> CallAttempt:
    # Calls on one order are serialised by its compare-and-set, one row each, never
    # deleted: the n-th row of the order is its n-th call, the one just logged.
    return await (
        CallAttempt.filter(order_id=order.id).order_by("id").offset(order.call_attempts - 1).first()
    )  # type: ignore[return-value]


async def post_call(call: ApiCall) -> web.Response:
    body, store = call.body_as(CallRequest), call.current_store()
    number = call.path_int("number")
    callback_at = _callback_time(body)
    _check_duplicate(body)
    try:
        order = await log_call(
            store,
            number,
            body.outcome,
            call.actor,
            body.note,
            callback_at,
            body.duplicate_of,
            body.expected_version,
            other_customer=body.other_customer,
        )
    except InvalidInput as exc:
        field = str(exc).partition(":")[0]
        if field not in FIELDS:
            raise
        raise ApiError(422, exc.code, str(exc), fields={field: "invalid"}) from None
    except NotFound as exc:
        if exc.key != body.duplicate_of or exc.key == number:
            raise
        raise _invalid("duplicate_of", "not_found", f"no order {exc.key} in this store") from None
    attempt = await _logged_attempt(order)
    detail = await order_detail(order)
    return reply(CallLogged(call=call_out(attempt), order=detail), status=201)


async def list_calls(call: ApiCall) -> web.Response:
    query = call.query_as(CallQuery)
    page = await listing.calls_page(
        call.current_store(), call.path_int("number"), query.outcome, query.after(), query.limit
    )
    return reply(
        CallPage(
            data=[call_out(a) for a in page.rows], next_cursor=query.next_cursor(page.next_after)
        )
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/v1/orders/{number}/calls",
        post_call,
        "logCall",
        "Log a call to the customer of a pending order",
        "calls",
        status=201,
        int_params=("number",),
        body=CallRequest,
        response=CallLogged,
        errors=(404, 409, 422),
        codes={
            409: ("illegal_transition", "conflict"),
            422: ("insufficient_stock", "invalid_input"),
        },
        description="Records the call and what follows from its outcome, in one step: the "
        "order's `calls` (attempts, last outcome, call-back time) and, for a confirming or "
        "cancelling outcome, its status. Answers 201 with the call and the order. 404 "
        "`not_found` for an unknown order; 409 `illegal_transition` when the order is not "
        "pending any more (`details.status`), 409 `conflict` when it changed first (or "
        "since `expected_version`); 422 `insufficient_stock` for `confirmed` when stock is "
        "short (`details.shortages`; nothing is recorded then); 422 `invalid_request` "
        "(`fields`) for `callback_at` or `duplicate_of` missing, misplaced or invalid.",
    ),
    Endpoint(
        "GET",
        "/v1/orders/{number}/calls",
        list_calls,
        "listCalls",
        "The calls made on an order, newest first",
        "calls",
        int_params=("number",),
        query=CallQuery,
        response=CallPage,
        errors=(404,),
    ),
)
