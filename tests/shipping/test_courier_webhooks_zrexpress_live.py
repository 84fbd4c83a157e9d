"""ZR Express webhooks in their live form (PascalCase, snake_case French state names) on the
real web app: a delivery closes the order, a parcel waiting at ZR's hub for the merchant
keeps it open, the merchant taking it back returns it (couriers/zrexpress.md)."""

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
from shipping import courier_webhooks
from tests.factories import make_shop
from tests.shipping.support import account, sealer, shipped_by_hand
from webstore.app import create_app
from webstore.config import WebConfig

SECRET = "whsec_" + base64.b64encode(b"zr-live-webhook-signing-key-32b!").decode()


@pytest.fixture
async def client() -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(WebConfig(secret_key="web-secret"))
    courier_webhooks.add_routes(app, sealer())
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def live_event(tracking: str, state: str, situation: str = "") -> bytes:
    data: dict[str, Any] = {
        "TrackingNumber": tracking,
        "ExternalId": "HN-1",
        "State": {"Name": state, "Description": state.replace("_", " ")},
    }
    if situation:
        data["Situation"] = {"Name": situation, "Description": situation}
    return json.dumps({"EventType": "parcel.state.updated", "Data": data}).encode()  # fmt: skip


def signed(body: bytes) -> dict[str, str]:
    msg_id, stamp = "msg_live_1", str(int(time.time()))
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": stamp,
            "webhook-signature": "v1," + base64.b64encode(digest).decode()}  # fmt: skip


async def test_live_delivery_closes_the_order(db: str, client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "zrexpress", "", {"webhook_secret": SECRET})
    order = await shipped_by_hand(shop, acc, "16-2E3IJ8WY17-ZR", "0550 12 34 56")
    url = f"/couriers/zrexpress/{acc.id}/webhook"

    body = live_event("16-2E3IJ8WY17-ZR", "livre")
    assert (await client.post(url, data=body, headers=signed(body))).status == 200

    assert (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED
    event = await OrderEvent.get(order_id=order.id, type="parcel_status")
    assert event.data["raw_status"] == "livre"


async def test_live_return_closes_only_when_the_merchant_has_it(
    db: str, client: TestClient[Any, Any]
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "zrexpress", "", {"webhook_secret": SECRET})
    order = await shipped_by_hand(shop, acc, "16-RETOUR-ZR", "0550 12 34 57")
    url = f"/couriers/zrexpress/{acc.id}/webhook"

    waiting = live_event("16-RETOUR-ZR", "attente_recuperation_fournisseur", "Commande annulée")
    assert (await client.post(url, data=waiting, headers=signed(waiting))).status == 200
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED

    back = live_event("16-RETOUR-ZR", "recupere_par_fournisseur")
    assert (await client.post(url, data=back, headers=signed(back))).status == 200
    assert (await get_order(shop.store, order.number)).status is OrderStatus.RETURNED
