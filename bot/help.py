"""`/help`: what the bot does and its commands, in the store's language. It answers in a
chat with no store too, explaining how to join with an invite."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot import gate
from bot.commands import COMMANDS
from bot.i18n import N_
from i18n import Translator
from models.team import members

ABOUT = N_(
    "I am Hanout's order desk. Every new order of the store arrives here as a card; its "
    "buttons confirm after the call, log call outcomes, claim an order while you call, "
    "dispatch it to a courier and cancel it. Everyone sees who did what."
)


def _commands(_: Translator) -> list[str]:
    return [f"/{name} — {_(text)}" for name, text in COMMANDS]


def help_text(store_name: str, _: Translator) -> str:
    return "\n".join(
        [
            f"🛍 <b>{escape(store_name)}</b>",
            _(ABOUT),
            "",
            "<b>" + _("Commands") + "</b>",
            *_commands(_),
        ]
    )


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await members.stores_of_chat(chat.id):
        _ = gate.visitor_translator(update.effective_user)
        await message.reply_text(_(ABOUT) + "\n\n" + _(gate.NO_STORE))
        return
    entered = await gate.enter(update)
    if entered is not None:
        message, mate = entered
        await message.reply_text(help_text(mate.store.name, mate._))
