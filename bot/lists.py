"""Lists of orders in a chat: `/orders` (the orders to handle, pending first, paged with ◀ ▶),
the list behind a digest's button, and the button under each order that opens its card.

A page is edited in place when ◀ ▶ or 🔄 is pressed; opening an order marks its card for this
chat and the card sender shows it within the chat's budget (models.team.cards.open_card)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import gate
from bot.callbacks import (
    digest_page_button,
    list_button,
    open_button,
    parse_digest,
    parse_digest_page,
    parse_list,
    parse_open,
)
from bot.desk_links import desk_button
from bot.i18n import N_, OUTCOME, STATUS, STATUS_ICON, local_time, money, translator
from models.orders import search
from models.orders.lifecycle import OrderStatus
from models.orders.search import HandlingPage, OrderPage
from models.orders.tables import Order
from models.stores.tables import Store
from models.team import cards

log = logging.getLogger(__name__)

PER_PAGE = 8
NAME_CHARS = 40  # of a customer's name in a list line
BUTTON_CHARS = 24  # of the text on an open button
STALE = N_("This button is no longer valid.")
GONE = N_("This order no longer exists.")
View = tuple[str, InlineKeyboardMarkup | None]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def order_line(order: Order, lang: str) -> str:
    """One order on one line: number, name, total, status, calls and last outcome."""
    _ = translator(lang)
    status = order.status.value
    name = escape(_clip(order.name, NAME_CHARS))
    parts = [
        f"{STATUS_ICON.get(status, '')} <b>#{order.number}</b> {name}",
        money(order.total, lang),
        _(STATUS[status]),
    ]
    if order.call_attempts:
        outcome = _(OUTCOME.get(order.last_call_outcome, order.last_call_outcome))
        parts.append(f"☎️ {order.call_attempts} ({outcome})")
    if order.status is OrderStatus.PENDING and order.callback_at is not None:
        parts.append(f"⏰ {local_time(order.callback_at)}")
    return " · ".join(parts)


def open_rows(orders: Sequence[Order]) -> list[list[InlineKeyboardButton]]:
    """One button per order, two a row, each opening that order's card in this chat."""
    buttons = [
        InlineKeyboardButton(
            _clip(f"#{o.number} {o.name}", BUTTON_CHARS), callback_data=open_button(o.id)
        )
        for o in orders
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _nav(page: OrderPage, data_for: dict[int, str]) -> list[InlineKeyboardButton]:
    row = []
    if page.page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=data_for[page.page - 1]))
    row.append(InlineKeyboardButton("🔄", callback_data=data_for[page.page]))
    if page.page + 1 < page.pages:
        row.append(InlineKeyboardButton("▶", callback_data=data_for[page.page + 1]))
    return row


def _page_view(title: str, page: OrderPage, lang: str, data_for: dict[int, str]) -> View:
    _ = translator(lang)
    head = f"📋 <b>{title}</b>"
    if page.pages > 1:
        head += " · " + _("page %(page)s/%(pages)s", page=page.page + 1, pages=page.pages)
    rows = [head, "", *(order_line(o, lang) for o in page.orders)]
    rows += ["", _("Tap an order below to open its card.")]
    keyboard = [*open_rows(page.orders), _nav(page, data_for)]
    return "\n".join(rows), InlineKeyboardMarkup(keyboard)


def _with_desk(view: View, desk: InlineKeyboardButton | None) -> View:
    """The list's buttons and, last, 📋 Desk (the whole order book, in this chat's way)."""
    text, markup = view
    if desk is None:
        return view
    rows = [list(row) for row in markup.inline_keyboard] if markup else []
    return text, InlineKeyboardMarkup([*rows, [desk]])


