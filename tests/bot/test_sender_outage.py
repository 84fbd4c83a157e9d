"""The card sender while the database goes away between a card's send and the writing of
its message id: written once the database is back, so the card is not sent again (nor
listed in a digest besides)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import sender
from models.orders import intake
from models.team import cards
from tests.bot.harness import running_desk
from tests.bot.test_calls_flow import team
from tests.factories import checkout, make_shop


async def test_a_card_sent_as_the_database_went_away_is_sent_once(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender, "RECORD_PAUSE_FIRST", 0.01)
    shop = await make_shop()
    async with running_desk() as desk:
        owner, group = await team(desk, shop)
        real = cards.rendered
        calls: list[int] = []

        async def away(*args: Any, **kwargs: Any) -> None:
            calls.append(1)
            if len(calls) <= 3:
                raise ConnectionRefusedError("connection refused")
            await real(*args, **kwargs)

        monkeypatch.setattr(cards, "rendered", away)
        placed = await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))
        await desk.settle()
        number = placed.order.number
        for chat in (owner, group):
            named = [
                m
                for m in desk.fake.bot_messages(chat)
                if f"#{number} " in (m.text or "").split("\n", 1)[0] + " "
            ]
            assert len(named) == 1, [m.text for m in desk.fake.bot_messages(chat)]
        assert len(calls) == 5  # three writes refused, then one per chat
