"""Products and stock over the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.catalog.products import set_product_active
from models.catalog.tables import Product, Variant
from tests.factories import make_shop
from tests.webstore.api_support import bearer, serve


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


NEW_PRODUCT = {
    "name": "Djellaba brodée",
    "price": 6500,
    "description": "Lin, brodée main",
    "variants": [
        {"options": {"Taille": "S", "Couleur": "Blanc"}, "stock": 4, "sku": "DJ-S-W"},
        {"options": {"Taille": "XL", "Couleur": "Blanc"}, "price": 7000, "stock": 1},
    ],
}


async def test_a_created_product_is_listed_and_readable_with_its_stock(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    resp = await client.post("/v1/products", json=NEW_PRODUCT, headers=auth)
    assert resp.status == 201
    created = await resp.json()
    assert (created["name"], created["price"], created["slug"]) == (
        "Djellaba brodée",
        6500,
        "djellaba-brodee",
    )
    assert [(v["sku"], v["price"], v["stock"], v["label"]) for v in created["variants"]] == [
        ("DJ-S-W", 6500, 4, "Taille: S / Couleur: Blanc"),
        ("djellaba-brodee-2", 7000, 1, "Taille: XL / Couleur: Blanc"),
    ]
    listed = await (await client.get("/v1/products", headers=auth)).json()
    assert [p["name"] for p in listed["data"]] == ["Robe kabyle", "Djellaba brodée"]
    assert [v["stock"] for v in listed["data"][0]["variants"]] == [10, 10]
    one = await client.get(f"/v1/products/{created['id']}", headers=auth)
    assert await one.json() == created


async def test_products_page_by_cursor_and_filter_by_name_and_activity(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    for name in ("Savon d'Alep", "Huile d'argan", "Savon noir"):
        resp = await client.post("/v1/products", json={"name": name, "price": 300}, headers=auth)
        assert resp.status == 201
    hidden = await Product.get(store_id=shop.store.id, name="Huile d'argan")
    await set_product_active(shop.store, hidden.id, False)
    names: list[str] = []
    cursor: str | None = None
    for _ in range(2):
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await (await client.get("/v1/products", params=params, headers=auth)).json()
        names += [p["name"] for p in page["data"]]
        cursor = page["next_cursor"]
    assert names == ["Robe kabyle", "Savon d'Alep", "Huile d'argan", "Savon noir"]
    assert cursor is None

    async def named(**params: str) -> list[str]:
        resp = await client.get("/v1/products", params=params, headers=auth)
        assert resp.status == 200, await resp.text()
        return [p["name"] for p in (await resp.json())["data"]]

    assert await named(name="savon") == ["Savon d'Alep", "Savon noir"]
    assert await named(active="false") == ["Huile d'argan"]
    assert await named(active="true", name="SAVON N") == ["Savon noir"]
    resp = await client.get("/v1/products", params={"cursor": "Robe"}, headers=auth)
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_cursor"


async def test_a_product_without_variants_gets_one_plain_variant(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    resp = await client.post(
        "/v1/products", json={"name": "Savon", "price": 300}, headers=bearer(shop.api_key)
    )
    assert resp.status == 201
    variants = (await resp.json())["variants"]
    assert [(v["options"], v["price"], v["stock"]) for v in variants] == [({}, 300, 0)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": 100}, "name"),
        ({"name": "", "price": 100}, "name"),
        ({"name": "x" * 161, "price": 100}, "name"),
        ({"name": "Savon", "price": -1}, "price"),
        ({"name": "Savon", "price": "300"}, "price"),
        ({"name": "Savon", "price": 10.5}, "price"),
        ({"name": "Savon", "price": 100, "variants": [{"stock": -2}]}, "variants.stock"),
        (
            {"name": "Savon", "price": 100, "variants": [{"options": {"Taille": ""}}]},
            "variants.options.Taille",
        ),
        ({"name": "Savon", "price": 100, "colour": "red"}, "colour"),
        ({"name": "Sa\x00von", "price": 100}, "name"),
    ],
)
async def test_bad_product_input_is_a_422_and_creates_nothing(
    client: TestClient[Any, Any], body: dict[str, Any], field: str
) -> None:
    shop = await make_shop()
    resp = await client.post("/v1/products", json=body, headers=bearer(shop.api_key))
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_request" and field in error["fields"], error
    assert await Product.filter(store_id=shop.store.id).count() == 1


async def test_a_duplicate_sku_is_refused_and_creates_nothing(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    body = {"name": "Savon", "price": 300, "variants": [{"sku": shop.variants[0].sku}]}
    resp = await client.post("/v1/products", json=body, headers=bearer(shop.api_key))
    assert resp.status == 422
    assert (await resp.json())["error"]["code"] == "invalid_input"
    assert await Product.filter(store_id=shop.store.id).count() == 1


async def test_stock_is_set_or_moved_and_never_below_zero(client: TestClient[Any, Any]) -> None:
    shop = await make_shop(stock=10)
    url, auth = f"/v1/variants/{shop.variants[0].id}/stock", bearer(shop.api_key)
    resp = await client.patch(url, json={"stock": 3}, headers=auth)
    assert resp.status == 200 and (await resp.json())["stock"] == 3
    resp = await client.patch(url, json={"delta": 5}, headers=auth)
    assert (await resp.json())["stock"] == 8
    resp = await client.patch(url, json={"delta": -9}, headers=auth)
    assert resp.status == 422
    assert (await resp.json())["error"]["code"] == "invalid_input"
    assert (await Variant.get(id=shop.variants[0].id)).stock == 8


@pytest.mark.parametrize(
    "body", [{}, {"stock": 1, "delta": 1}, {"stock": -1}, {"delta": "3"}, {"stock": 10**7}]
)
async def test_a_bad_stock_body_is_a_422(
    client: TestClient[Any, Any], body: dict[str, Any]
) -> None:
    shop = await make_shop(stock=10)
    resp = await client.patch(
        f"/v1/variants/{shop.variants[0].id}/stock", json=body, headers=bearer(shop.api_key)
    )
    assert resp.status == 422
    assert (await Variant.get(id=shop.variants[0].id)).stock == 10


async def test_another_stores_products_and_variants_are_not_found(
    client: TestClient[Any, Any],
) -> None:
    mine, theirs = await make_shop("mine"), await make_shop("theirs")
    auth = bearer(mine.api_key)
    product_id = theirs.variants[0].product_id  # type: ignore[attr-defined]
    assert (await client.get(f"/v1/products/{product_id}", headers=auth)).status == 404
    resp = await client.patch(
        f"/v1/variants/{theirs.variants[0].id}/stock", json={"stock": 0}, headers=auth
    )
    assert resp.status == 404
    resp = await client.patch(
        f"/v1/variants/{theirs.variants[0].id}/stock", json={"delta": -1}, headers=auth
    )
    assert resp.status == 404
    assert (await Variant.get(id=theirs.variants[0].id)).stock == 10
    listed = await (await client.get("/v1/products", headers=auth)).json()
    assert {v["id"] for p in listed["data"] for v in p["variants"]} == {v.id for v in mine.variants}
