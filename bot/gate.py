"""Who may use the team's commands and list buttons: members of the store the chat serves
(SPEC §5). A chat with no store is told how to join; a stranger is refused politely and
sees no data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Message, Update, User

from bot.context import display_name
from bot.i18n import N_, translator
from i18n import LANGS, Translator
from models.orders.timeline import Actor
from models.stores.tables import Store
from models.team import members
from models.team.tables import TelegramChat

NO_STORE = N_(
    "This chat is not linked to a store yet. Open the invite link your store's owner "
    "sent you, or send /start followed by the invite code."
)
STRANGER = N_("Sorry, only the store's team can use this. Ask the owner for an invite.")


@dataclass(frozen=True, slots=True)
class Teammate:
    """A member using the desk from a chat bound to their store."""

    store: Store
    chat: TelegramChat
    actor: Actor
    _: Translator


def visitor_translator(user: User | None) -> Translator:
    """A person outside any store reads their Telegram language when we have it."""
    lang = user.language_code[:2] if user and user.language_code else ""
    return translator(lang if lang in LANGS else "fr")


async def chat_translator(chat_id: int | None, user: User | None) -> Translator:
    """The language of the store this chat serves; in a chat serving no store, the
    person's own Telegram language. Never another store's: a forged press learns nothing."""
    stores = await members.stores_of_chat(chat_id) if chat_id is not None else []
    return translator(stores[0].lang) if stores else visitor_translator(user)


async def press_translator(query: CallbackQuery) -> Translator:
    """`chat_translator` for a button press (an expired button, a refused press)."""
    chat_id = query.message.chat.id if query.message is not None else None
    return await chat_translator(chat_id, query.from_user)


async def alert(query: CallbackQuery, msgid: str) -> None:
    """Answers a press with an alert in the language of the chat it came from."""
    await query.answer((await press_translator(query))(msgid), show_alert=True)


async def _teammate(store: Store, user: User, chat_id: int) -> Teammate | None:
    chat = await TelegramChat.get_or_none(store_id=store.id, chat_id=chat_id, active=True)
    if chat is None:
        return None
    actor = await members.authorize(store, user.id, display_name(user), chat_id)
    return Teammate(store, chat, actor, translator(store.lang)) if actor else None


async def enter(update: Update) -> tuple[Message, Teammate] | None:
    """The command's message and the member typing it; otherwise replies why not. A private
    chat serving several stores acts for the first one the person belongs to."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return None
    served = await members.stores_of_chat(chat.id)
    if not served:
        await message.reply_text(visitor_translator(user)(NO_STORE))
        return None
    for store in served:
        mate = await _teammate(store, user, chat.id)
        if mate is not None:
            return message, mate
    await message.reply_text(translator(served[0].lang)(STRANGER))
    return None


async def enter_press(query: CallbackQuery, store: Store) -> Teammate | None:
    """The member pressing a list button of `store`; otherwise answers the press why not."""
    message = query.message
    mate = None
    if message is not None:
        mate = await _teammate(store, query.from_user, message.chat.id)
    if mate is None:
        await query.answer(translator(store.lang)(STRANGER), show_alert=True)
    return mate