def handling_view(
    store: Store, handling: HandlingPage, desk: InlineKeyboardButton | None = None
) -> View:
    """The text and buttons of one page of /orders: the calls to make counted apart, and
    the desk's button when the desk opens from this chat (bot.desk_links)."""
    _ = translator(store.lang)
    page = handling.page
    if not page.orders:
        empty = "📋 " + _("No orders to handle right now; new ones appear here as they come.")
        return _with_desk((empty, None), desk)
    around = range(max(page.page - 1, 0), min(page.page + 2, page.pages))
    data_for = {p: list_button(store.id, p) for p in around}
    title = _(
        "To call now: %(calls)s · call-backs later: %(later)s · after the call: %(after)s",
        calls=handling.to_call,
        later=handling.later,
        after=handling.after_call,
    )
    return _with_desk(_page_view(title, page, store.lang, data_for), desk)


def digest_view(store: Store, first: int, last: int, page: OrderPage) -> View:
    """The orders a digest named, listed like /orders."""
    _ = translator(store.lang)
    if not page.orders:
        return "📋 " + _("No orders found."), None
    around = range(max(page.page - 1, 0), min(page.page + 2, page.pages))
    data_for = {p: digest_page_button(store.id, first, last, p) for p in around}
    title = _("Orders #%(first)s–#%(last)s: %(count)s", first=first, last=last, count=page.total)
    return _page_view(title, page, store.lang, data_for)


async def on_orders(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/orders`: the first page of the orders to handle."""
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    page = await search.orders_to_handle(mate.store, 0, PER_PAGE)
    desk = desk_button(context, mate.store.slug, message.chat.type, mate.store.lang)
    text, markup = handling_view(mate.store, page, desk)
    await message.reply_text(text, reply_markup=markup)


async def _edit(query: CallbackQuery, view: View) -> None:
    text, markup = view
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:  # 🔄 on a list that did not change
        if "not modified" not in str(exc).lower():
            raise


async def _press_store(query: CallbackQuery, store_id: int | None) -> Store | None:
    """The store a list button names, once the presser is known to be on its team. The
    press is answered (an alert when refused) before anything slow happens."""
    store = await Store.get_or_none(id=store_id) if store_id is not None else None
    if store is None:
        await gate.alert(query, STALE)
        return None
    if await gate.enter_press(query, store) is None:
        return None
    await query.answer()
    return store


async def on_list_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ 🔄 under /orders (`l:<store>:<page>`): that page, in place."""
    query = update.callback_query
    if query is None:
        return
    parsed = parse_list(query.data or "")
    store = await _press_store(query, parsed[0] if parsed else None)
    if store is None or parsed is None:
        return
    page = await search.orders_to_handle(store, parsed[1], PER_PAGE)
    chat_type = query.message.chat.type if query.message else "group"
    desk = desk_button(context, store.slug, chat_type, store.lang)
    await _edit(query, handling_view(store, page, desk))


async def on_digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A digest's "List them" (`dg:<store>:<first>:<last>`): the digest becomes the list of
    its orders (and ◀ ▶ page it with `dl:` buttons)."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    parsed = parse_digest_page(data)
    if parsed is None:
        digest = parse_digest(data)
        parsed = (*digest, 0) if digest else None
    store = await _press_store(query, parsed[0] if parsed else None)
    if store is None or parsed is None:
        return
    _, first, last, number = parsed
    page = await search.orders_numbered(store, first, last, number, PER_PAGE)
    await _edit(query, digest_view(store, first, last, page))


async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An order's button in a list (`op:<order id>`): its card, fresh, in this chat."""
    query = update.callback_query
    if query is None:
        return
    order_id = parse_open(query.data or "")
    order = await Order.get_or_none(id=order_id).select_related("store") if order_id else None
    if order is None:
        await gate.alert(query, GONE if order_id else STALE)
        return
    mate = await gate.enter_press(query, order.store)
    if mate is None:
        return
    await cards.open_card(order.id, mate.chat.id)
    await query.answer(mate._("Opening #%(number)s…", number=order.number))
    log.info("card opened store=%s number=%s chat=%s", mate.store.slug, order.number, mate.chat.id)
