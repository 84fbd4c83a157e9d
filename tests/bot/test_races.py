"""Presses that must not do what they ask: two at once, an outdated card, forged data, a
stranger, another store's order. One wins or none does; the others are told why."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.i18n import translator
from models.calls import outcomes
from models.calls.tables import CallAttempt
from models.catalog.tables import Variant
from models.orders import intake
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.outbox.tables import OutboxMessage
from models.team import members
from models.team.tables import CardMessage
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop

_ = translator("fr")  # make_shop's stores speak French
STRANGER = {"id": 5005, "first_name": "Inconnu"}


async def place(shop: Shop, quantity: int = 2, **fields: Any) -> Order:
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, quantity, **fields))
    return placed.order


def button(desk: Desk, chat: int, number: int, action: str) -> tuple[int, str]:
    card = desk.card(chat, number)
    return card.message_id, next(d for d in card.callback_data if f":{action}:" in d)


def press_update(desk: Desk, chat: int, number: int, action: str, user: dict[str, Any]) -> Any:
    message_id, data = button(desk, chat, number, action)
    return desk.fake.press(chat, message_id, data, user)


def answer(desk: Desk, update: dict[str, Any]) -> dict[str, Any]:
    return desk.fake.query(update["callback_query"]["id"]).answer


async def forge(desk: Desk, chat: int, message_id: int, data: str, user: dict[str, Any]) -> Any:
    """A press with data the message never carried; returns the bot's answer."""
    update = desk.fake.press(chat, message_id, data, user, check_button=False)
    await desk.fake.send_update(update)
    await desk.fake.wait_for(lambda f: f.query(update["callback_query"]["id"]).answered, 10)
    return answer(desk, update)


async def unchanged(order: Order) -> None:
    now = await Order.get(id=order.id)
    assert (now.status, now.version, now.call_attempts) == ("pending", order.version, 0)
    assert not await CallAttempt.filter(order_id=order.id).exists()


async def team_desk(desk: Desk, shop: Shop) -> tuple[int, int]:
    owner_chat = await desk.bind(shop.store, OWNER)
    group = await desk.bind_group(shop.store, [OWNER, AGENT])
    return owner_chat, group


async def deliver(desk: Desk, updates: list[Any], together: bool) -> None:
    """Both presses at the same instant (handled concurrently), or queued back to back for
    polling (handled one after the other, the second on an outdated card)."""
    app = desk.runtime.app
    if together:
        await asyncio.gather(*(app.process_update(Update.de_json(u, app.bot)) for u in updates))
        return
    for update in updates:
        await desk.fake.send_update(update)
    for update in updates:
        query = update["callback_query"]["id"]
        await desk.fake.wait_for(lambda f, q=query: f.query(q).answered, timeout=10)


@pytest.mark.parametrize("together", [True, False], ids=["concurrent", "polled"])
async def test_two_confirms_on_two_cards_one_wins_the_other_is_told_who(
    db: str, together: bool
) -> None:
    shop = await make_shop(stock=5)
    async with running_desk() as desk:
        owner_chat, group = await team_desk(desk, shop)
        order = await place(shop)
        await desk.settle()
        presses = [
            press_update(desk, owner_chat, order.number, "cf", OWNER),
            press_update(desk, group, order.number, "cf", AGENT),
        ]
        await deliver(desk, presses, together)
        await desk.settle()

        moved = await OrderEvent.filter(order_id=order.id, type="status_changed")
        assert [(e.from_status, e.to_status) for e in moved] == [("pending", "confirmed")]
        winner = moved[0].actor_name
        assert winner in ("Nadia Owner", "Yacine")
        assert await CallAttempt.filter(order_id=order.id).count() == 1
        assert (await Variant.get(id=shop.variants[0].id)).stock == 3  # moved once
        alerts = [a for a in (answer(desk, u) for u in presses) if a.get("show_alert")]
        told = _(
            "#%(number)s was just changed by %(name)s (now %(status)s).",
            number=order.number,
            name=winner,
            status=_("Confirmed"),
        )
        assert [a["text"] for a in alerts] == [told]
        for chat in (owner_chat, group):
            card = desk.card(chat, order.number)
            assert card.text.startswith("✅") and any(":pr:" in d for d in card.callback_data)


