"""The desk's stock screen: every member sees the stock; the owner adjusts it in place
(agents only when the owner allows it, as /stock in the bot), never below zero, never
another store's variant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.catalog.tables import Variant
from tests.webstore.api_support import serve
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, make_team, tma
from webstore.config import WebConfig


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)) as client:
        yield client


async def move(client: TestClient[Any, Any], who: int, variant: int, delta: Any) -> Any:
    return await client.post(
        f"/desk/api/shop/stock/{variant}", headers=tma(who), json={"delta": delta}
    )


async def test_members_see_the_stock_and_the_owner_moves_it(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    medium, large = team.shop.variants
    listed = await (await client.get("/desk/api/shop/stock", headers=tma(AGENT_ID))).json()
    assert listed["may_change"] is False
    assert [(v["id"], v["label"], v["stock"]) for v in listed["variants"]] == [
        (medium.id, "Taille: M", 10),
        (large.id, "Taille: L", 10),
    ]
    refused = await move(client, AGENT_ID, medium.id, 5)
    assert refused.status == 403
    response = await move(client, OWNER_ID, medium.id, 5)
    assert (await response.json()) == {"id": medium.id, "stock": 15}
    response = await move(client, OWNER_ID, medium.id, -16)
    assert response.status == 422  # never below zero
    for bad in ("5", 1.5, 20_000, None):
        assert (await move(client, OWNER_ID, medium.id, bad)).status == 422, bad
    assert (await Variant.get(id=medium.id)).stock == 15
    team.shop.store.agents_change_stock = True
    await team.shop.store.save()
    response = await move(client, AGENT_ID, large.id, -3)
    assert (await response.json())["stock"] == 7


async def test_another_stores_variant_is_not_found(client: TestClient[Any, Any]) -> None:
    await make_team()
    other = await make_team("other")
    variant = other.shop.variants[0]
    response = await move(client, OWNER_ID, variant.id, 5)
    assert response.status == 404
    assert (await Variant.get(id=variant.id)).stock == 10
