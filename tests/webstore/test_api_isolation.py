"""A store's key never reads or changes another store's orders, customers, products,
webhooks or exports.

The test walks the endpoint descriptors (webstore.api.ENDPOINTS), so an endpoint added
later is covered or fails here: every keyed operation is called with store B's key on
store A's ids. An operation on one of A's resources answers 404 like a missing one (a
valid body is sent, so a 409 or 422 would betray that the resource exists); the few that
act on B's own books for any id (blacklisting a phone) may answer otherwise but never with
A's data; lists and exports hold none of A's data. At the end A's rows are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.calls.outcomes import log_call
from models.calls.tables import CallAttempt
from models.catalog.tables import Product, Variant
from models.customers import registry
from models.customers.tables import Customer
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from tests.factories import Shop, checkout, make_shop
from tests.webstore.api_support import bearer, intake_body, serve
from webstore.api import ENDPOINTS
from webstore.api_endpoint import Endpoint
from webstore.config import WebConfig

ALPHA_NAME = "Zoubida Alphaoui"
ALPHA_PRODUCT = "Burnous Alpha"
ALPHA_URL = "https://alpha-hooks.example.com/orders"
ALPHA_NOTE = "alpha-private-note"
ALPHA_PHONE = "0771 23 45 67"
MARKERS = (ALPHA_NAME, ALPHA_PRODUCT, ALPHA_URL, ALPHA_NOTE, "Alphaoui", "alpha-hooks")

# A valid body per operation that has one: a refusal must come from the lookup, not the body.
BODIES: dict[str, dict[str, Any]] = {
    "transitionOrder": {"to": "cancelled", "note": "beta was here"},
    "logCall": {"outcome": "fake", "note": "beta was here"},
    "dispatchOrder": {"courier": "manual", "tracking": "BETA-12345"},
    "editOrder": {"version": 1, "name": "Beta was here"},
    "createProduct": {"name": "Beta product", "price": 100},
    "changeStock": {"stock": 0},
    "createWebhook": {"url": "https://beta-hooks.example.com/x", "events": ["order.created"]},
    "changeWebhook": {"active": False},
    "blacklistCustomer": {"reason": "beta says so"},
}
# Operations that act on the key's own store for any id they are given.
OWN_BOOKS = {"blacklistCustomer", "unblacklistCustomer"}


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", webhook_allow_private=False)) as client:
        yield client


async def _alpha_resources(client: TestClient[Any, Any], alpha: Shop) -> dict[str, Any]:
    """Store A with every kind of resource; the ids B will try, by path parameter name."""
    from models.orders.intake import place_order

    auth = bearer(alpha.api_key)
    for quantity in (1, 2, 3):  # other lines: not duplicates of one another
        request = checkout(
            alpha.variants[0].id, quantity, name=ALPHA_NAME, phone=ALPHA_PHONE, note=ALPHA_NOTE
        )
        await place_order(alpha.store, request)
    last = await Order.filter(store_id=alpha.store.id).order_by("-number").first()
    assert last is not None and last.number == 1003
    await log_call(alpha.store, last.number, "no_answer", Actor("api", "alpha", "API"))
    made = await client.post(
        "/v1/products", json={"name": ALPHA_PRODUCT, "price": 900}, headers=auth
    )
    assert made.status == 201, await made.text()
    product = await made.json()
    hook = await client.post(
        "/v1/webhooks", json={"url": ALPHA_URL, "events": ["order.created"]}, headers=auth
    )
    assert hook.status == 201, await hook.text()
    webhook_id = (await hook.json())["id"]
    attempt = await WebhookAttempt.create(
        endpoint_id=webhook_id, delivery_id="dlv_alpha", event="order.created", outcome="dead"
    )
    await registry.blacklist_phone(alpha.store, ALPHA_PHONE, ALPHA_NOTE, "Alpha owner")
    return {
        "number": last.number,
        "product_id": product["id"],
        "variant_id": product["variants"][0]["id"],
        "webhook_id": webhook_id,
        "delivery_id": attempt.id,
        "phone": "+213771234567",
    }


async def _snapshot(store_id: int) -> dict[str, Any]:
    """Everything of store A an API call could change."""
    return {
        "orders": await Order.filter(store_id=store_id)
        .order_by("id")
        .values_list("number", "status", "version", "call_attempts", "courier", "tracking"),
        "calls": await CallAttempt.filter(order__store_id=store_id).count(),
        "products": await Product.filter(store_id=store_id)
        .order_by("id")
        .values_list("id", "name", "active", "price"),
        "variants": await Variant.filter(store_id=store_id)
        .order_by("id")
        .values_list("id", "stock", "active"),
        "customers": await Customer.filter(store_id=store_id)
        .order_by("id")
        .values_list("phone", "blacklisted", "blacklist_reason"),
        "webhooks": await WebhookEndpoint.filter(store_id=store_id)
        .order_by("id")
        .values_list("id", "url", "events", "active", "deleted_at"),
        "deliveries": await WebhookAttempt.filter(endpoint__store_id=store_id).count(),
        "outbox": await OutboxMessage.filter(store_id=store_id).count(),
    }


def _url(endpoint: Endpoint, ids: dict[str, Any]) -> str:
    missing = [p for p in endpoint.path_params() if p not in ids]
    assert not missing, (
        f"{endpoint.operation_id}: give store A's value for {missing} in _alpha_resources"
    )
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m[1]]), endpoint.path)


async def test_store_b_never_sees_or_changes_store_a(client: TestClient[Any, Any]) -> None:
    alpha, beta = await make_shop("alpha"), await make_shop("beta")
    ids = await _alpha_resources(client, alpha)
    # B has an order of its own (number 1001, like A's first): A's 1003 is not B's.
    body = intake_body(beta.variants[0].id)
    body["customer"]["name"] = "Bachir Beta"
    placed = await client.post(
        f"/v1/stores/{beta.store.slug}/orders", json=body, headers={"Idempotency-Key": "beta-1"}
    )
    assert placed.status == 201 and (await placed.json())["number"] == 1001
    before = await _snapshot(alpha.store.id)
    keyed = [e for e in ENDPOINTS if e.auth == "key"]
    assert {e.operation_id for e in keyed} >= {"listOrders", "logCall", "listCalls"}
    called: list[str] = []
    for endpoint in keyed:
        if endpoint.body is not None:
            assert endpoint.operation_id in BODIES, f"give a valid body for {endpoint.operation_id}"
        resp = await client.request(
            endpoint.method,
            _url(endpoint, ids),
            json=BODIES.get(endpoint.operation_id),
            headers=bearer(beta.api_key),
        )
        text = (await resp.read()).decode("utf-8", "replace")
        where = f"{endpoint.method} {endpoint.path} answered {resp.status}: {text[:300]}"
        assert resp.status < 500, where
        assert not [m for m in MARKERS if m in text], where
        if endpoint.path_params() and endpoint.operation_id not in OWN_BOOKS:
            assert resp.status == 404, where
            assert (await resp.json())["error"]["code"] == "not_found", where
        elif not endpoint.path_params():
            assert 200 <= resp.status < 300, where
        called.append(endpoint.operation_id)
    assert called == [e.operation_id for e in keyed]
    assert await _snapshot(alpha.store.id) == before
    # A's own key still reaches all of it: the ids above were real.
    auth = bearer(alpha.api_key)
    for path in (
        f"/v1/orders/{ids['number']}",
        f"/v1/products/{ids['product_id']}",
        f"/v1/orders/{ids['number']}/calls",
    ):
        assert (await client.get(path, headers=auth)).status == 200, path


async def test_lists_hold_the_keys_store_alone(client: TestClient[Any, Any]) -> None:
    alpha, beta = await make_shop("alpha"), await make_shop("beta")
    await _alpha_resources(client, alpha)
    auth = bearer(beta.api_key)
    lists = [e for e in ENDPOINTS if e.auth == "key" and e.method == "GET" and not e.path_params()]
    assert {e.path for e in lists} >= {"/v1/orders", "/v1/products"}
    for endpoint in lists:
        resp = await client.get(endpoint.path, headers=auth)
        assert resp.status == 200, endpoint.path
        if resp.content_type == "application/json":
            body = await resp.json()
            if "data" in body:
                names = [item.get("name") for item in body["data"]]
                assert ALPHA_PRODUCT not in names and ALPHA_NAME not in str(body["data"])
