"""The desk's JSON as its screens use it: the orders screen (tabs, "to call now", search,
cursor pages) and an order's page with its actions, which go through the bot's and the
API's use cases, attributed to the Telegram user, with the outbox rows that re-render the
Telegram cards."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.calls.queue import RETRY_GAP
from models.infra.clock import now
from models.orders.cancellation import REASONS
from models.orders.intake import place_order
from models.orders.stats import ALGIERS
from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.team.tables import Member
from tests.factories import checkout
from tests.webstore.api_support import place, serve
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, make_team, tma
from tests.wiring import WireOutbox
from webstore.config import WebConfig
from webstore.desk_api import MAX_PAGE, PAGE


@pytest.fixture
async def client(db: str, wire_outbox: WireOutbox) -> AsyncIterator[TestClient[Any, Any]]:
    wire_outbox(telegram=True)
    async with serve(WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)) as client:
        yield client


async def get(client: TestClient[Any, Any], path: str, who: int = AGENT_ID, **kw: Any) -> Any:
    response = await client.get(f"/desk/api/shop{path}", headers=tma(who, **kw))
    assert response.status == 200, await response.text()
    return await response.json()


async def post(
    client: TestClient[Any, Any], path: str, body: dict[str, Any], who: int = AGENT_ID
) -> Any:
    return await client.post(f"/desk/api/shop{path}", headers=tma(who), json=body)


async def numbers_of_tab(client: TestClient[Any, Any], query: str) -> list[int]:
    """Every page of a list, following next_cursor."""
    numbers: list[int] = []
    cursor = None
    while True:
        page = await get(client, f"/orders?{query}" + (f"&cursor={cursor}" if cursor else ""))
        numbers += [o["number"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return numbers


async def test_me_speaks_the_users_language_else_the_stores(client: TestClient[Any, Any]) -> None:
    await make_team(lang="fr")
    mine = await get(client, "/me", lang="ar")
    assert (mine["lang"], mine["dir"], mine["user"]["role"]) == ("ar", "rtl", "agent")
    assert mine["strings"]["tab_call"] == "للاتصال الآن"
    assert (await get(client, "/me", lang="de"))["strings"]["tab_call"] == "À appeler"
    owner = await get(client, "/me", who=OWNER_ID, lang="en")
    assert (owner["lang"], owner["user"], owner["strings"]["confirm"]) == (
        "en",
        {"name": "Nadia", "role": "owner"},
        "Confirm",
    )


async def test_tabs_and_cursor_pages_cover_every_order_once(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    placed = [await place(team.shop, i) for i in range(PAGE + 5)]
    await Order.filter(number=placed[0].number).update(status="confirmed")
    pending = await numbers_of_tab(client, "tab=pending")
    assert pending == sorted((o.number for o in placed[1:]), reverse=True)  # newest first
    assert await numbers_of_tab(client, "tab=confirmed") == [placed[0].number]
    assert await numbers_of_tab(client, "tab=delivered") == []
    # To call now: never-called orders oldest first, a due call-back before them, a
    # call-back still to come left out.
    due, later = placed[5], placed[6]
    await Order.filter(id=due.id).update(callback_at=now() - timedelta(minutes=5))
    await Order.filter(id=later.id).update(callback_at=now() + timedelta(hours=2))
    to_call = await numbers_of_tab(client, "tab=call")
    rest = [o.number for o in placed[1:] if o.id not in (due.id, later.id)]
    assert to_call == [due.number, *rest]
    first = await get(client, "/orders?tab=call")
    assert (len(first["orders"]), first["total"]) == (PAGE, len(to_call))
    # The calls to make shrink under the cursor (confirmed elsewhere): no page repeats.
    await Order.filter(status="pending").exclude(number=due.number).update(status="confirmed")
    after = await get(client, f"/orders?tab=call&cursor={first['next_cursor']}")
    assert (after["orders"], after["next_cursor"], after["total"]) == ([], None, 1)


async def test_to_call_pages_stay_put_while_calls_are_logged(
    client: TestClient[Any, Any],
) -> None:
    team = await make_team()
    placed = [await place(team.shop, i) for i in range(PAGE + 12)]
    due, back, fresh = placed[:2], placed[2:5], placed[5:]
    for i, order in enumerate(due):  # call-backs due now come first
        await Order.filter(id=order.id).update(
            callback_at=now() - timedelta(minutes=10 - i), call_attempts=1, last_call_at=now()
        )
    for i, order in enumerate(back):  # then the orders called before, brought back
        await Order.filter(id=order.id).update(
            call_attempts=1, last_call_at=now() - timedelta(hours=3 - i)
        )
    expected = [o.number for o in (*due, *back, *fresh)]
    assert await numbers_of_tab(client, "tab=call") == expected  # oldest first, as before

    first = await get(client, "/orders?tab=call")
    shown = [o["number"] for o in first["orders"]]
    assert shown == expected[:PAGE]
    # Between pages: a call on an order already shown (busy: it leaves the list, never
    # shown again), a confirmation and a call-back set on orders not shown yet (they leave the
    # list), a call-back coming due and a new order arriving.
    called, confirmed, postponed = fresh[0], fresh[-1], fresh[-2]
    answer = await post(client, f"/orders/{called.number}/calls", {"outcome": "busy", "version": 1})
    assert answer.status == 200, await answer.text()
    answer = await post(
        client, f"/orders/{confirmed.number}/calls", {"outcome": "confirmed", "version": 1}
    )
    assert answer.status == 200, await answer.text()
    later = (now() + timedelta(hours=2)).isoformat()
    body = {"outcome": "postponed", "version": 1, "callback_at": later}
    answer = await post(client, f"/orders/{postponed.number}/calls", body)
    assert answer.status == 200, await answer.text()
    await Order.filter(id=back[0].id).update(callback_at=now() - timedelta(minutes=1))
    arrived = await place(team.shop, 99)

    rest: list[int] = []
    cursor = first["next_cursor"]
    while cursor is not None:
        page = await get(client, f"/orders?tab=call&cursor={cursor}")
        rest += [o["number"] for o in page["orders"]]
        cursor = page["next_cursor"]
    gone = {confirmed.number, postponed.number}
    assert rest == [n for n in expected[PAGE:] if n not in gone] + [arrived.number]
    assert not set(rest) & set(shown)  # no order twice
    # The next first page has the list as it is now: the call-back that came due among
    # the due ones, the busy line set to be called again later (the store's plan).
    now_listed = await numbers_of_tab(client, "tab=call")
    assert now_listed[:5] == [n.number for n in (*due, back[0], back[1], back[2])]
    assert called.number not in now_listed
    assert sorted(now_listed) == sorted(set(expected) - gone - {called.number} | {arrived.number})


async def test_a_status_tab_pages_by_the_limit_asked(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    placed = [await place(team.shop, i) for i in range(7)]
    newest_first = [o.number for o in reversed(placed)]
    first = await get(client, "/orders?tab=pending&limit=5")
    assert [o["number"] for o in first["orders"]] == newest_first[:5]
    rest = await get(client, f"/orders?tab=pending&limit=5&cursor={first['next_cursor']}")
    assert ([o["number"] for o in rest["orders"]], rest["next_cursor"]) == (newest_first[5:], None)
    whole = await get(client, f"/orders?tab=pending&limit={MAX_PAGE}")
    assert [o["number"] for o in whole["orders"]] == newest_first


async def test_refused_tabs_and_cursors(client: TestClient[Any, Any]) -> None:
    await make_team()
    refused = (
        "tab=everything",
        "tab=pending&cursor=nonsense",
        "tab=call&cursor=nonsense",
        "tab=call&cursor=desk_call.3.1796683566000000.1",
        "tab=call&cursor=desk_call.1.99999999999999999999.1",
        "tab=call&cursor=desk_pending.1",
        "tab=pending&limit=0",
        f"tab=pending&limit={MAX_PAGE + 1}",
        "tab=pending&limit=ten",
        "tab=call&limit=10",
    )
    for query in refused:
        response = await client.get(f"/desk/api/shop/orders?{query}", headers=tma(AGENT_ID))
        assert response.status == 400, query
        assert "error" in await response.json()
    pending_cursor = (await get(client, "/orders?tab=pending"))["next_cursor"]
    assert pending_cursor is None


async def test_search_by_number_phone_and_name(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    first = await place(team.shop, 1)
    await place(team.shop, 2)
    by_number = await get(client, f"/orders?q=%23{first.number}")
    assert [o["number"] for o in by_number["orders"]] == [first.number]
    by_phone = await get(client, "/orders?q=0661000001")
    assert [o["number"] for o in by_phone["orders"]] == [first.number]
    assert by_phone["orders"][0]["phone"] == "0661 00 00 01"
    by_name = await get(client, "/orders?q=amina")
    assert len(by_name["orders"]) == 2 and by_name["kind"] == "name"
    assert (await get(client, "/orders?q=nobody"))["orders"] == []


async def test_the_order_page_has_the_card_timeline_and_customer(
    client: TestClient[Any, Any],
) -> None:
    team = await make_team()
    order = await place(team.shop)
    page = await get(client, f"/orders/{order.number}")
    assert (page["number"], page["status"], page["version"]) == (order.number, "pending", 1)
    assert page["customer"]["risk"] == "new" and page["customer"]["history"]["orders"] == 0
    assert [e["type"] for e in page["timeline"]] == ["created"]
    assert page["lines"][0]["product_name"] == "Robe kabyle"
    for path in ("/orders/99999", "/orders/0", "/orders/12345678901"):
        response = await client.get(f"/desk/api/shop{path}", headers=tma(AGENT_ID))
        assert response.status == 404, path


async def test_confirm_is_the_cards_confirm(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    response = await post(
        client, f"/orders/{order.number}/calls", {"outcome": "confirmed", "version": 1}
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["status"] == "confirmed"
    fresh = await Order.get(id=order.id)
    assert (fresh.status.value, fresh.call_attempts, fresh.stock_committed) == (
        "confirmed",
        1,
        True,
    )
    events = await OrderEvent.filter(order_id=order.id).order_by("id")
    assert [(e.type, e.actor_kind, e.actor_id, e.actor_name) for e in events[1:]] == [
        ("call_logged", "agent", str(AGENT_ID), "Yacine"),
        ("status_changed", "agent", str(AGENT_ID), "Yacine"),
    ]
    topics = (
        await OutboxMessage.filter(channel="telegram")
        .order_by("id")
        .values_list("topic", flat=True)
    )
    assert list(topics) == ["order.created", "order.call_logged", "order.confirmed"]


async def test_a_stale_version_changes_nothing(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    await post(client, f"/orders/{order.number}/calls", {"outcome": "busy", "version": 1})
    response = await post(
        client,
        f"/orders/{order.number}/status",
        {"to": "cancelled", "version": 1, "reason": "price"},
    )
    assert response.status == 409
    assert (await response.json())["error"]["details"]["changed_by"] == "Yacine"
    fresh = await Order.get(id=order.id)
    assert (fresh.status.value, fresh.version) == ("pending", 2)


async def test_postpone_and_cancel(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    later = (now() + timedelta(hours=3)).isoformat()
    response = await post(
        client, "/orders/1001/calls", {"outcome": "postponed", "version": 1, "callback_at": later}
    )
    assert response.status == 200, await response.text()
    assert (await Order.get(id=order.id)).callback_at is not None
    for body in (
        {"outcome": "postponed", "version": 2},
        {
            "outcome": "postponed",
            "version": 2,
            "callback_at": (now() - timedelta(hours=1)).isoformat(),
        },
        {"outcome": "postponed", "version": 2, "callback_at": "2030-01-01T10:00:00"},
        {"outcome": "maybe", "version": 2},
        {"version": 2},
    ):
        refused = await post(client, "/orders/1001/calls", body)
        assert refused.status == 422, body
    response = await post(
        client,
        "/orders/1001/status",
        {"to": "cancelled", "version": 2, "reason": "other", "note": "changed her mind"},
        who=OWNER_ID,
    )
    assert response.status == 200
    last = await OrderEvent.filter(order_id=order.id).order_by("-id").first()
    assert last is not None
    assert (last.to_status, last.actor_kind, last.note, last.data) == (
        "cancelled",
        "owner",
        "changed her mind",
        {"reason": "other"},
    )
    again = await post(
        client, "/orders/1001/status", {"to": "cancelled", "version": 3, "reason": "price"}
    )
    assert again.status == 409 and (await again.json())["error"]["code"] == "illegal_transition"


async def test_cancel_asks_the_reasons_of_the_bots_menu(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    assert (await get(client, "/me"))["cancel_reasons"] == list(REASONS)
    for body, field in (
        ({"to": "cancelled", "version": 1}, "reason"),
        ({"to": "cancelled", "version": 1, "note": "no reason code"}, "reason"),
        ({"to": "cancelled", "version": 1, "reason": "bored"}, "reason"),
        ({"to": "cancelled", "version": 1, "reason": "other"}, "note"),
        ({"to": "cancelled", "version": 1, "reason": "other", "note": "   "}, "note"),
        ({"to": "cancelled", "version": 1, "reason": "other", "note": "x" * 301}, "note"),
        ({"to": "processing", "version": 1, "reason": "price"}, "reason"),
    ):
        refused = await post(client, "/orders/1001/status", body)
        assert refused.status == 422, body
        assert field in (await refused.json())["error"].get("fields", {}), body
    fresh = await Order.get(id=order.id)
    assert (fresh.status.value, fresh.version, fresh.cancel_reason) == ("pending", 1, "")

    response = await post(
        client, "/orders/1001/status", {"to": "cancelled", "version": 1, "reason": "price"}
    )
    assert response.status == 200, await response.text()
    page = await get(client, "/orders/1001")
    assert page["cancellation"]["reason"] == "price"
    assert page["cancellation"]["by"] == "Yacine (agent)"
    assert page["timeline"][-1]["data"] == {"reason": "price"}
    assert page["timeline"][-1]["note"] == ""


async def test_cancelling_as_fake_blocks_the_number(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    response = await post(
        client, "/orders/1001/status", {"to": "cancelled", "version": 1, "reason": "fake"}
    )
    assert response.status == 200, await response.text()
    fresh = await Order.get(id=order.id).prefetch_related("customer")
    assert (fresh.cancel_reason, fresh.customer.blacklisted) == ("fake", True)


async def test_claim_release_and_the_moves_of_the_card(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    order = await place(team.shop)
    response = await post(client, "/orders/1001/claim", {"version": 1})
    assert response.status == 200, await response.text()
    page = await get(client, "/orders/1001")
    assert page["claim"]["by"] == "Yacine" and page["claim"]["mine"] is True
    owner_view = await get(client, "/orders/1001", who=OWNER_ID)
    assert owner_view["claim"]["mine"] is False
    # Another member's call is refused while the claim runs (an owner may step in).
    await Member.create(store=team.shop.store, telegram_user_id=3003, role="agent", name="Sara")
    refused = await post(client, "/orders/1001/calls", {"outcome": "busy", "version": 2}, who=3003)
    assert refused.status == 422 and (await refused.json())["error"]["code"] == "claimed"
    assert (await Order.get(id=order.id)).call_attempts == 0
    assert (await post(client, "/orders/1001/release", {"version": 2})).status == 200
    assert (await get(client, "/orders/1001"))["claim"] is None
    assert (await get(client, "/orders/1001"))["moves"] == ["cancelled"]  # the call comes first
    # confirmed → processing → (dispatch elsewhere) ; shipped → delivered → returned
    await post(client, "/orders/1001/calls", {"outcome": "confirmed", "version": 3})
    moved = await post(client, "/orders/1001/status", {"to": "processing", "version": 5})
    assert (await moved.json())["status"] == "processing"
    assert (await get(client, "/orders/1001"))["moves"] == ["cancelled"]  # shipped by dispatch
    for body in ({"to": "shipped", "version": 6}, {"to": "pending", "version": 6}):
        assert (await post(client, "/orders/1001/status", body)).status == 422
    early = await post(client, "/orders/1001/status", {"to": "delivered", "version": 6})
    assert early.status == 409  # not shipped yet: the lifecycle table says no
    assert (await Order.get(id=order.id)).status.value == "processing"


async def test_status_tabs_filter_by_wilaya_and_day(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    algiers = [await place(team.shop, i) for i in range(2)]
    request = checkout(team.shop.variants[0].id, phone="0770 99 88 77", wilaya="31", commune="3101")
    oran = (await place_order(team.shop.store, request)).order
    yesterday = now() - timedelta(days=1)
    await Order.filter(id=algiers[0].id).update(created_at=yesterday)
    assert await numbers_of_tab(client, "tab=pending&wilaya=31") == [oran.number]
    assert (
        await numbers_of_tab(client, "tab=pending&wilaya=16") == [a.number for a in algiers][::-1]
    )
    day = yesterday.astimezone(ALGIERS).date().isoformat()
    assert await numbers_of_tab(client, f"tab=pending&day={day}") == [algiers[0].number]
    assert await numbers_of_tab(client, f"tab=pending&day={day}&wilaya=31") == []
    for query in ("tab=pending&wilaya=99", "tab=pending&day=yesterday", "tab=call&wilaya=16"):
        response = await client.get(f"/desk/api/shop/orders?{query}", headers=tma(AGENT_ID))
        assert response.status == 400, query
    me = await get(client, "/me", lang="ar")
    assert [16, "16 - الجزائر"] in me["wilayas"]


async def test_the_calling_queue_hands_out_each_call_once(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    await Member.create(store=team.shop.store, telegram_user_id=3003, role="agent", name="Sara")
    placed = [await place(team.shop, i) for i in range(3)]
    due = placed[2]
    await Order.filter(id=due.id).update(callback_at=now() - timedelta(minutes=1))

    async def next_call(who: int) -> int | None:
        response = await post(client, "/queue/next", {}, who=who)
        assert response.status == 200, await response.text()
        number: int | None = (await response.json())["number"]
        return number

    assert await next_call(AGENT_ID) == due.number  # a due call-back comes first
    assert await next_call(AGENT_ID) == due.number  # still mine until I log the call
    assert await next_call(3003) == placed[0].number  # Sara gets the next, not mine
    assert await next_call(OWNER_ID) == placed[1].number
    claimed = await Order.get(id=placed[0].id)
    assert (claimed.claimed_by_id, claimed.claimed_by_name) == ("3003", "Sara")
    done = {"outcome": "no_answer", "version": (await Order.get(id=due.id)).version}
    assert (await post(client, f"/orders/{due.number}/calls", done)).status == 200
    # The others are on the rest, and the no-answer is called back by the store's plan.
    assert await next_call(AGENT_ID) is None
    assert (await Order.get(id=due.id)).callback_at is not None
    back = now() - RETRY_GAP - timedelta(minutes=1)
    await Order.filter(id=due.id).update(callback_at=back, last_call_at=back)
    assert await next_call(AGENT_ID) == due.number


async def test_figures_with_money_for_the_owner_only(client: TestClient[Any, Any]) -> None:
    team = await make_team()
    first = await place(team.shop, 1)
    await place(team.shop, 2)
    confirm = {"outcome": "confirmed", "version": first.version}
    assert (await post(client, f"/orders/{first.number}/calls", confirm)).status == 200
    agent = await get(client, "/stats?period=week")
    assert (agent["placed"], agent["confirmed"], agent["by_status"]) == (
        2,
        1,
        {"pending": 1, "confirmed": 1},
    )
    assert agent["team"] == [{"name": "Yacine", "calls": 1, "confirmations": 1}]
    assert "money" not in agent
    owner = await get(client, "/stats?period=week", who=OWNER_ID)
    assert owner["money"] == {"delivered": 0, "booked": first.total}
    refused = await client.get("/desk/api/shop/stats?period=year", headers=tma(OWNER_ID))
    assert refused.status == 400


async def test_the_page_is_one_shell_loading_only_telegrams_script(
    client: TestClient[Any, Any],
) -> None:
    for path in ("/desk/", "/desk/shop/", "/desk/shop/1001"):
        response = await client.get(path)
        assert response.status == 200, path
        html = await response.text()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self' https://telegram.org;" in csp
        assert "https://web.telegram.org" in csp  # Telegram Web frames the Mini App
        assert response.headers["Referrer-Policy"] == "no-referrer"
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        outside = [s for s in sources if not s.startswith("/desk/static/")]
        assert outside == ["https://telegram.org/js/telegram-web-app.js"]
    static = await client.get(re.findall(r'src="(/desk/static/desk\.[0-9a-f]{10}\.js)"', html)[0])
    assert static.status == 200 and "immutable" in static.headers["Cache-Control"]
