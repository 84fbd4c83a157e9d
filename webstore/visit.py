"""One storefront request as the pages see it: the store, the address prefix, the language,
the visitor (cookie and CSRF token), the cart and the orders this browser placed; plus
rendering a page with its cookies."""

from __future__ import annotations

import base64
import hashlib
import operator
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from markupsafe import Markup

from models.stores.tables import Store
from webstore import cart as carts
from webstore.compression import MIN_SIZE, Deflated, SplicedGzip, accepts_gzip, gzip_bytes
from webstore.config import CONFIG, WebConfig
from webstore.i18n import LANG_NAMES, LANGS, Catalogues, Translator, choose_lang, format_dinars
from webstore.i18n import is_rtl as lang_is_rtl
from webstore.security import (
    MAX_PLACED,
    PLACED_COOKIE,
    VISITOR_COOKIE,
    csrf_token,
    is_https,
    is_visitor_id,
    new_visitor_id,
    placed_cookie,
    placed_numbers,
)

TEMPLATES = web.AppKey("storefront_templates", jinja2.Environment)
CATALOGUES = web.AppKey("storefront_catalogues", Catalogues)
LANG_COOKIE = "lang"
YEAR = 365 * 24 * 3600
CART_AGE = 30 * 24 * 3600
# Longer than any duplicate window: a browser is recognised for as long as its checkout can
# come back as a duplicate.
PLACED_AGE = 7 * 24 * 3600
# The stylesheet is small (about 4 KB, 1.3 KB gzipped) and all of it styles the first
# screen: a first visit gets it inline, so no request blocks the first paint, and fetches the
# file at low priority for the next pages, which link it from the phone's cache.
INLINE_CSS = (Path(__file__).parent / "static" / "store.css").read_text(encoding="utf-8")
_INLINE_CSS_HASH = base64.b64encode(hashlib.sha256(INLINE_CSS.encode()).digest()).decode()
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'self'; img-src 'self' https: data:; "
        f"style-src 'self' 'sha256-{_INLINE_CSS_HASH}'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Thank-you links carry a token: never hand them to photo hosts in a Referer.
    "Referrer-Policy": "same-origin",
}
# A page a visitor asked for (GET) is theirs alone (their CSRF token, their cart, their
# order): no shared cache (proxy, CDN) may keep it, and the browser asks again before
# reusing it — but it may keep it in the back/forward cache, so "back" is instant (store.js
# reloads a page restored from there when the cart changed since). An answer to a POST
# (the form re-drawn with what the customer typed), a redirect and an error page are kept
# nowhere.
PAGE_CACHE = "private, no-cache"
NOT_KEPT = "no-store"
# The <head> links of the stylesheet: a first visit's (inline) and a returning visit's, with
# their bytes compressed once for drawn pages.
STYLES = web.AppKey("storefront_styles", tuple[Markup, Markup])
STYLES_DEFLATED = web.AppKey("storefront_styles_deflated", tuple[Deflated, Deflated])


@dataclass(slots=True)
class Visit:
    request: web.Request
    config: WebConfig
    store: Store | None
    base: str  # "" on the store's own domain, "/<slug>" otherwise
    lang: str
    remember_lang: bool
    visitor_id: str
    new_visitor: bool
    cart: carts.Cart
    placed: tuple[int, ...]  # numbers of the orders this browser placed here, newest last
    _: Translator

    @property
    def shop(self) -> Store:
        assert self.store is not None, "storefront page without a store"
        return self.store

    @property
    def dir(self) -> str:
        return "rtl" if lang_is_rtl(self.lang) else "ltr"

    # True while drawing a page shared by every visitor: each visitor's own parts are then
    # slots (DrawnPage) filled in for each request.
    shared: bool = False

    @property
    def csrf(self) -> str:
        if self.shared:
            return _slot("csrf")
        return csrf_token(self.config.secret_key, self.visitor_id)

    @property
    def cart_count(self) -> str:
        return _slot("cart_count") if self.shared else str(self.cart.count)

    @property
    def cart_stamp(self) -> str:
        """What the cart holds, for store.js to tell a page restored from the back/forward
        cache that shows an older cart (the same visitor's; it then reloads it)."""
        return _slot("cart_stamp") if self.shared else self.cart.stamp

    @property
    def styles(self) -> Markup:
        if self.shared:
            return Markup(_slot("styles"))  # noqa: S704 (a marker of ours, no input)
        return self.request.app[STYLES][0 if self.new_visitor else 1]

    @property
    def langs(self) -> list[tuple[str, str]]:
        return [(code, LANG_NAMES[code]) for code in LANGS]

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def money(self, amount: int) -> str:
        return format_dinars(amount, self._("DA"))


