"""Outgoing webhooks from `/settings` (owner): the store's endpoints with their last
delivery, adding one (bot.webhook_add), its delivery log with a button to send each dead
delivery again, a test ping, enabling a disabled one and deleting one. The alert an owner
gets when failures disabled an endpoint is sent by bot.channel; its buttons land here."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import gate
from bot.callbacks import WebhookAction
from bot.i18n import N_
from bot.team_cmds import STALE, Owner, edit_menu, owner_press
from bot.webhook_add import DRAFT_ACTIONS, ask_url, draft_press, on_url_reply
from bot.webhook_views import endpoint_view, key, list_view, log_view, parse_button, refusal
from models.errors import NotFound
from models.outbox import webhooks
from models.outbox.webhook_tables import WebhookEndpoint

log = logging.getLogger(__name__)

# Replies to the URL question; a group of their own so the order questions (bot.asks) and
# the product form still see every reply.
REPLY_GROUP = 3
GONE = N_("This webhook no longer exists.")


async def on_webhook_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parsed = parse_button(query.data)
    if parsed is None:
        await gate.alert(query, STALE)
        return
    store_id, action, target, arg = parsed
    owner = await owner_press(query, store_id)
    if owner is None:
        return
    if action in DRAFT_ACTIONS:
        await draft_press(query, owner, context, action, target, arg)
    elif action == WebhookAction.ADD:
        await ask_url(query, owner, context)
    elif action == WebhookAction.LIST:
        await query.answer()
        await edit_menu(query, *await list_view(owner.store, owner._))
    else:
        await _endpoint_press(query, owner, action, target, arg)


async def _endpoint_press(
    query: CallbackQuery, owner: Owner, action: WebhookAction, endpoint_id: int, arg: int | None
) -> None:
    store, _ = owner.store, owner._
    try:
        endpoint = await webhooks.get_endpoint(store, endpoint_id)
        toast = await _act(owner, action, endpoint, arg)
    except NotFound as exc:
        if exc.what == "delivery":  # the log was cleaned meanwhile; the webhook is there
            await query.answer(_("This delivery can no longer be sent again."), show_alert=True)
            return
        await query.answer(_(GONE), show_alert=True)
        await edit_menu(query, *await list_view(store, _))
        return
    except webhooks.WebhookRefused as exc:
        await query.answer(refusal(exc, _), show_alert=True)
        return
    await query.answer(toast)
    if action == WebhookAction.DELETE_YES:
        await edit_menu(query, *await list_view(store, _))
    elif action == WebhookAction.DELETE:
        yes = key(
            "🗑 " + _("Yes, delete webhook #%(id)s", id=endpoint.id),
            store.id,
            WebhookAction.DELETE_YES,
            endpoint.id,
        )
        back = key("« " + _("Back"), store.id, WebhookAction.OPEN, endpoint.id)
        await edit_menu(query, None, InlineKeyboardMarkup([[yes], [back]]))
    elif action in (WebhookAction.LOG, WebhookAction.REDELIVER, WebhookAction.TEST):
        await edit_menu(query, *await log_view(store, endpoint, _))
    else:
        endpoint = await webhooks.get_endpoint(store, endpoint.id)
        await edit_menu(query, *endpoint_view(endpoint, _))


async def _act(
    owner: Owner, action: WebhookAction, endpoint: WebhookEndpoint, arg: int | None
) -> str | None:
    """Do what the button says; the toast to answer it with."""
    store, _ = owner.store, owner._
    if action == WebhookAction.REDELIVER:
        await webhooks.redeliver(store, endpoint.id, arg or 0)
        return _("Sent again: it shows in the log in a moment.")
    if action == WebhookAction.TEST:
        await webhooks.send_test(store, endpoint.id)
        return _("Test sent: it shows in the log in a moment.")
    if action == WebhookAction.ENABLE:
        await webhooks.enable_endpoint(store, endpoint.id)
        return _("Webhook #%(id)s enabled again.", id=endpoint.id)
    if action == WebhookAction.DELETE_YES:
        await webhooks.delete_endpoint(store, endpoint.id)
        log.info(
            "webhook deleted store=%s endpoint=%s by=%s", store.slug, endpoint.id, owner.actor.id
        )
        return _("Webhook #%(id)s deleted.", id=endpoint.id)
    return None


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_webhook_press, pattern=r"^wh:"))
    app.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_url_reply),
        group=REPLY_GROUP,
    )
