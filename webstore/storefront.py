"""The customer storefront (SPEC §4): pages under `/{slug}/…`, and the same pages at `/` on a
store's own domain (found by the Host header). One catch-all route finds the store first,
then the page, so a store's domain and its slug address share one page table."""

from __future__ import annotations

import ipaddress
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path

import jinja2
from aiohttp import web
from markupsafe import Markup
from yarl import URL

from models.stores import cache
from models.stores.setup import SLUG_RE
from models.stores.tables import Store
from webstore import cart_pages, ordering, pages
from webstore.compression import Deflated
from webstore.config import CONFIG, WebConfig
from webstore.i18n import load_catalogues
from webstore.messages import N_
from webstore.security import ORDER_TOKEN_LENGTH, SlidingWindow
from webstore.shelf import PRODUCT_SLUG
from webstore.static_files import StaticFiles
from webstore.visit import (
    CATALOGUES,
    DRAWN_PAGES,
    INLINE_CSS,
    STYLES,
    STYLES_DEFLATED,
    TEMPLATES,
    VISIT,
    Visit,
    open_visit,
    render,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
Page = Callable[[Visit, dict[str, str]], Awaitable[web.StreamResponse]]

# Every parameter is held to its exact shape here, so a stray byte (%00, %FF) in an address
# is a 404 before any query: PostgreSQL would refuse it with an error, hence a 500.
PAGES: tuple[tuple[str, re.Pattern[str], Page], ...] = tuple(
    (method, re.compile(pattern), page)
    for method, pattern, page in (
        ("GET", r"/", pages.home),
        ("GET", rf"/p/(?P<product>{PRODUCT_SLUG})", pages.product),
        ("POST", rf"/p/(?P<product>{PRODUCT_SLUG})", ordering.quick_order),
        ("GET", r"/panier", cart_pages.show_cart),
        ("POST", r"/panier", cart_pages.change_cart),
        ("GET", r"/commande", cart_pages.checkout),
        ("POST", r"/commande", ordering.cart_checkout),
        (
            "GET",
            rf"/merci/(?P<number>[1-9][0-9]{{0,8}})/(?P<token>[0-9a-f]{{{ORDER_TOKEN_LENGTH}}})",
            pages.thanks,
        ),
        ("GET", r"/communes/(?P<wilaya>[0-9]{1,2})\.json", pages.communes),
    )
)

ERROR_TEXTS = {
    400: (N_("Bad request"), N_("We could not read what was sent. Please try again.")),
    403: (N_("Not allowed"), N_("You are not allowed to do this.")),
    404: (N_("Page not found"), N_("This page does not exist or is no longer available.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    413: (N_("Too large"), N_("What you sent is too large.")),
    429: (N_("Too many requests"), N_("Please wait a few minutes and try again.")),
    503: (
        N_("One moment"),
        N_("The shop cannot take your request right now. Please try again in a few seconds."),
    ),
}
SERVER_ERROR = (N_("Something went wrong"), N_("An error occurred on our side. Please try again."))


def _page_for(method: str, path: str) -> tuple[Page, dict[str, str]]:
    method = "GET" if method == "HEAD" else method
    allowed: list[str] = []
    for page_method, pattern, page in PAGES:
        match = pattern.fullmatch(path)
        if match and page_method == method:
            return page, match.groupdict()
        if match:
            allowed.append(page_method)
    raise web.HTTPMethodNotAllowed(method, allowed) if allowed else web.HTTPNotFound()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


async def _store_by_host(request: web.Request, config: WebConfig) -> Store | None:
    """The store whose custom domain this request was addressed to, if any."""
    try:
        host = (request.url.host or "").lower().rstrip(".")
    except ValueError:
        return None
    ours = (URL(config.base_url).host or "").lower()
    if not host or len(host) > 253 or host in (ours, "localhost") or _is_ip(host):
        return None
    return await Store.get_or_none(custom_domain=host)


async def dispatch(request: web.Request) -> web.StreamResponse:
    """Find the store (own domain, else the first path segment), then the page."""
    store = await _store_by_host(request, request.app[CONFIG])
    base, path = "", request.path
    if store is None:
        slug, slash, rest = request.path[1:].partition("/")
        # The same rule as create_store: a slug it would refuse is no store, and no query.
        store = await cache.store_by_slug(slug) if SLUG_RE.fullmatch(slug) else None
        if store is None:
            raise web.HTTPNotFound()
        if not slash and request.method in ("GET", "HEAD"):
            location = f"/{slug}/" + (f"?{request.query_string}" if request.query_string else "")
            return web.Response(status=308, headers={"Location": location})
        base, path = f"/{slug}", f"/{rest}"
    visit = open_visit(request, store, base)
    request[VISIT] = visit
    page, params = _page_for(request.method, path)
    return await page(visit, params)


async def error_page(request: web.Request, status: int) -> web.Response:
    """The error page in the visitor's language, inside the store's frame when known."""
    try:
        visit = request.get(VISIT) or open_visit(request, None, "")
        title, message = ERROR_TEXTS.get(status, SERVER_ERROR)
        return render(visit, "error.html", status, title=visit._(title), message=visit._(message))
    except Exception:  # the page of last resort must not fail in turn
        log.exception("error page failed status=%s", status)
        return web.Response(status=status, text=f"Error {status}", content_type="text/plain")


def _templates(files: StaticFiles) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        # Templates change only with a release: no stat() of every file on every page.
        auto_reload=False,
    )
    # A content hash in the address lets phones cache the files until the next release.
    env.globals["static"] = files.url
    env.filters["own_asset"] = files.own_url
    return env


def _styles(files: StaticFiles) -> tuple[Markup, Markup]:
    """The stylesheet as a first visit gets it (inline, the file fetched at low priority for
    the next pages) and as a returning visit does (linked: in the phone's cache)."""
    url = files.url("store.css")
    first = Markup('<style>{}</style>\n<link rel="prefetch" href="{}" as="style">').format(
        Markup(INLINE_CSS),  # noqa: S704 (our own stylesheet, read from the package)
        url,
    )
    return first, Markup('<link rel="stylesheet" href="{}">').format(url)


def setup(app: web.Application) -> None:
    files = StaticFiles(STATIC_DIR, "/static/", skip=("desk",))
    app[CATALOGUES] = load_catalogues()
    app[TEMPLATES] = _templates(files)
    app[STYLES] = _styles(files)
    app[STYLES_DEFLATED] = (
        Deflated(app[STYLES][0].encode()),
        Deflated(app[STYLES][1].encode()),
    )
    app[DRAWN_PAGES] = OrderedDict()
    app[ordering.IP_LIMIT] = SlidingWindow(app[CONFIG].checkout_ip_limit, 600.0)
    files.route(app)
    # The API owns /v1/: this route must not answer there, even for a method it lacks.
    catch_all = r"/{path:(?!v1(?:/|$)).*}"
    app.router.add_get(catch_all, dispatch)
    app.router.add_post(catch_all, dispatch)
