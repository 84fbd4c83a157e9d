"""The EcoTrack adapter driven against a fake EcoTrack company (tests/couriers/fake_ecotrack)."""

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
    CourierError,
    CourierRejected,
    CourierUnavailable,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
    map_status,
)
from couriers.ecotrack import EcotrackCourier, make
from couriers.ecotrack_statuses import TABLE
from couriers.ecotrack_tenants import KNOWN_TENANTS, tenant_base_url
from tests.couriers.fake_ecotrack import DISABLED_TOKEN, FakeEcotrack

S = ParcelStatus
HOME = ParcelRequest(
    reference="HNT-1042",
    recipient_name="Amine Benali",
    phone="0550123456",
    address="Cité 200 logements, bâtiment 4",
    wilaya_code_58=16,
    wilaya_name="Alger",
    commune_name="Hydra",
    delivery_type="home",
    products="Robe kabyle x1",
    quantity=1,
    goods_value=3000,
    delivery_fee=400,
    cod_amount=3400,
)
DESK = replace(
    HOME,
    reference="HNT-1043",
    delivery_type="desk",
    commune_name="Bab Ezzouar",
    stopdesk_id="16033",
)

# reference/couriers.md §3.5, every raw status listed there, with the state we decided.
ORDER_STATUSES = {
    "prete_a_expedier": S.PENDING_PICKUP,
    "en_ramassage": S.PENDING_PICKUP,
    "en_preparation_stock": S.CREATED,
    "vers_hub": S.IN_TRANSIT,
    "en_hub": S.AT_HUB,
    "vers_wilaya": S.IN_TRANSIT,
    "en_preparation": S.AT_HUB,
    "en_livraison": S.OUT_FOR_DELIVERY,
    "suspendu": S.ON_HOLD,
    "livre_non_encaisse": S.DELIVERED,
    "encaisse_non_paye": S.DELIVERED,
    "paiements_prets": S.DELIVERED,
    "paye_et_archive": S.DELIVERED,
    "retour_chez_livreur": S.DELIVERY_ATTEMPTED,
    "retour_transit_entrepot": S.DELIVERY_ATTEMPTED,
    "retour_en_traitement": S.DELIVERY_ATTEMPTED,
    "retour_recu": S.RETURNED,
    "retour_archive": S.RETURNED,
    "annule": S.CANCELLED,
}
EVENTS = {
    "order_information_received_by_carrier": S.CREATED,
    "picked": S.PICKED_UP,
    "accepted_by_carrier": S.AT_HUB,
    "dispatched_to_driver": S.OUT_FOR_DELIVERY,
    "attempt_delivery": S.DELIVERY_ATTEMPTED,
    "return_asked": S.DELIVERY_ATTEMPTED,
    "return_in_transit": S.DELIVERY_ATTEMPTED,
    "Return_received": S.RETURNED,
    "livred": S.DELIVERED,
    "encaissed": S.DELIVERED,
    "payed": S.DELIVERED,
}
DISPLAY_LABELS = {
    "prêt à expédier": S.PENDING_PICKUP,
    "prêt à préparer": S.CREATED,
    "stock en préparation": S.CREATED,
    "suspendus": S.ON_HOLD,
    "retours chez livreur": S.DELIVERY_ATTEMPTED,
    "retours en traitement": S.DELIVERY_ATTEMPTED,
    "retours prêts": S.DELIVERY_ATTEMPTED,
    "retours reçus": S.RETURNED,
    "retours à dispatcher vers stock": S.DELIVERY_ATTEMPTED,
    "retours en transit stock": S.DELIVERY_ATTEMPTED,
    "retours en stock": S.RETURNED,
    "retours archivés": S.RETURNED,
    "livré encaissé non payé": S.DELIVERED,
    "paiement prêt": S.DELIVERED,
    "paiement archivé": S.DELIVERED,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeEcotrack]:
    async with FakeEcotrack() as server:
        yield server


