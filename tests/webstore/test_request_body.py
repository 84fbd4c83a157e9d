"""Bodies that their Content-Encoding does not let us read: never a 500, a dropped
connection or a plain-text answer. The API answers 400 `unreadable_body`, 415 for a coding
we do not decode (`br`, an unknown one) and 413 past the size limit once decoded, in its
JSON error shape; the storefront's order forms answer their page with a message; nothing
is written and nothing reaches the log as a traceback. Honest gzip and deflate work."""

from __future__ import annotations

import gzip
import json
import logging
import urllib.parse
import zlib

import pytest

from models.catalog.tables import Product
from models.orders.tables import IdempotencyKey, Order, OrderEvent
from tests.factories import Shop, make_shop
from tests.webstore.api_support import bearer, intake_body, serve
from tests.webstore.test_storefront import (
    PRODUCT,
    Client,
    client,
    csrf_of,
    order_fields,
    plain,
    shop,
)
from webstore import request_body

__all__ = ["client", "shop"]  # fixtures

FORM = "application/x-www-form-urlencoded"
MALFORMED_FR = "Le formulaire n'a pas pu être lu. Veuillez le remplir à nouveau."
NOT_GZIP = b"certainly not gzip"
BOMB = gzip.compress(b"{" + b" " * (2 * 1024 * 1024) + b"}")  # 2 MB of JSON in a few KB

# (Content-Encoding, body, status, API error code)
REFUSED = [
    ("gzip", NOT_GZIP, 400, "unreadable_body"),
    ("x-gzip", NOT_GZIP, 400, "unreadable_body"),
    ("deflate", NOT_GZIP, 400, "unreadable_body"),
    ("gzip", gzip.compress(b'{"a": 1}')[:-6], 400, "unreadable_body"),  # cut short
    ("gzip", gzip.compress(b"{}") + b"trailing", 400, "unreadable_body"),
    ("br", b"\x0b\x02\x80{}\x03", 415, "unsupported_media_type"),
    ("zstd", b"(\xb5/\xfd", 415, "unsupported_media_type"),
    ("made-up", b"{}", 415, "unsupported_media_type"),
    ("gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(b"{}"))), 415,
     "unsupported_media_type"),
    ("gzip", BOMB, 413, "payload_too_large"),
]  # fmt: skip
IDS = [f"{enc}-{status}-{n}" for n, (enc, _, status, _) in enumerate(REFUSED)]


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def encoded(coding: str, body: bytes) -> bytes:
    return gzip.compress(body) if coding == "gzip" else zlib.compress(body)


# --- the decoding itself ------------------------------------------------------------------


def test_gzip_deflate_raw_deflate_and_stacked_codings_decode() -> None:
    body, limit = b'{"name": "Robe"}', 1000
    raw_deflate = zlib.compressobj(wbits=-15)
    raw = raw_deflate.compress(body) + raw_deflate.flush()
    assert request_body.decode(gzip.compress(body), "gzip", limit) == body
    assert request_body.decode(gzip.compress(body), "X-GZIP", limit) == body
    assert request_body.decode(zlib.compress(body), "deflate", limit) == body
    assert request_body.decode(raw, "deflate", limit) == body
    assert request_body.decode(gzip.compress(zlib.compress(body)), "deflate, gzip", limit) == body
    assert request_body.decode(body, "identity", limit) == body
    assert request_body.codings_of(" identity ") == []


# --- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize(("coding", "body", "status", "code"), REFUSED, ids=IDS)
async def test_the_intake_refuses_an_unreadable_body_in_its_json_shape(
    db: str, caplog: pytest.LogCaptureFixture, coding: str, body: bytes, status: int, code: str
) -> None:
    await make_shop()
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": coding,
        "Idempotency-Key": "k-1",
    }
    async with serve() as client:
        resp = await client.post("/v1/stores/shop/orders", data=body, headers=headers)
        answer = await resp.json()
    assert resp.status == status
    assert set(answer["error"]) == {"code", "message"} and answer["error"]["code"] == code
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    if status == 415:  # which codings would do (RFC 7694)
        assert resp.headers["Accept-Encoding"] == "gzip, x-gzip, deflate"
    assert await Order.all().count() == 0 and await IdempotencyKey.all().count() == 0
    no_traceback(caplog)


