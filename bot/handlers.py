"""Every handler the bot has, and the command menu in ar, fr and en."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, ChatMemberUpdated, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import (
    api_keys_cmd,
    asks,
    binding,
    blacklist_cmd,
    catalog_cmds,
    couriers_cmd,
    desk,
    dispatch_menu,
    duplicate_menu,
    edit_flow,
    export_cmd,
    hints,
    presses,
    settings_cmd,
    team_cmds,
    webhooks_cmd,
)
from bot.commands import COMMANDS
from bot.i18n import translator
from bot.sender import chat_lost
from i18n import LANGS
from models.team import cards, members

log = logging.getLogger(__name__)


async def publish_commands(bot: Bot) -> None:
    for lang in LANGS:
        _ = translator(lang)
        await bot.set_my_commands(
            [BotCommand(name, _(text)) for name, text in COMMANDS], language_code=lang
        )
    _ = translator("en")
    await bot.set_my_commands([BotCommand(name, _(text)) for name, text in COMMANDS])


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: follow its new id and send its cards again."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    if await members.migrate_chat(old, new):
        for store in await members.stores_of_chat(new):
            for chat in await members.active_chats(store):
                if chat.chat_id == new:
                    await cards.resend_chat(chat.id)
        log.info("chat migrated old=%s new=%s", old, new)


async def on_my_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was removed from a group or blocked in a private chat: stop sending there."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    if change.new_chat_member.status in ("left", "kicked"):
        title = change.chat.title or change.chat.full_name or ""
        await chat_lost(context.bot, change.chat.id, title, f"bot {change.new_chat_member.status}")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update failed error=%r", context.error, exc_info=context.error)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", binding.on_start))
    app.add_handler(CallbackQueryHandler(presses.on_press, pattern=r"^o:"))
    catalog_cmds.register(app)
    app.add_handler(CallbackQueryHandler(presses.on_stray_button), group=presses.STRAY_GROUP)
    desk.register(app)
    team_cmds.register(app)
    settings_cmd.register(app)
    dispatch_menu.register(app)
    edit_flow.register(app)
    duplicate_menu.register(app)
    couriers_cmd.register(app)
    blacklist_cmd.register(app)
    export_cmd.register(app)
    webhooks_cmd.register(app)
    api_keys_cmd.register(app)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    app.add_handler(ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, asks.on_reply))
    hints.register(app)
    app.add_error_handler(on_error)
