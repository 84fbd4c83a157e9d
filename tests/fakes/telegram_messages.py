"""Bot API methods that send, edit and delete messages, and answer button presses."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_calls import Call, handles
from tests.fakes.telegram_content import caption, message_text, reply_markup
from tests.fakes.telegram_errors import NOT_MODIFIED, QUERY_TOO_OLD, bad_request
from tests.fakes.telegram_spec import Upload
from tests.fakes.telegram_state import JSON, Chat, StoredFile, StoredMessage

MAX_ANSWER_TEXT = 200


def _reply_target(call: Call, chat: Chat) -> int | None:
    reply = call.params.get("reply_parameters") or {}
    message_id = reply.get("message_id") or call.params.get("reply_to_message_id")
    if message_id is None:
        return None
    if call.state.find_message(chat, message_id) is not None:
        return int(message_id)
    if reply.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


def _file(call: Call, value: Upload | str) -> StoredFile:
    """The file a send refers to: a fresh upload, a known file_id or a URL."""
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        return call.state.add_file(value.data, value.filename, value.content_type)
    known = call.state.files.get(value)
    if known is not None:
        return known
    if value.startswith(("http://", "https://")):
        return call.state.add_file(b"", value.rsplit("/", 1)[-1] or None, None)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _send(call: Call, **content: Any) -> JSON:
    """Shared tail of every send: checks done, spend the flood budget, store, answer."""
    chat = call.state.chat_for(call.params["chat_id"], sending=True)
    content["reply_markup"] = reply_markup(call.params, chat_type=chat.type)
    content["reply_to"] = _reply_target(call, chat)
    call.throttle(chat)
    message = call.state.store(chat, call.bot.user, **content)
    return call.state.message_object(message)


@handles("sendMessage")
async def send_message(call: Call) -> JSON:
    call.state.chat_for(call.params["chat_id"], sending=True)
    text, entities = message_text(call.params)
    return _send(call, text=text, entities=entities, source=call.params["text"])


@handles("sendPhoto")
async def send_photo(call: Call) -> JSON:
    call.state.chat_for(call.params["chat_id"], sending=True)
    text, entities = caption(call.params)
    stored = _file(call, call.params["photo"])
    size: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    size |= {"width": 800, "height": 600, "file_size": len(stored.data)}
    source = call.params.get("caption")
    return _send(call, caption=text, entities=entities, source=source, photo=[size])


@handles("sendDocument")
async def send_document(call: Call) -> JSON:
    call.state.chat_for(call.params["chat_id"], sending=True)
    text, entities = caption(call.params)
    stored = _file(call, call.params["document"])
    document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    document |= {"file_size": len(stored.data)}
    document |= {"file_name": stored.filename} if stored.filename else {}
    document |= {"mime_type": stored.mime_type} if stored.mime_type else {}
    source = call.params.get("caption")
    return _send(call, caption=text, entities=entities, source=source, document=document)


def _editable(call: Call) -> tuple[Chat, StoredMessage]:
    params = call.params
    if "chat_id" not in params or "message_id" not in params:
        if "inline_message_id" in params:
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not emulated
        raise bad_request("message identifier is not specified")
    chat = call.state.chat_for(params["chat_id"], sending=True)
    message = call.state.find_message(chat, params["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


@handles("editMessageText")
async def edit_message_text(call: Call) -> JSON:
    chat, message = _editable(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call.params)
    # Telegram drops the keyboard when an edit does not repeat it.
    markup = reply_markup(call.params, inline_only=True, chat_type=chat.type)
    if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    call.throttle(chat)
    message.text, message.entities, message.reply_markup = text, entities, markup
    message.source, message.edit_date = call.params["text"], call.state.now()
    return call.state.message_object(message)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JSON:
    chat, message = _editable(call)
    markup = reply_markup(call.params, inline_only=True, chat_type=chat.type)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    call.throttle(chat)
    message.reply_markup, message.edit_date = markup, call.state.now()
    return call.state.message_object(message)


@handles("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat = call.state.chat_for(call.params["chat_id"])
    message = call.state.find_message(chat, call.params["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


@handles("pinChatMessage", "unpinChatMessage")
async def pin_chat_message(call: Call) -> bool:
    chat = call.state.chat_for(call.params["chat_id"])
    message = call.state.find_message(chat, call.params.get("message_id", 0))
    if message is None:
        raise bad_request("message to pin not found")
    message.pinned = call.method == "pinChatMessage"
    return True


@handles("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    call.state.chat_for(call.params["chat_id"], sending=True)
    return True


@handles("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    params = call.params
    if len(params.get("text") or "") > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    query = call.state.queries.get(params["callback_query_id"])
    too_old = query is not None and call.state.clock() - query.created_at > call.settings.query_ttl
    if query is None or query.answered or too_old:
        raise bad_request(QUERY_TOO_OLD)
    names = ("text", "show_alert", "url", "cache_time")
    query.answered, query.answer = True, {k: params[k] for k in names if k in params}
    return True
