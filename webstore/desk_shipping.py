"""The desk's Shipping screen (`/desk/api/{slug}/shipping…`): the confirmed orders waiting
for a courier, the store's courier accounts (the default first) and the stop desks a
stop-desk order needs, then many orders dispatched in one press through the card's use case
(models.shipping.bulk; one parcel per order, a second press makes none), each refusal
listed with its reason in the person's language, and where each parcel stands after.
The label sheet and pick list are in webstore.desk_print."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from models.customers.phones import national_display
from models.errors import (
    ConcurrentChange,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from models.orders.tables import Order
from models.shipping import bulk as bulk_shipping
from models.shipping.bulk import Dispatched, Pick
from models.shipping.parcels import DispatchService
from models.shipping.tables import CourierAccount
from models.stores import settings
from webstore.api_errors import ApiError
from webstore.config import CONFIG
from webstore.desk_auth import DeskUser, desk_user, require_owner
from webstore.desk_http import MAX_NUMBER, guarded, read_body
from webstore.desk_shipping_words import REASONS
from webstore.visit import CATALOGUES

MANUAL = "manual"  # typed tracking numbers: one order at a time, from its card


def _dispatcher(request: web.Request) -> DispatchService:
    dispatcher = request.app[CONFIG].dispatcher
    if dispatcher is None:
        raise ApiError(503, "unavailable", "Courier accounts are not available here")
    return dispatcher


async def _accounts(request: web.Request, who: DeskUser) -> list[CourierAccount]:
    accounts = await _dispatcher(request).accounts(who.store)
    return [a for a in accounts if a.courier != MANUAL]


def _row(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status.value,
        "name": order.name,
        "phone": national_display(order.phone),
        "wilaya": order.wilaya_code,
        "commune": order.commune_name,
        "delivery_type": order.delivery_type,
        "total": order.total,
    }


async def screen(request: web.Request) -> web.Response:
    """The orders to ship, the accounts to ship them with, the store's label format."""
    who = await desk_user(request, request.match_info["slug"])
    accounts = await _accounts(request, who)
    orders = await bulk_shipping.orders_to_ship(who.store)
    return web.json_response(
        {
            "accounts": [
                {"id": a.id, "courier": a.courier, "label": a.label, "default": a.is_default}
                for a in accounts
            ],
            "orders": [_row(o) for o in orders],
            "label_format": who.store.label_format,
            "may_set_format": who.is_owner,
            "max_batch": bulk_shipping.MAX_BATCH,
        }
    )


def _account_id(request: web.Request, accounts: list[CourierAccount], raw: object) -> int:
    found = next((a for a in accounts if str(a.id) == str(raw)), None)
    if found is None:
        raise ApiError(404, "not_found", "No such courier account in this store")
    return found.id


async def desks(request: web.Request) -> web.Response:
    """`?account=&number=`: the stop desks to choose from for a stop-desk order, the
    customer's commune first (empty: the courier picks the desk itself)."""
    who = await desk_user(request, request.match_info["slug"])
    account = _account_id(request, await _accounts(request, who), request.query.get("account"))
    raw = request.query.get("number", "")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_NUMBER else 0
    order = await Order.get_or_none(store_id=who.store.id, number=number)
    if order is None:
        raise ApiError(404, "not_found", "No such order in this store")
    try:
        found = await _dispatcher(request).desks(who.store, order, account)
    except InvalidInput as exc:
        return web.json_response({"desks": [], "error": _reason(request, who, exc)})
    rows = [{"id": d.id, "name": d.name, "commune": d.commune} for d in found]
    return web.json_response({"desks": rows, "commune": order.commune_name})


class PickIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: StrictInt = Field(ge=1, le=MAX_NUMBER)
    stopdesk_id: str | None = Field(None, min_length=1, max_length=64)


class DispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: StrictInt = Field(ge=1, le=MAX_NUMBER)
    orders: list[PickIn] = Field(min_length=1, max_length=bulk_shipping.MAX_BATCH)


