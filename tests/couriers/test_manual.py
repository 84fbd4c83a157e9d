"""The manual courier: the merchant types the tracking number; nothing is sent anywhere."""

from __future__ import annotations

import pytest

from couriers.base import Account, CourierRejected, NotSupported, ParcelRequest
from couriers.manual import ManualCourier, make

REQUEST = ParcelRequest(
    reference="HN-7-1001",
    recipient_name="Yacine Merabet",
    phone="0551234567",
    address="Rue des Frères Bouadou",
    wilaya_code_58=31,
    wilaya_name="Oran",
    commune_name="Oran",
    delivery_type="home",
    products="Montre",
    quantity=1,
    goods_value=4200,
    delivery_fee=600,
    cod_amount=4800,
)


@pytest.fixture
def courier() -> ManualCourier:
    return make(Account(courier="manual", base_url="", credentials={"carrier": "Guepex"}))


def test_capabilities_tell_dispatch_to_ask_for_the_tracking(courier: ManualCourier) -> None:
    caps = courier.capabilities
    assert (caps.create_batch, caps.track_batch, caps.labels, caps.cancel) == (0, 0, "none", False)


async def test_create_is_not_offered_but_recording_answers_a_parcel(
    courier: ManualCourier,
) -> None:
    with pytest.raises(NotSupported):
        await courier.create_parcel(REQUEST)

    parcel = courier.record_parcel(REQUEST, "  16-JUKYSI-ZR ")

    assert (parcel.tracking, parcel.reference) == ("16-JUKYSI-ZR", "HN-7-1001")
    assert parcel.raw["carrier"] == "Guepex" and parcel.label_url is None
    assert await courier.find_parcel("HN-7-1001") is None


@pytest.mark.parametrize(
    "typed", ["", "   ", "ab", "16 JUK YSI", "yal-8F2K1Q;drop", "x" * 65, "-abc"]
)
def test_a_typed_number_that_cannot_be_a_tracking_is_refused(
    courier: ManualCourier, typed: str
) -> None:
    with pytest.raises(CourierRejected):
        courier.record_parcel(REQUEST, typed)


@pytest.mark.parametrize("typed", ["yal-8F2K1Q", "ZR00001234", "100001", "ECO/2026/77", "a_b.c"])
def test_real_tracking_shapes_are_accepted(courier: ManualCourier, typed: str) -> None:
    assert courier.record_parcel(REQUEST, typed).tracking == typed


async def test_nothing_to_poll_print_or_cancel(courier: ManualCourier) -> None:
    await courier.test_credentials()
    for call in (
        courier.track_many(["ZR00001234"]),
        courier.history("ZR00001234"),
        courier.label("ZR00001234"),
        courier.cancel("ZR00001234"),
        courier.wilayas(),
        courier.communes(31),
        courier.stop_desks(),
        courier.fees(),
    ):
        with pytest.raises(NotSupported):
            await call
    await courier.aclose()
