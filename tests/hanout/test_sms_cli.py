"""`hanout sms set` and `hanout worker` sending the SMS, as real processes against the test
database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox.sms import set_sms_gateway
from models.outbox.tables import OutboxMessage, SmsGateway
from models.shipping.manual import dispatch_order
from models.stores import setup
from tests.factories import checkout, make_shop
from tests.notify.fake_sms_gateway import FakeSmsGateway

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "cli-test-secret"
PASSWORD = "Ph0ne-Pa55word"


def hanout(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET_KEY}
    return subprocess.run(
        [sys.executable, "-m", "hanout.cli", *args],
        cwd=ROOT,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def sms_set(
    db_url: str, url: str, password: str = PASSWORD, slug: str = "souk", stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return hanout(
        db_url,
        "sms",
        "set",
        slug,
        "--base-url",
        url,
        "--username",
        "sms",
        "--password",
        password,
        stdin=stdin,
    )


async def test_sms_set_stores_the_gateway_with_the_password_sealed(db: str) -> None:
    await setup.create_store("souk", "Souk", "ar")

    done = sms_set(db, "http://192.168.1.20:8080/")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "slug": "souk",
        "base_url": "http://192.168.1.20:8080",
        "username": "sms",
        "active": True,
    }
    assert PASSWORD not in done.stdout + done.stderr
    gateway = await SmsGateway.get(store__slug="souk")
    assert PASSWORD not in gateway.password_sealed
    assert Sealer(SECRET_KEY).unseal(gateway.password_sealed) == {"password": PASSWORD}


async def test_sms_set_reads_the_password_from_stdin_and_replaces_the_gateway(db: str) -> None:
    await setup.create_store("souk", "Souk", "ar")
    assert sms_set(db, "http://192.168.1.20:8080").returncode == 0

    done = sms_set(db, "https://api.sms-gate.app", password="-", stdin="cloud-pass\n")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["base_url"] == "https://api.sms-gate.app/3rdparty/v1"
    [gateway] = await SmsGateway.all()
    assert Sealer(SECRET_KEY).unseal(gateway.password_sealed) == {"password": "cloud-pass"}


@pytest.mark.parametrize(
    ("url", "slug", "message"),
    [
        ("192.168.1.20:8080", "souk", "hanout: base_url: expected http(s)://host"),
        ("http://sms:pw@10.0.0.2:8080", "souk", "username and password apart"),
        ("http://192.168.1.20:8080", "nowhere", "store nowhere not found"),
    ],
)
async def test_bad_input_is_a_clear_error_and_nothing_is_stored(
    db: str, url: str, slug: str, message: str
) -> None:
    await setup.create_store("souk", "Souk", "ar")

    done = sms_set(db, url, slug=slug)

    assert done.returncode == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr
    assert not await SmsGateway.exists()


async def test_the_worker_sends_the_shipped_sms(db: str, tmp_path: Path) -> None:
    gateway = FakeSmsGateway()
    await gateway.start()
    shop = await make_shop(lang="ar")
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", Sealer(SECRET_KEY))
    placed = await place_order(shop.store, checkout(shop.variants[0].id))
    owner = Actor("owner", "1", "Karim")
    await transition_order(shop.store, placed.order.number, OrderStatus.CONFIRMED, owner)
    await dispatch_order(shop.store, placed.order.number, owner, "YAL-7F3K9Q", "yalidine")
    env = {**os.environ, "DATABASE_URL": db, "SECRET_KEY": SECRET_KEY, "TELEGRAM_BOT_TOKEN": ""}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:  # the child keeps its own copy of the file
        worker = subprocess.Popen(
            [sys.executable, "-m", "hanout.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            if gateway.messages or worker.poll() is not None:
                break
            await asyncio.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
        await gateway.stop()

    [sms] = gateway.messages
    assert sms.phone_numbers == ["+213550123456"] and "YAL-7F3K9Q" in sms.text, log.read_text()
    assert (await OutboxMessage.get(channel="sms")).status == "done"
    assert "+213550123456" not in log.read_text()  # no customer phone in the logs
