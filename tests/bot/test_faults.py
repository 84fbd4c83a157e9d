"""Telegram misbehaving, injected in the fake: flood waits, blocked and kicked chats,
supergroup migrations, edits that are no-ops or hit a deleted message, a down network.
Every card still arrives once, in the right chat, and nothing else stops."""

from __future__ import annotations

from typing import Any

from bot.i18n import translator
from models.orders import intake
from models.orders.tables import Order
from models.team.tables import CardMessage, TelegramChat
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import RecordedRequest
from tests.fakes.telegram_errors import NOT_MODIFIED

_ = translator("fr")  # make_shop's stores speak French


def lost_notice(title: str) -> str:
    return _(
        "⚠️ I can no longer post in %(chat)s (blocked or removed). Its order cards "
        "are paused; send /start with a new invite there to bring them back.",
        chat=title,
    )


async def place(shop: Shop, phone: str = "0550 12 34 56") -> Order:
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1, phone=phone))
    return placed.order


def cards_of(desk: Desk, chat: int, number: int) -> list[Any]:
    """Every live message in the chat that is a card of this order."""
    head = f"#{number} "
    return [
        m
        for m in desk.fake.bot_messages(chat)
        if head in m.text.split("\n", 1)[0] + " " and "\n" in m.text
    ]


def to(chat: int, method: str = "sendMessage") -> Any:
    return lambda params: params.get("chat_id") == chat


def sends(desk: Desk, chat: int, *, ok: bool | None = None) -> list[RecordedRequest]:
    return [r for r in desk.fake.calls("sendMessage", ok=ok) if r.params.get("chat_id") == chat]


async def press(desk: Desk, chat: int, number: int, action: str, user: dict[str, Any]) -> None:
    card = desk.card(chat, number)
    await desk.press(
        chat, card.message_id, next(d for d in card.callback_data if action in d), user
    )


async def whole_team(desk: Desk, shop: Shop) -> tuple[int, int, int]:
    owner_chat = await desk.bind(shop.store, OWNER)
    agent_chat = await desk.bind(shop.store, AGENT, role="agent")
    group = await desk.bind_group(shop.store, [OWNER, AGENT])
    return owner_chat, agent_chat, group


# --- 429 ---------------------------------------------------------------------------------


