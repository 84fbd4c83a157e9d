"""The call workflow from the team's phones: postponing and getting the order back at its
time (even across a restart), the no-answer policy, claims, duplicates, manual dispatch
and the timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.i18n import local_time, translator
from bot.runtime import BotRuntime
from models.calls import outcomes
from models.infra.clock import now
from models.orders import intake
from models.orders.tables import Order, OrderEvent
from models.stores.tables import Store
from notify.relay import Relay
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk, running_desk
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import StoredMessage

_ = translator("fr")  # make_shop's stores speak French


async def place(shop: Shop, phone: str = "0550 12 34 56") -> Order:
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1, phone=phone))
    return placed.order


async def tap(
    desk: Desk, chat: int, number: int, action: str, user: dict[str, Any]
) -> dict[str, Any]:
    """Press the card's button for `action` (as it shows now); the bot's answer."""
    card = desk.card(chat, number)
    data = next(d for d in card.callback_data if f":{action}:" in d)
    query = await desk.press(chat, card.message_id, data, user)
    return desk.fake.query(query).answer


async def forge(
    desk: Desk, chat: int, number: int, action: str, user: dict[str, Any]
) -> dict[str, Any]:
    """Press `action` at the order's current version although the card shows no such button."""
    order = await Order.get(number=number)
    card = desk.card(chat, number)
    data = f"o:{order.id}:{action}:{order.version}"
    update = desk.fake.press(chat, card.message_id, data, user, check_button=False)
    await desk.fake.send_update(update)
    query = update["callback_query"]["id"]
    await desk.fake.wait_for(lambda f: f.query(query).answered, 10)
    return desk.fake.query(query).answer


async def reply(
    desk: Desk, chat: int, to: StoredMessage, user: dict[str, Any], text: str, heard: bool = True
) -> None:
    """Reply to a bot message; waits for the bot's answer (or, not `heard`, its silence)."""
    before = len(desk.fake.bot_messages(chat))
    message = desk.fake.user_message(chat, user, text, reply_to=to.message_id)
    update = await desk.fake.send_update(message)
    if heard:
        await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, 10)
        return
    await desk.handled_update(update)
    assert len(desk.fake.bot_messages(chat)) == before


async def question(desk: Desk, chat: int) -> StoredMessage:
    """The bot's last question in the chat (sent with a ForceReply, which Telegram keeps on
    the person's device, not on the message)."""

    def asks(fake: Any) -> list[Any]:
        return [
            r
            for r in fake.calls("sendMessage", ok=True)
            if r.params["chat_id"] == chat and "force_reply" in r.params.get("reply_markup", {})
        ]

    await desk.fake.wait_for(lambda f: bool(asks(f)), 10)
    sent = asks(desk.fake)[-1]
    assert sent.params["reply_markup"] == {"force_reply": True, "selective": True}
    return desk.fake.message(chat, sent.result["message_id"])


async def team(desk: Desk, shop: Shop) -> tuple[int, int]:
    owner_chat = await desk.bind(shop.store, OWNER)
    group = await desk.bind_group(shop.store, [OWNER, AGENT, AGENT2])
    return owner_chat, group


async def restart(desk: Desk) -> None:
    """The bot process stops and starts again; Telegram (the fake) and the database stay."""
    assert desk.runtime.sender is not None
    await desk.relay.stop()
    await desk.runtime.stop()
    desk.runtime = BotRuntime(desk.runtime.config, receive=True, send=True)
    assert desk.runtime.sender is not None
    channel = desk.relay.handlers["telegram"]
    channel.wake = desk.runtime.sender.wake  # type: ignore[attr-defined]
    desk.relay = Relay({"telegram": channel}, worker_id="test-2", interval=0.05)
    await desk.runtime.start()
    await desk.relay.start()


