"""Public order intake for landing pages on other sites (SPEC §4, Contract):
`POST /v1/stores/{slug}/orders` with an `Idempotency-Key` header.

- First time: 201 `{number, status, total, delivery_fee}`. The same key with the same body
  again: 200 with the same body and `Idempotent-Replayed: true` (one order in all). The same
  key with another body: 409 `idempotency_conflict`.
- The same phone and items inside the store's duplicate window, under another key (or
  another landing page): 409 `duplicate_order`, saying only that the order exists, as the
  storefront does — a phone and items are no proof of being that customer, so nothing of
  the order is told and the new key stays unbound (nothing is written).
- Refusals: 422 `invalid_order` with `fields` (path → reason code of models.orders.checkout),
  403 `blacklisted`, 429 `rate_limited` past the per-IP limit of WebConfig.
- Browsers may call it from any origin (no cookies are involved), so every answer, errors
  included, carries CORS headers, and the preflight is answered.
"""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from models.orders.checkout import CheckoutRequest, LineRequest
from models.orders.intake import place_order, replayed_order
from models.orders.tables import Order
from models.stores.setup import SLUG_RE
from webstore.api_endpoint import ApiCall, Endpoint, HeaderParam, reply
from webstore.api_errors import (
    ApiError,
    Issue,
    describe_fields,
    error_response,
    invalid_order_fields,
)
from webstore.config import CONFIG
from webstore.schemas import IntakeOrder, IntakeResult
from webstore.security import SlidingWindow, client_ip

IP_LIMIT = web.AppKey("intake_ip_limit", SlidingWindow)
SOURCE = "intake"
DUPLICATE_ORDER = "duplicate_order"
IDEMPOTENCY_KEY = HeaderParam(
    "Idempotency-Key",
    "1 to 128 printable ASCII characters, unique per order attempt (a UUID is fine); "
    "resending the same request with the same key returns the same order.",
    pattern=r"[\x20-\x7e]+",
    max_length=128,
    error_code="invalid_idempotency_key",
)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
    "Access-Control-Expose-Headers": "Idempotent-Replayed, Retry-After",
    "Access-Control-Max-Age": "86400",
}


def add_cors_headers(response: web.StreamResponse) -> None:
    # `*` and no credentials: the answer is the same whatever the origin, so no Vary.
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)


def request_hash(body: IntakeOrder) -> str:
    """SHA-256 of the canonical JSON of the validated body: key order, spacing, defaults
    and a code sent as 16 or "16" do not make two requests different."""
    canonical = json.dumps(
        body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def checkout_request(body: IntakeOrder, ip: str) -> CheckoutRequest:
    return CheckoutRequest(
        name=body.customer.name,
        phone=body.customer.phone,
        wilaya=body.shipping.wilaya,
        commune=body.shipping.commune,
        address=body.shipping.address,
        delivery_type=body.shipping.delivery_type,
        note=body.note,
        lines=[LineRequest(i.variant_id, i.sku, i.quantity) for i in body.items],
        source=SOURCE,
        client_ip=ip,
    )


def invalid_order(issues: list[Issue]) -> web.Response:
    """Body validation errors in the same shape as the checkout's own refusals."""
    fields = invalid_order_fields({i.path: i.reason for i in issues})
    message = f"The order was refused; check these fields: {describe_fields(fields)}"
    return error_response(422, "invalid_order", message, fields=fields)


def _result(order: Order, created: bool) -> web.Response:
    result = IntakeResult(
        number=order.number,
        status=order.status,
        total=order.total,
        delivery_fee=order.delivery_fee,
    )
    if created:
        return reply(result, status=201)
    return reply(result, status=200, headers={"Idempotent-Replayed": "true"})


async def place(call: ApiCall) -> web.Response:
    body, request = call.body_as(IntakeOrder), call.request
    store = call.current_store()
    idempotency = (request.headers[IDEMPOTENCY_KEY.name], request_hash(body))
    # A replay gets its order back before any limit or check that may have changed since.
    if (replay := await replayed_order(store, idempotency)) is not None:
        return _result(replay, created=False)
    ip = client_ip(request, request.config_dict[CONFIG].trust_forwarded)
    if not request.config_dict[IP_LIMIT].hit(ip):
        raise ApiError(
            429,
            "rate_limited",
            "Too many orders from this address; retry later",
            headers={"Retry-After": "600"},
        )
    placed = await place_order(store, checkout_request(body, ip), idempotency=idempotency)
    if not placed.created and not placed.replayed:
        raise ApiError(
            409,
            DUPLICATE_ORDER,
            "This order was already placed (the same phone and items); it will be called "
            "to confirm. Nothing new was created.",
        )
    return _result(placed.order, placed.created)


async def preflight(call: ApiCall) -> web.Response:
    """Answered without a database read; a slug that cannot name a store is 404 like the
    order itself (a well-formed unknown slug is found out by the POST)."""
    slug = call.request.match_info["slug"]
    if not SLUG_RE.fullmatch(slug):
        raise ApiError(404, "not_found", f"store {slug} not found")
    return web.Response(status=204)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/v1/stores/{slug}/orders",
        place,
        "placeOrder",
        "Place an order from a landing page (public)",
        "intake",
        auth="slug",
        headers=(IDEMPOTENCY_KEY,),
        body=IntakeOrder,
        response=IntakeResult,
        status=201,
        also={200: "Replay of a request already taken: the same order, nothing new created"},
        errors=(403, 404, 409, 422, 429),
        codes={409: (DUPLICATE_ORDER,)},
        cors=True,
        on_invalid=invalid_order,
        description=__doc__ or "",
    ),
    Endpoint(
        "OPTIONS",
        "/v1/stores/{slug}/orders",
        preflight,
        "placeOrderPreflight",
        "CORS preflight for placing an order",
        "intake",
        auth="none",
        status=204,
        errors=(404,),
        cors=True,
    ),
)
