"""🔁 Duplicate ▸: the customer's other orders as buttons (bot.keyboards.duplicate_keyboard);
a press keeps that order and cancels the card's one as its duplicate. Another customer's
order is linked only from the explicit "anyway" button a typed number gets."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import presses
from bot.callbacks import parse_keep
from bot.i18n import translator
from models.calls import outcomes
from models.errors import DomainError
from models.team import members

log = logging.getLogger(__name__)


async def on_keep_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    press = parse_keep(query.data)
    if press is None:
        stores = await members.stores_of_chat(query.message.chat.id) if query.message else []
        _ = translator(stores[0].lang if stores else "fr")
        await query.answer(_(presses.INVALID), show_alert=True)
        return
    p = await presses.team_press(query, context, press.order_id, press.version)
    if p is None:
        return
    try:
        await outcomes.log_call(
            p.store,
            p.order.number,
            "duplicate",
            p.actor,
            duplicate_of=press.kept,
            expected_version=p.version,
            other_customer=press.other_customer,
        )
    except DomainError as exc:
        await presses.refuse(p, exc)
        return
    await query.answer(
        p._(
            "#%(number)s cancelled as a duplicate of #%(kept)s",
            number=p.order.number,
            kept=press.kept,
        )
    )
    log.info(
        "duplicate linked store=%s number=%s kept=%s other_customer=%s actor=%s",
        p.store.slug,
        p.order.number,
        press.kept,
        press.other_customer,
        p.actor.id,
    )


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_keep_press, pattern=r"^dk:"))
