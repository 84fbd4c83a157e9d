"""The NOEST adapter driven against a fake NOEST (tests/couriers/fake_noest)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from aiohttp import web

from couriers.base import (
    Account,
    CourierAnswerUnexpected,
    CourierAuthError,
    CourierRejected,
    CourierUnavailable,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
)
from couriers.noest import NoestCourier, make
from tests.couriers.fake_noest import GUID, FakeNoest

S = ParcelStatus
HOME = ParcelRequest(
    reference="HNT-2001",
    recipient_name="Sara Haddad",
    phone="0661234567",
    address="12 rue Didouche Mourad",
    wilaya_code_58=16,
    wilaya_name="Alger",
    commune_name="Hydra",
    delivery_type="home",
    products="Parfum oud x2",
    quantity=2,
    goods_value=5000,
    delivery_fee=450,
    cod_amount=5450,
)
DESK = replace(HOME, reference="HNT-2002", delivery_type="desk", stopdesk_id="16A")

# reference/couriers.md §4.4, every event key listed there, with the state we decided.
MOVEMENTS = {
    "upload": S.CREATED,
    "customer_validation": S.PENDING_PICKUP,
    "validation_collect_colis": S.PICKED_UP,
    "validation_reception_admin": S.AT_HUB,
    "validation_reception": S.PICKED_UP,
    "fdr_activated": S.OUT_FOR_DELIVERY,
    "sent_to_redispatch": S.IN_TRANSIT,
    "nouvel_tentative_asked_by_customer": S.OUT_FOR_DELIVERY,
    "mise_a_jour": S.DELIVERY_ATTEMPTED,
    "colis_suspendu": S.ON_HOLD,
    "livre": S.DELIVERED,
    "livred": S.DELIVERED,
    "return_asked_by_customer": S.DELIVERY_ATTEMPTED,
    "return_asked_by_hub": S.DELIVERY_ATTEMPTED,
    "retour_dispatched_to_partenaires": S.DELIVERY_ATTEMPTED,
    "return_dispatched_to_partenaire": S.DELIVERY_ATTEMPTED,
    "colis_retour_transmit_to_partner": S.DELIVERY_ATTEMPTED,
    "colis_pickup_transmit_to_partner": S.IN_TRANSIT,
    "annulation_dispatch_retour": S.IN_TRANSIT,
    "cancel_return_dispatched_to_partenaire": S.IN_TRANSIT,
    "return_redispatched_to_livraison": S.OUT_FOR_DELIVERY,
    "return_dispatched_to_warehouse": S.DELIVERY_ATTEMPTED,
    "livraison_echoue_recu": S.RETURNED,
    "return_validated_by_partener": S.RETURNED,
    "pickedup": S.PICKED_UP,
    "valid_return_pickup": S.PICKED_UP,
    "pickup_picked_recu": S.DELIVERED,
    "echange_valide": S.DELIVERED,
    "echange_valid_by_hub": S.DELIVERED,
    "ask_to_delete_by_admin": S.CANCELLED,
    "ask_to_delete_by_hub": S.CANCELLED,
}
NOT_MOVEMENT = [
    "edited_informations",
    "edit_wilaya",
    "verssement_admin_cust",
    "verssement_admin_cust_canceled",
    "verssement_hub_cust_canceled",
    "validation_reception_cash_by_partener",
    "edit_price",
    "extra_fee",
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeNoest]:
    async with FakeNoest() as server:
        yield server


@pytest.fixture
async def courier(fake: FakeNoest) -> AsyncIterator[NoestCourier]:
    adapter = NoestCourier(fake.account(), quota=fake.quota())
    yield adapter
    await adapter.aclose()


# --- account --------------------------------------------------------------------------


async def test_credentials(courier: NoestCourier, fake: FakeNoest) -> None:
    await courier.test_credentials()
    refused = make(fake.account(token="stale"))
    with pytest.raises(CourierAuthError):
        await refused.test_credentials()
    await refused.aclose()
    with pytest.raises(CourierAuthError, match="user_guid"):
        make(Account("noest", "", {"api_token": "t"}))


async def test_wrong_user_guid_is_an_auth_error(fake: FakeNoest) -> None:
    adapter = NoestCourier(fake.account(guid="not-mine"), quota=fake.quota())
    with pytest.raises(CourierAuthError, match="user_guid"):
        await adapter.create_parcel(HOME)
    assert fake.orders == {}
    await adapter.aclose()


def test_defaults() -> None:
    adapter = make(Account("noest", "", {"api_token": "t", "user_guid": "g"}))
    assert str(adapter.http.client.base_url) == "https://app.noest-dz.com/api/public/"
    assert adapter.http.client.timeout.read == 40.0  # outlasts NOEST's own 30 s


# --- create -----------------------------------------------------------------------------


@pytest.mark.parametrize(("free", "cod"), [(False, 5450), (True, 5000)])
async def test_create_then_validate(
    courier: NoestCourier, fake: FakeNoest, free: bool, cod: int
) -> None:
    created = await courier.create_parcel(replace(HOME, free_shipping=free, cod_amount=cod))
    [order] = fake.orders.values()
    assert created.tracking == order.tracking and created.reference == "HNT-2001"
    [body] = fake.bodies("create/order")
    assert body["user_guid"] == GUID and body["montant"] == cod  # collected at the door
    assert (body["stop_desk"], body["wilaya_id"], body["commune"]) == (0, 16, "Hydra")
    assert "station_code" not in body
    assert order.validated and fake.bodies("valid/order") == [
        {"user_guid": GUID, "tracking": order.tracking}
    ]


async def test_create_for_a_stop_desk(courier: NoestCourier, fake: FakeNoest) -> None:
    await courier.create_parcel(DESK)
    [body] = fake.bodies("create/order")
    assert (body["stop_desk"], body["station_code"]) == (1, "16A")


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        (replace(DESK, stopdesk_id=None), "station code"),
        (replace(HOME, reference="H-1"), "5 characters"),
    ],
)
async def test_refused_before_sending(
    courier: NoestCourier, fake: FakeNoest, request_: ParcelRequest, says: str
) -> None:
    with pytest.raises(CourierRejected, match=says):
        await courier.create_parcel(request_)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        (replace(HOME, commune_name="Rais Hamidou"), "'Rais Hamidou' is not an active"),
        (replace(HOME, commune_name="Atlantis"), "'Atlantis'"),
        (replace(DESK, stopdesk_id="31A"), "station_code"),
        (replace(HOME, phone="12"), "phone"),
    ],
)
async def test_courier_refusals(
    courier: NoestCourier, fake: FakeNoest, request_: ParcelRequest, says: str
) -> None:
    with pytest.raises(CourierRejected, match=says):
        await courier.create_parcel(request_)
    assert fake.orders == {}


async def test_duplicate_and_suspended_accounts(courier: NoestCourier, fake: FakeNoest) -> None:
    fake.refuse = ["duplicate_order", "account_suspended"]
    with pytest.raises(CourierRejected, match="duplicate_order"):
        await courier.create_parcel(HOME)
    with pytest.raises(CourierAuthError, match="account_suspended"):
        await courier.create_parcel(HOME)
    assert fake.orders == {}


async def test_failed_validation_is_finished_by_find_parcel(
    courier: NoestCourier, fake: FakeNoest
) -> None:
    fake.fail["valid/order"] = [502]
    with pytest.raises(CourierUnavailable):
        await courier.create_parcel(HOME)
    [draft] = fake.orders.values()
    assert not draft.validated
    found = await courier.find_parcel("HNT-2001")
    assert found is not None and found.tracking == draft.tracking and draft.validated
    again = await courier.find_parcel("HNT-2001")  # from the order list now; still one parcel
    assert again is not None and again.tracking == draft.tracking and len(fake.orders) == 1


async def test_timeout_after_create_ships_one_parcel(fake: FakeNoest) -> None:
    hasty = NoestCourier(fake.account(), quota=fake.quota(), timeout=httpx.Timeout(0.3))
    fake.stall_create = 1.0
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(HOME)
    await hasty.aclose()
    for n in range(45):  # other orders since: the lookup pages through them
        fake.seed(f"OTHER-{n:03d}")
    retry = NoestCourier(fake.account(), quota=fake.quota())  # another process: no memory
    found = await retry.find_parcel("HNT-2001")
    mine = [o for o in fake.orders.values() if o.body["reference"] == "HNT-2001"]
    assert found is not None and [o.tracking for o in mine] == [found.tracking]
    assert mine[0].validated  # the interrupted create is finished, not repeated
    assert len(fake.bodies("get/orders")) == 2
    assert await retry.find_parcel("HNT-9999") is None
    await retry.aclose()


async def test_lookup_without_an_order_list_is_not_found(fake: FakeNoest) -> None:
    fake.orders_listed = False
    retry = NoestCourier(fake.account(), quota=fake.quota())
    assert await retry.find_parcel("HNT-2001") is None
    await retry.aclose()


async def test_commune_sent_in_noest_spelling(courier: NoestCourier, fake: FakeNoest) -> None:
    await courier.create_parcel(replace(HOME, commune_name="bordj-el-kiffan"))
    arabic = replace(HOME, reference="HNT-2002", commune_name="برج الكيفان",
                     commune_aliases=("برج الكيفان", "Bordj El Kiffane"))  # fmt: skip
    await courier.create_parcel(arabic)
    assert [b["commune"] for b in fake.bodies("create/order")] == ["Bordj El Kiffan"] * 2
    assert fake.bodies("get/orders") == []  # no lookup before a create


async def test_fake_refuses_what_the_contract_refuses(fake: FakeNoest) -> None:
    good = {"user_guid": GUID, "reference": "HNT-3001", "client": "A B", "phone": "0550123456",
            "adresse": "x", "wilaya_id": 16, "commune": "Hydra", "montant": 100,
            "produit": "p", "type_id": 1, "stop_desk": 0}  # fmt: skip
    headers = {"Authorization": "Bearer noest-token-1"}
    async with httpx.AsyncClient(base_url=fake.account().base_url, headers=headers) as raw:
        for bad in ({"type_id": 4}, {"stop_desk": 2}, {"wilaya_id": 59}, {"client": "x" * 256},
                    {"stop_desk": 1}, {"reference": "HN1"}):  # fmt: skip
            answer = await raw.post("create/order", json=good | bad)
            assert answer.status_code == 422, bad
        answer = await raw.post("create/order", json=good | {"commune": "hydra"})
        assert answer.json() == {"success": False, "error": "inactive_commune",
                                 "message": "inactive_commune"}  # fmt: skip
        assert (await raw.post("create/order", json=good)).json()["success"] is True


async def test_an_undocumented_create_answer_is_unexpected(
    courier: NoestCourier, fake: FakeNoest
) -> None:
    fake.odd["create/order"] = web.json_response({"success": True, "message": "En cours"})
    with pytest.raises(CourierAnswerUnexpected, match="no tracking") as caught:
        await courier.create_parcel(HOME)
    assert "En cours" in caught.value.answer
    fake.odd["create/order"] = web.Response(text="Bad Gateway page", status=200)
    with pytest.raises(CourierAnswerUnexpected, match="not JSON"):
        await courier.create_parcel(HOME)


async def test_credentials_test_checks_the_user_guid_too(fake: FakeNoest) -> None:
    adapter = NoestCourier(fake.account(guid="not-mine"), quota=fake.quota())
    with pytest.raises(CourierAuthError, match="user_guid"):
        await adapter.test_credentials()
    await adapter.aclose()
    assert fake.orders == {}


async def test_life_of_a_parcel(courier: NoestCourier, fake: FakeNoest) -> None:
    created = await courier.create_parcel(HOME)
    states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.PENDING_PICKUP  # validated: ready
    for key in ("validation_collect_colis", "fdr_activated", "livred", "verssement_admin_cust"):
        fake.advance(created.tracking, key)
    assert (await courier.track_many([created.tracking]))[created.tracking].status is S.DELIVERED
    label = await courier.label(created.tracking)
    assert label is not None and label.content.startswith(b"%PDF")
    with pytest.raises(CourierRejected, match="already_validated"):
        await courier.cancel(created.tracking)
    other = await courier.create_parcel(replace(HOME, reference="HNT-2009"))
    for key in ("fdr_activated", "mise_a_jour", "return_asked_by_hub", "livraison_echoue_recu"):
        fake.advance(other.tracking, key)
    assert (await courier.track_many([other.tracking]))[other.tracking].status is S.RETURNED


# --- tracking ---------------------------------------------------------------------------


async def test_track_many_in_batches_of_100(courier: NoestCourier, fake: FakeNoest) -> None:
    trackings = [fake.seed(f"REF-{n:04d}").tracking for n in range(250)]
    fake.advance(trackings[3], "mise_a_jour", motif="Client ne répond pas")
    states = await courier.track_many([*trackings, "NOEUNKNOWN"])
    batches = fake.bodies("get/trackings/info")
    assert [len(b["trackings"]) for b in batches] == [100, 100, 51]
    assert all(b["user_guid"] == GUID for b in batches)
    assert set(states) == set(trackings)
    assert states[trackings[3]].status is S.DELIVERY_ATTEMPTED
    assert states[trackings[3]].raw_reason == "Client ne répond pas"
    assert states[trackings[0]].status is S.CREATED and states[trackings[0]].at
    assert await courier.track_many(["NOEUNKNOWN"]) == {}  # NOEST answers a bare []


async def test_track_many_keeps_what_it_got(courier: NoestCourier, fake: FakeNoest) -> None:
    trackings = [fake.seed(f"REF-{n:04d}").tracking for n in range(150)]
    fake.fail["get/trackings/info"] = [503]
    with pytest.raises(CourierUnavailable):
        await courier.track_many(trackings)
    fake.fail["get/trackings/info"] = [0, 503]
    assert set(await courier.track_many(trackings)) == set(trackings[:100])


async def test_every_movement_event_maps(courier: NoestCourier, fake: FakeNoest) -> None:
    parcels = {key: fake.seed(f"EVT-{key}").tracking for key in MOVEMENTS}
    for key, tracking in parcels.items():
        fake.advance(tracking, key)
    states = await courier.track_many(list(parcels.values()))
    assert {key: states[t].status for key, t in parcels.items()} == MOVEMENTS
    assert {key: states[t].raw_status for key, t in parcels.items()} == {k: k for k in parcels}


@pytest.mark.parametrize("key", NOT_MOVEMENT)
async def test_finance_and_edit_events_never_move_a_parcel(
    courier: NoestCourier, fake: FakeNoest, key: str
) -> None:
    tracking = fake.seed("FIN-00").tracking
    fake.advance(tracking, "livre")
    fake.advance(tracking, key)
    state = (await courier.track_many([tracking]))[tracking]
    assert (state.status, state.raw_status) == (S.DELIVERED, "livre")
    assert key not in [e.raw_status for e in await courier.history(tracking)]


async def test_history(courier: NoestCourier, fake: FakeNoest) -> None:
    created = await courier.create_parcel(HOME)
    for key in ("validation_collect_colis", "extra_fee", "fdr_activated", "livre"):
        fake.advance(created.tracking, key)
    history = await courier.history(created.tracking)
    assert [(e.raw_status, e.status) for e in history] == [
        ("upload", S.CREATED),
        ("customer_validation", S.PENDING_PICKUP),
        ("validation_collect_colis", S.PICKED_UP),
        ("fdr_activated", S.OUT_FOR_DELIVERY),
        ("livre", S.DELIVERED),
    ]
    with pytest.raises(ParcelNotFound):
        await courier.history("NOEUNKNOWN")


async def test_unknown_event_is_unknown_and_logged(
    courier: NoestCourier, fake: FakeNoest, caplog: pytest.LogCaptureFixture
) -> None:
    tracking = fake.seed("ODD-00").tracking
    fake.advance(tracking, "colis_teleporte")
    with caplog.at_level(logging.WARNING):
        state = (await courier.track_many([tracking]))[tracking]
    assert state.status is S.UNKNOWN and "colis_teleporte" in caplog.text


# --- label, cancel ----------------------------------------------------------------------


async def test_label_follows_the_short_lived_link(courier: NoestCourier, fake: FakeNoest) -> None:
    created = await courier.create_parcel(HOME)
    label = await courier.label(created.tracking)
    assert label is not None and label.content.startswith(b"%PDF")
    assert created.tracking.encode() in label.content
    fake.label_age = 301  # the link has expired by the time it is fetched
    with pytest.raises(CourierUnavailable, match="try again"):
        await courier.label(created.tracking)
    with pytest.raises(ParcelNotFound):
        await courier.label("NOEUNKNOWN")


async def test_cancel_before_validation_only(courier: NoestCourier, fake: FakeNoest) -> None:
    draft = fake.seed("DRAFT-1").tracking
    await courier.cancel(draft)
    assert draft not in fake.orders
    shipped = (await courier.create_parcel(HOME)).tracking
    with pytest.raises(CourierRejected, match="already_validated"):
        await courier.cancel(shipped)
    assert shipped in fake.orders


# --- limits -----------------------------------------------------------------------------


async def test_429_retry_after_is_honoured(courier: NoestCourier, fake: FakeNoest) -> None:
    fake.throttle = [12.0]
    assert len(await courier.wilayas()) == 3
    assert fake.clock.sleeps == [12.0]


async def test_quota_keeps_under_45_a_minute(courier: NoestCourier, fake: FakeNoest) -> None:
    for _ in range(46):
        await courier.wilayas()
    assert len(fake.calls) == 46
    assert sum(fake.clock.sleeps) == pytest.approx(60.0)  # the 46th waited for the minute


async def test_a_429_lowers_the_pace(courier: NoestCourier, fake: FakeNoest) -> None:
    fake.throttle = [3.0]
    await courier.wilayas()
    assert fake.clock.sleeps == [3.0] and courier.quota.windows[60.0] == 36


async def test_rate_limit_headers_keep_us_under_a_lower_limit(
    courier: NoestCourier, fake: FakeNoest
) -> None:
    fake.limit = 30  # the account's real limit is lower than we assumed
    for _ in range(31):
        await courier.wilayas()
    assert fake.paths_429 == []  # X-RateLimit-Remaining told us before a 429 had to
    assert sum(fake.clock.sleeps) == pytest.approx(60.0)


# --- reference data ---------------------------------------------------------------------


async def test_reference_data(courier: NoestCourier, fake: FakeNoest) -> None:
    assert [(w.code_58, w.name) for w in await courier.wilayas()] == [
        (16, "Alger"),
        (31, "Oran"),
        (9, "Blida"),
    ]  # Illizi is inactive
    communes = await courier.communes(16)
    assert [(c.name, c.courier_id, c.has_stop_desk) for c in communes] == [
        ("Bab Ezzouar", "16111", True),
        ("Bordj El Kiffan", "16120", False),
        ("Hydra", "16035", False),
    ]  # Rais Hamidou is inactive
    desks = await courier.stop_desks()
    assert [(d.id, d.wilaya_code_58, d.commune_name) for d in desks] == [
        ("16A", 16, "Bab Ezzouar"),
        ("16B", 16, "Cheraga"),
        ("31A", 31, "Oran"),
    ]
    assert [d.id for d in await courier.stop_desks(31)] == ["31A"]
    fees = {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()}
    assert fees == {16: (450, 300), 31: (650, 450), 9: (500, 350)}
    fake.fees_as_list = True  # tarifs.delivery as [{wilaya_id, tarif, tarif_stopdesk}]
    assert {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()} == fees
