"""Keeps every chat's order cards in step with the orders, within Telegram's limits.

Cards lagging their order are marked in the database (models.team.cards). For each chat, the
sender edits or sends them while the chat's budget allows; when more new orders wait than
the budget can take, it sends one digest ("12 new orders: #1034–#1045") instead. Several
changes to one order before its turn become one edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from html import escape
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.callbacks import digest_button
from bot.cards import Card, CardContext, render_card
from bot.desk_links import DeskLinks
from bot.i18n import translator
from bot.limits import FloodBudget, retry_seconds
from bot.reasons import courier_label
from models.customers import registry
from models.infra.clock import now
from models.infra.db import is_unavailable, on_side_connection
from models.orders import duplicates
from models.orders.lifecycle import TERMINAL, OrderStatus
from models.orders.tables import Order, OrderLine
from models.orders.timeline import record_notification_failure
from models.shipping.parcels import dispatch_refusal, last_parcel_status, shipment_of
from models.shipping.tables import Shipment
from models.stores.tables import Store
from models.team import cards, members
from models.team.tables import CardMessage, TelegramChat

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")
CHAT_GONE = ("chat not found", "group chat was deactivated")
# A 429 is not waited for inside the call: the sender has other chats to serve, and this
# chat's budget says when to come back.
NO_RETRY = {"retries": 0}
NETWORK_PAUSE = 3.0
# After a restart, labels of parcels dispatched this recently are sent with their card.
LABEL_FRESH = timedelta(days=1)
LABEL_EXTENSIONS = {"application/pdf": "pdf", "text/html": "html", "image/png": "png"}
# What Telegram already shows is written again while the database is away, for this long:
# lost, a card sent would be sent again (or listed in a digest as well).
RECORD_FOR = 30.0
RECORD_PAUSE_FIRST, RECORD_PAUSE_MAX = 0.2, 2.0

T = TypeVar("T")


class CardSender:
    """One per process that sends to Telegram (`run` or `worker`)."""

    def __init__(
        self,
        bot: ExtBot[Any],
        budget: FloodBudget,
        interval: float = 1.0,
        gather: float = 0.1,
        links: DeskLinks | None = None,
    ) -> None:
        self.bot, self.budget, self.interval = bot, budget, interval
        self.links = links or DeskLinks()  # the cards' 📋 Desk button, where it can open
        # Passes start at least this far apart: a lone change goes out at once, a burst of
        # changes becomes one pass every `gather` seconds, not hundreds.
        self.gather = gather
        self._last_pass = -gather
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # One pass at a time: two passes would both send a card that has no message yet.
        self._pass = asyncio.Lock()
        # (chat, order) → when the parcel's label was sent there (see _label).
        self.labels_sent: dict[tuple[int, int], datetime] = {}

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="card-sender")

    async def stop(self) -> None:
        # The flag too: on Python 3.11 a cancel that lands as the wake-up fires is swallowed
        # by asyncio.wait_for, and the loop would go on for ever.
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            self._last_pass = loop.time()
            try:
                await self.run_once()
            except Exception:
                log.exception("card sender pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
                await asyncio.sleep(max(0.0, self._last_pass + self.gather - loop.time()))

    async def run_once(self) -> None:
        """One pass over every chat with lagging cards, chats served concurrently; one
        chat failing never stops the others. On SQLite the pass reads and writes through the
        side connection: behind a checkout surge, a card waits for no batch of orders."""
        async with self._pass:
            with on_side_connection():
                chats = await cards.chats_with_work()
                results = await asyncio.gather(
                    *(self._serve(chat) for chat in chats), return_exceptions=True
                )
        for chat, result in zip(chats, results, strict=True):
            if isinstance(result, Exception):
                log.error("serving chat failed chat=%s", chat.chat_id, exc_info=result)

    async def _serve(self, chat: TelegramChat) -> None:
        news = self.budget.room_for_news(chat.chat_id, overdue=True)  # the most there can be
        if news == 0 and self.budget.room_for_edits(chat.chat_id) == 0:
            return  # no room at all: not even worth reading the cards
        store = await Store.get(id=chat.store_id)
        todo = await _without_quiet(await cards.dirty_cards(chat.id, sent_only=news == 0))
        new = [c for c in todo if c.message_id is None and not c.resend]
        if new and not await self._news(chat, store, new):
            return
        for card in [c for c in todo if c.message_id is not None or c.resend]:
            if self.budget.room_for_edits(chat.chat_id) == 0:
                return  # the rest stay marked: coalesced into the next edits
            if not await self._render(chat, store, card):
                return

    async def _news(self, chat: TelegramChat, store: Store, new: list[CardMessage]) -> bool:
        """Cards for new orders while the chat's pace allows, else one digest listing them.
        False when the chat must wait."""
        waited = now() - min(c.order.created_at for c in new)
        overdue = waited > timedelta(seconds=self.budget.pacing.news_overdue)
        room = self.budget.room_for_news(chat.chat_id, overdue)
        if room == 0:
            return True  # they wait for room; edits of existing cards may still go
        if len(new) > self.budget.news_pace(chat.chat_id):
            return await self._digest(chat, store, new)
        for card in new[:room]:  # the others follow as the chat's budget frees up
            if not await self._render(chat, store, card):
                return False
            self.budget.took_news(chat.chat_id)
        return True

    async def _digest(self, chat: TelegramChat, store: Store, new: Sequence[CardMessage]) -> bool:
        _ = translator(store.lang)
        numbers = sorted(c.order.number for c in new)
        text = _(
            "%(count)s new orders: %(numbers)s", count=len(numbers), numbers=number_ranges(numbers)
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
                rate_limit_args=NO_RETRY,
            ),
        )
        if not isinstance(sent, Message):
            return False
        self.budget.took_news(chat.chat_id)
        await recorded(partial(cards.listed, list(new)))
        log.info("digest sent chat=%s store=%s orders=%s", chat.chat_id, store.slug, len(new))
        return True

    async def _render(self, chat: TelegramChat, store: Store, card: CardMessage) -> bool:
        order = card.order
        lines = await OrderLine.filter(order_id=order.id).order_by("id")
        parcel = await last_parcel_status(order) if order.tracking else None
        refused, standing = await dispatch_refusal(order), await registry.standing_of(order)
        extra = replace(await card_context(order, store), desk=self._desk(chat, store, order))
        shown = render_card(order, lines, store.lang, refused, parcel, standing, extra)
        version = order.version
        if card.message_id is not None and not card.resend:
            if shown.digest == card.text_hash:
                await cards.rendered(card, version, card.message_id, shown.digest)
                return True
            done = await self._edit(chat, card, shown, version)
        else:
            done = await self._send(chat, store, card, shown, version)
        if done and order.status is OrderStatus.SHIPPED:
            await self._label(chat, store, card)
        return done

    def _desk(self, chat: TelegramChat, store: Store, order: Order) -> InlineKeyboardButton | None:
        """The order's page on the desk: web_app in a private chat, the link in a group."""
        try:
            username: str | None = self.bot.username
        except RuntimeError:  # not initialized yet: no getMe answer to name the bot
            username = None
        return self.links.button(username, store.slug, chat.kind, store.lang, order.number)

    async def _label(self, chat: TelegramChat, store: Store, card: CardMessage) -> None:
        """The parcel's label as a document under the shipped card, once per chat.

        Remembered in memory, not in the database: a restart forgets, so only labels of
        parcels dispatched in the last LABEL_FRESH are sent (again) after one — a new
        parcel's label always arrives, an old one is not repeated at each status change."""
        key = (chat.chat_id, card.order_id)
        if key in self.labels_sent:
            return
        shipment = await shipment_of(card.order_id)
        if shipment is None or not shipment.label or now() - shipment.created_at > LABEL_FRESH:
            return
        self.labels_sent[key] = now()
        _ = translator(store.lang)
        caption = _(
            "Label of #%(number)s · %(courier)s %(tracking)s",
            number=card.order.number,
            courier=escape(courier_label(shipment.courier, _)),
            tracking=escape(shipment.tracking or ""),
        )
        # Under the card it belongs to (a fresh card's message id is not known here).
        below = ReplyParameters(card.message_id, allow_sending_without_reply=True)
        document = InputFile(shipment.label, filename=label_file_name(card.order.number, shipment))
        sent = await self._call(
            chat,
            self.bot.send_document(
                chat.chat_id,
                document,
                caption="🏷 " + caption,
                reply_parameters=below if card.message_id else None,
                disable_notification=True,
                rate_limit_args=NO_RETRY,
            ),
        )
        if sent is None:  # the chat must wait: tried again at the card's next render
            del self.labels_sent[key]
        for old in [k for k, at in self.labels_sent.items() if now() - at > LABEL_FRESH]:
            del self.labels_sent[old]

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
                rate_limit_args=NO_RETRY,
            ),
            card,
        )
        if not isinstance(sent, Message):
            return sent is not None
        await recorded(partial(cards.rendered, card, version, sent.message_id, shown.digest))
        if old is not None:  # a bumped card: the old copy goes, so only one card has buttons
            with contextlib.suppress(TelegramError):
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
                rate_limit_args=NO_RETRY,
            ),
            card,
        )
        if done is None:
            return False
        if done is not False:
            await cards.rendered(card, version, card.message_id, shown.digest)
        return True

    async def _call(
        self, chat: TelegramChat, call: Awaitable[object], card: CardMessage | None = None
    ) -> object | None:
        """Run one Telegram call; None when this chat must wait, False when the card was
        handled another way (gone, refused), else Telegram's result."""
        try:
            return await call
        except RetryAfter as exc:
            self.budget.pause(chat.chat_id, retry_seconds(exc))
        except ChatMigrated as exc:
            await self._migrated(chat, int(exc.new_chat_id))
        except Forbidden as exc:
            await chat_lost(self.bot, chat.chat_id, chat.title, str(exc))
        except BadRequest as exc:
            return await self._bad_request(chat, card, str(exc))
        except (NetworkError, TelegramError) as exc:
            # Timeouts, 5xx, a proxy's HTML page: the card stays marked and is tried again.
            # (A send that timed out may have arrived: the Bot API has no idempotency key.)
            log.warning("telegram unreachable chat=%s error=%r", chat.chat_id, exc)
            self.budget.pause(chat.chat_id, NETWORK_PAUSE)
        return None

    async def _bad_request(
        self, chat: TelegramChat, card: CardMessage | None, error: str
    ) -> object | None:
        lowered = error.lower()
        if card is not None and NOT_MODIFIED in lowered:
            return True
        if card is not None and any(g in lowered for g in GONE):
            await cards.forget_message(card)
            self.wake()
            return False
        if any(g in lowered for g in CHAT_GONE):
            await chat_lost(self.bot, chat.chat_id, chat.title, error)
            return None
        log.error("telegram refused a card chat=%s error=%s", chat.chat_id, error)
        if card is not None:
            await cards.settle(card)
            await _record_failure(card, error)
        return False

    async def _migrated(self, chat: TelegramChat, new_chat_id: int) -> None:
        log.info("group became a supergroup old=%s new=%s", chat.chat_id, new_chat_id)
        # Zero rows: the service message got there first and already re-marked the cards.
        if await members.migrate_chat(chat.chat_id, new_chat_id):
            await cards.resend_chat(chat.id)
        self.wake()


