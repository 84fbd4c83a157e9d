"""✏️ Edit ▸ from the team's phones, in French and Arabic: the variant and the delivery type
of a confirmed order changed on the call (stock moved once, fee from the table, the diff on
the timeline, both cards edited, the order.updated webhook sent), typed fields and the
owner's discount, an edit overtaken by another change, and short stock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.edit_session import EditPress, edit_button, parse_edit
from bot.i18n import money
from models.catalog.tables import Variant
from models.orders import intake, transitions
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.outbox import webhooks
from notify.webhooks import WebhookChannel
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk, running_desk
from tests.bot.test_calls_flow import question, reply, tap, team
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import StoredMessage
from tests.notify.test_webhooks import SEALER, drain, relay_with
from tests.notify.webhook_receiver import Receiver, receiving

NADIA = Actor("owner", str(OWNER["id"]), "Nadia Owner")


@pytest.fixture(autouse=True)
def no_error_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No update of the edit flow fails (the bot logs those at ERROR with a traceback)."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


@pytest.fixture
async def receiver(db: str) -> AsyncIterator[Receiver]:
    async with receiving() as receiver:
        yield receiver


async def place(shop: Shop, qty: int = 1) -> Order:
    return (await intake.place_order(shop.store, checkout(shop.variants[0].id, qty))).order


def panel(desk: Desk, chat: int) -> StoredMessage:
    """The last edit panel the bot sent in the chat (as it shows now)."""
    found = [
        m for m in desk.fake.bot_messages(chat) if (m.text or "").startswith(("✏️", "💾", "⌛", "✖️"))
    ]
    assert found, "no edit panel"
    return desk.fake.message(chat, found[-1].message_id)


async def step(desk: Desk, chat: int, data: str, user: dict[str, Any] = AGENT) -> dict[str, Any]:
    """Press a button of the panel; the bot's answer."""
    shown = panel(desk, chat)
    assert data in shown.callback_data, (data, shown.callback_data)
    query = await desk.press(chat, shown.message_id, data, user)
    return desk.fake.query(query).answer


async def open_edit(desk: Desk, chat: int, number: int, user: dict[str, Any]) -> StoredMessage:
    before = len(desk.fake.bot_messages(chat))
    await tap(desk, chat, number, "ed", user)
    await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, 10)
    return panel(desk, chat)


async def typed(desk: Desk, chat: int, data: str, text: str, user: dict[str, Any]) -> None:
    """Press a panel button that asks for text, and answer the question."""

    def asked(fake: Any) -> int:
        return sum(
            "force_reply" in r.params.get("reply_markup", {})
            for r in fake.calls("sendMessage", ok=True)
        )

    before = asked(desk.fake)
    await step(desk, chat, data, user)
    await desk.fake.wait_for(lambda f: asked(f) > before, 10)
    edits = len(desk.fake.calls("editMessageText", ok=True))
    await reply(desk, chat, await question(desk, chat), user, text, heard=False)
    await desk.fake.wait_for(lambda f: len(f.calls("editMessageText", ok=True)) > edits, 10)


async def stock(shop: Shop) -> list[int]:
    return [(await Variant.get(id=v.id)).stock for v in shop.variants]


