"""The desk's stock screen (issue 15): the store's variants with their stock, adjusted in
place through models.catalog.products (the same use cases as /stock in the bot), by the owner, or by
agents when the owner allows it (/settings), as in the bot."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from models.catalog.stock import adjust_stock
from models.catalog.tables import Variant
from models.errors import InvalidInput, NotFound
from models.stores import settings
from webstore.api_errors import ApiError
from webstore.desk_auth import DeskUser, desk_user
from webstore.desk_http import guarded, read_body

# A shop's catalogue fits on one screen; paging comes when a store outgrows it.
MAX_LISTED = 500
MAX_STEP = 10_000


def _may_change_stock(who: DeskUser) -> bool:
    return settings.may_change_stock(who.store, "owner" if who.is_owner else "agent")


async def stock(request: web.Request) -> web.Response:
    who = await desk_user(request, request.match_info["slug"])
    variants = (
        await Variant.filter(store_id=who.store.id)
        .select_related("product")
        .order_by("product_id", "id")
        .limit(MAX_LISTED)
    )
    rows: list[dict[str, Any]] = [
        {
            "id": v.id,
            "product": v.product.name,
            "label": v.label(),
            "sku": v.sku,
            "stock": v.stock,
            "active": v.active and v.product.active,
        }
        for v in variants
    ]
    return web.json_response({"may_change": _may_change_stock(who), "variants": rows})


class StockMove(BaseModel):
    """Relative and conditional (never below zero): no version to send."""

    model_config = ConfigDict(extra="forbid")
    delta: StrictInt = Field(ge=-MAX_STEP, le=MAX_STEP)


async def move_stock(request: web.Request) -> web.Response:
    """`{"delta": n}` units in (or out, negative); never below zero (422)."""
    who = await desk_user(request, request.match_info["slug"])
    if not _may_change_stock(who):
        raise ApiError(403, "owner_only", "Only the owner changes the stock (see /settings)")
    body = await read_body(request, StockMove)
    raw = request.match_info["variant"]
    if not raw.isdigit() or not 0 < int(raw) <= 2_147_483_647:
        raise ApiError(404, "not_found", "No such variant")
    try:
        count = await adjust_stock(who.store, int(raw), body.delta)
    except NotFound:
        raise ApiError(404, "not_found", "No such variant in this store") from None
    except InvalidInput as exc:
        raise ApiError(422, "invalid_request", str(exc), fields={"delta": "invalid"}) from None
    return web.json_response({"id": int(raw), "stock": count})


def setup(app: web.Application) -> None:
    base = "/desk/api/{slug}"
    app.router.add_get(f"{base}/stock", guarded(stock))
    app.router.add_post(base + "/stock/{variant}", guarded(move_stock))
