"""Several web processes behind one webhook address: Telegram's resend of an update lands
on any of them and is applied once, the update id written once for all in the database.
Each is answered 200 at once, the resend included."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import telegram_webhook
from bot.i18n import translator
from bot.runtime import BotConfig, BotRuntime
from models.infra.clock import now
from models.team import telegram_updates
from models.team.tables import TelegramUpdate
from tests.bot.harness import OWNER
from tests.bot.test_telegram_webhook import SECRET, post_raw, quiet_moment
from tests.fakes.telegram_api import FakeTelegram

_ = translator("fr")
HELLO = _(
    "Hello! Open the invite link your store's owner sent you, "
    "or send /start followed by the invite code."
)


@asynccontextmanager
async def web_processes(fake: FakeTelegram, count: int) -> AsyncIterator[list[TestServer]]:
    """`count` web processes' bots, each behind its own aiohttp app with the webhook route,
    all on the test's database."""
    async with AsyncExitStack() as stack:
        servers = []
        for _n in range(count):
            config = BotConfig(fake.token, api_url=fake.url, mode="webhook", webhook_secret=SECRET)
            runtime = BotRuntime(config, receive=True, send=False)
            app = web.Application()
            telegram_webhook.add_route(app, runtime)
            server = TestServer(app, host="127.0.0.1")
            await server.start_server()
            stack.push_async_callback(server.close)
            runtime.config = dataclasses.replace(config, public_url=str(server.make_url("/")))
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            servers.append(server)
        yield servers


def hellos(fake: FakeTelegram, chat: int) -> int:
    return sum(1 for m in fake.bot_messages(chat) if m.text == HELLO)


async def test_an_update_sent_to_two_web_processes_is_handled_once(db: str) -> None:
    async with FakeTelegram() as fake, web_processes(fake, 2) as (first, second):
        chat = fake.add_private_chat(OWNER)
        update = fake.user_message(chat, OWNER, "/start")
        body = json.dumps(update).encode()
        assert await post_raw(first, body) == 200
        assert await post_raw(second, body) == 200  # Telegram's resend, to the other one
        assert await post_raw(first, body) == 200
        await fake.wait_for(lambda f: hellos(f, chat) >= 1, 10)
        await quiet_moment(fake, first, second)
        assert hellos(fake, chat) == 1
        assert await TelegramUpdate.filter(update_id=update["update_id"]).count() == 1

        # Another update still goes through, on either process.
        again = fake.user_message(chat, OWNER, "/start")
        assert await post_raw(second, json.dumps(again).encode()) == 200
        await fake.wait_for(lambda f: hellos(f, chat) == 2, 10)


async def test_the_same_update_at_the_same_moment_is_taken_by_one_process(db: str) -> None:
    taken = await asyncio.gather(*(telegram_updates.first_delivery(777) for _n in range(5)))
    assert sorted(taken) == [False] * 4 + [True]
    assert await telegram_updates.first_delivery(778)
    assert not await telegram_updates.first_delivery(778)


async def test_the_update_is_applied_when_its_id_cannot_be_written(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def away(update_id: int) -> bool:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(telegram_updates, "first_delivery", away)
    async with FakeTelegram() as fake, web_processes(fake, 1) as (server,):
        chat = fake.add_private_chat(OWNER)
        body = json.dumps(fake.user_message(chat, OWNER, "/start")).encode()
        assert await post_raw(server, body) == 200
        assert await post_raw(server, body) == 200  # the process's own memory still holds
        await fake.wait_for(lambda f: hellos(f, chat) >= 1, 10)
        await quiet_moment(fake, server)
        assert hellos(fake, chat) == 1


async def test_ids_older_than_the_cutoff_are_forgotten(db: str) -> None:
    t = now()
    ages: dict[int, Any] = {1: timedelta(hours=50), 2: timedelta(hours=49), 3: timedelta(hours=1)}
    for update_id in ages:
        await telegram_updates.first_delivery(update_id)
    for update_id, age in ages.items():
        await TelegramUpdate.filter(update_id=update_id).update(received_at=t - age)
    assert await telegram_updates.forget_updates_before(t - telegram_updates.KEEP) == 2
    assert await TelegramUpdate.all().values_list("update_id", flat=True) == [3]
    assert await telegram_updates.forget_updates_before(t - telegram_updates.KEEP) == 0
    # A forgotten id is one Telegram no longer sends; were it sent, it would be new again.
    assert await telegram_updates.first_delivery(1)
