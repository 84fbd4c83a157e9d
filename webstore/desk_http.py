"""What every desk endpoint shares: refusals answered as JSON, the body read into a
model, the order number of the path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from webstore.api_errors import ApiError
from webstore.request_body import PROBLEM

MAX_NUMBER = 2_147_483_647
M = TypeVar("M", bound=BaseModel)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(handler: Handler) -> Handler:
    """Refusals raised on the way (ApiError) become their JSON answer."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return exc.response()

    return run


async def read_body(request: web.Request, model: type[M]) -> M:
    if request.get(PROBLEM) is not None:
        raise ApiError(400, "bad_request", "The body could not be read")
    try:
        return model.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        fields = {".".join(map(str, e["loc"])) or "body": e["type"] for e in exc.errors()}
        raise ApiError(422, "invalid_request", "Check the fields", fields=fields) from None


def order_number(request: web.Request) -> int:
    raw = request.match_info["number"]
    if not raw.isdigit() or not 0 < int(raw) <= MAX_NUMBER:
        raise ApiError(404, "not_found", "No such order")
    return int(raw)
