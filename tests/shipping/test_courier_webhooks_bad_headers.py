"""Courier webhooks fed headers no courier sends (non-ASCII signatures and timestamps,
digits int() refuses, endless timestamps): each is a plain 401 with nothing applied and no
traceback in the log, for every courier whose webhook checks a header or a token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from models.orders.lifecycle import OrderStatus
from models.orders.tables import OrderEvent
from models.orders.transitions import get_order
from models.shipping.tables import Shipment
from shipping import courier_webhooks
from tests.factories import make_shop
from tests.shipping.support import account, sealer, shipped_by_hand
from tests.shipping.test_courier_webhooks import (
    MAYSTRO_TOKEN,
    YALIDINE_SECRET,
    ZR_SECRET,
    svix,
    yalidine_body,
    zr_event,
)
from webstore.app import create_app
from webstore.config import WebConfig


@pytest.fixture
async def client() -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(WebConfig(secret_key="web-secret"))
    courier_webhooks.add_routes(app, sealer())
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def _with(headers: dict[str, str], **changed: str) -> dict[str, str]:
    return {**headers, **{name.replace("_", "-"): value for name, value in changed.items()}}


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("courier", ["yalidine", "guepex"])  # Yalidine and a clone host
@pytest.mark.parametrize(
    "signature", ["é", "sha256=é", "é" * 64, "٣" * 64, "\udcff" * 4, "sha256=" + "²" * 64]
)
async def test_yalidine_non_ascii_signature_is_a_401(
    db: str,
    client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
    courier: str,
    signature: str,
) -> None:
    caplog.set_level(logging.INFO)
    shop = await make_shop()
    acc = await account(shop.store, courier, "", {"webhook_secret": YALIDINE_SECRET})
    tracking = f"{courier}-000042"
    order = await shipped_by_hand(shop, acc, tracking, "0550 12 34 56")
    body = yalidine_body(tracking, ("Livré", "2026-11-26 10:05:00"))
    raw = signature.encode("utf-8", "surrogateescape")
    answer = await client.post(
        f"/couriers/{courier}/{acc.id}/webhook",
        data=body,
        headers={"X-YALIDINE-SIGNATURE": raw.decode("latin-1")},
    )
    assert answer.status == 401, await answer.text()
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED
    assert not await OrderEvent.filter(order_id=order.id, type="parcel_status").exists()
    _no_traceback(caplog)


@pytest.mark.parametrize(
    "changed",
    [
        {"svix_timestamp": "²"},
        {"svix_timestamp": "١٧٠٠٠٠٠٠٠٠"},  # Arabic-Indic digits: int() reads them, we do not
        {"svix_timestamp": "9" * 5000},  # past int()'s digit limit
        {"svix_signature": "v1,é"},
        {"svix_signature": "v1," + "é" * 44},
        {"svix_id": "é"},
    ],
)
async def test_zrexpress_non_ascii_svix_headers_are_a_401(
    db: str, client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture, changed: dict[str, str]
) -> None:
    caplog.set_level(logging.INFO)
    shop = await make_shop()
    acc = await account(shop.store, "zrexpress", "", {"webhook_secret": ZR_SECRET})
    order = await shipped_by_hand(shop, acc, "16-000001-ZR", "0550 12 34 56")
    body = zr_event("16-000001-ZR", "Delivered")
    headers = {
        name: value.encode().decode("latin-1")  # the bytes as they travel
        for name, value in _with(svix(body), **changed).items()
    }
    answer = await client.post(f"/couriers/zrexpress/{acc.id}/webhook", data=body, headers=headers)
    assert answer.status == 401, await answer.text()
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED
    assert not await OrderEvent.filter(order_id=order.id, type="parcel_status").exists()
    _no_traceback(caplog)


async def test_zrexpress_standard_webhooks_names_refuse_a_non_ascii_timestamp(
    db: str, client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "zrexpress", "", {"webhook_secret": ZR_SECRET})
    body = zr_event("16-000001-ZR", "Delivered")
    signed = svix(body)
    headers = {
        "webhook-id": signed["svix-id"],
        "webhook-timestamp": "²".encode().decode("latin-1"),
        "webhook-signature": signed["svix-signature"],
    }
    answer = await client.post(f"/couriers/zrexpress/{acc.id}/webhook", data=body, headers=headers)
    assert answer.status == 401
    _no_traceback(caplog)


@pytest.mark.parametrize("token", ["%C3%A9" * 8, "é" * 8])
async def test_maystro_non_ascii_token_changes_nothing(
    db: str, client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture, token: str
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "maystro", "", {"webhook_secret": MAYSTRO_TOKEN})
    order = await shipped_by_hand(shop, acc, "MST123456", "0550 12 34 56")
    before = (await Shipment.get(order_id=order.id)).next_poll_at
    answer = await client.post(f"/couriers/maystro/{acc.id}/webhook/{token}", data=b"{}")
    assert answer.status == 404  # the token route takes ASCII tokens only
    assert (await Shipment.get(order_id=order.id)).next_poll_at == before
    _no_traceback(caplog)


async def test_maystro_account_with_a_non_ascii_secret_refuses_a_wrong_token(
    db: str, client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "maystro", "", {"webhook_secret": "sécret-token-0123"})
    order = await shipped_by_hand(shop, acc, "MST123456", "0550 12 34 56")
    before = (await Shipment.get(order_id=order.id)).next_poll_at
    answer = await client.post(f"/couriers/maystro/{acc.id}/webhook/{MAYSTRO_TOKEN}", data=b"{}")
    assert answer.status == 401
    assert (await Shipment.get(order_id=order.id)).next_poll_at == before
    _no_traceback(caplog)
