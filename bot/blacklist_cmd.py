"""`/blacklist`: the store's blacklisted phones (list, add, remove).

`/blacklist` lists them, newest customer first, with the reason, who and when, and a
button to take each off; `/blacklist 0550 12 34 56 reason…` adds a phone (typed in any
usual form); `/blacklist remove 0550 12 34 56` takes one off. Any team member may add a
phone, as the `fake` call outcome does; only an owner takes one off, since that lets the
phone order again. Buttons are `bl:<store>:<action>:<id>` (pg: a page older than the
customer id, 0 for the first; rm: ask to remove; ry: remove; bk: back to the first page).
"""

from __future__ import annotations

import logging
import re
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import gate
from bot.callbacks import BlacklistAction
from bot.i18n import N_, local_time, reason_text, who_text
from bot.team_cmds import ONLY_OWNER, STALE, edit_menu, owner_press
from i18n import Translator
from models.customers import registry
from models.customers.phones import InvalidPhone, national_display, parse_phone
from models.customers.tables import Customer
from models.errors import NotFound
from models.orders.timeline import Actor
from models.stores.tables import Store

log = logging.getLogger(__name__)

PER_PAGE = 10
REASON_CHARS = 80  # of a reason in the list
# A phone may be typed with spaces: its first tokens, up to this many, are tried as one.
PHONE_TOKENS = 5
REMOVE_WORDS = frozenset({"remove", "rm", "del", "delete"})
ACTIONS = frozenset(BlacklistAction)
_DATA = re.compile(r"bl:([0-9]{1,9}):([a-z]{2}):([0-9]{1,12})")
NOT_A_PHONE = N_("%(text)s is not an Algerian phone number.")
NOT_LISTED = N_("%(phone)s is not on the blacklist.")


def button(store_id: int, action: BlacklistAction, target: int = 0) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown blacklist action {action!r}")
    return f"bl:{store_id}:{action}:{target}"


def parse_button(data: str | None) -> tuple[int, BlacklistAction, int] | None:
    match = _DATA.fullmatch(data or "")
    if match is None or match.group(2) not in ACTIONS:
        return None
    return int(match.group(1)), BlacklistAction(match.group(2)), int(match.group(3))


def split_phone(words: list[str]) -> tuple[str, str] | None:
    """(phone as typed, the rest) from a command's words, the longest run of first words
    that reads as a phone winning: `0550 12 34 56 fake order` → the phone, `fake order`."""
    for count in range(min(PHONE_TOKENS, len(words)), 0, -1):
        typed = " ".join(words[:count])
        try:
            parse_phone(typed)
        except InvalidPhone:
            continue
        return typed, " ".join(words[count:])
    return None


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _usage(_: Translator) -> list[str]:
    return [
        _("/blacklist 0550 12 34 56 reason — add a phone: its orders are refused"),
        _("/blacklist remove 0550 12 34 56 — take a phone off the list (owner)"),
    ]


def _entry(customer: Customer, _: Translator) -> str:
    reason = reason_text(customer.blacklist_reason, _)
    reason = escape(_clip(reason, REASON_CHARS)) or _("no reason given")
    line = f"⛔ <b>{national_display(customer.phone)}</b> — {reason}"
    who = escape(who_text(customer.blacklisted_by, _))
    when = local_time(customer.blacklisted_at) if customer.blacklisted_at else ""
    if who or when:
        line += "\n    " + " · ".join(part for part in (who, when) if part)
    return line


