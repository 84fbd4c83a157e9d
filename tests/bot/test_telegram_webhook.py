"""Webhook mode: the bot behind an aiohttp route, Telegram (the fake) posting updates to it.
Only Telegram (the secret token) gets in, garbage is swallowed, and an update Telegram
sends twice is handled once."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import telegram_webhook
from bot.channel import TelegramChannel
from bot.i18n import translator
from bot.runtime import BotConfig, BotRuntime
from hanout.processes import outbox_routes
from models.calls.tables import CallAttempt
from models.orders import intake
from models.orders.tables import Order
from models.outbox import relay as outbox
from models.stores import setup
from models.team.tables import TelegramChat
from notify.relay import Relay
from tests.bot.harness import OWNER, Desk, Handled
from tests.factories import checkout, make_shop
from tests.fakes.telegram_api import SECRET_HEADER, FakeTelegram

SECRET = "hanout-Webhook_secret-42"
_ = translator("fr")


@asynccontextmanager
async def webhook_desk() -> AsyncIterator[tuple[Desk, TestServer]]:
    async with FakeTelegram() as fake:
        previous = outbox.routes()
        outbox.use_routes(outbox_routes(telegram=True))
        config = BotConfig(fake.token, api_url=fake.url, mode="webhook", webhook_secret=SECRET)
        runtime = BotRuntime(config, receive=True, send=True)
        assert runtime.sender is not None
        app = web.Application()
        telegram_webhook.add_route(app, runtime)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        runtime.config = dataclasses.replace(config, public_url=str(server.make_url("/")))
        relay = Relay({"telegram": TelegramChannel(runtime.sender.wake)}, "test", interval=0.05)
        handled = Handled.watch(runtime)
        await runtime.start()
        await relay.start()
        try:
            yield Desk(fake, runtime, relay, handled), server
        finally:
            await relay.stop()
            await runtime.stop()
            await server.close()
            outbox.use_routes(previous)


async def post_raw(server: TestServer, body: bytes, secret: str = SECRET) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.make_url(telegram_webhook.PATH),
            data=body,
            headers={SECRET_HEADER: secret, "Content-Type": "application/json"},
        ) as response,
    ):
        return response.status


SENTINELS = itertools.count(9001)


async def quiet_moment(fake: FakeTelegram, *servers: TestServer) -> None:
    """Proof that every update posted before has been handled, or dropped: a sentinel
    `/start` from another chat, posted to each web process after them, is answered. Each
    process handles its updates one at a time, in order, so nothing earlier is still to come."""
    chats = []
    for server in servers:
        sentinel = {"id": next(SENTINELS), "first_name": "Sentinel"}
        chats.append(fake.add_private_chat(sentinel))
        update = fake.user_message(chats[-1], sentinel, "/start")
        assert await post_raw(server, json.dumps(update).encode()) == 200
    await fake.wait_for(lambda f: all(f.bot_messages(chat) for chat in chats), 10)


async def bind_owner(desk: Desk) -> tuple[Any, int]:
    shop = await make_shop()
    chat = desk.fake.add_private_chat(OWNER)
    token = await setup.create_invite(shop.store, "owner")
    assert (
        await desk.fake.post_webhook(desk.fake.user_message(chat, OWNER, f"/start {token}")) == 200
    )
    await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) >= 1, 10)
    return shop, chat


async def test_the_webhook_is_registered_with_its_secret(db: str) -> None:
    async with webhook_desk() as (desk, server):
        hook = desk.fake.webhook
        assert hook is not None and hook.secret_token == SECRET
        assert hook.url == str(server.make_url(telegram_webhook.PATH))
        assert not desk.runtime.app.updater or not desk.runtime.app.updater.running


async def test_start_and_a_press_arrive_through_the_webhook(db: str) -> None:
    async with webhook_desk() as (desk, _server):
        shop, chat = await bind_owner(desk)
        assert await TelegramChat.exists(store_id=shop.store.id, chat_id=chat, active=True)
        placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
        await desk.settle()
        card = desk.card(chat, placed.order.number)
        confirm = next(d for d in card.callback_data if ":cf:" in d)
        update = desk.fake.press(chat, card.message_id, confirm, OWNER)
        assert await desk.fake.post_webhook(update) == 200
        query = update["callback_query"]["id"]
        await desk.fake.wait_for(lambda f: f.query(query).answered, 10)
        await desk.settle()
        assert (await Order.get(id=placed.order.id)).status == "confirmed"
        assert desk.card(chat, placed.order.number).text.startswith("✅")


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_happens(db: str) -> None:
    async with webhook_desk() as (desk, server):
        shop = await make_shop()
        chat = desk.fake.add_private_chat(OWNER)
        token = await setup.create_invite(shop.store, "owner")
        start = desk.fake.user_message(chat, OWNER, f"/start {token}")
        assert await desk.fake.post_webhook(start, secret_token="guessed") == 403
        assert await desk.fake.post_webhook(start, omit_secret=True) == 403
        assert await post_raw(server, b'{"update_id": 5}', secret="") == 403
        await quiet_moment(desk.fake, server)
        assert desk.fake.bot_messages(chat) == []
        assert not await TelegramChat.exists(store_id=shop.store.id)


async def test_garbage_is_answered_200_and_ignored(db: str) -> None:
    async with webhook_desk() as (desk, server):
        _shop, chat = await bind_owner(desk)
        for body in (b"{not json", b"[1, 2]", b'"text"', b"{}", b'{"update_id": "x"}', b"\xff"):
            assert await post_raw(server, body) == 200
        await quiet_moment(desk.fake, server)
        assert len(desk.fake.bot_messages(chat)) == 1  # the welcome only
        # The route still works after the garbage.
        hello = desk.fake.user_message(chat, OWNER, "/start")
        assert await desk.fake.post_webhook(hello) == 200
        await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) == 2, 10)


async def test_an_update_delivered_twice_is_handled_once(db: str) -> None:
    async with webhook_desk() as (desk, server):
        shop, chat = await bind_owner(desk)
        placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
        await desk.settle()
        card = desk.card(chat, placed.order.number)
        calls_menu = next(d for d in card.callback_data if ":cm:" in d)
        await desk.fake.post_webhook(desk.fake.press(chat, card.message_id, calls_menu, OWNER))
        menu = desk.fake.message(chat, card.message_id)
        await desk.fake.wait_for(lambda f: any(":na:" in d for d in menu.callback_data), 10)
        no_answer = next(d for d in menu.callback_data if ":na:" in d)
        update = desk.fake.press(chat, card.message_id, no_answer, OWNER)
        assert await desk.fake.post_webhook(update) == 200
        assert await desk.fake.post_webhook(update) == 200  # Telegram retrying
        query = update["callback_query"]["id"]
        await desk.fake.wait_for(lambda f: f.query(query).answered, 10)
        await quiet_moment(desk.fake, server)
        assert await CallAttempt.filter(order_id=placed.order.id).count() == 1
        answers = [
            r
            for r in desk.fake.calls("answerCallbackQuery")
            if r.params["callback_query_id"] == query
        ]
        assert len(answers) == 1
        hello = desk.fake.user_message(chat, OWNER, "/start")
        for _attempt in range(2):
            await desk.fake.post_webhook(hello)
        await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) >= 3, 10)
        await quiet_moment(desk.fake, server)
        hello_text = _(
            "Hello! Open the invite link your store's owner sent you, "
            "or send /start followed by the invite code."
        )
        replies = [m for m in desk.fake.bot_messages(chat) if m.text == hello_text]
        assert len(replies) == 1
