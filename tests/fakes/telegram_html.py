"""Telegram's HTML parse mode: plain text plus entities, or the error Telegram gives.

Follows the tag grammar of Telegram's server (tags end at whitespace or ">", attributes may be
quoted or bare, "</>" closes the innermost tag), with one deliberate strictness: a bare "&"
that does not start an entity is an error here, because Telegram silently shows it raw and
that is always an escaping bug in the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_errors import ApiError, bad_request

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
ALLOWED_TAGS = {*_SIMPLE, "span", "a", "blockquote", "tg-emoji", "tg-time"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z]+));")


@dataclass
class _OpenTag:
    name: str
    byte_offset: int
    offset: int  # UTF-16 units into the output
    attributes: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parse_error(text: str) -> ApiError:
    return bad_request(f"can't parse entities: {text}")


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def at(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.i < len(self.src):
            char = self.src[self.i]
            if char == "&":
                self.emit(self.entity())
            elif char == "<" and self.at(self.i + 1) == "/":
                self.end_tag()
            elif char == "<":
                self.start_tag()
            else:
                self.emit(char)
                self.i += 1
        if self.stack:
            name = self.stack[-1].name
            raise _parse_error(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def entity(self) -> str:
        match = _ENTITY.match(self.src, self.i)
        where = self.byte_offset(self.i)
        if match is None:
            raise _parse_error(f'Unescaped "&" at byte offset {where}')
        decoded = _decode_entity(match)
        if decoded is None:
            raise _parse_error(f'Unsupported HTML entity "{match[0]}" at byte offset {where}')
        self.i = match.end()
        return decoded

    def read_until_space_or_gt(self, start: int) -> int:
        end = start
        while end < len(self.src) and not self.src[end].isspace() and self.src[end] != ">":
            end += 1
        return end

    def start_tag(self) -> None:
        begin = self.i
        end = self.read_until_space_or_gt(begin + 1)
        if end >= len(self.src):
            raise _parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : end].lower()
        if name not in ALLOWED_TAGS:
            raise _parse_error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        self.i = end
        tag = _OpenTag(name, self.byte_offset(begin), self.offset, self.attributes(begin))
        _check_required_attributes(tag)
        self.stack.append(tag)

    def attributes(self, begin: int) -> dict[str, str]:
        found: dict[str, str] = {}
        while True:
            while self.at(self.i).isspace():
                self.i += 1
            if self.at(self.i) == ">":
                self.i += 1
                return found
            if self.at(self.i) == "":
                raise _parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            name, value = self.attribute(begin)
            found[name] = value

    def attribute(self, begin: int) -> tuple[str, str]:
        start = self.i
        while self.at(self.i) not in ("", "=", ">") and not self.at(self.i).isspace():
            self.i += 1
        name = self.src[start : self.i].lower()
        while self.at(self.i).isspace():
            self.i += 1
        if self.at(self.i) != "=":
            return name, ""
        self.i += 1
        while self.at(self.i).isspace():
            self.i += 1
        quote = self.at(self.i)
        if quote in ('"', "'"):
            return name, self.quoted_value(quote, begin)
        start = self.i
        while self.at(self.i).isalnum() or self.at(self.i) in (".", "-", "_"):
            self.i += 1
        if not (self.at(self.i).isspace() or self.at(self.i) == ">"):
            where = self.byte_offset(start)
            raise _parse_error(f"Unexpected end of name token at byte offset {where}")
        return name, self.src[start : self.i].lower()

    def quoted_value(self, quote: str, begin: int) -> str:
        self.i += 1
        value: list[str] = []
        while self.at(self.i) not in ("", quote):
            if self.src[self.i] == "&":
                value.append(self.entity())
            else:
                value.append(self.src[self.i])
                self.i += 1
        if self.at(self.i) == "":
            raise _parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        self.i += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.i
        where = self.byte_offset(begin)
        if not self.stack:
            raise _parse_error(f"Unexpected end tag at byte offset {where}")
        end = self.read_until_space_or_gt(begin + 2)
        name = self.src[begin + 2 : end].lower()
        while self.at(end).isspace():
            end += 1
        if self.at(end) != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {where}")
        tag = self.stack[-1]
        if name and name != tag.name:
            raise _parse_error(
                f'Unmatched end tag at byte offset {where}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.i = end + 1
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        entity = _entity_for(tag, self.stack)
        if length <= 0 or entity is None:
            return
        span = {"offset": tag.offset, "length": length}
        # <pre><code class="language-x"> already produced the pre entity with its language
        last = self.entities[-1] if self.entities else {}
        if tag.name == "pre" and last.get("type") == "pre" and last | span == last:
            return
        self.entities.append({**span, **entity})


def _decode_entity(match: re.Match[str]) -> str | None:
    hex_code, dec_code, name = match.groups()
    if name is not None:
        return _NAMED.get(name)
    code = int(hex_code, 16) if hex_code else int(dec_code)
    return chr(code) if 0 < code <= 0x10FFFF else None


def _check_required_attributes(tag: _OpenTag) -> None:
    where = tag.byte_offset
    if tag.name == "span" and tag.attributes.get("class") != "tg-spoiler":
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    if tag.name == "tg-emoji" and not tag.attributes.get("emoji-id"):
        raise _parse_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')


def _entity_for(tag: _OpenTag, outer: list[_OpenTag]) -> dict[str, Any] | None:
    attrs = tag.attributes
    if tag.name in _SIMPLE:
        entity: dict[str, Any] = {"type": _SIMPLE[tag.name]}
        language = attrs.get("class", "").removeprefix("language-")
        if tag.name == "code" and outer and outer[-1].name == "pre" and "class" in attrs:
            entity = {"type": "pre", "language": language}
        return entity
    if tag.name == "span":
        return {"type": "spoiler"}
    if tag.name == "a":
        return {"type": "text_link", "url": attrs["href"]} if attrs.get("href") else None
    if tag.name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if tag.name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    return None


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """(plain text, entities with UTF-16 offsets) or ApiError "can't parse entities: …"."""
    return _Parser(source).run()
