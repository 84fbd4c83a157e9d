"""GET /v1/openapi.json: a valid OpenAPI 3.1 document that lists every /v1 route and whose
schemas accept what the API really answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from models.catalog.tables import Variant
from tests.factories import make_shop
from tests.webstore.api_support import bearer, intake_body, place, serve
from webstore.app import create_app
from webstore.config import WebConfig
from webstore.schemas import TransitionRequest


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


async def _document(client: TestClient[Any, Any]) -> dict[str, Any]:
    resp = await client.get("/v1/openapi.json")
    assert resp.status == 200
    return dict(await resp.json())


def _v1_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path) of every route under /v1, sub-applications included."""
    routes: set[tuple[str, str]] = set()
    for resource in app.router.resources():
        for route in resource:
            canonical = route.resource.canonical if route.resource else ""
            if canonical.startswith("/v1"):
                routes.add((route.method, re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", canonical)))
    return routes


async def test_the_document_is_valid_openapi_3_1_without_a_key(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    validate(document)
    assert document["openapi"].startswith("3.1")
    scheme = document["components"]["securitySchemes"]["storeKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


async def test_every_v1_route_is_in_the_document_and_nothing_else(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    routes = _v1_routes(create_app(WebConfig(secret_key="test")))
    assert routes == documented
    assert routes >= {
        ("GET", "/v1/orders"),
        ("GET", "/v1/orders/{number}"),
        ("POST", "/v1/orders/{number}/transitions"),
        ("POST", "/v1/orders/{number}/dispatch"),
        ("GET", "/v1/products"),
        ("POST", "/v1/products"),
        ("GET", "/v1/products/{product_id}"),
        ("PATCH", "/v1/variants/{variant_id}/stock"),
        ("POST", "/v1/stores/{slug}/orders"),
        ("OPTIONS", "/v1/stores/{slug}/orders"),
        ("GET", "/v1/openapi.json"),
        ("POST", "/v1/orders/{number}/calls"),
        ("GET", "/v1/orders/{number}/calls"),
    }


async def test_bodies_come_from_the_validating_models_and_errors_share_one_shape(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]
    transition = document["paths"]["/v1/orders/{number}/transitions"]["post"]
    ref = transition["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[ref.rsplit("/", 1)[1]]["required"] == ["to"]
    assert set(schemas["TransitionRequest"]["properties"]) == set(TransitionRequest.model_fields)
    for code in ("401", "404", "409", "422"):
        assert transition["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    intake = document["paths"]["/v1/stores/{slug}/orders"]["post"]
    assert intake["security"] == []
    assert {p["name"] for p in intake["parameters"]} == {"slug", "Idempotency-Key"}
    assert {"200", "201", "403", "409", "422"} <= set(intake["responses"])
    listing = document["paths"]["/v1/orders"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "status",
        "phone",
        "wilaya",
        "courier",
        "since",
        "until",
        "updated_since",
        "cursor",
        "limit",
    }


def _schema_check(document: dict[str, Any], name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert not errors, [e.message for e in errors]


async def test_real_answers_match_the_documented_schemas(client: TestClient[Any, Any]) -> None:
    document = await _document(client)
    shop = await make_shop()
    auth = bearer(shop.api_key)
    order = await place(shop)
    confirmed = await client.post(
        f"/v1/orders/{order.number}/transitions", json={"to": "confirmed"}, headers=auth
    )
    # The documents checked below must show a confirmed order, with its committed stock.
    assert confirmed.status == 200, await confirmed.text()
    _schema_check(document, "OrderOut", await confirmed.json())
    shown = await (await client.get(f"/v1/orders/{order.number}", headers=auth)).json()
    assert shown["status"] == "confirmed"
    _schema_check(document, "OrderOut", shown)
    _schema_check(
        document, "OrderPage", await (await client.get("/v1/orders", headers=auth)).json()
    )
    _schema_check(
        document, "ProductList", await (await client.get("/v1/products", headers=auth)).json()
    )
    placed = await client.post(
        "/v1/stores/shop/orders",
        json=intake_body(shop.variants[0].id),
        headers={"Idempotency-Key": "doc-1"},
    )
    _schema_check(document, "IntakeResult", await placed.json())
    refused = await client.post(
        f"/v1/orders/{order.number}/transitions", json={"to": "pending"}, headers=auth
    )
    _schema_check(document, "ErrorBody", await refused.json())


def _parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    params = document["paths"][path][method]["parameters"]
    return next(p["schema"] for p in params if p["name"] == name)


async def test_each_list_states_its_cursor_and_the_cursors_it_returns_match(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    shop = await make_shop()
    auth = bearer(shop.api_key)
    for i in range(3):
        await place(shop, i)
    page = await (await client.get("/v1/orders?limit=2", headers=auth)).json()
    orders = _parameter(document, "/v1/orders", "get", "cursor")["pattern"]
    products = _parameter(document, "/v1/products", "get", "cursor")["pattern"]
    assert re.fullmatch(orders, page["next_cursor"])
    assert not re.fullmatch(products, page["next_cursor"])
    # Any cursor in the stated form is taken, one past the last id included.
    for cursor in (page["next_cursor"], "orders.1", "orders.2147483647"):
        assert re.fullmatch(orders, cursor)
        resp = await client.get("/v1/orders", params={"cursor": cursor}, headers=auth)
        assert resp.status == 200, await resp.text()
    for cursor in ("orders.2147483648", "orders.01", "products.1", "b3JkZXJzOjE"):
        assert not re.fullmatch(orders, cursor)
        resp = await client.get("/v1/orders", params={"cursor": cursor}, headers=auth)
        assert (resp.status, (await resp.json())["error"]["code"]) == (400, "invalid_cursor")


async def test_phones_in_the_stated_forms_are_never_refused_for_their_form(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    shop = await make_shop()
    auth = bearer(shop.api_key)
    pattern = _parameter(document, "/v1/customers/{phone}", "get", "phone")["pattern"]
    query = _parameter(document, "/v1/orders", "get", "phone")["pattern"]
    assert pattern == query
    for phone in ("0550123456", "+213 550 12 34 56", "00213-21.23.45.67", "0 9 8 1 2 3 4 5 6 7"):
        assert re.fullmatch(pattern, phone)
        resp = await client.get(f"/v1/customers/{quote(phone)}", headers=auth)
        assert resp.status == 404, await resp.text()  # a valid number nobody used
        listed = await client.get("/v1/orders", params={"phone": phone}, headers=auth)
        assert listed.status == 200, await listed.text()
    for phone in ("055012345", "+33612345678", "0550 12 34 5x"):
        assert not re.fullmatch(pattern, phone)
        resp = await client.get(f"/v1/customers/{quote(phone)}", headers=auth)
        assert resp.status == 422


async def test_an_integer_written_with_a_zero_fraction_is_an_integer_in_every_body(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=10)
    auth = bearer(shop.api_key)
    url = f"/v1/variants/{shop.variants[0].id}/stock"
    moved = await client.patch(url, json={"delta": -3.0}, headers=auth)
    assert moved.status == 200, await moved.text()
    assert (await Variant.get(id=shop.variants[0].id)).stock == 7
    refused = await client.patch(url, json={"delta": 2.5}, headers=auth)
    assert refused.status == 422
    assert (await refused.json())["error"]["fields"] == {"delta": "invalid"}
    assert (await Variant.get(id=shop.variants[0].id)).stock == 7
    order = await place(shop)
    confirmed = await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "confirmed", "expected_version": float(order.version)},
        headers=auth,
    )
    assert confirmed.status == 200, await confirmed.text()
    placed = await client.post(
        "/v1/stores/shop/orders",
        json={**intake_body(shop.variants[1].id, quantity=2.0), "note": ""},
        headers={"Idempotency-Key": "float-1"},
    )
    assert placed.status == 201, await placed.text()


async def test_the_preflight_refuses_a_slug_no_store_can_have(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    preflight = document["paths"]["/v1/stores/{slug}/orders"]["options"]
    assert "404" in preflight["responses"]
    ok = await client.options("/v1/stores/shop/orders")
    assert ok.status == 204 and ok.headers["Access-Control-Allow-Origin"] == "*"
    for slug in ("%C2%84", "Shop", "-shop", "a" * 49):
        resp = await client.options(f"/v1/stores/{slug}/orders")
        assert resp.status == 404, slug
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert (await resp.json())["error"]["code"] == "not_found"


async def test_text_fields_state_that_control_characters_are_refused(
    client: TestClient[Any, Any],
) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]
    note = schemas["TransitionRequest"]["properties"]["note"]["pattern"]
    assert re.fullmatch(note, "Confirmé\n par téléphone\t✓")
    assert not re.fullmatch(note, "bad\x00") and not re.fullmatch(note, "bad\x85")
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "confirmed", "note": "bad\x85"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 422 and (await resp.json())["error"]["fields"] == {"note": "invalid"}
    stock = schemas["StockChange"]
    assert [branch["required"] for branch in stock["oneOf"]] == [["stock"], ["delta"]]
