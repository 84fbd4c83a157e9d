"""Webhooks over the API: create (the secret shown once), list by cursor, change, disable
and enable, delete, the delivery log, redelivery and ping; answers match the document."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookEndpoint
from notify.relay import Relay
from notify.webhooks import WebhookChannel
from tests.factories import checkout, make_shop
from tests.notify.webhook_receiver import Receiver, receiving
from tests.webstore.api_support import bearer, serve
from webstore.config import WebConfig

URL = "https://hooks.example.com/hanout"


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


@pytest.fixture
async def lenient(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    """The API of a server whose webhooks may point at loopback (WEBHOOK_ALLOW_PRIVATE)."""
    async with serve(WebConfig(secret_key="test", webhook_allow_private=True)) as client:
        yield client


@pytest.fixture
async def receiver(db: str) -> AsyncIterator[Receiver]:
    async with receiving() as receiver:
        yield receiver


def new_hook(**changes: Any) -> dict[str, Any]:
    return {"url": URL, "events": ["order.created", "order.shipped"]} | changes


async def document_check(client: TestClient[Any, Any], name: str, instance: Any) -> None:
    document = await (await client.get("/v1/openapi.json")).json()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert not errors, [e.message for e in errors]


async def test_a_created_webhook_shows_its_secret_once(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    resp = await client.post(
        "/v1/webhooks",
        json=new_hook(description="ERP", include_personal_data=True),
        headers=auth,
    )
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    await document_check(client, "WebhookCreated", created)
    secret = created.pop("secret")
    assert secret.startswith("whsec_")
    stored = await WebhookEndpoint.get(id=created["id"])
    assert webhooks.secret_of(stored, Sealer("test")) == secret
    assert created["events"] == ["order.created", "order.shipped"]
    assert (created["url"], created["description"], created["include_personal_data"]) == (
        URL,
        "ERP",
        True,
    )
    assert (created["active"], created["dead_in_a_row"], created["disabled_at"]) == (True, 0, None)

    one = await client.get(f"/v1/webhooks/{created['id']}", headers=auth)
    assert await one.json() == created
    listed = await (await client.get("/v1/webhooks", headers=auth)).json()
    assert listed == {"data": [created], "next_cursor": None}
    await document_check(client, "WebhookList", listed)
    assert secret not in str(listed)


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        (new_hook(url="ftp://example.com/x"), "invalid_url", {"url": "invalid_url"}),
        (new_hook(url="http://127.0.0.1:9000/"), "private_address", {"url": "private_address"}),
        (new_hook(url="http://10.0.0.8/x"), "private_address", {"url": "private_address"}),
        (new_hook(url="https://x.dz/" + "a" * 500), "invalid_request", {"url": "too_long"}),
        (new_hook(events=["order.claimed"]), "invalid_request", {"events": "invalid"}),
        (new_hook(events=[]), "invalid_request", {"events": "invalid"}),
        (new_hook(secret="mine"), "invalid_request", {"secret": "unknown_field"}),
        ({"events": ["order.created"]}, "invalid_request", {"url": "required"}),
    ],
)
async def test_bad_webhooks_are_refused_naming_the_field(
    client: TestClient[Any, Any], body: dict[str, Any], code: str, fields: dict[str, str]
) -> None:
    shop = await make_shop()
    resp = await client.post("/v1/webhooks", json=body, headers=bearer(shop.api_key))
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert (error["code"], error["fields"]) == (code, fields)
    assert not await WebhookEndpoint.exists()


async def test_loopback_is_accepted_when_the_server_allows_it(
    lenient: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    resp = await lenient.post(
        "/v1/webhooks", json=new_hook(url="http://127.0.0.1:9000/"), headers=bearer(shop.api_key)
    )
    assert resp.status == 201


async def test_ten_webhooks_per_store(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    for _ in range(webhooks.MAX_ENDPOINTS):
        assert (await client.post("/v1/webhooks", json=new_hook(), headers=auth)).status == 201
    resp = await client.post("/v1/webhooks", json=new_hook(), headers=auth)
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "too_many_webhooks"


async def test_webhooks_page_by_cursor_and_filter_by_activity(
    client: TestClient[Any, Any],
) -> None:
    shop, other = await make_shop(), await make_shop("other")
    auth = bearer(shop.api_key)
    ids = [
        (await (await client.post("/v1/webhooks", json=new_hook(), headers=auth)).json())["id"]
        for _ in range(3)
    ]
    await client.post("/v1/webhooks", json=new_hook(), headers=bearer(other.api_key))
    first = await (await client.get("/v1/webhooks?limit=2", headers=auth)).json()
    assert [w["id"] for w in first["data"]] == ids[:2]
    rest = await (
        await client.get(f"/v1/webhooks?limit=2&cursor={first['next_cursor']}", headers=auth)
    ).json()
    assert ([w["id"] for w in rest["data"]], rest["next_cursor"]) == (ids[2:], None)

    off = await client.patch(f"/v1/webhooks/{ids[1]}", json={"active": False}, headers=auth)
    assert (await off.json())["active"] is False
    inactive = await (await client.get("/v1/webhooks?active=false", headers=auth)).json()
    assert [w["id"] for w in inactive["data"]] == [ids[1]]
    active = await (await client.get("/v1/webhooks?active=true", headers=auth)).json()
    assert [w["id"] for w in active["data"]] == [ids[0], ids[2]]

    bad = await client.get("/v1/webhooks?cursor=bm9wZTox", headers=auth)
    assert (bad.status, (await bad.json())["error"]["code"]) == (400, "invalid_cursor")


async def test_change_disable_enable_and_delete(client: TestClient[Any, Any]) -> None:
    shop, other = await make_shop(), await make_shop("other")
    auth = bearer(shop.api_key)
    hook = await (await client.post("/v1/webhooks", json=new_hook(), headers=auth)).json()
    path = f"/v1/webhooks/{hook['id']}"

    changed = await client.patch(path, json={"events": ["order.returned"]}, headers=auth)
    assert (await changed.json())["events"] == ["order.returned"]
    off = await (await client.patch(path, json={"active": False}, headers=auth)).json()
    assert (off["active"], off["disabled_reason"]) == (False, "disabled by the store")
    assert off["disabled_at"] is not None
    await WebhookEndpoint.filter(id=hook["id"]).update(dead_in_a_row=5)
    on = await (await client.patch(path, json={"active": True}, headers=auth)).json()
    assert (on["active"], on["dead_in_a_row"], on["disabled_at"]) == (True, 0, None)
    await document_check(client, "WebhookOut", on)
    empty = await client.patch(path, json={}, headers=auth)
    assert empty.status == 422

    theirs = await client.delete(path, headers=bearer(other.api_key))
    assert theirs.status == 404
    gone = await client.delete(path, headers=auth)
    assert gone.status == 204
    for resp in (
        await client.get(path, headers=auth),
        await client.delete(path, headers=auth),
        await client.patch(path, json={"active": True}, headers=auth),
        await client.get(f"{path}/deliveries", headers=auth),
        await client.post(f"{path}/ping", headers=auth),
    ):
        assert resp.status == 404
        assert (await resp.json())["error"]["code"] == "not_found"


async def test_the_delivery_log_redelivery_and_ping(
    lenient: TestClient[Any, Any], receiver: Receiver
) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    body = new_hook(url=f"{receiver.url}/status/500", events=["order.created"])
    hook = await (await lenient.post("/v1/webhooks", json=body, headers=auth)).json()
    path = f"/v1/webhooks/{hook['id']}"
    channel = WebhookChannel(Sealer("test"), allow_private=True)
    relay = Relay({"webhook": channel}, "api-test")
    try:
        await place_order(shop.store, checkout(shop.variants[0].id))
        await relay.run_once()  # the receiver answers 500: retrying
        await WebhookEndpoint.filter(id=hook["id"]).update(url=f"{receiver.url}/ok")
        await OutboxMessage.filter(status="pending").update(available_at=webhooks.clock.now())
        await relay.run_once()  # delivered on the second try

        log = await (await lenient.get(f"{path}/deliveries", headers=auth)).json()
        await document_check(lenient, "DeliveryList", log)
        assert [(d["attempt"], d["outcome"], d["status_code"]) for d in log["data"]] == [
            (2, "delivered", 200),
            (1, "retrying", 500),
        ]
        first, second = log["data"]
        assert first["delivery_id"] == second["delivery_id"]
        assert first["event"] == "order.created" and first["order_number"] is not None
        page = await (await lenient.get(f"{path}/deliveries?limit=1", headers=auth)).json()
        assert [d["id"] for d in page["data"]] == [first["id"]]
        after = f"{path}/deliveries?limit=1&cursor={page['next_cursor']}"
        assert [
            d["id"] for d in (await (await lenient.get(after, headers=auth)).json())["data"]
        ] == [second["id"]]
        failed = await (
            await lenient.get(f"{path}/deliveries?outcome=retrying", headers=auth)
        ).json()
        assert [d["id"] for d in failed["data"]] == [second["id"]]

        again = await lenient.post(f"{path}/deliveries/{second['id']}/redeliver", headers=auth)
        assert again.status == 202
        queued = await again.json()
        assert queued == {"delivery_id": second["delivery_id"], "event": "order.created"}
        await document_check(lenient, "Queued", queued)
        ping = await lenient.post(f"{path}/ping", headers=auth)
        assert ping.status == 202
        assert (await ping.json())["event"] == "ping"
        await relay.run_once()
    finally:
        await channel.aclose()
    redelivered, pinged = receiver.at("/ok")[1:]
    assert redelivered.headers["X-Hanout-Delivery"] == second["delivery_id"]
    assert pinged.event == "ping"
    secret_check = webhooks.verify_signature
    stored = await WebhookEndpoint.get(id=hook["id"])
    secret = webhooks.secret_of(stored, Sealer("test"))
    for received in (redelivered, pinged):
        assert secret_check(
            secret,
            received.headers["X-Hanout-Timestamp"],
            received.headers["X-Hanout-Signature"],
            received.body,
            now=time.time(),
        )

    missing = await lenient.post(f"{path}/deliveries/999999/redeliver", headers=auth)
    assert missing.status == 404
    await lenient.patch(path, json={"active": False}, headers=auth)
    refused = await lenient.post(f"{path}/deliveries/{second['id']}/redeliver", headers=auth)
    assert refused.status == 409
    assert (await refused.json())["error"]["code"] == "webhook_disabled"
    bad = await lenient.get(f"{path}/deliveries?outcome=lost", headers=auth)
    assert bad.status == 400


async def test_every_webhook_operation_is_documented(client: TestClient[Any, Any]) -> None:
    document = await (await client.get("/v1/openapi.json")).json()
    paths = document["paths"]
    assert set(paths["/v1/webhooks"]) == {"get", "post"}
    assert set(paths["/v1/webhooks/{webhook_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/v1/webhooks/{webhook_id}/deliveries"]) == {"get"}
    assert "post" in paths["/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"]
    assert "post" in paths["/v1/webhooks/{webhook_id}/ping"]
    create = paths["/v1/webhooks"]["post"]
    assert "X-Hanout-Signature" in create["description"]
    assert set(create["responses"]) >= {"201", "401", "409", "422"}
    secret = document["components"]["schemas"]["WebhookCreated"]["properties"]["secret"]
    assert "<X-Hanout-Timestamp>.<raw body>" in secret["description"]