async def test_a_postponed_order_comes_back_at_the_bottom_after_a_restart(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, group, order.number, "cm", AGENT)
        await tap(desk, group, order.number, "pm", AGENT)
        answer = await tap(desk, group, order.number, "p1", AGENT)
        assert f"#{order.number}" in answer["text"] and not answer.get("show_alert")
        await desk.settle()
        back_at = (await Order.get(id=order.id)).callback_at
        assert back_at is not None
        assert timedelta(minutes=59) < back_at - now() <= timedelta(hours=1)
        old = {chat: desk.card(chat, order.number) for chat in (owner_chat, group)}
        assert "⏰" in old[group].text

        await Order.filter(id=order.id).update(callback_at=now() - timedelta(minutes=1))
        await restart(desk)  # the scheduler's first run after start brings it back
        try:
            await came_back(desk, order, old)
        finally:  # the harness stops the first process; this one is the test's own
            await desk.relay.stop()
            await desk.runtime.stop()


async def came_back(desk: Desk, order: Order, old: dict[int, StoredMessage]) -> None:
    """The order's card is at the bottom of every chat again, its old copy gone."""

    def bumped(chat: int) -> Any:
        return lambda f: f.bot_messages(chat)[-1].message_id != old[chat].message_id

    for chat in old:
        await desk.fake.wait_for(bumped(chat), timeout=15)
    await desk.settle()
    for chat in old:
        card = desk.card(chat, order.number)
        assert card.message_id == desk.fake.bot_messages(chat)[-1].message_id
        assert desk.fake.message(chat, old[chat].message_id).deleted
        assert "⏰" not in card.text and any(":cf:" in d for d in card.callback_data)
    assert (await Order.get(id=order.id)).callback_at is None
    assert await outcomes.bring_back_callbacks() == 0  # once is enough


async def test_the_no_answer_policy_cancels_after_n_calls(db: str) -> None:
    shop = await make_shop()
    await Store.filter(id=shop.store.id).update(no_answer_limit=2, no_answer_min_hours=0)
    async with running_desk() as desk:
        _owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        for _attempt in range(2):
            await tap(desk, group, order.number, "cm", AGENT)
            await tap(desk, group, order.number, "na", AGENT)
            await desk.settle()
        fresh = await Order.get(id=order.id)
        assert (fresh.status, fresh.no_answers) == ("cancelled", 2)
        card = desk.card(group, order.number)
        assert card.text.startswith("❌") and [b["text"] for b in card.buttons] == [
            "🕓 " + _("Timeline")
        ]
        last = await OrderEvent.filter(order_id=order.id).order_by("-id").first()
        assert last is not None and last.actor_kind == "system"


async def test_a_claim_shows_everywhere_keeps_others_off_and_expires(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, group, order.number, "cl", AGENT)
        await desk.settle()
        until = (await Order.get(id=order.id)).claim_expires_at
        assert until is not None
        calling = _(
            "%(name)s is calling (until %(until)s)",
            name="Yacine",
            until=local_time(until, with_date=False),
        )
        for chat in (owner_chat, group):
            assert calling in desk.card(chat, order.number).text

        told = _("%(name)s is already calling this customer.", name="Yacine")
        for action in ("cl", "rl", "na"):  # claim, release, log a call: all Yacine's now
            refused = await forge(desk, group, order.number, action, AGENT2)
            assert refused == {"text": told, "show_alert": True}
        assert (await Order.get(id=order.id)).claimed_by_name == "Yacine"

        await Order.filter(id=order.id).update(claim_expires_at=now() - timedelta(seconds=1))
        assert await outcomes.expire_claims() == 1
        await desk.settle()
        for chat in (owner_chat, group):
            card = desk.card(chat, order.number)
            assert calling not in card.text
            assert any(":cl:" in d for d in card.callback_data)
        await tap(desk, group, order.number, "cl", AGENT2)
        assert (await Order.get(id=order.id)).claimed_by_name == "Sara"


async def test_an_owner_may_log_a_call_on_an_order_an_agent_claimed(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, group, order.number, "cl", AGENT)
        await desk.settle()
        await tap(desk, owner_chat, order.number, "cm", OWNER)
        await tap(desk, owner_chat, order.number, "bz", OWNER)
        fresh = await Order.get(id=order.id)
        assert (fresh.call_attempts, fresh.claimed_by_id) == (1, "")