def _code(exc: DomainError) -> str:
    """The reason's key in REASONS for a refusal of the dispatch use case."""
    text = str(exc)
    if isinstance(exc, IllegalTransition):
        return "not_ready"
    if isinstance(exc, ConcurrentChange):
        return "conflict"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, InvalidInput) and text.startswith("stopdesk_id:"):
        return "desk_needed" if "choose one" in text else "desk_unknown"
    if isinstance(exc, InvalidInput) and "has no API" in text:
        return "no_api"
    return "other"


def _reason(request: web.Request, who: DeskUser, exc: DomainError) -> str:
    _ = request.app[CATALOGUES].translator(who.lang)
    return _(REASONS[_code(exc)]) % {"reason": str(exc)}


def _outcome(request: web.Request, who: DeskUser, done: Dispatched) -> dict[str, Any]:
    row: dict[str, Any] = {"number": done.number, "outcome": done.outcome}
    if done.error is not None:
        row["code"] = _code(done.error)
        row["reason"] = _reason(request, who, done.error)
    return row


async def dispatch(request: web.Request) -> web.Response:
    """`{"account_id", "orders": [{"number", "stopdesk_id"?}]}`: each order dispatched
    once, in its own transaction, attributed to the person; the answer lists every order
    with its outcome (`requested`, `already`, `failed` with `code` and `reason`)."""
    who = await desk_user(request, request.match_info["slug"])
    body = await read_body(request, DispatchIn)
    account = _account_id(request, await _accounts(request, who), body.account_id)
    picks = list({p.number: Pick(p.number, p.stopdesk_id) for p in body.orders}.values())
    done = await bulk_shipping.dispatch_many(
        _dispatcher(request), who.store, who.actor, account, picks
    )
    return web.json_response({"orders": [_outcome(request, who, d) for d in done]})


def numbers_of(raw: str) -> list[int]:
    """`?orders=1001,1002`: order numbers, at most a batch; 400 otherwise."""
    parts = [p for p in raw.split(",") if p]
    if not parts or len(parts) > bulk_shipping.MAX_BATCH:
        raise ApiError(400, "bad_request", "orders: 1 to 300 order numbers, comma-separated")
    if not all(p.isdigit() and 0 < int(p) <= MAX_NUMBER for p in parts):
        raise ApiError(400, "bad_request", "orders: order numbers, comma-separated")
    return list(dict.fromkeys(int(p) for p in parts))


async def progress(request: web.Request) -> web.Response:
    """`?orders=`: where each parcel stands (the page asks until every one is settled)."""
    who = await desk_user(request, request.match_info["slug"])
    found = await bulk_shipping.batch_progress(
        who.store, numbers_of(request.query.get("orders", ""))
    )
    _ = request.app[CATALOGUES].translator(who.lang)
    rows = [
        {
            "number": p.number,
            "status": p.status,
            "parcel": p.parcel,
            "tracking": p.tracking,
            "refused": _(REASONS["refused"]) % {"reason": p.refused} if p.refused else None,
        }
        for p in found
    ]
    return web.json_response({"orders": rows})


class FormatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label_format: str = Field(pattern="^(a4|thermal)$")


async def set_format(request: web.Request) -> web.Response:
    """The store's label format, the owner's to change (403 for an agent)."""
    who = await desk_user(request, request.match_info["slug"])
    require_owner(who)
    body = await read_body(request, FormatIn)
    store = await settings.set_label_format(who.store, body.label_format)
    return web.json_response({"label_format": store.label_format})


def setup(app: web.Application) -> None:
    base = "/desk/api/{slug}/shipping"
    app.router.add_get(base, guarded(screen))
    app.router.add_get(f"{base}/desks", guarded(desks))
    app.router.add_post(f"{base}/dispatch", guarded(dispatch))
    app.router.add_get(f"{base}/progress", guarded(progress))
    app.router.add_post(f"{base}/format", guarded(set_format))
