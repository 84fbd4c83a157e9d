"""The delivery-fee rule (models.shipping.fees), the one the checkout and the order form
both apply: allowed list, fee row, home or stop desk."""

from __future__ import annotations

import pytest

from models.shipping.fees import FeeRow, NoFee, delivery_fee, lookup_fee, served_wilayas

TABLE = {16: FeeRow(400, 250), 31: FeeRow(600, None), 33: FeeRow(None, None)}


@pytest.mark.parametrize(
    ("wilaya", "kind", "allowed", "fee"),
    [
        (16, "home", (), 400),
        (16, "desk", (), 250),
        (31, "home", (), 600),
        (16, "home", (16, 31), 400),
        (31, "home", (16, 31), 600),
    ],
)
def test_the_fee_of_a_wilaya_and_type(
    wilaya: int, kind: str, allowed: tuple[int, ...], fee: int
) -> None:
    assert delivery_fee(TABLE, wilaya, kind, allowed) == fee
    assert lookup_fee(TABLE, wilaya, kind, allowed) == fee


@pytest.mark.parametrize(
    ("wilaya", "kind", "allowed", "field", "code"),
    [
        (None, "home", (), "wilaya", "not_served"),
        (5, "home", (), "wilaya", "not_served"),  # no fee row
        (16, "home", (31,), "wilaya", "not_served"),  # outside the allowed list
        (31, "desk", (), "delivery_type", "not_offered"),
        (33, "home", (), "delivery_type", "not_offered"),
        (16, "drone", (), "delivery_type", "not_offered"),
    ],
)
def test_no_fee_says_what_to_change(
    wilaya: int | None, kind: str, allowed: tuple[int, ...], field: str, code: str
) -> None:
    with pytest.raises(NoFee) as no:
        delivery_fee(TABLE, wilaya, kind, allowed)
    assert (no.value.field, no.value.code) == (field, code)
    assert lookup_fee(TABLE, wilaya, kind, allowed) is None


def test_served_wilayas_offer_one_way_or_another_within_the_allowed_list() -> None:
    assert sorted(served_wilayas(TABLE)) == [16, 31]
    assert sorted(served_wilayas(TABLE, (31, 33, 40))) == [31]