async def test_a_duplicate_asks_for_the_kept_order_and_links_it(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        _owner_chat, group = await team(desk, shop)
        kept = await place(shop)
        # The same customer again, other items (the same ones would be the same order).
        again = checkout(shop.variants[0].id, 2, phone="0550 12 34 56")
        twin = (await intake.place_order(shop.store, again)).order
        await desk.settle()
        await tap(desk, group, twin.number, "cm", AGENT)
        await tap(desk, group, twin.number, "du", AGENT)  # the customer's orders, or…
        await tap(desk, group, twin.number, "dt", AGENT)  # …one typed by number
        asked = await question(desk, group)
        assert "Yacine" in asked.text and f"#{twin.number}" in asked.text
        await reply(desk, group, asked, AGENT2, f"#{kept.number}", heard=False)  # not Sara's
        assert (await Order.get(id=twin.id)).status == "pending"
        await reply(desk, group, asked, AGENT, "the first one")
        asked = await question(desk, group)  # asked again
        await reply(desk, group, asked, AGENT, f"#{kept.number}")
        await desk.settle()
        fresh = await Order.get(id=twin.id)
        assert (fresh.status, fresh.duplicate_of) == ("cancelled", kept.number)
        card = desk.card(group, twin.number)
        assert f"#{kept.number}" in card.text
        assert [b["callback_data"].split(":")[2] for b in card.buttons] == ["tl"]
        done = _("#%(number)s cancelled as a duplicate.", number=twin.number)
        assert done in [m.text for m in desk.fake.bot_messages(group)]
        assert (await Order.get(id=kept.id)).status == "pending"


async def test_manual_dispatch_asks_for_tracking_and_ships_through_processing(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, group, order.number, "cf", AGENT)
        await desk.settle()
        await tap(desk, owner_chat, order.number, "dm", OWNER)
        await tap(desk, owner_chat, order.number, "dx", OWNER)
        await reply(desk, owner_chat, await question(desk, owner_chat), OWNER, "YAL-123456")
        await desk.settle()
        fresh = await Order.get(id=order.id)
        assert (fresh.status, fresh.tracking, fresh.courier) == ("shipped", "YAL-123456", "manual")
        moves = await OrderEvent.filter(order_id=order.id, type="status_changed").order_by("id")
        assert [e.to_status for e in moves] == ["confirmed", "processing", "shipped"]
        for chat in (owner_chat, group):
            card = desk.card(chat, order.number)
            assert card.text.startswith("🚚") and "YAL-123456" in card.text
            assert any(":dv:" in d for d in card.callback_data)


async def test_a_bad_tracking_number_is_asked_again_and_nothing_ships(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat, _group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, owner_chat, order.number, "cf", OWNER)
        await desk.settle()
        await tap(desk, owner_chat, order.number, "dm", OWNER)
        await tap(desk, owner_chat, order.number, "dx", OWNER)
        first = await question(desk, owner_chat)
        await reply(desk, owner_chat, first, OWNER, "<b>?</b>")
        assert (await Order.get(id=order.id)).status == "confirmed"
        again = await question(desk, owner_chat)
        prompt = _("Reply with the tracking number for #%(number)s", number=order.number)
        assert again.message_id != first.message_id and again.text == prompt
        await reply(desk, owner_chat, again, OWNER, "ZR 778 899")
        await desk.settle()
        assert (await Order.get(id=order.id)).tracking == "ZR778899"


async def test_the_timeline_button_sends_the_timeline(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        _owner_chat, group = await team(desk, shop)
        order = await place(shop)
        await desk.settle()
        await tap(desk, group, order.number, "cm", AGENT)
        await tap(desk, group, order.number, "bz", AGENT)
        await desk.settle()
        card = desk.card(group, order.number)
        await tap(desk, group, order.number, "tl", AGENT)
        await desk.fake.wait_for(lambda f: f.bot_messages(group)[-1].text.startswith("🕓"), 10)
        timeline = desk.fake.bot_messages(group)[-1]
        assert timeline.reply_to == card.message_id
        rows = timeline.text.split("\n")
        assert rows[0] == f"🕓 #{order.number}"
        assert _("Order placed") in rows[1] and "Amina Benali" in rows[1]
        assert _("Busy") in rows[2] and "Yacine" in rows[2]
