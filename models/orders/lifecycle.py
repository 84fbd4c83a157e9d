"""The order lifecycle (SPEC §3.1) as one table, and the stock rule that rides on it (§3.2).

Pure: no I/O. Every path that changes an order's status asks this module first.
"""

from __future__ import annotations

from enum import StrEnum

from models.errors import IllegalTransition


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Trigger(StrEnum):
    CONFIRM = "confirm"
    PROCESS = "process"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"
    RETURN = "return"
    WITHDRAW = "withdraw"  # the courier deleted the parcel before picking it up


class StockMove(StrEnum):
    COMMIT = "commit"
    RESTORE = "restore"
    NONE = "none"


S, T = OrderStatus, Trigger

TRANSITIONS: dict[tuple[OrderStatus, Trigger], OrderStatus] = {
    (S.PENDING, T.CONFIRM): S.CONFIRMED,
    (S.CONFIRMED, T.PROCESS): S.PROCESSING,
    (S.PROCESSING, T.SHIP): S.SHIPPED,
    (S.SHIPPED, T.DELIVER): S.DELIVERED,
    (S.PENDING, T.CANCEL): S.CANCELLED,
    (S.CONFIRMED, T.CANCEL): S.CANCELLED,
    (S.PROCESSING, T.CANCEL): S.CANCELLED,
    (S.SHIPPED, T.CANCEL): S.CANCELLED,
    (S.SHIPPED, T.RETURN): S.RETURNED,
    (S.DELIVERED, T.RETURN): S.RETURNED,
}

# Only the system applies these (never offered to people, never a `{to}` of the API): a
# parcel the courier deleted before pickup puts its order back in processing, to be
# dispatched again or cancelled, its stock still committed.
SYSTEM_TRANSITIONS: dict[tuple[OrderStatus, Trigger], OrderStatus] = {
    (S.SHIPPED, T.WITHDRAW): S.PROCESSING,
}

TERMINAL = frozenset({S.CANCELLED, S.RETURNED})

# Each target status is reached by exactly one trigger, so the API's `{to}` maps back.
TRIGGER_FOR_TARGET: dict[OrderStatus, Trigger] = {to: trig for (_, trig), to in TRANSITIONS.items()}


def next_status(current: OrderStatus, trigger: Trigger) -> OrderStatus:
    """The status `trigger` leads to from `current`; IllegalTransition when there is none."""
    try:
        return TRANSITIONS.get((current, trigger)) or SYSTEM_TRANSITIONS[(current, trigger)]
    except KeyError:
        raise IllegalTransition(current.value, trigger.value) from None


def trigger_for(target: OrderStatus) -> Trigger:
    """The trigger that moves an order to `target` (pending has none)."""
    try:
        return TRIGGER_FOR_TARGET[target]
    except KeyError:
        raise IllegalTransition("*", target.value) from None


def allowed_triggers(current: OrderStatus) -> list[Trigger]:
    """Triggers that apply to an order in `current`, in table order."""
    return [trig for (status, trig) in TRANSITIONS if status == current]


def allowed_targets(current: OrderStatus) -> list[OrderStatus]:
    """Statuses people (and the API's `{to}`) may move an order to from `current`."""
    return [TRANSITIONS[(current, trig)] for trig in allowed_triggers(current)]


def moves_by_hand(current: OrderStatus) -> list[OrderStatus]:
    """The statuses a person moves an order to with a button of their own, cancel last:
    not confirmed (an outcome of the call) nor shipped (the parcel leaves by dispatch)."""
    triggers = [t for t in allowed_triggers(current) if t not in (T.CONFIRM, T.SHIP)]
    triggers.sort(key=lambda t: t is T.CANCEL)
    return [TRANSITIONS[(current, t)] for t in triggers]


def dispatch_steps(current: OrderStatus) -> list[Trigger]:
    """The triggers a dispatch applies, from `current` up to and including `ship`: the
    parcel leaves from a processing order, and a confirmed one is moved to processing
    first. IllegalTransition when no such path exists (pending, shipped, terminal ...)."""
    if Trigger.SHIP in allowed_triggers(current):
        return [Trigger.SHIP]
    processing = TRANSITIONS.get((current, Trigger.PROCESS))
    if processing is not None and Trigger.SHIP in allowed_triggers(processing):
        return [Trigger.PROCESS, Trigger.SHIP]
    raise IllegalTransition(current.value, "dispatch")


def can_dispatch(current: OrderStatus) -> bool:
    """Whether an order in `current` may be dispatched (`dispatch_steps` has a path)."""
    try:
        dispatch_steps(current)
    except IllegalTransition:
        return False
    return True


def awaiting_confirmation(current: OrderStatus) -> bool:
    """The confirmation call is still to come: the order can still be confirmed (the call
    desk's outcomes, claims and call-backs apply to such orders only)."""
    return Trigger.CONFIRM in allowed_triggers(current)


def before_shipping(current: OrderStatus) -> bool:
    """The parcel has not left yet: `ship` still lies ahead on the order's way forward (what
    the call desk may still edit)."""
    ahead, seen = [current], set()
    while ahead:
        status = ahead.pop()
        seen.add(status)
        forward = [t for t in allowed_triggers(status) if t not in (T.CANCEL, T.RETURN)]
        if T.SHIP in forward:
            return True
        ahead += [TRANSITIONS[(status, t)] for t in forward if TRANSITIONS[(status, t)] not in seen]
    return False


def stock_move(target: OrderStatus, committed: bool) -> StockMove:
    """What a transition to `target` does to stock, given whether stock is committed now.

    Stock is taken at confirmation and given back on cancel-after-confirm and on return.
    """
    if target is S.CONFIRMED and not committed:
        return StockMove.COMMIT
    if target in TERMINAL and committed:
        return StockMove.RESTORE
    return StockMove.NONE
