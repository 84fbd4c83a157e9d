"""/desk: the team's desk as a Telegram Mini App (issue 15), one tap away.

In a private chat the command answers with a `web_app` button and makes the chat's menu
button open the desk from then on. Telegram refuses `web_app` buttons in groups: there the
command answers with the Mini App's t.me link when it is registered (TELEGRAM_DESK_APP),
else says to ask in private. Telegram opens Mini Apps from https addresses only, so
without an https PUBLIC_URL the command says what to set."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Message,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import gate
from bot.desk_links import desk_url, direct_link
from bot.i18n import N_
from i18n import Translator

log = logging.getLogger(__name__)

__all__ = ["on_desk"]

OPEN = N_("📋 Open the desk")
MENU = N_("Desk")
READY = N_("Your order desk, inside Telegram: the orders, an order's page and its actions.")
IN_GROUP = N_("Your order desk, inside Telegram (the link works from groups too):")
IN_PRIVATE = N_("Telegram opens the desk from a private chat: send /desk to me in private.")
NEEDS_HTTPS = N_(
    "Telegram opens the desk only from an https address: the shop's PUBLIC_URL must start "
    "with https://."
)


async def _group_link(
    message: Message, context: ContextTypes.DEFAULT_TYPE, slug: str, _: Translator
) -> None:
    link = direct_link(context.bot.username, context.bot_data["config"].desk_app, slug)
    if link is None:
        await message.reply_text(_(IN_PRIVATE))
        return
    button = InlineKeyboardButton(_(OPEN), url=link)
    await message.reply_text(_(IN_GROUP), reply_markup=InlineKeyboardMarkup([[button]]))


async def on_desk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    entered = await gate.enter(update)
    if entered is None:
        return
    message, mate = entered
    _ = mate._
    url = desk_url(context.bot_data["config"].public_url, mate.store.slug)
    if url is None:
        await message.reply_text(_(NEEDS_HTTPS))
        return
    if message.chat.type != "private":
        await _group_link(message, context, mate.store.slug, _)
        return
    button = InlineKeyboardButton(_(OPEN), web_app=WebAppInfo(url))
    await message.reply_text(_(READY), reply_markup=InlineKeyboardMarkup([[button]]))
    try:  # from then on the chat's menu button opens the desk too
        menu = MenuButtonWebApp(_(MENU), WebAppInfo(url))
        await context.bot.set_chat_menu_button(chat_id=message.chat.id, menu_button=menu)
    except TelegramError as exc:
        log.warning("menu button not set chat=%s error=%s", message.chat.id, exc)
