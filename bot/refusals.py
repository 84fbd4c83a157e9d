"""What a person is told when the domain refuses what they pressed or typed (plain text:
callback answers are not HTML; escape it before putting it in a message)."""

from __future__ import annotations

from bot.i18n import STATUS
from i18n import Translator
from models.errors import (
    ClaimedByOther,
    ConcurrentChange,
    DomainError,
    IllegalTransition,
    InsufficientStock,
)


def refusal(exc: DomainError, _: Translator) -> str:
    """What the pressing person is told when the domain refuses."""
    if isinstance(exc, ConcurrentChange):
        return _(
            "#%(number)s was just changed by %(name)s (now %(status)s).",
            number=exc.number,
            name=exc.actor_name,
            status=_(STATUS.get(exc.status, exc.status)),
        )
    if isinstance(exc, InsufficientStock):
        short = ", ".join(f"{s.label or s.sku} ({s.available}/{s.wanted})" for s in exc.shortages)
        return _("Not enough stock: %(items)s", items=short)
    if isinstance(exc, ClaimedByOther):
        return _("%(name)s is already calling this customer.", name=exc.name)
    if isinstance(exc, IllegalTransition):
        return _(
            "Not possible now: the order is %(status)s.",
            status=_(STATUS.get(exc.current, exc.current)),
        )
    return _("That did not work: %(reason)s", reason=str(exc))
