"""API keys from `/settings` (owner): the store's keys with their label, prefix, creation
and last use; a new key, whose secret is sent once and only in a private chat; revoking a
key after a confirm step (the next request with it gets 401, the other keys keep working).

Buttons are `ak:<store>:<action>:<key id>`: ls list, nw new key, rv revoke?, ry revoke!
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.callbacks import ApiKeyAction, SettingKey, setting_button
from bot.i18n import ALGIERS, N_, local_time, translator
from bot.team_cmds import STALE, Owner, edit_menu, owner_press
from i18n import Translator
from models.errors import NotFound
from models.stores import api_keys
from models.stores.tables import ApiKey, Store

log = logging.getLogger(__name__)

ACTIONS = frozenset(ApiKeyAction)
_DATA = re.compile(r"^ak:([0-9]{1,9}):([a-z]{2}):([0-9]{1,12})\Z")
LABEL_CHARS = 24
GONE = N_("This key is already revoked.")


def button(store_id: int, action: ApiKeyAction, key_id: int = 0) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown API key action {action!r}")
    return f"ak:{store_id}:{action}:{key_id}"


def parse_button(data: str | None) -> tuple[int, ApiKeyAction, int] | None:
    match = _DATA.match(data or "")
    if match is None or match.group(2) not in ACTIONS:
        return None
    return int(match.group(1)), ApiKeyAction(match.group(2)), int(match.group(3))


def _key(label: str, store_id: int, action: ApiKeyAction, key_id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button(store_id, action, key_id))


def _name(key: ApiKey) -> str:
    label = key.label or "—"
    label = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
    return f"{label} (hk_{key.prefix})"


def _key_lines(key: ApiKey, _: Translator) -> list[str]:
    used = local_time(key.last_used_at) if key.last_used_at else _("never")
    head = f"🔑 <b>{escape(_name(key))}</b>"
    if key.revoked_at is not None:
        head = (
            "⛔ " + escape(_name(key)) + " · " + _("revoked %(when)s", when=_when(key.revoked_at))
        )
    return [
        head,
        "    " + _("Created %(when)s · last used: %(used)s", when=_when(key.created_at), used=used),
    ]


def _when(moment: datetime) -> str:
    return moment.astimezone(ALGIERS).strftime("%d/%m/%Y")


async def list_view(store: Store, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The store's keys, live ones first, with a revoke button each and one for a new key."""
    keys = await api_keys.list_api_keys(store)
    live = [k for k in keys if k.revoked_at is None]
    text = ["🔑 <b>" + _("API keys of %(store)s", store=escape(store.name)) + "</b>"]
    text.append(_("Each tool that uses the REST API gets a key of its own."))
    if not keys:
        text.append(_("No key yet."))
    for key in keys[: api_keys.MAX_ACTIVE_KEYS]:
        text += ["", *_key_lines(key, _)]
    rows = [
        [_key("✖️ " + _("Revoke %(key)s", key=_name(k)), store.id, ApiKeyAction.REVOKE, k.id)]
        for k in live
    ]
    if len(live) < api_keys.MAX_ACTIVE_KEYS:
        rows.append([_key("➕ " + _("New key"), store.id, ApiKeyAction.NEW)])
    back = InlineKeyboardButton(
        "« " + _("Settings"), callback_data=setting_button(store.id, SettingKey.MENU, "main")
    )
    rows.append([back])
    return "\n".join(text), InlineKeyboardMarkup(rows)


async def _create(query: CallbackQuery, owner: Owner) -> None:
    _ = owner._
    assert query.message is not None
    if query.message.chat.type != "private":
        await query.answer(
            _("Ask for a new key in our private chat, so nobody else sees it."), show_alert=True
        )
        return
    label = f"Telegram {datetime.now(ALGIERS).strftime('%d/%m/%Y')}"
    try:
        new = await api_keys.create_api_key(owner.store, label)
    except api_keys.KeyRefused:
        await query.answer(
            _("A store has at most %(n)s keys: revoke one first.", n=api_keys.MAX_ACTIVE_KEYS),
            show_alert=True,
        )
        return
    log.info(
        "api key created store=%s prefix=%s by=%s", owner.store.slug, new.row.prefix, owner.actor.id
    )
    await query.answer(_("Key created."))
    await query.message.chat.send_message(
        "\n".join(
            [
                "🔑 <b>" + _("New API key: %(key)s", key=escape(_name(new.row))) + "</b>",
                f"<code>{escape(new.secret)}</code>",
                _("Shown only this once: copy it into your tool now, then delete this message."),
            ]
        )
    )
    await edit_menu(query, *await list_view(owner.store, _))


async def _ask_revoke(query: CallbackQuery, owner: Owner, key_id: int) -> None:
    _ = owner._
    keys = await api_keys.list_api_keys(owner.store)
    key = next((k for k in keys if k.id == key_id and k.revoked_at is None), None)
    if key is None:
        await query.answer(_(GONE), show_alert=True)
        await edit_menu(query, *await list_view(owner.store, _))
        return
    yes = _key(
        "✖️ " + _("Yes, revoke %(key)s", key=_name(key)),
        owner.store.id,
        ApiKeyAction.REVOKE_YES,
        key.id,
    )
    back = _key("« " + _("Back"), owner.store.id, ApiKeyAction.LIST)
    await query.answer()
    await edit_menu(query, None, InlineKeyboardMarkup([[yes], [back]]))


async def _revoke(query: CallbackQuery, owner: Owner, key_id: int) -> None:
    _ = owner._
    try:
        key = await api_keys.revoke_api_key(owner.store, key_id)
    except (NotFound, api_keys.KeyRefused):
        await query.answer(_(GONE), show_alert=True)
    else:
        log.info(
            "api key revoked store=%s prefix=%s by=%s", owner.store.slug, key.prefix, owner.actor.id
        )
        await query.answer(_("Key revoked: requests with it are refused from now on."))
    await edit_menu(query, *await list_view(owner.store, _))


async def on_api_key_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_button(query.data)
    if parsed is None:
        await query.answer(translator("fr")(STALE), show_alert=True)
        return
    store_id, action, key_id = parsed
    owner = await owner_press(query, store_id)
    if owner is None:
        return
    if action == ApiKeyAction.NEW:
        await _create(query, owner)
    elif action == ApiKeyAction.REVOKE:
        await _ask_revoke(query, owner, key_id)
    elif action == ApiKeyAction.REVOKE_YES:
        await _revoke(query, owner, key_id)
    else:
        await query.answer()
        await edit_menu(query, *await list_view(owner.store, owner._))


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_api_key_press, pattern=r"^ak:"))
