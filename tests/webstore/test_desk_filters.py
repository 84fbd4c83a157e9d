"""The desk's order list narrowed by courier, by the person who confirmed an order or is
calling it now, and by the customer's mark (as the card shows it), beside wilaya and day;
every page reached through the cursor once, bad values refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.calls import outcomes
from models.infra.clock import now
from models.orders import filters as order_filters
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.team.tables import Member
from tests.webstore.api_support import place, serve
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, make_team, tma
from tests.webstore.test_desk_api import get, numbers_of_tab
from webstore import desk_api
from webstore.config import WebConfig

YACINE = Actor("agent", str(AGENT_ID), "Yacine")
SARA = Actor("agent", "3003", "Sara")


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)) as client:
        yield client


async def test_by_courier_and_by_who_confirmed_or_calls(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    store = team.shop.store
    await Member.create(store=store, telegram_user_id=3003, role="agent", name="Sara")
    a, b, c, d = [await place(team.shop, i) for i in range(4)]
    await outcomes.log_call(store, a.number, "confirmed", YACINE)
    await outcomes.log_call(store, b.number, "confirmed", SARA)
    await outcomes.log_call(store, c.number, "confirmed", YACINE)
    await Order.filter(id__in=[a.id, b.id]).update(courier="yalidine")
    await Order.filter(id=c.id).update(courier="manual")
    await Order.filter(id=d.id).update(
        claimed_by_id="3003", claimed_by_name="Sara", claim_expires_at=now() + timedelta(minutes=5)
    )
    assert await numbers_of_tab(client, "tab=confirmed&courier=yalidine") == [b.number, a.number]
    assert await numbers_of_tab(client, "tab=confirmed&courier=manual") == [c.number]
    assert await numbers_of_tab(client, f"tab=confirmed&agent={AGENT_ID}") == [c.number, a.number]
    assert await numbers_of_tab(client, "tab=confirmed&agent=3003&courier=yalidine") == [b.number]
    assert await numbers_of_tab(client, "tab=pending&agent=3003") == [d.number]  # calling it
    await Order.filter(id=d.id).update(claim_expires_at=now() - timedelta(minutes=1))
    assert await numbers_of_tab(client, "tab=pending&agent=3003") == []  # a lapsed claim
    me = await get(client, "/me")
    assert ["3003", "Sara"] in me["people"] and ["yalidine", "Yalidine"] in me["couriers"]
    assert me["risks"][0] == "new" and me["strings"]["all_couriers"] == "Tous les livreurs"


async def test_by_the_customers_mark_as_the_card_shows_it(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    returned = await place(team.shop, 1)
    await Order.filter(id=returned.id).update(status="returned")
    again = await place(team.shop, 3)
    await Order.filter(id=again.id).update(phone=returned.phone)  # one return, no delivery
    fresh = await place(team.shop, 2)
    assert await numbers_of_tab(client, "tab=pending&risk=risky") == [again.number]
    assert await numbers_of_tab(client, "tab=pending&risk=new") == [fresh.number]
    # The returned order's own card counts the phone's other orders only: new.
    assert await numbers_of_tab(client, "tab=returned&risk=new") == [returned.number]
    assert await numbers_of_tab(client, "tab=returned&risk=risky") == []


async def test_mark_pages_may_be_short_but_cover_every_order_once(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    team = await make_team()
    monkeypatch.setattr(desk_api, "PAGE", 2)
    monkeypatch.setattr(order_filters, "SCAN_BATCH", 3)
    monkeypatch.setattr(order_filters, "SCAN_LIMIT", 3)
    placed = [await place(team.shop, i) for i in range(10)]
    watched = [o for i, o in enumerate(placed) if i % 3 == 0]  # 0 3 6 9
    for i, order in enumerate(watched):  # each phone had an order nobody answered
        earlier = await place(team.shop, 100 + i)
        await Order.filter(id=earlier.id).update(
            status="cancelled", last_call_outcome="no_answer", phone=order.phone
        )
    pages: list[list[int]] = []
    cursor = None
    while True:
        query = "/orders?tab=pending&risk=watch" + (f"&cursor={cursor}" if cursor else "")
        page = await get(client, query)
        pages.append([o["number"] for o in page["orders"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [n for p in pages for n in p] == [o.number for o in reversed(watched)]
    assert [] in pages or any(len(p) < 2 for p in pages[:-1])  # a short page, then more


@pytest.mark.parametrize(
    "query",
    [
        "tab=pending&courier=dhl",
        "tab=pending&agent=yacine",
        "tab=pending&risk=scary",
        "tab=call&courier=yalidine",
        "tab=call&risk=new",
        "tab=call&agent=2002",
    ],
)
async def test_bad_filters_are_refused(client: TestClient[Any, Any], query: str) -> None:
    await make_team()
    response = await client.get(f"/desk/api/shop/orders?{query}", headers=tma(OWNER_ID))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "bad_request"
