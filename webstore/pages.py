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
from webstore.visit import (
    MAX_DRAWN_PAGES,
    PRODUCT_PAGES,
    DrawnPage,
    Visit,
    render,
    render_html,
    respond,
)

Params = dict[str, str]


async def home(visit: Visit, params: Params) -> web.StreamResponse:
    items = await shelf.store_items(visit.shop)
    return render(visit, "home.html", items=items)


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
    """The product with its quick-order form, fresh or re-rendered with the customer's input."""
    delivery = await load_delivery(visit.shop)
    fresh = status == 200 and form == OrderForm()
    key = _fresh_page_key(visit, item, delivery) if fresh else None
    cache = visit.request.app[PRODUCT_PAGES]
    drawn = cache.get(key) if key is not None else None
    if key is not None and drawn is not None:
        cache.move_to_end(key)
        return respond(visit, drawn.fill(visit.csrf, visit.cart.count))
    available = [v for v in item.variants if v.stock > 0] or item.variants
    chosen = item.variant(parse_variant_id(form.get("variant_id"))) or available[0]
    quantity = parse_quantity(form.get("quantity")) or 1
    context = form_context(visit.lang, form, delivery, chosen.price * quantity)
    html = render_html(
        visit, "product.html", item=item, chosen=chosen, quantity=quantity, **context
    )
    if key is not None:
        drawn = DrawnPage.split(html, visit.csrf, visit.cart.count)
        if drawn is not None:
            cache[key] = drawn
            if len(cache) > MAX_DRAWN_PAGES:
                cache.popitem(last=False)
    return respond(visit, html, status)


def _fresh_page_key(visit: Visit, item: shelf.Item, delivery: Delivery) -> tuple[object, ...]:
    """Everything a fresh product page shows apart from the visitor's CSRF token and cart
    count: the page is drawn again as soon as any of it changes (a price, a stock, a fee)."""
    product, shop = item.product, visit.shop
    return (
        visit.base,
        visit.lang,
        shop.id,
        shop.name,
        product.id,
        product.slug,
        product.name,
        product.description,
        product.photo,
        tuple((v.id, v.price, v.stock, v.label()) for v in item.variants),
        delivery.signature or tuple(sorted(delivery.fees.items())),
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
