"""The lifecycle table, checked for every (status, trigger) pair."""

from __future__ import annotations

import itertools

import pytest

from models.errors import IllegalTransition
from models.orders import lifecycle
from models.orders.lifecycle import (
    TERMINAL,
    OrderStatus,
    StockMove,
    Trigger,
    allowed_targets,
    allowed_triggers,
    can_dispatch,
    dispatch_steps,
    next_status,
    stock_move,
    trigger_for,
)

S, T = OrderStatus, Trigger

EXPECTED = {
    (S.PENDING, T.CONFIRM): S.CONFIRMED,
    (S.PENDING, T.CANCEL): S.CANCELLED,
    (S.CONFIRMED, T.PROCESS): S.PROCESSING,
    (S.CONFIRMED, T.CANCEL): S.CANCELLED,
    (S.PROCESSING, T.SHIP): S.SHIPPED,
    (S.PROCESSING, T.CANCEL): S.CANCELLED,
    (S.SHIPPED, T.DELIVER): S.DELIVERED,
    (S.SHIPPED, T.CANCEL): S.CANCELLED,
    (S.SHIPPED, T.RETURN): S.RETURNED,
    (S.DELIVERED, T.RETURN): S.RETURNED,
    (S.SHIPPED, T.WITHDRAW): S.PROCESSING,  # the system's only: parcel deleted at the courier
}


@pytest.mark.parametrize(("status", "trigger"), list(itertools.product(S, T)))
def test_every_pair(status: OrderStatus, trigger: Trigger) -> None:
    expected = EXPECTED.get((status, trigger))
    if expected is None:
        with pytest.raises(IllegalTransition):
            next_status(status, trigger)
    else:
        assert next_status(status, trigger) is expected


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL:
        assert allowed_triggers(status) == []


def test_every_target_but_pending_has_one_trigger() -> None:
    for status in S:
        if status is S.PENDING:
            with pytest.raises(IllegalTransition):
                trigger_for(status)
        else:
            assert (
                next_status(
                    next(s for (s, t) in EXPECTED if t is trigger_for(status)), trigger_for(status)
                )
                is status
            )


@pytest.mark.parametrize(
    ("target", "committed", "move"),
    [
        (S.CONFIRMED, False, StockMove.COMMIT),
        (S.CONFIRMED, True, StockMove.NONE),
        (S.CANCELLED, False, StockMove.NONE),
        (S.CANCELLED, True, StockMove.RESTORE),
        (S.RETURNED, True, StockMove.RESTORE),
        (S.RETURNED, False, StockMove.NONE),
        (S.PROCESSING, True, StockMove.NONE),
        (S.SHIPPED, True, StockMove.NONE),
        (S.DELIVERED, True, StockMove.NONE),
    ],
)
def test_stock_moves(target: OrderStatus, committed: bool, move: StockMove) -> None:
    assert stock_move(target, committed) is move


def test_the_withdrawal_is_never_offered_to_people() -> None:
    assert T.WITHDRAW not in allowed_triggers(S.SHIPPED)
    assert trigger_for(S.PROCESSING) is T.PROCESS  # `{to: processing}` stays confirmed-only
    with pytest.raises(IllegalTransition):
        next_status(S.SHIPPED, trigger_for(S.PROCESSING))


def test_allowed_targets_follow_the_table() -> None:
    assert allowed_targets(S.PENDING) == [S.CONFIRMED, S.CANCELLED]
    assert allowed_targets(S.SHIPPED) == [S.DELIVERED, S.CANCELLED, S.RETURNED]
    assert S.PROCESSING not in allowed_targets(S.SHIPPED)  # the withdrawal is the system's
    for status in TERMINAL:
        assert allowed_targets(status) == []


@pytest.mark.parametrize("status", list(S))
def test_dispatch_reaches_shipped_by_the_table(status: OrderStatus) -> None:
    expected = {S.CONFIRMED: [T.PROCESS, T.SHIP], S.PROCESSING: [T.SHIP]}.get(status)
    assert can_dispatch(status) is (expected is not None)
    if expected is None:
        with pytest.raises(IllegalTransition):
            dispatch_steps(status)
        return
    assert dispatch_steps(status) == expected
    reached = status
    for trigger in expected:
        reached = next_status(reached, trigger)
    assert reached is S.SHIPPED


def test_the_call_desk_and_the_editor_read_their_statuses_off_the_table() -> None:
    calls = {s for s in OrderStatus if lifecycle.awaiting_confirmation(s)}
    editable = {s for s in OrderStatus if lifecycle.before_shipping(s)}
    assert calls == {OrderStatus.PENDING}
    assert editable == {OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING}


def test_the_moves_by_hand_leave_the_call_and_dispatch_to_their_own_paths() -> None:
    S = OrderStatus
    assert {s: lifecycle.moves_by_hand(s) for s in S if lifecycle.moves_by_hand(s)} == {
        S.PENDING: [S.CANCELLED],
        S.CONFIRMED: [S.PROCESSING, S.CANCELLED],
        S.PROCESSING: [S.CANCELLED],
        S.SHIPPED: [S.DELIVERED, S.RETURNED, S.CANCELLED],
        S.DELIVERED: [S.RETURNED],
    }
