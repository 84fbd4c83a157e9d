"""Dispatch ▸ on an order card, after the courier menu (bot.keyboards.dispatch_keyboard):
the chosen courier account dispatches a home order at once; a stop-desk order whose
courier needs a desk first gets a picker (the customer's commune first, PAGE per page).

Dispatch goes through models.shipping.parcels.DispatchService, given by the composition root in
BotConfig (the bot never imports the shipping adapter). The courier creates the parcel
after commit; the card then moves to shipped through the outbox like any change.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot import gate, presses
from bot.callbacks import (
    DispatchPress,
    OrderAction,
    Prefix,
    dispatch_button,
    order_button,
    parse_dispatch,
)
from bot.i18n import N_, translator
from bot.keyboards import account_name
from bot.limits import show_menu
from models.errors import DomainError, InvalidInput
from models.orders.tables import Order
from models.shipping.accounts import fold_name
from models.shipping.parcels import DeskChoice, DispatchService
from models.shipping.tables import CourierAccount
from models.team import cards

log = logging.getLogger(__name__)

PAGE = 8
DESK_LABEL = 48
MAX_DESKS = 9999  # the index is at most 4 digits in the callback data
NO_ACCOUNT = N_("This courier account no longer exists.")
NO_DESK = N_("%(courier)s has no stop desk to offer for #%(number)s; choose another courier.")
DESKS_CHANGED = N_("The list of stop desks changed; choose the desk again.")
NOT_HERE = N_("Couriers are not available right now; use the manual courier.")


class _Told(Exception):
    """Refused with this (translated) alert; nothing changed."""


def dispatcher_of(context: ContextTypes.DEFAULT_TYPE) -> DispatchService | None:
    dispatcher: DispatchService | None = context.bot_data["config"].dispatcher
    return dispatcher


def desk_check(desk_id: str) -> str:
    """Six hex digits of the desk id's hash: a pressed index still names the same desk."""
    return hashlib.sha256(desk_id.encode()).hexdigest()[:6]


def _desk_label(desk: DeskChoice) -> str:
    commune = desk.commune.strip()
    same = not commune or fold_name(commune) in fold_name(desk.name)
    text = desk.name if same else f"{desk.name} · {commune}"
    return text if len(text) <= DESK_LABEL else text[: DESK_LABEL - 1] + "…"


