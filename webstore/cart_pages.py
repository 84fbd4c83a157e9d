"""The cart page (add, change, remove) and the cart's checkout form."""

from __future__ import annotations

import logging

from aiohttp import web

from models.catalog.tables import Variant
from webstore import shelf
from webstore.cart import parse_quantity, parse_variant_id
from webstore.form_post import read_post, refuse_forged, unreadable_status
from webstore.messages import NOTICES, field_message
from webstore.order_form import OrderForm, form_context, load_delivery
from webstore.visit import Visit, drawn, render, render_html, save_cart, see_other

log = logging.getLogger(__name__)
Params = dict[str, str]


async def cart_page(visit: Visit, status: int = 200, notice: str = "") -> web.Response:
    """The cart's lines; lines whose product was withdrawn are dropped from the cookie."""
    lines = await shelf.cart_lines(visit.shop, visit.cart.lines)
    dropped = visit.cart.keep_only({line.variant.id for line in lines})
    response = render(
        visit,
        "cart.html",
        status,
        lines=lines,
        subtotal=sum(line.total for line in lines),
        notice=notice,
    )
    if dropped:
        save_cart(visit, response)
    return response


async def show_cart(visit: Visit, params: Params) -> web.StreamResponse:
    if not visit.cart.lines:  # the same page for every visitor with nothing in the cart
        return drawn(
            visit,
            ("empty cart", visit.shop.id),
            (visit.shop,),
            lambda shared: render_html(shared, "cart.html", lines=[], subtotal=0, notice=""),
        )
    return await cart_page(visit)


async def _variant_in_store(visit: Visit, variant_id: int | None) -> bool:
    return variant_id is not None and await Variant.exists(
        id=variant_id, store_id=visit.shop.id, active=True, product__active=True
    )


async def _add(visit: Visit, variant_id: int | None, raw_quantity: object) -> str:
    """Add to the cart; the message to show when that is refused, else ''."""
    quantity = parse_quantity(raw_quantity)
    if quantity is None:
        message, params = field_message("quantity", "out_of_range")
        return visit._(message, **params)
    if not await _variant_in_store(visit, variant_id):
        return visit._(field_message("items", "unknown_variant")[0])
    if not visit.cart.add(variant_id or 0, quantity):
        return visit._(NOTICES["cart_full"])
    return ""


def _change(visit: Visit, variant_id: int | None, raw_quantity: object, remove: bool) -> str:
    quantity = 0 if remove or raw_quantity == "0" else parse_quantity(raw_quantity)
    if variant_id is None or quantity is None:
        message, params = field_message("quantity", "out_of_range")
        return visit._(message, **params)
    visit.cart.change(variant_id, quantity)
    return ""


async def change_cart(visit: Visit, params: Params) -> web.StreamResponse:
    """`action` add | set | remove with `variant_id` and `quantity`, then back to the cart."""
    post = await read_post(visit)
    if post is None:
        return await cart_page(visit, unreadable_status(visit), visit._(NOTICES["malformed"]))
    if forbidden := refuse_forged(visit, post):
        return forbidden
    action, variant_id = post.get("action"), parse_variant_id(post.get("variant_id"))
    if action == "add":
        problem = await _add(visit, variant_id, post.get("quantity"))
    elif action in ("set", "remove"):
        problem = _change(visit, variant_id, post.get("quantity"), action == "remove")
    else:
        return await cart_page(visit, 400, visit._(NOTICES["malformed"]))
    if problem:
        return await cart_page(visit, 422, problem)
    response = see_other(visit, "/panier")
    save_cart(visit, response)
    return response


async def checkout(visit: Visit, params: Params) -> web.StreamResponse:
    if not visit.cart.lines:
        return see_other(visit, "/panier")
    return await checkout_page(visit, OrderForm())


async def checkout_page(visit: Visit, form: OrderForm, status: int = 200) -> web.Response:
    """The cart's delivery form, fresh or re-rendered with the customer's input."""
    lines = await shelf.cart_lines(visit.shop, visit.cart.lines)
    delivery = await load_delivery(visit.shop)
    subtotal = sum(line.total for line in lines)
    context = form_context(visit.lang, form, delivery, subtotal)
    return render(visit, "checkout.html", status, lines=lines, **context)
