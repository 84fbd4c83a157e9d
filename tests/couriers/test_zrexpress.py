"""The ZR Express (new platform) adapter driven against the fake platform (no database)."""

from __future__ import annotations

import asyncio
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
    Account,
    CourierAuthError,
    CourierError,
    CourierRateLimited,
    CourierRejected,
    CourierUnavailable,
    ParcelNotFound,
    ParcelRequest,
    ParcelStatus,
)
from couriers.http import Quota
from couriers.zrexpress import ZrExpressCourier, parse_webhook, verify_webhook
from couriers.zrexpress_statuses import state_status
from models.errors import InvalidInput
from shipping.accounts import check_credentials
from tests.couriers.fake_zrexpress import (
    HUBS,
    LIVE_STATES,
    FakeZrExpress,
    territory_rows,
    tid,
    workflow,
)

S = ParcelStatus

# The live workflow's states (couriers/zrexpress.md) and the reading of each.
LIVE = {
    "commande_recue": S.CREATED,
    "en_traitement": S.CREATED,
    "appel_confirmation": S.CREATED,
    "commande_confirmee": S.CREATED,
    "en_preparation": S.PENDING_PICKUP,
    "pret_a_expedier": S.PENDING_PICKUP,
    "confirme_au_bureau": S.IN_TRANSIT,
    "remboursement_reinjecte": S.RETURNED,
    "dispatch": S.IN_TRANSIT,
    "vers_wilaya": S.IN_TRANSIT,
    "en_livraison": S.OUT_FOR_DELIVERY,
    "en_attente_dechange": S.ON_HOLD,
    "colis_recupere": S.IN_TRANSIT,  # taken back from the customer: not home yet
    "attente_recuperation_fournisseur": S.AT_HUB,  # at ZR's hub, waiting for the merchant
    "reinjecte_dans_stock": S.RETURNED,
    "recupere_par_fournisseur": S.RETURNED,  # back with the merchant
    "sortie_en_livraison": S.OUT_FOR_DELIVERY,
    "livre": S.DELIVERED,
    "encaisse": S.DELIVERED,
    "recouvert": S.DELIVERED,
}
# Names other sources add, and the older PascalCase vocabulary.
OTHERS = {
    "confirme_chez_partenaire": S.IN_TRANSIT,
    "retour_sous_traitant": S.IN_TRANSIT,
    "livre au client": S.DELIVERED,
    "echec_livraison": S.DELIVERY_ATTEMPTED,
    "retourne": S.RETURNED,
    "annule": S.CANCELLED,
    "disponible_bureau": S.AT_HUB,
    "en_attente_client": S.AT_HUB,
    "Prêt à expédier": S.PENDING_PICKUP,  # a description folds to its name
    "OrderReceived": S.CREATED,
    "ReadyToDispatch": S.PENDING_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "Delivered": S.DELIVERED,
    "InReturn": S.IN_TRANSIT,
    "Returned": S.RETURNED,
    "Cancelled": S.CANCELLED,
}
SECRET = "whsec_" + base64.b64encode(b"zr-webhook-signing-key-32-bytes!").decode()
DESK = tid("Point relais Alger Centre")
READY = tid("Livraison/pret_a_expedier")

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


def make(fake: FakeZrExpress, **credentials: str) -> ZrExpressCourier:
    courier = ZrExpressCourier(
        fake.account(**credentials), timeout=httpx.Timeout(2.0), quota=Quota({1.0: 1000})
    )
    courier.tracking_wait = 0.01
    return courier


@pytest.fixture
async def courier(fake: FakeZrExpress) -> AsyncIterator[ZrExpressCourier]:
    courier = make(fake)
    yield courier
    await courier.aclose()


def states_of(fake: FakeZrExpress) -> list[str]:
    return [p["state"]["name"] for p in fake.parcels.values()]


# --- courier add -----------------------------------------------------------------------


