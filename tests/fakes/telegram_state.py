"""What the fake Telegram remembers: users, chats and their members, messages, files, queries."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_errors import bad_request, forbidden

UserLike = int | Mapping[str, Any]
JSON = dict[str, Any]

GROUP_TYPES = ("group", "supergroup", "channel")
ADMIN_STATUSES = ("creator", "administrator")
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)
_MEMBER_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)

_GIFT_TYPES = (
    "unlimited_gifts",
    "limited_gifts",
    "unique_gifts",
    "premium_subscription",
    "gifts_from_channels",
)


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    user: JSON | None = None  # the person at the other end of a private chat
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id → ChatMember status
    bot_status: str = "administrator"
    blocked: bool = False  # private: the user blocked the bot
    started: bool = True  # private: the user has pressed Start
    migrated_to: int | None = None
    migrated_from: int | None = None
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type in GROUP_TYPES

    def to_api(self) -> JSON:
        if self.type == "private" and self.user is not None:
            names = ("first_name", "last_name", "username")
            return {"id": self.id, "type": "private"} | {
                k: self.user[k] for k in names if self.user.get(k)
            }
        chat: JSON = {"id": self.id, "type": self.type, "title": self.title}
        return chat | ({"username": self.username} if self.username else {})

    def full_info(self) -> JSON:
        return self.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(_GIFT_TYPES, False),
        }


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    date: int
    sender: JSON
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    source: str | None = None  # text or caption exactly as the bot sent it (e.g. HTML)
    caption: str | None = None
    photo: list[JSON] | None = None
    document: JSON | None = None
    reply_markup: JSON | None = None
    reply_to: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    pinned: bool = False
    extra: JSON = field(default_factory=dict)  # service fields: new_chat_members, migrate_…

    @property
    def from_bot(self) -> bool:
        return bool(self.sender.get("is_bot"))

    @property
    def buttons(self) -> list[JSON]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def to_api(self, chat: Chat, replied: StoredMessage | None = None) -> JSON:
        body: JSON = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": chat.to_api(),
            "date": self.date,
        }
        if self.text is not None:
            body["text"] = self.text
        if self.caption is not None:
            body["caption"] = self.caption
        if self.entities:
            body["caption_entities" if self.text is None else "entities"] = self.entities
        optional = {"photo": self.photo, "document": self.document, "edit_date": self.edit_date}
        optional["reply_markup"] = self.reply_markup
        body |= {k: v for k, v in optional.items() if v is not None} | self.extra
        if replied is not None:
            body["reply_to_message"] = replied.to_api(chat)
        return body


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None

    @property
    def file_path(self) -> str:
        return f"documents/{self.file_unique_id}_{self.filename or 'file'}"


@dataclass
class CallbackQueryRecord:
    id: str
    chat_id: int
    message_id: int
    data: str
    user_id: int
    created_at: float
    answered: bool = False
    answer: JSON | None = None


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotAccount:
    token: str
    user: JSON
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    webhook: Webhook | None = None
    updates: list[JSON] = field(default_factory=list)
    allowed_updates: list[str] | None = None
    polls: int = 0  # getUpdates calls so far; a newer call terminates a waiting one
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class TelegramState:
    """Users, chats, messages, files and callback queries shared by every bot of the fake."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.bots: dict[str, BotAccount] = {}
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.queries: dict[str, CallbackQueryRecord] = {}
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(100_001)

    def new_id(self) -> int:
        return next(self._ids)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    @staticmethod
    def now() -> int:
        return int(time.time())

    # --- users and chats ---------------------------------------------------------------

    def user(self, who: UserLike) -> JSON:
        """The registered Telegram user for an id or a user dict (registered on first sight)."""
        if isinstance(who, int):
            return self.users.setdefault(
                who, {"id": who, "is_bot": False, "first_name": f"User {who}"}
            )
        user: JSON = {"is_bot": False, "first_name": f"User {who['id']}"} | dict(who)
        self.users[int(user["id"])] = user
        return user

    def add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        self.messages.setdefault(chat.id, {})
        return chat

    def add_private_chat(self, who: UserLike, *, started: bool = True) -> int:
        user = self.user(who)
        chat = Chat(id=user["id"], type="private", user=user, started=started)
        chat.members = {user["id"]: "member"}
        return self.add_chat(chat).id

    def add_group(
        self,
        title: str,
        members: Iterable[UserLike] = (),
        *,
        admins: Iterable[UserLike] = (),
        owner: UserLike | None = None,
        supergroup: bool = False,
        username: str | None = None,
    ) -> int:
        base = -1_002_000_000_000 if supergroup else -4_000_000_000
        chat = Chat(id=base - self.new_id(), type="supergroup" if supergroup else "group")
        chat.title, chat.username = title, username
        for status, people in (("member", members), ("administrator", admins)):
            chat.members |= {self.user(who)["id"]: status for who in people}
        if owner is not None:
            chat.members[self.user(owner)["id"]] = "creator"
        return self.add_chat(chat).id

    def migrate_group(self, old_id: int) -> int:
        old = self.chats[old_id]
        if old.migrated_to is not None:
            return old.migrated_to
        new = Chat(id=-1_002_000_000_000 - self.new_id(), type="supergroup", title=old.title)
        new.members, new.bot_status, new.migrated_from = dict(old.members), old.bot_status, old_id
        old.migrated_to = self.add_chat(new).id
        return new.id

    def find_chat(self, chat_id: int | str) -> Chat:
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            found = [c for c in self.chats.values() if (c.username or "").lower() == name]
            if not found:
                raise bad_request("chat not found")
            return found[0]
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def chat_for(self, chat_id: int | str, *, sending: bool = False) -> Chat:
        """The chat a call targets, or the error Telegram gives for a gone or closed chat."""
        chat = self.find_chat(chat_id)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.is_group and chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.is_group and chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if sending and chat.blocked:
            raise forbidden("bot was blocked by the user")
        if sending and not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def member(self, chat: Chat, user_id: int, bot: BotAccount) -> JSON:
        """A ChatMember object as Telegram returns it."""
        if user_id == bot.user["id"]:
            status, user = chat.bot_status, bot.user
        elif user_id in self.users:
            status, user = chat.members.get(user_id, "left"), self.users[user_id]
        else:
            raise bad_request("user not found")
        return member_object(status, user)

    # --- messages and files --------------------------------------------------------------

    def store(self, chat: Chat, sender: JSON, **content: Any) -> StoredMessage:
        message = StoredMessage(chat.id, chat.next_message_id, self.now(), sender, **content)
        chat.next_message_id += 1
        self.messages[chat.id][message.message_id] = message
        return message

    def find_message(self, chat: Chat, message_id: int) -> StoredMessage | None:
        message = self.messages[chat.id].get(message_id)
        return None if message is None or message.deleted else message

    def message_object(self, message: StoredMessage) -> JSON:
        chat = self.chats[message.chat_id]
        replied = self.messages[chat.id].get(message.reply_to or 0)
        return message.to_api(chat, replied)

    def add_file(self, data: bytes, filename: str | None, mime_type: str | None) -> StoredFile:
        number = self.new_id()
        stored = StoredFile(f"FAKEFILE-{number:08d}", f"U{number:08d}", data, filename, mime_type)
        self.files[stored.file_id] = stored
        return stored


def member_object(status: str, user: JSON) -> JSON:
    body: JSON = {"status": status, "user": user}
    if status == "creator":
        body["is_anonymous"] = False
    elif status == "administrator":
        body |= {"can_be_edited": False, "is_anonymous": False}
        body |= dict.fromkeys(_ADMIN_RIGHTS, True)
    elif status == "kicked":
        body["until_date"] = 0
    elif status == "restricted":
        body |= {"is_member": True, "until_date": 0} | dict.fromkeys(_MEMBER_RIGHTS, False)
    return body
