"""How fast a parcel's change at the courier reaches its order: at once through the courier
webhook set up as the README says (`courier add` prints the address, the courier's
dashboard gives the secret, `courier secret` keeps it), else at the first poll, at most
PARCEL_POLL_SECONDS later — never more often than the courier's quotas allow."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from couriers.base import ParcelRequest
from couriers.http import Quota
from models.infra import clock
from models.orders.lifecycle import OrderStatus
from models.orders.transitions import get_order
from models.shipping.parcels import POLL_EVERY, poll_every, set_poll_intervals
from models.shipping.tables import CourierAccount, Shipment
from shipping import courier_webhooks
from shipping.accounts import add_account, webhook_path
from shipping.dispatch import dispatch
from shipping.jobs import ShippingJobs
from shipping.polling import (
    MIN_POLL_SECONDS,
    PLANNED_PARCELS,
    POLL_SHARE,
    configure_polling,
    courier_floors,
    placeholder_adapter,
    quota_floor,
    windows_of,
)
from shipping.pool import CourierPool
from tests.couriers.fake_maystro import FakeMaystro
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, FakeYalidine
from tests.factories import make_shop
from tests.shipping.support import (
    OWNER,
    SECRET_KEY,
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    sealer,
    shipped_by_hand,
)
from webstore.app import create_app
from webstore.config import WebConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def default_intervals() -> Iterator[None]:
    yield
    set_poll_intervals(POLL_EVERY, {})  # what every other test expects


@pytest.fixture
async def pool(yalidine: FakeYalidine) -> AsyncIterator[CourierPool]:
    couriers = CourierPool(sealer(), FakeBuilder(yalidine))
    yield couriers
    await couriers.aclose()


# --- the poll interval and its floors ------------------------------------------------------


async def test_each_couriers_floor_keeps_its_polls_within_half_of_every_quota() -> None:
    floors = await courier_floors()
    assert floors["yalidine"] > MIN_POLL_SECONDS and floors["ecotrack"] > MIN_POLL_SECONDS
    assert min(floors.values()) == MIN_POLL_SECONDS
    for name, floor in floors.items():
        adapter = placeholder_adapter(name)
        batch = adapter.capabilities.track_batch
        for seconds, allowed in windows_of(adapter).items():
            if batch and seconds >= floor:  # shorter windows are paced by the quota itself
                polls = seconds / floor
                requests = polls * 2 * -(-PLANNED_PARCELS // batch)
                assert requests <= allowed * POLL_SHARE, (name, seconds)
        await adapter.aclose()
    assert quota_floor({60.0: 50, 3600.0: 1000}, 0) == MIN_POLL_SECONDS  # manual: no polls


async def test_the_setting_is_used_unless_below_a_couriers_floor() -> None:
    floors = await courier_floors()
    intervals = await configure_polling(600)
    assert intervals["yalidine"] == 600 and poll_every("yalidine") == timedelta(seconds=600)
    assert poll_every("some-new-courier") == timedelta(seconds=600)
    await configure_polling(60)
    for courier, floor in floors.items():  # each courier at its floor, never below 60 s
        assert poll_every(courier) == timedelta(seconds=max(60, floor)), courier
    assert floors["ecotrack"] > 60


def test_the_quota_of_an_adapter_is_read_from_its_http_client() -> None:
    class Adapter:
        class http:
            quota = Quota({60.0: 50})

    assert windows_of(Adapter()) == {60.0: 50}  # type: ignore[arg-type]
    assert windows_of(object()) == {}  # type: ignore[arg-type]


# --- without a webhook: within the configured interval -------------------------------------


class StepClock:
    """clock.now for the test: time moves when the test says so."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


async def test_without_webhook_the_change_arrives_within_the_configured_interval(
    db: str, yalidine: FakeYalidine, pool: CourierPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await configure_polling(600)  # PARCEL_POLL_SECONDS=600
    step = StepClock()
    monkeypatch.setattr(clock, "now", step)
    shop = await make_shop()
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    order = await confirmed_order(shop)
    await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
    assert await courier_relay(pool).run_once() == 1
    shipped_at = step()
    [tracking] = yalidine.parcels
    yalidine.advance(tracking, "Livré")  # delivered at the courier right after

    jobs = ShippingJobs(pool, "test-worker", sync_every=60)
    delivered_after = None
    for minute in range(1, 16):  # the scheduler's ticks, one a minute of the test's clock
        step.at = shipped_at + timedelta(minutes=minute)
        await jobs.sync.tick()
        if (await get_order(shop.store, order.number)).status is OrderStatus.DELIVERED:
            delivered_after = minute
            break
    assert delivered_after == 10  # the first tick once the 600 s had passed, not before
    polls = [s for s in yalidine.seen if s.path == "/v1/parcels/" and "tracking" in s.query]
    assert len(polls) == 1  # asked once: the earlier ticks had nothing due


# --- with the webhook registered as the README says: in seconds ----------------------------


def hanout(db_url: str, public_url: str, *args: str, stdin: str = "") -> tuple[dict[str, Any], str]:
    """The CLI as the operator runs it: its JSON answer and what it said on stderr."""
    environ = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET_KEY,
               "PUBLIC_URL": public_url}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "hanout.cli", *args],
        cwd=ROOT, env=environ, input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out, done.stderr


