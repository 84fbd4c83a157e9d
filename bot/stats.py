"""`/stats [today|week|month]`: the store's figures (computed in models.orders.stats, whose
docstring defines each one), with buttons to switch the period in place, and a chart of
the orders per day with the confirmation and delivery rates (bot.stats_chart) sent as a
photo under it (the last 7 days for today)."""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import gate
from bot.callbacks import parse_stats, stats_button
from bot.i18n import N_, money, translator
from bot.stats_chart import chart_png
from i18n import Translator
from models.infra.clock import now
from models.orders import stats, stats_groups
from models.orders.stats import StoreStats
from models.stores import settings
from models.stores.tables import Store

log = logging.getLogger(__name__)

MAX_PEOPLE = 20
CHART_CAPTION = N_("📈 Orders per day, confirmation and delivery rates · %(period)s (%(days)s)")
PERIOD_TITLE = {"today": N_("Today"), "week": N_("Last 7 days"), "month": N_("Last 30 days")}
PERIOD_BUTTON = {"today": N_("Today"), "week": N_("7 days"), "month": N_("30 days")}
# What people type after /stats, in the three languages.
ALIASES = {
    **dict.fromkeys(("today", "day", "aujourd'hui", "aujourdhui", "jour", "اليوم"), "today"),
    **dict.fromkeys(("week", "semaine", "أسبوع", "الأسبوع", "اسبوع"), "week"),
    **dict.fromkeys(("month", "mois", "شهر", "الشهر"), "month"),
}


def percent(rate: float | None) -> str:
    """80%, or a dash when there is nothing to divide by yet."""
    return "—" if rate is None else f"{int(rate * 100 + 0.5)}%"


def _days(period: stats.Period) -> str:
    days = period.days()
    start, end = days[0].strftime("%d/%m"), days[-1].strftime("%d/%m")
    return start if start == end else f"{start}–{end}"


def _title(figures: StoreStats, store: Store, _: Translator) -> str:
    name = _(PERIOD_TITLE[figures.period.name])
    return f"📊 <b>{escape(store.name)}</b> · {name} ({_days(figures.period)})"


def _orders(f: StoreStats, _: Translator) -> list[str]:
    return [
        "🧾 " + _("Orders placed: %(count)s", count=f.placed),
        "✅ "
        + _(
            "Confirmation rate: %(rate)s (%(confirmed)s confirmed, %(cancelled)s cancelled)",
            rate=percent(f.confirmation_rate),
            confirmed=f.confirmed,
            cancelled=f.cancelled_pending,
        ),
        "☎️ " + _("Awaiting a call: %(count)s", count=f.awaiting_call),
        "🚚 "
        + _(
            "Delivery rate: %(rate)s (%(delivered)s of %(shipped)s shipped)",
            rate=percent(f.delivery_rate),
            delivered=f.delivered,
            shipped=f.shipped,
        ),
        "↩️ "
        + _(
            "Return rate: %(rate)s (%(returned)s of %(shipped)s shipped)",
            rate=percent(f.return_rate),
            returned=f.returned,
            shipped=f.shipped,
        ),
        "📦 " + _("On the way: %(count)s", count=f.on_the_way),
    ]


def _money(f: StoreStats, lang: str, _: Translator) -> list[str]:
    return [
        "💰 " + _("Collected (delivered): %(amount)s", amount=money(f.revenue_delivered, lang)),
        "📒 " + _("Booked (confirmed or later): %(amount)s", amount=money(f.revenue_booked, lang)),
    ]


def _team(f: StoreStats, _: Translator) -> list[str]:
    rows = ["👥 <b>" + _("Team") + "</b>"]
    if not f.team:
        return [*rows, _("No calls logged in this period.")]
    for person in f.team[:MAX_PEOPLE]:
        rows.append(
            "• "
            + _(
                "%(name)s — calls: %(calls)s · confirmations: %(confirmations)s",
                name=escape(person.name[:60]),
                calls=person.calls,
                confirmations=person.confirmations,
            )
        )
    return rows


def money_visible(store: Store, actor_kind: str, chat_type: str) -> bool:
    """Money figures are the owner's, read in a private chat, unless the owner shares them
    with the agents (/settings): an owner's /stats in the team group shows none."""
    if chat_type == "private":
        return settings.sees_money(store, actor_kind)
    return store.agents_see_money


def stats_text(figures: StoreStats, store: Store, with_money: bool = True) -> str:
    """The /stats message (HTML): pure formatting of figures already computed."""
    _ = translator(store.lang)
    hidden = ["💰 " + _("Money figures: the owner reads them in a private chat.")]
    blocks = [
        [_title(figures, store, _)],
        _orders(figures, _),
        _money(figures, store.lang, _) if with_money else hidden,
        _team(figures, _),
        [_("Rates count the orders placed in the period; the team counts its work in it.")],
    ]
    return "\n\n".join("\n".join(block) for block in blocks)


def _periods(store: Store, current: str) -> InlineKeyboardMarkup:
    _ = translator(store.lang)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("• " if name == current else "") + _(label),
                    callback_data=stats_button(store.id, name),
                )
                for name, label in PERIOD_BUTTON.items()
            ]
        ]
    )


async def _view(store: Store, period: str, with_money: bool) -> tuple[str, InlineKeyboardMarkup]:
    figures = await stats.store_stats(store, stats.period_of(period, now()))
    return stats_text(figures, store, with_money), _periods(store, period)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    typed = " ".join(context.args or []).strip().lower() or "today"
    period = ALIASES.get(typed)
    if period is None:
        await message.reply_text(mate._("Send /stats today, /stats week or /stats month."))
        return
    with_money = money_visible(mate.store, mate.actor.kind, message.chat.type)
    text, markup = await _view(mate.store, period, with_money)
    await message.reply_text(text, reply_markup=markup)
    await send_chart(message, mate.store, period)


async def send_chart(message: Message, store: Store, period: str) -> None:
    """The chart of the period's days (the last 7 for today: one bar says little) as a
    photo with its caption in the store's language. A failure costs the picture only."""
    days = stats.period_of("week" if period == "today" else period, now())
    parts = await stats_groups.by_day(store, days)
    png = await asyncio.to_thread(chart_png, parts, store.lang)
    _ = translator(store.lang)
    caption = _(CHART_CAPTION, period=_(PERIOD_TITLE[days.name]), days=_days(days))
    try:
        await message.reply_photo(InputFile(png, filename="stats.png"), caption=caption)
    except TelegramError as exc:
        log.warning("stats chart not sent chat=%s error=%s", message.chat.id, exc)


async def on_period_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Today / 7 days / 30 days under /stats (`fg:<store>:<t|w|m>`): edited in place."""
    query = update.callback_query
    if query is None:
        return
    parsed = parse_stats(query.data or "")
    store = await Store.get_or_none(id=parsed[0]) if parsed else None
    if store is None or parsed is None:
        await gate.alert(query, N_("This button is no longer valid."))
        return
    mate = await gate.enter_press(query, store)
    if mate is None or query.message is None:
        return
    await query.answer()
    with_money = money_visible(store, mate.actor.kind, query.message.chat.type)
    text, markup = await _view(store, parsed[1], with_money)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:  # the same period pressed again, nothing moved
        if "not modified" not in str(exc).lower():
            raise