@pytest.mark.parametrize(("coding", "body", "status", "code"), REFUSED, ids=IDS)
async def test_product_creation_refuses_an_unreadable_body_in_its_json_shape(
    db: str, caplog: pytest.LogCaptureFixture, coding: str, body: bytes, status: int, code: str
) -> None:
    shop = await make_shop()
    headers = {
        **bearer(shop.api_key),
        "Content-Type": "application/json",
        "Content-Encoding": coding,
    }
    before = await Product.all().count()
    async with serve() as client:
        resp = await client.post("/v1/products", data=body, headers=headers)
        assert resp.status == status
        assert (await resp.json())["error"]["code"] == code
    assert await Product.all().count() == before
    no_traceback(caplog)


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_an_honestly_compressed_body_is_taken(db: str, coding: str) -> None:
    shop = await make_shop()
    order = json.dumps(intake_body(shop.variants[0].id)).encode()
    product = json.dumps({"name": "Savon noir", "price": 300}).encode()
    json_type = {"Content-Type": "application/json", "Content-Encoding": coding}
    async with serve() as client:
        placed = await client.post(
            "/v1/stores/shop/orders",
            data=encoded(coding, order),
            headers={**json_type, "Idempotency-Key": f"k-{coding}"},
        )
        made = await client.post(
            "/v1/products",
            data=encoded(coding, product),
            headers={**json_type, **bearer(shop.api_key)},
        )
        assert placed.status == 201 and (await placed.json())["number"] == 1001
        assert made.status == 201 and (await made.json())["name"] == "Savon noir"


async def test_a_body_less_call_is_not_concerned_by_a_coding(db: str) -> None:
    shop = await make_shop()
    headers = {**bearer(shop.api_key), "Content-Encoding": "made-up"}
    async with serve() as client:
        resp = await client.get("/v1/products", data=b"ignored", headers=headers)
    assert resp.status == 200


# --- the storefront's order forms ---------------------------------------------------------


@pytest.mark.parametrize("path", [PRODUCT, "/shop/commande"])
@pytest.mark.parametrize(("coding", "body", "status", "code"), REFUSED, ids=IDS)
async def test_the_order_forms_answer_their_page_with_a_message(
    client: Client,
    shop: Shop,
    caplog: pytest.LogCaptureFixture,
    path: str,
    coding: str,
    body: bytes,
    status: int,
    code: str,
) -> None:
    await csrf_of(client)  # a visitor with a cookie and a form
    headers = {"Content-Type": FORM, "Content-Encoding": coding}
    response = await client.post(path, data=body, headers=headers, allow_redirects=False)
    html = await response.text()
    assert response.status == status
    assert MALFORMED_FR in plain(html) and 'name="csrf_token"' in html
    assert ("Accept-Encoding" in response.headers) == (status == 415)
    assert response.headers["Content-Type"].startswith("text/html")
    assert await Order.all().count() == 0 and await OrderEvent.all().count() == 0
    no_traceback(caplog)


async def test_a_gzipped_order_form_places_the_order(client: Client, shop: Shop) -> None:
    token = await csrf_of(client)
    form = urllib.parse.urlencode(order_fields(shop, token)).encode()
    response = await client.post(
        PRODUCT,
        data=gzip.compress(form),
        headers={"Content-Type": FORM, "Content-Encoding": "gzip"},
        allow_redirects=False,
    )
    assert response.status == 303 and "/shop/merci/1001/" in response.headers["Location"]
    assert await Order.all().count() == 1