async def test_changing_the_variant_and_the_delivery_type_on_the_call_in_french(
    receiver: Receiver,
) -> None:
    shop = await make_shop(stock=5)
    endpoint, _secret = await webhooks.create_endpoint(
        SEALER, shop.store, f"{receiver.url}/hook", ("order.updated",), allow_private=True
    )
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, NADIA)
        await desk.settle()
        assert await stock(shop) == [4, 5]
        cards = {chat: desk.card(chat, order.number).message_id for chat in (owner_chat, group)}

        shown = await open_edit(desk, group, order.number, AGENT)
        assert shown.text.startswith(f"✏️ Modifier #{order.number}")
        assert "e:ty:5" not in shown.callback_data  # the fee is the owner's
        await step(desk, group, "e:it:0")
        await step(desk, group, "e:li:0")
        await step(desk, group, f"e:lv:0:{shop.variants[1].id}")
        await step(desk, group, "e:bk:0")
        await step(desk, group, "e:dt:0")
        shown = panel(desk, group)
        assert "Robe kabyle (Taille: L)" in shown.text and "Stop desk" in shown.text
        assert money(250, "fr") in shown.text  # Alger's stop-desk fee, before saving
        answer = await step(desk, group, "e:sv:0")
        assert answer["text"] == f"#{order.number} mis à jour"
        assert panel(desk, group).text.startswith(f"💾 #{order.number} mis à jour")
        await desk.settle()

        assert await stock(shop) == [5, 4]  # moved once: M given back, L taken
        fresh = await Order.get(id=order.id)
        assert (fresh.delivery_type, fresh.delivery_fee, fresh.total) == ("desk", 250, 5050)
        edited = await OrderEvent.filter(order_id=order.id, type="edited").get()
        assert edited.actor_name == "Yacine"
        assert edited.data["changes"]["delivery_fee"] == {"before": 400, "after": 250}
        assert edited.data["changes"]["lines"]["after"][0]["variant_id"] == shop.variants[1].id
        for chat, message_id in cards.items():
            card = desk.card(chat, order.number)
            assert card.message_id == message_id and card.edit_date is not None
            assert "Taille: L" in card.text and "Stop desk" in card.text
            assert money(250, "fr") in card.text and money(5050, "fr") in card.text

        await tap(desk, group, order.number, "tl", AGENT)
        await desk.fake.wait_for(
            lambda f: any("Modifiée" in (m.text or "") for m in f.bot_messages(group)), 10
        )
        timeline = next(m for m in desk.fake.bot_messages(group)[::-1] if "Modifiée" in m.text)
        fee = f"Frais de livraison\u00a0: {money(400, 'fr')} → {money(250, 'fr')}"
        assert fee in timeline.text

    channel = WebhookChannel(SEALER, allow_private=True, timeout=2.0)
    try:
        await drain(relay_with(channel))
    finally:
        await channel.aclose()
    [hook] = receiver.at("/hook")
    assert hook.event == "order.updated" and endpoint.active
    assert hook.envelope["data"]["number"] == order.number
    assert {"lines", "delivery_type", "delivery_fee", "total"} <= set(
        hook.envelope["data"]["changed"]
    )


async def test_typed_fields_the_owners_discount_and_a_new_place_in_arabic(db: str) -> None:
    shop = await make_shop(stock=5, lang="ar")
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        shown = await open_edit(desk, owner_chat, order.number, OWNER)
        assert shown.text.startswith(f"✏️ تعديل #{order.number}")

        await typed(desk, owner_chat, "e:ty:1", "٠٦٦١ ٢٢ ٣٣ ٤٤", OWNER)  # second phone
        await typed(desk, owner_chat, "e:ty:6", "500 زبونة وفية", OWNER)  # discount
        await step(desk, owner_chat, "e:wp:0", OWNER)
        await step(desk, owner_chat, "e:wy:31", OWNER)
        assert "البلدية: ناقص" in panel(desk, owner_chat).text  # Oran's commune is asked for
        await step(desk, owner_chat, "e:cp:1", OWNER)  # the next page of Oran's communes
        assert "e:cm:12" in panel(desk, owner_chat).callback_data
        await typed(desk, owner_chat, "e:ty:4", "وهران", OWNER)  # the commune, typed
        shown = panel(desk, owner_chat)
        assert "0661 22 33 44" in shown.text and "وهران" in shown.text
        answer = await step(desk, owner_chat, "e:sv:0", OWNER)
        assert answer["text"] == f"تم تحديث #{order.number}"
        await desk.settle()

        fresh = await Order.get(id=order.id)
        assert (fresh.phone2, fresh.wilaya_code, fresh.commune_code) == (
            "+213661223344",
            31,
            "3101",
        )
        assert (fresh.delivery_fee, fresh.discount, fresh.total) == (600, 500, 4600)
        edited = await OrderEvent.filter(type="edited").get()
        assert edited.note == "زبونة وفية"
        for chat in (owner_chat, group):
            card = desk.card(chat, order.number)
            assert "0661 22 33 44" in card.text and "وهران" in card.text
            assert money(4600, "ar") in card.text


