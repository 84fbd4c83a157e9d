"""Why an order was cancelled: the reasons a team picks from, and the reason each call
outcome or policy implies. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from models.errors import InvalidInput

# In the order the team is offered them (the bot's Cancel ▸ menu, the API's `reason`).
CancelReason = Literal[
    "customer_refused",
    "unreachable",
    "fake",
    "duplicate",
    "out_of_stock",
    "price",
    "delay",
    "other",
]
REASONS: tuple[str, ...] = get_args(CancelReason)
MAX_NOTE = 300
# Call outcomes that cancel, and the reason they stand for.
OUTCOME_REASON = {
    "customer_cancelled": "customer_refused",
    "fake": "fake",
    "duplicate": "duplicate",
}
# The store's no-answer policy cancels an order nobody could reach.
POLICY_REASON = "unreachable"


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A reason code from REASONS and the words typed with it (needed for `other`)."""

    reason: str
    note: str = ""


def cancellation(reason: str | None, note: str = "") -> Cancellation:
    """The cancellation a person asked for; InvalidInput names what is wrong (an unknown
    reason, `other` without words, words too long). No reason given reads as `other`
    with the words, so an old client that only sends a note still says why."""
    note = (note or "").strip()
    code = (reason or "other").strip()
    if code not in REASONS:
        raise InvalidInput(f"reason: one of {', '.join(REASONS)}")
    if code == "other" and not note:
        raise InvalidInput("note: say why the order is cancelled (reason other)")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"note: at most {MAX_NOTE} characters")
    return Cancellation(code, note)