async def test_a_flood_wait_on_a_new_card_is_honoured_then_the_card_arrives_once(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        wait = {"retry_after": 2}
        desk.fake.inject("sendMessage", 429, "Too Many Requests: retry after 2", wait, 1, to(group))
        order = await place(shop)
        await desk.settle(timeout=15)
        refused, delivered = sends(desk, group, ok=False), sends(desk, group, ok=True)[-1]
        assert [r.status for r in refused] == [429]
        assert delivered.at - refused[0].at >= 2.0
        assert len(cards_of(desk, group, order.number)) == 1
        owner_card = [
            r for r in sends(desk, owner_chat, ok=True) if f"#{order.number}" in r.params["text"]
        ]
        assert owner_card[0].at < delivered.at  # the owner's chat did not wait for the group


async def test_a_flood_wait_on_an_edit_is_honoured_then_the_edit_lands(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        order = await place(shop)
        await desk.settle()
        desk.fake.inject(
            "editMessageText",
            429,
            "Too Many Requests: retry after 1",
            {"retry_after": 1},
            1,
            to(group),
        )
        await press(desk, owner_chat, order.number, ":cf:", OWNER)
        await desk.settle(timeout=15)
        edits = [r for r in desk.fake.calls("editMessageText") if r.params["chat_id"] == group]
        assert [r.status for r in edits] == [429, 200]
        assert edits[1].at - edits[0].at >= 1.0
        assert [c.text[0] for c in cards_of(desk, group, order.number)] == ["✅"]


# --- 403 ---------------------------------------------------------------------------------


async def test_an_agent_who_blocked_the_bot_is_paused_and_the_owner_told(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        desk.fake.block(agent_chat)
        first = await place(shop)
        await desk.settle()
        chat = await TelegramChat.get(store_id=shop.store.id, chat_id=agent_chat)
        assert not chat.active and "blocked" in chat.disabled_reason
        notices = [m for m in desk.fake.bot_messages(owner_chat) if m.text == lost_notice("Yacine")]
        assert len(notices) == 1
        assert not any(lost_notice("Yacine") == m.text for m in desk.fake.bot_messages(group))
        second = await place(shop, phone="0661 00 00 01")
        await desk.settle()
        for number in (first.number, second.number):
            assert (
                len(cards_of(desk, group, number)) == len(cards_of(desk, owner_chat, number)) == 1
            )
        assert len(sends(desk, agent_chat, ok=False)) == 1  # never tried again


async def test_an_owner_who_blocked_the_bot_is_told_in_the_team_group(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, _agent_chat, group = await whole_team(desk, shop)
        desk.fake.block(owner_chat)
        order = await place(shop)
        await desk.settle()
        assert [m.text for m in desk.fake.bot_messages(group)].count(
            lost_notice("Nadia Owner")
        ) == 1
        assert len(cards_of(desk, group, order.number)) == 1


async def test_a_kick_announced_by_telegram_pauses_the_group(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, _agent_chat, group = await whole_team(desk, shop)
        await desk.fake.send_update(desk.fake.my_chat_member(group, "kicked", by=AGENT))
        await desk.fake.wait_for(
            lambda f: any(m.text == lost_notice("Équipe") for m in f.bot_messages(owner_chat)), 10
        )
        assert not (await TelegramChat.get(store_id=shop.store.id, chat_id=group)).active
        order = await place(shop)
        await desk.settle()
        assert sends(desk, group) == [sends(desk, group)[0]]  # only the welcome, long ago
        assert len(cards_of(desk, owner_chat, order.number)) == 1


async def test_a_kick_found_by_a_refused_send_pauses_the_group(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        desk.fake.kick(group)
        order = await place(shop)
        await desk.settle()
        assert [r.status for r in sends(desk, group)][-1] == 403
        assert not (await TelegramChat.get(store_id=shop.store.id, chat_id=group)).active
        assert [m.text for m in desk.fake.bot_messages(owner_chat)].count(
            lost_notice("Équipe")
        ) == 1
        assert not any(m.text == lost_notice("Équipe") for m in desk.fake.bot_messages(agent_chat))
        assert len(cards_of(desk, agent_chat, order.number)) == 1


# --- group → supergroup --------------------------------------------------------------------


async def test_a_send_to_a_migrated_group_follows_it_and_resends_live_cards(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        live, ended = await place(shop), await place(shop, phone="0661 00 00 02")
        await desk.settle()
        # Cancel ▸ then a reason (price).
        await press(desk, owner_chat, ended.number, ":cx:", OWNER)
        await press(desk, owner_chat, ended.number, ":k5:", OWNER)
        await desk.settle()
        supergroup = desk.fake.migrate_group(group)
        new = await place(shop, phone="0661 00 00 03")
        await desk.settle()
        chat = await TelegramChat.get(store_id=shop.store.id, kind__not="private")
        assert (chat.chat_id, chat.kind) == (supergroup, "supergroup")
        assert [r.status for r in sends(desk, group)][-1] == 400
        for number in (live.number, new.number):
            assert len(cards_of(desk, supergroup, number)) == 1
        assert cards_of(desk, supergroup, ended.number) == []
        card = await CardMessage.get(order_id=live.id, chat_id=chat.id)
        assert card.message_id == cards_of(desk, supergroup, live.number)[0].message_id


async def test_the_migration_service_message_moves_the_cards(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        order = await place(shop)
        await desk.settle()
        supergroup, updates = desk.fake.migration_updates(group)
        for update in updates:
            await desk.fake.send_update(update)
        await desk.fake.wait_for(lambda f: not f.pending_updates(), 10)
        await desk.fake.wait_for(lambda f: len(cards_of(desk, supergroup, order.number)) == 1, 10)
        await desk.settle()
        chat = await TelegramChat.get(store_id=shop.store.id)
        assert chat.chat_id == supergroup
        assert len(cards_of(desk, supergroup, order.number)) == 1
        assert [r.status for r in sends(desk, group)] == [200, 200]  # welcome and first card


# --- edits ---------------------------------------------------------------------------------


async def test_message_not_modified_counts_as_done(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        order = await place(shop)
        await desk.settle()
        desk.fake.inject("editMessageText", 400, f"Bad Request: {NOT_MODIFIED}", None, 1, to(group))
        await press(desk, owner_chat, order.number, ":cf:", OWNER)
        await desk.settle()
        fresh = await Order.get(id=order.id)
        chat = await TelegramChat.get(store_id=shop.store.id, chat_id=group)
        card = await CardMessage.get(order_id=order.id, chat_id=chat.id)
        assert not card.dirty and card.rendered_version == fresh.version
        edits = [r for r in desk.fake.calls("editMessageText") if r.params["chat_id"] == group]
        assert [r.status for r in edits] == [400]  # not retried
        assert len(sends(desk, group)) == 2  # no fresh card either


async def test_an_edit_of_a_deleted_card_sends_a_fresh_one_and_follows_it(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        order = await place(shop)
        await desk.settle()
        desk.fake.message(group, desk.card(group, order.number).message_id).deleted = True
        await press(desk, owner_chat, order.number, ":cf:", OWNER)
        await desk.settle()
        fresh = cards_of(desk, group, order.number)
        assert len(fresh) == 1 and fresh[0].text.startswith("✅")
        chat = await TelegramChat.get(store_id=shop.store.id, chat_id=group)
        card = await CardMessage.get(order_id=order.id, chat_id=chat.id)
        assert card.message_id == fresh[0].message_id
        await press(desk, owner_chat, order.number, ":pr:", OWNER)
        await desk.settle()
        again = cards_of(desk, group, order.number)
        assert [(m.message_id, m.text[0]) for m in again] == [(fresh[0].message_id, "📦")]


# --- network -------------------------------------------------------------------------------


async def test_a_bad_gateway_is_retried_later_and_the_card_arrives_once(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        desk.fake.fail_with_status("sendMessage", 502, times=2, match=to(group))
        order = await place(shop)
        await desk.settle(timeout=20)
        assert [r.status for r in sends(desk, group)][-3:] == [502, 502, 200]
        assert len(cards_of(desk, group, order.number)) == 1
        assert len(cards_of(desk, owner_chat, order.number)) == 1


async def test_a_timed_out_edit_is_retried_and_lands_once(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        order = await place(shop)
        await desk.settle()
        # Longer than python-telegram-bot's 5 s read timeout; the edit still happens.
        desk.fake.delay("editMessageText", 6.0, 1, to(group))
        await press(desk, owner_chat, order.number, ":cf:", OWNER)
        await desk.settle(timeout=30)
        shown = cards_of(desk, group, order.number)
        assert [m.text[0] for m in shown] == ["✅"]
        chat = await TelegramChat.get(store_id=shop.store.id, chat_id=group)
        assert not (await CardMessage.get(order_id=order.id, chat_id=chat.id)).dirty
