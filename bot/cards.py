"""The order card: one HTML message per order per chat, rendered from the database alone
(SPEC §5). Customer text is escaped; the visible text always fits Telegram's 4096."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, OUTCOME, STATUS, STATUS_ICON, local_time, money, reason_text, translator
from bot.keyboards import main_keyboard
from bot.reasons import courier_label, reason_label
from i18n import Translator
from models.customers.phones import national_display
from models.customers.registry import Standing
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent, OrderLine
from models.shipping import geography
from models.shipping.courier_names import tracking_url

MAX_TEXT = 4096
MAX_LINES_SHOWN = 15
MAX_LINE_CHARS = 90
_TAG = re.compile(r"<[^>]+>")
# The customer's mark (models.customers.risk), as the card names it.
RISK_MARK = {
    "new": ("🌱", N_("new customer")),
    "known": ("🙂", N_("known customer")),
    "trusted": ("⭐", N_("trusted customer")),
    "watch": ("👀", N_("to watch")),
    "risky": ("⚠️", N_("risky")),
    "blacklisted": ("⛔", N_("blacklisted")),
}

NO_DELIVERY_YET = ("🔁", N_("ordered before, nothing delivered yet"))


@dataclass(frozen=True, slots=True)
class CardContext:
    """What the card shows beyond the order row: the customer's other open orders, the
    store's no-answer limit (`attempt 2/3`), the chosen stop desk's name, and the button
    opening the order on the desk in the card's chat (bot.desk_links)."""

    also_open: Sequence[int] = ()
    no_answer_limit: int = 0
    stopdesk: str = ""
    desk: InlineKeyboardButton | None = None


@dataclass(frozen=True, slots=True)
class Card:
    text: str
    markup: InlineKeyboardMarkup | None

    @property
    def digest(self) -> str:
        """Changes when what Telegram shows changes: skip edits that would be no-ops."""
        keyboard = self.markup.to_json() if self.markup else ""
        return hashlib.sha256(f"{self.text}\x00{keyboard}".encode()).hexdigest()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(line: OrderLine, lang: str) -> str:
    return (
        f"• {line.quantity} × {escape(_clip(line.label(), MAX_LINE_CHARS))} — "
        f"{money(line.unit_price * line.quantity, lang)}"
    )


def _items(lines: Sequence[OrderLine], lang: str, shown: int) -> list[str]:
    _ = translator(lang)
    rows = [_line(line, lang) for line in lines[:shown]]
    hidden = lines[shown:]
    if hidden:
        units = sum(line.quantity for line in hidden)
        rows.append(
            _("… and %(count)s more lines (%(units)s items)", count=len(hidden), units=units)
        )
    return rows


def _place(order: Order, lang: str) -> str:
    wilaya = geography.get_wilaya(order.wilaya_code)
    commune = geography.get_commune(order.commune_code)
    wilaya_label = wilaya.label(lang) if wilaya else str(order.wilaya_code)
    commune_label = commune.label(lang) if commune else order.commune_name
    return f"📍 {escape(wilaya_label)} · {escape(commune_label)}"


def attempt_text(order: Order, limit: int, _: Translator) -> str:
    """`attempt 2/3, next call at 14:30` (no limit: `attempt 2, …`)."""
    n = order.no_answers
    attempt = f"{n}/{max(limit, n)}" if limit else str(n)
    if order.callback_at is None:
        return _("attempt %(attempt)s", attempt=attempt)
    return _(
        "attempt %(attempt)s, next call at %(when)s",
        attempt=attempt,
        when=local_time(order.callback_at),
    )


def _cancel_row(order: Order, lang: str) -> list[str]:
    """`❌ Cancelled by Yacine (agent) · 07/12 14:30 — Price: too expensive`."""
    if order.status is not OrderStatus.CANCELLED or order.cancelled_at is None:
        return []
    _ = translator(lang)
    why = ": ".join(
        w for w in (reason_label(order.cancel_reason, _) if order.cancel_reason else "",
                    _clip(order.cancel_note, MAX_LINE_CHARS)) if w
    )  # fmt: skip
    text = _(
        "Cancelled by %(name)s · %(when)s",
        name=escape(order.cancelled_by or "?"),
        when=local_time(order.cancelled_at),
    )
    return ["❌ " + text + (f" — {escape(why)}" if why else "")]


