"""The Procolis adapter driven against the fake platform (no database)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from aiohttp import web

from couriers.base import (
    CourierAnswerUnexpected,
    CourierAuthError,
    CourierRejected,
    CourierUnavailable,
    CreatedParcel,
    NotSupported,
    ParcelRequest,
    ParcelStatus,
)
from couriers.http import Quota
from couriers.procolis import ProcolisCourier
from couriers.procolis_statuses import situation_status
from tests.couriers.fake_procolis import READY, FakeProcolis

S = ParcelStatus

# Every `Situation` reference/couriers.md §5.3 lists, spelled as it lists them.
REFERENCE_SITUATIONS = {
    "En Préparation": S.CREATED,
    "En Traitement - Prêt à Expédie": S.PENDING_PICKUP,
    "Dispatcher": S.IN_TRANSIT,
    "En Livraison": S.OUT_FOR_DELIVERY,
    "En Livraison ( 1528 )": S.OUT_FOR_DELIVERY,
    "Au Bureau": S.AT_HUB,
    "Reporté": S.ON_HOLD,
    "A Relancé": S.ON_HOLD,
    "Échange": S.IN_TRANSIT,
    "Appel sans Réponse 1": S.DELIVERY_ATTEMPTED,
    "Appel sans Réponse 2": S.DELIVERY_ATTEMPTED,
    "Appel sans Réponse 3": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 1": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 2": S.DELIVERY_ATTEMPTED,
    "SD - Appel sans Réponse 3": S.DELIVERY_ATTEMPTED,
    "SD - En Attente du Client": S.AT_HUB,
    "SD - Reporté": S.ON_HOLD,
    "Colis Livrée": S.DELIVERED,
    "Livrée": S.DELIVERED,
    "Livrée [ Encaisser ]": S.DELIVERED,
    # refused at the door: the team is alerted, the sale may still be saved
    "Annuler par le Client": S.DELIVERY_ATTEMPTED,
    "SD - Annuler par le Client": S.DELIVERY_ATTEMPTED,
    "SD - Annuler 3x": S.DELIVERY_ATTEMPTED,
    # the return on its way: not back with the merchant yet, no stock restored
    "Retour de Dispatche": S.IN_TRANSIT,
    "Retour Livreur": S.IN_TRANSIT,
    "Retour Navette": S.IN_TRANSIT,
    "Retour Stock": S.RETURNED,
    "Supprimée": S.CANCELLED,
}

FAST_WINDOWS = {1.0: 1000}  # the fake has no quota; the real rate would slow the suite


def parcel(reference: str = "HN-7-1001", **changes: object) -> ParcelRequest:
    base = ParcelRequest(
        reference=reference,
        recipient_name="Amina Belkacem",
        phone="0551234567",
        address="12 rue Didouche Mourad",
        wilaya_code_58=16,
        wilaya_name="Alger",
        commune_name="Alger Centre",
        delivery_type="home",
        products="2 x Robe kabyle",
        quantity=2,
        goods_value=5000,
        delivery_fee=400,
        cod_amount=5400,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeProcolis]:
    async with FakeProcolis() as server:
        yield server


@pytest.fixture
async def courier(fake: FakeProcolis) -> AsyncIterator[ProcolisCourier]:
    courier = ProcolisCourier(fake.account(), timeout=httpx.Timeout(2.0), quota=Quota(FAST_WINDOWS))
    yield courier
    await courier.aclose()


async def test_credentials_accepted(courier: ProcolisCourier) -> None:
    await courier.test_credentials()


async def test_credentials_refused_inside_http_200(fake: FakeProcolis) -> None:
    wrong = ProcolisCourier(fake.account(key="not-the-key"))
    with pytest.raises(CourierAuthError, match="Clé non détectée"):
        await wrong.test_credentials()
    fake.token_disabled = True
    right = ProcolisCourier(fake.account())
    with pytest.raises(CourierAuthError, match="Token désactivé"):
        await right.fees()
    await wrong.aclose()
    await right.aclose()


async def test_create_sends_a_confirmed_parcel_collecting_the_cod_total(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    created = await courier.create_parcel(parcel())

    assert created.tracking == "HN-7-1001" and created.reference == "HN-7-1001"
    stored = fake.parcels["HN-7-1001"]
    assert stored["Situation"] == READY  # Confrimee=1: no separate `pret` call needed
    assert stored["Total"] == "5400" and stored["TypeLivraison"] == "0"
    assert stored["IDWilaya"] == "16" and stored["Commune"] == "Alger Centre"
    assert fake.bodies("pret") == []


async def test_desk_parcel_is_sent_as_stop_desk_delivery(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    await courier.create_parcel(parcel(delivery_type="desk", stopdesk_id="ignored"))
    assert fake.parcels["HN-7-1001"]["TypeLivraison"] == "1"


async def test_refusal_in_an_http_200_row_raises_with_the_courier_text(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    with pytest.raises(CourierRejected, match="téléphone"):
        await courier.create_parcel(parcel(phone="12345"))
    assert fake.parcels == {}


async def test_bad_input_is_refused_before_anything_is_sent(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    with pytest.raises(CourierRejected, match="wilaya 59"):
        await courier.create_parcel(parcel(wilaya_code_58=59))
    with pytest.raises(CourierRejected, match="delivery type"):
        await courier.create_parcel(parcel(delivery_type="drone"))
    assert fake.bodies("add_colis") == []


async def test_a_repeated_create_answers_the_existing_parcel(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    first = await courier.create_parcel(parcel())
    again = await courier.create_parcel(parcel())  # the platform says "Double Tracking"
    assert again.tracking == first.tracking
    assert len(fake.parcels) == 1


async def test_timeout_after_the_create_took_effect_then_found_by_reference(
    fake: FakeProcolis,
) -> None:
    hasty = ProcolisCourier(fake.account(), timeout=httpx.Timeout(0.2))
    fake.stall_create = 1.0
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(parcel())

    found = await hasty.find_parcel("HN-7-1001")
    retried = await hasty.create_parcel(parcel())
    await hasty.aclose()

    assert found is not None and found.tracking == "HN-7-1001"
    assert retried.tracking == found.tracking
    assert len(fake.parcels) == 1


async def test_find_parcel_of_an_unknown_reference_is_none(courier: ProcolisCourier) -> None:
    assert await courier.find_parcel("HN-never-sent") is None  # `lire` answers null


async def test_batch_create_keeps_the_good_rows_of_a_partial_success(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    requests = [parcel("HN-1"), parcel("HN-2", phone="999"), parcel("HN-3", wilaya_code_58=0)]
    requests.append(parcel("HN-4"))
    outcomes = await courier.create_many(requests)

    assert isinstance(outcomes[0], CreatedParcel) and outcomes[0].tracking == "HN-1"
    assert isinstance(outcomes[1], CourierRejected) and "téléphone" in str(outcomes[1])
    assert isinstance(outcomes[2], CourierRejected)  # refused by us, never sent
    assert isinstance(outcomes[3], CreatedParcel) and outcomes[3].tracking == "HN-4"
    assert sorted(fake.parcels) == ["HN-1", "HN-4"]
    assert len(fake.bodies("add_colis")[0]["Colis"]) == 3


async def test_track_many_reads_in_batches_of_fifty(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    references = [f"HN-{n}" for n in range(120)]
    await courier.create_many([parcel(ref) for ref in references])
    fake.set_situation("HN-5", "Livrée")

    states = await courier.track_many([*references, "HN-unknown"])

    assert [len(body["Colis"]) for body in fake.bodies("lire")] == [50, 50, 21]
    assert set(states) == set(references)
    assert states["HN-5"].status is S.DELIVERED and states["HN-5"].raw_status == "Livrée"
    assert states["HN-6"].status is S.PENDING_PICKUP
    assert states["HN-6"].at is not None and states["HN-6"].at.utcoffset() is not None


@pytest.mark.parametrize(("raw", "expected"), REFERENCE_SITUATIONS.items())
def test_every_reference_situation_maps_exactly(raw: str, expected: ParcelStatus) -> None:
    assert situation_status(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LIVREE", S.DELIVERED),
        ("Livrée [Encaisser]", S.DELIVERED),
        ("en livraison (7)", S.OUT_FOR_DELIVERY),
        ("sd - appel sans reponse 2", S.DELIVERY_ATTEMPTED),
    ],
)
def test_case_accents_spacing_and_hub_tags_fold(raw: str, expected: ParcelStatus) -> None:
    assert situation_status(raw) is expected


async def test_situations_read_through_the_platform(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    references = {f"HN-{n}": raw for n, raw in enumerate(REFERENCE_SITUATIONS)}
    await courier.create_many([parcel(ref) for ref in references])
    for reference, raw in references.items():
        fake.set_situation(reference, raw)

    states = await courier.track_many(list(references))

    got = {references[t]: state.status for t, state in states.items()}
    assert got == REFERENCE_SITUATIONS


async def test_unknown_situation_stays_unknown_and_is_logged(
    fake: FakeProcolis, courier: ProcolisCourier, caplog: pytest.LogCaptureFixture
) -> None:
    await courier.create_parcel(parcel())
    fake.set_situation("HN-7-1001", "Livrée chez le voisin")
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many(["HN-7-1001"])
    assert states["HN-7-1001"].status is S.UNKNOWN
    assert states["HN-7-1001"].raw_status == "Livrée chez le voisin"
    assert "Livrée chez le voisin" in caplog.text


async def test_history_is_the_current_state(fake: FakeProcolis, courier: ProcolisCourier) -> None:
    await courier.create_parcel(parcel())
    fake.set_situation("HN-7-1001", "Retour Stock")
    (state,) = await courier.history("HN-7-1001")
    assert state.status is S.RETURNED


async def test_label_and_cancel_are_not_offered(courier: ProcolisCourier) -> None:
    assert courier.capabilities.labels == "none" and not courier.capabilities.cancel
    with pytest.raises(NotSupported):
        await courier.label("HN-7-1001")
    with pytest.raises(NotSupported):
        await courier.cancel("HN-7-1001")


async def test_429_waits_for_retry_after(fake: FakeProcolis, courier: ProcolisCourier) -> None:
    fake.throttle = [0.3]
    started = time.monotonic()
    await courier.test_credentials()
    assert time.monotonic() - started >= 0.3
    assert [path for path, _, _ in fake.calls] == ["token", "token", "tarification"]
    assert courier.quota.windows != FAST_WINDOWS  # a 429 lowers the pace


def test_no_invented_rate_45_a_minute() -> None:
    from couriers.procolis import RATE

    assert RATE == {60.0: 45}


async def test_credentials_of_an_account_without_tariff_say_so(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    fake.tariffs = []
    with pytest.raises(CourierRejected, match="no tariff"):
        await courier.test_credentials()


async def test_fake_refuses_other_body_shapes_and_types(fake: FakeProcolis) -> None:
    headers = {"token": fake.token, "key": fake.key}
    async with httpx.AsyncClient(base_url=fake.url, headers=headers) as raw:
        flat = await raw.post("add_colis", json={"Tracking": "X1", "Client": "A"})
        assert flat.json() == {"Retour": "Format de données invalide"}
        row = {"Tracking": "X2", "TypeLivraison": "2", "TypeColis": "0", "Client": "A",
               "MobileA": "0550123456", "IDWilaya": "16", "Commune": "Hydra",
               "Total": "100"}  # fmt: skip
        refused = await raw.post("add_colis", json={"Colis": [row]})
        assert refused.json()["Colis"][0]["MessageRetour"] == "Type de livraison invalide"
    assert fake.parcels == {}


async def test_an_undocumented_create_answer_is_unexpected(
    fake: FakeProcolis, courier: ProcolisCourier
) -> None:
    fake.odd["add_colis"] = web.json_response({"Colis": [{"Tracking": "HNT-1"}]})
    with pytest.raises(CourierAnswerUnexpected, match="MessageRetour") as caught:
        await courier.create_parcel(parcel())
    assert "HNT-1" in caught.value.answer and fake.parcels == {}
    fake.odd["add_colis"] = web.json_response({"Etat": "ok"})
    with pytest.raises(CourierAnswerUnexpected, match="no Colis list"):
        await courier.create_parcel(parcel())


async def test_life_of_a_parcel(fake: FakeProcolis, courier: ProcolisCourier) -> None:
    created = await courier.create_parcel(parcel())  # Confrimee=1: ready at once
    states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.PENDING_PICKUP
    fake.set_situation(created.tracking, "Livrée [ Encaisser ]")
    assert (await courier.track_many([created.tracking]))[created.tracking].status is S.DELIVERED
    with pytest.raises(NotSupported):
        await courier.label(created.tracking)
    with pytest.raises(NotSupported):
        await courier.cancel(created.tracking)
    other = await courier.create_parcel(parcel("HNT-PRC-2"))
    fake.set_situation(other.tracking, "Retour Stock")
    assert (await courier.track_many([other.tracking]))[other.tracking].status is S.RETURNED


async def test_reference_data_comes_from_the_tariff(courier: ProcolisCourier) -> None:
    wilayas = await courier.wilayas()
    fees = {fee.wilaya_code_58: fee for fee in await courier.fees()}

    assert [(w.code_58, w.name) for w in wilayas] == [(16, "Alger"), (31, "Oran"), (33, "Illizi")]
    assert (fees[16].home, fees[16].desk) == (400, 250)
    assert (fees[33].home, fees[33].desk) == (1400, None)  # no desk in Illizi
    with pytest.raises(NotSupported):
        await courier.communes(16)
    with pytest.raises(NotSupported):
        await courier.stop_desks(16)
