"""Keeps every chat's order cards in step with the orders, within Telegram's limits.

Cards lagging their order are marked in the database (models.cards). For each chat, the
sender edits or sends them while the chat's budget allows; when more new orders wait than
the budget can take, it sends one digest ("12 new orders #1034–#1045") instead. Several
changes to one order before its turn become one edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.callbacks import digest_button
from bot.cards import Card, render_card
from bot.i18n import translator
from bot.limits import FloodBudget, _seconds
from models import cards, team
from models.lifecycle import TERMINAL
from models.orm import CardMessage, OrderLine, Store, TelegramChat
from models.timeline import record_notification_failure

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")


class CardSender:
    """One per process that sends to Telegram (`run` or `worker`)."""

    def __init__(self, bot: Bot, budget: FloodBudget, interval: float = 1.0) -> None:
        self.bot, self.budget, self.interval = bot, budget, interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stores: dict[int, Store] = {}
        # One pass at a time: two passes would both send a card that has no message yet.
        self._pass = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="card-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("card sender pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)

    async def run_once(self) -> None:
        """One pass over every chat with lagging cards, chats served concurrently."""
        async with self._pass:
            chats = await cards.chats_with_work()
            await asyncio.gather(*(self._serve(chat) for chat in chats))

    async def _store(self, store_id: int) -> Store:
        store = await Store.get(id=store_id)
        self._stores[store_id] = store
        return store

    async def _serve(self, chat: TelegramChat) -> None:
        if self.budget.available(chat.chat_id) == 0:
            return
        store = await self._store(chat.store_id)
        pending = await cards.dirty_cards(chat.id)
        quiet = [c for c in pending if _nothing_to_send(c)]
        for card in quiet:
            await cards.settle(card)
        todo = [c for c in pending if c not in quiet]
        new = [c for c in todo if c.message_id is None and not c.resend]
        if len(new) > 1 and len(new) > self.budget.available(chat.chat_id):
            if not await self._digest(chat, store, new):
                return
            todo = [c for c in todo if c not in new]
        for card in todo:
            if self.budget.available(chat.chat_id) == 0:
                return  # the rest stay marked: coalesced into the next edits
            if not await self._render(chat, store, card):
                return

    async def _digest(self, chat: TelegramChat, store: Store, new: Sequence[CardMessage]) -> bool:
        _ = translator(store.lang)
        numbers = sorted(c.order.number for c in new)
        text = _(
            "%(count)s new orders #%(first)s–#%(last)s",
            count=len(numbers),
            first=numbers[0],
            last=numbers[-1],
        )
        button = InlineKeyboardButton(
            "📋 " + _("List them"), callback_data=digest_button(store.id, numbers[0], numbers[-1])
        )
        sent = await self._call(
            chat,
            self.bot.send_message(
                chat.chat_id,
                text,
                reply_markup=InlineKeyboardMarkup([[button]]),
                disable_notification=store.silent_notifications,
            ),
        )
        if sent is None:
            return False
        for card in new:
            await cards.settle(card, digest=True)
        log.info("digest sent chat=%s store=%s orders=%s", chat.chat_id, store.slug, len(new))
        return True

    async def _render(self, chat: TelegramChat, store: Store, card: CardMessage) -> bool:
        order = card.order
        lines = await OrderLine.filter(order_id=order.id).order_by("id")
        shown = render_card(order, lines, store.lang)
        version = order.version
        if card.message_id is not None and not card.resend:
            if shown.digest == card.text_hash:
                await cards.rendered(card, version, card.message_id, shown.digest)
                return True
            return await self._edit(chat, card, shown, version)
        return await self._send(chat, store, card, shown, version)

    async def _send(
        self, chat: TelegramChat, store: Store, card: CardMessage, shown: Card, version: int
    ) -> bool:
        old = card.message_id
        sent = await self._call(
            chat,
            self.bot.send_message(
                chat.chat_id,
                shown.text,
                reply_markup=shown.markup,
                disable_notification=store.silent_notifications,
            ),
            card,
        )
        if not isinstance(sent, Message):
            return sent is not None
        await cards.rendered(card, version, sent.message_id, shown.digest)
        if old is not None:  # a bumped card: the old copy loses its buttons
            with contextlib.suppress(BadRequest, Forbidden):
                await self.bot.delete_message(chat.chat_id, old)
        return True

    async def _edit(self, chat: TelegramChat, card: CardMessage, shown: Card, version: int) -> bool:
        assert card.message_id is not None
        done = await self._call(
            chat,
            self.bot.edit_message_text(
                shown.text,
                chat_id=chat.chat_id,
                message_id=card.message_id,
                reply_markup=shown.markup,
            ),
            card,
        )
        if done is None:
            return False
        if done is not False:
            await cards.rendered(card, version, card.message_id, shown.digest)
        return True

    async def _call(
        self, chat: TelegramChat, call: object, card: CardMessage | None = None
    ) -> object | None:
        """Run one Telegram call; None when this chat must wait, False when the card was
        handled another way (gone, refused), else Telegram's result."""
        try:
            return await call  # type: ignore[misc]
        except RetryAfter as exc:
            self.budget.pause(chat.chat_id, _seconds(exc.retry_after))
            return None
        except ChatMigrated as exc:
            await self._migrated(chat, int(exc.new_chat_id))
            return None
        except Forbidden as exc:
            await self._forbidden(chat, str(exc))
            return None
        except BadRequest as exc:
            return await self._bad_request(chat, card, str(exc))
        except NetworkError as exc:
            log.warning("telegram unreachable chat=%s error=%s", chat.chat_id, exc)
            self.budget.pause(chat.chat_id, 5)
            return None

    async def _bad_request(
        self, chat: TelegramChat, card: CardMessage | None, error: str
    ) -> object:
        lowered = error.lower()
        if card is not None and NOT_MODIFIED in lowered:
            return True
        if card is not None and any(g in lowered for g in GONE):
            await cards.forget_message(card)
            return False
        log.error("telegram refused a card chat=%s error=%s", chat.chat_id, error)
        if card is not None:
            await cards.settle(card)
            await _record_failure(card, error)
        return False

    async def _migrated(self, chat: TelegramChat, new_chat_id: int) -> None:
        log.info("group became a supergroup old=%s new=%s", chat.chat_id, new_chat_id)
        await team.migrate_chat(chat.chat_id, new_chat_id)
        await cards.resend_chat(chat.id)
        self.wake()

    async def _forbidden(self, chat: TelegramChat, error: str) -> None:
        log.warning("telegram chat refused the bot chat=%s error=%s", chat.chat_id, error)
        for store in await team.disable_chat(chat.chat_id, error):
            await self._tell_owners(store, chat)

    async def _tell_owners(self, store: Store, lost: TelegramChat) -> None:
        _ = translator(store.lang)
        text = _(
            "⚠️ I can no longer post in %(chat)s (blocked or removed). Its order cards "
            "are paused; send /start with a new invite there to bring them back.",
            chat=lost.title or str(lost.chat_id),
        )
        for chat in await team.active_chats(store):
            if chat.kind == "private" and chat.chat_id != lost.chat_id:
                with contextlib.suppress(BadRequest, Forbidden, NetworkError):
                    await self.bot.send_message(chat.chat_id, text)


def _nothing_to_send(card: CardMessage) -> bool:
    """A card never sent needs no message when its order ended or a digest listed it."""
    if card.message_id is not None or card.resend:
        return False
    return card.digest or card.order.status in TERMINAL


async def _record_failure(card: CardMessage, error: str) -> None:
    try:
        await record_notification_failure(card.order, "telegram", error)
    except Exception:  # the card is settled either way; the log keeps the error
        log.exception("could not record a notification failure order_id=%s", card.order_id)
