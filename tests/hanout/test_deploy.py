"""Deploying safely, with the real `hanout` processes: a public server refuses a public or
short SECRET_KEY, a fresh clone gets a key of its own, webhook mode generates one secret
shared by every web process and refuses forged updates, /readyz tells a database that is
away, and a real process's log never shows a courier's webhook token."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bot.telegram_webhook import PATH as WEBHOOK_PATH
from bot.telegram_webhook import SECRET_HEADER
from hanout.devkey import ensure_secret_key
from hanout.processes import warn_about_proxy
from hanout.settings import MIN_SECRET_KEY, Settings
from models.infra.tables import ServerSecret
from models.stores import setup
from models.team.tables import Member, TelegramChat
from tests.bot.harness import OWNER
from tests.factories import make_shop
from tests.fakes.telegram_api import FakeTelegram
from tests.hanout.test_processes import free_port, stop, wait_until_up

STRONG_KEY = "deploy-test-secret-key-0123456789-abcdefghij"
MAYSTRO_TOKEN = "mst-token-from-the-address-0123456789"


def environment(db_url: str, **settings: str) -> dict[str, str]:
    """The process's environment: nothing inherited that names a Hanout setting."""
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in names}
    return {**env, "DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": "", **settings}


def hanout(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hanout.cli", *args],
        cwd=cwd,  # a folder without .env
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def running(
    cwd: Path, env: dict[str, str], command: str = "web"
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log = cwd / f"{command}-{env['PORT']}.log"
    with log.open("wb") as out:  # the child keeps its own copy of the file
        proc = subprocess.Popen(
            [sys.executable, "-m", "hanout.cli", command],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc, log
    finally:
        if proc.poll() is None:
            assert stop(proc) == 0, log.read_text()


@pytest.mark.parametrize(
    ("command", "settings"),
    [
        ("web", {"HOST": "0.0.0.0"}),
        ("web", {"PUBLIC_URL": "https://shop.example.dz", "SECRET_KEY": "x" * 31}),
        ("run", {"HOST": "192.0.2.10", "SECRET_KEY": "change-me-to-a-long-random-string"}),
        ("worker", {"PUBLIC_URL": "https://shop.example.dz"}),
    ],
)
def test_a_reachable_server_refuses_a_public_or_short_secret_key(
    db: str, tmp_path: Path, command: str, settings: dict[str, str]
) -> None:
    done = hanout(tmp_path, environment(db, PORT=str(free_port()), **settings), command)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("hanout: SECRET_KEY ")
    assert "python -c 'import secrets;print(secrets.token_urlsafe(48))'" in lines[0]


def test_a_webhook_secret_telegram_would_refuse_is_named(db: str, tmp_path: Path) -> None:
    env = environment(db, PORT=str(free_port()), TELEGRAM_WEBHOOK_SECRET="has spaces")
    done = hanout(tmp_path, env, "web")
    assert done.returncode == 2 and "TELEGRAM_WEBHOOK_SECRET" in done.stderr


async def test_on_this_machine_the_default_key_still_serves(db: str, tmp_path: Path) -> None:
    port = free_port()
    env = environment(db, PORT=str(port), PUBLIC_URL=f"http://localhost:{port}")
    with running(tmp_path, env) as (proc, log):
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"http://127.0.0.1:{port}/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ok"
    # A key of the right length on a public address passes the check.
    public = Settings(_env_file=None, host="0.0.0.0", secret_key=STRONG_KEY)  # type: ignore[call-arg]
    assert public.secret_key_problem() is None
    assert len(STRONG_KEY) >= MIN_SECRET_KEY


def test_a_fresh_clone_gets_a_key_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO", encoding="utf-8")
    command = [sys.executable, "-m", "hanout.devkey"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert first.stdout.count("SECRET_KEY") == 1
    text = (tmp_path / ".env").read_text(encoding="utf-8")
    assert text.startswith("LOG_LEVEL=INFO\nSECRET_KEY=")
    key = Settings().secret_key  # what the processes will read
    assert len(key) >= MIN_SECRET_KEY and key in text
    again = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert again.stdout == ""
    assert (tmp_path / ".env").read_text(encoding="utf-8") == text


def test_no_key_is_written_over_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Secrets sealed with the old key would no longer open.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://var/hanout.sqlite3")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "hanout.sqlite3").write_bytes(b"")
    assert not ensure_secret_key(tmp_path / ".env")
    assert not (tmp_path / ".env").exists()
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)  # the environment sets one: nothing to do
    (tmp_path / "var" / "hanout.sqlite3").unlink()
    assert not ensure_secret_key(tmp_path / ".env")


def test_an_https_address_without_trust_proxy_is_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    public = {"_env_file": None, "public_url": "https://shop.example.dz"}
    warn_about_proxy(Settings(**public, trust_proxy=True))  # type: ignore[arg-type]
    warn_about_proxy(Settings(_env_file=None, public_url="http://127.0.0.1:8080"))  # type: ignore[call-arg]
    assert caplog.records == []
    warn_about_proxy(Settings(**public))  # type: ignore[arg-type]
    assert len(caplog.records) == 1 and "TRUST_PROXY is off" in caplog.text


def unreachable_database(backend: str, tmp_path: Path) -> str:
    if backend == "postgres":
        return f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"  # nothing listens there
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database file" * 100)
    return f"sqlite://{damaged}"


async def test_readyz_while_the_database_is_away_and_no_token_in_the_log(
    backend: str, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(unreachable_database(backend, tmp_path), PORT=str(port), LOG_LEVEL="DEBUG")
    url = f"http://127.0.0.1:{port}"
    with running(tmp_path, env) as (proc, log):
        await wait_until_up(f"{url}/healthz", proc, log)
        async with httpx.AsyncClient() as client:
            ready = await client.get(f"{url}/readyz")
            hook = await client.post(f"{url}/couriers/maystro/1/webhook/{MAYSTRO_TOKEN}")
    assert ready.status_code == 503, ready.text
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}
    assert hook.status_code in (500, 503)
    text = log.read_text()
    assert "path=/couriers/{courier}/{account_id}/webhook/{token}" in text
    assert MAYSTRO_TOKEN not in text


async def test_webhook_mode_generates_one_secret_for_every_web_process(
    db: str, tmp_path: Path
) -> None:
    await ServerSecret.all().delete()
    shop = await make_shop()
    invite = await setup.create_invite(shop.store, "owner")
    ports = [free_port(), free_port()]
    async with FakeTelegram() as fake:
        chat = fake.add_private_chat(OWNER)
        envs = [
            environment(
                db,
                PORT=str(port),
                PUBLIC_URL=f"http://127.0.0.1:{ports[0]}",
                SECRET_KEY=STRONG_KEY,
                TELEGRAM_BOT_TOKEN=fake.token,
                TELEGRAM_API_URL=fake.url,
                TELEGRAM_MODE="webhook",
                TELEGRAM_WEBHOOK_SECRET="",
            )
            for port in ports
        ]
        # Both start at once: the first start of each races to make the secret.
        with (
            running(tmp_path, envs[0]) as (one, log_one),
            running(tmp_path, envs[1]) as (
                two,
                log_two,
            ),
        ):
            await wait_until_up(f"http://127.0.0.1:{ports[0]}/healthz", one, log_one)
            await wait_until_up(f"http://127.0.0.1:{ports[1]}/healthz", two, log_two)
            await fake.wait_for(lambda f: len(f.calls("setWebhook", ok=True)) == 2, 30)
            secrets = {call.params.get("secret_token") for call in fake.calls("setWebhook")}
            assert len(secrets) == 1
            secret = secrets.pop()
            assert secret and len(secret) >= 43
            assert await ServerSecret.all().count() == 1

            start = fake.user_message(chat, OWNER, f"/start {invite}")
            async with httpx.AsyncClient() as client:
                for port in ports:
                    hook = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
                    for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: "guessed"}):
                        forged = await client.post(hook, json=start, headers=headers)
                        assert forged.status_code == 403, (port, headers)
                await asyncio.sleep(1.0)  # time for a forged update to be handled, had it been
                assert not await TelegramChat.exists(store_id=shop.store.id)
                assert not await Member.exists(store_id=shop.store.id)
                assert fake.bot_messages(chat) == []
                # Telegram, with the secret it was given, gets in through the other process.
                hook = f"http://127.0.0.1:{ports[1]}{WEBHOOK_PATH}"
                sent = await client.post(hook, json=start, headers={SECRET_HEADER: secret})
                assert sent.status_code == 200
            await fake.wait_for(lambda f: len(f.bot_messages(chat)) >= 1, 20)
            assert await Member.exists(store_id=shop.store.id, telegram_user_id=OWNER["id"])
    for log in (log_one, log_two):
        assert secret not in log.read_text() and "Traceback" not in log.read_text()
