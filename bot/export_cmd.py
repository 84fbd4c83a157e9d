"""`/export` (owner): the store's orders of a period as an XLSX or CSV file, sent here as a
document with the period and its figures (models.exports.files writes it).

`/export` alone shows period buttons and a format switch; `/export week`, `/export month
csv`, `/export 2026-11-01..2026-11-15` go straight to the file. Owner only: the file holds
every customer's name, phone and address. An empty period gets a sentence, not an empty
file. The file is built in a task of its own, so a year of orders never holds up the bot's
other updates; one export at a time per store.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import gate
from bot.callbacks import ExportAction, ExportFormat, Prefix
from bot.i18n import N_, money
from bot.team_cmds import STALE, Owner, edit_menu, owner_command, owner_press
from i18n import Translator
from models.errors import InvalidInput
from models.exports.reading import (
    MAX_DAYS,
    ExportPeriod,
    ExportTotals,
    PeriodTooLong,
    local_today,
    parse_period,
)
from models.infra.clock import now
from models.orders.lifecycle import OrderStatus
from models.stores.tables import Store

log = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024  # what a bot may send as a document
IN_MEMORY = 8 * 1024 * 1024
NAME_CHARS = 60
# Callback data `ex:<store>:<action>:<format>` (bot.callbacks.ExportAction, ExportFormat).
_PRESS = re.compile(
    rf"^{Prefix.EXPORT}:(\d{{1,9}}):([{''.join(ExportAction)}]):([{''.join(ExportFormat)}])$"
)
PRESS_PERIODS = {
    ExportAction.TODAY: "today",
    ExportAction.YESTERDAY: "yesterday",
    ExportAction.WEEK: "week",
    ExportAction.MONTH: "month",
    ExportAction.LAST_MONTH: "last-month",
}
PRESS_FORMATS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx"}
TITLES = {
    "today": N_("Today"),
    "yesterday": N_("Yesterday"),
    "week": N_("Last 7 days"),
    "month": N_("This month"),
    "last-month": N_("Last month"),
}
# What people type after /export, in the three languages.
ALIASES = {
    **dict.fromkeys(("today", "day", "aujourd'hui", "aujourdhui", "jour", "اليوم"), "today"),
    **dict.fromkeys(("yesterday", "hier", "أمس", "امس", "البارحة"), "yesterday"),
    **dict.fromkeys(("week", "7d", "semaine", "أسبوع", "الأسبوع", "اسبوع"), "week"),
    **dict.fromkeys(("month", "mois", "شهر", "الشهر"), "month"),
    **dict.fromkeys(
        ("last-month", "last month", "mois dernier", "mois-dernier", "الشهر الماضي"),
        "last-month",
    ),
}
FORMAT_WORDS = {"csv": "csv", "xlsx": "xlsx", "excel": "xlsx", "xls": "xlsx"}
USAGE = N_(
    "Send /export week, /export month csv or dates: /export 2026-11-01..2026-11-15. "
    "Periods: today, yesterday, week, month, last-month."
)
BUSY = N_("An export of this store is being prepared; it will arrive in a moment.")

_running: set[int] = set()  # stores whose export is being built


@dataclass(frozen=True, slots=True)
class Asked:
    period: ExportPeriod
    format: str


def parse_args(args: list[str], today: date) -> Asked:
    """`week`, `month csv`, `2026-11-01..2026-11-15 xlsx`, `2026-11-01 2026-11-15`, in any
    of the three languages; InvalidInput for anything else."""
    words = [a.strip().lower() for a in args if a.strip()]
    formats = [FORMAT_WORDS[w] for w in words if w in FORMAT_WORDS]
    rest = [w for w in words if w not in FORMAT_WORDS]
    typed = " ".join(rest) or "week"
    if typed in ALIASES:
        typed = ALIASES[typed]
    elif len(rest) == 2:  # two dates separated by a space
        typed = "..".join(rest)
    if len(formats) > 1:
        raise InvalidInput("format: one format at a time")
    return Asked(parse_period(typed, today), formats[0] if formats else "xlsx")


def _day(period: ExportPeriod) -> str:
    first, last = (d.strftime("%d/%m/%Y") for d in (period.first, period.last))
    return first if first == last else f"{first}–{last}"


def period_text(period: ExportPeriod, _: Translator) -> str:
    """`Last 7 days (21/11/2026–27/11/2026)`, or the dates alone for dates typed."""
    title = TITLES.get(period.name)
    return f"{_(title)} ({_day(period)})" if title else _day(period)


def caption(store: Store, period: ExportPeriod, totals: ExportTotals, _: Translator) -> str:
    """The document's caption: period, order count and amounts."""
    lang = store.lang
    delivered = totals.by_status.get(OrderStatus.DELIVERED.value, (0, 0))
    undone = sum(totals.by_status.get(s, (0, 0))[0] for s in ("cancelled", "returned"))
    name = escape(store.name[:NAME_CHARS])
    return "\n".join(
        [
            f"📤 <b>{name}</b> · {escape(period_text(period, _))}",
            "🧾 "
            + _(
                "Orders: %(count)s · total %(total)s",
                count=totals.orders,
                total=money(totals.total, lang),
            ),
            "🎉 "
            + _(
                "Delivered: %(count)s · %(total)s",
                count=delivered[0],
                total=money(delivered[1], lang),
            ),
            "❌ " + _("Cancelled or returned: %(count)s", count=undone),
        ]
    )