def _call_rows(order: Order, lang: str, limit: int = 0) -> list[str]:
    _ = translator(lang)
    rows = []
    if order.call_attempts:
        last = _(OUTCOME.get(order.last_call_outcome, order.last_call_outcome))
        when = local_time(order.last_call_at) if order.last_call_at else ""
        rows.append(
            "☎️ "
            + _(
                "Calls: %(n)s · last: %(outcome)s %(when)s",
                n=order.call_attempts,
                outcome=last,
                when=when,
            ).strip()
        )
    pending = order.status is OrderStatus.PENDING  # a claim or a callback ends with it
    unanswered = order.last_call_outcome == "no_answer" and order.no_answers
    if pending and unanswered:
        rows.append("📵 " + attempt_text(order, limit, _))
    elif pending and order.callback_at:
        rows.append("⏰ " + _("Call back at %(when)s", when=local_time(order.callback_at)))
    if pending and order.claimed_by_id and order.claim_expires_at:
        rows.append(
            "🙋 "
            + _(
                "%(name)s is calling (until %(until)s)",
                name=escape(order.claimed_by_name),
                until=local_time(order.claim_expires_at, with_date=False),
            )
        )
    if order.duplicate_of:
        rows.append("🔁 " + _("Duplicate of #%(number)s", number=order.duplicate_of))
    return [*rows, *_cancel_row(order, lang)]


def _standing_row(standing: Standing, lang: str) -> str:
    """`🧾 Earlier orders: 3 · delivered: 2 · returned: 1 · ⚠️ risky`, or the mark alone
    for a phone with no other order in the store (`🌱 new customer`)."""
    _ = translator(lang)
    icon, label = RISK_MARK[standing.risk.value]
    if standing.risk.value == "new" and standing.history.orders:
        icon, label = NO_DELIVERY_YET  # ordered before: not a new customer
    mark = f"{icon} {_(label)}"
    if standing.blacklist_reason:
        reason = reason_text(standing.blacklist_reason, _)
        mark += ": " + escape(_clip(reason, MAX_LINE_CHARS))
    history = standing.history
    if not history.orders:
        return mark
    counts = [
        (history.open, _("open: %(n)s", n=history.open)),
        (history.delivered, _("delivered: %(n)s", n=history.delivered)),
        (history.returned, _("returned: %(n)s", n=history.returned)),
        (history.fake, _("fake: %(n)s", n=history.fake)),
        # Cancelled for another reason: the counts add up to the earlier orders.
        (
            history.cancelled - history.fake,
            _("cancelled: %(n)s", n=history.cancelled - history.fake),
        ),
    ]
    parts = [_("Earlier orders: %(n)s", n=history.orders), *(t for n, t in counts if n), mark]
    return "🧾 " + " · ".join(parts)


def _also_open(numbers: Sequence[int], lang: str) -> list[str]:
    if not numbers:
        return []
    _ = translator(lang)
    listed = ", ".join(f"#{n}" for n in numbers)
    return ["⚠️ " + _("also open: %(numbers)s", numbers=listed)]


def _head(
    order: Order, lang: str, standing: Standing | None = None, extra: CardContext | None = None
) -> list[str]:
    _ = translator(lang)
    status = order.status.value
    delivery = _("Home delivery") if order.delivery_type == "home" else _("Stop desk")
    if extra is not None and extra.stopdesk:
        delivery += " · 🏢 " + escape(_clip(extra.stopdesk, MAX_LINE_CHARS))
    return [
        f"{STATUS_ICON.get(status, '')} <b>#{order.number}</b> · {_(STATUS[status])}",
        f"👤 {escape(order.name)}",
        f"📞 {national_display(order.phone)} ({order.phone})",
        *([f"📞 {national_display(order.phone2)} ({order.phone2})"] if order.phone2 else []),
        *([_standing_row(standing, lang)] if standing is not None else []),
        *_also_open(extra.also_open if extra else (), lang),
        _place(order, lang),
        f"🏠 {escape(order.address)} · {delivery}",
    ]


ATTENTION = frozenset({"delivery_attempted", "on_hold"})


