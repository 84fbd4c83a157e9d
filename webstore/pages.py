"""Pages a customer reads: the store's home, a product with its quick-order form, the
thank-you page, and the commune list the form's script asks for."""

from __future__ import annotations

from aiohttp import web

from models.customers.phones import national_display
from models.orders.intake import Placement
from models.orders.tables import Order
from models.shipping import geography
from webstore import shelf
from webstore.cart import parse_quantity, parse_variant_id
from webstore.order_form import Delivery, OrderForm, form_context, load_delivery
from webstore.security import order_token, order_token_valid
from webstore.visit import Visit, drawn, render, render_html, respond

Params = dict[str, str]


async def home(visit: Visit, params: Params) -> web.StreamResponse:
    """Drawn once for every visitor while the store and its catalogue stay the same."""
    items = await shelf.store_items(visit.shop)
    return drawn(
        visit,
        ("home", visit.shop.id),
        (visit.shop, items),
        lambda shared: render_html(shared, "home.html", items=items),
    )


async def find_item(visit: Visit, slug: str) -> shelf.Item:
    item = await shelf.store_item(visit.shop, slug)
    if item is None:
        raise web.HTTPNotFound()
    return item


async def product(visit: Visit, params: Params) -> web.StreamResponse:
    item = await find_item(visit, params["product"])
    return await product_page(visit, item, OrderForm())


async def product_page(
    visit: Visit, item: shelf.Item, form: OrderForm, status: int = 200
) -> web.Response:
    """The product with its quick-order form: fresh, drawn once for every visitor while the
    store, the product and the fees stay the same; or re-rendered with the customer's input."""
    delivery = await load_delivery(visit.shop)
    if status == 200 and form == OrderForm():
        return drawn(
            visit,
            ("product", visit.shop.id, item.product.slug),
            (visit.shop, item, delivery),
            lambda shared: _product_html(shared, item, form, delivery),
        )
    return respond(visit, _product_html(visit, item, form, delivery), status)


def _product_html(visit: Visit, item: shelf.Item, form: OrderForm, delivery: Delivery) -> str:
    available = [v for v in item.variants if v.stock > 0] or item.variants
    chosen = item.variant(parse_variant_id(form.get("variant_id"))) or available[0]
    quantity = parse_quantity(form.get("quantity")) or 1
    context = form_context(visit.lang, form, delivery, chosen.price * quantity)
    return render_html(
        visit, "product.html", item=item, chosen=chosen, quantity=quantity, **context
    )


def thanks_path(order: Order | Placement, secret: str, duplicate: bool = False) -> str:
    token = order_token(secret, order.store_id, order.number)
    return f"/merci/{order.number}/{token}" + ("?dup=1" if duplicate else "")


async def thanks(visit: Visit, params: Params) -> web.StreamResponse:
    number = int(params["number"])
    if not order_token_valid(visit.config.secret_key, visit.shop.id, number, params["token"]):
        raise web.HTTPNotFound()
    order = await Order.get_or_none(store_id=visit.shop.id, number=number)
    if order is None:
        raise web.HTTPNotFound()
    wilaya = geography.get_wilaya(order.wilaya_code)
    commune = geography.get_commune(order.commune_code)
    return render(
        visit,
        "thanks.html",
        order=order,
        lines=await order.lines.all().order_by("id"),
        phone=national_display(order.phone),
        wilaya=wilaya.label(visit.lang) if wilaya else "",
        commune=commune.label(visit.lang) if commune else order.commune_name,
        duplicate=visit.request.query.get("dup") == "1",
    )


async def communes(visit: Visit, params: Params) -> web.StreamResponse:
    """`[{"code": "1601", "name": "Alger Centre"}, …]` for the commune select."""
    wilaya = geography.get_wilaya(int(params["wilaya"]))
    if wilaya is None:
        raise web.HTTPNotFound()
    rows = [
        {"code": c.ons_code, "name": c.label(visit.lang)}
        for c in geography.communes_of(wilaya.code)
    ]
    # The same for every visitor and it changes only with a release: let phones cache it.
    return web.json_response(rows, headers={"Cache-Control": "public, max-age=86400"})