@pytest.fixture
async def courier(fake: FakeEcotrack) -> AsyncIterator[EcotrackCourier]:
    adapter = EcotrackCourier(fake.account(), quota=fake.quota())
    yield adapter
    await adapter.aclose()


def _one_order(fake: FakeEcotrack):  # type: ignore[no-untyped-def]
    assert len(fake.orders) == 1
    return next(iter(fake.orders.values()))


# --- account --------------------------------------------------------------------------


async def test_credentials_accepted(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    await courier.test_credentials()
    assert fake.paths("validate/token") == [{"api_token": "eco-token-1"}]
    assert len(fake.paths("get/wilayas")) == 1  # and the company serves this account


async def test_credentials_of_an_account_served_nowhere_say_so(
    courier: EcotrackCourier, fake: FakeEcotrack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tests.couriers.fake_ecotrack.WILAYAS", {})
    with pytest.raises(CourierRejected, match="serves no wilaya"):
        await courier.test_credentials()


@pytest.mark.parametrize(("token", "says"), [("wrong", "refused"), (DISABLED_TOKEN, "disabled")])
async def test_credentials_refused(fake: FakeEcotrack, token: str, says: str) -> None:
    adapter = make(fake.account(token))
    with pytest.raises(CourierAuthError, match=says):
        await adapter.test_credentials()
    with pytest.raises(CourierAuthError):  # the Bearer header is refused as well
        await adapter.wilayas()
    await adapter.aclose()


def test_base_url_is_required_and_known_companies_resolve() -> None:
    with pytest.raises(CourierAuthError, match="dhd"):
        EcotrackCourier(Account("ecotrack", "", {"api_token": "t"}))
    assert tenant_base_url("DHD") == "https://platform.dhd-dz.com/api/v1"
    assert tenant_base_url("https://rex.ecotrack.dz/") == KNOWN_TENANTS["rex"]
    with pytest.raises(CourierAuthError, match="unknown company"):
        tenant_base_url("nowhere")


async def test_base_url_without_api_prefix_works(fake: FakeEcotrack) -> None:
    root = fake.base_url.removesuffix("/api/v1")
    adapter = EcotrackCourier(Account("ecotrack", root, {"api_token": "eco-token-1"}))
    assert [w.code_58 for w in await adapter.wilayas()] == [16, 31, 9]
    await adapter.aclose()


async def test_moved_company_is_reported_not_followed(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    fake.moved_to = "https://platform.example.dz/api/v1/get/communes"
    with pytest.raises(CourierError, match=r"platform\.example\.dz"):
        await courier.create_parcel(HOME)
    assert [(m, p) for m, p, _, _ in fake.calls] == [("GET", "get/communes")]  # not followed
    assert fake.orders == {}


# --- create -----------------------------------------------------------------------------


@pytest.mark.parametrize(("free", "cod"), [(False, 3400), (True, 3000)])
async def test_create_sends_query_then_validates(
    courier: EcotrackCourier, fake: FakeEcotrack, free: bool, cod: int
) -> None:
    created = await courier.create_parcel(replace(HOME, free_shipping=free, cod_amount=cod))
    order = _one_order(fake)
    assert created.tracking == order.tracking and created.reference == "HNT-1042"
    [(_, _, query, body)] = [c for c in fake.calls if c[1] == "create/order"]
    assert body == b""  # parameters travel in the query string, as documented
    assert query["montant"] == str(cod)  # the cash collected at the door, delivery included
    assert (query["stop_desk"], query["commune"], query["code_wilaya"]) == ("0", "Hydra", "16")
    assert order.validated and order.ask_collection == "1"


async def test_create_for_a_stop_desk(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    await courier.create_parcel(DESK)
    query = _one_order(fake).params
    assert (query["stop_desk"], query["code_postal"]) == ("1", "16033")


async def test_desk_parcel_without_a_desk_is_refused_before_sending(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    with pytest.raises(CourierRejected, match="desk"):
        await courier.create_parcel(replace(DESK, stopdesk_id=None))
    assert fake.calls == []


async def test_http_200_refusal_and_422_bag(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    with pytest.raises(CourierRejected, match="10002"):
        await courier.create_parcel(replace(HOME, wilaya_code_58=33, commune_name="Djanet"))
    with pytest.raises(CourierRejected, match="commune"):
        await courier.create_parcel(replace(HOME, commune_name="Atlantis"))
    assert fake.orders == {}


async def test_pickup_request_follows_the_account(fake: FakeEcotrack) -> None:
    adapter = EcotrackCourier(fake.account(ask_collection="0"), quota=fake.quota())
    await adapter.create_parcel(HOME)
    assert _one_order(fake).ask_collection == "0"
    await adapter.aclose()


async def test_failed_validation_is_finished_by_find_parcel(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    fake.fail["valid/order"] = [503]
    with pytest.raises(CourierUnavailable):
        await courier.create_parcel(HOME)
    assert not _one_order(fake).validated
    found = await courier.find_parcel("HNT-1042")
    assert found is not None and found.tracking == _one_order(fake).tracking
    assert _one_order(fake).validated


async def test_timeout_after_create_then_found_by_reference(fake: FakeEcotrack) -> None:
    hasty = EcotrackCourier(fake.account(), quota=fake.quota(), timeout=httpx.Timeout(0.3))
    fake.stall_create = 1.0
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(HOME)
    await hasty.aclose()
    for n in range(45):  # the lookup pages through other orders of the last days
        fake.seed(f"OTHER-{n}", code_wilaya="16")
    retry = EcotrackCourier(fake.account(), quota=fake.quota())  # another process: no memory
    found = await retry.find_parcel("HNT-1042")
    assert found is not None and found.fee == 400
    mine = [o for o in fake.orders.values() if o.params["reference"] == "HNT-1042"]
    assert len(mine) == 1 and mine[0].validated and found.tracking == mine[0].tracking
    assert await retry.find_parcel("HNT-9999") is None
    await retry.aclose()


async def test_commune_sent_in_the_company_spelling(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    await courier.create_parcel(replace(HOME, commune_name="ain benian"))
    assert _one_order(fake).params["commune"] == "Aïn Bénian"
    # our Arabic name with its French alias (as shipping.parcel_request sends them)
    arabic = replace(HOME, reference="HNT-2", commune_name="عين البنيان",
                     commune_aliases=("عين البنيان", "Ain Benian"))  # fmt: skip
    await courier.create_parcel(arabic)
    assert [o.params["commune"] for o in fake.orders.values()] == ["Aïn Bénian"] * 2
    assert len(fake.paths("get/communes")) == 1  # the list is kept between creates


async def test_unknown_commune_is_refused_by_name_before_any_create(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    with pytest.raises(CourierRejected, match=r"'Hidra'.*wilaya 16.*Hydra"):
        await courier.create_parcel(replace(HOME, commune_name="Hidra"))
    assert fake.paths("create/order") == [] and fake.orders == {}


async def test_no_reference_lookup_before_a_create(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    await courier.create_parcel(HOME)
    assert fake.paths("get/orders") == []  # the channel looks up only on a retry


async def test_fake_refuses_what_the_contract_refuses(fake: FakeEcotrack) -> None:
    async with httpx.AsyncClient(
        base_url=fake.base_url + "/", headers={"Authorization": "Bearer eco-token-1"}
    ) as raw:
        good = {"nom_client": "A B", "telephone": "0550123456", "adresse": "x", "type": "1",
                "commune": "Hydra", "code_wilaya": "16", "montant": "100"}  # fmt: skip
        as_body = await raw.post("create/order", json=good)
        assert as_body.status_code == 422  # a JSON body is not how this API reads orders
        bad_ones = [
            {"type": "7"},
            {"stop_desk": "2"},
            {"commune": "hydra"},
            {"telephone": "+213550"},
            {"stop_desk": "1", "code_postal": "16023"},
        ]
        for bad in bad_ones:
            answer = await raw.post("create/order", params=good | bad)
            assert answer.status_code == 422, bad
        assert (await raw.post("create/order", params=good)).json()["success"] is True


async def test_an_undocumented_create_answer_is_unexpected_with_the_raw_answer(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    fake.odd["create/order"] = web.Response(text="<html>Maintenance</html>", status=200)
    with pytest.raises(CourierAnswerUnexpected) as caught:
        await courier.create_parcel(HOME)
    assert "Maintenance" in caught.value.answer
    fake.odd["create/order"] = web.json_response({"status": "queued"})
    with pytest.raises(CourierAnswerUnexpected, match="no tracking") as caught:
        await courier.create_parcel(HOME)
    assert caught.value.answer == '{"status":"queued"}'


async def test_life_of_a_parcel(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    created = await courier.create_parcel(HOME)  # create, then ready (valid/order)
    assert _one_order(fake).validated
    states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.PENDING_PICKUP
    fake.advance(created.tracking, "en_livraison", event="dispatched_to_driver")
    fake.advance(created.tracking, "livre_non_encaisse", event="livred")
    assert (await courier.track_many([created.tracking]))[created.tracking].status is S.DELIVERED
    label = await courier.label(created.tracking)
    assert label is not None and label.content.startswith(b"%PDF")
    with pytest.raises(CourierRejected):  # validated: no delete any more
        await courier.cancel(created.tracking)
    other = await courier.create_parcel(replace(HOME, reference="HNT-77"))
    fake.advance(other.tracking, "retour_recu", event="Return_received")
    assert (await courier.track_many([other.tracking]))[other.tracking].status is S.RETURNED


# --- tracking ---------------------------------------------------------------------------


async def test_track_many_in_batches_of_100(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    trackings = [fake.seed(f"R{n}").tracking for n in range(250)]
    fake.advance(trackings[7], "suspendu", reason="Client injoignable")
    states = await courier.track_many([*trackings, "ECTUNKNOWN"])
    batches = [q["trackings"].split(",") for q in fake.paths("get/orders/status")]
    assert [len(b) for b in batches] == [100, 100, 51]
    assert set(states) == set(trackings)
    assert states[trackings[7]].status is S.ON_HOLD
    assert states[trackings[7]].raw_reason == "Client injoignable"
    assert states[trackings[0]].status is S.PENDING_PICKUP and states[trackings[0]].at


async def test_track_many_keeps_batches_it_got(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    trackings = [fake.seed(f"R{n}").tracking for n in range(150)]
    fake.fail["get/orders/status"] = [502]
    with pytest.raises(CourierUnavailable):  # nothing at all: the caller must know
        await courier.track_many(trackings)
    fake.fail["get/orders/status"] = [0, 502]  # the second batch fails
    states = await courier.track_many(trackings)
    assert set(states) == set(trackings[:100])


async def test_every_order_status_maps(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    parcels = {raw: fake.seed(raw).tracking for raw in ORDER_STATUSES}
    for raw, tracking in parcels.items():
        fake.advance(tracking, raw)
    states = await courier.track_many(list(parcels.values()))
    assert {raw: states[t].status for raw, t in parcels.items()} == ORDER_STATUSES
    assert {raw: states[t].raw_status for raw, t in parcels.items()} == {r: r for r in parcels}


async def test_every_event_maps_and_notes_are_not_movement(
    courier: EcotrackCourier, fake: FakeEcotrack
) -> None:
    tracking = fake.seed("HIST").tracking
    for raw in [*EVENTS, "notification_on_order"]:
        fake.advance(tracking, "en_hub", event=raw)
    history = await courier.history(tracking)
    assert [(e.raw_status, e.status) for e in history[1:]] == list(EVENTS.items())
    assert "notification_on_order" not in {e.raw_status for e in history}
    with pytest.raises(ParcelNotFound):
        await courier.history("ECTUNKNOWN")


@pytest.mark.parametrize(("raw", "status"), DISPLAY_LABELS.items())
def test_every_display_label_maps(raw: str, status: ParcelStatus) -> None:
    assert map_status(TABLE, raw, "ecotrack") is status
    assert map_status(TABLE, raw.upper(), "ecotrack") is status


def test_accents_and_case_fold() -> None:
    assert map_status(TABLE, "Encaissé_Non_Payé", "ecotrack") is S.DELIVERED
    assert map_status(TABLE, "return_received", "ecotrack") is S.RETURNED


async def test_unknown_status_is_unknown_and_logged(
    courier: EcotrackCourier, fake: FakeEcotrack, caplog: pytest.LogCaptureFixture
) -> None:
    tracking = fake.seed("ODD").tracking
    fake.advance(tracking, "livre_peut_etre")
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many([tracking])
    assert states[tracking].status is S.UNKNOWN
    assert "livre_peut_etre" in caplog.text


# --- label, cancel ----------------------------------------------------------------------


async def test_label_is_pdf_bytes(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    created = await courier.create_parcel(HOME)
    label = await courier.label(created.tracking)
    assert label is not None and label.content.startswith(b"%PDF")
    assert created.tracking.encode() in label.content
    with pytest.raises(ParcelNotFound):
        await courier.label("ECTUNKNOWN")


@pytest.mark.parametrize("legacy", [False, True])
async def test_cancel_before_validation_only(
    courier: EcotrackCourier, fake: FakeEcotrack, legacy: bool
) -> None:
    fake.legacy_delete = legacy
    draft = fake.seed("DRAFT").tracking
    await courier.cancel(draft)
    assert draft not in fake.orders
    shipped = (await courier.create_parcel(HOME)).tracking
    with pytest.raises(CourierRejected, match="return"):
        await courier.cancel(shipped)
    assert shipped in fake.orders


# --- limits -----------------------------------------------------------------------------


async def test_429_retry_after_is_honoured(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    fake.throttle = [7.0]
    assert len(await courier.wilayas()) == 3
    assert fake.clock.sleeps == [7.0]
    assert len(fake.paths("get/wilayas")) == 2


async def test_quota_keeps_under_50_a_minute(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    for _ in range(51):
        await courier.wilayas()
    assert len(fake.calls) == 51 and fake.throttle == []
    assert sum(fake.clock.sleeps) == pytest.approx(60.0)


async def test_remaining_zero_header_pauses(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    fake.spend(49)  # another app on the same token
    await courier.wilayas()
    await courier.wilayas()
    assert fake.clock.sleeps == [60.0]
    assert len(fake.paths("get/wilayas")) == 2  # no 429 was needed


# --- reference data ---------------------------------------------------------------------


async def test_reference_data(courier: EcotrackCourier, fake: FakeEcotrack) -> None:
    assert [(w.code_58, w.name) for w in await courier.wilayas()] == [
        (16, "Alger"),
        (31, "Oran"),
        (9, "Blida"),
    ]
    communes = await courier.communes(16)
    assert [(c.name, c.courier_id, c.has_stop_desk) for c in communes] == [
        ("Bab Ezzouar", "16033", True),
        ("Aïn Bénian", "16040", False),
        ("Hydra", "16023", False),
        ("Alger Centre", "16001", True),
    ]
    assert [(d.id, d.wilaya_code_58) for d in await courier.stop_desks()] == [
        ("16033", 16),
        ("16001", 16),
        ("31001", 31),
    ]
    assert [d.id for d in await courier.stop_desks(31)] == ["31001"]
    fees = {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()}
    assert fees == {16: (400, 300), 31: (600, 450), 9: (500, 400)}
    fake.fees_per_wilaya = True
    assert {f.wilaya_code_58: (f.home, f.desk) for f in await courier.fees()} == fees
