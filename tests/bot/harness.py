"""A running bot against the fake Bot API: the real python-telegram-bot, the relay with
the Telegram channel, and helpers to play the owner and the team."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.channel import TelegramChannel
from bot.limits import TELEGRAM, Pacing
from bot.runtime import BotConfig, BotRuntime
from hanout.processes import outbox_routes
from models.outbox import relay as outbox
from models.outbox.tables import OutboxMessage
from models.shipping.parcels import DispatchService
from models.stores import setup
from models.stores.tables import Store
from models.team import cards
from notify.relay import Relay
from tests.fakes.telegram_api import FakeTelegram, StoredMessage

OWNER = {"id": 1001, "first_name": "Nadia", "last_name": "Owner"}
AGENT = {"id": 2002, "first_name": "Yacine"}
AGENT2 = {"id": 3003, "first_name": "Sara"}
# The fake counts nothing unless told to (`enforce_limits`): the desk then paces its chats by
# Telegram's rules twenty times quicker, and a flow's every step in a private chat waits
# 55 ms, not a second. Against a counting fake it keeps Telegram's own pace.
QUICK = TELEGRAM.quicker(20)


class Handled:
    """The ids of the updates the bot has finished with: the Application's `process_update`
    (every group's handlers, one after the other) is wrapped to note each id when it
    returns. This is the sentinel that proves "the bot handled it, and nothing more
    happened", with no sleep. (A handler would not do: the hints ask whether any handler
    takes an update.)"""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    @classmethod
    def watch(cls, runtime: BotRuntime) -> Handled:
        """A sentinel on `runtime`'s bot (before it starts)."""
        handled = cls()
        process = runtime.app.process_update

        async def process_and_note(update: object) -> None:
            try:
                await process(update)
            finally:
                if isinstance(update, Update):
                    handled.ids.add(update.update_id)

        runtime.app.process_update = process_and_note  # type: ignore[method-assign]
        return handled


@dataclass
class Desk:
    fake: FakeTelegram
    runtime: BotRuntime
    relay: Relay
    handled: Handled

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until the outbox is drained and no card lags its order."""
        assert self.runtime.sender is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            await self.relay.run_once()
            await self.runtime.sender.run_once()
            busy = await OutboxMessage.filter(
                channel="telegram", status__in=["pending", "processing"]
            ).exists()
            if not busy and not await cards.chats_with_work():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("cards did not settle")

    async def say(self, chat_id: int, user: dict[str, Any], text: str) -> None:
        """A person writes in a chat; waits until the bot has handled it."""
        update = await self.fake.send_update(self.fake.user_message(chat_id, user, text))
        await self.handled_update(update)

    async def handled_update(self, update: dict[str, Any]) -> None:
        """Wait until the bot has finished handling `update` (sent to the fake)."""
        number = update["update_id"]
        await self.fake.wait_for(lambda _: number in self.handled.ids, timeout=10)

    async def press(self, chat_id: int, message_id: int, data: str, user: dict[str, Any]) -> str:
        update = self.fake.press(chat_id, message_id, data, user)
        query_id = update["callback_query"]["id"]
        await self.fake.send_update(update)
        await self.fake.wait_for(lambda f: f.query(query_id).answered, timeout=10)
        return str(query_id)

    def card(self, chat_id: int, number: int) -> StoredMessage:
        """The live card of an order in a chat (the last bot message naming it)."""
        found = [
            m
            for m in self.fake.bot_messages(chat_id)
            if (m.text or "").startswith(("🆕", "✅", "📦", "🚚", "🎉", "❌", "↩️"))
            and f"#{number} " in m.text.split("\n", 1)[0] + " "
        ]
        assert found, f"no card for #{number} in {chat_id}"
        return found[-1]

    async def bind(self, store: Store, user: dict[str, Any], role: str = "owner") -> int:
        chat_id = self.fake.add_private_chat(user)
        token = await setup.create_invite(store, role)
        await self.say(chat_id, user, f"/start {token}")
        return chat_id

    async def bind_group(self, store: Store, members: list[dict[str, Any]]) -> int:
        group = self.fake.add_group("Équipe", members=members)
        token = await setup.create_invite(store, "agent")
        await self.say(group, members[0], f"/start@hanout_test_bot {token}")
        return group


@asynccontextmanager
async def running_desk(
    dispatcher: DispatchService | None = None, pacing: Pacing | None = None, **fake_args: Any
) -> AsyncIterator[Desk]:
    if pacing is None:
        pacing = TELEGRAM if fake_args.get("enforce_limits") else QUICK
    async with FakeTelegram(long_poll_cap=0.2, **fake_args) as fake:
        previous = outbox.routes()
        outbox.use_routes(outbox_routes(telegram=True))
        config = BotConfig(
            token=fake.token,
            api_url=fake.url,
            poll_timeout=0.2,
            dispatcher=dispatcher,
            pacing=pacing,
        )
        runtime = BotRuntime(config, receive=True, send=True)
        assert runtime.sender is not None
        relay = Relay(
            {"telegram": TelegramChannel(runtime.sender.wake, runtime.app.bot)},
            worker_id="test",
            interval=0.05,
        )
        handled = Handled.watch(runtime)
        await runtime.start()
        await relay.start()
        try:
            yield Desk(fake, runtime, relay, handled)
        finally:
            await relay.stop()
            await runtime.stop()
            outbox.use_routes(previous)