async def test_an_outdated_card_is_refused_with_who_acted_and_refreshed(db: str) -> None:
    shop = await make_shop(stock=5)
    async with running_desk() as desk:
        owner_chat, _group = await team_desk(desk, shop)
        order = await place(shop)
        await desk.settle()
        assert desk.runtime.sender is not None
        await desk.runtime.sender.stop()  # cards now lag until this test lets them catch up
        message_id, old_confirm = button(desk, owner_chat, order.number, "cf")
        yacine = Actor("agent", str(AGENT["id"]), "Yacine")
        await outcomes.log_call(shop.store, order.number, "busy", yacine)
        while await OutboxMessage.filter(channel="telegram", status="pending").exists():
            await desk.relay.run_once()
        # As if the owner's card had missed that edit: nothing left to bring it up to date.
        await CardMessage.filter(order_id=order.id).update(dirty=False)

        refused = await forge(desk, owner_chat, message_id, old_confirm, OWNER)
        assert refused["show_alert"] and "Yacine" in refused["text"]
        fresh = await Order.get(id=order.id)
        assert (fresh.status, fresh.call_attempts) == ("pending", 1)
        await desk.settle()
        card = desk.card(owner_chat, order.number)
        assert card.message_id == message_id and "☎️" in card.text
        assert all(d.endswith(f":{fresh.version}") for d in card.callback_data)


async def test_a_menu_on_an_outdated_card_is_refused_too(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, _group = await team_desk(desk, shop)
        order = await place(shop)
        await desk.settle()
        message_id, old_menu = button(desk, owner_chat, order.number, "cm")
        await outcomes.log_call(shop.store, order.number, "busy", Actor("agent", "9", "Sara"))
        await desk.settle()
        refused = await forge(desk, owner_chat, message_id, old_menu, OWNER)
        assert refused["show_alert"] and "Sara" in refused["text"]
        card = desk.fake.message(owner_chat, message_id)
        assert any(":cf:" in d for d in card.callback_data)  # still the main buttons


@pytest.mark.parametrize(
    "data",
    [
        "zz:1:2",
        "o:{id}:zz:{version}",
        "o:{id}:cf:{version}:9",
        "o:99999:cf:1",
        "o:" + "9" * 70 + ":cf:1",
        "o:{id}:cf:{version}\n",
    ],
)
async def test_forged_data_gets_an_alert_and_changes_nothing(db: str, data: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        order = await place(shop)
        await desk.settle()
        card = desk.card(owner_chat, order.number)
        forged = data.format(id=order.id, version=order.version)
        refused = await forge(desk, owner_chat, card.message_id, forged, OWNER)
        assert refused["show_alert"] and refused["text"] in (
            _("This button is no longer valid."),
            _("This order no longer exists."),
        )
        await unchanged(order)


async def test_with_roster_mode_a_group_member_off_the_roster_cannot_press(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT, STRANGER])
        await members.set_roster_mode(shop.store, True)
        order = await place(shop)
        await desk.settle()
        for who in (STRANGER, AGENT):  # the agent joined through the group, not an invite
            message_id, confirm = button(desk, group, order.number, "cf")
            refused = await forge(desk, group, message_id, confirm, who)
            assert refused == {"text": _("Only the store's team can do this."), "show_alert": True}
        await unchanged(order)


async def test_a_stranger_in_a_private_chat_cannot_press_a_copied_button(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        order = await place(shop)
        await desk.settle()
        _mid, confirm = button(desk, owner_chat, order.number, "cf")
        own = desk.fake.add_private_chat(STRANGER)
        await desk.say(own, STRANGER, "/start")
        hello = desk.fake.bot_messages(own)[-1]
        refused = await forge(desk, own, hello.message_id, confirm, STRANGER)
        told = _("This card does not belong to a store this chat serves.")
        assert refused == {"text": told, "show_alert": True}
        await unchanged(order)


async def test_a_press_on_another_stores_order_is_refused_in_this_stores_language(
    db: str,
) -> None:
    ours, theirs = await make_shop("ours"), await make_shop("theirs", lang="en")
    async with running_desk() as desk:
        await desk.bind(ours.store, OWNER)
        their_group = await desk.bind_group(theirs.store, [AGENT2])
        order = await place(ours, name="Secret Customer")
        await desk.settle()
        assert not any("Secret" in m.text for m in desk.fake.bot_messages(their_group))
        hello = desk.fake.bot_messages(their_group)[-1]
        forged = f"o:{order.id}:cf:{order.version}"
        refused = await forge(desk, their_group, hello.message_id, forged, AGENT2)
        told = translator("en")("This card does not belong to a store this chat serves.")
        assert refused == {"text": told, "show_alert": True}
        await unchanged(order)
