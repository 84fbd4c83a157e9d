"""The desk believes only init data Telegram signed for our bot, less than a day old, and
only the store's active members: forged, expired, other-bot data and strangers get 401/403
and change nothing (issue 15, "Refusals")."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestClient

from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.team.tables import Member
from tests.webstore.api_support import place, serve
from tests.webstore.desk_support import (
    AGENT_ID,
    BOT_TOKEN,
    OWNER_ID,
    STRANGER_ID,
    Team,
    init_data,
    make_team,
    tma,
)
from webstore.config import WebConfig
from webstore.desk_auth import InitDataRefused, sign_init_data, verify_init_data

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def signed(fields: dict[str, str], token: str = BOT_TOKEN) -> str:
    return urlencode({**fields, "hash": sign_init_data(fields, token)})


def fields_at(at: datetime, user: dict[str, Any] | None = None) -> dict[str, str]:
    user = user if user is not None else {"id": 42, "first_name": "Amina", "language_code": "ar"}
    return {"auth_date": str(int(at.timestamp())), "user": json.dumps(user), "query_id": "q"}


# --- the check itself, as Telegram's documentation defines it --------------------------


def test_telegram_documented_example_is_accepted() -> None:
    """Built by hand from the documented recipe, independently of sign_init_data."""
    import hashlib
    import hmac

    fields = fields_at(NOW - timedelta(minutes=5))
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    key = hmac.new(b"WebAppData", BOT_TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    user = verify_init_data(urlencode({**fields, "hash": digest}), BOT_TOKEN, NOW)
    assert (user.id, user.name, user.language_code) == (42, "Amina", "ar")


def test_fields_signed_after_the_fact_are_kept_as_signed() -> None:
    """signature (Bot API 8) and start_param are part of the data-check-string."""
    fields = {**fields_at(NOW), "signature": "abc", "start_param": "shop_1042"}
    user = verify_init_data(signed(fields), BOT_TOKEN, NOW)
    assert user.start_param == "shop_1042"


@pytest.mark.parametrize(
    ("why", "raw"),
    [
        ("empty", ""),
        ("not signed", urlencode(fields_at(NOW))),
        ("other bot", signed(fields_at(NOW), "654321:other-bot")),
        ("expired", signed(fields_at(NOW - timedelta(days=1, seconds=1)))),
        ("from the future", signed(fields_at(NOW + timedelta(minutes=10)))),
        ("no user", signed({"auth_date": str(int(NOW.timestamp()))})),
        ("user id not a number", signed(fields_at(NOW, {"id": "42"}))),
        ("user id zero", signed(fields_at(NOW, {"id": 0}))),
        ("bad hash case", signed(fields_at(NOW)).upper()),
        ("repeated field", signed(fields_at(NOW)) + "&auth_date=1"),
        ("not a query string", "%%%"),
        ("too long", signed({**fields_at(NOW), "pad": "x" * 5000})),
    ],
)
def test_refused_init_data(why: str, raw: str) -> None:
    with pytest.raises(InitDataRefused):
        verify_init_data(raw, BOT_TOKEN, NOW)


def test_a_changed_field_breaks_the_signature() -> None:
    raw = signed(fields_at(NOW))
    forged = dict(parse_qsl(raw))
    forged["user"] = json.dumps({"id": 1001, "first_name": "Owner"})  # claim the owner
    with pytest.raises(InitDataRefused):
        verify_init_data(urlencode(forged), BOT_TOKEN, NOW)


def test_without_a_bot_token_nothing_is_accepted() -> None:
    with pytest.raises(InitDataRefused):
        verify_init_data(signed(fields_at(NOW), ""), "", NOW)


# --- over HTTP: 401/403 and nothing changed --------------------------------------------


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)) as client:
        yield client


async def snapshot() -> tuple[Any, ...]:
    orders = await Order.all().order_by("id").values_list("status", "version", "call_attempts")
    return (tuple(orders), await OrderEvent.all().count(), await OutboxMessage.all().count())


async def refused_everywhere(
    client: TestClient[Any, Any], headers: dict[str, str], slug: str, status: int
) -> None:
    before = await snapshot()
    for method, path, body in (
        ("GET", "/me", None),
        ("GET", "/team", None),
        ("GET", "/orders?tab=pending", None),
        ("GET", "/orders/1001", None),
        ("GET", "/orders/1001/version", None),
        ("POST", "/orders/1001/calls", {"outcome": "confirmed", "version": 1}),
        ("POST", "/orders/1001/status", {"to": "cancelled", "version": 1}),
    ):
        response = await client.request(
            method, f"/desk/api/{slug}{path}", headers=headers, json=body
        )
        assert response.status == status, (method, path, await response.text())
        error = (await response.json())["error"]
        assert error["code"] in ("unauthorized", "forbidden")
        assert "Amina" not in await response.text()
    assert await snapshot() == before


async def test_forged_expired_and_other_bot_init_data_get_401(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await place(team.shop)
    forged = dict(parse_qsl(init_data(AGENT_ID)))
    forged["user"] = json.dumps({"id": OWNER_ID, "first_name": "Nadia"})
    for headers in (
        {},
        {"Authorization": "Bearer whatever"},
        {"Authorization": "tma " + urlencode(forged)},
        tma(OWNER_ID, age=86400 + 60),
        tma(OWNER_ID, token="654321:other-bot"),
    ):
        await refused_everywhere(client, headers, "shop", 401)


async def test_a_stranger_and_a_removed_member_get_403(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await place(team.shop)
    await refused_everywhere(client, tma(STRANGER_ID), "shop", 403)
    await Member.filter(id=team.agent.id).update(active=False)
    await refused_everywhere(client, tma(AGENT_ID), "shop", 403)


async def test_another_stores_desk_and_orders_are_refused(client: TestClient[Any, Any]) -> None:
    mine, theirs = await make_team("mine"), await make_team("theirs")
    await Member.filter(store_id=theirs.shop.store.id).delete()  # nobody of "mine" there
    await place(mine.shop)
    other = await place(theirs.shop)
    await refused_everywhere(client, tma(OWNER_ID), "theirs", 403)
    assert (await Order.get(id=other.id)).status.value == "pending"
    # Their order's number means nothing in my store but my own order of that number.
    response = await client.get("/desk/api/mine/orders/1002", headers=tma(OWNER_ID))
    assert response.status == 404


async def test_the_page_cannot_choose_who_it_is(client: TestClient[Any, Any]) -> None:
    """The agent's signed init data with an owner's id added elsewhere still acts as the
    agent: only the signed `user` counts."""
    team = await make_team()
    order = await place(team.shop)
    headers = tma(AGENT_ID)
    headers["X-Telegram-User-Id"] = str(OWNER_ID)
    body = {"outcome": "confirmed", "version": order.version, "user_id": OWNER_ID}
    response = await client.post(
        "/desk/api/shop/orders/1001/calls?user=1001", headers=headers, json=body
    )
    assert response.status == 422  # unknown body field: refused, nothing done
    del body["user_id"]
    response = await client.post(
        "/desk/api/shop/orders/1001/calls?user=1001", headers=headers, json=body
    )
    assert response.status == 200
    event = await OrderEvent.filter(order_id=order.id, type="call_logged").get()
    assert (event.actor_kind, event.actor_id, event.actor_name) == (
        "agent",
        str(AGENT_ID),
        "Yacine",
    )


async def test_money_of_the_customer_is_the_owners(client: TestClient[Any, Any]) -> None:
    team: Team = await make_team()
    await place(team.shop)
    owner = await (await client.get("/desk/api/shop/orders/1001", headers=tma(OWNER_ID))).json()
    agent = await (await client.get("/desk/api/shop/orders/1001", headers=tma(AGENT_ID))).json()
    assert owner["customer"]["history"]["delivered_amount"] == 0
    assert "delivered_amount" not in agent["customer"]["history"]
    team.shop.store.agents_see_money = True
    await team.shop.store.save()
    agent = await (await client.get("/desk/api/shop/orders/1001", headers=tma(AGENT_ID))).json()
    assert agent["customer"]["history"]["delivered_amount"] == 0


async def test_an_agent_is_refused_the_owners_screens(client: TestClient[Any, Any]) -> None:
    await make_team()
    response = await client.get("/desk/api/shop/team", headers=tma(AGENT_ID))
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "owner_only"
    response = await client.get("/desk/api/shop/team", headers=tma(OWNER_ID))
    assert response.status == 200
    members = (await response.json())["members"]
    assert [(m["name"], m["role"]) for m in members] == [("Nadia", "owner"), ("Yacine", "agent")]