async def test_credentials_accepted_and_refused(fake: FakeZrExpress) -> None:
    good, bad = make(fake), make(fake, api_key="stolen")
    await good.test_credentials()
    with pytest.raises(CourierAuthError):
        await bad.test_credentials()
    await good.aclose()
    await bad.aclose()


async def test_credential_test_names_the_missing_ready_state(fake: FakeZrExpress) -> None:
    fake.workflows = [workflow("Livraison", ("commande_recue", "livre"))]
    courier = make(fake)
    with pytest.raises(CourierRejected) as refused:
        await courier.test_credentials()
    with pytest.raises(CourierRejected, match="pret_a_expedier"):
        await courier.create_parcel(parcel())
    await courier.aclose()
    assert "pret_a_expedier or ReadyToDispatch" in str(refused.value)
    assert "states found: commande_recue, livre" in str(refused.value)
    assert fake.paths("POST", "parcels") == [] and fake.customers == {}


async def test_credential_test_checks_the_named_source_hub(fake: FakeZrExpress) -> None:
    known, unknown = make(fake, hub_id=tid("Tri Alger")), make(fake, hub_id=tid("Nowhere"))
    await known.test_credentials()
    with pytest.raises(CourierRejected, match=r"is not one of the account's hubs .*Tri Alger"):
        await unknown.test_credentials()
    await known.aclose()
    await unknown.aclose()


# --- create ----------------------------------------------------------------------------


