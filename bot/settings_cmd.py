"""`/settings` (owner): an inline menu edited in place for the store's language, no-answer
policy, claim time, silent notifications, roster mode and what agents may do (money
figures, stock); and `/roster on|off`. Each change
is answered with a toast; anyone but the owner gets an alert and nothing changes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import gate
from bot.api_keys_cmd import button as key_button
from bot.callbacks import ApiKeyAction, SettingKey, WebhookAction, parse_setting, setting_button
from bot.i18n import translator
from bot.team_cmds import STALE, Owner, edit_menu, owner_command, owner_press
from bot.webhook_views import button as webhook_button
from i18n import Translator
from models.errors import InvalidInput
from models.stores import settings
from models.stores.tables import Store

log = logging.getLogger(__name__)

# Each language named in itself, so anyone can find theirs whatever the store speaks now.
LANG_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
NO_ANSWER_CHOICES = (0, 2, 3, 4, 5)
CLAIM_CHOICES = (10, 20, 30, 60)
MIN_HOURS_CHOICES = (0, 12, 24, 48)
# Call-back plans offered (models.calls.policy), by a short code the buttons carry.
PLANS = {"a": "1h,3h,10:00", "b": "2h,4h,10:00", "c": "1h,2h,4h,10:00", "d": "3h,10:00"}
# Button key → (Store field, how the value in the callback data reads).
CHANGES: dict[SettingKey, tuple[str, Callable[[str], object]]] = {
    SettingKey.LANG: ("lang", str),
    SettingKey.NO_ANSWER_LIMIT: ("no_answer_limit", int),
    SettingKey.CLAIM_MINUTES: ("claim_minutes", int),
    SettingKey.NO_ANSWER_MIN_HOURS: ("no_answer_min_hours", int),
    SettingKey.CALLBACK_PLAN: ("callback_plan", lambda v: PLANS[v]),
    SettingKey.SILENT_NOTIFICATIONS: ("silent_notifications", lambda v: {"1": True, "0": False}[v]),
    SettingKey.ROSTER_MODE: ("roster_mode", lambda v: {"1": True, "0": False}[v]),
    SettingKey.AGENTS_SEE_MONEY: ("agents_see_money", lambda v: {"1": True, "0": False}[v]),
    SettingKey.AGENTS_CHANGE_STOCK: ("agents_change_stock", lambda v: {"1": True, "0": False}[v]),
}


def _on_off(on: bool, _: Translator) -> str:
    return _("on") if on else _("off")


def _policy(store: Store, _: Translator) -> str:
    if not store.no_answer_limit:
        return _("off")
    # Phrased without a plural: the count reads the same in ar, fr and en.
    limit = _("cancel when no-answers reach %(n)s", n=store.no_answer_limit)
    return limit + " " + _("over at least %(hours)s h", hours=store.no_answer_min_hours)


def plan_label(plan: str, _: Translator) -> str:
    """`+1 h, +3 h, next day 10:00`."""
    steps = [
        _("next day %(time)s", time=step) if ":" in step else "+" + step.replace("h", " h")
        for step in plan.split(",")
    ]
    return ", ".join(steps)


def _lines(store: Store, _: Translator) -> dict[str, str]:
    """One line per setting; the same words answer a change as a toast."""
    return {
        "lang": _("Language: %(lang)s", lang=LANG_NAMES.get(store.lang, store.lang)),
        "no_answer_limit": _("No-answer policy: %(policy)s", policy=_policy(store, _)),
        "no_answer_min_hours": _("No-answer policy: %(policy)s", policy=_policy(store, _)),
        "callback_plan": _(
            "Call back after no answer: %(plan)s", plan=plan_label(store.callback_plan, _)
        ),
        "claim_minutes": _("Claim time: %(minutes)s min", minutes=store.claim_minutes),
        "silent_notifications": _(
            "Silent notifications: %(state)s", state=_on_off(store.silent_notifications, _)
        ),
        "roster_mode": _(
            "Roster mode (only listed members press buttons in the group): %(state)s",
            state=_on_off(store.roster_mode, _),
        ),
        "agents_see_money": _(
            "Agents see the money figures of /stats: %(state)s",
            state=_on_off(store.agents_see_money, _),
        ),
        "agents_change_stock": _(
            "Agents change the stock: %(state)s", state=_on_off(store.agents_change_stock, _)
        ),
    }


def settings_text(store: Store, _: Translator) -> str:
    lines = _lines(store, _)
    return "\n".join(
        [
            "⚙️ <b>" + _("Settings of %(store)s", store=escape(store.name)) + "</b>",
            "🌐 " + lines["lang"],
            "📵 " + lines["no_answer_limit"],
            "🔁 " + lines["callback_plan"],
            "⏱ " + lines["claim_minutes"],
            "🔕 " + lines["silent_notifications"],
            "👥 " + lines["roster_mode"],
            "💰 " + lines["agents_see_money"],
            "📦 " + lines["agents_change_stock"],
        ]
    )


def _b(store: Store, label: str, key: SettingKey, value: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=setting_button(store.id, key, str(value)))


def main_menu(store: Store, _: Translator) -> InlineKeyboardMarkup:
    lines = _lines(store, _)
    return InlineKeyboardMarkup(
        [
            [_b(store, "🌐 " + _("Language ▸"), SettingKey.MENU, SettingKey.LANG)],
            [
                _b(
                    store,
                    "📵 " + _("No-answer policy ▸"),
                    SettingKey.MENU,
                    SettingKey.NO_ANSWER_LIMIT,
                )
            ],
            [_b(store, "🔁 " + _("Call-back plan ▸"), SettingKey.MENU, SettingKey.CALLBACK_PLAN)],
            [_b(store, "⏱ " + _("Claim time ▸"), SettingKey.MENU, SettingKey.CLAIM_MINUTES)],
            [
                _b(
                    store,
                    "🔕 " + lines["silent_notifications"],
                    SettingKey.SILENT_NOTIFICATIONS,
                    int(not store.silent_notifications),
                )
            ],
            [
                _b(
                    store,
                    "👥 " + lines["roster_mode"],
                    SettingKey.ROSTER_MODE,
                    int(not store.roster_mode),
                )
            ],
            [
                _b(
                    store,
                    "💰 " + lines["agents_see_money"],
                    SettingKey.AGENTS_SEE_MONEY,
                    int(not store.agents_see_money),
                )
            ],
            [
                _b(
                    store,
                    "📦 " + lines["agents_change_stock"],
                    SettingKey.AGENTS_CHANGE_STOCK,
                    int(not store.agents_change_stock),
                )
            ],
            [
                InlineKeyboardButton(
                    "🔗 " + _("Webhooks ▸"),
                    callback_data=webhook_button(store.id, WebhookAction.LIST),
                )
            ],
            [
                InlineKeyboardButton(
                    "🔑 " + _("API keys ▸"), callback_data=key_button(store.id, ApiKeyAction.LIST)
                )
            ],
        ]
    )


def _picked(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def submenu(store: Store, which: str, _: Translator) -> InlineKeyboardMarkup | None:
    """The choices of one setting, the current one ticked; None for an unknown menu."""
    if which == SettingKey.LANG:
        row = [
            _b(store, _picked(n, store.lang == c), SettingKey.LANG, c)
            for c, n in LANG_NAMES.items()
        ]
    elif which == SettingKey.NO_ANSWER_LIMIT:
        row = [
            _b(
                store,
                _picked(str(n) if n else _("Off"), store.no_answer_limit == n),
                SettingKey.NO_ANSWER_LIMIT,
                n,
            )
            for n in NO_ANSWER_CHOICES
        ]
        span = [
            _b(
                store,
                _picked(_("over %(hours)s h", hours=h), store.no_answer_min_hours == h),
                SettingKey.NO_ANSWER_MIN_HOURS,
                h,
            )
            for h in MIN_HOURS_CHOICES
        ]
        return InlineKeyboardMarkup(
            [row, span, [_b(store, "« " + _("Back"), SettingKey.MENU, "main")]]
        )
    elif which == SettingKey.CALLBACK_PLAN:
        rows = [
            [
                _b(
                    store,
                    _picked(plan_label(p, _), store.callback_plan == p),
                    SettingKey.CALLBACK_PLAN,
                    code,
                )
            ]
            for code, p in PLANS.items()
        ]
        return InlineKeyboardMarkup([*rows, [_b(store, "« " + _("Back"), SettingKey.MENU, "main")]])
    elif which == SettingKey.CLAIM_MINUTES:
        row = [
            _b(
                store,
                _picked(_("%(minutes)s min", minutes=m), store.claim_minutes == m),
                SettingKey.CLAIM_MINUTES,
                m,
            )
            for m in CLAIM_CHOICES
        ]
    else:
        return None
    return InlineKeyboardMarkup([row, [_b(store, "« " + _("Back"), SettingKey.MENU, "main")]])


async def on_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    if owner is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(
        settings_text(owner.store, owner._), reply_markup=main_menu(owner.store, owner._)
    )


async def _open(query: CallbackQuery, owner: Owner, which: str) -> None:
    markup = submenu(owner.store, which, owner._)
    await query.answer()
    await edit_menu(
        query, settings_text(owner.store, owner._), markup or main_menu(owner.store, owner._)
    )


async def _change(query: CallbackQuery, owner: Owner, key: SettingKey, raw: str) -> None:
    field, read = CHANGES[key]
    try:
        store = await settings.change_setting(owner.store, field, read(raw))
    except (InvalidInput, ValueError, KeyError):
        await query.answer(owner._(STALE), show_alert=True)
        return
    _ = translator(store.lang)  # a new language answers in itself
    log.info("setting changed store=%s %s=%s by=%s", store.slug, field, raw, owner.actor.id)
    await query.answer(_lines(store, _)[field])
    await edit_menu(query, settings_text(store, _), main_menu(store, _))


async def on_setting_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_setting(query.data)
    if parsed is None or (parsed[1] != SettingKey.MENU and parsed[1] not in CHANGES):
        await gate.alert(query, STALE)
        return
    store_id, key, value = parsed
    owner = await owner_press(query, store_id)
    if owner is None:
        return
    if key == SettingKey.MENU:
        await _open(query, owner, value)
    else:
        await _change(query, owner, SettingKey(key), value)


def roster_text(store: Store, _: Translator) -> str:
    if store.roster_mode:
        return _("Roster mode is on: only listed team members can press buttons in the group.")
    return _("Roster mode is off: everyone in the team group can press buttons as an agent.")


async def on_roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    owner = await owner_command(update)
    message = update.effective_message
    if owner is None or message is None:
        return
    choice = context.args[0].lower() if context.args else ""
    if choice not in ("on", "off"):
        usage = owner._("Usage: /roster on or /roster off")
        await message.reply_text(roster_text(owner.store, owner._) + "\n" + usage)
        return
    await settings.set_roster_mode(owner.store, choice == "on")
    await message.reply_text(roster_text(owner.store, owner._))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("settings", on_settings))
    app.add_handler(CommandHandler("roster", on_roster))
    app.add_handler(CallbackQueryHandler(on_setting_press, pattern=r"^st:"))
