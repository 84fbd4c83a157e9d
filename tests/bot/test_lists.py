"""/orders, its pages and open buttons, a digest's list, and who may see them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.callbacks import (
    digest_page_button,
    parse_digest_page,
    parse_stats,
    stats_button,
)
from bot.i18n import money
from bot.limits import TELEGRAM
from models.calls import outcomes
from models.infra.clock import now
from models.orders import intake, transitions
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.shipping import manual
from models.team import members
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import FakeTelegram, StoredMessage

NADIA = Actor("owner", "1001", "Nadia")
STRANGER = {"id": 4004, "first_name": "Karim", "language_code": "en"}


async def place(shop: Shop, seq: int, name: str | None = None) -> int:
    request = checkout(
        shop.variants[0].id, 1, name=name or f"Client {seq}", phone=f"0661 00 00 {seq:02d}"
    )
    return (await intake.place_order(shop.store, request)).order.number


async def drive(shop: Shop, number: int, status: str) -> None:
    """Move a pending order to `status` through the real use cases."""
    store = shop.store
    if status == "pending":
        return
    if status == "cancelled":
        await transitions.cancel_order(store, number, NADIA)
        return
    await transitions.transition_order(store, number, OrderStatus.CONFIRMED, NADIA)
    if status == "processing":
        await transitions.transition_order(store, number, OrderStatus.PROCESSING, NADIA)
    elif status in ("shipped", "delivered"):
        await manual.dispatch_order(store, number, NADIA, f"TRK{number}")
    if status == "delivered":
        await transitions.transition_order(store, number, OrderStatus.DELIVERED, NADIA)


# Created in this order, so "newest first" differs from creation order inside each status.
PLAN = ["C", "P", "S", "R", "P", "C", "D", "P", "X", "S", "P", "R", "C", "P", "P"]
STATUS_OF = {
    "P": "pending",
    "C": "confirmed",
    "R": "processing",
    "S": "shipped",
    "D": "delivered",
    "X": "cancelled",
}


async def live_orders(shop: Shop) -> dict[str, list[int]]:
    """15 orders, 13 of them to handle; numbers by status, oldest first."""
    made: dict[str, list[int]] = {}
    for seq, letter in enumerate(PLAN, start=1):
        status = STATUS_OF[letter]
        name = "<b>Amina</b> & Co" if seq == 14 else None
        number = await place(shop, seq, name)
        await drive(shop, number, status)
        made.setdefault(status, []).append(number)
    await outcomes.log_call(shop.store, made["pending"][1], "no_answer", NADIA)
    return made


def said(message: StoredMessage) -> str:
    """The text a person reads (Telegram's parsed text, markup removed)."""
    assert message.text is not None
    return message.text


def numbers_in(message: StoredMessage) -> list[int]:
    return [int(n) for n in re.findall(r"^\S+ #(\d+) ", message.text or "", re.MULTILINE)]


def listing(desk: Desk, chat: int) -> StoredMessage:
    found = [m for m in desk.fake.bot_messages(chat) if (m.text or "").startswith("📋")]
    assert found, "no list in the chat"
    return found[-1]


def _is_card_or_digest(message: StoredMessage) -> bool:
    return any(d.startswith(("o:", "dg:")) for d in message.callback_data)


async def ask(desk: Desk, chat: int, user: dict[str, Any], text: str) -> StoredMessage:
    """Send a command and wait for the bot's answer in the chat (order cards and digests
    the sender posts meanwhile are not answers)."""
    await desk.settle()
    seen = {m.message_id for m in desk.fake.bot_messages(chat)}

    def answers(f: FakeTelegram) -> list[StoredMessage]:
        new = [m for m in f.bot_messages(chat) if m.message_id not in seen]
        return [m for m in new if not _is_card_or_digest(m)]

    await desk.say(chat, user, text)
    await desk.fake.wait_for(lambda f: bool(answers(f)), timeout=10)
    return answers(desk.fake)[0]


async def press_and_wait(
    desk: Desk, chat: int, message: StoredMessage, data: str, user: dict[str, Any] = AGENT
) -> str:
    """Press a list button and wait until the list shows something else."""
    before = message.text
    query = await desk.press(chat, message.message_id, data, user)
    await desk.fake.wait_for(
        lambda f: f.message(chat, message.message_id).text != before, timeout=10
    )
    return query


async def test_orders_are_calls_due_first_oldest_first_in_pages_of_eight(db: str) -> None:
    shop = await make_shop(stock=50, lang="en")
    made = await live_orders(shop)
    pending = made["pending"]
    due, later = pending[3], pending[4]
    for number in (due, later):
        soon = now() + timedelta(hours=2)
        await outcomes.log_call(shop.store, number, "postponed", NADIA, callback_at=soon)
    await Order.filter(store_id=shop.store.id, number=due).update(callback_at=now())
    await outcomes.bring_back_callbacks()  # its time came: the card is back, the time cleared
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        first = await ask(desk, group, AGENT, "/orders")

        # pending[1]'s no-answer scheduled its next call an hour on (the store's plan).
        never = [n for n in pending if n not in (due, pending[1], later)]
        after = [n for s in ("confirmed", "processing", "shipped") for n in made[s]]
        ranked = [due, *never, pending[1], later, *after]
        assert len(ranked) == 13
        heading = "📋 To call now: 4 · call-backs later: 2 · after the call: 7"
        assert said(first).startswith(heading + " · page 1/2")
        assert numbers_in(first) == ranked[:8]
        called = made["pending"][1]
        line = next(ln for ln in said(first).splitlines() if f"#{called} " in ln)
        assert "☎️ 1 (No answer)" in line and money(4900, "en") in line and "Pending" in line
        assert "<b>Amina</b> & Co" in said(first)  # the customer's text, not markup
        ids = dict(await Order.filter(store_id=shop.store.id).values_list("number", "id"))
        assert first.callback_data == [
            *(f"op:{ids[n]}" for n in ranked[:8]),
            f"l:{shop.store.id}:0",
            f"l:{shop.store.id}:1",
        ]

        await press_and_wait(desk, group, first, f"l:{shop.store.id}:1")
        second = desk.fake.message(group, first.message_id)
        assert said(second).startswith(heading + " · page 2/2")
        assert numbers_in(second) == ranked[8:]
        assert second.callback_data[-2:] == [f"l:{shop.store.id}:0", f"l:{shop.store.id}:1"]

        await press_and_wait(desk, group, second, f"l:{shop.store.id}:0")
        assert numbers_in(desk.fake.message(group, first.message_id)) == ranked[:8]


async def test_an_open_button_sends_the_card_in_this_chat(db: str) -> None:
    shop = await make_shop(stock=50, lang="en")
    made = await live_orders(shop)
    shipped = made["shipped"][0]
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        await desk.settle()
        assert not any(f"#{shipped} " in (m.text or "") for m in desk.fake.bot_messages(group))
        first = await ask(desk, group, AGENT, "/orders")
        await press_and_wait(desk, group, first, f"l:{shop.store.id}:1")
        order = await Order.get(store_id=shop.store.id, number=shipped)

        query = await desk.press(group, first.message_id, f"op:{order.id}", AGENT)
        await desk.settle()

        assert (desk.fake.query(query).answer or {}).get("text") == f"Opening #{shipped}…"
        card = desk.card(group, shipped)
        assert card.message_id == desk.fake.bot_messages(group)[-1].message_id
        assert any(f":{order.id}:dv:" in f":{d}" for d in card.callback_data)  # Delivered


async def test_no_orders_to_handle_says_so(db: str) -> None:
    shop = await make_shop(lang="en")
    number = await place(shop, 1)
    await drive(shop, number, "delivered")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        reply = await ask(desk, chat, OWNER, "/orders")
        assert said(reply).startswith("📋 No orders to handle right now")
        assert not reply.buttons


async def test_a_digest_lists_its_orders_with_open_buttons(db: str) -> None:
    shop = await make_shop(stock=50, lang="en")
    # Telegram's own pace: at the desk harness's quicker one the chat's budget may refill
    # between two orders, and the burst go out as cards.
    async with running_desk(pacing=TELEGRAM) as desk:
        chat = await desk.bind(shop.store, OWNER)
        # The welcome message just spent this private chat's budget: a burst becomes a digest.
        numbers = [await place(shop, seq) for seq in range(1, 5)]
        await desk.settle()
        digest = next(
            m
            for m in desk.fake.bot_messages(chat)
            if any(d.startswith("dg:") for d in m.callback_data)
        )
        data = digest.callback_data[0]
        _, store_id, low, high = data.split(":")
        listed = [n for n in numbers if int(low) <= n <= int(high)]
        assert int(store_id) == shop.store.id and len(listed) >= 2

        await press_and_wait(desk, chat, digest, data, OWNER)

        shown = desk.fake.message(chat, digest.message_id)
        assert said(shown).startswith(f"📋 Orders #{low}–#{high}: {len(listed)}")
        assert numbers_in(shown) == listed[::-1]
        ids = dict(await Order.filter(number__in=listed).values_list("number", "id"))
        assert [d for d in shown.callback_data if d.startswith("op:")] == [
            f"op:{ids[n]}" for n in listed[::-1]
        ]
        await desk.press(chat, digest.message_id, f"op:{ids[listed[0]]}", OWNER)
        await desk.settle()
        assert desk.card(chat, listed[0]).message_id == desk.fake.bot_messages(chat)[-1].message_id


async def test_strangers_and_unlinked_chats_see_no_orders(db: str) -> None:
    shop = await make_shop(lang="en")
    number = await place(shop, 1, name="Secret Customer")
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT, STRANGER])
        await members.set_roster_mode(shop.store, True)
        await desk.settle()

        refused = await ask(desk, group, STRANGER, "/orders")
        assert (
            said(refused)
            == "Sorry, only the store's team can use this. Ask the owner for an invite."
        )

        allowed = await ask(desk, group, OWNER, "/orders")  # a listed member still may
        assert numbers_in(allowed) == [number]
        query = await desk.press(group, allowed.message_id, f"l:{shop.store.id}:0", STRANGER)
        assert "only the store's team" in str(desk.fake.query(query).answer)
        order = await Order.get(number=number)
        query = await desk.press(group, allowed.message_id, f"op:{order.id}", STRANGER)
        assert "only the store's team" in str(desk.fake.query(query).answer)

        lone = desk.fake.add_private_chat(STRANGER)
        for command in ("/orders", "/find Secret", "/order 1001", "/stats"):
            reply = await ask(desk, lone, STRANGER, command)
            assert said(reply).startswith("This chat is not linked to a store yet.")
            assert "Secret" not in said(reply)
        assert owner_chat != lone


