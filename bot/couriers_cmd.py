"""`/couriers` (owner): the store's courier accounts, each with a button to test its
credentials at the courier again and one to make it the default that Dispatch ▸ offers
first. Accounts are added on the server (`hanout courier add`), so a courier's keys never
pass through Telegram; with none yet, the command says how."""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import gate
from bot.callbacks import CourierAction, courier_menu_button, parse_courier_menu
from bot.dispatch_menu import NO_ACCOUNT, NOT_HERE, dispatcher_of
from bot.i18n import local_time
from bot.keyboards import account_name
from bot.reasons import courier_label
from bot.team_cmds import STALE, Owner, edit_menu, owner_command, owner_press
from i18n import Translator
from models.errors import NotFound
from models.shipping.parcels import DispatchService
from models.shipping.tables import CourierAccount
from models.stores.tables import Store

log = logging.getLogger(__name__)

# A press must be answered before Telegram gives up on it (about 15 s).
TEST_TIMEOUT = 12.0
MAX_LISTED = 20
ERROR_CHARS = 120
COURIER_NAMES = "yalidine, ecotrack, zrexpress, procolis, maystro, noest, manual"
# What `hanout courier add` needs for each courier's credentials test to pass (checked
# against the adapters and the fake couriers by tests/bot/test_couriers_cmd.py). A value
# written "-" is asked for when the command runs: secrets stay out of the shell history.
COURIER_EXAMPLES = (
    ("yalidine", "--credential api_id=… --credential api_token=- --credential from_wilaya=16"),
    ("ecotrack", "--base-url https://<company>.ecotrack.dz --credential api_token=-"),
    ("zrexpress", "--credential api_key=- --credential tenant=…"),
    ("procolis", "--credential token=… --credential key=-"),
    ("maystro", "--credential token=-"),
    ("noest", "--credential api_token=- --credential user_guid=…"),
    ("manual", "--label …"),
)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _state(account: CourierAccount, _: Translator) -> str:
    if account.last_error:
        error = escape(_clip(account.last_error, ERROR_CHARS))
        return "⚠️ " + _("last test failed: %(error)s", error=error)
    if account.last_test_ok_at:
        return "✅ " + _("last test passed %(when)s", when=local_time(account.last_test_ok_at))
    return ""


def _how_to_add(store: Store, _: Translator) -> str:
    examples = [
        f"<code>{escape(f'hanout courier add {store.slug} {courier} {args}')}</code>"
        for courier, args in COURIER_EXAMPLES
    ]
    return "\n".join(
        [
            "🚚 <b>"
            + _("%(store)s has no courier account yet.", store=escape(store.name))
            + "</b>",
            _("Accounts are added on the server, so their keys never pass through Telegram:"),
            *examples,
            _("from_wilaya: the wilaya your Yalidine parcels leave from (code or name)."),
            _("A value written - is asked for when the command runs and is not shown."),
            _(
                "For Yalidine, ZR Express and Maystro the command prints a webhook address: "
                "register it at the courier and parcels update at once."
            ),
            _("Couriers: %(names)s.", names=COURIER_NAMES),
            _("Add --base-url for a company on EcoTrack or Procolis, and --label to name it."),
            _("The first account becomes the default; Dispatch ▸ offers them on each card."),
        ]
    )


def couriers_view(
    store: Store, accounts: list[CourierAccount], _: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The accounts (the default first) with Test and Make default buttons."""
    if not accounts:
        return _how_to_add(store, _), None
    shown = accounts[:MAX_LISTED]
    text = ["🚚 <b>" + _("Courier accounts of %(store)s", store=escape(store.name)) + "</b>"]
    rows = []
    for account in shown:
        name = account_name(account, store.lang)
        kind = f" ({escape(courier_label(account.courier, _))})" if account.label else ""
        head = f"{'⭐' if account.is_default else '•'} <b>{escape(name)}</b>{kind}"
        text.append(head + (" · " + _("default") if account.is_default else ""))
        state = _state(account, _)
        text += ["    " + state] if state else []
        row = [_button("🔌 " + _("Test %(name)s", name=name), store, CourierAction.TEST, account)]
        if not account.is_default:
            row.append(
                _button("⭐ " + _("Make default"), store, CourierAction.MAKE_DEFAULT, account)
            )
        rows.append(row)
    text += ["", _("Dispatch ▸ offers these accounts on each card, the default first.")]
    return "\n".join(text), InlineKeyboardMarkup(rows)


def _button(
    label: str, store: Store, action: CourierAction, account: CourierAccount
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=courier_menu_button(store.id, action, account.id)
    )


async def on_couriers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    message = update.effective_message
    if owner is None or message is None:
        return
    dispatcher = dispatcher_of(context)
    if dispatcher is None:
        await message.reply_text(owner._(NOT_HERE))
        return
    text, markup = couriers_view(owner.store, await dispatcher.accounts(owner.store), owner._)
    await message.reply_text(text, reply_markup=markup)


async def _refresh(query: CallbackQuery, owner: Owner, dispatcher: DispatchService) -> None:
    text, markup = couriers_view(owner.store, await dispatcher.accounts(owner.store), owner._)
    await edit_menu(query, text, markup or InlineKeyboardMarkup([]))


async def _test(
    query: CallbackQuery, owner: Owner, dispatcher: DispatchService, account: CourierAccount
) -> None:
    _, name = owner._, account_name(account, owner.store.lang)
    try:
        async with asyncio.timeout(TEST_TIMEOUT):
            error = await dispatcher.test_account(owner.store, account.id)
    except TimeoutError:
        error = _("no answer in time")
    log.info("courier tested store=%s account=%s ok=%s", owner.store.slug, account.id, not error)
    await _refresh(query, owner, dispatcher)  # the list shows the outcome too
    if error is None:
        await query.answer("✅ " + _("%(name)s works.", name=name), show_alert=True)
    else:
        text = _("%(name)s: the test failed: %(error)s", name=name, error=_clip(error, ERROR_CHARS))
        await query.answer("⚠️ " + text, show_alert=True)


async def _make_default(
    query: CallbackQuery, owner: Owner, dispatcher: DispatchService, account: CourierAccount
) -> None:
    await dispatcher.set_default(owner.store, account.id)
    log.info("default courier store=%s account=%s", owner.store.slug, account.id)
    await _refresh(query, owner, dispatcher)
    name = account_name(account, owner.store.lang)
    await query.answer(owner._("%(name)s is now the default courier.", name=name))


async def on_couriers_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_courier_menu(query.data)
    if parsed is None:
        await gate.alert(query, STALE)
        return
    store_id, action, account_id = parsed
    owner = await owner_press(query, store_id)
    if owner is None:
        return
    dispatcher = dispatcher_of(context)
    if dispatcher is None:
        await query.answer(owner._(NOT_HERE), show_alert=True)
        return
    accounts = await dispatcher.accounts(owner.store)
    account = next((a for a in accounts if a.id == account_id), None)
    try:
        if account is None:
            raise NotFound("courier account", account_id)
        await (_test if action == CourierAction.TEST else _make_default)(
            query, owner, dispatcher, account
        )
    except NotFound:
        await _refresh(query, owner, dispatcher)
        await query.answer(owner._(NO_ACCOUNT), show_alert=True)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("couriers", on_couriers))
    app.add_handler(CallbackQueryHandler(on_couriers_press, pattern=r"^cr:"))