async def test_create_makes_the_customer_then_a_ready_parcel(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_parcel(parcel())

    (customer,) = fake.customers.values()
    (stored,) = fake.parcels.values()
    assert customer["phone"] == {"number1": "+213661234567"}
    assert stored["customer"]["customerId"] == customer["id"]
    assert created.tracking == stored["trackingNumber"] == "16-000001-ZR"
    assert created.fee == 400 and created.reference == "HN-7-1001"
    assert stored["state"]["name"] == "pret_a_expedier"  # not left in commande_recue
    assert fake.paths("POST", "parcels")[0]["stateId"] == READY  # one call, no PATCH
    assert fake.paths("PATCH", f"parcels/{stored['id']}/state") == []
    assert stored["deliveryAddress"]["cityTerritoryId"] == tid("Alger")
    assert stored["deliveryAddress"]["districtTerritoryId"] == tid("16/Bab El Oued")
    assert stored["amount"] == 6400 and stored["externalId"] == "HN-7-1001"
    assert "hubId" not in stored  # no source hub named for this account
    assert stored["orderedProducts"][0] | {} == {
        "productName": "Sac cuir",
        "unitPrice": 3000,
        "quantity": 2,
        "stockType": "none",
    }


async def test_a_known_customer_is_reused_on_an_exact_phone_only(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    await courier.create_parcel(parcel("HN-1"))
    await courier.create_parcel(parcel("HN-2"))  # same phone
    await courier.create_parcel(parcel("HN-3", phone="0661234560"))  # a near miss
    assert len(fake.paths("POST", "customers/individual")) == 2
    assert len(fake.customers) == 2
    assert len(fake.paths("POST", "customers/search")) == 2  # once per phone per instance

    other = make(fake)  # another process: finds the customer by phone
    await other.create_parcel(parcel("HN-4"))
    await other.aclose()
    assert len(fake.customers) == 2


async def test_an_ignored_state_in_the_body_is_set_with_the_state_change(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.state_in_body = False
    created = await courier.create_parcel(parcel())
    stored = fake.by_tracking(created.tracking)
    assert stored["state"]["name"] == "pret_a_expedier"
    assert fake.paths("PATCH", f"parcels/{stored['id']}/state") == [
        {"parcelId": stored["id"], "newStateId": READY, "comment": ""}
    ]


async def test_an_account_taking_the_other_state_body_is_detected(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.state_in_body, fake.state_body = False, "stateId"
    created = await courier.create_parcel(parcel())
    stored = fake.by_tracking(created.tracking)
    assert stored["state"]["name"] == "pret_a_expedier"
    assert fake.paths("PATCH", f"parcels/{stored['id']}/state")[-1] == {"stateId": READY}


async def test_with_two_workflows_the_ready_state_comes_from_the_parcels_own(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.workflows = [workflow("Livraison", LIVE_STATES), workflow("Echange", LIVE_STATES)]
    created = await courier.create_parcel(parcel())
    stored = fake.by_tracking(created.tracking)
    assert "stateId" not in fake.paths("POST", "parcels")[0]  # which one is not ours to guess
    patch = fake.paths("PATCH", f"parcels/{stored['id']}/state")
    assert patch == [{"parcelId": stored["id"], "newStateId": READY, "comment": ""}]
    assert stored["state"]["id"] == READY != tid("Echange/pret_a_expedier")


async def test_desk_parcel_goes_to_its_pickup_point(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    await courier.create_parcel(parcel(delivery_type="desk", stopdesk_id=DESK))
    (stored,) = fake.parcels.values()
    assert stored["deliveryType"] == "pickup-point" and stored["hubId"] == DESK
    assert stored["deliveryAddress"]["districtTerritoryId"] == tid("16/Alger Centre")

    with pytest.raises(CourierRejected, match="pickup point"):
        await courier.create_parcel(parcel("HN-2", delivery_type="desk"))
    with pytest.raises(CourierRejected, match="pickup point"):
        await courier.create_parcel(
            parcel("HN-3", delivery_type="desk", stopdesk_id=tid("Tri Alger"))
        )
    assert len(fake.parcels) == 1


async def test_a_named_source_hub_rides_on_home_parcels(fake: FakeZrExpress) -> None:
    courier = make(fake, hub_id=tid("Tri Alger"))
    await courier.create_parcel(parcel())
    await courier.aclose()
    (stored,) = fake.parcels.values()
    assert stored["hubId"] == tid("Tri Alger") and stored["deliveryType"] == "home"


async def test_unknown_commune_is_refused_before_anything_is_created(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    with pytest.raises(CourierRejected, match="Oran"):
        await courier.create_parcel(parcel(commune_name="Oran"))  # Oran is not in Alger
    with pytest.raises(CourierRejected, match="wilaya 58"):
        await courier.create_parcel(parcel(wilaya_code_58=58))
    assert fake.paths("POST", "parcels") == [] and fake.parcels == {}


async def test_courier_refusal_carries_its_detail(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    with pytest.raises(CourierRejected, match=r"phone\.number1"):
        await courier.create_parcel(parcel(phone="0212345678"))  # a landline: not +2135/6/7
    assert fake.parcels == {}


async def test_a_tracking_number_assigned_late_is_waited_for(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.tracking_lag = 2
    created = await courier.create_parcel(parcel())
    assert created.tracking == "16-000001-ZR"


async def test_timeout_after_create_then_found_and_made_ready(fake: FakeZrExpress) -> None:
    hasty = ZrExpressCourier(fake.account(), timeout=httpx.Timeout(0.2), quota=FAST)
    fake.stall_create, fake.state_in_body = 1.0, False
    with pytest.raises(CourierUnavailable):
        await hasty.create_parcel(parcel())
    assert states_of(fake) == ["commande_recue"]  # created, never made ready

    found = await hasty.find_parcel("HN-7-1001")
    await hasty.aclose()

    assert found is not None and found.tracking == "16-000001-ZR"
    assert states_of(fake) == ["pret_a_expedier"]
    assert len(fake.parcels) == 1


async def test_a_duplicate_reference_answers_the_existing_parcel(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    first = await courier.create_parcel(parcel())
    again = await courier.create_parcel(parcel())  # as if the lookup had been skipped
    assert again.tracking == first.tracking and len(fake.parcels) == 1


async def test_find_parcel_keeps_only_an_exact_reference(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    await courier.create_parcel(parcel("HN-10"))
    assert await courier.find_parcel("HN-1") is None  # the keyword matches HN-10
    assert await courier.find_parcel("HN-never-sent") is None
    assert {b.get("keyword") for b in fake.paths("POST", "parcels/search")} == {
        "HN-1",
        "HN-never-sent",
    }


async def test_an_unreadable_create_answer_is_unavailable_and_the_retry_finds_it(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.create_answer = lambda p: {"parcel": "créé"}
    with pytest.raises(CourierUnavailable, match="créé"):
        await courier.create_parcel(parcel())
    fake.create_answer = lambda p: ["ok"]
    with pytest.raises(CourierUnavailable, match="ok"):
        await courier.create_parcel(parcel("HN-2", phone="0771234567"))
    fake.create_answer = None

    found = await courier.find_parcel("HN-7-1001")  # what the channel asks before retrying

    assert found is not None and found.tracking == "16-000001-ZR"
    assert len(fake.parcels) == 2


# --- after the create ------------------------------------------------------------------


async def test_track_many_reads_each_parcel_and_skips_unknown_ones(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = [await courier.create_parcel(parcel(f"HN-{n}")) for n in range(3)]
    trackings = [c.tracking for c in created]
    fake.advance(trackings[1], "sortie_en_livraison", situation="Appel 1 sans réponse")

    states = await courier.track_many([*trackings, "99-NOPE-ZR"])

    assert set(states) == set(trackings)
    assert states[trackings[1]].status is S.OUT_FOR_DELIVERY
    assert states[trackings[1]].raw_reason == "Appel 1 sans réponse"
    assert states[trackings[0]].status is S.PENDING_PICKUP
    at = states[trackings[0]].at
    assert at is not None and at.tzinfo is not None  # ZR writes no zone: read as UTC


@pytest.mark.parametrize(("raw", "expected"), (LIVE | OTHERS).items())
def test_every_known_state_maps_exactly(raw: str, expected: ParcelStatus) -> None:
    assert state_status(raw) is expected


async def test_live_states_read_through_the_platform(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = [await courier.create_parcel(parcel(f"HN-{n}")) for n in range(len(LIVE))]
    trackings = {c.tracking: raw for c, raw in zip(created, LIVE, strict=True)}
    for tracking, raw in trackings.items():
        fake.advance(tracking, raw)

    states = await courier.track_many(list(trackings))

    assert {trackings[t]: s.status for t, s in states.items()} == LIVE


async def test_unknown_state_stays_unknown_and_is_logged(
    fake: FakeZrExpress, courier: ZrExpressCourier, caplog: pytest.LogCaptureFixture
) -> None:
    created = await courier.create_parcel(parcel())
    fake.advance(created.tracking, "etat_inconnu_2027")
    with caplog.at_level(logging.WARNING):
        states = await courier.track_many([created.tracking])
    assert states[created.tracking].status is S.UNKNOWN
    assert "etat_inconnu_2027" in caplog.text


async def test_lifecycle_create_ready_track_delivered_returned_label_cancel(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    sold, back, dropped = [await courier.create_parcel(parcel(f"HN-{n}")) for n in range(3)]
    for state in ("confirme_au_bureau", "vers_wilaya", "sortie_en_livraison", "livre"):
        fake.advance(sold.tracking, state)
    for state in ("sortie_en_livraison", "attente_recuperation_fournisseur"):
        fake.advance(back.tracking, state, situation="Commande annulée")

    waiting = await courier.track_many([sold.tracking, back.tracking])
    fake.advance(back.tracking, "recupere_par_fournisseur")
    returned = await courier.track_many([back.tracking])
    label = await courier.label(sold.tracking)
    await courier.cancel(dropped.tracking)

    assert waiting[sold.tracking].status is S.DELIVERED
    assert waiting[back.tracking].status is S.AT_HUB  # not yet with the merchant
    assert waiting[back.tracking].raw_reason == "Commande annulée"
    assert returned[back.tracking].status is S.RETURNED
    assert [h.raw_status for h in await courier.history(sold.tracking)] == [
        "pret_a_expedier", "confirme_au_bureau", "vers_wilaya", "sortie_en_livraison", "livre"
    ]  # fmt: skip
    assert label is not None and label.content.startswith(b"%PDF")
    assert dropped.tracking not in {p["trackingNumber"] for p in fake.parcels.values()}


async def test_label_pdf_downloaded_without_our_credentials(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    created = await courier.create_parcel(parcel())
    label = await courier.label(created.tracking)

    assert label is not None and created.tracking.encode() in label.content
    assert label.content_type == "application/pdf"
    assert fake.paths("POST", "parcels/labels/individual/pdf")[0]["format"] == "a6"
    assert fake.file_headers and "X-Api-Key" not in fake.file_headers[0]
    with pytest.raises(ParcelNotFound):
        await courier.label("99-NOPE-ZR")


async def test_cancel_before_pickup_only(fake: FakeZrExpress, courier: ZrExpressCourier) -> None:
    first = await courier.create_parcel(parcel("HN-1"))
    second = await courier.create_parcel(parcel("HN-2"))
    fake.advance(second.tracking, "vers_wilaya")

    await courier.cancel(first.tracking)
    with pytest.raises(CourierRejected, match="CannotBeDeleted"):
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


async def test_no_published_quota_means_45_a_minute() -> None:
    account = Account("zrexpress", "http://127.0.0.1:9/api/v1/", {"api_key": "k", "tenant": "t"})
    courier = ZrExpressCourier(account)
    await courier.aclose()
    assert courier.http.quota is not None and courier.http.quota.windows == {60.0: 45}


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
    # The Hydra commune row is not a wilaya; Oran's discounted price is the account's.
    assert fees == {16: (400, 250), 31: (650, None)}


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
                 "state": {"id": "s-1", "name": "livre"}},
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
    assert not verify_webhook(SECRET, signed(EVENT), EVENT.replace(b"livre", b"retourne"))
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


# The live format is PascalCase (WBG handles it as "real webhook format").
LIVE_EVENT = {
    "EventType": "parcel.state.updated",
    "Data": {
        "TrackingNumber": "16-2E3IJ8WY17-ZR",
        "ExternalId": "HN-7-1001",
        "State": {"Name": "attente_recuperation_fournisseur",
                  "Description": "En attente récupération fournisseur"},
        "Situation": {"Name": "commande_annulee", "Description": "Commande annulée"},
    },
}  # fmt: skip


def test_live_pascal_case_webhook_is_read() -> None:
    state = parse_webhook(json.dumps(LIVE_EVENT).encode())
    assert state is not None and state.tracking == "16-2E3IJ8WY17-ZR"
    assert (state.status, state.raw_status) == (S.AT_HUB, "attente_recuperation_fournisseur")
    assert state.raw_reason == "Commande annulée"


@pytest.mark.parametrize(("raw", "expected"), LIVE.items())
def test_every_live_state_arrives_through_webhooks(raw: str, expected: ParcelStatus) -> None:
    event = {"EventType": "parcel.state.updated",
             "Data": {"TrackingNumber": "16-1-ZR", "State": {"Name": raw}}}  # fmt: skip
    state = parse_webhook(json.dumps(event).encode())
    assert state is not None and state.status is expected


def test_older_webhook_shape_with_new_state_name_is_read() -> None:
    event = {"EventType": "parcel.state.updated",
             "Data": {"TrackingNumber": "16-1-ZR", "NewStateName": "livre"}}  # fmt: skip
    state = parse_webhook(json.dumps(event).encode())
    assert state is not None and state.status is S.DELIVERED


def test_webhooks_without_a_state_are_ignored() -> None:
    situation = {"EventType": "parcel.state.situation.created",
                 "Data": {"TrackingNumber": "16-1-ZR", "SituationName": "Appel 1"}}  # fmt: skip
    is_return = {"EventType": "parcel.isReturn.updated",
                 "Data": {"TrackingNumber": "16-1-ZR", "IsReturn": True}}  # fmt: skip
    assert parse_webhook(json.dumps(situation).encode()) is None
    assert parse_webhook(json.dumps(is_return).encode()) is None
    assert parse_webhook(b'["not", "an", "event"]') is None


async def test_a_quota_header_is_learned(fake: FakeZrExpress) -> None:
    courier = ZrExpressCourier(fake.account())  # the production quota: 45 a minute
    fake.remaining = 3
    await courier.test_credentials()
    assert courier.http.quota is not None
    assert len(courier.http.quota.sent[60.0]) == 42  # 45 − 3: spent elsewhere, counted
    fake.remaining = 0
    await courier.fees()
    with pytest.raises(CourierRateLimited):  # a minute's wait: the caller retries later
        await courier.fees()
    await courier.aclose()


# Answers in shapes the contract does not describe: every call ends in a CourierError (or an
# answer), never a KeyError/TypeError escaping into the dispatch channel.
ODD_BODIES = [b"[]", b'"ok"', b"{}", b"null", b"<html>502</html>", b'{"items": "x"}',
              b'{"items": [1, "a", null, {"id": 7, "state": "x", "address": 3}]}',
              b'{"id": 5, "rates": {"a": 1}, "parcelLabelFiles": [3]}',
              b'[{"newState": 3, "createdAt": 4}]']  # fmt: skip


REFERENCE = {
    "territories/search": {"items": territory_rows(), "hasNext": False},
    "hubs/search": {"items": HUBS, "hasNext": False},
    "workflows/search": {"items": [workflow("Livraison", LIVE_STATES)], "hasNext": False},
}


@pytest.mark.parametrize("odd_reference", [False, True], ids=["odd-parcels", "odd-everything"])
@pytest.mark.parametrize("body", ODD_BODIES)
async def test_odd_answers_end_in_courier_errors(body: bytes, odd_reference: bool) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1/")
        if path in REFERENCE and not odd_reference:
            return httpx.Response(200, json=REFERENCE[path])
        return httpx.Response(200, content=body)

    transport = httpx.MockTransport(answer)
    account = Account("zrexpress", "http://zr.test/api/v1/", {"api_key": "k", "tenant": "t"})
    courier = ZrExpressCourier(account, transport=transport, quota=FAST)
    courier.tracking_wait = 0.0
    calls = [
        courier.test_credentials(),
        courier.create_parcel(parcel()),
        courier.create_parcel(parcel(delivery_type="desk", stopdesk_id=DESK)),
        courier.find_parcel("HN-1"),
        courier.track_many(["16-1-ZR"]),
        courier.history("16-1-ZR"),
        courier.label("16-1-ZR"),
        courier.cancel("16-1-ZR"),
        courier.fees(),
        courier.stop_desks(16),
        courier.communes(16),
    ]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    await courier.aclose()
    odd = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, CourierError)]
    assert odd == []
    assert all(isinstance(o, CourierError) for o in outcomes[1:3])  # no parcel made of it


async def test_courier_add_says_what_the_account_lacks(fake: FakeZrExpress) -> None:
    fake.workflows = [workflow("Livraison", ("commande_recue", "en_preparation", "livre"))]
    with pytest.raises(InvalidInput, match=r"no ready-to-dispatch state.*en_preparation"):
        await check_credentials(fake.account())
    fake.workflows = [workflow("Livraison", LIVE_STATES)]
    with pytest.raises(InvalidInput, match=r"hub_id .* is not one of the account's hubs"):
        await check_credentials(fake.account(hub_id="not-a-hub"))
    await check_credentials(fake.account(hub_id=tid("Tri Alger")))


async def test_a_refused_state_change_says_the_parcel_exists(
    fake: FakeZrExpress, courier: ZrExpressCourier
) -> None:
    fake.state_in_body, fake.state_body = False, "neither"  # both shapes refused
    with pytest.raises(CourierRejected, match=r"16-000001-ZR \(HN-7-1001\) created but not made"):
        await courier.create_parcel(parcel())
    assert states_of(fake) == ["commande_recue"]
