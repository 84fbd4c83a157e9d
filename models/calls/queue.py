"""The calling queue of the desk (issue 15): one person's next call, claimed for them, in
the order the team calls (models.orders.search.orders_to_handle: due call-backs, then the
orders waiting longest), skipping calls someone else is on and customers called a moment
ago, so that "busy" does not ring the same phone again at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.calls.outcomes import claim_order
from models.errors import ClaimedByOther, ConcurrentChange
from models.infra.clock import now
from models.orders.search import orders_to_handle
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.stores.tables import Store

# A customer who did not answer is tried again after this long, not as the next call.
RETRY_GAP = timedelta(minutes=15)
# How far down the calls to make the queue looks for one nobody else is on.
LOOKAHEAD = 50


def _claimed(order: Order, at: datetime) -> bool:
    expires = order.claim_expires_at
    return bool(order.claimed_by_id) and expires is not None and expires > at


def _just_called(order: Order, at: datetime) -> bool:
    return order.last_call_at is not None and order.last_call_at > at - RETRY_GAP


async def next_call(store: Store, actor: Actor, at: datetime | None = None) -> Order | None:
    """The order `actor` calls next: the one they already hold, else the first call to make
    that is free and was not tried in the last RETRY_GAP, claimed for them (the claim
    bumps the version, so cards show who is calling). None when there is none now."""
    at = at or now()
    handling = await orders_to_handle(store, 0, LOOKAHEAD, at)
    to_call = handling.page.orders[: handling.to_call]
    held = [o for o in to_call if _claimed(o, at) and o.claimed_by_id == actor.id]
    if held:
        return held[0]
    for order in to_call:
        if _claimed(order, at) or _just_called(order, at):
            continue
        try:
            return await claim_order(store, order.number, actor, order.version)
        except (ClaimedByOther, ConcurrentChange):
            continue  # someone took it meanwhile: the next one
    return None
