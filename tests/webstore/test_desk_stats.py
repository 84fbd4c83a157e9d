"""The desk's figures screen as JSON: the numbers of /stats for today, 7 or 30 days or
chosen dates, broken down by day, person, wilaya and product, each with its SVG chart;
money and the other agents' rows kept to the owner; bad periods refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.calls import outcomes
from models.infra.clock import now
from models.orders import transitions
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.stats import ALGIERS
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.shipping import manual
from models.team.tables import Member
from tests.factories import checkout
from tests.webstore.api_support import place, serve
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, Team, make_team, tma
from webstore.config import WebConfig

SVG = "{http://www.w3.org/2000/svg}"
YACINE = Actor("agent", str(AGENT_ID), "Yacine")
SARA = Actor("agent", "3003", "<Sara>")


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)) as client:
        yield client


async def figures(client: TestClient[Any, Any], query: str, who: int = AGENT_ID) -> Any:
    response = await client.get(f"/desk/api/shop/stats?{query}", headers=tma(who, lang="ar"))
    assert response.status == 200, await response.text()
    return await response.json()


async def _week(team: Team) -> None:
    """Today: one confirmed by Yacine, one cancelled by <Sara> (Oran), one waiting; two days
    ago: one confirmed by Yacine, shipped and delivered."""
    store = team.shop.store
    await Member.create(store=store, telegram_user_id=3003, role="agent", name="<Sara>")
    first, second = await place(team.shop, 1), await place(team.shop, 2, variant=1)
    await outcomes.log_call(store, first.number, "confirmed", YACINE)
    oran = checkout(team.shop.variants[0].id, phone="0770 99 88 77", wilaya="31", commune="3101")
    cancelled = (await place_order(store, oran)).order
    await outcomes.log_call(store, cancelled.number, "customer_cancelled", SARA)
    await outcomes.log_call(store, second.number, "confirmed", YACINE)
    await manual.dispatch_order(store, second.number, YACINE, "TRK1")
    await transitions.transition_order(store, second.number, OrderStatus.DELIVERED, YACINE)
    await Order.filter(id=second.id).update(created_at=now() - timedelta(days=2))
    await place(team.shop, 3)


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # well-formed: the page adopts it as is
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


async def test_a_week_by_day_person_wilaya_and_product(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await _week(team)
    owner = await figures(client, "period=week", who=OWNER_ID)
    assert (owner["placed"], owner["confirmed"], owner["confirmation_rate"]) == (4, 2, 0.6667)
    assert (owner["delivery_rate"], owner["return_rate"]) == (1.0, 0.0)
    days = owner["days"]
    assert len(days) == 7 and [d["placed"] for d in days][-3:] == [1, 0, 3]
    today = now().astimezone(ALGIERS).date()
    assert days[-1]["label"] == today.strftime("%d/%m")
    assert (owner["to"], owner["from"]) == (
        today.isoformat(),
        (today - timedelta(days=6)).isoformat(),
    )
    people = [(p["label"], p["confirmed"], p["cancelled_pending"]) for p in owner["people"]]
    assert people == [("Yacine", 2, 0), ("<Sara>", 0, 1)]
    wilayas = [(w["label"], w["placed"]) for w in owner["wilayas"]]
    assert wilayas == [("16 - الجزائر", 3), ("31 - وهران", 1)]  # the owner reads Arabic
    assert [(p["label"], p["placed"]) for p in owner["products"]] == [("Robe kabyle", 4)]
    # The charts: the day chart with a bar per day and its day labels, rows with names.
    day_texts = _texts(owner["charts"]["days"])
    assert today.strftime("%d/%m") in day_texts and "100%" in day_texts
    assert "<Sara>" in _texts(owner["charts"]["people"])  # escaped, not markup
    assert "&lt;Sara&gt;" in owner["charts"]["people"]
    assert "31 - وهران" in _texts(owner["charts"]["wilayas"])
    assert 'direction="rtl"' in owner["charts"]["wilayas"]
    assert owner["money"]["delivered"] > 0


async def test_an_agent_sees_their_own_row_and_no_money(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await _week(team)
    agent = await figures(client, "period=week")
    assert [p["label"] for p in agent["people"]] == ["Yacine"]
    assert "money" not in agent and "Sara" not in agent["charts"]["people"]
    assert len(agent["wilayas"]) == 2  # the store's figures are the team's


async def test_chosen_dates_and_refused_periods(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await _week(team)
    today = now().astimezone(ALGIERS).date()
    two_days_ago = (today - timedelta(days=2)).isoformat()
    chosen = await figures(client, f"period=custom&from={two_days_ago}&to={two_days_ago}")
    assert (chosen["period"], chosen["placed"], chosen["delivered"]) == ("custom", 1, 1)
    assert [d["placed"] for d in chosen["days"]] == [1]
    assert (chosen["from"], chosen["to"]) == (two_days_ago, two_days_ago)
    empty = await figures(client, "period=today&x=1")
    assert empty["placed"] == 3 and len(empty["days"]) == 1
    tomorrow = (today + timedelta(days=1)).isoformat()
    for query in (
        "period=year",
        "period=custom",
        f"period=custom&from={two_days_ago}",
        f"period=custom&from={today.isoformat()}&to={two_days_ago}",
        f"period=custom&from={today.isoformat()}&to={tomorrow}",
        f"period=custom&from=2020-01-01&to={today.isoformat()}",
        "period=custom&from=yesterday&to=today",
    ):
        response = await client.get(f"/desk/api/shop/stats?{query}", headers=tma(AGENT_ID))
        assert response.status == 400, query
        assert (await response.json())["error"]["code"] == "bad_request"
    stranger = await client.get("/desk/api/shop/stats", headers=tma(9009))
    assert stranger.status == 403
