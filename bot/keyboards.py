"""Inline keyboards of an order card (SPEC §5): the actions the lifecycle table allows from
its status, and its sub-menus."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    DispatchPress,
    OrderAction,
    Prefix,
    cancel_reason_action,
    dispatch_button,
    keep_button,
    order_button,
)
from bot.i18n import N_, STATUS, local_time, translator
from bot.reasons import CANCEL_REASON, courier_label
from i18n import Translator
from models.orders.cancellation import REASONS
from models.orders.edit_plan import EDITABLE
from models.orders.lifecycle import TERMINAL, OrderStatus, Trigger, allowed_triggers, can_dispatch
from models.orders.tables import Order
from models.shipping.tables import CourierAccount

Row = list[InlineKeyboardButton]
ACCOUNT_NAME = 40
MAX_ACCOUNTS = 12


def _b(order: Order, label: str, action: OrderAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=order_button(order.id, action, order.version))


# What a trigger of the lifecycle table offers on a card. Confirm comes with the outcomes
# of the call that leads to it; `ship` is never pressed: the parcel leaves through
# Dispatch ▸, offered wherever the table has a path to shipped; Cancel comes last.
MOVES: dict[Trigger, tuple[str, str, OrderAction]] = {
    Trigger.PROCESS: ("📦 ", N_("Processing"), OrderAction.PROCESS),
    Trigger.DELIVER: ("🎉 ", N_("Delivered"), OrderAction.DELIVERED),
    Trigger.RETURN: ("↩️ ", N_("Returned"), OrderAction.RETURNED),
}
PER_ROW = 2


def _call_buttons(order: Order, _: Translator) -> Row:
    """Confirm and the usual outcomes of a call, each one press, so one edit of the
    group's budget (issue 11 §6): a menu opened first would spend a second one on every
    call."""
    claim = (
        _b(order, "🙋 " + _("Release"), OrderAction.RELEASE)
        if order.claimed_by_id
        else _b(order, "🙋 " + _("I'm calling"), OrderAction.CLAIM)
    )
    return [
        _b(order, "✅ " + _("Confirm"), OrderAction.CONFIRM),
        _b(order, "📵 " + _("No answer"), OrderAction.NO_ANSWER),
        _b(order, "⏳ " + _("Busy"), OrderAction.BUSY),
        _b(order, "📴 " + _("Unreachable"), OrderAction.UNREACHABLE),
        _b(order, "📞 " + _("Call outcome ▸"), OrderAction.CALL_MENU),
        claim,
    ]


def _main_rows(order: Order, lang: str) -> list[Row]:
    """The buttons the lifecycle table allows from the order's status, two a row."""
    _ = translator(lang)
    triggers = allowed_triggers(order.status)
    buttons: Row = []
    for trigger in triggers:
        if trigger is Trigger.CONFIRM:
            buttons += _call_buttons(order, _)
        elif trigger in MOVES:
            icon, label, action = MOVES[trigger]
            buttons.append(_b(order, icon + _(label), action))
    # Once a courier account was chosen its channel is creating the parcel: no second one.
    if can_dispatch(order.status) and not order.courier:
        buttons.append(_b(order, "🚚 " + _("Dispatch ▸"), OrderAction.DISPATCH_MENU))
    if Trigger.CANCEL in triggers:
        buttons.append(_b(order, "✖️ " + _("Cancel"), OrderAction.CANCEL))
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def main_keyboard(
    order: Order, lang: str, desk: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup | None:
    """The card's buttons; terminal orders keep only 🕓 Timeline, which changes nothing.
    `desk`: the button opening the order on the desk in this chat (bot.desk_links), beside
    Timeline (a web_app button in a private chat, a link in a group)."""
    _ = translator(lang)
    last = [_b(order, "🕓 " + _("Timeline"), OrderAction.TIMELINE)]
    if desk is not None:
        last.append(desk)
    if order.status in TERMINAL:
        return InlineKeyboardMarkup([last])
    if order.status in EDITABLE and not (order.status is OrderStatus.PROCESSING and order.courier):
        last.insert(0, _b(order, "✏️ " + _("Edit ▸"), OrderAction.EDIT))  # bot.edit_flow
    return InlineKeyboardMarkup([*_main_rows(order, lang), last])


def _with_back(order: Order, lang: str, rows: list[Row]) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return InlineKeyboardMarkup([*rows, [_b(order, "« " + _("Back"), OrderAction.BACK)]])


def calls_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return _with_back(
        order,
        lang,
        [
            [
                _b(order, _("No answer"), OrderAction.NO_ANSWER),
                _b(order, _("Busy"), OrderAction.BUSY),
            ],
            [
                _b(order, _("Unreachable"), OrderAction.UNREACHABLE),
                _b(order, _("Wrong number"), OrderAction.WRONG_NUMBER),
            ],
            [_b(order, "⏰ " + _("Postponed ▸"), OrderAction.POSTPONE_MENU)],
            [
                _b(order, _("Customer cancelled"), OrderAction.CUSTOMER_CANCELLED),
                _b(order, "🚫 " + _("Fake ▸"), OrderAction.FAKE),
            ],
            [_b(order, "🔁 " + _("Duplicate ▸"), OrderAction.DUPLICATE)],
        ],
    )


def postpone_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return _with_back(
        order,
        lang,
        [
            [
                _b(order, _("+1 h"), OrderAction.POSTPONE_1H),
                _b(order, _("+3 h"), OrderAction.POSTPONE_3H),
                _b(order, _("Tomorrow 10:00"), OrderAction.POSTPONE_TOMORROW),
            ],
            [_b(order, "✍️ " + _("Type a time…"), OrderAction.POSTPONE_TYPED)],
        ],
    )


def _reason_action(order: Order, index: int, code: str) -> OrderAction:
    if code == "fake":
        return OrderAction.FAKE  # asks for a second tap: it also blocks the number
    if code == "duplicate" and order.status is OrderStatus.PENDING:
        return OrderAction.DUPLICATE  # which order is kept
    return cancel_reason_action(index)


def cancel_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    """Why cancel: one button per reason (Other asks for the words)."""
    _ = translator(lang)
    buttons = [
        _b(order, _(CANCEL_REASON[code]) + (" ▸" if code in ("fake", "other") else ""),
           _reason_action(order, i, code))
        for i, code in enumerate(REASONS)
    ]  # fmt: skip
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    title = "✖️ " + _("Cancel #%(number)s: why?", number=order.number)
    return _with_back(order, lang, [[_b(order, title, OrderAction.CANCEL)], *rows])


def _sure(order: Order, lang: str, label: str, action: OrderAction) -> InlineKeyboardMarkup:
    """A second tap for what cannot be undone: `Yes, …` or Back."""
    return _with_back(order, lang, [[_b(order, label, action)]])


def fake_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, fake: cancel #%(number)s and block the number", number=order.number)
    return _sure(order, lang, "🚫 " + label, OrderAction.FAKE_YES)


def delivered_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, #%(number)s was delivered", number=order.number)
    return _sure(order, lang, "🎉 " + label, OrderAction.DELIVERED_YES)


def returned_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, #%(number)s came back", number=order.number)
    return _sure(order, lang, "↩️ " + label, OrderAction.RETURNED_YES)


def blacklisted_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Confirm #%(number)s anyway", number=order.number)
    return _sure(order, lang, "⚠️ " + label, OrderAction.CONFIRM_ANYWAY)


def duplicate_keyboard(
    order: Order, lang: str, candidates: Sequence[Order]
) -> InlineKeyboardMarkup:
    """The customer's other orders to keep instead of this one, then a typed number."""
    _ = translator(lang)
    rows = [
        [
            InlineKeyboardButton(
                f"#{c.number} · {_(STATUS[c.status.value])} · {local_time(c.created_at)}",
                callback_data=keep_button(order.id, order.version, c.number),
            )
        ]
        for c in candidates
    ]
    rows.append(
        [_b(order, "✍️ " + _("Another order (type its number)"), OrderAction.DUPLICATE_TYPED)]
    )
    return _with_back(order, lang, rows)


def account_name(account: CourierAccount, lang: str = "fr") -> str:
    """How the team knows a courier account: its label, else the courier's name."""
    name = account.label or courier_label(account.courier, translator(lang))
    return name if len(name) <= ACCOUNT_NAME else name[: ACCOUNT_NAME - 1] + "…"


def dispatch_keyboard(
    order: Order, lang: str, accounts: Sequence[CourierAccount] = ()
) -> InlineKeyboardMarkup:
    """The store's courier accounts with an API (default first), then the manual courier
    (also the path of "manual" accounts: the tracking number is typed either way)."""
    _ = translator(lang)
    rows = [
        [
            InlineKeyboardButton(
                "🚚 " + account_name(a, lang), callback_data=courier_button(order, a.id)
            )
        ]
        for a in accounts
        if a.courier != "manual"
    ][:MAX_ACCOUNTS]
    rows.append(
        [
            _b(
                order,
                "✍️ " + _("Manual courier (type the tracking number)"),
                OrderAction.DISPATCH_MANUAL,
            )
        ]
    )
    return _with_back(order, lang, rows)


def courier_button(order: Order, account_id: int) -> str:
    return dispatch_button(DispatchPress(Prefix.COURIER, order.id, order.version, account_id))
