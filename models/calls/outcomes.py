"""Call confirmation of pending orders (SPEC §3.3): call outcomes, claims, callbacks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal, get_args

from tortoise.backends.base.client import BaseDBAsyncClient

from models.calls.policy import after_no_answer, next_call
from models.calls.tables import CallAttempt
from models.customers.registry import blacklist_fake_order
from models.errors import (
    ClaimedByOther,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    OtherCustomersOrder,
)
from models.infra import clock
from models.orders import lifecycle
from models.orders.cancellation import OUTCOME_REASON, POLICY_REASON, Cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import (
    SYSTEM,
    Actor,
    record_call_logged,
    record_callback_due,
    record_claim_expired,
    record_claimed,
    record_released,
)
from models.orders.transitions import apply_transition, bump_version, change_order
from models.outbox import relay
from models.stores.tables import Store

log = logging.getLogger(__name__)

CallOutcome = Literal[
    "no_answer",
    "busy",
    "unreachable",
    "wrong_number",
    "postponed",
    "customer_cancelled",
    "fake",
    "duplicate",
    "confirmed",
]
OUTCOMES: tuple[str, ...] = get_args(CallOutcome)
CANCELLING = frozenset({"customer_cancelled", "fake", "duplicate"})


def _require_pending(order: Order, action: str) -> None:
    if not lifecycle.awaiting_confirmation(order.status):
        raise IllegalTransition(order.status.value, action)


async def _check_outcome(
    store: Store,
    order: Order,
    outcome: str,
    callback_at: datetime | None,
    duplicate_of: int | None,
    other_customer: bool,
) -> None:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}")
    if outcome == "postponed" and (callback_at is None or callback_at <= clock.now()):
        raise InvalidInput("callback_at: a time in the future is needed to postpone")
    if outcome == "duplicate":
        if duplicate_of is None or duplicate_of == order.number:
            raise InvalidInput("duplicate_of: the number of the order that is kept")
        kept = await Order.get_or_none(store_id=store.id, number=duplicate_of)
        if kept is None:
            raise NotFound("order", duplicate_of)
        if kept.customer_id != order.customer_id and not other_customer:
            raise OtherCustomersOrder(duplicate_of)


async def _cancel_for(
    conn: BaseDBAsyncClient,
    store: Store,
    order: Order,
    outcome: str,
    actor: Actor,
    note: str,
) -> Order:
    if outcome == "fake":
        await blacklist_fake_order(conn, store, order, actor)
    why = Cancellation(OUTCOME_REASON[outcome], note[:300])
    return await apply_transition(
        conn, store, order, OrderStatus.CANCELLED, actor, data={"outcome": outcome}, cancel=why
    )


def _held_by_other(order: Order, actor: Actor) -> bool:
    """Someone else claimed the order and the claim still runs."""
    expires = order.claim_expires_at
    held = bool(order.claimed_by_id) and expires is not None and expires > clock.now()
    return held and order.claimed_by_id != actor.id


def _unanswered_plan(store: Store, order: Order, outcome: str) -> tuple[datetime | None, bool]:
    """The next call-back after an unanswered call, and whether the policy cancels now."""
    moment = clock.now()
    if outcome in ("busy", "unreachable"):  # someone to call again soon, not a no-answer
        return next_call(store.callback_plan, 1, moment), False
    if outcome != "no_answer":
        return None, False
    decision = after_no_answer(
        plan=store.callback_plan,
        limit=store.no_answer_limit,
        min_hours=store.no_answer_min_hours,
        no_answers=order.no_answers + 1,
        first_at=order.first_no_answer_at or moment,
        moment=moment,
    )
    return decision.callback_at, decision.cancel


async def log_call(
    store: Store,
    number: int,
    outcome: str,
    actor: Actor,
    note: str = "",
    callback_at: datetime | None = None,
    duplicate_of: int | None = None,
    expected_version: int | None = None,
    other_customer: bool = False,
) -> Order:
    """Record one call on a pending order and what follows from its outcome: confirmed
    confirms (stock), customer_cancelled/fake/duplicate cancel with that reason (fake
    blacklists the phone; a duplicate of another customer's order needs
    `other_customer`), postponed brings the order back at `callback_at`, a no-answer, a
    busy line or a phone out of reach schedules the next call by the store's plan, and
    the no-answer policy may cancel (models.calls.policy). One transaction;
    ConcurrentChange when someone acted first."""

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        _require_pending(order, "log a call on")
        # The claim keeps two agents from calling one customer; an owner may step in.
        if actor.kind == "agent" and _held_by_other(order, actor):
            raise ClaimedByOther(order.claimed_by_name)
        await _check_outcome(store, order, outcome, callback_at, duplicate_of, other_customer)
        when, give_up = (
            (callback_at, False)
            if outcome == "postponed"
            else _unanswered_plan(store, order, outcome)
        )
        first_no_answer = order.first_no_answer_at
        if outcome == "no_answer" and first_no_answer is None:
            first_no_answer = clock.now()
        order = await bump_version(
            conn,
            order,
            call_attempts=order.call_attempts + 1,
            no_answers=order.no_answers + (outcome == "no_answer"),
            last_call_outcome=outcome,
            last_call_at=clock.now(),
            callback_at=when,
            first_no_answer_at=first_no_answer,
            duplicate_of=duplicate_of if outcome == "duplicate" else order.duplicate_of,
            claimed_by_id="",
            claimed_by_name="",
            claim_expires_at=None,
        )
        await CallAttempt.create(
            using_db=conn,
            order=order,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            outcome=outcome,
            note=note[:500],
            callback_at=when,
        )
        data = {
            "outcome": outcome,
            "attempts": order.call_attempts,
            "callback_at": when.isoformat() if when else None,
            "duplicate_of": duplicate_of,
        }
        event = await record_call_logged(conn, order, actor, note, data)
        await relay.publish(conn, store, "order.call_logged", order, event, data)
        return await _after_call(conn, store, order, outcome, actor, note, give_up)

    return await change_order(store, number, work, expected_version)


async def _after_call(
    conn: BaseDBAsyncClient,
    store: Store,
    order: Order,
    outcome: str,
    actor: Actor,
    note: str,
    give_up: bool,
) -> Order:
    if outcome == "confirmed":
        return await apply_transition(conn, store, order, OrderStatus.CONFIRMED, actor, note)
    if outcome in CANCELLING:
        return await _cancel_for(conn, store, order, outcome, actor, note)
    if give_up:  # the words come from the event's data, in each reader's language
        return await apply_transition(
            conn,
            store,
            order,
            OrderStatus.CANCELLED,
            SYSTEM,
            data={"outcome": "no_answer_limit", "no_answers": order.no_answers},
            cancel=Cancellation(POLICY_REASON),
        )
    return order


async def claim_order(
    store: Store, number: int, actor: Actor, expected_version: int | None = None
) -> Order:
    """`I'm calling`: the order is reserved to `actor` for the store's claim time."""

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        _require_pending(order, "claim")
        if _held_by_other(order, actor):
            raise ClaimedByOther(order.claimed_by_name)
        until = clock.now() + timedelta(minutes=store.claim_minutes)
        order = await bump_version(
            conn, order, claimed_by_id=actor.id, claimed_by_name=actor.name, claim_expires_at=until
        )
        event = await record_claimed(conn, order, actor, until)
        await relay.publish(conn, store, "order.claimed", order, event)
        return order

    return await change_order(store, number, work, expected_version)