async def test_an_edit_overtaken_by_another_change_says_who_acted(db: str) -> None:
    shop = await make_shop(stock=5, lang="ar")
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await open_edit(desk, group, order.number, AGENT)
        await step(desk, group, "e:dt:0")
        await tap(desk, owner_chat, order.number, "cf", OWNER)
        answer = await step(desk, group, "e:sv:0")
        assert answer["show_alert"] and "Nadia" in answer["text"]
        assert panel(desk, group).text.startswith("⌛")
        assert panel(desk, group).callback_data == []
        fresh = await Order.get(id=order.id)
        assert fresh.delivery_type == "home" and fresh.status.value == "confirmed"
        assert not await OrderEvent.filter(type="edited").exists()


async def test_short_stock_names_the_variant_and_keeps_the_draft(db: str) -> None:
    shop = await make_shop(stock=1)
    async with running_desk() as desk:
        _owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, NADIA)
        await Variant.filter(id=shop.variants[1].id).update(stock=0)
        await desk.settle()
        await open_edit(desk, group, order.number, AGENT)
        await step(desk, group, "e:it:0")
        await step(desk, group, "e:li:0")
        await step(desk, group, f"e:lv:0:{shop.variants[1].id}")
        await step(desk, group, "e:bk:0")
        answer = await step(desk, group, "e:sv:0")
        assert answer["show_alert"]
        assert "Stock insuffisant" in answer["text"] and "Taille: L" in answer["text"]
        assert await stock(shop) == [0, 0]
        assert (await Order.get(id=order.id)).version == order.version + 1
        # The draft stays: the agent can take another size and save.
        assert "e:sv:0" in panel(desk, group).callback_data


async def test_the_panel_is_its_openers_and_prices_are_the_owners_in_french(db: str) -> None:
    shop = await make_shop(stock=5)
    async with running_desk() as desk:
        _owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await transitions.transition_order(shop.store, order.number, OrderStatus.CONFIRMED, NADIA)
        await transitions.transition_order(shop.store, order.number, OrderStatus.PROCESSING, NADIA)
        await desk.settle()
        shown = await open_edit(desk, group, order.number, AGENT)
        assert "En préparation" in shown.text  # a processing order: change the parcel too
        answer = await step(desk, group, "e:dt:0", AGENT2)
        assert answer["show_alert"] and "Quelqu'un d'autre" in answer["text"]
        forged = desk.fake.press(group, shown.message_id, "e:ty:5", AGENT, check_button=False)
        await desk.fake.send_update(forged)
        query = forged["callback_query"]["id"]
        await desk.fake.wait_for(lambda f: f.query(query).answered, 10)
        assert "Seul un propriétaire" in desk.fake.query(query).answer["text"]
        await step(desk, group, "e:cx:0")
        assert panel(desk, group).text.startswith("✖️") and not panel(desk, group).callback_data

        await open_edit(desk, group, order.number, OWNER)
        await typed(desk, group, "e:ty:5", "0 client fidèle", OWNER)  # delivery fee
        await typed(desk, group, "e:ty:3", "Livrer après 17h", OWNER)  # call note
        answer = await step(desk, group, "e:sv:0", OWNER)
        assert answer["text"] == f"#{order.number} mis à jour"
        assert "En préparation" in panel(desk, group).text
        await desk.settle()
        fresh = await Order.get(id=order.id)
        assert (fresh.delivery_fee, fresh.total, fresh.call_note) == (0, 4500, "Livrer après 17h")
        card = desk.card(group, order.number)
        assert "🗒 Livrer après 17h" in card.text and money(4500, "fr") in card.text


def test_edit_buttons_fit_telegram_and_forged_data_does_not_parse() -> None:
    biggest = edit_button("lv", 29, 2**31 - 1)
    assert biggest.isascii() and len(biggest.encode()) <= 64
    assert parse_edit(biggest) == EditPress("lv", 29, 2**31 - 1)
    assert parse_edit(edit_button("sv")) == EditPress("sv", 0, 0)
    for forged in ("e:zz:1", "e:sv:-1", "e:sv:1\n", "e:lv:1:2:3", "e:sv:١", "", None):
        assert parse_edit(forged) is None
    with pytest.raises(ValueError):
        edit_button("zz")
