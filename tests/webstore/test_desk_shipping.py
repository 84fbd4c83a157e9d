"""The desk's Shipping screen over HTTP against the fake Yalidine: ten confirmed orders
dispatched in one press (ten parcels, one each, a second press makes none), one PDF of
their ten labels read back with pypdf, the courier's own PDF merged in, refusals listed per
order in the person's language while the others ship, the pick list, and every refusal of
the screen (an agent on the owner's setting, another store's orders, forged or expired
print links) with nothing changed."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from models.catalog.tables import Variant
from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.shipping.tables import Shipment
from models.stores.tables import Store
from models.team.tables import Member
from shipping.pool import CourierPool
from shipping.service import CourierDispatch
from tests.couriers.fake_yalidine import FakeYalidine
from tests.shipping.support import (
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    deliver_now,
    sealer,
)
from tests.webstore.api_support import phone, place, serve
from tests.webstore.desk_support import (
    AGENT_ID,
    BOT_TOKEN,
    OWNER_ID,
    STRANGER_ID,
    Team,
    make_team,
    tma,
)
from tests.wiring import WireOutbox
from webstore.config import WebConfig
from webstore.desk_print import LINK_SECONDS, sign_link

SECRET = "test"


@pytest.fixture(autouse=True)
def routes(wire_outbox: WireOutbox) -> None:
    wire_outbox(telegram=True)


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def client(db: str, yalidine: FakeYalidine) -> AsyncIterator[TestClient[Any, Any]]:
    config = WebConfig(
        secret_key=SECRET,
        telegram_bot_token=BOT_TOKEN,
        dispatcher=CourierDispatch(sealer(), FakeBuilder(yalidine)),
    )
    async with serve(config) as client:
        yield client


async def shop_with_orders(count: int, yalidine: FakeYalidine, **fields: Any) -> tuple[Team, int]:
    """A team, `count` confirmed orders (distinct customers) and a Yalidine account."""
    team = await make_team()
    await Variant.filter(product__store_id=team.shop.store.id).update(stock=1000)
    for i in range(count):
        await confirmed_order(team.shop, phone=phone(i), **fields)
    acc = await account(team.shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    return team, acc.id


async def call(
    client: TestClient[Any, Any], path: str, body: Any = None, who: int = AGENT_ID, **kw: Any
) -> tuple[int, Any]:
    url, headers = f"/desk/api/shop{path}", tma(who, **kw)
    if body is None:
        resp = await client.get(url, headers=headers)
    else:
        resp = await client.post(url, json=body, headers=headers)
    return resp.status, await resp.json()


async def create_parcels(yalidine: FakeYalidine, rounds: int = 10) -> int:
    """The courier channel's turn (the worker's relay, after the press's commit), until
    every parcel asked for is created or refused: Yalidine admits 5 creations a second,
    so the fake's clock moves on between rounds."""
    pool = CourierPool(sealer(), FakeBuilder(yalidine))
    delivered = 0
    try:
        for _ in range(rounds):
            delivered += await courier_relay(pool).run_once()
            if not await Shipment.exists(state="requested"):
                break
            await yalidine.clock.sleep(2)
            await deliver_now()
    finally:
        await pool.aclose()
    return delivered


async def printed(client: TestClient[Any, Any], kind: str, numbers: list[int]) -> PdfReader:
    status, link = await call(client, "/shipping/print", {"kind": kind, "orders": numbers})
    assert status == 200, link
    resp = await client.get(link["url"])  # no init data: Telegram opens the link itself
    assert resp.status == 200 and resp.content_type == "application/pdf"
    return PdfReader(io.BytesIO(await resp.read()))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


