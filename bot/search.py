"""`/order <number>` opens one order's card in this chat; `/find <phone|name|number>` lists
matching orders with a button to open each (SPEC §5)."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import gate
from bot.lists import open_rows, order_line
from models.customers.phones import national_display
from models.orders import search
from models.orders.search import FOUND_LIMIT, Found
from models.team import cards

log = logging.getLogger(__name__)
ECHO_CHARS = 60  # of the typed text repeated back


def _typed(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


async def on_order(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    _, typed = mate._, _typed(context)
    if not typed:
        await message.reply_text(_("Send /order followed by the order number, e.g. /order 1042."))
        return
    number = search.read_number(typed)
    if number is None:
        await message.reply_text(
            _(
                "“%(text)s” is not an order number. Example: /order 1042",
                text=escape(typed[:ECHO_CHARS]),
            )
        )
        return
    order = await search.order_numbered(mate.store, number)
    if order is None:
        await message.reply_text(_("There is no order #%(number)s.", number=number))
        return
    # The card itself is the answer: the sender posts it in this chat within its budget.
    await cards.open_card(order.id, mate.chat.id)
    log.info("card opened store=%s number=%s chat=%s", mate.store.slug, number, mate.chat.id)


def _searched(found: Found, typed: str) -> str:
    """What was looked for, as the person will recognise it."""
    if found.term.kind == "phone":
        return national_display(found.term.value)
    if found.term.kind == "number":
        return f"#{found.term.value}"
    return typed[:ECHO_CHARS]


async def on_find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    _, typed = mate._, _typed(context)
    found = await search.find_orders(mate.store, typed)
    if found is None:
        await message.reply_text(
            _("Send /find followed by a phone number, a name or an order number.")
        )
        return
    searched = escape(_searched(found, typed))
    if not found.orders:
        await message.reply_text("🔍 " + _("Nothing found for “%(text)s”.", text=searched))
        return
    rows = ["🔍 " + _("Found for “%(text)s”:", text=searched), ""]
    rows += [order_line(order, mate.store.lang) for order in found.orders]
    if found.more:
        rows += ["", _("Only the %(count)s newest are shown.", count=FOUND_LIMIT)]
    markup = InlineKeyboardMarkup(open_rows(found.orders))
    await message.reply_text("\n".join(rows), reply_markup=markup)
