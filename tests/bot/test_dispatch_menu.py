"""Dispatch ▸ from the team's phones, against the fake couriers: a home order goes to
Yalidine at once and its card ends shipped with tracking and the label as a document; a
stop-desk order goes through the paged desk picker; the manual courier asks for the
tracking number; refusals are alerts and nothing ships."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.i18n import translator
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.transitions import cancel_order, get_order
from models.shipping.accounts import save_reference
from models.shipping.fees import FeeRow
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from models.stores.setup import set_fees
from shipping.pool import CourierPool
from shipping.service import CourierDispatch
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.couriers.fake_procolis import FakeProcolis
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import make_shop
from tests.fakes.telegram_api import StoredMessage
from tests.shipping.support import OWNER as SAMIRA
from tests.shipping.support import (
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    sealer,
)

_ = translator("fr")  # make_shop's stores speak French


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def pool(yalidine: FakeYalidine) -> AsyncIterator[CourierPool]:
    couriers = CourierPool(sealer(), FakeBuilder(yalidine))
    yield couriers
    await couriers.aclose()


def service(yalidine: FakeYalidine) -> CourierDispatch:
    return CourierDispatch(sealer(), FakeBuilder(yalidine))


async def press(
    desk: Desk, chat: int, message: StoredMessage, data: str, user: dict[str, Any]
) -> dict[str, Any]:
    """Press a button of `message`; the bot's answer to the press."""
    assert len(data.encode()) <= 64
    query = await desk.press(chat, message.message_id, data, user)
    return desk.fake.query(query).answer or {}


def button(message: StoredMessage, text: str) -> str:
    """The callback data of the button whose label contains `text`."""
    found = [b["callback_data"] for b in message.buttons if text in b["text"]]
    assert found, f"no button {text!r} in {[b['text'] for b in message.buttons]}"
    return str(found[0])


async def open_dispatch_menu(
    desk: Desk, chat: int, number: int, user: dict[str, Any]
) -> StoredMessage:
    card = desk.card(chat, number)
    await press(desk, chat, card, next(d for d in card.callback_data if ":dm:" in d), user)
    return desk.fake.message(chat, card.message_id)


async def show(desk: Desk, chat: int, user: dict[str, Any], *orders: Order) -> None:
    """Bring the orders' cards into a chat bound after they were placed (/order)."""
    for order in orders:
        await desk.say(chat, user, f"/order {order.number}")
    await desk.settle()


def labels(desk: Desk, chat: int) -> list[StoredMessage]:
    return [m for m in desk.fake.bot_messages(chat) if m.document is not None]