async def blacklist_view(
    store: Store, before_id: int | None, _: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the blacklist with a remove button per phone and the page buttons."""
    page, older = await registry.list_blacklisted(store, before_id, PER_PAGE)
    title = "⛔ <b>" + _("Blacklisted phones of %(store)s", store=escape(store.name)) + "</b>"
    if page:
        body = [_entry(c, _) for c in page]
    elif before_id is None:
        body = [_("No phone is blacklisted.")]
    else:
        body = [_("No more phones.")]
    text = "\n".join([title, *body, "", *_usage(_)])
    rows = [
        [_button("✖️ " + national_display(c.phone), store, BlacklistAction.REMOVE, c.id)]
        for c in page  # owner only: checked when pressed
    ]
    first = "« " + _("First page") if before_id is not None else "🔄"
    nav = [_button(first, store, BlacklistAction.BACK)]
    if older is not None:
        nav.append(_button(_("Older") + " ▸", store, BlacklistAction.PAGE, older))
    return text, InlineKeyboardMarkup([*rows, nav])


def _button(
    label: str, store: Store, action: BlacklistAction, target: int = 0
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button(store.id, action, target))


# --- the command -------------------------------------------------------------------------


async def on_blacklist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    words = list(context.args or [])
    if not words or words == ["list"]:
        text, markup = await blacklist_view(mate.store, None, mate._)
        await message.reply_text(text, reply_markup=markup)
    elif words[0].lower() in REMOVE_WORDS:
        await _remove_typed(message, mate, words[1:])
    else:
        await _add(message, mate, words)


async def _add(message: Message, mate: gate.Teammate, words: list[str]) -> None:
    _ = mate._
    found = split_phone(words)
    if found is None:
        await message.reply_text(_bad_phone(" ".join(words[:PHONE_TOKENS]), _))
        return
    typed, reason = found
    if len(reason) > registry.MAX_REASON:
        await message.reply_text(
            _("The reason is too long: %(max)s characters at most.", max=registry.MAX_REASON)
        )
        return
    by = registry.actor_label(mate.actor)
    view = await registry.blacklist_phone(mate.store, typed, reason, by)
    log.info("blacklist add store=%s customer=%s by=%s", mate.store.slug, view.customer.id, by)
    await message.reply_text(_added_text(view, _))


def _added_text(view: registry.CustomerView, _: Translator) -> str:
    customer = view.customer
    lines = [
        "⛔ "
        + _(
            "%(phone)s is on the blacklist: its orders are refused at checkout.",
            phone=national_display(customer.phone),
        ),
        _entry(customer, _),
    ]
    if view.history.open:
        lines.append(
            "⚠️ "
            + _(
                "Open orders of this phone: %(n)s. They stay open; cancel them from their "
                "cards if needed.",
                n=view.history.open,
            )
        )
    return "\n".join(lines)


def _bad_phone(text: str, _: Translator) -> str:
    head = _(NOT_A_PHONE, text=escape(_clip(text, 40))) if text else ""
    return "\n".join([line for line in [head, *_usage(_)] if line])


async def _remove_typed(message: Message, mate: gate.Teammate, words: list[str]) -> None:
    _ = mate._
    if mate.actor.kind != "owner":
        await message.reply_text(_(ONLY_OWNER))
        return
    found = split_phone(words)
    if found is None or found[1]:
        await message.reply_text(_bad_phone(" ".join(words), _))
        return
    await message.reply_text(await _lift(mate.store, found[0], mate.actor, _))


async def _lift(store: Store, phone: str, actor: Actor, _: Translator) -> str:
    """Take the phone off the list; what to tell the owner."""
    shown = national_display(registry.parse_customer_phone(phone))
    try:
        lifted = await registry.unblacklist_phone(store, phone, registry.actor_label(actor))
    except NotFound:
        lifted = False
    if not lifted:
        return _(NOT_LISTED, phone=shown)
    log.info("blacklist remove store=%s by=%s", store.slug, actor.id)
    return "✅ " + _("%(phone)s is off the blacklist: it can order again.", phone=shown)


# --- the buttons -------------------------------------------------------------------------


async def on_blacklist_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_button(query.data)
    store = await Store.get_or_none(id=parsed[0]) if parsed else None
    if parsed is None or store is None:
        await gate.alert(query, STALE)
        return
    action, target = parsed[1], parsed[2]
    if action in (BlacklistAction.PAGE, BlacklistAction.BACK):
        await _page(query, store, target if action == BlacklistAction.PAGE else None)
    elif action == BlacklistAction.REMOVE:
        await _ask_remove(query, store, target)
    else:
        await _remove_pressed(query, store, target)


async def _page(query: CallbackQuery, store: Store, before_id: int | None) -> None:
    mate = await gate.enter_press(query, store)
    if mate is None:
        return
    text, markup = await blacklist_view(store, before_id, mate._)
    await query.answer()
    await edit_menu(query, text, markup)


async def _ask_remove(query: CallbackQuery, store: Store, customer_id: int) -> None:
    owner = await owner_press(query, store.id)
    if owner is None:
        return
    _ = owner._
    try:
        customer = await registry.blacklisted_customer(store, customer_id)
    except NotFound:
        await _refresh(query, store, _, _(STALE))
        return
    yes = "✖️ " + _("Yes, let %(phone)s order again", phone=national_display(customer.phone))
    markup = InlineKeyboardMarkup(
        [
            [_button(yes, store, BlacklistAction.REMOVE_YES, customer.id)],
            [_button("« " + _("Back"), store, BlacklistAction.BACK)],
        ]
    )
    await query.answer()
    await edit_menu(query, None, markup)


async def _remove_pressed(query: CallbackQuery, store: Store, customer_id: int) -> None:
    owner = await owner_press(query, store.id)
    if owner is None:
        return
    _ = owner._
    try:
        customer = await registry.blacklisted_customer(store, customer_id)
    except NotFound:  # someone took it off meanwhile
        await _refresh(query, store, _, _(STALE))
        return
    toast = await _lift(store, customer.phone, owner.actor, _)
    await _refresh(query, store, _, toast)


async def _refresh(query: CallbackQuery, store: Store, _: Translator, toast: str) -> None:
    text, markup = await blacklist_view(store, None, _)
    await query.answer(toast[:200])
    await edit_menu(query, text, markup)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("blacklist", on_blacklist))
    app.add_handler(CallbackQueryHandler(on_blacklist_press, pattern=r"^bl:"))
