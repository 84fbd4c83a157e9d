"""The aiohttp application: error handling, health and the route tables (its configuration
and typed keys are in webstore.config, which the views import)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from models.infra.db import is_unavailable, ping
from webstore import api, desk, media, request_body, storefront
from webstore.config import CONFIG, RETRY_AFTER, UNAVAILABLE, Handler, WebConfig
from webstore.log_paths import logged_path
from webstore.security import is_https

log = logging.getLogger(__name__)
# Browsers keep to HTTPS for a year once a page came over it (never the store's subdomains:
# they may be someone else's).
HSTS = "max-age=31536000"
# /readyz answers within this many seconds, the database's fate known or not.
READY_TIMEOUT = 5.0


def is_api(request: web.Request) -> bool:
    """Answered in JSON, errors included: the REST API and the desk's own API."""
    return request.path.startswith(("/v1/", "/desk/api/"))


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No response is a 500 page without a message: API errors are JSON, pages are HTML."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if is_api(request):
            return api.error_response(exc.status, api.code_for_status(exc.status), exc.reason)
        return await storefront.error_page(request, exc.status)
    except Exception as exc:
        if is_unavailable(exc):  # the database is back in a moment: ask to try again
            log.warning("database unavailable path=%s error=%r", logged_path(request), exc)
            if is_api(request):
                return api.error_response(
                    503, "unavailable", UNAVAILABLE, headers={"Retry-After": RETRY_AFTER}
                )
            page = await storefront.error_page(request, 503)
            page.headers["Retry-After"] = RETRY_AFTER
            return page
        log.exception("unhandled error path=%s", logged_path(request))
        if is_api(request):
            return api.error_response(500, "internal_error", "Something went wrong on our side")
        return await storefront.error_page(request, 500)


async def health(_: web.Request) -> web.Response:
    """Liveness: the process answers (restart it when it does not); nothing else checked."""
    return web.json_response({"status": "ok"})


async def _pending(config: WebConfig) -> list[str]:
    if config.readiness is None:
        await ping()
        return []
    return await config.readiness()


async def ready(request: web.Request) -> web.Response:
    """Readiness: the database answers and has every migration; otherwise 503, so a load
    balancer sends no customer here until it does."""
    try:
        pending = await asyncio.wait_for(_pending(request.config_dict[CONFIG]), READY_TIMEOUT)
    except Exception as exc:
        log.warning("not ready: database unreachable error=%s", type(exc).__name__)
        down = {"status": "unavailable", "database": "unreachable"}
        return web.json_response(down, status=503, headers={"Retry-After": RETRY_AFTER})
    if pending:
        behind = {"status": "unavailable", "database": "ok", "pending_migrations": pending}
        return web.json_response(behind, status=503, headers={"Retry-After": RETRY_AFTER})
    return web.json_response({"status": "ok", "database": "ok"})


async def _strict_transport(request: web.Request, response: web.StreamResponse) -> None:
    """HSTS on every answer that went out over HTTPS to a shop whose PUBLIC_URL is https."""
    config = request.config_dict[CONFIG]
    if config.base_url.startswith("https://") and is_https(request, config.trust_forwarded):
        response.headers.setdefault("Strict-Transport-Security", HSTS)


def create_app(config: WebConfig) -> web.Application:
    """The whole web surface; the composition root may add routes (Telegram webhook)."""
    app = web.Application(
        middlewares=[errors, request_body.decode_body],
        client_max_size=256 * 1024,
        handler_args=request_body.HANDLER_ARGS,  # bodies are decoded by request_body
    )
    app[CONFIG] = config
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
    app.on_response_prepare.append(_strict_transport)
    api.setup(app)
    media.setup(app)  # before the storefront's catch-all route
    desk.setup(app)  # likewise
    storefront.setup(app)
    return app
