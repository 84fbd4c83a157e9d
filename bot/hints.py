"""What the bot says when nothing else takes a message: an unknown command, free text or a
photo in a private chat gets one line saying what it can do, in the chat's language. In a
group the bot stays silent (people talk there), except to a command addressed to it."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot import gate
from bot.i18n import N_

# Whether any handler will take a message is decided before the first group runs (a
# conversation that takes an answer has moved on by the end), and the hint, if any, is
# sent after every other group.
LOOK_GROUP, HINT_GROUP = -100, 95
UNTAKEN = "hints.untaken"  # bot_data: ids of updates no handler would take
MAX_PENDING = 1000
UNKNOWN_COMMAND = N_("I don't know this command. /help lists what I can do.")
FREE_TEXT = N_(
    "I answer commands and buttons: /help lists them. To find an order, send /find "
    "followed by its number, a phone or a name."
)
PHOTO = N_("I can't use a photo here. To add a product with its photo, send /addproduct.")


def _taken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return any(
        handler.check_update(update) not in (None, False)
        for group, handlers in context.application.handlers.items()
        if group not in (LOOK_GROUP, HINT_GROUP)
        for handler in handlers
    )


def _hint(update: Update) -> str | None:
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    private = message.chat.type == ChatType.PRIVATE
    text = message.text or ""
    if text.startswith("/"):
        # `/cmd@other_bot` is someone else's; in a group only `/cmd@us` is ours.
        command = text.split()[0]
        target = command.partition("@")[2].lower()
        username = (message.get_bot().username or "").lower()
        if (private and target in ("", username)) or (target and target == username):
            return UNKNOWN_COMMAND
        return None
    if not private or message.reply_to_message is not None:
        return None
    return PHOTO if message.photo else FREE_TEXT


def _untaken(context: ContextTypes.DEFAULT_TYPE) -> set[int]:
    found = context.application.bot_data.setdefault(UNTAKEN, set())
    assert isinstance(found, set)
    return found


async def on_first_look(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if _hint(update) is not None and not _taken(update, context):
        untaken = _untaken(context)
        if len(untaken) > MAX_PENDING:  # a handler that failed left its ids behind
            untaken.clear()
        untaken.add(update.update_id)


async def on_anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    untaken = _untaken(context)
    hint = _hint(update)
    if update.update_id not in untaken or hint is None:
        return
    untaken.discard(update.update_id)
    message = update.effective_message
    assert message is not None
    _ = await gate.chat_translator(message.chat_id, message.from_user)
    await message.reply_text(_(hint))


def register(app: Application) -> None:
    everything = filters.UpdateType.MESSAGE & (filters.TEXT | filters.PHOTO | filters.COMMAND)
    app.add_handler(MessageHandler(everything, on_first_look), group=LOOK_GROUP)
    app.add_handler(MessageHandler(everything, on_anything_else), group=HINT_GROUP)
