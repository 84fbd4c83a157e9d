"""The ZR Express (new platform) adapter driven against the fake platform (no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from couriers.base import (
    CourierAuthError,
    CourierRejected,
    CourierUnavailable,
    CreatedParcel,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
)
from couriers.http import Quota
from couriers.zrexpress import ZrExpressCourier, parse_webhook, verify_webhook
from couriers.zrexpress_statuses import state_status
from tests.couriers.fake_zrexpress import FakeZrExpress, tid

S = ParcelStatus

# Every state reference/couriers.md §6.4 lists ("Collected/Encaissé" is two names).
REFERENCE_STATES = {
    "OrderReceived": S.CREATED,
    "InProcessing": S.CREATED,
    "ConfirmationCall": S.CREATED,
    "OrderConfirmed": S.CREATED,
    "InPreparation": S.PENDING_PICKUP,
    "ReadyToDispatch": S.PENDING_PICKUP,
    "ConfirmedAtBranch": S.PICKED_UP,
    "Dispatched": S.IN_TRANSIT,
    "InterWilayaTransit": S.IN_TRANSIT,
    "InDelivery": S.OUT_FOR_DELIVERY,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "Delivered": S.DELIVERED,
    "Collected": S.DELIVERED,
    "Encaissé": S.DELIVERED,
    "FailedDelivery": S.DELIVERY_ATTEMPTED,
    "OrderRefused": S.DELIVERY_ATTEMPTED,  # refused at the door: the team is alerted
    "InReturn": S.IN_TRANSIT,  # on its way back: no stock restored yet
    "Returned": S.RETURNED,
    "ReturnConfirmed": S.RETURNED,
    "Cancelled": S.CANCELLED,
    "ReadyForPickup": S.AT_HUB,
    "WaitingClient": S.AT_HUB,
}
SECRET = "whsec_" + base64.b64encode(b"zr-webhook-signing-key-32-bytes!").decode()
DESK = tid("Point relais Alger Centre")

FAST = Quota({1.0: 1000})  # the fake has no quota; the real rate would slow the suite


def parcel(reference: str = "HN-7-1001", **changes: object) -> ParcelRequest:
    base = ParcelRequest(
        reference=reference,
        recipient_name="Karim Haddad",
        phone="0661234567",
        address="5 rue Larbi Ben M'hidi",
        wilaya_code_58=16,
        wilaya_name="Alger",
        commune_name="Bab El Oued",
        delivery_type="home",
        products="Sac cuir",
        quantity=2,
        goods_value=6000,
        delivery_fee=400,
        cod_amount=6400,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZrExpress]:
    async with FakeZrExpress() as server:
        yield server


@pytest.fixture
async def courier(fake: FakeZrExpress) -> AsyncIterator[ZrExpressCourier]:
    courier = ZrExpressCourier(fake.account(), timeout=httpx.Timeout(2.0), quota=FAST)
    courier.tracking_wait = 0.01
    yield courier
    await courier.aclose()


def states_of(fake: FakeZrExpress) -> list[str]:
    return [p["state"]["name"] for p in fake.parcels.values()]


async def test_credentials_accepted_and_refused(fake: FakeZrExpress) -> None:
    good = ZrExpressCourier(fake.account())
    bad = ZrExpressCourier(fake.account(api_key="stolen"))
    await good.test_credentials()
    with pytest.raises(CourierAuthError):
        await bad.test_credentials()
    await good.aclose()
    await bad.aclose()


async def test_create_sends_territory_ids_then_makes_the_parcel_ready(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_parcel(parcel())

    (stored,) = fake.parcels.values()
    assert created.tracking == stored["trackingNumber"] == "16-000001-ZR"
    assert created.fee == 400 and created.reference == "HN-7-1001"
    assert stored["state"]["name"] == "ReadyToDispatch"  # not left in OrderReceived
    assert stored["deliveryAddress"]["cityTerritoryId"] == tid("Alger")
    assert stored["deliveryAddress"]["districtTerritoryId"] == tid("16/Bab El Oued")
    assert stored["amount"] == 6400 and stored["externalId"] == "HN-7-1001"
    assert stored["customer"]["phone"]["number1"] == "+213661234567"
    assert stored["orderedProducts"][0] | {} == {
        "productName": "Sac cuir",
        "unitPrice": 3000,
        "quantity": 2,
        "stockType": "none",
    }


async def test_reference_data_is_read_once_per_courier(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    await courier.create_parcel(parcel("HN-1"))
    await courier.create_parcel(parcel("HN-2", commune_name="hydra"))  # folded match
    assert len(fake.paths("POST", "territories/search")) == 1
    assert len(fake.paths("POST", "workflows/search")) == 1


async def test_desk_parcel_goes_to_its_pickup_point(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    await courier.create_parcel(parcel(delivery_type="desk", stopdesk_id=DESK))
    (stored,) = fake.parcels.values()
    assert stored["deliveryType"] == "pickup-point" and stored["hubId"] == DESK

    with pytest.raises(CourierRejected, match="pickup point"):
        await courier.create_parcel(parcel("HN-2", delivery_type="desk"))
    assert len(fake.parcels) == 1


async def test_unknown_commune_is_refused_before_anything_is_created(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    with pytest.raises(CourierRejected, match="Oran"):
        await courier.create_parcel(parcel(commune_name="Oran"))  # Oran is not in Alger
    with pytest.raises(CourierRejected, match="wilaya 58"):
        await courier.create_parcel(parcel(wilaya_code_58=58))
    assert fake.paths("POST", "parcels") == [] and fake.parcels == {}


async def test_courier_refusal_carries_its_field(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    with pytest.raises(CourierRejected, match="phone"):
        await courier.create_parcel(parcel(phone="0212345678"))
    assert fake.parcels == {}


async def test_a_tracking_number_assigned_late_is_waited_for(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.tracking_lag = 2
    created = await courier.create_parcel(parcel())
    assert created.tracking == "16-000001-ZR"


async def test_timeout_after_create_then_found_and_made_ready(fake: FakeZrExpress) -> None:
    hasty = ZrExpressCourier(fake.account(), timeout=httpx.Timeout(0.2))
    fake.stall_create = 1.0
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(parcel())
    assert states_of(fake) == ["OrderReceived"]  # created, second step never ran

    found = await hasty.find_parcel("HN-7-1001")
    await hasty.aclose()

    assert found is not None and found.tracking == "16-000001-ZR"
    assert states_of(fake) == ["ReadyToDispatch"]
    assert len(fake.parcels) == 1


async def test_find_parcel_of_an_unknown_reference_is_none(courier: ZrExpressCourier) -> None:
    assert await courier.find_parcel("HN-never-sent") is None


async def test_bulk_create_keeps_the_successes_of_a_partial_batch(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    requests = [
        parcel("HN-1"),
        parcel("HN-2", phone="0312345678"),  # refused by the courier
        parcel("HN-3", commune_name="Atlantis"),  # refused by us, never sent
        parcel("HN-4"),
    ]
    outcomes = await courier.create_many(requests)

    assert isinstance(outcomes[0], CreatedParcel) and isinstance(outcomes[3], CreatedParcel)
    assert isinstance(outcomes[1], CourierRejected) and "phone" in str(outcomes[1])
    assert isinstance(outcomes[2], CourierRejected) and "Atlantis" in str(outcomes[2])
    assert len(fake.paths("POST", "parcels/bulk")[0]["parcels"]) == 3
    assert states_of(fake) == ["ReadyToDispatch", "ReadyToDispatch"]


async def test_track_many_searches_a_hundred_at_a_time(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_many([parcel(f"HN-{n}") for n in range(150)])
    trackings = [c.tracking for c in created if isinstance(c, CreatedParcel)]
    fake.advance(trackings[7], "OutForDelivery")

    states = await courier.track_many([*trackings, "99-NOPE-ZR"])

    filters = [s["advancedFilter"]["filters"] for s in fake.paths("POST", "parcels/search")]
    by_tracking = [len(f) for f in filters if f[0]["field"] == "trackingNumber"]
    assert by_tracking == [100, 51]
    assert not [c for c in fake.calls if c[0] == "GET"]  # tracking numbers read by search
    assert set(states) == set(trackings)
    assert states[trackings[7]].status is S.OUT_FOR_DELIVERY
    assert states[trackings[8]].status is S.PENDING_PICKUP


@pytest.mark.parametrize(("raw", "expected"), REFERENCE_STATES.items())
def test_every_reference_state_maps_exactly(raw: str, expected: ParcelStatus) -> None:
    assert state_status(raw) is expected


async def test_states_read_through_the_platform_keep_the_situation(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    outcomes = await courier.create_many([parcel(f"HN-{n}") for n in range(len(REFERENCE_STATES))])
    created = [c for c in outcomes if isinstance(c, CreatedParcel)]
    trackings = {c.tracking: raw for c, raw in zip(created, REFERENCE_STATES, strict=True)}
    for tracking, raw in trackings.items():
        fake.advance(tracking, raw, situation="Appel 1 sans réponse")

    states = await courier.track_many(list(trackings))

    assert {trackings[t]: s.status for t, s in states.items()} == REFERENCE_STATES
    assert {s.raw_reason for s in states.values()} == {"Appel 1 sans réponse"}


async def test_unknown_state_stays_unknown_and_is_logged(
    fake: FakeZrExpress, courier: ZrExpressCourier, caplog: pytest.LogCaptureFixture
) -> None:
    created = await courier.create_parcel(parcel())
    fake.advance(created.tracking, "LostInSahara")
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.UNKNOWN
    assert "LostInSahara" in caplog.text


async def test_history_lists_every_state_in_order(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_parcel(parcel())
    for state in ("Dispatched", "OutForDelivery", "FailedDelivery", "Delivered"):
        fake.advance(created.tracking, state)

    history = await courier.history(created.tracking)

    assert [h.raw_status for h in history] == [
        "OrderReceived",
        "ReadyToDispatch",
        "Dispatched",
        "OutForDelivery",
        "FailedDelivery",
        "Delivered",
    ]
    assert history[-1].status is S.DELIVERED and history[-1].at is not None


async def test_label_bytes_downloaded_without_our_credentials(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_parcel(parcel())
    label = await courier.label(created.tracking)

    assert label is not None and created.tracking.encode() in label.content
    assert label.content_type == "text/html"
    assert fake.file_headers and "X-Api-Key" not in fake.file_headers[0]
    with pytest.raises(ParcelNotFound):
        await courier.label("99-NOPE-ZR")


async def test_cancel_before_pickup_only(fake: FakeZrExpress, courier: ZrExpressCourier) -> None:
    first = await courier.create_parcel(parcel("HN-1"))
    second = await courier.create_parcel(parcel("HN-2"))
    fake.advance(second.tracking, "Dispatched")

    await courier.cancel(first.tracking)
    with pytest.raises(CourierRejected, match="picked up"):
        await courier.cancel(second.tracking)
    with pytest.raises(ParcelNotFound):
        await courier.cancel("99-NOPE-ZR")
    assert [p["externalId"] for p in fake.parcels.values()] == ["HN-2"]


async def test_429_waits_for_retry_after(fake: FakeZrExpress, courier: ZrExpressCourier) -> None:
    fake.throttle = [0.3]
    started = time.monotonic()
    await courier.test_credentials()
    assert time.monotonic() - started >= 0.3
    assert len(fake.calls) == 2


async def test_reference_data(courier: ZrExpressCourier) -> None:
    wilayas = await courier.wilayas()
    communes = await courier.communes(16)
    desks = await courier.stop_desks()
    oran_desks = await courier.stop_desks(31)
    fees = {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()}

    assert [(w.code_58, w.name) for w in wilayas] == [(9, "Blida"), (16, "Alger"), (31, "Oran")]
    assert [(c.name, c.courier_id, c.has_stop_desk) for c in communes] == [
        ("Alger Centre", tid("16/Alger Centre"), True),
        ("Bab El Oued", tid("16/Bab El Oued"), False),
        ("Hydra", tid("16/Hydra"), False),
    ]
    assert [(d.id, d.wilaya_code_58, d.commune_name) for d in desks] == [
        (DESK, 16, "Alger Centre"),
        (tid("Point relais Oran"), 31, "Oran"),
    ]
    assert [d.name for d in oran_desks] == ["Point relais Oran"]
    assert fees == {16: (400, 250), 31: (700, None)}  # the Hydra commune row is not a wilaya


# --- webhooks ------------------------------------------------------------------------------


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None, prefix: str = "svix-"):
    msg_id, stamp = "msg_2fYb1", str(int(time.time()) if at is None else at)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    signature = "v1," + base64.b64encode(digest).decode()
    return {f"{prefix}id": msg_id, f"{prefix}timestamp": stamp, f"{prefix}signature": signature}


EVENT = json.dumps(
    {
        "eventType": "parcel.state.updated",
        "occurredAt": "2026-11-26T14:03:00Z",
        "data": {"id": "p-1", "externalId": "HN-7-1001", "trackingNumber": "16-000001-ZR",
                 "state": {"id": "s-1", "name": "Delivered"}},
    }
).encode()  # fmt: skip


def test_svix_documentation_vector_verifies() -> None:
    headers = {
        "svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "svix-timestamp": "1614265330",
        "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert verify_webhook(secret, headers, b'{"test": 2432232314}', now=1614265330)


def test_webhook_signatures_accepted_and_refused() -> None:
    assert verify_webhook(SECRET, signed(EVENT), EVENT)
    assert verify_webhook(SECRET, signed(EVENT, prefix="webhook-"), EVENT)
    assert not verify_webhook(SECRET, signed(EVENT), EVENT.replace(b"Delivered", b"Returned"))
    other = "whsec_" + base64.b64encode(b"another-key").decode()
    assert not verify_webhook(SECRET, signed(EVENT, secret=other), EVENT)
    assert not verify_webhook(SECRET, signed(EVENT, at=int(time.time()) - 600), EVENT)
    assert not verify_webhook(SECRET, {}, EVENT)
    assert not verify_webhook("whsec_not base64!", signed(EVENT), EVENT)


def test_any_listed_signature_may_match() -> None:
    headers = signed(EVENT)
    headers["svix-signature"] = "v1,AAAA " + headers["svix-signature"] + " v2,BBBB"
    assert verify_webhook(SECRET, headers, EVENT)


def test_webhook_payload_read_as_a_parcel_state() -> None:
    state = parse_webhook(EVENT)
    assert state is not None and state.tracking == "16-000001-ZR"
    assert state.status is S.DELIVERED and state.at is not None and state.at.hour == 14
    assert parse_webhook(b'{"eventType": "parcel.isReturn.updated", "data": {}}') is None
    assert parse_webhook(b"not json") is None
