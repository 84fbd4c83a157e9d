"""The risk mark of a customer, from what became of their orders in one store. Pure: the
history is counted in models.customers.registry, the rule lives here alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Calls nobody took: an order cancelled after them makes the next order worth watching.
UNANSWERED = ("no_answer", "busy", "unreachable")


class Risk(StrEnum):
    NEW = "new"
    KNOWN = "known"
    TRUSTED = "trusted"
    WATCH = "watch"
    RISKY = "risky"
    BLACKLISTED = "blacklisted"


@dataclass(frozen=True, slots=True)
class History:
    """A phone's orders in one store, by what became of them. `cancelled` counts every
    cancelled order, `fake` and `unanswered` among them; `open` is pending to shipped."""

    orders: int = 0
    open: int = 0
    delivered: int = 0
    returned: int = 0
    cancelled: int = 0
    fake: int = 0
    unanswered: int = 0
    delivered_amount: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None


def risk_of(history: History, blacklisted: bool = False) -> Risk:
    """The customer's mark: the first rule that matches, read top to bottom.

    blacklisted  the phone is on the store's blacklist, whatever its history;
    risky        an order cancelled as fake, or a return with no more deliveries than
                 returns (half or more of the parcels that reached the customer came back);
    watch        a return (fewer than the deliveries), or an order cancelled after calls
                 nobody answered (no answer, busy, unreachable);
    trusted      two deliveries or more;
    known        one delivery;
    new          no delivery yet: a first order, or only open or customer-cancelled ones.
    """
    if blacklisted:
        return Risk.BLACKLISTED
    if history.fake or (history.returned and history.returned >= history.delivered):
        return Risk.RISKY
    if history.returned or history.unanswered:
        return Risk.WATCH
    if history.delivered >= 2:
        return Risk.TRUSTED
    return Risk.KNOWN if history.delivered else Risk.NEW
