"""Typed answers to the ✏️ Edit panel's questions (name, second phone, address, call note,
commune, and the owner's fee or discount with its reason): into the draft, and the panel
redrawn with them."""

from __future__ import annotations

import re
import unicodedata
from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot import edit_session as sessions
from bot.context import display_name
from bot.edit_panel import (
    EXPIRED,
    NO_COMMUNE,
    STALE,
    choose_commune,
    edit_panel,
    preview,
    prompt,
    set_field,
)
from bot.edit_session import OWNER_TYPED, EditSession, TypedAsk
from bot.edit_views import communes_keyboard, panel_keyboard, panel_text
from bot.i18n import translator
from models.orders.tables import Order
from models.shipping import geography
from models.team import members

_PRICE = re.compile(r"^\s*(\d{1,7})\s+(\S.*)$", re.DOTALL)


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if c.isalnum())


def _matches(wilaya: int, typed: str) -> list[int]:
    """Indexes of the wilaya's communes named `typed` (exactly, else by their start)."""
    want = _fold(typed)
    communes = geography.communes_of(wilaya)
    names = [[_fold(n) for n in (c.name_fr, c.name_ar, *c.aliases)] for c in communes]
    exact = [i for i, ns in enumerate(names) if want in ns]
    if exact or not want:
        return exact
    return [i for i, ns in enumerate(names) if any(n.startswith(want) for n in ns)]


def _typed(session: EditSession, order: Order, field: str, text: str) -> bool:
    """Put a typed answer in the draft; False when it cannot be read (ask again)."""
    if field in OWNER_TYPED:
        match = _PRICE.match(text)
        if match is None:
            return False
        current = order.delivery_fee if field == "delivery_fee" else order.discount
        set_field(session, field, int(match.group(1)), current)
        session.fields["price_reason"] = match.group(2).strip()
        return True
    if field == "phone2" and text.strip() in ("-", "0"):
        text = ""
    set_field(session, field, text, getattr(order, field))
    return True


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to one of the panel's questions: into the draft, and the panel redrawn."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or message.from_user is None:
        return
    chat_id, asked_in = message.chat.id, message.reply_to_message.message_id
    q = sessions.asked(context, chat_id, asked_in)
    if q is None or q.user_id != message.from_user.id:
        return
    sessions.answered(context, chat_id, asked_in)
    session = sessions.find(context, chat_id, q.panel)
    order = (
        await Order.get_or_none(id=session.order_id).select_related("store") if session else None
    )
    if session is None or order is None:
        stores = await members.stores_of_chat(chat_id)
        await message.reply_text(translator(stores[0].lang if stores else "fr")(EXPIRED))
        return
    store, text = order.store, (message.text or "").strip()
    _ = translator(store.lang)
    if order.version != session.version:
        sessions.drop(context, chat_id, q.panel)
        await message.reply_text(escape(_(STALE, number=order.number)))
        return
    markup = None
    if q.key == "commune":
        found = _matches(session.wilaya, text)
        if len(found) == 1:
            choose_commune(session, order, geography.communes_of(session.wilaya)[found[0]])
        elif found:
            markup = communes_keyboard(session.wilaya, 0, store.lang, only=found[:12])
        else:
            wilaya = geography.get_wilaya(session.wilaya)
            where = wilaya.label(store.lang) if wilaya else str(session.wilaya)
            await message.reply_text(escape(_(NO_COMMUNE, wilaya=where)))
            return
    elif not _typed(session, order, q.key, text):
        again = TypedAsk(q.key, q.panel, q.user_id)
        await prompt(context, chat_id, again, message.from_user.full_name, session, _)
        return
    actor = await members.authorize(
        store, message.from_user.id, display_name(message.from_user), chat_id
    )
    if actor is None:
        return
    view = await preview(store, order, session, actor)
    keyboard = markup or panel_keyboard(session, view.order, store.lang)
    await edit_panel(context, chat_id, q.panel, panel_text(view, store.lang), keyboard)
