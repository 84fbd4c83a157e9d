"""Buttons on order cards: every press answered, checked, attributed and race-safe."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes
from telegram.helpers import mention_html

from bot import asks, edit_flow, gate
from bot.callbacks import OrderAction, OrderPress, cancel_reason_action, parse_order
from bot.cards import attempt_text
from bot.context import display_name
from bot.desk_links import desk_button
from bot.i18n import ALGIERS, N_, STATUS, local_time, translator
from bot.keyboards import (
    blacklisted_keyboard,
    calls_keyboard,
    cancel_keyboard,
    delivered_keyboard,
    dispatch_keyboard,
    duplicate_keyboard,
    fake_keyboard,
    main_keyboard,
    postpone_keyboard,
    returned_keyboard,
)
from bot.limits import menu_room, show_menu
from bot.reasons import reason_label
from bot.refusals import refusal
from bot.timeline_text import timeline_text
from i18n import Translator
from models.calls import outcomes
from models.customers.tables import Customer
from models.errors import ConcurrentChange, DomainError
from models.infra.clock import now
from models.orders import duplicates, transitions
from models.orders.cancellation import REASONS, Cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.stores.tables import Store
from models.team import cards, members
from models.team.tables import TelegramChat

log = logging.getLogger(__name__)
INVALID = N_("This button is no longer valid.")
# on_stray_button runs in its own handler group, after every other handler had its chance.
STRAY_GROUP = 90
# A sub-menu the group had no room for (bot.limits.MENU_SPARE) follows within this long,
# looked for this often, else is dropped: the person presses again.
MENU_LATER = N_("⏳ This group is at Telegram's message limit: the menu shows in a moment.")
MENU_WAIT, MENU_POLL = 60.0, 0.5


@dataclass(frozen=True, slots=True)
class Press:
    query: CallbackQuery
    context: ContextTypes.DEFAULT_TYPE
    store: Store
    order: Order
    actor: Actor
    version: int
    _: Translator


Action = Callable[[Press], Awaitable[str | None]]


def _callback_time(choice: str) -> datetime:
    t = now()
    if choice == OrderAction.POSTPONE_1H:
        return t + timedelta(hours=1)
    if choice == OrderAction.POSTPONE_3H:
        return t + timedelta(hours=3)
    local = t.astimezone(ALGIERS) + timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


async def _confirm(p: Press) -> str | None:
    """Confirm; a blacklisted customer's order asks for a second tap first."""
    if await Customer.filter(id=p.order.customer_id, blacklisted=True).exists():
        await _menu(blacklisted_keyboard)(p)
        return p._(
            "⚠️ This customer is blacklisted. Press “Confirm #%(number)s anyway” to go on.",
            number=p.order.number,
        )
    return await _confirm_anyway(p)


async def _confirm_anyway(p: Press) -> str:
    await outcomes.log_call(
        p.store, p.order.number, "confirmed", p.actor, expected_version=p.version
    )
    return p._("Confirmed #%(number)s", number=p.order.number)


def _call_toast(p: Press, order: Order, outcome: str) -> str:
    """What the person who logged the call is told: what happened and what comes next."""
    number = order.number
    if order.status is OrderStatus.CANCELLED:
        if order.cancel_reason == "fake":
            return p._("#%(number)s cancelled, number blocked", number=number)
        return p._(
            "#%(number)s cancelled: %(reason)s",
            number=number,
            reason=reason_label(order.cancel_reason, p._),
        )
    if outcome == "no_answer":
        attempt = attempt_text(order, p.store.no_answer_limit, p._)
        return p._("#%(number)s: no answer, %(attempt)s", number=number, attempt=attempt)
    if order.callback_at is not None:
        return p._(
            "Call logged on #%(number)s, next call at %(when)s",
            number=number,
            when=local_time(order.callback_at),
        )
    return p._("Call logged on #%(number)s", number=p.order.number)


def _outcome(outcome: str) -> Action:
    async def act(p: Press) -> str:
        order = await outcomes.log_call(
            p.store, p.order.number, outcome, p.actor, expected_version=p.version
        )
        return _call_toast(p, order, outcome)

    return act


def _cancel(index: int) -> Action:
    async def act(p: Press) -> str:
        code = REASONS[index]
        order = await transitions.cancel_order(
            p.store, p.order.number, p.actor, cancel=Cancellation(code), expected_version=p.version
        )
        return _call_toast(p, order, "")

    return act


