"""One storefront request as the pages see it: the store, the address prefix, the language,
the visitor (cookie and CSRF token), the cart and the orders this browser placed; plus
rendering a page with its cookies."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web

from models.stores.tables import Store
from webstore import cart as carts
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
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Thank-you links carry a token: never hand them to photo hosts in a Referer.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


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

    @property
    def csrf(self) -> str:
        return csrf_token(self.config.secret_key, self.visitor_id)

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
    """Remember a new visitor and a language switch; add the security headers."""
    if visit.new_visitor:
        _set_cookie(visit, response, VISITOR_COOKIE, visit.visitor_id, YEAR)
    if visit.remember_lang:
        _set_cookie(visit, response, LANG_COOKIE, visit.lang, YEAR)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
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


def respond(visit: Visit, html: str, status: int = 200) -> web.Response:
    response = web.Response(text=html, status=status, content_type="text/html")
    finish(visit, response)
    return response


def render(visit: Visit, template: str, status: int = 200, **context: Any) -> web.Response:
    return respond(visit, render_html(visit, template, **context), status)


_CART_COUNT = '<span class="count">{}</span>'


@dataclass(frozen=True, slots=True)
class DrawnPage:
    """A page drawn once for every visitor, cut where each visitor's own parts go: the CSRF
    token and the cart count."""

    parts: tuple[str, str, str]

    @classmethod
    def split(cls, html: str, csrf: str, cart_count: int) -> DrawnPage | None:
        """The page cut around its one CSRF token and its one cart count, or None when they
        do not each appear exactly once (the page is then not kept)."""
        count = _CART_COUNT.format(cart_count)
        if html.count(csrf) != 1 or html.count(count) != 1 or html.find(count) > html.find(csrf):
            return None
        head, _, rest = html.partition(count)
        middle, _, tail = rest.partition(csrf)
        return cls((head, middle, tail))

    def fill(self, csrf: str, cart_count: int) -> str:
        head, middle, tail = self.parts
        return f"{head}{_CART_COUNT.format(cart_count)}{middle}{csrf}{tail}"


# Fresh product pages as drawn, newest last, per application (webstore.pages).
PRODUCT_PAGES = web.AppKey("storefront_product_pages", OrderedDict[tuple[object, ...], DrawnPage])
MAX_DRAWN_PAGES = 256


def see_other(visit: Visit, path: str) -> web.Response:
    """POST-redirect-GET to a page of this store (303)."""
    response = web.Response(status=303, headers={"Location": visit.url(path)})
    finish(visit, response)
    return response