VISIT = web.RequestKey("storefront_visit", Visit)


def _asked_lang(request: web.Request) -> str | None:
    asked = request.query.get("lang")
    return asked if asked in LANGS else None


def _accepted_lang(request: web.Request) -> str | None:
    for part in request.headers.get("Accept-Language", "").split(",")[:10]:
        code = part.strip()[:2].lower()
        if code in LANGS:
            return code
    return None


def open_visit(request: web.Request, store: Store | None, base: str) -> Visit:
    """Read the visitor's cookies; a first visit gets a new visitor id."""
    config = request.app[CONFIG]
    asked, remembered = _asked_lang(request), request.cookies.get(LANG_COOKIE)
    default = store.lang if store is not None else (_accepted_lang(request) or "fr")
    lang = choose_lang(asked, remembered, default)
    visitor_id = request.cookies.get(VISITOR_COOKIE)
    new_visitor = not is_visitor_id(visitor_id)
    cart = carts.Cart()
    placed: tuple[int, ...] = ()
    if store is not None:
        cart = carts.decode(request.cookies.get(carts.COOKIE), config.secret_key, store.id)
        placed = placed_numbers(request.cookies.get(PLACED_COOKIE), config.secret_key, store.id)
    return Visit(
        request,
        config,
        store,
        base,
        lang,
        asked is not None and asked != remembered,
        new_visitor_id() if new_visitor else str(visitor_id),
        new_visitor,
        cart,
        placed,
        request.app[CATALOGUES].translator(lang),
    )


def _set_cookie(
    visit: Visit, response: web.StreamResponse, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="Lax",
        secure=is_https(visit.request, visit.config.trust_forwarded),
    )


def finish(visit: Visit, response: web.StreamResponse) -> web.StreamResponse:
    """Remember a new visitor and a language switch; add the security and cache headers."""
    if visit.new_visitor:
        # Written out rather than through http.cookies (a tenth of a page's cost): the id
        # is URL-safe base64, nothing to quote.
        secure = "; Secure" if is_https(visit.request, visit.config.trust_forwarded) else ""
        response.headers.add(
            "Set-Cookie",
            f"{VISITOR_COOKIE}={visit.visitor_id}; HttpOnly; Max-Age={YEAR}; Path=/; "
            f"SameSite=Lax{secure}",
        )
    if visit.remember_lang:
        _set_cookie(visit, response, LANG_COOKIE, visit.lang, YEAR)
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    asked = visit.request.method in ("GET", "HEAD") and response.status == 200
    headers.setdefault("Cache-Control", PAGE_CACHE if asked else NOT_KEPT)
    return response


def save_cart(visit: Visit, response: web.StreamResponse) -> None:
    """Write the visit's cart back; the cookie lives under the store's own path."""
    path = f"{visit.base}/"
    if not visit.cart.lines:
        response.del_cookie(carts.COOKIE, path=path)
        return
    value = carts.encode(visit.cart, visit.config.secret_key, visit.shop.id)
    _set_cookie(visit, response, carts.COOKIE, value, CART_AGE, path)


def remember_placed(visit: Visit, response: web.StreamResponse, number: int) -> None:
    """Add an order to the ones this browser placed in the store (under the store's path)."""
    visit.placed = (*(n for n in visit.placed if n != number), number)[-MAX_PLACED:]
    value = placed_cookie(visit.placed, visit.config.secret_key, visit.shop.id)
    _set_cookie(visit, response, PLACED_COOKIE, value, PLACED_AGE, f"{visit.base}/")


def render_html(visit: Visit, template: str, **context: Any) -> str:
    env = visit.request.app[TEMPLATES]
    return env.get_template(template).render(v=visit, _=visit._, shop=visit.store, **context)


def _wants_gzip(visit: Visit) -> bool:
    return accepts_gzip(visit.request.headers.get("Accept-Encoding", ""))