async def _fake(p: Press) -> str:
    """The second tap on Fake: a pending order logs the call (cancel + block); a later one
    is cancelled as fake, which blocks the number too."""
    if p.order.status is OrderStatus.PENDING:
        order = await outcomes.log_call(
            p.store, p.order.number, "fake", p.actor, expected_version=p.version
        )
    else:
        order = await transitions.cancel_order(
            p.store,
            p.order.number,
            p.actor,
            cancel=Cancellation("fake"),
            expected_version=p.version,
        )
    return _call_toast(p, order, "fake")


async def _duplicate_menu(p: Press) -> str | None:
    found = await duplicates.duplicate_candidates(p.order)
    return await _menu(lambda order, lang: duplicate_keyboard(order, lang, found))(p)


def _postpone(choice: str) -> Action:
    async def act(p: Press) -> str:
        when = _callback_time(choice)
        await outcomes.log_call(
            p.store,
            p.order.number,
            "postponed",
            p.actor,
            callback_at=when,
            expected_version=p.version,
        )
        return p._(
            "#%(number)s comes back at %(when)s",
            number=p.order.number,
            when=when.astimezone(ALGIERS).strftime("%d/%m %H:%M"),
        )

    return act


MOVED = {
    OrderStatus.PROCESSING: N_("#%(number)s: %(status)s"),
    OrderStatus.DELIVERED: N_("#%(number)s marked delivered"),
    OrderStatus.RETURNED: N_("#%(number)s marked returned, stock put back"),
}


def _move(target: OrderStatus) -> Action:
    async def act(p: Press) -> str:
        order = await transitions.transition_order(
            p.store, p.order.number, target, p.actor, expected_version=p.version
        )
        if target is OrderStatus.RETURNED and not p.order.stock_committed:
            return p._("#%(number)s marked returned", number=order.number)
        return p._(MOVED[target], number=order.number, status=p._(STATUS[target.value]))

    return act


async def _claim(p: Press) -> str:
    await outcomes.claim_order(p.store, p.order.number, p.actor, expected_version=p.version)
    return p._(
        "#%(number)s is yours for %(minutes)s minutes",
        number=p.order.number,
        minutes=p.store.claim_minutes,
    )


async def _release(p: Press) -> str:
    await outcomes.release_order(p.store, p.order.number, p.actor, expected_version=p.version)
    return p._("Released #%(number)s", number=p.order.number)


def _menu(build: Callable[[Order, str], InlineKeyboardMarkup | None]) -> Action:
    async def act(p: Press) -> str | None:
        message = p.query.message
        assert message is not None
        if not menu_room(p.context.bot, message.chat.id):
            # The group's messages go to results first: the press is answered now, not
            # held (updates are handled one at a time), and the menu follows.
            p.context.application.create_task(_menu_later(p, build))
            return p._(MENU_LATER)
        await _show_menu(p, build)
        return None

    return act


