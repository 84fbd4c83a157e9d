"""The real Yalidine adapter driven against the fake Yalidine (tests/couriers/fake_yalidine)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from aiohttp import web

from couriers.base import (
    Account,
    CourierAnswerUnexpected,
    CourierAuthError,
    CourierRateLimited,
    CourierRejected,
    CourierUnavailable,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
)
from couriers.http import Quota
from couriers.registry import COURIERS
from couriers.yalidine import BASE_URLS, CLONES, TRACK_BATCH, YalidineCourier
from couriers.yalidine_statuses import answer
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, QUOTAS, FakeClock, FakeYalidine

S = ParcelStatus
CREDENTIALS = {"api_id": API_ID, "api_token": API_TOKEN, "from_wilaya": "5"}

# reference/couriers.md §2.5, as written there: the 30 `last_status` values of the newer
# YDOC, then the history-only one.
REFERENCE_STATUSES = [
    "Pas encore expédié", "A vérifier", "En préparation", "Pas encore ramassé",
    "Prêt à expédier", "Ramassé", "Bloqué", "Débloqué", "Transfert", "Expédié", "Centre",
    "En localisation", "Vers Wilaya", "Reçu à Wilaya", "En attente du client",
    "Prêt pour livreur", "Sorti en livraison", "En attente", "En alerte", "Tentative échouée",
    "Livré", "Echèc livraison", "Retour vers centre", "Retourné au centre", "Retour transfert",
    "Retour groupé", "Retour à retirer", "Retour vers vendeur", "Retourné au vendeur",
    "Echange échoué",
]  # fmt: skip
HISTORY_ONLY = "Alerte résolue"
# the reference's phase table: which canonical statuses each phase may map to
PHASES: list[tuple[set[str], set[ParcelStatus]]] = [
    (
        {"Pas encore expédié", "A vérifier", "En préparation", "Pas encore ramassé"}
        | {"Prêt à expédier"},
        {S.CREATED, S.PENDING_PICKUP},
    ),
    (
        {"Ramassé", "Transfert", "Expédié", "Centre", "En localisation", "Vers Wilaya"}
        | {"Reçu à Wilaya", "Débloqué"},
        {S.PICKED_UP, S.IN_TRANSIT, S.AT_HUB},
    ),
    ({"En attente du client"}, {S.AT_HUB}),
    ({"Prêt pour livreur", "Sorti en livraison"}, {S.OUT_FOR_DELIVERY}),
    ({"Tentative échouée", "En alerte", "En attente", "Bloqué"}, {S.DELIVERY_ATTEMPTED, S.ON_HOLD}),
    ({"Livré"}, {S.DELIVERED}),
    (
        {"Echèc livraison", "Retour vers centre", "Retourné au centre", "Retour transfert"}
        | {"Retour groupé", "Retour à retirer", "Retour vers vendeur", "Echange échoué"},
        {S.DELIVERY_ATTEMPTED, S.IN_TRANSIT, S.AT_HUB, S.ON_HOLD},  # on the way back
    ),
    ({"Retourné au vendeur"}, {S.RETURNED}),
]


def order(**changes: Any) -> ParcelRequest:
    base = ParcelRequest(
        reference="HN1-1042",
        recipient_name="Amine  Ben Saïd",
        phone="0550123456",
        address="Cité 200 logements, bloc B",
        wilaya_code_58=19,
        wilaya_name="Setif",
        commune_name="Ain Arnat",  # Yalidine writes "Aïn Arnat"
        delivery_type="home",
        products="Robe kabyle x1",
        quantity=1,
        goods_value=2400,
        delivery_fee=500,
        cod_amount=2900,
    )
    return replace(base, **changes)


@pytest.fixture
async def fake() -> AsyncIterator[FakeYalidine]:
    server = FakeYalidine(FakeClock())
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def make_courier(
    fake: FakeYalidine,
) -> AsyncIterator[Callable[..., YalidineCourier]]:
    made: list[YalidineCourier] = []

    def make(courier: str = "yalidine", **overrides: Any) -> YalidineCourier:
        credentials = {**CREDENTIALS, **overrides.pop("credentials", {})}
        account = Account(courier, fake.base_url, credentials)
        adapter = YalidineCourier(account, clock=fake.clock, sleep=fake.clock.sleep, **overrides)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        await adapter.aclose()


@pytest.fixture
def courier(make_courier: Callable[..., YalidineCourier]) -> YalidineCourier:
    return make_courier()


def creates(fake: FakeYalidine) -> list[dict[str, Any]]:
    return [parcel for batch in fake.creates for parcel in batch]


# --- credentials, hosts ----------------------------------------------------------------------


async def test_credentials_accepted(courier: YalidineCourier, fake: FakeYalidine) -> None:
    await courier.test_credentials()
    assert fake.seen[-1].path == "/v1/wilayas/"


async def test_credentials_refused(make_courier: Callable[..., YalidineCourier]) -> None:
    courier = make_courier(credentials={"api_token": "wrong"})
    with pytest.raises(CourierAuthError):
        await courier.test_credentials()


@pytest.mark.parametrize("origin", ["", "99", "Atlantide"])
async def test_sender_wilaya_checked_with_the_credentials(
    make_courier: Callable[..., YalidineCourier], origin: str
) -> None:
    with pytest.raises(CourierRejected, match="from_wilaya"):
        await make_courier(credentials={"from_wilaya": origin}).test_credentials()
    await make_courier(credentials={"from_wilaya": "batna"}).test_credentials()


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, {"error": {"code": 401, "message": "Invalid API token"}}, CourierAuthError),
        (200, {"error": {"code": 400, "message": "Bad filter"}}, CourierRejected),
        (422, {"message": "The price must be an integer"}, CourierRejected),
        (403, None, CourierAuthError),
    ],
)
def test_error_answers_raise_even_with_200(status: int, body: Any, error: type[Exception]) -> None:
    response = httpx.Response(status, json=body) if body else httpx.Response(status, text="no")
    with pytest.raises(error):
        answer(response)


def test_missing_credentials_refused_before_any_call() -> None:
    with pytest.raises(CourierAuthError, match="api_token"):
        YalidineCourier(Account("yalidine", "", {"api_id": "1"}))


async def test_clone_hosts_are_the_same_api(
    make_courier: Callable[..., YalidineCourier], fake: FakeYalidine
) -> None:
    assert {"yalidine", *CLONES} <= set(COURIERS)
    assert BASE_URLS["guepex"] == "https://api.guepex.app/v1/"
    courier = make_courier("guepex")
    await courier.test_credentials()
    assert courier.name == "guepex"
    default = YalidineCourier(Account("yalitec", "", CREDENTIALS))
    assert str(default.http.client.base_url) == "https://api.yalitec.me/v1/"
    await default.aclose()


# --- create ----------------------------------------------------------------------------------


async def test_create_home_parcel_sends_names_and_cod(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    parcel = await courier.create_parcel(order())

    [sent] = creates(fake)
    assert sent["order_id"] == "HN1-1042"
    assert (sent["from_wilaya_name"], sent["to_wilaya_name"]) == ("Batna", "Sétif")
    assert sent["to_commune_name"] == "Aïn Arnat"
    assert (sent["firstname"], sent["familyname"]) == ("Amine", "Ben Saïd")
    # the customer pays exactly the order's total; nothing is added on top
    assert (sent["price"], sent["freeshipping"]) == (2900, True)
    assert sent["is_stopdesk"] is False and "stopdesk_id" not in sent
    stored = fake.parcels[parcel.tracking]
    assert parcel.reference == "HN1-1042" and parcel.label_url == stored["label"]
    assert parcel.fee == stored["delivery_fee"] == 700


async def test_free_shipping_collects_the_goods_only(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    await courier.create_parcel(order(delivery_fee=0, cod_amount=2400, free_shipping=True))
    [sent] = creates(fake)
    assert (sent["price"], sent["freeshipping"], sent["declared_value"]) == (2400, True, 2400)


async def test_create_stop_desk_parcel(courier: YalidineCourier, fake: FakeYalidine) -> None:
    request = order(delivery_type="desk", stopdesk_id="190201", address="")
    parcel = await courier.create_parcel(request)
    [sent] = creates(fake)
    assert (sent["is_stopdesk"], sent["stopdesk_id"]) == (True, 190201)
    assert fake.parcels[parcel.tracking]["stopdesk_name"] == "Centre de Aïn Arnat"


async def test_stop_desk_without_desk_refused_before_sending(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    with pytest.raises(CourierRejected, match="desk"):
        await courier.create_parcel(order(delivery_type="desk", stopdesk_id=None))
    assert fake.seen == [] and fake.parcels == {}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"cod_amount": 150_001}, "150000"),
        ({"commune_name": "Bordj El Kiffan"}, "Bordj El Kiffan"),  # exists, but in Alger
        ({"wilaya_code_58": 33, "commune_name": "Illizi"}, "wilaya 33"),  # not served
        ({"reference": "HN1-1,042"}, "comma"),
    ],
)
async def test_undeliverable_parcels_refused_before_create(
    courier: YalidineCourier, fake: FakeYalidine, changes: dict[str, Any], why: str
) -> None:
    with pytest.raises(CourierRejected, match=why):
        await courier.create_parcel(order(**changes))
    assert fake.creates == [] and fake.parcels == {}


async def test_parcel_refused_in_a_200_answer(courier: YalidineCourier, fake: FakeYalidine) -> None:
    with pytest.raises(CourierRejected, match="contact_phone"):
        await courier.create_parcel(order(phone="12345"))
    assert len(fake.creates) == 1 and fake.parcels == {}
    assert fake.seen[-1].status == 200


async def test_timeout_after_create_then_found_by_reference(
    make_courier: Callable[..., YalidineCourier], fake: FakeYalidine
) -> None:
    courier = make_courier(timeout=httpx.Timeout(0.3))
    fake.create_delay = 1.0
    with pytest.raises(CourierUnavailable):
        await courier.create_parcel(order())
    fake.create_delay = 0.0

    # what dispatch does before retrying: look the parcel up by our reference
    found = await courier.find_parcel("HN1-1042") or await courier.create_parcel(order())

    [tracking] = fake.parcels
    assert found.tracking == tracking and found.reference == "HN1-1042"
    assert found.label_url == fake.parcels[tracking]["label"]
    assert found.fee == 700
    assert len(creates(fake)) == 1
    assert await courier.find_parcel("HN1-9999") is None


# --- tracking --------------------------------------------------------------------------------


async def test_every_reference_status_maps(courier: YalidineCourier, fake: FakeYalidine) -> None:
    trackings = fake.seed(len(REFERENCE_STATUSES), REFERENCE_STATUSES)
    states = await courier.track_many(trackings)

    got = {states[t].raw_status: states[t].status for t in trackings}
    assert set(got) == set(REFERENCE_STATUSES)
    for raws, allowed in PHASES:
        for raw in raws:
            assert got[raw] in allowed, raw
    assert [raw for raw, status in got.items() if status is S.DELIVERED] == ["Livré"]
    assert [raw for raw, status in got.items() if status is S.RETURNED] == ["Retourné au vendeur"]


async def test_history_only_status_and_reasons(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    [tracking] = fake.seed(1, ["Centre"])
    fake.advance(tracking, "En alerte", "Document manquant")
    fake.advance(tracking, HISTORY_ONLY)
    fake.advance(tracking, "Tentative échouée", "Client ne répond pas")

    events = await courier.history(tracking)

    assert [e.raw_status for e in events] == [
        "En préparation", "Centre", "En alerte", HISTORY_ONLY, "Tentative échouée"
    ]  # fmt: skip
    assert events[3].status is S.IN_TRANSIT
    assert (events[2].status, events[2].raw_reason) == (S.ON_HOLD, "Document manquant")
    assert all(e.at is not None and e.at.utcoffset() is not None for e in events)
    assert events == sorted(events, key=lambda e: e.at)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize("spelling", ["Echec livraison", "ECHÈC  LIVRAISON", "echec_livraison"])
async def test_statuses_fold_accents_and_case(
    courier: YalidineCourier, fake: FakeYalidine, spelling: str
) -> None:
    [tracking] = fake.seed(1, [spelling])
    state = (await courier.track_many([tracking]))[tracking]
    assert (state.status, state.raw_status) == (S.DELIVERY_ATTEMPTED, spelling)


async def test_unknown_status_is_unknown_and_logged(
    courier: YalidineCourier, fake: FakeYalidine, caplog: pytest.LogCaptureFixture
) -> None:
    [odd, fine] = fake.seed(2, ["Perdu dans la nature", "Livré"])
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many([odd, fine])
    assert states[odd].status is S.UNKNOWN and states[odd].raw_status == "Perdu dans la nature"
    assert states[fine].status is S.DELIVERED
    assert "Perdu dans la nature" in caplog.text


async def test_track_many_batches_and_reads_reasons(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    trackings = fake.seed(1_234, ["Sorti en livraison", "Tentative échouée"], "Faux numéro")
    fake.advance(trackings[0], "Livré")
    asked = [*trackings, "yal-NOPE01", trackings[5]]

    states = await courier.track_many(asked)

    reads = [s for s in fake.seen if s.path == "/v1/parcels/"]
    assert [len(s.query["tracking"].split(",")) for s in reads] == [TRACK_BATCH, TRACK_BATCH, 235]
    assert all(len(s.query["tracking"]) < 6_500 for s in reads)
    assert set(states) == set(trackings)  # the unknown one is simply absent
    assert states[trackings[0]].status is S.DELIVERED
    attempted = states[trackings[1]]
    assert (attempted.status, attempted.raw_reason) == (S.DELIVERY_ATTEMPTED, "Faux numéro")
    assert states[trackings[2]].raw_reason == ""


async def test_track_many_returns_what_it_read_when_a_batch_fails(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    trackings = fake.seed(1_200, ["Expédié"])
    fake.break_after(2)
    states = await courier.track_many(trackings)
    assert set(states) == set(trackings[:1_000])
    fake.break_after(0)
    with pytest.raises(CourierUnavailable):
        await courier.track_many(trackings)


# --- label, cancel ---------------------------------------------------------------------------


async def test_label_bytes_downloaded_without_our_keys(
    courier: YalidineCourier, make_courier: Callable[..., YalidineCourier], fake: FakeYalidine
) -> None:
    parcel = await courier.create_parcel(order())
    label = await courier.label(parcel.tracking)
    again = await make_courier().label(parcel.tracking)  # a fresh process asks the API

    assert label is not None and again == label
    assert label.content_type == "text/html"
    assert f"Bordereau {parcel.tracking}".encode() in label.content
    assert b"2900 DA" in label.content
    assert all(
        "X-API-TOKEN" not in headers and "X-API-ID" not in headers
        for headers in fake.label_requests
    )


async def test_cancel(courier: YalidineCourier, fake: FakeYalidine) -> None:
    parcel = await courier.create_parcel(order())
    await courier.cancel(parcel.tracking)
    assert fake.parcels == {}

    shipped = await courier.create_parcel(order(reference="HN1-1043"))
    fake.advance(shipped.tracking, "Ramassé")
    with pytest.raises(CourierRejected, match="Ramassé"):
        await courier.cancel(shipped.tracking)
    with pytest.raises(ParcelNotFound):
        await courier.cancel("yal-NOPE01")


async def test_an_undocumented_create_answer_is_unexpected(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    fake.odd[("POST", "/v1/parcels/")] = web.json_response({"status": "accepted"})
    with pytest.raises(CourierAnswerUnexpected, match="order_id") as caught:
        await courier.create_parcel(order())
    assert caught.value.answer == '{"status":"accepted"}' and fake.parcels == {}
    fake.odd[("POST", "/v1/parcels/")] = web.Response(text="<html>502</html>")
    with pytest.raises(CourierAnswerUnexpected, match="without JSON"):
        await courier.create_parcel(order())


async def test_life_of_a_parcel(courier: YalidineCourier, fake: FakeYalidine) -> None:
    parcel = await courier.create_parcel(order())  # no ready step: created means ready
    assert (await courier.track_many([parcel.tracking]))[parcel.tracking].status in (
        ParcelStatus.CREATED,
        ParcelStatus.PENDING_PICKUP,
    )
    for status in ("Ramassé", "Sorti en livraison", "Livré"):
        fake.advance(parcel.tracking, status)
    states = await courier.track_many([parcel.tracking])
    assert states[parcel.tracking].status is ParcelStatus.DELIVERED
    label = await courier.label(parcel.tracking)
    assert label is not None and parcel.tracking.encode() in label.content
    with pytest.raises(CourierRejected):  # picked up: no delete any more
        await courier.cancel(parcel.tracking)
    back = await courier.create_parcel(order(reference="HN1-1099"))
    for status in ("Ramassé", "Echèc livraison", "Retourné au vendeur"):
        fake.advance(back.tracking, status)
    states = await courier.track_many([back.tracking])
    assert states[back.tracking].status is ParcelStatus.RETURNED


# --- reference data --------------------------------------------------------------------------


async def test_reference_data(courier: YalidineCourier) -> None:
    wilayas = await courier.wilayas()
    assert [(w.code_58, w.name) for w in wilayas][:3] == [
        (5, "Batna"),
        (6, "Béjaïa"),
        (16, "Alger"),
    ]
    assert 33 not in {w.code_58 for w in wilayas}  # not deliverable

    communes = {c.name: c for c in await courier.communes(16)}
    assert "Zone Militaire" not in communes
    assert (
        communes["Bordj El Kiffan"].has_stop_desk
        and communes["Bordj El Kiffan"].courier_id == "1630"
    )
    assert not communes["Ouled Fayet"].has_stop_desk

    desks = await courier.stop_desks(16)
    assert {(d.id, d.commune_name) for d in desks} == {
        ("160101", "Alger Centre"), ("163001", "Bordj El Kiffan")
    }  # fmt: skip
    assert len(await courier.stop_desks()) == 4

    fees = {fee.wilaya_code_58: fee for fee in await courier.fees()}
    assert set(fees) == {w.code_58 for w in wilayas}
    assert (fees[16].home, fees[16].desk) == (550, 400)
    assert (fees[19].home, fees[19].desk) == (700, 500)  # Beni Fouda's surcharge is the exception


# --- quotas ----------------------------------------------------------------------------------


async def test_quota_cost_does_not_grow_with_its_windows() -> None:
    clock = FakeClock()
    quota = Quota({1.0: 50_000, 86_400.0: 1_000_000}, clock, clock.sleep)
    began = time.perf_counter()
    for _ in range(40_000):  # a day window holding tens of thousands of sends
        await quota.acquire()
    assert time.perf_counter() - began < 3.0
    assert clock() == 1_000.0  # nothing had to wait
    await quota.acquire()  # the 40,001st fits in the second window too
    quota.learn(1.0, 0)  # the courier says the second is spent (by another process)
    await quota.acquire()
    assert clock() >= 1_001.0


def windows_respected(times: list[float]) -> dict[str, int]:
    """The most requests seen in any sliding window of each quota's length (stricter than
    the fake's own windows): a two-pointer sweep over sorted arrival times."""
    times, busiest = sorted(times), {}
    for name, (seconds, _) in QUOTAS.items():
        start, most = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        busiest[name] = most
    return busiest