async def recorded(write: Callable[[], Awaitable[T]]) -> T:
    """Write what a Telegram call did; while the database is away, again after a pause,
    for up to RECORD_FOR seconds (the message is out: forgotten, it would go out twice)."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + RECORD_FOR, RECORD_PAUSE_FIRST
    while True:
        try:
            return await write()
        except Exception as exc:
            if not is_unavailable(exc) or loop.time() + pause > deadline:
                raise
            log.warning("card record waits for the database retry_in=%.1fs error=%r", pause, exc)
        await asyncio.sleep(pause)
        pause = min(pause * 2, RECORD_PAUSE_MAX)


async def chat_lost(bot: ExtBot[Any], chat_id: int, title: str, reason: str) -> None:
    """Telegram refused a chat for good (bot blocked or kicked): stop sending there and
    tell each store's owners in another chat."""
    log.warning("telegram chat refused the bot chat=%s reason=%s", chat_id, reason)
    for store in await members.disable_chat(chat_id, reason):
        _ = translator(store.lang)
        text = _(
            "⚠️ I can no longer post in %(chat)s (blocked or removed). Its order cards "
            "are paused; send /start with a new invite there to bring them back.",
            chat=escape(title or str(chat_id)),
        )
        for notice in await members.notice_chats(store, chat_id):
            with contextlib.suppress(TelegramError):
                await bot.send_message(notice.chat_id, text)


async def card_context(order: Order, store: Store) -> CardContext:
    """The customer's other open orders, the store's no-answer limit, the stop desk."""
    live = order.status not in TERMINAL and order.status is not OrderStatus.DELIVERED
    also = await duplicates.also_open(order) if live else []
    shipment = await shipment_of(order.id) if order.courier else None
    desk = (shipment.stopdesk_name or shipment.stopdesk_id) if shipment else ""
    return CardContext(also, store.no_answer_limit, desk)


def label_file_name(number: int, shipment: Shipment) -> str:
    kind = shipment.label_type.split(";")[0].strip().lower()
    return f"label-{number}.{LABEL_EXTENSIONS.get(kind, 'bin')}"


def number_ranges(numbers: Sequence[int]) -> str:
    """`#1001–#1004, #1007`: exactly the numbers given (sorted), runs joined by a dash."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"#{r[0]}–#{r[-1]}" if len(r) > 1 else f"#{r[0]}" for r in runs)


async def _without_quiet(pending: list[CardMessage]) -> list[CardMessage]:
    """Settle the cards that need no message, return the others."""
    todo = []
    for card in pending:
        if _nothing_to_send(card):
            await cards.settle(card)
        else:
            todo.append(card)
    return todo


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
