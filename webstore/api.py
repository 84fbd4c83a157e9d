"""REST API v1 (SPEC §8) and the public order intake (SPEC §4), mounted under `/v1`.

The routes are built from one list of endpoint descriptors (ENDPOINTS), the same list the
OpenAPI document is generated from. Everything under `/v1` is a sub-application, so an
unknown path or method there is a JSON 404/405 and never reaches the storefront's routes.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from tortoise.exceptions import IntegrityError

from models.errors import DomainError
from models.infra.db import is_unavailable
from models.orders.timeline import Actor
from models.stores.api_keys import authenticate_api_key
from models.stores.setup import SLUG_RE, get_store
from models.stores.tables import Store
from webstore import (
    api_calls,
    api_catalog,
    api_customers,
    api_dispatch,
    api_exports,
    api_order_edit,
    api_orders,
    api_webhooks,
    intake,
    openapi,
)
from webstore.api_endpoint import ApiCall, Endpoint
from webstore.api_errors import ApiError, code_for_status, domain_response, error_response
from webstore.api_input import check_headers, parse_body, parse_query
from webstore.api_limits import Rate, TokenBuckets
from webstore.config import CONFIG, RETRY_AFTER, UNAVAILABLE, Handler, WebConfig
from webstore.log_paths import logged_path
from webstore.security import SlidingWindow

__all__ = ["ENDPOINTS", "code_for_status", "error_response", "setup"]

log = logging.getLogger(__name__)

PREFIX = "/v1"
ENDPOINTS: tuple[Endpoint, ...] = (
    *api_orders.ENDPOINTS,
    *api_order_edit.ENDPOINTS,
    *api_calls.ENDPOINTS,
    *api_dispatch.ENDPOINTS,
    *api_customers.ENDPOINTS,
    *api_webhooks.ENDPOINTS,
    *api_exports.ENDPOINTS,
    *api_catalog.ENDPOINTS,
    *intake.ENDPOINTS,
    openapi.ENDPOINT,
)
CORS_PATHS = web.AppKey("cors_paths", list[re.Pattern[str]])
# On the main app, so that tests can reach it (a controlled clock).
KEY_LIMIT = web.AppKey("api_key_limit", TokenBuckets)
RATE_HEADERS = web.RequestKey("rate_limit_headers", dict[str, str])
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer under /v1 is JSON, errors included, and CORS-readable where it must be."""
    try:
        response = await handler(request)
    except ApiError as exc:
        response = exc.response()
    except DomainError as exc:
        response = domain_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kept = {h: exc.headers[h] for h in KEPT_HEADERS if h in exc.headers}
        response = error_response(
            exc.status, code_for_status(exc.status), _http_message(request, exc), headers=kept
        )
    except IntegrityError:
        # A unique constraint lost a race with a concurrent request (e.g. two products
        # named alike at once); trying again succeeds.
        response = error_response(409, "conflict", "A concurrent request won; try again")
    except Exception as exc:
        if is_unavailable(exc):  # the database is back in a moment: ask to try again
            log.warning("database unavailable path=%s error=%r", logged_path(request), exc)
            retry = {"Retry-After": RETRY_AFTER}
            response = error_response(503, "unavailable", UNAVAILABLE, headers=retry)
        else:
            log.exception("unhandled API error path=%s", logged_path(request))
            response = error_response(500, "internal_error", "Something went wrong on our side")
    if any(p.fullmatch(request.path) for p in request.config_dict[CORS_PATHS]):
        intake.add_cors_headers(response)
    return response


def _http_message(request: web.Request, exc: web.HTTPException) -> str:
    if exc.status == 404:
        return f"No such endpoint: {request.method} {request.path} (see /v1/openapi.json)"
    if exc.status == 405:
        return f"{request.method} is not allowed on {request.path}; allowed: {exc.headers['Allow']}"
    if exc.status == 413:
        return f"The body is too large (at most {request.client_max_size} bytes)"
    return exc.reason


async def _store_by_key(request: web.Request) -> tuple[Store, Actor]:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="hanout"'}
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(
            401,
            "unauthorized",
            "Send the store's API key as 'Authorization: Bearer <key>'",
            headers=challenge,
        )
    store = await authenticate_api_key(key.strip())
    if store is None:
        raise ApiError(401, "unauthorized", "This API key is not valid", headers=challenge)
    prefix = key.strip().split("_", 2)[1]
    return store, Actor("api", prefix, "API")


async def _store_by_slug(request: web.Request) -> tuple[Store, Actor]:
    slug = request.match_info["slug"]
    if not SLUG_RE.fullmatch(slug):
        raise ApiError(404, "not_found", f"store {slug} not found")
    return await get_store(slug), Actor("customer")


def _spend(request: web.Request, actor: Actor) -> None:
    """One request of the key's budget; 429 past it. Headers go on whatever is answered."""
    quota = request.config_dict[KEY_LIMIT].take(actor.id)
    request[RATE_HEADERS] = quota.headers()
    if not quota.allowed:
        raise ApiError(
            429,
            "rate_limited",
            f"This API key sent more than {quota.limit} requests in a short time; "
            f"retry in {quota.retry_after} s",
            headers={"Retry-After": str(quota.retry_after)},
        )


async def _rate_headers(request: web.Request, response: web.StreamResponse) -> None:
    # Before the headers are sent: errors, JSON and streamed files alike.
    if (headers := request.get(RATE_HEADERS)) is not None:
        response.headers.update(headers)


def _wrap(endpoint: Endpoint) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        store: Store | None = None
        actor = Actor("system")
        if endpoint.auth == "key":
            store, actor = await _store_by_key(request)
            _spend(request, actor)
        elif endpoint.auth == "slug":
            store, actor = await _store_by_slug(request)
        check_headers(request, endpoint.headers)
        query = parse_query(request, endpoint.query) if endpoint.query else None
        body = await parse_body(request, endpoint) if endpoint.body else None
        if isinstance(body, web.Response):
            return body
        call = ApiCall(request, store, actor, body, query)
        return await endpoint.handler(call)

    handle.__name__ = endpoint.operation_id
    return handle


def _cors_pattern(endpoint: Endpoint) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(endpoint.path)))


def build_api(config: WebConfig) -> web.Application:
    """The /v1 sub-application with one route per descriptor (HEAD is not added)."""
    api = web.Application(middlewares=[api_errors])
    api[intake.IP_LIMIT] = SlidingWindow(config.checkout_ip_limit)
    for endpoint in ENDPOINTS:
        api.router.add_route(
            endpoint.method,
            endpoint.route_path().removeprefix(PREFIX),
            _wrap(endpoint),
            name=endpoint.operation_id,
        )
    api[CORS_PATHS] = [_cors_pattern(e) for e in ENDPOINTS if e.cors]
    rate = Rate.parse(config.api_rate_limit)
    api[openapi.DOCUMENT] = openapi.build_document(ENDPOINTS, config.base_url, rate)
    api.on_response_prepare.append(_rate_headers)
    return api


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    app[KEY_LIMIT] = TokenBuckets(Rate.parse(config.api_rate_limit))
    app.add_subapp(PREFIX, build_api(config))