def desk_keyboard(
    order: Order, lang: str, account_id: int, desks: list[DeskChoice], page: int
) -> InlineKeyboardMarkup:
    """One page of the account's stop desks, then previous/next and back to the couriers."""
    _ = translator(lang)
    pages = max(1, -(-len(desks) // PAGE))
    page = min(max(page, 0), pages - 1)

    def press(kind: Prefix, arg: int, check: str = "") -> str:
        return dispatch_button(DispatchPress(kind, order.id, order.version, account_id, arg, check))

    first = page * PAGE
    rows = [
        [
            InlineKeyboardButton(
                "🏢 " + _desk_label(d), callback_data=press(Prefix.DESK, i, desk_check(d.id))
            )
        ]
        for i, d in enumerate(desks[first : first + PAGE], start=first)
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                "‹ " + _("Previous"), callback_data=press(Prefix.DESK_PAGE, page - 1)
            )
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(_("Next") + " ›", callback_data=press(Prefix.DESK_PAGE, page + 1))
        )
    back = InlineKeyboardButton(
        "« " + _("Back"),
        callback_data=order_button(order.id, OrderAction.DISPATCH_MENU, order.version),
    )
    return InlineKeyboardMarkup([*rows, *([nav] if nav else []), [back]])


async def _account(
    p: presses.Press, dispatcher: DispatchService, account_id: int
) -> CourierAccount:
    found = next((a for a in await dispatcher.accounts(p.store) if a.id == account_id), None)
    if found is None or found.courier == "manual":
        raise _Told(p._(NO_ACCOUNT))
    return found


async def _desks(
    p: presses.Press, dispatcher: DispatchService, account: CourierAccount
) -> list[DeskChoice]:
    try:
        return (await dispatcher.desks(p.store, p.order, account.id))[:MAX_DESKS]
    except InvalidInput as exc:
        log.info(
            "no desk to offer store=%s number=%s account=%s reason=%s",
            p.store.slug,
            p.order.number,
            account.id,
            exc,
        )
        raise _Told(
            p._(NO_DESK, courier=account_name(account, p.store.lang), number=p.order.number)
        ) from exc


async def _show_desks(
    p: presses.Press, markup: InlineKeyboardMarkup, toast: str | None, alert: bool = False
) -> None:
    message = p.query.message
    assert message is not None
    try:
        await show_menu(p.context.bot, message.chat.id, message.message_id, markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    # The next render of the card puts its own buttons back, even if the order is unchanged.
    await cards.keyboard_changed(p.order.id, message.chat.id, message.message_id)
    await p.query.answer(toast, show_alert=alert)


async def _dispatch(
    p: presses.Press, dispatcher: DispatchService, account: CourierAccount, desk: str | None
) -> None:
    await dispatcher.dispatch(
        p.store, p.order.number, p.actor, account.id, desk, expected_version=p.version
    )
    name = account_name(account, p.store.lang)
    await p.query.answer(
        p._("Dispatching #%(number)s to %(courier)s…", number=p.order.number, courier=name)
    )
    log.info(
        "dispatch requested store=%s number=%s account=%s desk=%s actor=%s",
        p.store.slug,
        p.order.number,
        account.id,
        desk or "-",
        p.actor.id,
    )


async def _courier(p: presses.Press, dispatcher: DispatchService, press: DispatchPress) -> None:
    """A courier chosen: dispatch now, or first the desk picker when the order needs one."""
    account = await _account(p, dispatcher, press.account_id)
    desks = await _desks(p, dispatcher, account)
    if not desks:
        await _dispatch(p, dispatcher, account, None)
        return
    toast = p._("Choose the stop desk for #%(number)s", number=p.order.number)
    await _show_desks(p, desk_keyboard(p.order, p.store.lang, account.id, desks, 0), toast)


async def _page(p: presses.Press, dispatcher: DispatchService, press: DispatchPress) -> None:
    account = await _account(p, dispatcher, press.account_id)
    desks = await _desks(p, dispatcher, account)
    markup = desk_keyboard(p.order, p.store.lang, account.id, desks, press.arg)
    await _show_desks(p, markup, None)


async def _desk(p: presses.Press, dispatcher: DispatchService, press: DispatchPress) -> None:
    account = await _account(p, dispatcher, press.account_id)
    desks = await _desks(p, dispatcher, account)
    desk = desks[press.arg] if press.arg < len(desks) else None
    if desk is None or desk_check(desk.id) != press.check:
        markup = desk_keyboard(p.order, p.store.lang, account.id, desks, 0)
        await _show_desks(p, markup, p._(DESKS_CHANGED), alert=True)
        return
    await _dispatch(p, dispatcher, account, desk.id)


Step = Callable[[presses.Press, DispatchService, DispatchPress], Awaitable[None]]
STEPS: dict[str, Step] = {Prefix.COURIER: _courier, Prefix.DESK_PAGE: _page, Prefix.DESK: _desk}


async def on_dispatch_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    press = parse_dispatch(query.data)
    if press is None:
        await gate.alert(query, presses.INVALID)
        return
    p = await presses.team_press(query, context, press.order_id, press.version)
    if p is None:
        return
    dispatcher = dispatcher_of(context)
    try:
        if dispatcher is None:
            raise _Told(p._(NOT_HERE))
        await STEPS[press.kind](p, dispatcher, press)
    except _Told as told:
        await p.query.answer(str(told), show_alert=True)
    except DomainError as exc:
        await presses.refuse(p, exc)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_dispatch_press, pattern=r"^d[cpd]:"))
