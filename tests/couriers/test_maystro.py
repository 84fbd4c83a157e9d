"""The Maystro adapter driven against the fake Maystro API (no database)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from couriers.base import (
    Account,
    CourierAuthError,
    CourierError,
    CourierRateLimited,
    CourierRejected,
    CourierUnavailable,
    NotSupported,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
)
from couriers.http import Quota
from couriers.maystro import MaystroCourier, parse_webhook
from couriers.maystro_statuses import code_status
from tests.couriers.fake_maystro import COMMUNES, WILAYAS, FakeMaystro

S = ParcelStatus

# Every code reference/couriers.md §7.4 lists.
REFERENCE_CODES = {
    4: S.CREATED,
    5: S.PENDING_PICKUP,
    6: S.PICKED_UP,
    8: S.AT_HUB,
    9: S.IN_TRANSIT,
    10: S.IN_TRANSIT,  # the return on its way: no stock restored yet
    11: S.ON_HOLD,
    12: S.ON_HOLD,
    15: S.AT_HUB,
    22: S.OUT_FOR_DELIVERY,
    31: S.OUT_FOR_DELIVERY,
    32: S.DELIVERY_ATTEMPTED,
    41: S.DELIVERED,
    42: S.ON_HOLD,
    50: S.CANCELLED,
    51: S.AT_HUB,  # waiting at Maystro's hub to go back
    52: S.RETURNED,  # back with the merchant
    53: S.LOST,
}
FAST = Quota({1.0: 1000})  # the fake has no quota; the real rate would slow the suite


def parcel(reference: str = "HN-7-1001", **changes: object) -> ParcelRequest:
    base = ParcelRequest(
        reference=reference,
        recipient_name="Nadia Ouali",
        phone="0771234567",
        address="Cité 200 logements, bt 4",
        wilaya_code_58=16,
        wilaya_name="Alger",
        commune_name="Bab El Oued",
        delivery_type="home",
        products="Parfum 50 ml",
        quantity=1,
        goods_value=3500,
        delivery_fee=450,
        cod_amount=3950,
        note="Appeler avant",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def base_order() -> dict[str, object]:
    """An order body as the contract describes it (to seed the fake directly)."""
    products = [{"quantity": 1, "logistical_description": "Parfum"}]
    return {"wilaya": 16, "commune": 502, "customer_name": "Nadia Ouali",
            "customer_phone": "0771234567", "product_price": 3950, "delivery_type": 0,
            "products": products, "source": 4}  # fmt: skip


def customers(count: int) -> list[ParcelRequest]:
    """Distinct customers, since Maystro takes one order per customer a day."""
    return [parcel(f"HN-{n}", phone=f"06600000{n:02d}") for n in range(count)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeMaystro]:
    async with FakeMaystro() as server:
        yield server


@pytest.fixture
async def courier(fake: FakeMaystro) -> AsyncIterator[MaystroCourier]:
    courier = MaystroCourier(fake.account(), timeout=httpx.Timeout(2.0), quota=FAST)
    yield courier
    await courier.aclose()


async def test_credentials_accepted_and_refused(fake: FakeMaystro) -> None:
    good = MaystroCourier(fake.account())
    bad = MaystroCourier(fake.account(token="expired"))
    await good.test_credentials()
    with pytest.raises(CourierAuthError):
        await bad.test_credentials()
    await good.aclose()
    await bad.aclose()


async def test_create_sends_maystro_commune_id_and_cod_with_delivery(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    created = await courier.create_parcel(parcel())

    (order,) = fake.orders.values()
    assert created.tracking == "100001" == str(order["display_id"])
    assert created.fee == 500 and created.reference == "HN-7-1001"
    assert (order["wilaya"], order["commune"], order["delivery_type"]) == (16, 502, 0)
    assert order["product_price"] == 3950  # goods + delivery, collected at the door
    assert order["external_order_id"] == "HN-7-1001" and order["source"] == 4
    assert order["note_to_driver"] == "Appeler avant"


async def test_desk_order_on_a_0_1_account_is_refused_as_2_then_sent_as_1(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    await courier.create_parcel(parcel(delivery_type="desk", stopdesk_id="77"))
    (order,) = fake.orders.values()
    assert fake.kind_of(order) == "desk" and order["stop_desk_id"] == "77"
    sent = [body["delivery_type"] for body, _ in fake.paths("POST", "stores/orders/")]
    assert sent == [2, 1]  # 2 means desk only in the other coding: refused, nothing made

    await courier.create_parcel(parcel("HN-2", phone="0661111111", delivery_type="desk"))
    sent = [body["delivery_type"] for body, _ in fake.paths("POST", "stores/orders/")]
    assert sent == [2, 1, 1]  # learned: no second refusal
    assert [fake.kind_of(o) for o in fake.orders.values()] == ["desk", "desk"]


async def test_an_account_on_the_1_2_coding_is_detected_without_misdelivery() -> None:
    async with FakeMaystro(coding="1/2") as fake:
        courier = MaystroCourier(fake.account(), timeout=httpx.Timeout(2.0), quota=FAST)
        await courier.create_parcel(parcel("HN-1"))
        await courier.create_parcel(parcel("HN-2", phone="0661111111", delivery_type="desk"))
        await courier.aclose()
        sent = [body["delivery_type"] for body, _ in fake.paths("POST", "stores/orders/")]
        assert sent == [0, 1, 2]  # home 0 refused, then 1; desk straight as 2
        assert [fake.kind_of(o) for o in fake.orders.values()] == ["home", "desk"]


async def test_a_create_answer_without_display_id_is_read_back_not_refused(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    fake.create_answer = lambda order: {"id": order["id"], "status": 4}
    created = await courier.create_parcel(parcel())
    assert created.tracking == "100001" and len(fake.orders) == 1
    assert fake.paths("GET", f"stores/orders/{created.raw['id']}/")


async def test_an_order_that_never_shows_a_display_id_is_tracked_by_its_uuid(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    stored = fake.seed({**base_order(), "external_order_id": "HN-9"})
    del stored["display_id"]  # an order as an unexpected list row would show it

    found = await courier.find_parcel("HN-9")  # no KeyError on the retry's lookup

    assert found is not None and found.tracking == stored["id"]
    fake.set_status_by_id(stored["id"], 41)
    states = await courier.track_many([found.tracking])
    assert states[found.tracking].status is S.DELIVERED


async def test_an_unreadable_create_answer_is_unavailable_and_the_retry_finds_the_order(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    fake.create_answer = lambda order: ["créé"]
    with pytest.raises(CourierUnavailable, match="créé"):
        await courier.create_parcel(parcel())
    fake.create_answer = None

    found = await courier.find_parcel("HN-7-1001")  # what the channel asks before retrying

    assert found is not None and found.tracking == "100001"
    assert len(fake.orders) == 1


async def test_long_texts_are_cut_to_what_maystro_takes(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    await courier.create_parcel(parcel(note="Appeler " * 60, address="Cité " * 80))
    (order,) = fake.orders.values()
    assert len(order["note_to_driver"]) == 255 and len(order["destination_text"]) == 255


async def test_missing_fields_are_refused_by_maystro(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    with pytest.raises(CourierRejected, match="customer_name"):
        await courier.create_parcel(parcel(recipient_name="  "))
    assert fake.orders == {}


async def test_bad_input_refused_before_anything_is_created(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    with pytest.raises(CourierRejected, match="Bir El Djir"):
        await courier.create_parcel(parcel(commune_name="Bir El Djir"))  # Oran's, not Alger's
    with pytest.raises(CourierRejected, match="wilaya 59"):
        await courier.create_parcel(parcel(wilaya_code_58=59))
    with pytest.raises(CourierRejected, match="delivery type"):
        await courier.create_parcel(parcel(delivery_type="express"))
    assert fake.paths("POST", "stores/orders/") == []


async def test_courier_refusal_names_the_field(fake: FakeMaystro, courier: MaystroCourier) -> None:
    with pytest.raises(CourierRejected, match="customer_phone"):
        await courier.create_parcel(parcel(phone="055 12"))  # 9–10 digits wanted
    assert fake.orders == {}


async def test_same_day_rule_repeats_answer_our_order_and_refuse_another(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    first = await courier.create_parcel(parcel("HN-1"))
    again = await courier.create_parcel(parcel("HN-1"))
    assert again.tracking == first.tracking

    with pytest.raises(CourierRejected, match="aujourd'hui"):
        await courier.create_parcel(parcel("HN-2"))  # same customer, another order
    assert len(fake.orders) == 1


async def test_timeout_after_create_then_found_by_reference(fake: FakeMaystro) -> None:
    hasty = MaystroCourier(fake.account(), timeout=httpx.Timeout(0.2), quota=FAST)
    fake.stall_create = 1.0
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(parcel())

    found = await hasty.find_parcel("HN-7-1001")
    retried = await hasty.create_parcel(parcel())
    await hasty.aclose()

    assert found is not None and found.tracking == "100001"
    assert retried.tracking == found.tracking
    assert len(fake.orders) == 1


async def test_find_parcel_of_an_unknown_reference_is_none(courier: MaystroCourier) -> None:
    assert await courier.find_parcel("HN-never-sent") is None


async def test_track_many_reads_each_order_and_skips_unknown_ones(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    created = [await courier.create_parcel(p) for p in customers(25)]
    fake.set_status(created[3].tracking, 41)
    trackings = [c.tracking for c in created]
    before = len(fake.paths("GET", "stores/orders/"))

    states = await courier.track_many([*trackings, "999999"])

    assert len(fake.paths("GET", "stores/orders/")) - before == 26
    assert set(states) == set(trackings)
    assert states[trackings[3]].status is S.DELIVERED and states[trackings[3]].raw_status == "41"
    assert states[trackings[4]].status is S.CREATED


@pytest.mark.parametrize(("code", "expected"), REFERENCE_CODES.items())
def test_every_reference_code_maps_exactly(code: int, expected: ParcelStatus) -> None:
    assert code_status(code) is expected
    assert code_status(str(code)) is expected  # webhooks may send text


async def test_codes_read_through_the_api(fake: FakeMaystro, courier: MaystroCourier) -> None:
    created = [await courier.create_parcel(p) for p in customers(len(REFERENCE_CODES))]
    codes = {c.tracking: code for c, code in zip(created, REFERENCE_CODES, strict=True)}
    for tracking, code in codes.items():
        fake.set_status(tracking, code)

    states = await courier.track_many(list(codes))

    assert {codes[t]: s.status for t, s in states.items()} == REFERENCE_CODES


async def test_unknown_code_stays_unknown_and_is_logged(
    fake: FakeMaystro, courier: MaystroCourier, caplog: pytest.LogCaptureFixture
) -> None:
    created = await courier.create_parcel(parcel())
    fake.set_status(created.tracking, 99)
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.UNKNOWN
    assert "'99'" in caplog.text


async def test_history_in_order_with_comments(fake: FakeMaystro, courier: MaystroCourier) -> None:
    created = await courier.create_parcel(parcel())
    fake.set_status(created.tracking, 31)
    fake.set_status(created.tracking, 32, comment="Client injoignable")
    fake.set_status(created.tracking, 41)

    history = await courier.history(created.tracking)

    assert [h.raw_status for h in history] == ["4", "31", "32", "41"]
    assert history[2].status is S.DELIVERY_ATTEMPTED
    assert history[2].raw_reason == "Client injoignable"


async def test_label_is_the_v2_pdf_of_the_order(fake: FakeMaystro, courier: MaystroCourier) -> None:
    created = await courier.create_parcel(parcel())
    label = await courier.label(created.tracking)

    assert label is not None and label.content_type == "application/pdf"
    assert label.content.startswith(b"%PDF") and b"Maystro 100001" in label.content
    assert fake.paths("POST", "delivery/starter/starter_bordureau/") == []
    with pytest.raises(ParcelNotFound):
        await courier.label("999999")


async def test_cancel_before_shipping_only(fake: FakeMaystro, courier: MaystroCourier) -> None:
    first, second = [await courier.create_parcel(p) for p in customers(2)]
    fake.set_status(second.tracking, 31)

    await courier.cancel(first.tracking)
    with pytest.raises(CourierRejected, match="expédiée"):
        await courier.cancel(second.tracking)

    assert fake.by_display(first.tracking)["status"] == 50
    assert fake.by_display(second.tracking)["status"] == 31
    states = await courier.track_many([first.tracking])
    assert states[first.tracking].status is S.CANCELLED


async def test_429_waits_for_retry_after(fake: FakeMaystro, courier: MaystroCourier) -> None:
    fake.throttle = [0.3]
    started = time.monotonic()
    await courier.test_credentials()
    assert time.monotonic() - started >= 0.3
    assert len(fake.calls) == 2


async def test_reference_data(fake: FakeMaystro, courier: MaystroCourier) -> None:
    wilayas = await courier.wilayas()
    communes = await courier.communes(31)
    fees = {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()}

    assert [(w.code_58, w.name) for w in wilayas] == [(16, "Alger"), (31, "Oran"), (9, "Blida")]
    assert [(c.name, c.courier_id) for c in communes] == [("Oran", "2101"), ("Bir El Djir", "2102")]
    assert fees == {16: (450, 300), 31: (650, None), 9: (None, None)}  # 404 = no price
    with pytest.raises(NotSupported):
        await courier.stop_desks()


# --- webhooks ------------------------------------------------------------------------------

EVENT = {
    "event": "OrderStatusChanged",
    "payload": {"external_order_id": "HN-7-1001", "status": 41, "display_id_order": 100001},
}


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(EVENT).encode(),
        b64(json.dumps(EVENT).encode()),
        b64(b64(json.dumps(EVENT).encode())),
        json.dumps({"message": {"data": b64(json.dumps(EVENT).encode()).decode()}}).encode(),
    ],
    ids=["json", "base64", "base64-twice", "pubsub-envelope"],
)
def test_webhook_read_in_every_encoding_seen(body: bytes) -> None:
    state = parse_webhook(body)
    assert state is not None
    assert (state.tracking, state.status, state.raw_status) == ("100001", S.DELIVERED, "41")


def test_webhook_without_order_or_status_is_ignored() -> None:
    assert parse_webhook(b"garbage!") is None
    assert parse_webhook(json.dumps({"event": "Ping"}).encode()) is None
    no_status = {"payload": {"display_id_order": 100001}}
    assert parse_webhook(json.dumps(no_status).encode()) is None


async def test_lifecycle_create_track_delivered_returned_label_cancel(
    fake: FakeMaystro, courier: MaystroCourier
) -> None:
    sold, refused, dropped = [await courier.create_parcel(p) for p in customers(3)]
    for code in (15, 22, 41):  # ready at Maystro's hub, with a driver, delivered
        fake.set_status(sold.tracking, code)
    for code in (31, 32, 10, 52):  # refused at the door, travelling back, back with the shop
        fake.set_status(refused.tracking, code)

    states = await courier.track_many([sold.tracking, refused.tracking])
    label = await courier.label(sold.tracking)
    await courier.cancel(dropped.tracking)

    assert states[sold.tracking].status is S.DELIVERED
    assert states[refused.tracking].status is S.RETURNED
    assert [h.status for h in await courier.history(refused.tracking)] == [
        S.CREATED, S.OUT_FOR_DELIVERY, S.DELIVERY_ATTEMPTED, S.IN_TRANSIT, S.RETURNED
    ]  # fmt: skip
    assert label is not None and f"Maystro {sold.tracking}".encode() in label.content
    assert fake.by_display(dropped.tracking)["status"] == 50


async def test_no_published_quota_means_45_a_minute() -> None:
    courier = MaystroCourier(Account("maystro", "http://127.0.0.1:9/api/", {"token": "t"}))
    await courier.aclose()
    assert courier.http.quota is not None and courier.http.quota.windows == {60.0: 45}


async def test_a_quota_header_is_learned(fake: FakeMaystro) -> None:
    courier = MaystroCourier(fake.account())  # the production quota: 45 a minute
    fake.remaining = 10
    await courier.test_credentials()
    assert courier.http.quota is not None
    assert len(courier.http.quota.sent[60.0]) == 35  # 45 − 10: spent elsewhere, counted
    fake.remaining = 0
    await courier.test_credentials()
    with pytest.raises(CourierRateLimited):  # a minute's wait: the caller retries later
        await courier.test_credentials()
    await courier.aclose()


# Answers in shapes the contract does not describe: every call ends in a CourierError (or an
# answer), never a KeyError/TypeError escaping into the dispatch channel.
ODD_BODIES = [b"[]", b'"ok"', b"{}", b"null", b"<html>502</html>", b'{"list": "x"}',
              b'{"list": {"results": [1, {"display_id": null}, {"external_order_id": "HN-1"}]}}',
              b'{"id": 5}', b'[[16], ["x", 2], {"id": "a"}]', b'[{"status": [1]}]']  # fmt: skip
REFERENCE = {"shared/wilayas/": WILAYAS, "shared/communes/": COMMUNES[16]}


@pytest.mark.parametrize("odd_reference", [False, True], ids=["odd-orders", "odd-everything"])
@pytest.mark.parametrize("body", ODD_BODIES)
async def test_odd_answers_end_in_courier_errors(body: bytes, odd_reference: bool) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/")
        if path in REFERENCE and not odd_reference:
            return httpx.Response(200, json=REFERENCE[path])
        return httpx.Response(201 if request.method == "POST" else 200, content=body)

    transport = httpx.MockTransport(answer)
    account = Account("maystro", "http://maystro.test/api/", {"token": "t"})
    courier = MaystroCourier(account, transport=transport, quota=FAST)
    calls = [
        courier.test_credentials(),
        courier.create_parcel(parcel()),
        courier.create_parcel(parcel("HN-1", delivery_type="desk")),
        courier.find_parcel("HN-1"),
        courier.track_many(["100001", "0b9a3c52-7d7e-4f6e-9f59-3b1e6f2d8c10"]),
        courier.history("100001"),
        courier.label("100001"),
        courier.cancel("100001"),
        courier.fees(),
        courier.wilayas(),
        courier.communes(16),
    ]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    await courier.aclose()
    odd = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, CourierError)]
    assert odd == []
