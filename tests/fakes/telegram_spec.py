"""Bot API method table and the decoding of call parameters as Telegram does it.

The table comes from the pinned machine-readable spec beside the checkout
(`../shared/data/telegram-bot-api.json`, never copied into the repo); without it a small
hard-coded table covers the methods the Hanout bot uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.telegram_errors import ApiError, bad_request

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared/data/telegram-bot-api.json"

_INTEGER = re.compile(r"-?\d+")
_SCALARS = {"Integer", "String", "Boolean", "Float", "InputFile"}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart call."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


MethodTable = dict[str, dict[str, FieldSpec]]

_MARKUP = "InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
_SEND = (
    "chat_id:Integer|String! message_thread_id:Integer disable_notification:Boolean "
    "protect_content:Boolean reply_parameters:ReplyParameters "
    f"reply_markup:{_MARKUP}"
)
_CAPTION = "caption:String parse_mode:String caption_entities:[MessageEntity]"
_EDIT = "chat_id:Integer|String message_id:Integer inline_message_id:String"
# Used only when the spec file is absent: name:Type[|Type], "!" = required, [X] = Array of X.
FALLBACK: dict[str, str] = {
    "getMe": "",
    "logOut": "",
    "close": "",
    "getUpdates": "offset:Integer limit:Integer timeout:Integer allowed_updates:[String]",
    "setWebhook": (
        "url:String! certificate:InputFile ip_address:String max_connections:Integer "
        "allowed_updates:[String] drop_pending_updates:Boolean secret_token:String"
    ),
    "deleteWebhook": "drop_pending_updates:Boolean",
    "getWebhookInfo": "",
    "setMyCommands": "commands:[BotCommand]! scope:BotCommandScope language_code:String",
    "getMyCommands": "scope:BotCommandScope language_code:String",
    "deleteMyCommands": "scope:BotCommandScope language_code:String",
    "sendMessage": f"{_SEND} text:String! parse_mode:String entities:[MessageEntity] "
    "link_preview_options:LinkPreviewOptions",
    "sendPhoto": f"{_SEND} photo:InputFile|String! {_CAPTION}",
    "sendDocument": f"{_SEND} document:InputFile|String! {_CAPTION}",
    "sendChatAction": "chat_id:Integer|String! action:String! message_thread_id:Integer",
    "editMessageText": f"{_EDIT} text:String! parse_mode:String entities:[MessageEntity] "
    "link_preview_options:LinkPreviewOptions reply_markup:InlineKeyboardMarkup",
    "editMessageReplyMarkup": f"{_EDIT} reply_markup:InlineKeyboardMarkup",
    "deleteMessage": "chat_id:Integer|String! message_id:Integer!",
    "pinChatMessage": "chat_id:Integer|String! message_id:Integer! disable_notification:Boolean",
    "unpinChatMessage": "chat_id:Integer|String! message_id:Integer",
    "answerCallbackQuery": (
        "callback_query_id:String! text:String show_alert:Boolean url:String cache_time:Integer"
    ),
    "getChat": "chat_id:Integer|String!",
    "getChatMember": "chat_id:Integer|String! user_id:Integer!",
    "getChatAdministrators": "chat_id:Integer|String!",
    "leaveChat": "chat_id:Integer|String!",
    "getFile": "file_id:String!",
    "setMyDescription": "description:String language_code:String",
    "setMyShortDescription": "short_description:String language_code:String",
    "setChatMenuButton": "chat_id:Integer menu_button:MenuButton",
}


def _fallback_fields(compact: str) -> dict[str, FieldSpec]:
    fields = {}
    for token in compact.split():
        name, _, kind = token.partition(":")
        required = kind.endswith("!")
        types = tuple(
            f"Array of {t[1:-1]}" if t.startswith("[") else t for t in kind.rstrip("!").split("|")
        )
        fields[name] = FieldSpec(name, types, required)
    return fields


def load_methods(path: Path = SPEC_PATH) -> MethodTable:
    """Method name → field name → spec, from the spec file when present."""
    if not path.exists():
        return {name: _fallback_fields(compact) for name, compact in FALLBACK.items()}
    spec = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: {
            f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]))
            for f in method.get("fields", [])
        }
        for name, method in spec["methods"].items()
    }


def _type_error(field: FieldSpec) -> ApiError:
    return bad_request(f'field "{field.name}" must be of type {" or ".join(field.types)}')


def _json_error(field: FieldSpec) -> ApiError:
    what = "reply keyboard markup" if field.name == "reply_markup" else field.name
    return bad_request(f"can't parse {what} JSON object")


def _matches(value: Any, kind: str) -> bool:
    """Shallow check of an already decoded JSON value against one spec type."""
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind in ("String", "InputFile"):
        return isinstance(value, str)
    if kind.startswith("Array of "):
        inner = kind.removeprefix("Array of ")
        return isinstance(value, list) and all(_matches(item, inner) for item in value)
    return isinstance(value, dict)


def _from_text(field: FieldSpec, text: str, files: Mapping[str, Upload]) -> Any:
    """Decode one form value: strings stay raw, everything else was JSON-encoded by the client."""
    types = field.types
    if "Integer" in types and _INTEGER.fullmatch(text.strip()):
        return int(text)
    if "InputFile" in types and text.startswith("attach://"):
        upload = files.get(text.removeprefix("attach://"))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return upload
    if "String" in types or "InputFile" in types:
        return text
    if types == ("Boolean",) and text.lower() in ("true", "false", "1", "0"):
        return text.lower() in ("true", "1")
    if set(types) <= _SCALARS:
        try:
            return float(text) if "Float" in types else json.loads(text)
        except ValueError:
            raise _type_error(field) from None
    try:
        return json.loads(text)
    except ValueError:
        raise _json_error(field) from None


def decode_value(field: FieldSpec, value: Any, files: Mapping[str, Upload]) -> Any:
    if isinstance(value, Upload):
        if "InputFile" not in field.types:
            raise _type_error(field)
        return value
    if isinstance(value, str):
        value = _from_text(field, value, files)
    if isinstance(value, Upload) or any(_matches(value, kind) for kind in field.types):
        return value
    raise _type_error(field)


def _missing(method: str, name: str) -> ApiError:
    if name == "text" and method in ("sendMessage", "editMessageText"):
        return bad_request("message text is empty")
    return bad_request(f"{name} is empty")


def decode_params(
    method: str, fields: dict[str, FieldSpec], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """Typed parameters of one call; unknown parameters are ignored as Telegram does.

    Uploaded files are Upload values in `raw`, under their field name or an attach:// name."""
    files = {name: value for name, value in raw.items() if isinstance(value, Upload)}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        field = fields.get(name)
        if field is not None:
            params[name] = decode_value(field, value, files)
    for name, field in fields.items():
        if field.required and name not in params:
            raise _missing(method, name)
    return params
