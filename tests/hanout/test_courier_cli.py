"""`hanout courier add` as a real process: credentials tested against the fake courier
before anything is kept, then kept sealed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import connections

from models.infra.sealing import Sealer
from models.shipping.accounts import credentials_of
from models.shipping.tables import CourierAccount
from shipping.courier_setup import base_url_warnings, webhook_url_warnings
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, FakeYalidine
from tests.factories import make_shop

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "cli-courier-secret"


async def hanout(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The CLI in a child process; run from a thread so the fake courier keeps answering.
    Its standard input is `stdin` (not a terminal: nothing is asked)."""
    environ = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_URL": "https://shop.example.dz",
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "hanout.cli", *args],
        cwd=ROOT,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


def add_args(base_url: str, token: str) -> list[str]:
    return [
        "courier", "add", "shop", "yalidine", "--base-url", base_url,
        "--credential", f"api_id={API_ID}", "--credential", f"api_token={token}",
        "--credential", "from_wilaya=5", "--credential", "webhook_secret=whk-1",
    ]  # fmt: skip


async def test_courier_add_tests_the_credentials_and_keeps_them_sealed(
    db: str, yalidine: FakeYalidine
) -> None:
    await make_shop("shop")
    done = await hanout(db, *add_args(yalidine.base_url, API_TOKEN))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["courier"], out["store"], out["default"]) == ("yalidine", "shop", True)
    assert out["webhook_url"] == f"https://shop.example.dz/couriers/yalidine/{out['id']}/webhook"
    assert any(seen.path == "/v1/wilayas/" for seen in yalidine.seen)  # asked the courier

    account = await CourierAccount.get(id=out["id"])
    assert account.base_url == yalidine.base_url
    assert credentials_of(account, Sealer(SECRET_KEY))["api_token"] == API_TOKEN
    conn = connections.get("default")
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    [row] = await conn.execute_query_dict(
        f"SELECT * FROM courier_account WHERE id = {placeholder}",
        [account.id],
    )
    assert API_TOKEN not in json.dumps(row, default=str)
    assert "whk-1" not in json.dumps(row, default=str)


async def test_refused_credentials_keep_nothing(db: str, yalidine: FakeYalidine) -> None:
    await make_shop("shop")
    done = await hanout(db, *add_args(yalidine.base_url, "not-the-token"))
    assert done.returncode == 1
    assert "credentials refused by yalidine" in done.stderr and "Traceback" not in done.stderr
    assert not await CourierAccount.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("courier", "add", "nowhere", "manual"), "store nowhere not found"),
        (("courier", "add", "shop", "manual", "--credential", "carrier"), "key=value"),
        (("courier", "add", "shop", "manual", "--base-url", "file:///etc"), "base_url"),
    ],
)
async def test_bad_courier_input_is_a_clear_error(
    db: str, args: tuple[str, ...], message: str
) -> None:
    await make_shop("shop")
    done = await hanout(db, *args)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not await CourierAccount.exists()


async def test_an_unknown_courier_is_refused_by_the_parser(db: str) -> None:
    await make_shop("shop")
    done = await hanout(db, "courier", "add", "shop", "dhl")
    assert done.returncode == 2 and "invalid choice" in done.stderr


# --- credentials off the command line, base URL warnings, the webhook secret -----------------


async def test_dash_reads_credentials_from_stdin_in_order(db: str, yalidine: FakeYalidine) -> None:
    await make_shop("shop")
    args = [
        "courier", "add", "shop", "yalidine", "--base-url", yalidine.base_url,
        "--credential", "api_id=-", "--credential", "api_token=-",
        "--credential", "from_wilaya=5", "--credential", "webhook_secret=-",
    ]  # fmt: skip
    done = await hanout(db, *args, stdin=f"{API_ID}\n{API_TOKEN}\nwhk-from-stdin\n")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["webhook_secret"] == "set" and "next" not in out
    credentials = credentials_of(await CourierAccount.get(id=out["id"]), Sealer(SECRET_KEY))
    assert (credentials["api_id"], credentials["api_token"]) == (API_ID, API_TOKEN)
    assert credentials["webhook_secret"] == "whk-from-stdin"


async def test_an_empty_stdin_credential_is_refused_and_nothing_kept(db: str) -> None:
    await make_shop("shop")
    done = await hanout(db, "courier", "add", "shop", "manual", "--credential", "carrier=-")
    assert done.returncode == 1 and "credential carrier" in done.stderr, done.stderr
    assert not await CourierAccount.exists()


