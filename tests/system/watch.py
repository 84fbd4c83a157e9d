"""What the fake Telegram saw, read the way the system tests count: cards per chat and
order, digests, and which process called getUpdates when."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_api import FakeTelegram, RecordedRequest, StoredMessage
from tests.system.stack import pid_of_connection

CARD_MARKS = ("🆕", "✅", "📦", "🚚", "🎉", "❌", "↩️")
_NUMBER = re.compile(r"#(\d+)")
_RANGE = re.compile(r"#(\d+)(?:–#(\d+))?")


def card_number(text: str | None) -> int | None:
    """The order a card is about (its first line names it), None for another message."""
    if not text or not text.startswith(CARD_MARKS):
        return None
    found = _NUMBER.search(text.split("\n", 1)[0])
    return int(found.group(1)) if found else None


def digest_numbers(text: str | None) -> list[int]:
    """The orders a digest ("5 new orders: #1001–#1004, #1007") lists; [] otherwise."""
    if not text or text.startswith(CARD_MARKS) or ":" not in text:
        return []
    head, _, numbers = text.partition(":")
    if not head.split()[0].isdigit():
        return []
    listed: list[int] = []
    for first, last in _RANGE.findall(numbers):
        listed += range(int(first), int(last or first) + 1)
    return listed


def card_sends(fake: FakeTelegram, chat_id: int) -> Counter[int]:
    """How many card messages were sent to the chat per order number (answered or not:
    a call that reached Telegram posted its message even if the caller died)."""
    sent: Counter[int] = Counter()
    for message in fake.messages(chat_id, include_deleted=True):
        number = card_number(message.text) if message.from_bot else None
        if number is not None:
            sent[number] += 1
    return sent


def live_cards(fake: FakeTelegram, chat_id: int) -> Counter[int]:
    """Cards still in the chat (not deleted) per order number."""
    return Counter(n for m in fake.bot_messages(chat_id) if (n := card_number(m.text)) is not None)


def digested(fake: FakeTelegram, chat_id: int) -> Counter[int]:
    listed: Counter[int] = Counter()
    for message in fake.messages(chat_id, include_deleted=True):
        if message.from_bot:
            listed.update(digest_numbers(message.text))
    return listed


def card(fake: FakeTelegram, chat_id: int, number: int) -> StoredMessage:
    """The live card of an order in a chat."""
    found = [m for m in fake.bot_messages(chat_id) if card_number(m.text) == number]
    assert found, f"no card for #{number} in chat {chat_id}"
    return found[-1]


def button(message: StoredMessage, action: str) -> str:
    data = [d for d in message.callback_data if f":{action}:" in d]
    assert data, f"no {action} button on {message.text!r}: {message.callback_data}"
    return data[0]


@dataclass
class Poll:
    pid: int | None
    at: float
    status: int


@dataclass
class PollWatch:
    """Notes which of `pids` made each getUpdates call (by its TCP connection)."""

    fake: FakeTelegram
    pids: Iterable[int]
    polls: list[Poll] = field(default_factory=list)
    # A connection's client port → its process: a long poll answered after its caller
    # died has no process any more, but it came over a connection seen before.
    owners: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.server_port = int(self.fake.url.rpartition(":")[2])
        self.fake.observers.append(self._observe)

    def _observe(self, request: RecordedRequest) -> None:
        if request.method != "getUpdates" or request.peer is None:
            return
        port = request.peer[1]
        pid = pid_of_connection(port, self.server_port, list(self.pids)) or self.owners.get(port)
        if pid is not None:
            self.owners[port] = pid
        self.polls.append(Poll(pid, time.monotonic(), request.status))

    def pollers(self, since: float = 0.0, until: float = float("inf")) -> set[int | None]:
        return {p.pid for p in self.polls if since <= p.at <= until}

    def conflicts(self) -> list[Poll]:
        return [p for p in self.polls if p.status == 409]

    def handovers(self) -> list[tuple[int | None, int | None]]:
        """Each change of the polling process, in order."""
        changes = []
        for before, after in zip(self.polls, self.polls[1:], strict=False):
            if before.pid != after.pid:
                changes.append((before.pid, after.pid))
        return changes


def answers(fake: FakeTelegram) -> Counter[str]:
    """answerCallbackQuery calls per callback query id."""
    return Counter(
        str(r.params.get("callback_query_id")) for r in fake.calls("answerCallbackQuery")
    )


def describe(fake: FakeTelegram, chat_id: int) -> list[Any]:
    """The chat's bot messages, for assertion messages."""
    return [
        (m.message_id, m.deleted, (m.text or "").split("\n", 1)[0])
        for m in fake.messages(chat_id, include_deleted=True)
        if m.from_bot
    ]
