"""Cancel reasons (models.orders.cancellation) and courier names (models.shipping.courier_names)."""

from __future__ import annotations

import pytest

from models.calls.outcomes import CANCELLING
from models.errors import InvalidInput
from models.orders.cancellation import (
    OUTCOME_REASON,
    POLICY_REASON,
    REASONS,
    Cancellation,
    cancellation,
)
from models.shipping.courier_names import courier_display_name, tracking_url


@pytest.mark.parametrize(
    ("reason", "note", "expected"),
    [
        ("price", "", Cancellation("price")),
        ("price", "  trop cher ", Cancellation("price", "trop cher")),
        ("other", "a changé d'avis", Cancellation("other", "a changé d'avis")),
        (None, "client injoignable", Cancellation("other", "client injoignable")),
    ],
)
def test_a_cancellation_says_why(reason: str | None, note: str, expected: Cancellation) -> None:
    assert cancellation(reason, note) == expected


@pytest.mark.parametrize(
    ("reason", "note"), [("other", ""), (None, " "), ("changed_mind", ""), ("price", "x" * 301)]
)
def test_a_cancellation_without_a_reason_is_refused(reason: str | None, note: str) -> None:
    with pytest.raises(InvalidInput):
        cancellation(reason, note)


def test_every_cancelling_outcome_and_the_policy_have_a_reason() -> None:
    assert set(OUTCOME_REASON) == set(CANCELLING)
    assert set(OUTCOME_REASON.values()) | {POLICY_REASON} <= set(REASONS)


@pytest.mark.parametrize(
    ("code", "name"),
    [("yalidine", "Yalidine"), ("zrexpress", "ZR Express"), ("ecotrack", "EcoTrack"), ("x", "x")],
)
def test_couriers_show_by_their_name(code: str, name: str) -> None:
    assert courier_display_name(code) == name


def test_a_tracking_link_only_where_the_courier_has_a_public_page() -> None:
    assert tracking_url("yalidine", "yal-AB 12") == (
        "https://yalidine.com/suivre-un-colis/?tracking=yal-AB%2012"
    )
    assert tracking_url("procolis", "P-1") is None
    assert tracking_url("yalidine", "") is None
