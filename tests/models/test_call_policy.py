"""The no-answer policy and the call-back plan (models.calls.policy), table-tested."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.calls.policy import Step, after_no_answer, next_call, parse_plan, plan_text
from models.errors import InvalidInput

ALGIERS = ZoneInfo("Africa/Algiers")
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=ALGIERS)


def test_a_plan_reads_hours_and_clock_times() -> None:
    steps = parse_plan(" 1h, 3H ,10:00")
    assert steps == (Step(hours=1), Step(hours=3), Step(at=datetime(2026, 1, 1, 10).time()))
    assert plan_text(steps) == "1h,3h,10:00"


@pytest.mark.parametrize("bad", ["", "0h", "49h", ",", "1h,soon", "25:00", "1h,2h,3h,4h,5h,6h,7h"])
def test_a_bad_plan_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_plan(bad)


@pytest.mark.parametrize(
    ("unanswered", "moment", "expected"),
    [
        (1, T0, T0 + timedelta(hours=1)),
        (2, T0, T0 + timedelta(hours=3)),
        (3, T0, datetime(2026, 12, 8, 10, 0, tzinfo=ALGIERS)),
        (7, T0, datetime(2026, 12, 8, 10, 0, tzinfo=ALGIERS)),  # the last step repeats
        (0, T0, T0 + timedelta(hours=1)),
        # 23:30 Algiers is 22:30 UTC: "the next day" is the Algiers one.
        (
            3,
            datetime(2026, 12, 7, 22, 30, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 12, 8, 10, 0, tzinfo=ALGIERS),
        ),
    ],
)
def test_the_next_call_follows_the_plan(
    unanswered: int, moment: datetime, expected: datetime
) -> None:
    assert next_call("1h,3h,10:00", unanswered, moment) == expected


def test_a_stored_plan_that_no_longer_parses_falls_back_to_the_default() -> None:
    assert next_call("garbage", 1, T0) == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    ("limit", "min_hours", "no_answers", "since_first", "cancel", "callback"),
    [
        # No policy: always the next call by the plan.
        (0, 24, 5, timedelta(days=3), False, timedelta(days=1)),
        # Under the limit: the plan.
        (3, 24, 1, timedelta(0), False, timedelta(hours=1)),
        # The next call may be the last: not before the span is covered.
        (3, 24, 2, timedelta(hours=1), False, timedelta(hours=23)),
        # At the limit but too soon: one more call, once the span is covered.
        (3, 24, 3, timedelta(hours=4), False, timedelta(hours=20)),
        # At the limit over the span: cancel.
        (3, 24, 3, timedelta(hours=24), True, None),
        (3, 24, 4, timedelta(hours=30), True, None),
        # No minimum span: cancel at the limit.
        (2, 0, 2, timedelta(0), True, None),
    ],
)
def test_the_policy_cancels_only_at_the_limit_over_the_span(
    limit: int,
    min_hours: int,
    no_answers: int,
    since_first: timedelta,
    cancel: bool,
    callback: timedelta | None,
) -> None:
    moment = T0 + since_first
    decision = after_no_answer(
        plan="1h,3h,10:00",
        limit=limit,
        min_hours=min_hours,
        no_answers=no_answers,
        first_at=T0,
        moment=moment,
    )
    assert decision.cancel is cancel
    if callback is None:
        assert decision.callback_at is None
    else:
        assert decision.callback_at is not None
        assert decision.callback_at - moment == callback
