"""The calling queue hands each call to one person: their own open call first, then the
calls to make in the team's order, never one someone else is on, never a customer tried a
moment ago; agents asking at the same moment get different orders."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.calls.outcomes import log_call
from models.calls.queue import RETRY_GAP, next_call
from models.infra.clock import now
from models.orders.tables import Order
from models.orders.timeline import Actor
from tests.factories import make_shop
from tests.webstore.api_support import place

AGENTS = [Actor("agent", str(100 + i), f"Agent {i}") for i in range(5)]


async def test_each_person_gets_a_call_of_their_own(db: str) -> None:
    shop = await make_shop()
    placed = [await place(shop, i) for i in range(7)]
    handed = await asyncio.gather(*(next_call(shop.store, a) for a in AGENTS))
    numbers = [o.number for o in handed if o is not None]
    assert sorted(numbers) == [o.number for o in placed[:5]]  # oldest first, once each
    for agent, order in zip(AGENTS, handed, strict=True):
        assert order is not None
        fresh = await Order.get(id=order.id)
        assert (fresh.claimed_by_id, fresh.claimed_by_name) == (agent.id, agent.name)
        again = await next_call(shop.store, agent)
        assert again is not None and again.number == order.number  # still theirs


async def test_a_customer_just_called_waits_and_nothing_left_is_none(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    agent = AGENTS[0]
    handed = await next_call(shop.store, agent)
    assert handed is not None and handed.number == order.number
    busy = await log_call(shop.store, order.number, "busy", agent)
    assert await next_call(shop.store, agent) is None
    # Called back at the store's plan's time (never sooner than RETRY_GAP).
    assert busy.callback_at is not None and busy.callback_at >= now() + RETRY_GAP
    later = busy.callback_at + timedelta(minutes=1)
    again = await next_call(shop.store, agent, at=later)
    assert again is not None and again.number == order.number
    await log_call(shop.store, order.number, "confirmed", agent)
    assert await next_call(shop.store, agent, at=later) is None  # no pending order left
