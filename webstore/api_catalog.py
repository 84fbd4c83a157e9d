"""Products and stock over the API: list, create, read, and set or move a variant's stock."""

from __future__ import annotations

from aiohttp import web

from models.catalog import products
from models.catalog.stock import adjust_stock, set_stock
from models.catalog.tables import Product, Variant
from models.orders import listing, queries
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.catalog_schemas import ProductIn, ProductList, ProductOut, StockChange, VariantOut
from webstore.query_schemas import ProductQuery


def variant_out(variant: Variant) -> VariantOut:
    return VariantOut(
        id=variant.id,
        product_id=variant.product_id,  # type: ignore[attr-defined]
        sku=variant.sku,
        options=variant.option_map(),
        label=variant.label(),
        price=variant.price,
        stock=variant.stock,
        active=variant.active,
    )


def product_out(product: Product, variants: list[Variant]) -> ProductOut:
    return ProductOut(
        id=product.id,
        slug=product.slug,
        name=product.name,
        description=product.description,
        price=product.price,
        photo=product.photo,
        active=product.active,
        created_at=product.created_at.isoformat(),
        variants=[variant_out(v) for v in variants],
    )


async def list_products(call: ApiCall) -> web.Response:
    query = call.query_as(ProductQuery)
    where = listing.ProductFilter(active=query.active, name=query.name)
    page, variants = await listing.products_page(
        call.current_store(), where, query.after(), query.limit
    )
    return reply(
        ProductList(
            data=[product_out(p, variants[p.id]) for p in page.rows],
            next_cursor=query.next_cursor(page.next_after),
        )
    )


async def create_product(call: ApiCall) -> web.Response:
    body, store = call.body_as(ProductIn), call.current_store()
    specs = [products.VariantSpec(dict(v.options), v.price, v.stock, v.sku) for v in body.variants]
    product = await products.add_product(store, body.name, body.price, specs, body.description)
    return reply(product_out(*await queries.get_product(store, product.id)), status=201)


async def show_product(call: ApiCall) -> web.Response:
    found = await queries.get_product(call.current_store(), call.path_int("product_id"))
    return reply(product_out(*found))


async def change_stock(call: ApiCall) -> web.Response:
    body, store = call.body_as(StockChange), call.current_store()
    variant_id = call.path_int("variant_id")
    if body.delta is not None:
        await adjust_stock(store, variant_id, body.delta)
    elif body.stock is not None:
        await set_stock(store, variant_id, body.stock)
    return reply(variant_out(await queries.get_variant(store, variant_id)))


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/products",
        list_products,
        "listProducts",
        "Products with their variants and stock",
        "catalogue",
        query=ProductQuery,
        response=ProductList,
        description="Oldest first, hidden products included unless `active` says otherwise; "
        "pages by a cursor like every list.",
    ),
    Endpoint(
        "POST",
        "/v1/products",
        create_product,
        "createProduct",
        "Add a product",
        "catalogue",
        body=ProductIn,
        response=ProductOut,
        status=201,
        errors=(409, 422),
        codes={409: ("conflict",), 422: ("invalid_input",)},
        description="422 `invalid_input` when a SKU already exists in the store.",
    ),
    Endpoint(
        "GET",
        "/v1/products/{product_id}",
        show_product,
        "getProduct",
        "One product",
        "catalogue",
        int_params=("product_id",),
        response=ProductOut,
        errors=(404,),
    ),
    Endpoint(
        "PATCH",
        "/v1/variants/{variant_id}/stock",
        change_stock,
        "changeStock",
        "Set (`stock`) or move (`delta`) a variant's stock",
        "catalogue",
        int_params=("variant_id",),
        body=StockChange,
        response=VariantOut,
        errors=(404, 422),
        codes={422: ("invalid_input",)},
        description="A `delta` that would take stock below zero is refused with 422 "
        "`invalid_input` and changes nothing.",
    ),
)
