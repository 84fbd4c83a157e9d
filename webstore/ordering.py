"""Placing an order from the product page (quick order) or from the cart: the anti-fake
checks, one `place_order` call, its refusals as messages, then POST-redirect-GET to the
thank-you page, which a duplicate checkout reaches only from the browser that placed it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from models.errors import Blacklisted, InvalidOrder
from models.orders.checkout import LineRequest, validate
from models.orders.intake import Placement, place
from webstore import shelf
from webstore.cart import Cart, parse_variant_id
from webstore.cart_pages import checkout_page
from webstore.form_post import read_post, refuse_forged, unreadable_status
from webstore.order_form import HONEYPOT, OrderForm
from webstore.pages import find_item, product_page, thanks_path
from webstore.security import SlidingWindow, client_ip
from webstore.visit import Visit, remember_placed, render, save_cart, see_other

log = logging.getLogger(__name__)

IP_LIMIT = web.AppKey("storefront_checkout_ip_limit", SlidingWindow)
Params = dict[str, str]
Rerender = Callable[[OrderForm, int], Awaitable[web.Response]]
LinesOf = Callable[[Visit, OrderForm], Awaitable[list[LineRequest]]]


async def quick_order(visit: Visit, params: Params) -> web.StreamResponse:
    item = await find_item(visit, params["product"])

    async def rerender(form: OrderForm, status: int) -> web.Response:
        return await product_page(visit, item, form, status)

    return await _submit(visit, rerender, _quick_lines, from_cart=False)


async def _quick_lines(visit: Visit, form: OrderForm) -> list[LineRequest]:
    variant_id = parse_variant_id(form.get("variant_id"))
    return [LineRequest(variant_id=variant_id, quantity=form.get("quantity"))]


async def cart_checkout(visit: Visit, params: Params) -> web.StreamResponse:
    async def rerender(form: OrderForm, status: int) -> web.Response:
        return await checkout_page(visit, form, status)

    return await _submit(visit, rerender, _cart_lines, from_cart=True)


async def _cart_lines(visit: Visit, form: OrderForm) -> list[LineRequest]:
    # Lines whose product was withdrawn since they were added are left out, not refused.
    lines = await shelf.cart_lines(visit.shop, visit.cart.lines)
    return [LineRequest(variant_id=line.variant.id, quantity=line.quantity) for line in lines]


async def _submit(
    visit: Visit, rerender: Rerender, lines_of: LinesOf, from_cart: bool
) -> web.StreamResponse:
    post = await read_post(visit)
    if post is None:
        return await rerender(OrderForm(notice="malformed"), unreadable_status(visit))
    if forbidden := refuse_forged(visit, post):
        return forbidden
    form = OrderForm.from_post(post)
    if form.get(HONEYPOT):
        log.info("honeypot filled store=%s", visit.shop.slug)
        form.notice = "rejected"
        return await rerender(form, 400)
    if post.get("refresh"):  # the no-JavaScript "show communes and fee" button
        return await rerender(form, 200)
    lines = await lines_of(visit, form)
    return await _place(visit, form, lines, rerender, from_cart)


async def _place(
    visit: Visit, form: OrderForm, lines: list[LineRequest], rerender: Rerender, from_cart: bool
) -> web.StreamResponse:
    ip = client_ip(visit.request, visit.config.trust_forwarded)
    request = form.checkout_request(lines, ip)
    try:
        draft = validate(request)  # pure: typos do not count against the visitor's IP budget
    except InvalidOrder as exc:
        return await rerender(form.failed(exc.errors), 422)
    if not visit.request.app[IP_LIMIT].hit(ip):
        log.info("checkout ip limit store=%s", visit.shop.slug)
        form.notice = "ip_limited"
        return await rerender(form, 429)
    try:
        placed = await place(visit.shop, request, draft)
    except InvalidOrder as exc:
        return await rerender(form.failed(exc.errors), 422)
    except Blacklisted:
        form.notice = "blocked"
        return await rerender(form, 403)
    log.info(
        "storefront order store=%s number=%s created=%s",
        visit.shop.slug,
        placed.number,
        placed.created,
    )
    if from_cart:  # emptied before the page is drawn, so its header counts no items
        visit.cart = Cart()
    response = _answer(visit, placed)
    if from_cart:
        save_cart(visit, response)
    return response


def _answer(visit: Visit, placed: Placement) -> web.StreamResponse:
    """The thank-you page for an order this browser placed; for a duplicate of someone else's
    order only that we have it: a phone and a product are no proof of being that customer,
    and the thank-you page shows their address."""
    if not placed.created and placed.number not in visit.placed:
        return render(visit, "already_ordered.html")
    response = see_other(visit, thanks_path(placed, visit.config.secret_key, not placed.created))
    remember_placed(visit, response, placed.number)
    return response
