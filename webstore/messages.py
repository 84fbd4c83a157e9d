"""What the customer reads when something is wrong: one message per (field, reason code)
from models.orders.checkout, and the notices shown above a form. Translated when rendered."""

from __future__ import annotations

from models.orders.checkout import MAX_ADDRESS, MAX_NAME, MAX_NOTE, MAX_QUANTITY


def N_(message: str) -> str:
    """Marks a string for the catalogue; it is translated later, in the visitor's language."""
    return message


FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("name", "required"): N_("Please enter your name."),
    ("name", "too_short"): N_("Your name is too short."),
    ("name", "too_long"): N_("Your name is too long (%(max)s characters at most)."),
    ("phone", "required"): N_("Please enter your phone number."),
    ("phone", "invalid"): N_("Enter an Algerian mobile number, for example 0550 12 34 56."),
    ("phone", "rate_limited"): N_(
        "Too many orders with this phone number. Please try again in an hour."
    ),
    ("wilaya", "required"): N_("Please choose your wilaya."),
    ("wilaya", "unknown"): N_("Please choose your wilaya from the list."),
    ("wilaya", "not_served"): N_("Sorry, we do not deliver to this wilaya."),
    ("commune", "required"): N_("Please choose your commune."),
    ("commune", "unknown"): N_("Please choose your commune from the list."),
    ("commune", "other_wilaya"): N_("This commune is not in the wilaya you chose."),
    ("address", "required"): N_("Please enter your address."),
    ("address", "too_short"): N_("Your address is too short."),
    ("address", "too_long"): N_("Your address is too long (%(max)s characters at most)."),
    ("delivery_type", "invalid"): N_("Choose home delivery or stop desk."),
    ("delivery_type", "not_offered"): N_("Stop desk is not offered in this wilaya."),
    ("note", "too_long"): N_("Your note is too long (%(max)s characters at most)."),
    ("items", "empty"): N_("Your cart is empty."),
    ("items", "too_many"): N_("Too many different products in one order."),
    ("items", "unknown_variant"): N_("Please choose an available product option."),
    ("items", "total_too_high"): N_(
        "This order comes to more than the shop can take online. "
        "Please order fewer items, or contact the shop."
    ),
    ("quantity", "out_of_range"): N_("Choose a quantity from 1 to %(max)s."),
}
FIELD_LIMITS = {
    "name": MAX_NAME,
    "address": MAX_ADDRESS,
    "note": MAX_NOTE,
    "quantity": MAX_QUANTITY,
}
CHECK_FIELD = N_("Please check this field.")

NOTICES = {
    "invalid": N_("Please correct the fields marked below."),
    "blocked": N_("We cannot take this order online. Please contact the shop directly."),
    "rejected": N_("We could not take your order. Please try again."),
    "ip_limited": N_("Too many orders from your connection. Please try again in a few minutes."),
    "malformed": N_("The form could not be read. Please fill it in again."),
    "cart_full": N_("Your cart is full."),
}


def field_message(field: str, reason: str) -> tuple[str, dict[str, object]]:
    """The message id and its parameters for a field's reason code."""
    message = FIELD_MESSAGES.get((field, reason), CHECK_FIELD)
    return message, {"max": FIELD_LIMITS.get(field, "")}
