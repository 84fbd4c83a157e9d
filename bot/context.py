"""What a handler needs to know about where an update came from."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Chat, Update, User

from models.stores.tables import Store
from models.team import members
from models.team.members import ChatRef


def display_name(user: User) -> str:
    name = user.full_name or user.username or str(user.id)
    return name[:128]


def chat_ref(chat: Chat, user: User) -> ChatRef:
    title = chat.title or display_name(user)
    return ChatRef(chat.id, chat.type, title, user.id, display_name(user))


@dataclass(frozen=True, slots=True)
class Where:
    chat: Chat
    user: User
    store: Store | None


async def where(update: Update) -> Where | None:
    """The chat, the person and the store this chat serves (the first one, when a
    private chat serves several stores)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    stores = await members.stores_of_chat(chat.id)
    return Where(chat, user, stores[0] if stores else None)