def _html_response(visit: Visit, body: bytes, status: int, gzipped: bool) -> web.Response:
    headers = {"Vary": "Accept-Encoding, Cookie"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    response = web.Response(
        body=body, status=status, headers=headers, content_type="text/html", charset="utf-8"
    )
    finish(visit, response)
    return response


def respond(visit: Visit, html: str, status: int = 200) -> web.Response:
    """A page, gzip-compressed when the browser accepts it (and it is worth it)."""
    plain = html.encode()
    if len(plain) >= MIN_SIZE and _wants_gzip(visit):
        return _html_response(visit, gzip_bytes(plain), status, gzipped=True)
    return _html_response(visit, plain, status, gzipped=False)


def render(visit: Visit, template: str, status: int = 200, **context: Any) -> web.Response:
    return respond(visit, render_html(visit, template, **context), status)


# Each visitor's own parts of a shared page, drawn as markers no page text can hold (a
# private-use character and a random word of this process), then cut out (DrawnPage).
_SLOT_MARK = f"\ue000{secrets.token_hex(6)}:"
SLOTS = ("csrf", "cart_count", "cart_stamp", "styles")
_SLOT_RE = re.compile(re.escape(_SLOT_MARK) + "(" + "|".join(SLOTS) + ")\ue001")


def _slot(name: str) -> str:
    return f"{_SLOT_MARK}{name}\ue001"


@dataclass(slots=True)
class DrawnPage:
    """A page drawn once for every visitor, cut where each visitor's own parts go (their
    CSRF token, cart count and stamp, and the stylesheet's link, inline on a first visit);
    kept while what it was drawn from (the store's cached rows: models.stores.cache) are
    the very objects the cache still hands out."""

    parts: tuple[bytes, ...]
    slots: tuple[str, ...]
    sources: tuple[object, ...]
    _gzip: SplicedGzip | None = None

    @classmethod
    def split(cls, html: str, sources: tuple[object, ...] = ()) -> DrawnPage:
        pieces = _SLOT_RE.split(html)
        return cls(tuple(p.encode() for p in pieces[0::2]), tuple(pieces[1::2]), tuple(sources))

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    def drawn_from(self, sources: tuple[object, ...]) -> bool:
        mine = self.sources
        return len(sources) == len(mine) and all(map(operator.is_, sources, mine))

    def values(self, visit: Visit) -> list[Deflated | bytes]:
        styles = visit.request.app[STYLES_DEFLATED][0 if visit.new_visitor else 1]
        own: dict[str, Deflated | bytes] = {
            "csrf": visit.csrf.encode(),
            "cart_count": visit.cart_count.encode(),
            "cart_stamp": visit.cart_stamp.encode(),
            "styles": styles,
        }
        return [own[name] for name in self.slots]

    def fill(self, visit: Visit) -> bytes:
        out = [self.parts[0]]
        for value, part in zip(self.values(visit), self.parts[1:], strict=True):
            out += (value.plain if isinstance(value, Deflated) else value, part)
        return b"".join(out)

    def gzipped(self, visit: Visit) -> bytes:
        if self._gzip is None:
            self._gzip = SplicedGzip(self.parts)
        return self._gzip.join(self.values(visit))


# Pages drawn once for every visitor, newest last, per application: the fresh product page,
# the store's home, the empty cart (webstore.pages, webstore.cart_pages).
DRAWN_PAGES = web.AppKey("storefront_drawn_pages", OrderedDict[Hashable, DrawnPage])
MAX_DRAWN_PAGES = 512


def drawn(
    visit: Visit,
    key: Hashable,
    sources: tuple[object, ...],
    draw: Callable[[Visit], str],
) -> web.Response:
    """The page `draw` makes for a visitor, drawn once per (key, address prefix, language)
    while `sources` stay the same objects, each visitor's parts filled in."""
    pages = visit.request.app[DRAWN_PAGES]
    full_key = (key, visit.base, visit.lang)
    page = pages.get(full_key)
    if page is not None and page.drawn_from(sources):
        pages.move_to_end(full_key)
    else:
        page = DrawnPage.split(draw(replace(visit, shared=True)), sources)
        pages[full_key] = page
        if len(pages) > MAX_DRAWN_PAGES:
            pages.popitem(last=False)
    if page.size >= MIN_SIZE and _wants_gzip(visit):
        return _html_response(visit, page.gzipped(visit), 200, gzipped=True)
    return _html_response(visit, page.fill(visit), 200, gzipped=False)


def see_other(visit: Visit, path: str) -> web.Response:
    """POST-redirect-GET to a page of this store (303)."""
    response = web.Response(status=303, headers={"Location": visit.url(path)})
    finish(visit, response)
    return response