def menu(store: Store, fmt: str, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The period buttons and the format switch (the chosen format marked)."""
    code = ExportFormat.CSV if fmt == "csv" else ExportFormat.XLSX
    A = ExportAction

    def button(action: ExportAction) -> InlineKeyboardButton:
        label = _(TITLES[PRESS_PERIODS[action]])
        return InlineKeyboardButton(
            label, callback_data=f"{Prefix.EXPORT}:{store.id}:{action}:{code}"
        )

    def switch(other: ExportFormat, label: str) -> InlineKeyboardButton:
        mark = "• " if other == code else ""
        return InlineKeyboardButton(
            mark + label, callback_data=f"{Prefix.EXPORT}:{store.id}:{A.FORMAT}:{other}"
        )

    rows = [
        [button(A.TODAY), button(A.YESTERDAY)],
        [button(A.WEEK), button(A.MONTH)],
        [button(A.LAST_MONTH)],
        [switch(ExportFormat.XLSX, _("XLSX (Excel)")), switch(ExportFormat.CSV, "CSV")],
    ]
    text = "\n".join(
        [
            "📤 <b>"
            + _("Export the orders of %(store)s", store=escape(store.name[:NAME_CHARS]))
            + "</b>",
            _(
                "Choose a period. XLSX opens in Excel with a sheet of order lines and a "
                "summary; CSV suits other tools."
            ),
            _("Other dates: /export 2026-11-01..2026-11-15 csv"),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def _send(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, owner: Owner, asked: Asked
) -> None:
    try:
        await _build_and_send(context, chat_id, owner, asked)
    finally:
        _running.discard(owner.store.id)


async def _build_and_send(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, owner: Owner, asked: Asked
) -> None:
    # The file writers (openpyxl, ~25 MB) load at the first export, not in every process.
    from models.exports.files import ExportRequest, write_export

    store, _ = owner.store, owner._
    request = ExportRequest(store, asked.period, asked.format, store.lang)
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.SpooledTemporaryFile(IN_MEMORY) as file:
        totals = await write_export(request, file, now())
        size = file.tell()
        log.info(
            "orders exported store=%s period=%s format=%s orders=%s bytes=%s",
            store.slug,
            asked.period.label,
            asked.format,
            totals.orders,
            size,
        )
        if totals.orders and size <= MAX_UPLOAD:
            file.seek(0)
            document = InputFile(file.read(), filename=request.filename)
            text = caption(store, asked.period, totals, _)
            await context.bot.send_document(chat_id, document, caption=text)
            return
    if not totals.orders:
        period = escape(period_text(asked.period, _))
        text = "📭 " + _("No orders were placed in this period: %(period)s.", period=period)
    else:
        megabytes = size // (1024 * 1024)
        text = "⚠️ " + _(
            "The file is too large to send here (%(size)s MB): choose a shorter period.",
            size=megabytes,
        )
    await context.bot.send_message(chat_id, text)


def _start(
    context: ContextTypes.DEFAULT_TYPE, update: Update, chat_id: int, owner: Owner, asked: Asked
) -> bool:
    """Builds and sends the file in a task of its own; False when one is already running."""
    if owner.store.id in _running:
        return False
    _running.add(owner.store.id)
    context.application.create_task(_send(context, chat_id, owner, asked), update=update)
    return True


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    message = update.effective_message
    if owner is None or message is None:
        return
    _ = owner._
    if not context.args:
        text, markup = menu(owner.store, "xlsx", _)
        await message.reply_text(text, reply_markup=markup)
        return
    try:
        asked = parse_args(context.args, local_today(now()))
    except PeriodTooLong:
        await message.reply_text(
            "⚠️ "
            + _(
                "At most %(days)s days per file: export a long span in several files.",
                days=MAX_DAYS,
            )
        )
        return
    except InvalidInput:
        await message.reply_text(_(USAGE))
        return
    if not _start(context, update, message.chat_id, owner, asked):
        await message.reply_text(_(BUSY))


async def on_export_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A period button (the file comes as a new message) or the format switch (the
    buttons are edited in place)."""
    query = update.callback_query
    if query is None:
        return
    match = _PRESS.match(query.data or "")
    if match is None:
        await gate.alert(query, STALE)
        return
    owner = await owner_press(query, int(match[1]))
    if owner is None or query.message is None:
        return
    action, fmt = ExportAction(match[2]), PRESS_FORMATS[ExportFormat(match[3])]
    if action is ExportAction.FORMAT:
        await query.answer()
        await edit_menu(query, None, menu(owner.store, fmt, owner._)[1])
        return
    period = parse_period(PRESS_PERIODS[action], local_today(now()))
    if _start(context, update, query.message.chat.id, owner, Asked(period, fmt)):
        await query.answer(owner._("Preparing the file…"))
    else:
        await query.answer(owner._(BUSY), show_alert=True)


def register(app: Application) -> None:
    """/export and its buttons (`ex:`)."""
    app.add_handler(CommandHandler("export", on_export))
    app.add_handler(CallbackQueryHandler(on_export_press, pattern=rf"^{Prefix.EXPORT}:"))
