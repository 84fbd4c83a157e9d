"""Questions the bot asks with a ForceReply (the kept order of a duplicate, a tracking
number), and the replies that answer them. Kept in memory: a question outlives neither a
restart nor an hour, and the person presses the button again."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from html import escape

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.callbacks import keep_button
from bot.context import display_name
from bot.i18n import N_, local_time, translator
from bot.refusals import refusal
from i18n import Translator
from models.calls import outcomes
from models.calls.callback_time import parse_callback_time
from models.errors import DomainError, InvalidInput, OtherCustomersOrder
from models.infra.clock import now
from models.orders import transitions
from models.orders.cancellation import Cancellation
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.shipping import manual
from models.team import members

log = logging.getLogger(__name__)
TTL = 3600.0
KEY = "asks"
PROMPTS = {
    "duplicate": N_("Reply with the number of the order to keep instead of #%(number)s"),
    "tracking": N_("Reply with the tracking number for #%(number)s"),
    "cancel_other": N_("Reply with why #%(number)s is cancelled"),
    "callback": N_("Reply with when to call #%(number)s back (18:30, tomorrow 14h, +2h)"),
}
Reply = tuple[str, dict[str, object]]


@dataclass(frozen=True, slots=True)
class Ask:
    kind: str  # duplicate | tracking | cancel_other | callback
    order_id: int
    version: int
    actor: Actor
    at: float = field(default_factory=time.monotonic)


def remember(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, ask: Ask) -> None:
    pending: dict[tuple[int, int], Ask] = context.bot_data.setdefault(KEY, {})
    for key in [k for k, a in pending.items() if time.monotonic() - a.at > TTL]:
        del pending[key]
    pending[(chat_id, message_id)] = ask


def _take(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> Ask | None:
    pending: dict[tuple[int, int], Ask] = context.bot_data.get(KEY, {})
    ask = pending.get((chat_id, message_id))
    if ask is None or time.monotonic() - ask.at > TTL:
        return None
    return ask


async def _asked(
    context: ContextTypes.DEFAULT_TYPE, message: Message
) -> tuple[Ask, Order, Actor] | None:
    """The question this message answers, its order and who answers; None when it answers
    nothing of ours (or someone else's question)."""
    if message.reply_to_message is None or message.from_user is None:
        return None
    ask = _take(context, message.chat.id, message.reply_to_message.message_id)
    if ask is None or ask.actor.id != str(message.from_user.id):
        return None
    order = await Order.get_or_none(id=ask.order_id).select_related("store")
    if order is None:
        return None
    actor = await members.authorize(
        order.store, message.from_user.id, display_name(message.from_user), message.chat.id
    )
    return (ask, order, actor) if actor is not None else None


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text reply to one of the bot's questions."""
    message = update.effective_message
    found = await _asked(context, message) if message is not None else None
    if message is None or found is None:
        return
    ask, order, actor = found
    _ = translator(order.store.lang)
    try:
        reply = await _answer(ask, order, actor, (message.text or "").strip())
    except InvalidInput:  # not a number, not a tracking number: the same question again
        again = await message.reply_text(
            _(PROMPTS[ask.kind], number=order.number), reply_markup=ForceReply(selective=True)
        )
        remember(context, again.chat.id, again.message_id, replace(ask, at=time.monotonic()))
        return
    except OtherCustomersOrder as exc:
        text, markup = _other_customer(ask, order, exc.number, _)
        await message.reply_text(escape(text), reply_markup=markup)
        return
    except DomainError as exc:
        await message.reply_text(escape(refusal(exc, _)))
        return
    assert message.reply_to_message is not None
    context.bot_data.get(KEY, {}).pop((message.chat.id, message.reply_to_message.message_id), None)
    text, params = reply
    await message.reply_text(_(text, number=order.number, **params))


def _other_customer(
    ask: Ask, order: Order, kept: int, _: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """A typed order of another customer is linked only on a second, explicit tap."""
    text = _(
        "#%(kept)s is another customer's order: #%(number)s was not changed.",
        kept=kept,
        number=order.number,
    )
    label = "🔁 " + _("Link #%(number)s to #%(kept)s anyway", number=order.number, kept=kept)
    button = InlineKeyboardButton(
        label, callback_data=keep_button(order.id, ask.version, kept, True)
    )
    return text, InlineKeyboardMarkup([[button]])


def _order_number(text: str) -> int | None:
    digits = text.strip().lstrip("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


async def _answer(ask: Ask, order: Order, actor: Actor, text: str) -> Reply:
    store = order.store
    if ask.kind == "tracking":
        await manual.dispatch_order(store, order.number, actor, text, expected_version=ask.version)
        return N_("#%(number)s is shipped."), {}
    if ask.kind == "cancel_other":
        why = Cancellation("other", text[:300])
        if not text:
            raise InvalidInput("note: say why")
        await transitions.cancel_order(
            store, order.number, actor, cancel=why, expected_version=ask.version
        )
        return N_("#%(number)s cancelled: %(reason)s"), {"reason": why.note}
    if ask.kind == "callback":
        when = parse_callback_time(text, now())
        if when is None:
            raise InvalidInput("callback_at: not a time")
        await outcomes.log_call(
            store, order.number, "postponed", actor, callback_at=when, expected_version=ask.version
        )
        return N_("#%(number)s comes back at %(when)s"), {"when": local_time(when)}
    await outcomes.log_call(
        store,
        order.number,
        "duplicate",
        actor,
        duplicate_of=_order_number(text),
        expected_version=ask.version,
    )
    return N_("#%(number)s cancelled as a duplicate."), {}