def _parcel_row(parcel: OrderEvent, lang: str) -> str:
    """The courier's last word on the parcel, in its own words (raw status and reason);
    a failed attempt or a parcel on hold is flagged so the team calls the customer back."""
    _ = translator(lang)
    data = parcel.data if isinstance(parcel.data, dict) else {}
    said = " — ".join(str(v) for v in (data.get("raw_status"), data.get("raw_reason")) if v)
    icon = "⚠️ " if data.get("status") in ATTENTION else "🛰 "
    text = _("Courier says: %(status)s", status=escape(_clip(said, MAX_LINE_CHARS * 2)))
    if data.get("status") in ATTENTION:
        text += " · " + _("call the customer back")
    return icon + text


def _shipping_rows(
    order: Order, lang: str, refused: OrderEvent | None, parcel: OrderEvent | None = None
) -> list[str]:
    _ = translator(lang)
    courier = escape(courier_label(order.courier, _))
    if order.tracking:
        tracking = escape(order.tracking)
        url = tracking_url(order.courier, order.tracking)
        if url is not None:
            tracking = f'<a href="{escape(url)}">{tracking}</a>'
        text = _("Courier: %(courier)s · tracking %(tracking)s", courier=courier, tracking=tracking)
        live = parcel is not None and order.status is OrderStatus.SHIPPED
        return ["📦 " + text, *([_parcel_row(parcel, lang)] if live and parcel else [])]
    if order.courier and order.status is OrderStatus.PROCESSING:
        return ["📦 " + _("Courier: %(courier)s · creating the parcel…", courier=courier)]
    if refused is not None:
        who = escape(str(refused.data.get("courier") or refused.actor_name))
        reason = escape(_clip(refused.note, MAX_LINE_CHARS * 2))
        return ["⚠️ " + _("%(courier)s refused the parcel: %(reason)s", courier=who, reason=reason)]
    return []


def _tail(
    order: Order,
    lang: str,
    refused: OrderEvent | None = None,
    parcel: OrderEvent | None = None,
    limit: int = 0,
) -> list[str]:
    _ = translator(lang)
    rows = [
        "🚚 "
        + _("Delivery %(fee)s", fee=money(order.delivery_fee, lang))
        + (
            " · " + _("Discount %(amount)s", amount=money(order.discount, lang))
            if order.discount
            else ""
        )
        + " · <b>"
        + _("Total %(total)s", total=money(order.total, lang))
        + "</b>",
        *_call_rows(order, lang, limit),
        *_shipping_rows(order, lang, refused, parcel),
    ]
    if order.note:
        rows.append("📝 " + escape(order.note))
    if order.call_note:
        rows.append("🗒 " + escape(order.call_note))
    return rows


def _visible_length(html_text: str) -> int:
    # Tags are not counted by Telegram; entities like &amp; count as one character. Counted
    # in UTF-16 units, as Telegram measures, so emoji and rare scripts never push it over.
    return len(unescape(_TAG.sub("", html_text)).encode("utf-16-le")) // 2


def render_text(
    order: Order,
    lines: Sequence[OrderLine],
    lang: str,
    refused: OrderEvent | None = None,
    parcel: OrderEvent | None = None,
    standing: Standing | None = None,
    extra: CardContext | None = None,
) -> str:
    """The card's HTML; fewer item lines are shown until it fits 4096 characters (every
    other field is bounded at checkout, so the head and tail alone always fit).
    `refused`: the courier's refusal of the last dispatch, shown until the next one;
    `parcel`: the courier's last parcel status, shown while the order is shipped;
    `standing`: the customer's other orders in the store and their mark;
    `extra`: the other open orders, the no-answer limit and the stop desk."""
    shown = MAX_LINES_SHOWN
    head = _head(order, lang, standing, extra)
    tail = _tail(order, lang, refused, parcel, extra.no_answer_limit if extra else 0)
    while True:
        text = "\n".join([*head, *_items(lines, lang, shown), *tail])
        if _visible_length(text) <= MAX_TEXT or shown == 0:
            return text
        shown //= 2


def render_card(
    order: Order,
    lines: Sequence[OrderLine],
    lang: str,
    refused: OrderEvent | None = None,
    parcel: OrderEvent | None = None,
    standing: Standing | None = None,
    extra: CardContext | None = None,
) -> Card:
    text = render_text(order, lines, lang, refused, parcel, standing, extra)
    return Card(text, main_keyboard(order, lang, extra.desk if extra else None))