async def release_order(
    store: Store, number: int, actor: Actor, expected_version: int | None = None
) -> Order:
    """Give a claimed order back; only the claimer or an owner may."""

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        if not order.claimed_by_id:
            return order
        if order.claimed_by_id != actor.id and actor.kind != "owner":
            raise ClaimedByOther(order.claimed_by_name)
        order = await bump_version(
            conn, order, claimed_by_id="", claimed_by_name="", claim_expires_at=None
        )
        event = await record_released(conn, order, actor)
        await relay.publish(conn, store, "order.released", order, event)
        return order

    return await change_order(store, number, work, expected_version)


SystemEvent = Callable[[BaseDBAsyncClient, Order], Awaitable[OrderEvent]]


async def _system_touch(order: Order, record: SystemEvent, topic: str, **changes: object) -> bool:
    store = await Store.get(id=order.store_id)

    async def work(conn: BaseDBAsyncClient, current: Order) -> Order:
        current = await bump_version(conn, current, **changes)
        event = await record(conn, current)
        await relay.publish(conn, store, topic, current, event)
        return current

    try:
        await change_order(store, order.number, work, expected_version=order.version)
    except DomainError as exc:  # someone acted meanwhile: their change re-renders the card
        log.info("scheduled touch skipped number=%s reason=%s", order.number, exc)
        return False
    return True


async def bring_back_callbacks(limit: int = 100) -> int:
    """Postponed orders whose time has come go back to the team (the card is re-sent)."""
    due = (
        await Order.filter(status=OrderStatus.PENDING, callback_at__lte=clock.now())
        .order_by("callback_at")
        .limit(limit)
    )
    done = 0
    for order in due:
        done += await _system_touch(
            order, record_callback_due, "order.callback_due", callback_at=None
        )
    return done


async def expire_claims(limit: int = 100) -> int:
    """Claims past their time are released so someone else can call."""
    expired = await Order.filter(
        status=OrderStatus.PENDING, claim_expires_at__lte=clock.now(), claimed_by_id__not=""
    ).limit(limit)
    done = 0
    for order in expired:
        done += await _system_touch(
            order,
            record_claim_expired,
            "order.claim_expired",
            claimed_by_id="",
            claimed_by_name="",
            claim_expires_at=None,
        )
    return done