async def test_plain_http_and_private_base_urls_are_warned_about(
    db: str, yalidine: FakeYalidine
) -> None:
    await make_shop("shop")
    assert yalidine.base_url.startswith("http://127.0.0.1:")
    done = await hanout(db, *add_args(yalidine.base_url, API_TOKEN))
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "plain http" in done.stderr
    assert "private or local address" in done.stderr
    assert "webhook address" not in done.stderr  # PUBLIC_URL is a public https address


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("https://api.yalidine.app/v1/", []),
        ("https://dhd.ecotrack.dz/", []),
        ("http://api.yalidine.app/v1/", ["plain http"]),
        ("https://10.0.0.5/api/", ["private"]),
        ("https://[::ffff:192.168.1.2]/", ["private"]),
        ("https://169.254.169.254/", ["private"]),
        ("http://localhost:9000/", ["plain http", "private"]),
        ("https://courier.internal/", ["private"]),
        ("", []),
    ],
)
def test_base_url_warnings(url: str, warned: list[str]) -> None:
    warnings = base_url_warnings(url)
    assert len(warnings) == len(warned)
    assert all(word in warning for word, warning in zip(warned, warnings, strict=True))


def test_a_webhook_address_couriers_cannot_reach_is_warned_about() -> None:
    assert webhook_url_warnings("https://shop.example.dz/couriers/yalidine/1/webhook") == []
    for local in ("http://127.0.0.1:8080/couriers/yalidine/1/webhook",
                  "http://shop.example.dz/couriers/yalidine/1/webhook",
                  "https://192.168.1.10/couriers/zrexpress/2/webhook"):  # fmt: skip
        [warning] = webhook_url_warnings(local)
        assert "PUBLIC_URL" in warning


async def test_courier_secret_keeps_the_webhook_secret_given_later(
    db: str, yalidine: FakeYalidine
) -> None:
    shop = await make_shop("shop")
    other = await make_shop("other")
    args = add_args(yalidine.base_url, API_TOKEN)[:-2]  # no webhook_secret
    out = json.loads((await hanout(db, *args)).stdout)  # stdin not a terminal
    assert out["webhook_secret"] == "missing"
    assert out["webhook_setup"].startswith("In the courier's developer dashboard")
    assert out["next"] == f"hanout courier secret shop {out['id']} -"

    refused = await hanout(db, "courier", "secret", "other", str(out["id"]), stdin="s3cret\n")
    assert refused.returncode == 1 and "not found" in refused.stderr and other.store.slug
    empty = await hanout(db, "courier", "secret", "shop", str(out["id"]), stdin="\n")
    assert empty.returncode == 1 and "credential webhook_secret" in empty.stderr

    done = await hanout(db, "courier", "secret", "shop", str(out["id"]), stdin="s3cret\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["webhook_secret"] == "set"
    credentials = credentials_of(await CourierAccount.get(id=out["id"]), Sealer(SECRET_KEY))
    assert credentials["webhook_secret"] == "s3cret" and credentials["api_token"] == API_TOKEN
    assert shop.store.id != other.store.id


async def test_a_courier_without_webhooks_prints_none(db: str) -> None:
    await make_shop("shop")
    done = await hanout(db, "courier", "add", "shop", "manual")
    out = json.loads(done.stdout)
    assert (out["webhook_url"], out["webhook_setup"], out["webhook_secret"]) == (None, None, None)


def run_on_terminal(
    db_url: str, answers: list[tuple[bytes, bytes]], *args: str
) -> tuple[int, bytes]:
    """The CLI with a terminal as standard input, typing each answer once its prompt is
    shown: what the terminal showed, and the exit code."""
    controller, terminal = os.openpty()
    environ = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": SECRET_KEY,
               "PUBLIC_URL": "https://shop.example.dz"}  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "hanout.cli", *args], cwd=ROOT, env=environ, stdin=terminal,
        stdout=subprocess.PIPE, stderr=terminal, start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    try:
        for prompt, typed in answers:
            while prompt not in shown:
                shown += os.read(controller, 1024)
            os.write(controller, typed + b"\n")
        child.wait(timeout=60)
        try:
            while chunk := os.read(controller, 1024):
                shown += chunk
        except OSError:  # the terminal closed with the child
            pass
    finally:
        os.close(controller)
        if child.stdout is not None:
            child.stdout.close()
    return child.returncode, shown


async def test_on_a_terminal_a_dash_credential_is_asked_without_echo(
    db: str, yalidine: FakeYalidine
) -> None:
    await make_shop("shop")
    args = add_args(yalidine.base_url, "-")[:-2]  # api_token typed, webhook secret asked after
    answers = [(b"api_token: ", API_TOKEN.encode()), (b"webhook_secret (", b"whk-typed")]
    code, shown = await asyncio.to_thread(run_on_terminal, db, answers, *args)
    assert code == 0, shown
    assert b"api_token:" in shown and b"webhook_secret" in shown
    assert API_TOKEN.encode() not in shown and b"whk-typed" not in shown  # never echoed
    assert b"/couriers/yalidine/" in shown  # the address to register, before the secret
    account = await CourierAccount.get()
    credentials = credentials_of(account, Sealer(SECRET_KEY))
    assert (credentials["api_token"], credentials["webhook_secret"]) == (API_TOKEN, "whk-typed")
