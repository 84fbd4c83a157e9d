"""Adding a webhook from the bot (owner, private chat): the URL asked by reply, the events
picked with toggle buttons (all by default), then the endpoint created and its signing
secret shown once. A question and a draft live in memory: neither outlives a restart nor
an hour, and the owner presses ➕ again."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any

import httpx
from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.callbacks import WEBHOOK_DRAFT_ACTIONS, WebhookAction
from bot.context import display_name
from bot.i18n import N_, translator
from bot.team_cmds import Owner, edit_menu
from bot.webhook_views import events_text, key, refusal, url_html, url_refusal
from i18n import Translator
from models.outbox import webhooks
from models.outbox.webhook_tables import WebhookEndpoint
from models.stores.tables import Store
from models.team import members

log = logging.getLogger(__name__)

TTL = 3600.0
ASKS, DRAFTS = "webhook_asks", "webhook_drafts"
ASK_URL = N_("Reply with the address that should receive the store's events (https://…).")
OUT_OF_DATE = N_("This is out of date: press ➕ Add a webhook again.")
DRAFT_ACTIONS = WEBHOOK_DRAFT_ACTIONS


@dataclass
class Draft:
    store_id: int
    user_id: int
    url: str
    events: set[str] = field(default_factory=lambda: set(webhooks.EVENTS))
    personal: bool = False
    at: float = field(default_factory=time.monotonic)


def _fresh(items: dict[Any, Any]) -> dict[Any, Any]:
    for old in [k for k, v in items.items() if time.monotonic() - v.at > TTL]:
        del items[old]
    return items


@dataclass(frozen=True, slots=True)
class UrlAsk:
    store_id: int
    user_id: int
    at: float = field(default_factory=time.monotonic)


def draft_view(token: int, draft: Draft, _: Translator) -> tuple[str, InlineKeyboardMarkup]:
    sid = draft.store_id
    text = [
        "🔗 " + url_html(draft.url),
        _("Which events should it receive? All of them unless you tap some off."),
    ]
    toggles = [
        key(
            ("✅ " if name in draft.events else "▫️ ") + name,
            sid,
            WebhookAction.DRAFT_EVENT,
            token,
            index,
        )
        for index, name in enumerate(webhooks.EVENTS)
    ]
    personal = _("Customer details: %(answer)s", answer=_("yes") if draft.personal else _("no"))
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows += [
        [
            key(_("All events"), sid, WebhookAction.DRAFT_ALL, token),
            key("👤 " + personal, sid, WebhookAction.DRAFT_PERSONAL, token),
        ],
        [
            key("✅ " + _("Create"), sid, WebhookAction.DRAFT_SAVE, token),
            key("✖️ " + _("Cancel"), sid, WebhookAction.DRAFT_CANCEL, token),
        ],
    ]
    return "\n".join(text), InlineKeyboardMarkup(rows)


def created_text(endpoint: WebhookEndpoint, secret: str, _: Translator) -> str:
    return "\n".join(
        [
            "✅ <b>" + _("Webhook #%(id)s created", id=endpoint.id) + "</b>",
            url_html(endpoint.url),
            _("Events: %(events)s", events=escape(events_text(endpoint.events, _))),
            "",
            "🔑 " + _("Its signing secret, shown only this once:"),
            f"<code>{escape(secret)}</code>",
            _(
                "Each delivery carries X-Hanout-Signature: check it with this secret "
                "(HMAC-SHA256 of the timestamp, a dot and the body)."
            ),
        ]
    )


async def ask_url(query: CallbackQuery, owner: Owner, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = query.message
    assert message is not None
    if message.chat.type != "private":
        await query.answer(
            owner._("Add webhooks in our private chat: its secret must not be seen by everyone."),
            show_alert=True,
        )
        return
    await query.answer()
    await _send_ask(context, message.chat.id, owner.store.id, query.from_user.id, owner._)


async def _send_ask(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, store_id: int, user_id: int, _: Translator
) -> None:
    sent = await context.bot.send_message(
        chat_id, "🔗 " + _(ASK_URL), reply_markup=ForceReply(selective=True)
    )
    _fresh(context.bot_data.setdefault(ASKS, {}))[(chat_id, sent.message_id)] = UrlAsk(
        store_id, user_id
    )


async def on_url_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to the URL question: the events to pick next, or the question again."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or message.from_user is None:
        return
    key = (message.chat.id, message.reply_to_message.message_id)
    ask = _fresh(context.bot_data.get(ASKS, {})).get(key)
    if ask is None or ask.user_id != message.from_user.id:
        return
    store = await Store.get_or_none(id=ask.store_id)
    user = message.from_user
    actor = (
        await members.authorize(store, user.id, display_name(user), message.chat.id)
        if store
        else None
    )
    if store is None or actor is None or actor.kind != "owner":
        return
    _ = translator(store.lang)
    config = context.bot_data["config"]
    try:
        url = webhooks.clean_url(
            message.text or "",
            allow_private=config.webhook_allow_private,
            parse_url=httpx.URL,  # the client notify.webhooks delivers with
        )
    except webhooks.WebhookRefused as exc:
        await message.reply_text("⚠️ " + url_refusal(exc, _))
        await _send_ask(context, message.chat.id, store.id, user.id, _)
        return
    context.bot_data[ASKS].pop(key, None)
    token = secrets.randbelow(10**9)
    draft = Draft(store.id, user.id, url)
    _fresh(context.bot_data.setdefault(DRAFTS, {}))[token] = draft
    text, markup = draft_view(token, draft, _)
    await message.reply_text(text, reply_markup=markup)


async def draft_press(
    query: CallbackQuery,
    owner: Owner,
    context: ContextTypes.DEFAULT_TYPE,
    action: WebhookAction,
    token: int,
    arg: int | None,
) -> None:
    _ = owner._
    draft = _fresh(context.bot_data.get(DRAFTS, {})).get(token)
    if draft is None or draft.user_id != query.from_user.id or draft.store_id != owner.store.id:
        await query.answer(_(OUT_OF_DATE), show_alert=True)
        return
    if action == WebhookAction.DRAFT_CANCEL:
        del context.bot_data[DRAFTS][token]
        await query.answer()
        await query.edit_message_text(_("Cancelled: no webhook was added."))
        return
    if action == WebhookAction.DRAFT_SAVE:
        await _create(query, owner, context, token, draft)
        return
    if action == WebhookAction.DRAFT_EVENT and arg is not None and arg < len(webhooks.EVENTS):
        draft.events ^= {webhooks.EVENTS[arg]}
    elif action == WebhookAction.DRAFT_ALL:
        draft.events = set(webhooks.EVENTS)
    elif action == WebhookAction.DRAFT_PERSONAL:
        draft.personal = not draft.personal
    await query.answer()
    text, markup = draft_view(token, draft, _)
    await edit_menu(query, text, markup)


async def _create(
    query: CallbackQuery, owner: Owner, context: ContextTypes.DEFAULT_TYPE, token: int, draft: Draft
) -> None:
    _ = owner._
    if not draft.events:
        await query.answer(_("Pick at least one event."), show_alert=True)
        return
    config = context.bot_data["config"]
    if config.sealer is None:
        await query.answer(
            _("Webhooks cannot be added here: SECRET_KEY is not set."), show_alert=True
        )
        return
    try:
        endpoint, secret = await webhooks.create_endpoint(
            config.sealer,
            owner.store,
            draft.url,
            sorted(draft.events),
            include_personal_data=draft.personal,
            allow_private=config.webhook_allow_private,
            parse_url=httpx.URL,
        )
    except webhooks.WebhookRefused as exc:
        await query.answer(refusal(exc, _), show_alert=True)
        return
    del context.bot_data[DRAFTS][token]
    log.info(
        "webhook added store=%s endpoint=%s by=%s", owner.store.slug, endpoint.id, owner.actor.id
    )
    await query.answer()
    markup = InlineKeyboardMarkup(
        [[key("⚙️ " + _("Open"), owner.store.id, WebhookAction.OPEN, endpoint.id)]]
    )
    await query.edit_message_text(created_text(endpoint, secret, _), reply_markup=markup)
