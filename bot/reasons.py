"""The words of the call desk the bot adds to cards, menus and the timeline: why an
order was cancelled (models.orders.cancellation) and how a courier is named."""

from __future__ import annotations

from bot.i18n import N_
from i18n import Translator
from models.shipping.courier_names import courier_display_name

CANCEL_REASON = {
    "customer_refused": N_("Customer refused"),
    "unreachable": N_("Unreachable"),
    "fake": N_("Fake order"),
    "duplicate": N_("Duplicate"),
    "out_of_stock": N_("Out of stock"),
    "price": N_("Price"),
    "delay": N_("Delivery time"),
    "other": N_("Other"),
}
MANUAL = N_("Manual delivery")


def reason_label(code: str, _: Translator) -> str:
    return _(CANCEL_REASON[code]) if code in CANCEL_REASON else code


def courier_label(courier: str, _: Translator) -> str:
    """`Yalidine`, `ZR Express`; the manual courier in the chat's language."""
    return _(MANUAL) if courier == "manual" else courier_display_name(courier)
