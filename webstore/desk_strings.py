"""The words of the desk's screens, sent to the page in the person's language with `/me`
(the page's script holds no text of its own). Keys are what the script asks for."""

from __future__ import annotations

from aiohttp import web

from webstore.messages import N_
from webstore.visit import CATALOGUES

STRINGS = {
    "title": N_("Order desk"),
    "tab_call": N_("To call now"),
    "tab_pending": N_("Pending"),
    "tab_confirmed": N_("Confirmed"),
    "tab_processing": N_("Processing"),
    "tab_shipped": N_("Shipped"),
    "tab_delivered": N_("Delivered"),
    "tab_returned": N_("Returned"),
    "tab_cancelled": N_("Cancelled"),
    "search": N_("Number, phone or name"),
    "empty": N_("No orders here."),
    "more_found": N_("More orders match: type more of the name or the phone."),
    "loading": N_("Loading…"),
    "back": N_("Back"),
    "calls": N_("Calls"),
    "callback": N_("Call back"),
    "customer": N_("Customer"),
    "history": N_("History"),
    "risk": N_("Risk"),
    "orders_count": N_("Orders"),
    "delivered_count": N_("Delivered"),
    "returned_count": N_("Returned"),
    "cancelled_count": N_("Cancelled"),
    "lines": N_("Items"),
    "subtotal": N_("Subtotal"),
    "delivery_fee": N_("Delivery"),
    "discount": N_("Discount"),
    "total": N_("Total"),
    "timeline": N_("Timeline"),
    "home": N_("Home delivery"),
    "desk": N_("Stop desk"),
    "confirm": N_("Confirm"),
    "cancel": N_("Cancel the order"),
    "cancel_ask": N_("Cancel this order?"),
    "call_outcome": N_("Call outcome"),
    "callback_time": N_("Call back at"),
    "save": N_("Save"),
    "done": N_("Done"),
    "DA": N_("DA"),
    "err_conflict": N_("Someone changed this order meanwhile; it was reloaded."),
    "err_stock": N_("Not enough stock to confirm."),
    "err_auth": N_("Open the desk again from the bot."),
    "err_forbidden": N_("Only the store's team opens its desk."),
    "err_other": N_("That did not work; try again."),
    "out_no_answer": N_("No answer"),
    "out_busy": N_("Busy"),
    "out_unreachable": N_("Unreachable"),
    "out_wrong_number": N_("Wrong number"),
    "out_postponed": N_("Postponed"),
    "out_customer_cancelled": N_("Customer cancelled"),
    "out_fake": N_("Fake order"),
    "out_duplicate": N_("Duplicate"),
    "out_confirmed": N_("Confirmed on the call"),
    "risk_new": N_("New customer"),
    "risk_known": N_("Known customer"),
    "risk_trusted": N_("Trusted customer"),
    "risk_watch": N_("Watch"),
    "risk_risky": N_("Risky"),
    "risk_blacklisted": N_("Blacklisted"),
    "ev_created": N_("Placed"),
    "ev_status_changed": N_("Status changed"),
    "ev_call_logged": N_("Call"),
    "ev_claimed": N_("Claimed"),
    "ev_released": N_("Released"),
    "ev_edited": N_("Edited"),
}


def strings_for(request: web.Request, lang: str) -> dict[str, str]:
    _ = request.app[CATALOGUES].translator(lang)
    return {key: _(message) for key, message in STRINGS.items()}
