"""The API's HTTP surface: keys, JSON errors everywhere, and bodies that are not what they
should be (none of which may ever be a 500)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.orders.tables import Order
from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer hk_nothere_secret"},
        {"Authorization": "Bearer " + "x" * 500},
    ],
)
async def test_no_or_a_wrong_key_is_a_401(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    await make_shop()
    resp = await client.get("/v1/orders", headers=headers)
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_key_with_the_right_prefix_but_a_wrong_secret_is_a_401(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    forged = shop.api_key[:-4] + ("AAAA" if not shop.api_key.endswith("AAAA") else "BBBB")
    resp = await client.get("/v1/orders", headers=bearer(forged))
    assert resp.status == 401


async def test_malformed_json_is_a_400(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    order = await place(shop)
    url, auth = f"/v1/orders/{order.number}/transitions", bearer(shop.api_key)
    for raw in (b'{"to": "confirmed"', b"", b"\xff\xfe", b'["confirmed"]', b"null"):
        resp = await client.post(
            url, data=raw, headers={**auth, "Content-Type": "application/json"}
        )
        assert resp.status == 400, raw
        assert (await resp.json())["error"]["code"] == "invalid_json"
    assert (await Order.get(id=order.id)).status == "pending"


async def test_a_body_that_is_not_json_is_a_415(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions",
        data={"to": "confirmed"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 415
    assert "application/json" in (await resp.json())["error"]["message"]


async def test_a_huge_body_is_a_413(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    resp = await client.post(
        "/v1/products",
        data=b'{"name": "' + b"x" * 400_000 + b'"}',
        headers={**bearer(shop.api_key), "Content-Type": "application/json"},
    )
    assert resp.status == 413
    assert (await resp.json())["error"]["code"] == "payload_too_large"


async def test_unknown_paths_and_methods_answer_json(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    for path in (
        "/v1/nothing",
        "/v1",
        "/v1/orders/abc",
        "/v1/orders/99999999999",
        "/v1/shop/orders",
    ):
        resp = await client.get(path, headers=auth)
        assert resp.status == 404, path
        assert (await resp.json())["error"]["code"] == "not_found"
    resp = await client.delete("/v1/orders", headers=auth)
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"
    assert resp.headers["Allow"] == "GET"


async def test_huge_numbers_in_paths_are_not_found(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    for path in ("/v1/orders/9999999999", "/v1/products/4294967296"):
        resp = await client.get(path, headers=auth)
        assert resp.status == 404, path


async def test_a_key_with_bytes_that_are_not_utf8_is_a_401(client: TestClient[Any, Any]) -> None:
    await make_shop()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"GET /v1/orders HTTP/1.1\r\nHost: localhost\r\n"
        b"Authorization: Bearer hk_\xff\xfe_secret\r\nConnection: close\r\n\r\n"
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"401"
