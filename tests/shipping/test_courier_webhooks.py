"""Courier webhooks on the real web app: Yalidine's CRC check and HMAC signature, ZR
Express's Svix signature, Maystro's secret token — good ones move the parcel through the
same path as the sync, bad ones are refused with nothing applied."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from models.orders.lifecycle import OrderStatus
from models.orders.tables import OrderEvent
from models.orders.transitions import get_order
from models.shipping.parcels import dispatch_refusal
from models.shipping.tables import Shipment
from shipping import courier_webhooks
from tests.factories import make_shop
from tests.shipping.support import account, sealer, shipped_by_hand
from webstore.app import create_app
from webstore.config import WebConfig

YALIDINE_SECRET = "yal-webhook-secret-1"
ZR_SECRET = "whsec_" + base64.b64encode(b"zr-webhook-signing-key-32-bytes!").decode()
MAYSTRO_TOKEN = "mst-token-0123456789"


@pytest.fixture
async def client() -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(WebConfig(secret_key="web-secret"))
    courier_webhooks.add_routes(app, sealer())
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def yalidine_body(tracking: str, *events: tuple[str, str]) -> bytes:
    rows = [
        {"event_id": f"ev-{n}", "occurred_at": at,
         "data": {"tracking": tracking, "status": status, "reason": ""}}
        for n, (status, at) in enumerate(events)
    ]  # fmt: skip
    return json.dumps({"type": "parcel_status_updated", "events": rows}).encode()


def yalidine_signature(body: bytes, secret: str = YALIDINE_SECRET) -> dict[str, str]:
    return {"X-YALIDINE-SIGNATURE": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


async def test_yalidine_subscription_check_echoes_the_token(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", "", {"api_id": "1", "webhook_secret": "s"})
    url = f"/couriers/yalidine/{acc.id}/webhook"
    answer = await client.get(url, params={"subscribe": "parcel_status_updated", "crc_token": "X7"})
    assert answer.status == 200 and await answer.json() == {"crc_token": "X7"}
    assert (await client.get(f"/couriers/yalidine/{acc.id + 1}/webhook?crc_token=X")).status == 404
    assert (await client.get(f"/couriers/maystro/{acc.id}/webhook?crc_token=X")).status == 404


async def test_yalidine_signed_events_apply_in_the_order_they_happened(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", "", {"webhook_secret": YALIDINE_SECRET})
    order = await shipped_by_hand(shop, acc, "yal-000042", "0550 12 34 56")
    body = yalidine_body(
        "yal-000042",
        ("Livré", "2026-11-26 10:05:00"),
        ("Sorti en livraison", "2026-11-26 09:00:00"),
    )
    answer = await client.post(
        f"/couriers/yalidine/{acc.id}/webhook", data=body, headers=yalidine_signature(body)
    )
    assert answer.status == 200 and (await answer.json())["changed"] == 2
    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED
    assert (await Shipment.get(order_id=order.id)).raw_status == "Livré"

    # the courier resends an older event: news of the past, nothing changes
    late = yalidine_body("yal-000042", ("Sorti en livraison", "2026-11-26 09:00:00"))
    answer = await client.post(
        f"/couriers/yalidine/{acc.id}/webhook", data=late, headers=yalidine_signature(late)
    )
    assert (await answer.json())["changed"] == 0
    assert (await Shipment.get(order_id=order.id)).raw_status == "Livré"


async def test_yalidine_parcel_deleted_puts_the_order_back_to_dispatch(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", "", {"webhook_secret": YALIDINE_SECRET})
    order = await shipped_by_hand(shop, acc, "yal-000077", "0550 12 34 56")
    rows = [{"event_id": "ev-9", "occurred_at": "2026-11-26 10:05:00",
             "data": {"tracking": "yal-000077", "order_id": "HN1-1"}}]  # fmt: skip
    body = json.dumps({"type": "parcel_deleted", "events": rows}).encode()
    url = f"/couriers/yalidine/{acc.id}/webhook"

    answer = await client.post(url, data=body, headers=yalidine_signature(body))
    assert answer.status == 200 and (await answer.json())["changed"] == 1
    order = await get_order(shop.store, order.number)
    assert order.status is OrderStatus.PROCESSING and (order.courier, order.tracking) == ("", "")
    assert not await Shipment.filter(order_id=order.id).exists()  # dispatchable again
    assert (await dispatch_refusal(order)) is not None  # the card says why
    moved = await OrderEvent.filter(order_id=order.id, to_status="processing").order_by("-id")
    assert moved[0].actor_kind == "courier" and "yal-000077" in moved[0].note
    assert "deleted at yalidine" in (await dispatch_refusal(order)).note  # type: ignore[union-attr]
    assert order.stock_committed

    # the courier sends it again: nothing left to undo
    answer = await client.post(url, data=body, headers=yalidine_signature(body))
    assert answer.status == 200 and (await answer.json())["changed"] == 0
    assert (await get_order(shop.store, order.number)).status is OrderStatus.PROCESSING


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-YALIDINE-SIGNATURE": "00" * 32},
        {"X-YALIDINE-SIGNATURE": "sha256=deadbeef"},
        "wrong-secret",
    ],
)
async def test_yalidine_bad_signatures_are_refused_and_nothing_applies(
    db: str, client: TestClient[Any, Any], headers: Any
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", "", {"webhook_secret": YALIDINE_SECRET})
    order = await shipped_by_hand(shop, acc, "yal-000042", "0550 12 34 56")
    body = yalidine_body("yal-000042", ("Livré", "2026-11-26 10:05:00"))
    if headers == "wrong-secret":
        headers = yalidine_signature(body, "not-the-secret")
    answer = await client.post(f"/couriers/yalidine/{acc.id}/webhook", data=body, headers=headers)
    assert answer.status == 401
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED
    assert not await OrderEvent.filter(order_id=order.id, type="parcel_status").exists()


def svix(body: bytes, secret: str = ZR_SECRET) -> dict[str, str]:
    msg_id, stamp = "msg_2fYb1", str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    signature = "v1," + base64.b64encode(digest).decode()
    return {"svix-id": msg_id, "svix-timestamp": stamp, "svix-signature": signature}


def zr_event(tracking: str, state: str) -> bytes:
    data = {"id": "p-1", "externalId": "HN", "trackingNumber": tracking,
            "state": {"id": "s-1", "name": state}}  # fmt: skip
    return json.dumps(
        {"eventType": "parcel.state.updated", "occurredAt": "2026-11-26T14:03:00Z", "data": data}
    ).encode()


async def test_zrexpress_svix_signed_delivery_is_applied_and_forgeries_refused(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "zrexpress", "", {"webhook_secret": ZR_SECRET})
    order = await shipped_by_hand(shop, acc, "16-000001-ZR", "0550 12 34 56")
    url = f"/couriers/zrexpress/{acc.id}/webhook"
    body = zr_event("16-000001-ZR", "Delivered")

    forged = svix(body, "whsec_" + base64.b64encode(b"someone-else-s-key-32-bytes-long").decode())
    assert (await client.post(url, data=body, headers=forged)).status == 401
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED

    answer = await client.post(url, data=body, headers=svix(body))
    assert answer.status == 200
    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED
    event = await OrderEvent.get(order_id=order.id, type="parcel_status")
    assert event.actor_kind == "courier" and event.data["raw_status"] == "Delivered"


async def test_maystro_token_makes_the_parcel_polled_at_the_next_cycle(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "maystro", "", {"webhook_secret": MAYSTRO_TOKEN})
    order = await shipped_by_hand(shop, acc, "MST123456", "0550 12 34 56")
    before = (await Shipment.get(order_id=order.id)).next_poll_at
    payload = {"display_id_order": "MST123456", "status": 41}
    body = json.dumps({"event": "OrderStatusChanged", "payload": payload}).encode()

    wrong = await client.post(f"/couriers/maystro/{acc.id}/webhook/not-the-token-xyz", data=body)
    assert wrong.status == 401
    assert (await Shipment.get(order_id=order.id)).next_poll_at == before

    answer = await client.post(f"/couriers/maystro/{acc.id}/webhook/{MAYSTRO_TOKEN}", data=body)
    assert answer.status == 200
    shipment = await Shipment.get(order_id=order.id)
    assert shipment.next_poll_at is not None and before is not None
    assert shipment.next_poll_at < before  # due now; the API, not the hint, decides the status
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


async def test_a_signed_body_we_cannot_read_is_a_clear_400(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", "", {"webhook_secret": YALIDINE_SECRET})
    for body in (b"not json", b'{"type": "parcel_status_updated", "events": {}}'):
        answer = await client.post(
            f"/couriers/yalidine/{acc.id}/webhook", data=body, headers=yalidine_signature(body)
        )
        assert answer.status == 400
