"""What ✏️ Edit ▸ shows: the panel (the order as the draft would make it, what changes, what
is wrong) and the keyboards of each step, in the store's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import EditStep
from bot.edit_session import TYPED, EditSession, edit_button
from bot.i18n import N_, STATUS, money, translator
from models.catalog.tables import Product, Variant
from models.customers.phones import national_display
from models.orders.tables import Order
from models.shipping import geography

PAGE = 12
LABEL = 40
MONEY = frozenset({"delivery_fee", "discount", "subtotal", "total"})
Row = list[InlineKeyboardButton]

FIELD_NAMES = {
    "lines": N_("Items"),
    "name": N_("Name"),
    "phone2": N_("Second phone"),
    "wilaya": N_("Wilaya"),
    "commune": N_("Commune"),
    "address": N_("Address"),
    "delivery_type": N_("Delivery type"),
    "delivery_fee": N_("Delivery fee"),
    "discount": N_("Discount"),
    "call_note": N_("Call note"),
    "subtotal": N_("Subtotal"),
    "total": N_("Total"),
    "quantity": N_("Quantity"),
    "price_reason": N_("Reason"),
}
REASONS = {
    "required": N_("%(field)s: missing"),
    "too_short": N_("%(field)s: too short"),
    "too_long": N_("%(field)s: too long"),
    "invalid": N_("%(field)s: not valid"),
    "unknown": N_("%(field)s: unknown"),
    "other_wilaya": N_("%(field)s: not in this wilaya, choose the commune again"),
    "not_served": N_("%(field)s: the store does not deliver there"),
    "not_offered": N_("%(field)s: not offered in this wilaya"),
    "out_of_range": N_("%(field)s: out of range"),
    "same_as_phone": N_("%(field)s: the same as the main phone"),
    "empty": N_("%(field)s: at least one product"),
    "unknown_variant": N_("%(field)s: a product is no longer on sale"),
    "too_many": N_("%(field)s: too many lines"),
}
PROMPTS = {
    "name": N_("Reply with the customer's name for #%(number)s"),
    "phone2": N_("Reply with a second phone number for #%(number)s (- to remove it)"),
    "address": N_("Reply with the address for #%(number)s"),
    "call_note": N_("Reply with the call note for #%(number)s"),
    "commune": N_("Reply with the commune's name for #%(number)s"),
    "delivery_fee": N_(
        "Reply with the delivery fee for #%(number)s and the reason, e.g. 300 loyal customer"
    ),
    "discount": N_("Reply with the discount for #%(number)s and the reason, e.g. 500 damaged box"),
}


@dataclass(frozen=True, slots=True)
class DraftLine:
    label: str
    quantity: int
    unit_price: int


@dataclass(frozen=True, slots=True)
class Preview:
    """The order as the draft would make it; `changed` names the fields that change and
    `problems` what the domain refuses (field → reason code, or a sentence under "")."""

    order: Order
    lines: Sequence[DraftLine]
    changed: Sequence[str]
    problems: dict[str, str]
    warning: str | None


def _clip(text: str, limit: int = LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem_text(key: str, reason: str, lang: str) -> str:
    _ = translator(lang)
    if not key:
        return reason
    field = _(FIELD_NAMES.get(key, key))
    return _(REASONS[reason], field=field) if reason in REASONS else f"{field}: {reason}"


def _value(key: str, value: Any, lang: str) -> str:
    _ = translator(lang)
    if key == "lines" and isinstance(value, list):
        return " + ".join(
            f"{x.get('quantity')} × {x.get('label')}" for x in value if isinstance(x, dict)
        )
    if key == "delivery_type":
        return _("Home delivery") if value == "home" else _("Stop desk")
    if key in MONEY and isinstance(value, int):
        return money(value, lang)
    if key == "wilaya" and isinstance(value, int) and (wilaya := geography.get_wilaya(value)):
        return wilaya.label(lang)
    if key == "commune" and isinstance(value, str) and (commune := geography.get_commune(value)):
        return commune.label(lang)
    return str(value) if value not in (None, "") else "—"


def changes_text(changes: dict[str, Any], lang: str) -> str:
    """`Delivery type: Home delivery → Stop desk; Delivery fee: 400 DA → 250 DA` (the
    timeline's `edited` entry)."""
    _ = translator(lang)
    parts = []
    for key, change in changes.items():
        if not isinstance(change, dict):
            continue
        name = _(FIELD_NAMES.get(key, key))
        if key == "price_reason":
            parts.append(_("%(field)s: %(value)s", field=name, value=change.get("after")))
            continue
        before, after = (_value(key, change.get(k), lang) for k in ("before", "after"))
        parts.append(_("%(field)s: %(before)s → %(after)s", field=name, before=before, after=after))
    return "; ".join(parts)


def _place(order: Order, lang: str) -> str:
    wilaya = geography.get_wilaya(order.wilaya_code)
    commune = geography.get_commune(order.commune_code)
    where = wilaya.label(lang) if wilaya else str(order.wilaya_code)
    return f"📍 {escape(where)} · {escape(commune.label(lang) if commune else order.commune_name)}"


def _line(line: DraftLine, lang: str) -> str:
    total = money(line.unit_price * line.quantity, lang)
    return f"• {line.quantity} × {escape(_clip(line.label, 90))} — {total}"


def panel_text(preview: Preview, lang: str) -> str:
    _ = translator(lang)
    order = preview.order
    delivery = _("Home delivery") if order.delivery_type == "home" else _("Stop desk")
    phones = national_display(order.phone)
    if order.phone2:
        phones += " · " + national_display(order.phone2)
    amounts = _("Delivery %(fee)s", fee=money(order.delivery_fee, lang))
    if order.discount:
        amounts += " · " + _("Discount %(amount)s", amount=money(order.discount, lang))
    rows = [
        "✏️ <b>"
        + _("Edit #%(number)s", number=order.number)
        + "</b> · "
        + _(STATUS[order.status.value]),
        *(_line(n, lang) for n in preview.lines),
        f"👤 {escape(order.name)}",
        f"📞 {phones}",
        _place(order, lang),
        f"🏠 {escape(order.address)} · {delivery}",
        f"🚚 {amounts} · <b>" + _("Total %(total)s", total=money(order.total, lang)) + "</b>",
    ]
    if order.call_note:
        rows.append("🗒 " + escape(order.call_note))
    names = [_(FIELD_NAMES.get(k, k)) for k in preview.changed if k != "price_reason"]
    rows.append(
        "🔸 " + (_("Changes: %(fields)s", fields=", ".join(names)) if names else _("No change yet"))
    )
    rows += ["⚠️ " + escape(problem_text(k, r, lang)) for k, r in preview.problems.items()]
    if preview.warning:
        rows.append("⚠️ " + _("Being prepared: change the parcel too."))
    return "\n".join(rows)


def _b(label: str, step: EditStep, a: int = 0, b: int | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=edit_button(step, a, b))


def _back(lang: str, step: EditStep = EditStep.BACK, a: int = 0) -> Row:
    return [_b("« " + translator(lang)("Back"), step, a)]


def panel_keyboard(session: EditSession, order: Order, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    other = _("Stop desk") if order.delivery_type == "home" else _("Home delivery")
    typed = {name: i for i, name in enumerate(TYPED)}
    rows = [
        [_b("🛒 " + _("Items ▸"), EditStep.ITEMS), _b("🔁 " + other, EditStep.DELIVERY_TYPE)],
        [_b("📍 " + _("Wilaya ▸"), EditStep.WILAYAS), _b("🏘 " + _("Commune ▸"), EditStep.COMMUNES)],
        [
            _b("👤 " + _("Name"), EditStep.TYPE, typed["name"]),
            _b("📞 " + _("Second phone"), EditStep.TYPE, typed["phone2"]),
        ],
        [
            _b("🏠 " + _("Address"), EditStep.TYPE, typed["address"]),
            _b("🗒 " + _("Call note"), EditStep.TYPE, typed["call_note"]),
        ],
    ]
    if session.owner:
        rows.append(
            [
                _b("💰 " + _("Delivery fee"), EditStep.TYPE, typed["delivery_fee"]),
                _b("🏷 " + _("Discount"), EditStep.TYPE, typed["discount"]),
            ]
        )
    rows.append([_b("💾 " + _("Save"), EditStep.SAVE), _b("✖️ " + _("Discard"), EditStep.DISCARD)])
    return InlineKeyboardMarkup(rows)


def items_keyboard(lines: Sequence[DraftLine], lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang)
    rows = [
        [_b(f"✏️ {n.quantity} × {_clip(n.label)}", EditStep.LINE, i)] for i, n in enumerate(lines)
    ]
    rows.append([_b("➕ " + _("Add a product"), EditStep.PRODUCTS, 0)])
    return InlineKeyboardMarkup([*rows, _back(lang)])


def line_keyboard(
    index: int, quantity: int, chosen: int, variants: Sequence[Variant], lang: str
) -> InlineKeyboardMarkup:
    """The line's product in its other variants, its quantity, and remove."""
    _ = translator(lang)
    rows = [
        [
            _b(
                ("• " if v.id == chosen else "") + _clip(v.label() or v.sku),
                EditStep.LINE_VARIANT,
                index,
                v.id,
            )
        ]
        for v in variants
    ][:PAGE]
    rows.append(
        [
            _b("➖", EditStep.LINE_QUANTITY, index, 0),
            _b(str(quantity), EditStep.LINE, index),
            _b("➕", EditStep.LINE_QUANTITY, index, 1),
        ]
    )
    rows.append([_b("🗑 " + _("Remove this line"), EditStep.LINE_REMOVE, index)])
    return InlineKeyboardMarkup([*rows, _back(lang, EditStep.ITEMS)])


def _pages(count: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-count // PAGE))
    page = min(max(page, 0), pages - 1)
    return page, pages


def _nav(step: EditStep, page: int, pages: int, lang: str) -> list[Row]:
    _ = translator(lang)
    nav = []
    if page > 0:
        nav.append(_b("‹ " + _("Previous"), step, page - 1))
    if page < pages - 1:
        nav.append(_b(_("Next") + " ›", step, page + 1))
    return [nav] if nav else []


def products_keyboard(products: Sequence[Product], page: int, lang: str) -> InlineKeyboardMarkup:
    page, pages = _pages(len(products), page)
    shown = products[page * PAGE : (page + 1) * PAGE]
    rows = [[_b("🛍 " + _clip(p.name), EditStep.PRODUCT, p.id)] for p in shown]
    return InlineKeyboardMarkup(
        [*rows, *_nav(EditStep.PRODUCTS, page, pages, lang), _back(lang, EditStep.ITEMS)]
    )


def variants_keyboard(variants: Sequence[Variant], lang: str) -> InlineKeyboardMarkup:
    rows = [
        [_b(f"{_clip(v.label() or v.sku)} — {money(v.price, lang)}", EditStep.ADD, v.id)]
        for v in variants[:PAGE]
    ]
    return InlineKeyboardMarkup([*rows, _back(lang, EditStep.PRODUCTS, 0)])


def wilayas_keyboard(codes: Sequence[int], page: int, lang: str) -> InlineKeyboardMarkup:
    page, pages = _pages(len(codes), page)
    buttons = []
    for code in codes[page * PAGE : (page + 1) * PAGE]:
        wilaya = geography.get_wilaya(code)
        buttons.append(_b(wilaya.label(lang) if wilaya else str(code), EditStep.WILAYA, code))
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return InlineKeyboardMarkup([*rows, *_nav(EditStep.WILAYAS, page, pages, lang), _back(lang)])


def communes_keyboard(
    wilaya: int, page: int, lang: str, only: Sequence[int] | None = None
) -> InlineKeyboardMarkup:
    """A page of the wilaya's communes (or the matches of a typed name, `only`), by their
    index in `geography.communes_of(wilaya)`, and the button to type the name."""
    _ = translator(lang)
    communes = geography.communes_of(wilaya)
    indexes = list(only) if only is not None else list(range(len(communes)))
    page, pages = _pages(len(indexes), page)
    buttons = [
        _b(_clip(communes[i].label(lang), 24), EditStep.COMMUNE, i)
        for i in indexes[page * PAGE : (page + 1) * PAGE]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = _nav(EditStep.COMMUNES, page, pages, lang) if only is None else []
    typed = [_b("⌨️ " + _("Type the name"), EditStep.TYPE, TYPED.index("commune"))]
    return InlineKeyboardMarkup([*rows, *nav, typed, _back(lang)])