async def test_forged_buttons_for_another_store_reveal_nothing(db: str) -> None:
    shop = await make_shop(lang="en")
    other = await make_shop("other", lang="en")
    await place(shop, 1)
    theirs = await place(other, 2, name="Their Customer")
    their_order = await Order.get(store_id=other.store.id, number=theirs)
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        mine = await ask(desk, chat, OWNER, "/orders")
        for data in (
            f"l:{other.store.id}:0",
            f"op:{their_order.id}",
            f"dg:{other.store.id}:{theirs}:{theirs}",
            "l:999999:0",
        ):
            update = desk.fake.press(chat, mine.message_id, data, OWNER, check_button=False)
            await desk.fake.send_update(update)
            query = desk.fake.query(update["callback_query"]["id"])
            await desk.fake.wait_for(lambda f, q=query: q.answered, timeout=10)
            assert (query.answer or {}).get("show_alert"), data
        await desk.settle()
        assert desk.fake.message(chat, mine.message_id).text == said(mine)
        assert not any("Their Customer" in said(m) for m in desk.fake.bot_messages(chat))


def test_list_buttons_round_trip_and_refuse_forgeries() -> None:
    top = 999_999_999
    data = digest_page_button(top, top, top, 9999)
    assert len(data.encode()) <= 64 and parse_digest_page(data) == (top, top, top, 9999)
    assert parse_stats(stats_button(12, "month")) == (12, "month")
    for forged in ("dl:1:2:3", "dl:1:2:3:x", "dl:1:2:3:4:5", "fg:1:y", "fg:1:t:0", "st:1:t"):
        assert parse_digest_page(forged) is None and parse_stats(forged) is None, forged
