"""`/start <token>` (SPEC §5, Contract): a private chat joins the store with the invite's
role; in a group (also `/start@bot <token>`) it binds the team chat."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot import gate
from bot.context import chat_ref
from bot.i18n import translator
from models.errors import InvalidInvite
from models.team import cards, members

log = logging.getLogger(__name__)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    token = context.args[0] if context.args else ""
    if not token:
        _ = await gate.chat_translator(chat.id, user)
        await message.reply_text(
            _(
                "Hello! Open the invite link your store's owner sent you, "
                "or send /start followed by the invite code."
            )
        )
        return
    try:
        joined = await members.accept_invite(token, chat_ref(chat, user))
    except InvalidInvite:
        await message.reply_text(
            (await gate.chat_translator(chat.id, user))(
                "This invite is unknown, already used or expired. Ask the owner for a new one."
            )
        )
        return
    _ = translator(joined.store.lang)
    log.info("joined store=%s role=%s chat=%s", joined.store.slug, joined.role, chat.id)
    if joined.role == "group":
        text = _(
            "This group is now the order desk of %(store)s: new orders appear here.",
            store=escape(joined.store.name),
        )
    elif joined.role == "owner":
        text = _(
            "Welcome! You own %(store)s here: new orders will appear in this chat. "
            "/help lists what I can do.",
            store=escape(joined.store.name),
        )
    else:
        text = _(
            "Welcome to the team of %(store)s! /help lists what I can do.",
            store=escape(joined.store.name),
        )
    await message.reply_text(text)
    await _show_live_orders(joined.store.id, joined.chat.id)


async def _show_live_orders(store_id: int, chat_pk: int) -> None:
    """A chat that joins sees the pending orders at once, as cards."""
    from models.orders.tables import Order

    for order in await Order.filter(store_id=store_id, status="pending").order_by("-id").limit(5):
        await cards.open_card(order.id, chat_pk)
