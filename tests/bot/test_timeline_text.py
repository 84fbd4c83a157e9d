"""Every timeline event type has words on the Timeline button's message."""

from __future__ import annotations

from bot.timeline_text import EVENT
from models.orders.timeline import EventType


def test_every_event_type_has_a_label_and_no_label_is_for_an_unknown_type() -> None:
    assert set(EVENT) == set(EventType)
