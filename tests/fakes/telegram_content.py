"""Message content rules: formatted text, captions and inline keyboards."""

from __future__ import annotations

from typing import Any

from tests.fakes.telegram_errors import bad_request
from tests.fakes.telegram_html import parse_html

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100
MAX_BUTTONS_PER_ROW = 8
MAX_CALLBACK_DATA_BYTES = 64
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def formatted(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
    """Plain text and entities of a text as the Bot API parses it."""
    if parse_mode is None or parse_mode == "":
        return text, list(entities or [])
    if parse_mode.lower() == "html":
        return parse_html(text)
    if parse_mode.lower() in ("markdown", "markdownv2"):
        return text, []  # not emulated: the Hanout bot formats with HTML only
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def message_text(params: JSON) -> tuple[str, list[JSON]]:
    text, entities = formatted(params["text"], params.get("parse_mode"), params.get("entities"))
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def caption(params: JSON) -> tuple[str | None, list[JSON]]:
    if params.get("caption") is None:
        return None, []
    text, entities = formatted(
        params["caption"], params.get("parse_mode"), params.get("caption_entities")
    )
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, entities


_URL_SCHEMES = ("http://", "https://", "tg://")


def _check_button(button: Any, chat_type: str) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a string")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if "callback_data" in button and not (
        isinstance(data, str) and 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if "web_app" in button and chat_type != "private":  # Mini Apps open from private chats
        raise bad_request("BUTTON_TYPE_INVALID")
    url = button.get("url")
    if "url" in button and not (isinstance(url, str) and url.startswith(_URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")


def _check_inline_keyboard(rows: Any, chat_type: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
            "InlineKeyboardMarkup must be an Array of Arrays"
        )
    count = sum(len(row) for row in rows)
    if count > MAX_BUTTONS or any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        for button in row:
            _check_button(button, chat_type)


def reply_markup(
    params: JSON, *, inline_only: bool = False, chat_type: str = "private"
) -> JSON | None:
    """The keyboard to store (None for none); an empty inline keyboard means none. A
    `web_app` button is refused outside private chats, as Telegram does."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"], chat_type)
        return markup if markup["inline_keyboard"] else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    return None  # reply keyboards live on the user's device, not on the message
