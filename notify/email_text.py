"""The new-order email a store owner receives, in the store's language (ar, fr, en)."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from i18n import format_dinars
from models.customers.phones import national_display
from models.orders.tables import Order, OrderLine
from models.shipping.geography import get_commune, get_wilaya
from models.stores.tables import Store

DEFAULT_LANG = "ar"  # the Store default
ALGIERS = ZoneInfo("Africa/Algiers")

CATALOGUE: dict[str, dict[str, str]] = {
    "ar": {
        "subject": "طلب جديد رقم {number} — {store}",
        "intro": "وصلك طلب جديد رقم {number} في متجر {store}.",
        "field": "{label}: {value}",
        "customer": "الزبون",
        "phone": "الهاتف",
        "wilaya": "الولاية",
        "commune": "البلدية",
        "address": "العنوان",
        "delivery": "التوصيل",
        "home": "إلى المنزل",
        "desk": "إلى مكتب شركة التوصيل (ستوب ديسك)",
        "note": "ملاحظة الزبون",
        "items": "المنتجات:",
        "subtotal": "مجموع المنتجات",
        "fee": "سعر التوصيل",
        "total": "المبلغ الذي يدفعه الزبون عند الاستلام",
        "received": "تاريخ الطلب",
        "outro": "اتصل بالزبون لتأكيد الطلب قبل شحنه.",
    },
    "fr": {
        "subject": "Nouvelle commande n° {number} — {store}",
        "intro": "Vous avez reçu une nouvelle commande n° {number} sur {store}.",
        "field": "{label} : {value}",
        "customer": "Client",
        "phone": "Téléphone",
        "wilaya": "Wilaya",
        "commune": "Commune",
        "address": "Adresse",
        "delivery": "Livraison",
        "home": "à domicile",
        "desk": "au bureau du transporteur (stop desk)",
        "note": "Note du client",
        "items": "Articles :",
        "subtotal": "Sous-total",
        "fee": "Frais de livraison",
        "total": "Total à encaisser à la livraison",
        "received": "Date de la commande",
        "outro": "Appelez le client pour confirmer la commande avant de l'expédier.",
    },
    "en": {
        "subject": "New order #{number} — {store}",
        "intro": "You have a new order #{number} on {store}.",
        "field": "{label}: {value}",
        "customer": "Customer",
        "phone": "Phone",
        "wilaya": "Wilaya",
        "commune": "Commune",
        "address": "Address",
        "delivery": "Delivery",
        "home": "to the door",
        "desk": "to the courier's desk (stop desk)",
        "note": "Customer's note",
        "items": "Items:",
        "subtotal": "Subtotal",
        "fee": "Delivery fee",
        "total": "Total to collect on delivery",
        "received": "Order date",
        "outro": "Call the customer to confirm the order before shipping it.",
    },
}


def dinars(amount: int, lang: str) -> str:
    """`2 500 DA` / `2 500 د.ج` (SPEC §4)."""
    return format_dinars(amount, lang)


def new_order_email(
    store: Store, order: Order, lines: Sequence[OrderLine], sender: str, message_id: str
) -> EmailMessage:
    """The owner's notice of a new order: plain text, everything needed to call and ship."""
    lang = store.lang if store.lang in CATALOGUE else DEFAULT_LANG
    text = CATALOGUE[lang]
    email = EmailMessage()
    email["Subject"] = text["subject"].format(number=order.number, store=store.name)
    email["From"] = sender
    email["To"] = store.owner_email
    email["Message-ID"] = message_id
    email["Date"] = format_datetime(order.created_at)
    email.set_content(_body(lang, store, order, lines))
    email["Content-Language"] = lang  # after set_content, which replaces Content-* headers
    return email


def _body(lang: str, store: Store, order: Order, lines: Sequence[OrderLine]) -> str:
    text = CATALOGUE[lang]
    paragraphs = [
        text["intro"].format(number=order.number, store=store.name),
        "\n".join(_fields(lang, _customer_fields(lang, order))),
        "\n".join([text["items"], *(_line(lang, line) for line in lines)]),
        "\n".join(_fields(lang, _money_fields(lang, order))),
        text["outro"],
    ]
    return "\n\n".join(paragraphs) + "\n"


def _fields(lang: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    text = CATALOGUE[lang]
    return [text["field"].format(label=text[key], value=value) for key, value in pairs]


def _customer_fields(lang: str, order: Order) -> list[tuple[str, str]]:
    wilaya = get_wilaya(order.wilaya_code)
    commune = get_commune(order.commune_code)
    received = order.created_at.astimezone(ALGIERS).strftime("%d/%m/%Y %H:%M")
    pairs = [
        ("customer", order.name),
        ("phone", national_display(order.phone)),
        ("wilaya", wilaya.label(lang) if wilaya else str(order.wilaya_code)),
        ("commune", commune.label(lang) if commune else order.commune_name),
        ("address", order.address),
        ("delivery", CATALOGUE[lang].get(order.delivery_type, order.delivery_type)),
    ]
    if order.note:
        pairs.append(("note", order.note))
    return [*pairs, ("received", received)]


def _money_fields(lang: str, order: Order) -> list[tuple[str, str]]:
    amounts = (("subtotal", order.subtotal), ("fee", order.delivery_fee), ("total", order.total))
    return [(key, dinars(amount, lang)) for key, amount in amounts]


def _line(lang: str, line: OrderLine) -> str:
    name = line.label()
    price, amount = dinars(line.unit_price, lang), dinars(line.line_total, lang)
    return f"- {name} — {line.quantity} × {price} = {amount}"
