"""The no-answer policy (SPEC §3.3): when to call a customer back after an unanswered
call, and when the store gives up. Pure: no I/O; times are aware, shown in Algiers.

A call-back plan is written `1h,3h,10:00`: after the first no-answer call back in one
hour, after the second in three hours, after the third (and later ones) the next day at
10:00 Algiers time. The policy cancels at the store's limit of no-answers, and only once
the first of them is at least `min_hours` old, so a customer busy for an afternoon still
gets called the next day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.errors import InvalidInput

ALGIERS = ZoneInfo("Africa/Algiers")
DEFAULT_PLAN = "1h,3h,10:00"
MAX_STEPS = 6
_HOURS = re.compile(r"([0-9]{1,2})h")
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Step:
    """Either `hours` after the call, or the next day at `at` (Algiers)."""

    hours: int = 0
    at: time | None = None

    def after(self, moment: datetime) -> datetime:
        if self.at is None:
            return moment + timedelta(hours=self.hours)
        day = moment.astimezone(ALGIERS).date() + timedelta(days=1)
        return datetime.combine(day, self.at, tzinfo=ALGIERS)

    def __str__(self) -> str:
        return f"{self.at:%H:%M}" if self.at is not None else f"{self.hours}h"


def parse_plan(text: str) -> tuple[Step, ...]:
    """`1h,3h,10:00` → its steps; InvalidInput when a step is neither `<1–48>h` nor a
    clock time, or there are none or more than MAX_STEPS."""
    parts = [p.strip().lower() for p in text.replace(" ", "").split(",") if p.strip()]
    if not parts or len(parts) > MAX_STEPS:
        raise InvalidInput(f"callback_plan: 1 to {MAX_STEPS} steps such as {DEFAULT_PLAN}")
    steps = []
    for part in parts:
        hours, clock = _HOURS.fullmatch(part), _CLOCK.fullmatch(part)
        if hours and 1 <= int(hours.group(1)) <= 48:
            steps.append(Step(hours=int(hours.group(1))))
        elif clock:
            steps.append(Step(at=time(int(clock.group(1)), int(clock.group(2)))))
        else:
            raise InvalidInput(f"callback_plan: {part!r} is neither like 3h nor like 10:00")
    return tuple(steps)


def plan_text(steps: tuple[Step, ...]) -> str:
    return ",".join(str(s) for s in steps)


def next_call(plan: str, unanswered: int, moment: datetime) -> datetime:
    """When to call back after the `unanswered`-th unanswered call made at `moment` (the
    last step repeats). A stored plan that no longer parses falls back to the default."""
    try:
        steps = parse_plan(plan)
    except InvalidInput:
        steps = parse_plan(DEFAULT_PLAN)
    return steps[min(max(unanswered, 1), len(steps)) - 1].after(moment)


@dataclass(frozen=True, slots=True)
class NoAnswerDecision:
    cancel: bool
    # The next call-back (None when cancelling).
    callback_at: datetime | None


def after_no_answer(
    *,
    plan: str,
    limit: int,
    min_hours: int,
    no_answers: int,
    first_at: datetime,
    moment: datetime,
) -> NoAnswerDecision:
    """After the `no_answers`-th no-answer (the first at `first_at`, this one at
    `moment`): cancel when the limit is reached over at least `min_hours`; otherwise the
    next call-back — never before the span is covered once the limit is reached, so the
    last attempt falls after it."""
    span_over = moment - first_at >= timedelta(hours=min_hours)
    if 0 < limit <= no_answers and span_over:
        return NoAnswerDecision(True, None)
    when = next_call(plan, no_answers, moment)
    if 0 < limit <= no_answers + 1:  # the next call may be the last one
        when = max(when, first_at + timedelta(hours=min_hours))
    return NoAnswerDecision(False, when)