async def test_429_retry_after_honoured(courier: YalidineCourier, fake: FakeYalidine) -> None:
    fake.force_429(1, retry_after=7)
    await courier.test_credentials()
    refused, accepted = fake.seen
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 7


async def test_fresh_process_respects_quota_another_spent(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    fake.spend(45, ["minute", "hour", "day"])  # another worker with the same keys, just now
    started = fake.clock()
    for _ in range(12):
        await courier.stop_desks(16)
    assert fake.over_quota == 0 and all(s.status == 200 for s in fake.seen)
    assert fake.clock() - started >= 60  # it waited for the minute window to reset


async def test_spent_day_raises_instead_of_sleeping_a_day(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    fake.spend(10_000, ["day"])
    started = fake.clock()
    with pytest.raises(CourierRateLimited) as caught:
        await courier.test_credentials()
    assert caught.value.retry_after > 80_000
    assert fake.clock() - started < 60


async def test_ten_thousand_shipments_synced_within_every_quota(
    courier: YalidineCourier, fake: FakeYalidine
) -> None:
    trackings = fake.seed(10_000, REFERENCE_STATUSES, reason="Client ne répond pas")
    started = fake.clock()

    states = await courier.track_many(trackings)

    assert len(states) == 10_000
    assert not any(state.status is S.UNKNOWN for state in states.values())
    assert fake.over_quota == 0 and all(s.status == 200 for s in fake.seen)
    busiest = windows_respected([s.at for s in fake.admitted()])
    assert all(busiest[name] <= allowed for name, (_, allowed) in QUOTAS.items()), busiest
    reads = sum(s.path == "/v1/parcels/" for s in fake.seen)
    print(
        f"\n10,000 Yalidine shipments: {len(fake.seen)} requests ({reads} parcel reads, "
        f"{len(fake.seen) - reads} history reads), {fake.clock() - started:.1f} s of courier "
        f"time, busiest windows {busiest}"
    )
