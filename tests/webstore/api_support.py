"""Shared by the API and intake tests: the real app over loopback HTTP, and order builders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from models.orders.intake import place_order
from models.orders.tables import Order
from tests.factories import Shop, checkout
from webstore.app import create_app
from webstore.config import WebConfig


@asynccontextmanager
async def serve(config: WebConfig | None = None) -> AsyncIterator[TestClient[Any, Any]]:
    """`create_app` behind a real TCP port on 127.0.0.1, with a client pointed at it."""
    app = create_app(config or WebConfig(secret_key="test"))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def phone(i: int) -> str:
    """A distinct valid mobile per i: the per-phone limit and duplicate window stay out of
    the way of tests that place many orders."""
    return f"0661 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}"


async def place(shop: Shop, i: int = 0, variant: int = 0, quantity: int = 1) -> Order:
    request = checkout(shop.variants[variant].id, quantity, phone=phone(i))
    return (await place_order(shop.store, request)).order


def intake_body(variant_id: int, quantity: int = 1, **shipping: Any) -> dict[str, Any]:
    return {
        "customer": {"name": "Yacine Haddad", "phone": "0770 11 22 33"},
        "shipping": {
            "wilaya": 16,
            "commune": "1601",
            "address": "5 rue Larbi Ben M'hidi",
            "delivery_type": "home",
            **shipping,
        },
        "items": [{"variant_id": variant_id, "quantity": quantity}],
        "note": "",
    }
