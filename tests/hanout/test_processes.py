"""`hanout run`, `web` and `worker` as real processes: they start, serve, log, and stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from models.outbox.tables import OutboxMessage
from tests.factories import make_shop
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def start(command: str, db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "TELEGRAM_BOT_TOKEN": "",
        "LOG_LEVEL": "INFO",
    }
    with log.open("wb") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "hanout.cli", command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not come up:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


async def test_run_serves_the_demo_store_and_stops_cleanly(db: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": db}
    demo = subprocess.run(
        [sys.executable, "-m", "hanout.cli", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stderr
    port, log = free_port(), tmp_path / "run.log"
    proc = start("run", db, port, log)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{port}/demo/")
        assert page.status_code == 200 and "Robe kabyle" in page.text
    finally:
        assert stop(proc) == 0
    text = log.read_text()
    assert text.count("TELEGRAM_BOT_TOKEN is not set") == 1
    assert "Traceback" not in text


async def test_an_order_taken_by_web_is_delivered_by_worker(db: str, tmp_path: Path) -> None:
    shop = await make_shop()
    port = free_port()
    web = start("web", db, port, tmp_path / "web.log")
    worker = start("worker", db, free_port(), tmp_path / "worker.log")
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", web, tmp_path / "web.log")
        body = {
            "customer": {"name": "Amina Benali", "phone": "0550 12 34 56"},
            "shipping": {
                "wilaya": "16",
                "commune": "1601",
                "address": "12 rue Didouche",
                "delivery_type": "home",
            },
            "items": [{"variant_id": shop.variants[0].id, "quantity": 1}],
        }
        async with httpx.AsyncClient() as client:
            resp = await client.post(
                f"http://127.0.0.1:{port}/v1/stores/shop/orders",
                json=body,
                headers={"Idempotency-Key": "proc-1"},
            )
        assert resp.status_code == 201, resp.text
        # The web process has no relay: the worker process delivers the owner's email row
        # (no SMTP_URL here, so the channel completes it without sending).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            row = await OutboxMessage.get(channel="email")
            if row.status == "done":
                break
            await asyncio.sleep(0.2)
        assert row.status == "done" and row.locked_by.startswith("worker"), row.locked_by
    finally:
        assert stop(web) == 0
        assert stop(worker) == 0