async def test_a_home_order_ships_through_yalidine_with_its_label_in_each_chat(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    async with running_desk(dispatcher=service(yalidine)) as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        await show(desk, owner_chat, OWNER, order)
        await show(desk, group, AGENT, order)
        menu = await open_dispatch_menu(desk, group, order.number, AGENT)
        texts = [b["text"] for b in menu.buttons]
        assert texts[0] == "🚚 yalidine" and any("✍️" in t for t in texts)

        answer = await press(desk, group, menu, button(menu, "yalidine"), AGENT)
        assert answer["text"] == _(
            "Dispatching #%(number)s to %(courier)s…", number=order.number, courier="yalidine"
        )
        assert not answer.get("show_alert")
        await desk.settle()
        pending = desk.card(group, order.number)
        assert "📦" in pending.text.split("\n")[0] and "Yalidine" in pending.text
        assert not any(":dm:" in d for d in pending.callback_data)  # no second dispatch

        assert await courier_relay(pool).run_once() == 1
        await desk.settle()
        [parcel] = yalidine.parcels.values()
        for chat in (owner_chat, group):
            card = desk.card(chat, order.number)
            assert card.text.startswith("🚚") and parcel["tracking"] in card.text
            [label] = labels(desk, chat)
            assert parcel["tracking"] in (label.caption or "")
            assert label.document and label.document["file_name"] == f"label-{order.number}.html"
            content = desk.fake.file_bytes(label.document["file_id"])
            assert b"Bordereau " + parcel["tracking"].encode() in content

        shipment = await Shipment.get(order_id=order.id)
        await apply_parcel_status(shipment.id, "in_transit", "En transit")
        await desk.settle()
        assert [len(labels(desk, chat)) for chat in (owner_chat, group)] == [1, 1]
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


def _desks_of_alger(extra: int) -> list[dict[str, Any]]:
    """The fake Yalidine's two Alger centres, and `extra` agencies elsewhere in Alger whose
    names sort before them."""
    real = [
        {"id": "160101", "name": "Centre Alger Centre", "wilaya": 16, "commune": "Alger Centre"},
        {"id": "163001", "name": "Centre de Bordj El Kiffan", "wilaya": 16,
         "commune": "Bordj El Kiffan"},
    ]  # fmt: skip
    others = [
        {"id": f"9{i:05d}", "name": f"Agence {i:02d}", "wilaya": 16, "commune": "Rouiba"}
        for i in range(extra)
    ]
    return real + others + [{"id": "50101", "name": "Centre de Batna", "wilaya": 5}]


async def test_a_desk_order_gets_a_paged_picker_customer_commune_first(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, delivery_type="desk")  # Bordj El Kiffan
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    await save_reference(acc.id, {"desks": _desks_of_alger(9)})
    async with running_desk(dispatcher=service(yalidine)) as desk:
        chat = await desk.bind(shop.store, OWNER)
        await show(desk, chat, OWNER, order)
        menu = await open_dispatch_menu(desk, chat, order.number, OWNER)
        answer = await press(desk, chat, menu, button(menu, "yalidine"), OWNER)
        assert answer["text"] == _("Choose the stop desk for #%(number)s", number=order.number)
        page = desk.fake.message(chat, menu.message_id)
        desks = [b["text"] for b in page.buttons if b["text"].startswith("🏢")]
        assert len(desks) == 8 and desks[0] == "🏢 Centre de Bordj El Kiffan"
        assert not any("Batna" in d for d in desks)  # only the order's wilaya
        assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED

        await press(desk, chat, page, button(page, _("Next")), OWNER)
        page = desk.fake.message(chat, menu.message_id)
        desks = [b["text"] for b in page.buttons if b["text"].startswith("🏢")]
        assert desks == ["🏢 Agence 07 · Rouiba", "🏢 Agence 08 · Rouiba", "🏢 Centre Alger Centre"]
        assert all(len(d.encode()) <= 64 for d in page.callback_data)

        answer = await press(desk, chat, page, button(page, "Centre Alger Centre"), OWNER)
        assert f"#{order.number}" in answer["text"] and not answer.get("show_alert")
        await courier_relay(pool).run_once()
        await desk.settle()
        [parcel] = yalidine.parcels.values()
        assert (parcel["is_stopdesk"], parcel["stopdesk_id"]) == (1, 160101)
        assert desk.card(chat, order.number).text.startswith("🚚")


async def test_a_courier_that_picks_the_desk_itself_gets_the_order_at_once(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, delivery_type="desk")
    async with (
        FakeProcolis() as procolis,
        running_desk(dispatcher=CourierDispatch(sealer())) as desk,
    ):
        creds = procolis.account()
        await account(shop.store, "procolis", creds.base_url, dict(creds.credentials))
        chat = await desk.bind(shop.store, OWNER)
        await show(desk, chat, OWNER, order)
        menu = await open_dispatch_menu(desk, chat, order.number, OWNER)
        answer = await press(desk, chat, menu, button(menu, "procolis"), OWNER)
        assert answer["text"].startswith(_("Dispatching #%(number)s to %(courier)s…",
                                           number=order.number, courier="procolis"))  # fmt: skip
        pool = CourierPool(sealer(), FakeBuilder())
        await courier_relay(pool).run_once()
        await pool.aclose()
        [parcel] = procolis.parcels.values()
        assert parcel["TypeLivraison"] == "1"  # the stop desk, Procolis's own choice
    assert (await get_order(shop.store, order.number)).status is OrderStatus.SHIPPED


async def test_no_desk_refused_parcel_and_outdated_menu_are_alerts(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    shop = await make_shop()
    await set_fees(shop.store, {16: FeeRow(400, 250), 6: FeeRow(600, 350)})
    bejaia = await confirmed_order(shop, wilaya="6", commune="0601", delivery_type="desk")
    staoueli = await confirmed_order(shop, phone="0661 22 33 44", commune="1645")
    alger = await confirmed_order(shop, phone="0770 55 66 77")
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    async with running_desk(dispatcher=service(yalidine)) as desk:
        chat = await desk.bind(shop.store, OWNER)
        await show(desk, chat, OWNER, bejaia, staoueli, alger)

        # Yalidine has no stop desk in Béjaïa: refused, not shipped home.
        menu = await open_dispatch_menu(desk, chat, bejaia.number, OWNER)
        answer = await press(desk, chat, menu, button(menu, "yalidine"), OWNER)
        assert answer["show_alert"] and answer["text"] == _(
            "%(courier)s has no stop desk to offer for #%(number)s; choose another courier.",
            courier="yalidine",
            number=bejaia.number,
        )
        assert (await get_order(shop.store, bejaia.number)).status is OrderStatus.CONFIRMED

        # Yalidine refuses the parcel after the press: the card says why and offers
        # Dispatch ▸ again.
        menu = await open_dispatch_menu(desk, chat, staoueli.number, OWNER)
        await press(desk, chat, menu, button(menu, "yalidine"), OWNER)
        await courier_relay(pool).run_once()
        await desk.settle()
        card = desk.card(chat, staoueli.number)
        assert "⚠️ yalidine" in card.text and any(":dm:" in d for d in card.callback_data)
        assert yalidine.parcels == {}

        # Someone cancels while the menu is open: the press names who acted.
        menu = await open_dispatch_menu(desk, chat, alger.number, OWNER)
        await cancel_order(shop.store, alger.number, SAMIRA)
        answer = await press(desk, chat, menu, button(menu, "yalidine"), OWNER)
        assert answer["show_alert"] and "Samira" in answer["text"]
    assert not await Shipment.filter(order_id__in=[bejaia.id, alger.id]).exists()
    assert (await Order.get(id=alger.id)).status == "cancelled"


async def test_the_manual_courier_asks_for_the_tracking_number(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    async with running_desk(dispatcher=service(yalidine)) as desk:
        chat = await desk.bind(shop.store, OWNER)
        await show(desk, chat, OWNER, order)
        menu = await open_dispatch_menu(desk, chat, order.number, OWNER)
        await press(desk, chat, menu, button(menu, "✍️"), OWNER)
        prompt = _("Reply with the tracking number for #%(number)s", number=order.number)
        await desk.fake.wait_for(
            lambda f: any(prompt in (m.text or "") for m in f.bot_messages(chat)), 10
        )
        asked = next(m for m in desk.fake.bot_messages(chat) if prompt in (m.text or ""))
        before = len(desk.fake.bot_messages(chat))
        await desk.fake.send_update(
            desk.fake.user_message(chat, OWNER, "ZR-778899", reply_to=asked.message_id)
        )
        await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, 10)
        await desk.settle()
        assert "ZR-778899" in desk.card(chat, order.number).text
        assert labels(desk, chat) == []  # no label for a parcel shipped by hand
    assert yalidine.parcels == {}
    assert (await get_order(shop.store, order.number)).courier == "manual"
