"""Inline keyboards of an order card, by status (SPEC §5), and its sub-menus."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import DispatchPress, dispatch_button, keep_button, order_button
from bot.i18n import STATUS, local_time, translator
from bot.reasons import CANCEL_REASON, courier_label
from models.orders.cancellation import REASONS
from models.orders.edit_plan import EDITABLE
from models.orders.lifecycle import TERMINAL, OrderStatus
from models.orders.tables import Order
from models.shipping.tables import CourierAccount

Row = list[InlineKeyboardButton]
ACCOUNT_NAME = 40
MAX_ACCOUNTS = 12


def _b(order: Order, label: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=order_button(order.id, action, order.version))


def _main_rows(order: Order, lang: str) -> list[Row]:
    _ = translator(lang)
    status = order.status
    cancel = _b(order, "✖️ " + _("Cancel"), "cx")
    if status is OrderStatus.PENDING:
        claim = (
            _b(order, "🙋 " + _("Release"), "rl")
            if order.claimed_by_id
            else _b(order, "🙋 " + _("I'm calling"), "cl")
        )
        # The usual outcomes of a call are one press, so one edit of the group's budget
        # (issue 11 §6): a menu opened first would spend a second one on every call.
        return [
            [_b(order, "✅ " + _("Confirm"), "cf"), _b(order, "📵 " + _("No answer"), "na")],
            [_b(order, "⏳ " + _("Busy"), "bz"), _b(order, "📴 " + _("Unreachable"), "ur")],
            [_b(order, "📞 " + _("Call outcome ▸"), "cm"), claim],
            [cancel],
        ]
    if status is OrderStatus.CONFIRMED:
        return [
            [_b(order, "📦 " + _("Processing"), "pr"), _b(order, "🚚 " + _("Dispatch ▸"), "dm")],
            [cancel],
        ]
    if status is OrderStatus.PROCESSING and order.courier:
        return [[cancel]]  # the courier channel is creating the parcel
    if status is OrderStatus.PROCESSING:
        return [[_b(order, "🚚 " + _("Dispatch ▸"), "dm"), cancel]]
    if status is OrderStatus.SHIPPED:
        return [
            [_b(order, "🎉 " + _("Delivered"), "dv"), _b(order, "↩️ " + _("Returned"), "rt")],
            [cancel],
        ]
    return [[_b(order, "↩️ " + _("Returned"), "rt")]]  # delivered


def main_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup | None:
    """The card's buttons; terminal orders keep only 🕓 Timeline, which changes nothing."""
    _ = translator(lang)
    last = [_b(order, "🕓 " + _("Timeline"), "tl")]
    if order.status in TERMINAL:
        return InlineKeyboardMarkup([last])
    if order.status in EDITABLE and not (order.status is OrderStatus.PROCESSING and order.courier):
        last.insert(0, _b(order, "✏️ " + _("Edit ▸"), "ed"))  # bot.edit_flow
    return InlineKeyboardMarkup([*_main_rows(order, lang), last])


def _with_back(order: Order, lang: str, rows: list[Row]) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return InlineKeyboardMarkup([*rows, [_b(order, "« " + _("Back"), "bk")]])


def calls_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return _with_back(
        order,
        lang,
        [
            [_b(order, _("No answer"), "na"), _b(order, _("Busy"), "bz")],
            [_b(order, _("Unreachable"), "ur"), _b(order, _("Wrong number"), "wn")],
            [_b(order, "⏰ " + _("Postponed ▸"), "pm")],
            [_b(order, _("Customer cancelled"), "cc"), _b(order, "🚫 " + _("Fake ▸"), "fk")],
            [_b(order, "🔁 " + _("Duplicate ▸"), "du")],
        ],
    )


def postpone_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    return _with_back(
        order,
        lang,
        [
            [
                _b(order, _("+1 h"), "p1"),
                _b(order, _("+3 h"), "p3"),
                _b(order, _("Tomorrow 10:00"), "pt"),
            ],
            [_b(order, "✍️ " + _("Type a time…"), "pk")],
        ],
    )


def _reason_action(order: Order, index: int, code: str) -> str:
    if code == "fake":
        return "fk"  # asks for a second tap: it also blocks the number
    if code == "duplicate" and order.status is OrderStatus.PENDING:
        return "du"  # which order is kept
    return f"k{index}"


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
    return _with_back(order, lang, [[_b(order, title, "cx")], *rows])


def _sure(order: Order, lang: str, label: str, action: str) -> InlineKeyboardMarkup:
    """A second tap for what cannot be undone: `Yes, …` or Back."""
    return _with_back(order, lang, [[_b(order, label, action)]])


def fake_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, fake: cancel #%(number)s and block the number", number=order.number)
    return _sure(order, lang, "🚫 " + label, "fy")


def delivered_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, #%(number)s was delivered", number=order.number)
    return _sure(order, lang, "🎉 " + label, "dy")


def returned_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Yes, #%(number)s came back", number=order.number)
    return _sure(order, lang, "↩️ " + label, "ry")


def blacklisted_keyboard(order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    label = _("Confirm #%(number)s anyway", number=order.number)
    return _sure(order, lang, "⚠️ " + label, "cw")


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
    rows.append([_b(order, "✍️ " + _("Another order (type its number)"), "dt")])
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
    rows.append([_b(order, "✍️ " + _("Manual courier (type the tracking number)"), "dx")])
    return _with_back(order, lang, rows)


def courier_button(order: Order, account_id: int) -> str:
    return dispatch_button(DispatchPress("dc", order.id, order.version, account_id))
