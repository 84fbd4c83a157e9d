"""Webhooks from /settings through the fake Telegram: adding one (URL by reply, events by
toggles, the secret shown once), the log with redelivery, a test ping, enabling, deleting;
only the owner does any of it; and the owners' alert when failures disabled an endpoint."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.transactions import in_transaction

from bot.channel import TelegramChannel
from bot.i18n import translator
from bot.webhook_views import button, parse_button
from models.infra.sealing import Sealer
from models.orders import intake
from models.outbox import relay as outbox
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookEndpoint
from models.stores.tables import Store
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.bot.test_team_cmds import ONLY_OWNER, OTHER_OWNER, is_alert, press, reply_to, words
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import FakeTelegram, StoredMessage

_ = translator("fr")  # make_shop's stores speak French
SEALER = Sealer("test-secret")
URL = "https://hooks.example.com/hanout"


@asynccontextmanager
async def webhook_desk() -> AsyncIterator[Desk]:
    """The desk of the harness, with what `hanout` gives the bot: a sealer for the secrets,
    and the channel able to send store notices."""
    async with running_desk() as desk:
        config = desk.runtime.app.bot_data["config"]
        desk.runtime.app.bot_data["config"] = dataclasses.replace(config, sealer=SEALER)
        assert desk.runtime.sender is not None
        channel = TelegramChannel(desk.runtime.sender.wake, desk.runtime.app.bot)
        desk.relay.handlers["telegram"] = channel
        yield desk


async def reply(
    desk: Desk, asked: StoredMessage, user: dict[str, Any], text: str, count: int = 1
) -> list[StoredMessage]:
    """Answer a question of the bot by replying to it; the bot's next `count` messages."""
    seen = {m.message_id for m in desk.fake.bot_messages(asked.chat_id)}
    update = desk.fake.user_message(asked.chat_id, user, text, reply_to=asked.message_id)
    await desk.fake.send_update(update)

    def new(fake: FakeTelegram) -> list[StoredMessage]:
        return [m for m in fake.bot_messages(asked.chat_id) if m.message_id not in seen]

    await desk.fake.wait_for(lambda f: len(new(f)) >= count, timeout=10)
    return new(desk.fake)


def last(desk: Desk, chat: int) -> StoredMessage:
    return desk.fake.bot_messages(chat)[-1]


def fresh(desk: Desk, message: StoredMessage) -> StoredMessage:
    return desk.fake.message(message.chat_id, message.message_id)


async def open_menu(desk: Desk, chat: int, shop: Shop) -> StoredMessage:
    """/settings, then Webhooks ▸: the list, edited into the settings message."""
    menu = await reply_to(desk, chat, OWNER, "/settings")
    opener = button(shop.store.id, "ls")
    assert opener in menu.callback_data
    await press(desk, menu, opener, OWNER, then=lambda m: "🔗" in (m.text or ""))
    return fresh(desk, menu)


async def endpoint(shop: Shop, url: str = URL, events: tuple[str, ...] = ()) -> WebhookEndpoint:
    made, _secret = await webhooks.create_endpoint(
        SEALER, shop.store, url, list(events or webhooks.EVENTS)
    )
    return made


def test_buttons_fit_and_forged_ones_do_not_parse() -> None:
    data = button(10**9 - 1, "rd", 10**9 - 1, 10**19 - 1)
    assert len(data.encode()) <= 64
    assert parse_button(data) == (10**9 - 1, "rd", 10**9 - 1, 10**19 - 1)
    for forged in ("wh:1:zz:2", "wh:1:op:x", "wh:1:op:2\n", "bl:1:op:2", "", None):
        assert parse_button(forged) is None