async def test_ten_orders_ship_in_one_press_once_and_print_on_one_pdf(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    team, acc = await shop_with_orders(10, yalidine)
    status, screen = await call(client, "/shipping")
    assert status == 200
    assert [a["id"] for a in screen["accounts"]] == [acc] and screen["accounts"][0]["default"]
    numbers = [o["number"] for o in screen["orders"]]
    assert len(numbers) == 10 and screen["label_format"] == "a4"

    body = {"account_id": acc, "orders": [{"number": n} for n in numbers]}
    status, done = await call(client, "/shipping/dispatch", body)
    assert status == 200
    assert [(o["number"], o["outcome"]) for o in done["orders"]] == [
        (n, "requested") for n in numbers
    ]
    # A second press (a double tap, a retry after a lost answer) makes no second parcel.
    status, again = await call(client, "/shipping/dispatch", body)
    assert {o["outcome"] for o in again["orders"]} == {"already"}
    assert await Shipment.filter(order__store_id=team.shop.store.id).count() == 10

    assert await create_parcels(yalidine) == 10
    assert len(yalidine.parcels) == 10
    status, progress = await call(
        client, f"/shipping/progress?orders={','.join(map(str, numbers))}"
    )
    trackings = [o["tracking"] for o in progress["orders"]]
    assert {(o["status"], o["parcel"]) for o in progress["orders"]} == {("shipped", "created")}
    assert sorted(trackings) == sorted(yalidine.parcels)
    # Attributed to the agent who pressed, and each order's cards are told.
    requested = await OrderEvent.filter(type="dispatch_requested").order_by("id")
    assert {(e.actor_kind, e.actor_id, e.actor_name) for e in requested} == {
        ("agent", str(AGENT_ID), "Yacine")
    }
    assert len(requested) == 10
    cards = await OutboxMessage.filter(channel="telegram", topic="order.shipped").count()
    assert cards == 10
    _, screen = await call(client, "/shipping")
    assert screen["orders"] == []  # shipped: no longer waiting

    a4 = await printed(client, "labels", numbers)
    assert len(a4.pages) == 3  # 4 labels to a sheet
    text = text_of(a4)
    assert all(t in text for t in trackings) and all(f"#{n}" in text for n in numbers)
    assert "Montant à encaisser" in text and "Amina Benali" in text

    status, _ = await call(client, "/shipping/format", {"label_format": "thermal"}, who=OWNER_ID)
    assert status == 200
    thermal = await printed(client, "labels", numbers)
    assert len(thermal.pages) == 10
    for page, tracking in zip(thermal.pages, trackings, strict=True):
        assert tracking in page.extract_text()
        assert round(float(page.mediabox.width) / 72 * 25.4) == 100  # 10 × 15 cm
        assert round(float(page.mediabox.height) / 72 * 25.4) == 150


async def test_a_refused_order_is_listed_with_its_reason_while_the_others_ship(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    team, acc = await shop_with_orders(2, yalidine)
    desk = await confirmed_order(team.shop, phone=phone(50), delivery_type="desk")
    pending = await place(team.shop, 60)
    numbers = [o.number for o in await Order.filter(status="confirmed").order_by("id")]
    picks = [{"number": n} for n in numbers] + [{"number": pending.number}]
    status, done = await call(client, "/shipping/dispatch", {"account_id": acc, "orders": picks})
    assert status == 200
    outcomes = {o["number"]: o for o in done["orders"]}
    assert outcomes[desk.number]["outcome"] == "failed"
    assert outcomes[desk.number]["code"] == "desk_needed"
    assert outcomes[desk.number]["reason"] == "Choisissez le point relais de cette commande."
    assert outcomes[pending.number]["code"] == "not_ready"
    shipped = [n for n, o in outcomes.items() if o["outcome"] == "requested"]
    assert len(shipped) == 2 and desk.number not in shipped
    assert not await Shipment.filter(order_id=desk.id).exists()

    # The desk chosen from the courier's list, the order ships too; in Arabic this time.
    status, desks = await call(client, f"/shipping/desks?account={acc}&number={desk.number}")
    assert status == 200 and desks["desks"]
    one = {"number": desk.number, "stopdesk_id": desks["desks"][0]["id"]}
    status, done = await call(
        client,
        "/shipping/dispatch",
        {"account_id": acc, "orders": [one, {"number": pending.number}]},
        lang="ar",
    )
    assert [o["outcome"] for o in done["orders"]] == ["requested", "failed"]
    assert done["orders"][1]["reason"].startswith("غير جاهز")


async def test_the_couriers_own_pdf_label_is_merged_and_the_pick_list_sums_the_orders(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    _, acc = await shop_with_orders(3, yalidine)
    numbers = [o.number for o in await Order.filter(status="confirmed").order_by("id")]
    body = {"account_id": acc, "orders": [{"number": n} for n in numbers]}
    await call(client, "/shipping/dispatch", body)
    await create_parcels(yalidine)
    own = io.BytesIO()
    canvas = Canvas(own)
    canvas.drawString(100, 700, "YALIDINE BORDEREAU OFFICIEL")
    canvas.save()
    first = await Order.get(number=numbers[0])
    await Shipment.filter(order_id=first.id).update(
        label=own.getvalue(), label_type="application/pdf"
    )
    pdf = await printed(client, "labels", numbers)
    assert len(pdf.pages) == 2  # the courier's page, then one A4 sheet of ours
    assert "BORDEREAU OFFICIEL" in pdf.pages[0].extract_text()
    assert f"#{numbers[1]}" in pdf.pages[1].extract_text()

    picks = text_of(await printed(client, "pick_list", numbers))
    assert "Robe kabyle" in picks and "Taille: M" in picks
    assert "3 commandes" in picks
    assert "6" in picks.split("Taille: M")[1]  # 3 orders × 2 units


async def test_refusals_change_nothing(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    team, acc = await shop_with_orders(1, yalidine)
    mine = await Order.get(store_id=team.shop.store.id)
    other = await make_team("other")
    await Variant.filter(product__store_id=other.shop.store.id).update(stock=1000)
    theirs = [await confirmed_order(other.shop, phone=phone(70 + i)) for i in range(3)][-1]
    assert not await Order.exists(store_id=team.shop.store.id, number=theirs.number)
    # Only the owner sets the label format.
    status, body = await call(client, "/shipping/format", {"label_format": "thermal"})
    assert (status, body["error"]["code"]) == (403, "owner_only")
    status, _ = await call(client, "/shipping/format", {"label_format": "A5"}, who=OWNER_ID)
    assert status == 422
    assert (await Store.get(id=team.shop.store.id)).label_format == "a4"
    # Another store's order is no order here: refused, listed, nothing dispatched there.
    body = {"account_id": acc, "orders": [{"number": theirs.number}]}
    status, done = await call(client, "/shipping/dispatch", body)
    assert (status, done["orders"][0]["code"]) == (200, "not_found")
    status, _ = await call(client, f"/shipping/desks?account={acc}&number={theirs.number}")
    assert status == 404
    status, _ = await call(client, f"/shipping/progress?orders={theirs.number}")
    assert _ == {"orders": []}
    body = {"kind": "labels", "orders": [theirs.number]}
    assert (await call(client, "/shipping/print", body))[0] == 409  # no parcel here
    # Another store's courier account, made-up input.
    other_acc = await account(other.shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    body = {"account_id": other_acc.id, "orders": [{"number": mine.number}]}
    assert (await call(client, "/shipping/dispatch", body))[0] == 404
    for bad in (
        {"account_id": acc, "orders": []},
        {"account_id": acc, "orders": [{"number": "x"}]},
    ):
        assert (await call(client, "/shipping/dispatch", bad))[0] == 422
    assert (await call(client, "/shipping/progress?orders=abc"))[0] == 400
    # Someone outside both teams, and no init data at all.
    assert (await call(client, "/shipping", who=STRANGER_ID))[0] == 403
    assert (await client.get("/desk/api/shop/shipping")).status == 401
    assert not await Shipment.exists()
    assert (await Order.get(id=theirs.id)).status.value == "confirmed"
    assert (await Order.get(id=mine.id)).status.value == "confirmed"


async def test_print_links_are_signed_short_lived_and_for_members_only(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    team, acc = await shop_with_orders(1, yalidine)
    number = (await Order.get(store_id=team.shop.store.id)).number
    await call(client, "/shipping/dispatch", {"account_id": acc, "orders": [{"number": number}]})
    await create_parcels(yalidine)
    status, link = await call(client, "/shipping/print", {"kind": "labels", "orders": [number]})
    assert status == 200 and link["count"] == 1
    token = link["url"].split("/")[3]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert (await client.get(f"/desk/print/{forged}/x.pdf")).status == 404
    claims = {"s": team.shop.store.id, "u": AGENT_ID, "l": "fr", "k": "labels", "n": [number]}
    expired = sign_link(SECRET, {**claims, "e": 1})
    assert (await client.get(f"/desk/print/{expired}/x.pdf")).status == 404
    other_key = sign_link("another-secret", {**claims, "e": 2**40})
    assert (await client.get(f"/desk/print/{other_key}/x.pdf")).status == 404
    assert LINK_SECONDS <= 900
    await Member.filter(telegram_user_id=AGENT_ID).update(active=False)
    assert (await client.get(link["url"])).status == 403  # left the team since
    status, _ = await call(client, "/shipping")
    assert status == 403
    status, _ = await call(client, "/shipping", who=OWNER_ID)
    assert status == 200


async def test_two_presses_at_once_still_make_one_parcel_per_order(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    team, acc = await shop_with_orders(10, yalidine)
    numbers = [o.number for o in await Order.filter(store_id=team.shop.store.id)]
    body = {"account_id": acc, "orders": [{"number": n} for n in numbers]}
    first, second = await asyncio.gather(
        call(client, "/shipping/dispatch", body),
        call(client, "/shipping/dispatch", body, who=OWNER_ID),
    )
    assert first[0] == second[0] == 200
    for number in numbers:
        outcomes = [
            o["outcome"]
            for answer in (first[1], second[1])
            for o in answer["orders"]
            if o["number"] == number
        ]
        assert outcomes.count("requested") == 1, (number, outcomes)
    assert await Shipment.filter(order__store_id=team.shop.store.id).count() == 10
    assert await create_parcels(yalidine) == 10
    assert len(yalidine.parcels) == 10
