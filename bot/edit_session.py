"""✏️ Edit ▸ on an order card: the draft a person builds on the call, kept in memory beside
its panel message (a draft outlives neither a restart nor an hour: press ✏️ Edit again),
and its callback data `e:<step>:<a>[:<b>]` (the panel message says which draft)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ContextTypes

from bot.callbacks import EditStep
from models.orders.edit_plan import LineEdit, OrderEdit
from models.orders.tables import OrderLine

TTL = 3600.0
SESSIONS = "edits"
ASKS = "edit_asks"
STEPS = frozenset(EditStep)  # bot.callbacks.EditStep says what each does
# Fields typed as text, in the order of their `ty` index; the last two are the owner's.
TYPED = ("name", "phone2", "address", "call_note", "commune", "delivery_fee", "discount")
OWNER_TYPED = frozenset({"delivery_fee", "discount"})
_DATA = re.compile(r"^e:([a-z]{2}):([0-9]{1,10})(?::([0-9]{1,10}))?\Z")


@dataclass(frozen=True, slots=True)
class EditPress:
    step: EditStep
    a: int
    b: int = 0


def edit_button(step: EditStep, a: int = 0, b: int | None = None) -> str:
    if step not in STEPS:
        raise ValueError(f"unknown edit step {step!r}")
    return f"e:{step}:{a}" + (f":{b}" if b is not None else "")


def parse_edit(data: str | None) -> EditPress | None:
    match = _DATA.match(data or "")
    if match is None or match.group(1) not in STEPS:
        return None
    return EditPress(EditStep(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


@dataclass(slots=True)
class EditSession:
    """One person's edit of one order at the version they opened it at."""

    order_id: int
    number: int
    version: int
    user_id: int
    owner: bool
    lines: list[list[int]]  # [variant id, quantity], in the order shown
    original: list[tuple[int, int]]
    fields: dict[str, Any] = field(default_factory=dict)
    wilaya: int = 0  # the wilaya whose communes are offered
    at: float = field(default_factory=time.monotonic)

    @classmethod
    def start(
        cls,
        order_id: int,
        number: int,
        version: int,
        user_id: int,
        owner: bool,
        lines: list[OrderLine],
    ) -> EditSession:
        pairs = [(line.variant_id, line.quantity) for line in lines]
        return cls(order_id, number, version, user_id, owner, [list(p) for p in pairs], pairs)

    def edit(self) -> OrderEdit:
        """The draft as the domain takes it: only what was touched."""
        current = [(v, q) for v, q in self.lines]
        lines = None if current == self.original else tuple(LineEdit(v, q) for v, q in current)
        values = self.fields
        return OrderEdit(
            lines=lines,
            name=values.get("name"),
            phone2=values.get("phone2"),
            wilaya=values.get("wilaya"),
            commune=values.get("commune"),
            address=values.get("address"),
            delivery_type=values.get("delivery_type"),
            delivery_fee=values.get("delivery_fee"),
            discount=values.get("discount"),
            price_reason=values.get("price_reason", ""),
            call_note=values.get("call_note"),
        )


def _live(store: dict[Any, Any]) -> None:
    for key in [k for k, v in store.items() if time.monotonic() - v.at > TTL]:
        del store[key]


def keep(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, s: EditSession) -> None:
    sessions: dict[tuple[int, int], EditSession] = context.bot_data.setdefault(SESSIONS, {})
    _live(sessions)
    sessions[(chat_id, message_id)] = s


def find(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> EditSession | None:
    sessions: dict[tuple[int, int], EditSession] = context.bot_data.get(SESSIONS, {})
    found = sessions.get((chat_id, message_id))
    return found if found is not None and time.monotonic() - found.at <= TTL else None


def drop(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> None:
    context.bot_data.get(SESSIONS, {}).pop((chat_id, message_id), None)


@dataclass(frozen=True, slots=True)
class TypedAsk:
    """A question about one field of the draft on panel `panel` of the same chat."""

    key: str
    panel: int
    user_id: int
    at: float = field(default_factory=time.monotonic)


def ask(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, q: TypedAsk) -> None:
    asks: dict[tuple[int, int], TypedAsk] = context.bot_data.setdefault(ASKS, {})
    _live(asks)
    asks[(chat_id, message_id)] = q


def asked(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> TypedAsk | None:
    asks: dict[tuple[int, int], TypedAsk] = context.bot_data.get(ASKS, {})
    found = asks.get((chat_id, message_id))
    return found if found is not None and time.monotonic() - found.at <= TTL else None


def answered(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> None:
    context.bot_data.get(ASKS, {}).pop((chat_id, message_id), None)