async def _show_menu(p: Press, build: Callable[[Order, str], InlineKeyboardMarkup | None]) -> None:
    message = p.query.message
    assert message is not None
    try:
        await show_menu(
            p.context.bot, message.chat.id, message.message_id, build(p.order, p.store.lang)
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    await cards.keyboard_changed(p.order.id, message.chat.id, message.message_id)


async def _menu_later(p: Press, build: Callable[[Order, str], InlineKeyboardMarkup | None]) -> None:
    """The menu once the group has room beside its results, unless the order moved on
    meanwhile (its card then shows its own buttons), MENU_WAIT passed or the bot stops."""
    message = p.query.message
    assert message is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MENU_WAIT
    while not menu_room(p.context.bot, message.chat.id):
        if loop.time() > deadline or not p.context.application.running:
            return  # too late, or the bot is stopping
        await asyncio.sleep(MENU_POLL)
    if not await Order.exists(id=p.order.id, version=p.version):
        return
    try:
        await _show_menu(p, build)
    except TelegramError as exc:
        log.info("menu not shown chat=%s error=%s", message.chat.id, exc)


async def _back(p: Press) -> str | None:
    """The card's own buttons again, its 📋 Desk among them as the sender draws it."""
    chat_type = p.query.message.chat.type if p.query.message else "group"
    desk = desk_button(p.context, p.store.slug, chat_type, p.store.lang, p.order.number)
    return await _menu(lambda order, lang: main_keyboard(order, lang, desk))(p)


async def _dispatch_menu(p: Press) -> str | None:
    # The store's courier accounts (none when this process was given no dispatcher).
    dispatcher = p.context.bot_data["config"].dispatcher
    accounts = await dispatcher.accounts(p.store) if dispatcher is not None else []
    return await _menu(lambda order, lang: dispatch_keyboard(order, lang, accounts))(p)


def _below(message_id: int) -> ReplyParameters:
    # The card may have been bumped (deleted) meanwhile: answer anyway.
    return ReplyParameters(message_id, allow_sending_without_reply=True)


async def _timeline(p: Press) -> None:
    text = await timeline_text(p.order, p.store.lang)
    message = p.query.message
    assert message is not None
    await p.context.bot.send_message(
        message.chat.id, text, reply_parameters=_below(message.message_id)
    )


def _ask(kind: str) -> Action:
    async def act(p: Press) -> None:
        message = p.query.message
        assert message is not None
        # A selective ForceReply opens the reply box only for the people the text mentions:
        # the person who pressed, not the whole group.
        who = mention_html(p.query.from_user.id, p.query.from_user.full_name)
        sent = await p.context.bot.send_message(
            message.chat.id,
            f"{who} " + p._(asks.PROMPTS[kind], number=p.order.number),
            reply_markup=ForceReply(selective=True),
            reply_parameters=_below(message.message_id),
        )
        asks.remember(
            p.context, sent.chat.id, sent.message_id, asks.Ask(kind, p.order.id, p.version, p.actor)
        )

    return act


async def _edit(p: Press) -> None:
    await edit_flow.open_panel(p.query, p.context, p.store, p.order, p.actor)


ACTIONS: dict[OrderAction, Action] = {
    OrderAction.CONFIRM: _confirm,
    OrderAction.NO_ANSWER: _outcome("no_answer"),
    OrderAction.BUSY: _outcome("busy"),
    OrderAction.UNREACHABLE: _outcome("unreachable"),
    OrderAction.WRONG_NUMBER: _outcome("wrong_number"),
    OrderAction.CUSTOMER_CANCELLED: _outcome("customer_cancelled"),
    OrderAction.FAKE: _menu(fake_keyboard),
    OrderAction.FAKE_YES: _fake,
    OrderAction.CONFIRM_ANYWAY: _confirm_anyway,
    OrderAction.POSTPONE_1H: _postpone(OrderAction.POSTPONE_1H),
    OrderAction.POSTPONE_3H: _postpone(OrderAction.POSTPONE_3H),
    OrderAction.POSTPONE_TOMORROW: _postpone(OrderAction.POSTPONE_TOMORROW),
    OrderAction.POSTPONE_TYPED: _ask("callback"),
    OrderAction.CLAIM: _claim,
    OrderAction.RELEASE: _release,
    OrderAction.PROCESS: _move(OrderStatus.PROCESSING),
    OrderAction.DELIVERED: _menu(delivered_keyboard),
    OrderAction.DELIVERED_YES: _move(OrderStatus.DELIVERED),
    OrderAction.RETURNED: _menu(returned_keyboard),
    OrderAction.RETURNED_YES: _move(OrderStatus.RETURNED),
    OrderAction.CANCEL_YES: _menu(cancel_keyboard),  # an older card's "Yes, cancel": ask why first
    OrderAction.CALL_MENU: _menu(calls_keyboard),
    OrderAction.POSTPONE_MENU: _menu(postpone_keyboard),
    OrderAction.DISPATCH_MENU: _dispatch_menu,
    OrderAction.CANCEL: _menu(cancel_keyboard),
    OrderAction.BACK: _back,
    OrderAction.TIMELINE: _timeline,
    OrderAction.DUPLICATE: _duplicate_menu,
    OrderAction.DUPLICATE_TYPED: _ask("duplicate"),
    OrderAction.DISPATCH_MANUAL: _ask("tracking"),
    **{cancel_reason_action(i): _cancel(i) for i in range(len(REASONS))},
    OrderAction.REASON_7: _ask("cancel_other"),
    OrderAction.EDIT: _edit,
}
# Presses that change nothing: answered at once (what they send may wait for the chat's
# budget), refused on an outdated card like a change would be, except the timeline.
SENDS = frozenset(
    {
        OrderAction.TIMELINE,
        OrderAction.DUPLICATE_TYPED,
        OrderAction.DISPATCH_MANUAL,
        OrderAction.POSTPONE_TYPED,
        OrderAction.REASON_7,
        OrderAction.EDIT,
    }
)
MENUS = (
    frozenset(
        {
            OrderAction.CALL_MENU,
            OrderAction.POSTPONE_MENU,
            OrderAction.DISPATCH_MENU,
            OrderAction.CANCEL,
            OrderAction.CANCEL_YES,
            OrderAction.BACK,
            OrderAction.DUPLICATE,
            OrderAction.FAKE,
            OrderAction.DELIVERED,
            OrderAction.RETURNED,
        }
    )
    | SENDS
)


async def _load(press: OrderPress, query: CallbackQuery) -> tuple[Order, Store, Actor] | str:
    """The order, its store and the actor; or the reason (untranslated) to refuse."""
    order = await Order.get_or_none(id=press.order_id).select_related("store")
    message = query.message
    if order is None or message is None:
        return N_("This order no longer exists.")
    store = order.store
    if not await TelegramChat.exists(store_id=store.id, chat_id=message.chat.id, active=True):
        return N_("This card does not belong to a store this chat serves.")
    actor = await members.authorize(
        store, query.from_user.id, display_name(query.from_user), message.chat.id
    )
    if actor is None:
        return N_("Only the store's team can do this.")
    return order, store, actor


async def _chat_translator(query: CallbackQuery) -> Translator:
    """The language of the store this chat serves (never the pressed order's store: a
    forged press must not learn anything about another store)."""
    return await gate.press_translator(query)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    press = parse_order(query.data)
    loaded = await _load(press, query) if press is not None else INVALID
    if isinstance(loaded, str):
        _ = await _chat_translator(query)
        await query.answer(_(loaded), show_alert=True)
        return
    assert press is not None
    order, store, actor = loaded
    p = Press(query, context, store, order, actor, press.version, translator(store.lang))
    await (_look(p, press.action) if press.action in MENUS else _run(p, press.action))


async def team_press(
    query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, order_id: int, version: int
) -> Press | None:
    """A press on a card's sub-menu kept elsewhere (bot.dispatch_menu), checked like the
    card's own buttons, an outdated card refused; None once the person was told why not."""
    loaded = await _load(OrderPress(order_id, OrderAction.DISPATCH_MENU, version), query)
    if isinstance(loaded, str):
        _ = await _chat_translator(query)
        await query.answer(_(loaded), show_alert=True)
        return None
    order, store, actor = loaded
    p = Press(query, context, store, order, actor, version, translator(store.lang))
    if version != order.version:
        await refuse(p, await _stale(p))
        return None
    return p


async def on_stray_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler takes (forged, or from an older version of the bot) is answered
    all the same, so the person's app does not spin."""
    query = update.callback_query
    if query is None:
        return
    for group, handlers in context.application.handlers.items():
        if group != STRAY_GROUP and any(h.check_update(update) for h in handlers):
            return
    _ = await _chat_translator(query)
    await query.answer(_(INVALID), show_alert=True)


async def _stale(p: Press) -> ConcurrentChange:
    last = await OrderEvent.filter(order_id=p.order.id).order_by("-id").first()
    name = (last.actor_name or last.actor_kind) if last else "?"
    return ConcurrentChange(p.order.number, name, p.order.status.value)


async def refuse(p: Press, exc: DomainError) -> None:
    # Every card of the order is brought up to date, the outdated one pressed included.
    await cards.mark_cards(p.order.id, p.order.version)
    await p.query.answer(_alert(refusal(exc, p._)), show_alert=True)


async def _look(p: Press, action: OrderAction) -> None:
    """Menus, the timeline and questions: nothing changes. A message to send may wait for
    the chat's budget, so those are answered first; a menu shows once it is answered."""
    if action != OrderAction.TIMELINE and p.version != p.order.version:
        await refuse(p, await _stale(p))
        return
    if action in SENDS:
        await p.query.answer()
        await ACTIONS[action](p)
        return
    toast = await ACTIONS[action](p)
    await p.query.answer(toast)


async def _run(p: Press, action: OrderAction) -> None:
    # Use cases get the card's version: a press on an outdated card loses like a race,
    # and the person is told who acted.
    try:
        toast = await ACTIONS[action](p)
    except DomainError as exc:
        await refuse(p, exc)
        return
    await p.query.answer(_alert(toast) if toast else None)
    log.info(
        "press store=%s number=%s action=%s actor=%s",
        p.store.slug,
        p.order.number,
        action,
        p.actor.id,
    )


def _alert(text: str) -> str:
    """Callback answers hold at most 200 characters."""
    return text if len(text) <= 200 else text[:199] + "…"