async def test_the_owner_adds_a_webhook_by_reply_and_sees_its_secret_once(db: str) -> None:
    shop = await make_shop()
    async with webhook_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        menu = await open_menu(desk, chat, shop)
        assert _("No webhook yet: add one to send the store's order events to your tools.") in (
            words(menu)
        )
        await press(desk, menu, button(shop.store.id, "ad"), OWNER)
        await desk.fake.wait_for(lambda f: "https://…" in (f.bot_messages(chat)[-1].text or ""))
        asked = last(desk, chat)
        refused, asked = await reply(desk, asked, OWNER, "ftp://files.example.com", count=2)
        assert _("That is not a web address: send one starting with https://") in words(refused)
        assert "https://…" in words(asked)  # the question again
        private, asked = await reply(desk, asked, OWNER, "http://192.168.1.10/hook", count=2)
        assert _(
            "This address is on a private network: webhooks go to public addresses only."
        ) in words(private)
        # passes the address rules, but the HTTP client that delivers refuses it
        octal, asked = await reply(desk, asked, OWNER, "http://0177.0.0.1/hook", count=2)
        assert _("That is not a web address: send one starting with https://") in words(octal)
        [chooser] = await reply(desk, asked, OWNER, URL)
        assert URL in words(chooser)
        assert all(f"✅ {e}" in words_of_buttons(chooser) for e in webhooks.EVENTS)
        toggle = next(d for d in chooser.callback_data if d.endswith(":7"))  # order.call_logged
        await press(desk, chooser, toggle, OWNER, then=lambda m: "▫️ order.call_logged" in btn(m))
        create = next(d for d in chooser.callback_data if ":sv:" in d)
        await press(desk, chooser, create, OWNER, then=lambda m: "whsec_" in (m.text or ""))
        shown = fresh(desk, chooser)
    made = await WebhookEndpoint.get(store_id=shop.store.id)
    assert made.url == URL and "order.call_logged" not in made.events and made.active
    secret = webhooks.secret_of(made, SEALER)
    assert f"<code>{secret}</code>" in (shown.source or "")
    assert not any(secret in (m.text or "") for m in desk.fake.bot_messages(chat) if m != shown)


def words_of_buttons(message: StoredMessage) -> str:
    return " | ".join(str(b.get("text")) for b in message.buttons)


def btn(message: StoredMessage) -> str:
    return words_of_buttons(message)


async def test_adding_is_refused_in_a_group_and_to_anyone_but_the_owner(db: str) -> None:
    shop = await make_shop()
    async with webhook_desk() as desk:
        await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        menu = await reply_to(desk, group, OWNER, "/settings")
        add = button(shop.store.id, "ad")
        answer = await press(desk, menu, add, OWNER)
        text = _("Add webhooks in our private chat: its secret must not be seen by everyone.")
        assert is_alert(answer, text)
        assert is_alert(await press(desk, menu, button(shop.store.id, "ls"), AGENT), _(ONLY_OWNER))
        assert not any("https://…" in (m.text or "") for m in desk.fake.bot_messages(group))
    assert await WebhookEndpoint.all().count() == 0


async def test_the_log_shows_deliveries_and_sends_a_dead_one_again(db: str) -> None:
    shop = await make_shop()
    hook = await endpoint(shop, events=("order.created",))
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    row = await OutboxMessage.get(channel=outbox.WEBHOOK, topic="order.created")
    row.attempts = 5
    await webhooks.save_delivery_attempt(
        row, "dead", status_code=500, error="Internal Server Error"
    )
    async with webhook_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        menu = await open_menu(desk, chat, shop)
        assert URL in words(menu) and f"#{placed.order.number}" in words(menu)
        await press(
            desk,
            menu,
            button(shop.store.id, "op", hook.id),
            OWNER,
            then=lambda m: _("Delivery log") in btn(m),
        )
        await press(
            desk,
            menu,
            button(shop.store.id, "lg", hook.id),
            OWNER,
            then=lambda m: "Internal Server Error" in (m.text or ""),
        )
        logged = fresh(desk, menu)
        assert f"order.created · #{placed.order.number} · 500" in words(logged)
        again = next(d for d in logged.callback_data if ":rd:" in d)
        answer = await press(desk, logged, again, OWNER)
        assert answer.get("text") == _("Sent again: it shows in the log in a moment.")
        test = await press(desk, logged, button(shop.store.id, "tp", hook.id), OWNER)
        assert test.get("text") == _("Test sent: it shows in the log in a moment.")
    rows = await OutboxMessage.filter(channel=outbox.WEBHOOK).order_by("id")
    assert [(r.topic, r.payload.get("redelivery")) for r in rows] == [
        ("order.created", None),
        ("order.created", True),
        ("ping", None),
    ]
    envelopes = [r.payload["envelope"] for r in rows[:2]]
    assert all(isinstance(e, dict) for e in envelopes)
    assert envelopes[0]["id"] == envelopes[1]["id"]  # type: ignore[index]


