"""A fake Telegram Bot API server for driving the real python-telegram-bot over loopback.

    async with FakeTelegram() as fake:
        chat_id = fake.add_private_chat({"id": 42, "first_name": "Amina"})
        bot = telegram.Bot(fake.token, base_url=fake.api_url, base_file_url=fake.file_url)
        await bot.send_message(chat_id, "<b>hi</b>", parse_mode="HTML")
        assert fake.messages(chat_id)[0].text == "hi"

The server half (routes, wire format, spec validation, faults, flood limits) lives in
telegram_server; this class adds the driver side a test uses to play the people in the chats.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import aiohttp

from tests.fakes import telegram_updates as updates
from tests.fakes.telegram_account import scope_key
from tests.fakes.telegram_limits import Fault, FloodLimits, ManualClock
from tests.fakes.telegram_server import RecordedRequest, TelegramServer
from tests.fakes.telegram_spec import SPEC_PATH
from tests.fakes.telegram_state import (
    JSON,
    BotAccount,
    CallbackQueryRecord,
    Chat,
    StoredMessage,
    UserLike,
    Webhook,
)

__all__ = ["FakeTelegram", "FloodLimits", "ManualClock", "RecordedRequest", "StoredMessage"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class FakeTelegram(TelegramServer):
    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        username: str = "hanout_test_bot",
        first_name: str = "Hanout Test",
        enforce_limits: bool = False,
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        query_ttl: float = 15.0,
        long_poll_cap: float = 1.0,
        spec_path: Any = SPEC_PATH,
    ) -> None:
        super().__init__(
            enforce_limits=enforce_limits,
            limits=limits,
            clock=clock,
            query_ttl=query_ttl,
            long_poll_cap=long_poll_cap,
            spec_path=spec_path,
        )
        self.token = token
        self.add_bot(token, username, first_name)
        self.webhook_deliveries: list[tuple[JSON, int]] = []
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    # --- bots, people and chats ------------------------------------------------------------

    def add_bot(self, token: str, username: str, first_name: str | None = None) -> JSON:
        """Register a token; its bot user's id is the token's numeric prefix."""
        user: JSON = {"id": int(token.split(":", 1)[0]), "is_bot": True}
        user |= {"first_name": first_name or username, "username": username}
        user |= {"can_join_groups": True, "can_read_all_group_messages": False}
        user |= {"supports_inline_queries": False}
        self.state.bots[token] = BotAccount(token, user)
        return user

    def bot(self, token: str | None = None) -> BotAccount:
        return self.state.bots[token or self.token]

    @property
    def bot_user(self) -> JSON:
        return self.bot().user

    def user(self, user_id: int, first_name: str | None = None, **fields: Any) -> JSON:
        """Register (or update) a person: username=, last_name=, language_code=…"""
        return self.state.user(
            {"id": user_id, "first_name": first_name or f"User {user_id}"} | fields
        )

    def add_private_chat(self, user: UserLike, *, started: bool = True) -> int:
        """A private chat with a person (its id is theirs); started=False: never pressed Start."""
        return self.state.add_private_chat(user, started=started)

    def add_group(
        self,
        title: str,
        members: Iterable[UserLike] = (),
        *,
        admins: Iterable[UserLike] = (),
        owner: UserLike | None = None,
        supergroup: bool = False,
        username: str | None = None,
    ) -> int:
        """A group the bot is an administrator of; returns its (negative) id."""
        return self.state.add_group(
            title, members, admins=admins, owner=owner, supergroup=supergroup, username=username
        )

    def migrate_group(self, old_id: int) -> int:
        """Upgrade a group to a supergroup; calls on the old id then fail with ChatMigrated."""
        return self.state.migrate_group(old_id)

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: sends to their private chat get 403."""
        self._private(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._private(chat_id).blocked = False

    def kick(self, chat_id: int) -> None:
        """The bot was removed from the group: every call on it gets 403."""
        chat = self.chat(chat_id)
        if not chat.is_group:
            raise ValueError(f"chat {chat_id} is private: use block()")
        chat.bot_status = "kicked"

    def _private(self, chat_id: int) -> Chat:
        chat = self.chat(chat_id)
        if chat.is_group:
            raise ValueError(f"chat {chat_id} is a group: use kick()")
        return chat

    def set_member(self, chat_id: int, user: UserLike, status: str) -> None:
        """creator | administrator | member | restricted | left | kicked."""
        self.chat(chat_id).members[self.state.user(user)["id"]] = status

    def chat(self, chat_id: int) -> Chat:
        return self.state.chats[chat_id]

    # --- what the bot left behind ------------------------------------------------------------

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[StoredMessage]:
        """Every message in the chat (the bot's and the people's), oldest first."""
        stored = self.state.messages.get(chat_id, {}).values()
        return [m for m in stored if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        return self.state.messages[chat_id][message_id]

    def file_bytes(self, file_id: str) -> bytes:
        return self.state.files[file_id].data

    def query(self, query_id: str) -> CallbackQueryRecord:
        return self.state.queries[query_id]

    def commands(
        self, scope: JSON | None = None, language_code: str = "", *, token: str | None = None
    ) -> list[JSON]:
        key = (scope_key(scope), language_code)
        return self.bot(token).commands.get(key, [])

    @property
    def webhook(self) -> Webhook | None:
        return self.bot().webhook

    def calls(self, method: str, *, ok: bool | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and ok in (None, r.ok)]

    async def wait_for(
        self, predicate: Callable[[FakeTelegram], bool], timeout: float = 5.0
    ) -> None:
        """Wait until predicate(fake) holds, e.g. lambda f: len(f.calls("sendMessage")) == 2."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self):
            if asyncio.get_running_loop().time() > deadline:
                recent = [f"{r.method}:{r.status}" for r in self.requests[-10:]]
                raise TimeoutError(f"condition not met in {timeout}s; last requests: {recent}")
            await asyncio.sleep(0.01)

    async def wait_for_call(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> RecordedRequest:
        """The `count`-th call of a method, once it has been answered."""
        await self.wait_for(lambda fake: len(fake.calls(method)) >= count, timeout)
        return self.calls(method)[count - 1]

    # --- faults ------------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        error_code: int,
        description: str,
        parameters: JSON | None = None,
        times: int | None = 1,
        match: Callable[[JSON], bool] | None = None,
    ) -> Fault:
        """Answer the next `times` matching calls (None: all) with this error; "*" = any method."""
        error = (error_code, description, parameters)
        return self.faults.add(Fault(method, times, match, error=error))

    def delay(
        self,
        method: str,
        seconds: float,
        times: int | None = 1,
        match: Callable[[JSON], bool] | None = None,
    ) -> Fault:
        """Answer late; the call still takes effect (a timed-out send may have been delivered)."""
        return self.faults.add(Fault(method, times, match, delay=seconds))

    def fail_with_status(
        self,
        method: str,
        status: int = 502,
        times: int | None = 1,
        match: Callable[[JSON], bool] | None = None,
    ) -> Fault:
        """Answer with a bare HTTP status and an HTML body, as a proxy in front of Telegram does."""
        return self.faults.add(Fault(method, times, match, status=status))

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- people acting: updates ----------------------------------------------------------------

    def user_message(
        self, chat_id: int, user: UserLike, text: str, *, reply_to: int | None = None
    ) -> JSON:
        """A text message update; a leading /command gets its bot_command entity."""
        return updates.user_message(self.state, chat_id, user, text, reply_to)

    def user_photo(
        self, chat_id: int, user: UserLike, data: bytes, caption: str | None = None
    ) -> JSON:
        """A photo message update; the bytes are downloadable through getFile."""
        return updates.user_photo(self.state, chat_id, user, data, caption)

    def press(
        self, chat_id: int, message_id: int, data: str, user: UserLike, *, check_button: bool = True
    ) -> JSON:
        """A callback_query update for a button of a stored message; the query id is recorded."""
        return updates.press(self.state, chat_id, message_id, data, user, check_button)

    def new_chat_members(
        self, chat_id: int, users: Iterable[UserLike], *, by: UserLike | None = None
    ) -> JSON:
        return updates.new_chat_members(self.state, self.bot(), chat_id, users, by)

    def my_chat_member(self, chat_id: int, new_status: str, *, by: UserLike | None = None) -> JSON:
        """The bot was kicked ("kicked"), left ("left") or added ("member"/"administrator")."""
        return updates.my_chat_member(self.state, self.bot(), chat_id, new_status, by)

    def migration_updates(
        self, old_id: int, *, by: UserLike | None = None
    ) -> tuple[int, list[JSON]]:
        """Migrate the group and return (new id, [migrate_to message, migrate_from message])."""
        return updates.migration_updates(self.state, old_id, by)

    async def send_update(self, update: JSON, *, token: str | None = None) -> JSON:
        """Queue an update for getUpdates (long polling)."""
        bot = self.bot(token)
        if "update_id" not in update:
            update = {"update_id": self.state.next_update_id()} | update
        bot.updates.append(update)
        bot.arrived.set()
        return update

    async def post_webhook(
        self,
        update: JSON,
        *,
        secret_token: str | None = None,
        omit_secret: bool = False,
        token: str | None = None,
    ) -> int:
        """POST the update to the webhook set with setWebhook; returns the HTTP status.

        The secret header carries the registered secret unless `secret_token` overrides it."""
        hook = self.bot(token).webhook
        if hook is None:
            raise RuntimeError("the bot has not set a webhook")
        secret = secret_token if secret_token is not None else hook.secret_token
        headers = {SECRET_HEADER: secret} if secret and not omit_secret else {}
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(hook.url, json=update, headers=headers) as response:
            await response.read()
            status = response.status
        self.webhook_deliveries.append((update, status))
        if not 200 <= status < 300:
            hook.last_error_date = self.state.now()
            hook.last_error_message = f"Wrong response from the webhook: {status}"
        return status

    async def deliver(self, update: JSON, *, token: str | None = None) -> int | None:
        """Deliver the way the bot listens: webhook POST when one is set, else the poll queue."""
        if self.bot(token).webhook is not None:
            return await self.post_webhook(update, token=token)
        await self.send_update(update, token=token)
        return None

    def pending_updates(self, token: str | None = None) -> list[JSON]:
        return list(self.bot(token).updates)
