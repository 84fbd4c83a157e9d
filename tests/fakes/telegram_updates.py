"""Updates as Telegram would send them when people act: messages, presses, joins, migrations.

Each builder changes the fake's state the way the action would (the message is stored, the
query is recorded, members join) and returns the update; delivering it is a separate step.
"""

from __future__ import annotations

from collections.abc import Iterable

from tests.fakes.telegram_html import utf16_len
from tests.fakes.telegram_state import (
    JSON,
    BotAccount,
    CallbackQueryRecord,
    Chat,
    TelegramState,
    UserLike,
    member_object,
)


def _chat(state: TelegramState, chat_id: int) -> Chat:
    chat = state.chats.get(chat_id)
    if chat is None:
        raise LookupError(f"the fake Telegram has no chat {chat_id}; add it first")
    return chat


def _update(state: TelegramState, kind: str, body: JSON) -> JSON:
    return {"update_id": state.next_update_id(), kind: body}


def _actor(state: TelegramState, chat: Chat, by: UserLike | None) -> JSON:
    """Who performed a service action: the given user, else the chat's owner or first member."""
    if by is not None:
        return state.user(by)
    owners = [uid for uid, status in chat.members.items() if status == "creator"]
    return state.user((owners or list(chat.members) or [777_000])[0])


def command_entities(text: str) -> list[JSON]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def _arrive(state: TelegramState, chat: Chat, user: JSON) -> None:
    """A person writing in a chat is in it; writing to the bot privately unblocks it."""
    if chat.is_group:
        chat.members.setdefault(user["id"], "member")
    else:
        chat.blocked, chat.started = False, True


def user_message(
    state: TelegramState, chat_id: int, who: UserLike, text: str, reply_to: int | None = None
) -> JSON:
    chat, user = _chat(state, chat_id), state.user(who)
    _arrive(state, chat, user)
    message = state.store(
        chat, user, text=text, entities=command_entities(text), source=text, reply_to=reply_to
    )
    return _update(state, "message", state.message_object(message))


def user_photo(
    state: TelegramState, chat_id: int, who: UserLike, data: bytes, caption: str | None = None
) -> JSON:
    chat, user = _chat(state, chat_id), state.user(who)
    _arrive(state, chat, user)
    stored = state.add_file(data, "photo.jpg", "image/jpeg")
    size: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    size |= {"width": 1280, "height": 960, "file_size": len(data)}
    message = state.store(chat, user, photo=[size], caption=caption, source=caption)
    return _update(state, "message", state.message_object(message))


def press(
    state: TelegramState,
    chat_id: int,
    message_id: int,
    data: str,
    who: UserLike,
    check_button: bool = True,
) -> JSON:
    chat = _chat(state, chat_id)
    message = state.find_message(chat, message_id)
    if message is None:
        raise LookupError(f"no message {message_id} in chat {chat_id} to press a button on")
    if check_button and data not in message.callback_data:
        raise LookupError(f"message {message_id} has no button {data!r}: {message.callback_data}")
    user = state.user(who)
    query_id = str(4_000_000_000_000_000 + state.new_id())
    record = CallbackQueryRecord(query_id, chat.id, message_id, data, user["id"], state.clock())
    state.queries[query_id] = record
    body = {"id": query_id, "from": user, "message": state.message_object(message)}
    body |= {"chat_instance": str(abs(chat.id) * 7 + 13), "data": data}
    return _update(state, "callback_query", body)


def new_chat_members(
    state: TelegramState,
    bot: BotAccount,
    chat_id: int,
    people: Iterable[UserLike],
    by: UserLike | None = None,
) -> JSON:
    chat = _chat(state, chat_id)
    joined = [bot.user if _is_bot(bot, who) else state.user(who) for who in people]
    for user in joined:
        if user["id"] == bot.user["id"]:
            chat.bot_status = "member"
        else:
            chat.members[user["id"]] = "member"
    actor = _actor(state, chat, by if by is not None else joined[0]["id"])
    message = state.store(chat, actor, extra={"new_chat_members": joined})
    return _update(state, "message", state.message_object(message))


def _is_bot(bot: BotAccount, who: UserLike) -> bool:
    return (who if isinstance(who, int) else who.get("id")) == bot.user["id"]


def my_chat_member(
    state: TelegramState,
    bot: BotAccount,
    chat_id: int,
    new_status: str,
    by: UserLike | None = None,
) -> JSON:
    """The bot's own membership changed: "kicked"/"left" (or blocked in private), "member"…"""
    chat = _chat(state, chat_id)
    if chat.is_group:
        old_status, chat.bot_status = chat.bot_status, new_status
    else:
        old_status = "kicked" if chat.blocked else "member"
        chat.blocked = new_status == "kicked"
    body = {"chat": chat.to_api(), "from": _actor(state, chat, by), "date": state.now()}
    body["old_chat_member"] = member_object(old_status, bot.user)
    body["new_chat_member"] = member_object(new_status, bot.user)
    return _update(state, "my_chat_member", body)


def migration_updates(
    state: TelegramState, old_id: int, by: UserLike | None = None
) -> tuple[int, list[JSON]]:
    """Migrate the group (if not yet) and build the two service messages Telegram sends."""
    old = _chat(state, old_id)
    new_id = state.migrate_group(old_id)
    actor = _actor(state, old, by)
    in_old = state.store(old, actor, extra={"migrate_to_chat_id": new_id})
    in_new = state.store(state.chats[new_id], actor, extra={"migrate_from_chat_id": old_id})
    return new_id, [
        _update(state, "message", state.message_object(in_old)),
        _update(state, "message", state.message_object(in_new)),
    ]
