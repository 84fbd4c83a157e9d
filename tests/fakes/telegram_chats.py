"""Bot API methods that read chats, their members and files."""

from __future__ import annotations

from tests.fakes.telegram_calls import Call, handles
from tests.fakes.telegram_errors import bad_request
from tests.fakes.telegram_state import ADMIN_STATUSES, JSON, member_object


@handles("getChat")
async def get_chat(call: Call) -> JSON:
    return call.state.chat_for(call.params["chat_id"]).full_info()


@handles("getChatMember")
async def get_chat_member(call: Call) -> JSON:
    chat = call.state.chat_for(call.params["chat_id"])
    return call.state.member(chat, call.params["user_id"], call.bot)


@handles("getChatAdministrators")
async def get_chat_administrators(call: Call) -> list[JSON]:
    chat = call.state.chat_for(call.params["chat_id"])
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    admins = [
        member_object(status, call.state.users[user_id])
        for user_id, status in chat.members.items()
        if status in ADMIN_STATUSES
    ]
    if chat.bot_status in ADMIN_STATUSES:
        admins.append(member_object(chat.bot_status, call.bot.user))
    return admins


@handles("leaveChat")
async def leave_chat(call: Call) -> bool:
    chat = call.state.chat_for(call.params["chat_id"])
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    return True


@handles("getFile")
async def get_file(call: Call) -> JSON:
    stored = call.state.files.get(call.params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