async def test_with_the_webhook_registered_the_change_arrives_at_once(
    db: str, yalidine: FakeYalidine, pool: CourierPool
) -> None:
    app = create_app(WebConfig(secret_key=SECRET_KEY))
    courier_webhooks.add_routes(app, sealer())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        public_url = str(server.make_url("")).rstrip("/")
        shop = await make_shop("shop")
        added, said = await asyncio.to_thread(
            hanout, db, public_url, "courier", "add", "shop", "yalidine",
            "--base-url", yalidine.base_url, "--credential", f"api_id={API_ID}",
            "--credential", "api_token=-", "--credential", "from_wilaya=5", stdin=API_TOKEN,
        )  # fmt: skip
        assert "set PUBLIC_URL" in said  # this test's server is local: a real one is https
        assert added["webhook_secret"] == "missing"
        assert "Webhooks" in added["webhook_setup"] and "webhook_secret" in added["webhook_setup"]
        # The merchant adds the printed address in Yalidine's dashboard, which checks it
        # and shows the secret key; then keeps the key as the README says.
        secret = await yalidine.add_webhook(added["webhook_url"])
        assert added["next"] == f"hanout courier secret shop {added['id']} -"
        kept, _ = await asyncio.to_thread(
            hanout, db, public_url, *added["next"].split()[1:], stdin=secret + "\n"
        )
        assert kept["webhook_secret"] == "set"

        acc = await CourierAccount.get(id=added["id"])
        order = await confirmed_order(shop)
        await dispatch(shop.store, order.number, OWNER, acc.id, None, sealer())
        assert await courier_relay(pool).run_once() == 1
        shipment = await Shipment.get(order_id=order.id)
        assert shipment.next_poll_at is not None
        asked = len(yalidine.seen)

        yalidine.advance(shipment.tracking or "", "Sorti en livraison")
        yalidine.advance(shipment.tracking or "", "Livré")
        assert await yalidine.push() == [200]
        order = await get_order(shop.store, order.number)
        assert order.status is OrderStatus.DELIVERED  # no poll ran: the webhook brought it
        assert len(yalidine.seen) == asked
        assert (await Shipment.get(id=shipment.id)).next_poll_at is None
    finally:
        await server.close()


async def test_a_maystro_webhook_reads_the_parcel_at_once(db: str) -> None:
    """Maystro's webhook is only a hint (unsigned, its encoding disputed): the web process
    reads the parcel from Maystro as soon as the hint arrives."""
    async with FakeMaystro() as maystro:
        shop = await make_shop("shop")
        acc = await add_account(
            shop.store, "maystro", dict(maystro.account().credentials), sealer(),
            base_url=maystro.url,
        )  # fmt: skip
        pool = CourierPool(sealer())
        app = create_app(WebConfig(secret_key=SECRET_KEY))
        courier_webhooks.add_routes(app, sealer(), pool)
        try:
            async with TestClient(TestServer(app)) as client:
                created = await (await pool.courier(acc)).create_parcel(maystro_parcel())
                order = await shipped_by_hand(shop, acc, created.tracking, "0771234567")
                maystro.set_status(created.tracking, 41)  # delivered at Maystro
                path = webhook_path(acc, sealer())
                assert path is not None and path.startswith(f"/couriers/maystro/{acc.id}/webhook/")
                payload = {"display_id_order": created.tracking, "status": 41}
                hint = {"event": "OrderStatusChanged", "payload": payload}
                answer = await client.post(path, json=hint)
                assert answer.status == 200
            order = await get_order(shop.store, order.number)
            assert order.status is OrderStatus.DELIVERED  # read from Maystro, not the hint
        finally:
            await pool.aclose()


def maystro_parcel() -> ParcelRequest:
    return ParcelRequest(
        reference="HN-1-1001", recipient_name="Nadia Ouali", phone="0771234567",
        address="Cité 200 logements", wilaya_code_58=16, wilaya_name="Alger",
        commune_name="Bab El Oued", delivery_type="home", products="Parfum 50 ml",
        quantity=1, goods_value=3500, delivery_fee=450, cod_amount=3950,
    )  # fmt: skip
