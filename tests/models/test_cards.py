"""Which cards each chat should show and which lag their order (models.team.cards): marked once
per chat however often, never lost, never listed twice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import connections

from models.orders import intake
from models.orders.tables import Order
from models.stores import setup
from models.team import cards, members
from models.team.members import ChatRef
from models.team.tables import CardMessage, TelegramChat
from tests.factories import Shop, checkout, make_shop


async def place(shop: Shop, phone: str = "0550123456") -> Order:
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1, phone=phone))
    return placed.order


async def chat(shop: Shop, chat_id: int, kind: str = "private") -> TelegramChat:
    ref = ChatRef(chat_id, kind, f"chat {chat_id}", abs(chat_id), "Nadia")
    token = await setup.create_invite(shop.store, "owner")
    return (await members.accept_invite(token, ref)).chat


async def card(order: Order, where: TelegramChat) -> CardMessage:
    return await CardMessage.get(order_id=order.id, chat_id=where.id)


async def test_every_active_chat_gets_one_card_however_often_marked(db: str) -> None:
    shop = await make_shop()
    owner, group = await chat(shop, 1001), await chat(shop, -4001, "group")
    off = await chat(shop, 3003)
    await TelegramChat.filter(id=off.id).update(active=False)
    order = await place(shop)
    results = await asyncio.gather(*(cards.mark_cards(order.id, v) for v in (1, 3, 2, 3)))
    assert results == [2, 2, 2, 2]
    marked = await CardMessage.filter(order_id=order.id).order_by("chat_id")
    assert [(c.chat_id, c.wanted_version, c.dirty) for c in marked] == [
        (owner.id, 3, True),
        (group.id, 3, True),
    ]


async def test_a_card_stays_dirty_when_the_order_moved_during_its_render(db: str) -> None:
    shop = await make_shop()
    owner = await chat(shop, 1001)
    order = await place(shop)
    await cards.mark_cards(order.id, 1)
    first = await card(order, owner)
    await cards.mark_cards(order.id, 2)  # the order moved while version 1 was being sent
    await cards.rendered(first, 1, message_id=7, text_hash="h1")
    after = await card(order, owner)
    assert (after.message_id, after.rendered_version, after.dirty) == (7, 1, True)
    await cards.rendered(after, 2, message_id=7, text_hash="h2")
    assert not (await card(order, owner)).dirty
    assert await cards.chats_with_work() == []


async def test_a_render_ending_while_a_card_is_marked_leaves_it_dirty(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sender's render of version 1 ends right after the mark of version 2 writes (the
    # relay and the sender run side by side): the card must still lag. The mark is one
    # statement (an upsert), so "after it" is the only point there is between the two.
    shop = await make_shop()
    group = await chat(shop, -4001, "group")
    order = await place(shop)
    await cards.mark_cards(order.id, 1)
    shown = await card(order, group)
    client = type(connections.get("default"))
    real = client.execute_query
    ended: list[int] = []  # after which statements of the mark a render ended
    rendering: list[bool] = []

    async def then_the_render_ends(self: Any, query: str, values: Any = None) -> Any:
        result = await real(self, query, values)
        if not rendering and "INSERT INTO card_message" in query:  # the mark's statement
            rendering.append(True)
            await cards.rendered(shown, 1, message_id=7, text_hash="h1")
            rendering.clear()
            ended.append(len(ended) + 1)
        return result

    monkeypatch.setattr(client, "execute_query", then_the_render_ends)
    await cards.mark_cards(order.id, 2)
    monkeypatch.undo()
    after = await card(order, group)
    assert (after.rendered_version, after.wanted_version, after.dirty) == (1, 2, True)
    assert ended == [1]  # a render ended after the mark's one statement
    assert [c.id for c in await cards.chats_with_work()] == [group.id]


async def test_a_listed_order_is_never_listed_again_even_after_it_moved(db: str) -> None:
    shop = await make_shop()
    group = await chat(shop, -4001, "group")
    first, second = await place(shop), await place(shop, phone="0661223344")
    await cards.mark_cards(first.id, 1)
    await cards.mark_cards(second.id, 1)
    pending = await cards.dirty_cards(group.id)
    await cards.mark_cards(second.id, 2)  # moved between reading and listing
    await cards.listed(pending)
    one, two = await card(first, group), await card(second, group)
    assert (one.digest, one.dirty) == (True, False)
    assert (two.digest, two.dirty) == (True, True)  # its change is still to show, not to list


async def test_a_lost_message_is_sent_afresh(db: str) -> None:
    shop = await make_shop()
    owner = await chat(shop, 1001)
    order = await place(shop)
    await cards.mark_cards(order.id, 1)
    await cards.rendered(await card(order, owner), 1, message_id=7, text_hash="h")
    await cards.forget_message(await card(order, owner))
    lost = await card(order, owner)
    assert (lost.message_id, lost.dirty, lost.resend, lost.text_hash) == (None, True, True, "")
    assert [c.id for c in await cards.dirty_cards(owner.id, sent_only=True)] == [lost.id]


async def test_new_cards_are_left_out_when_only_edits_fit(db: str) -> None:
    shop = await make_shop()
    owner = await chat(shop, 1001)
    shown, fresh = await place(shop), await place(shop, phone="0661223344")
    await cards.mark_cards(shown.id, 1)
    await cards.rendered(await card(shown, owner), 1, message_id=7, text_hash="h")
    await cards.mark_cards(shown.id, 2)
    await cards.mark_cards(fresh.id, 1)
    assert len(await cards.dirty_cards(owner.id)) == 2
    edits = await cards.dirty_cards(owner.id, sent_only=True)
    assert [c.order_id for c in edits] == [shown.id]


async def test_a_migrated_chat_shows_live_orders_anew_and_forgets_ended_ones(db: str) -> None:
    shop = await make_shop()
    group = await chat(shop, -4001, "group")
    live, ended = await place(shop), await place(shop, phone="0661223344")
    for order in (live, ended):
        await cards.mark_cards(order.id, 1)
        await cards.rendered(await card(order, group), 1, message_id=order.id, text_hash="h")
    await Order.filter(id=ended.id).update(status="cancelled")
    assert await cards.resend_chat(group.id) == 1
    again = await card(live, group)
    assert (again.message_id, again.dirty, again.resend, again.digest) == (None, True, False, False)
    assert not await CardMessage.filter(order_id=ended.id).exists()


async def test_a_sub_menu_forces_the_next_render_to_edit(db: str) -> None:
    shop = await make_shop()
    owner = await chat(shop, 1001)
    order = await place(shop)
    await cards.mark_cards(order.id, 1)
    await cards.rendered(await card(order, owner), 1, message_id=7, text_hash="h")
    await cards.keyboard_changed(order.id, 1001, 8)  # another message: nothing
    assert (await card(order, owner)).text_hash == "h"
    await cards.keyboard_changed(order.id, 1001, 7)
    assert (await card(order, owner)).text_hash == ""


async def test_many_orders_of_two_stores_are_marked_together_once_each(db: str) -> None:
    shop, other = await make_shop(), await make_shop(slug="autre")
    owner, group = await chat(shop, 1001), await chat(shop, -4001, "group")
    elsewhere = await chat(other, 1002)
    first, second = await place(shop), await place(shop, phone="0661223344")
    third = await place(other)
    await cards.mark_cards(second.id, 1)
    await cards.rendered(await card(second, owner), 1, message_id=9, text_hash="h")
    gone = second.id + third.id + 1000  # an order that is no more: nothing to mark

    changes = [(first.id, 1, False), (second.id, 3, False), (second.id, 2, True)]
    marked = await cards.mark_many([*changes, (third.id, 1, False), (gone, 1, False)])

    assert marked == 5  # two chats for each order of the first store, one for the other's
    rows = await CardMessage.all().order_by("order_id", "chat_id")
    assert [(c.order_id, c.chat_id, c.wanted_version, c.dirty, c.resend) for c in rows] == [
        (first.id, owner.id, 1, True, False),
        (first.id, group.id, 1, True, False),
        (second.id, owner.id, 3, True, True),  # the newest version, a fresh card as asked
        (second.id, group.id, 3, True, True),
        (third.id, elsewhere.id, 1, True, False),
    ]
    assert (await card(second, owner)).message_id == 9  # the message it had is kept