async def test_the_owner_deletes_with_a_confirmation_and_enables_a_disabled_one(db: str) -> None:
    shop = await make_shop()
    keep, drop = await endpoint(shop), await endpoint(shop, "https://other.example.com/h")
    await webhooks.disable_endpoint(shop.store, keep.id, "5 deliveries in a row failed")
    async with webhook_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        menu = await open_menu(desk, chat, shop)
        sid = shop.store.id
        await press(
            desk,
            menu,
            button(sid, "op", keep.id),
            OWNER,
            then=lambda m: "5 deliveries in a row failed" in (m.text or ""),
        )
        refused = await press(desk, menu, button(sid, "tp", keep.id), OWNER)
        assert is_alert(refused, _("This webhook is disabled: enable it first."))
        enabled = await press(
            desk, menu, button(sid, "en", keep.id), OWNER, then=lambda m: "✅" in (m.text or "")
        )
        assert enabled.get("text") == _("Webhook #%(id)s enabled again.", id=keep.id)
        await press(
            desk,
            menu,
            button(sid, "dl", drop.id),
            OWNER,
            then=lambda m: button(sid, "dy", drop.id) in m.callback_data,
        )
        await press(
            desk,
            menu,
            button(sid, "dy", drop.id),
            OWNER,
            then=lambda m: "other.example.com" not in (m.text or ""),
        )
        gone = await press(desk, menu, button(sid, "op", drop.id), OWNER)
        assert is_alert(gone, _("This webhook no longer exists."))
    assert (await WebhookEndpoint.get(id=keep.id)).active
    assert (await WebhookEndpoint.get(id=drop.id)).deleted_at is not None


async def failing_five_times(shop: Shop, hook: WebhookEndpoint) -> None:
    """Five deliveries of the endpoint dead-lettered in a row, as the relay would."""
    for _i in range(webhooks.DISABLE_AFTER):
        await intake.place_order(shop.store, checkout(shop.variants[0].id, phone=f"066100000{_i}"))
    rows = await outbox.claim("test", 10, [outbox.WEBHOOK])
    assert len(rows) == webhooks.DISABLE_AFTER
    for row in rows:
        await outbox.fail(row, "HTTP 500", permanent=True)


async def test_the_owners_are_alerted_once_when_failures_disable_a_webhook(db: str) -> None:
    shop = await make_shop(stock=50)
    hook = await endpoint(shop, events=("order.created",))
    async with webhook_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        second = await desk.bind(shop.store, OTHER_OWNER)
        agent_chat = await desk.bind(shop.store, AGENT, role="agent")
        await failing_five_times(shop, hook)
        await desk.settle()
        title = _("A webhook of %(store)s was disabled", store=shop.store.name)
        alerts = {
            c: [m for m in desk.fake.bot_messages(c) if title in (m.text or "")]
            for c in (owner_chat, second, agent_chat)
        }
        assert [len(alerts[c]) for c in (owner_chat, second, agent_chat)] == [1, 1, 0]
        alert = alerts[owner_chat][0]
        assert URL in words(alert) and "HTTP 500" in words(alert)
        notice = await OutboxMessage.get(channel="telegram", topic=webhooks.DISABLED_TOPIC)
        sent = notice.payload["sent_to"]
        assert notice.status == "done" and isinstance(sent, list)
        assert sorted(sent) == sorted([owner_chat, second])
        # Delivered again (a crash before the row was marked done): nobody hears it twice.
        await desk.relay.handlers["telegram"](notice)
        assert sum(title in (m.text or "") for m in desk.fake.bot_messages(owner_chat)) == 1
        assert not (await WebhookEndpoint.get(id=hook.id)).active
        await press(
            desk,
            alert,
            button(shop.store.id, "en", hook.id),
            OWNER,
            then=lambda m: _("Delivery log") in btn(m),
        )
    assert (await WebhookEndpoint.get(id=hook.id)).active


async def test_an_owner_who_blocked_the_bot_does_not_stop_the_others_hearing(db: str) -> None:
    shop = await make_shop(stock=50)
    hook = await endpoint(shop, events=("order.created",))
    async with webhook_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        second = await desk.bind(shop.store, OTHER_OWNER)
        desk.fake.block(owner_chat)
        await failing_five_times(shop, hook)
        await desk.settle()
        title = _("A webhook of %(store)s was disabled", store=shop.store.name)
        assert sum(title in (m.text or "") for m in desk.fake.bot_messages(second)) == 1
    notice = await OutboxMessage.get(channel="telegram", topic=webhooks.DISABLED_TOPIC)
    assert notice.status == "done"


async def test_a_notice_for_a_store_that_is_gone_is_dropped(db: str) -> None:
    shop = await make_shop()
    async with webhook_desk() as desk:
        async with in_transaction() as conn:
            await outbox.publish_notice(
                conn, shop.store, webhooks.DISABLED_TOPIC, "gone:1", {"endpoint_id": 1}
            )
        await Store.filter(id=shop.store.id).delete()
        await desk.settle()
    notice = await OutboxMessage.get(channel="telegram", topic=webhooks.DISABLED_TOPIC)
    assert notice.status == "done" and "sent_to" not in notice.payload
