"""SQLite under concurrent writers: customers check out through the storefront while the
team presses buttons, the relay and the parcel sync claim their rows, and another process
keeps taking the database's write lock (as a backup, `sqlite3` in a shell or a second
`hanout` command would). No customer meets an error page: each gets the thank-you page, or
a clean page asking to try again, and each accepted order is there exactly once with its
line, its timeline and its outbox rows."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import BaseTestServer, TestServer
from tortoise import connections

from models.calls import outcomes
from models.errors import DomainError
from models.infra import clock
from models.infra.db import SQLITE_BUSY_TIMEOUT_MS
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox import relay
from models.outbox.tables import OutboxMessage
from models.shipping import polls
from models.shipping.manual import dispatch_order
from models.shipping.tables import Shipment
from tests.factories import Shop, checkout, make_shop
from webstore.app import create_app
from webstore.config import WebConfig

BACKEND = os.environ.get("HANOUT_TEST_DB", "sqlite")
pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="lock contention of SQLite")

PRODUCT = "/shop/p/robe-kabyle"
CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
CUSTOMERS = 36
AGENT = Actor("agent", "9", "Lina")
OWNER = Actor("owner", "1", "Samira")

# The other process: holds the write lock (BEGIN IMMEDIATE) a few milliseconds at a time,
# one time in twenty for 100 ms, with a real write in each transaction, a few milliseconds
# apart (the lock is taken more than half of the time), until told to stop. In `hold`
# mode it keeps the lock from the start until told to stop.
LOCKER = r"""
import os, random, sqlite3, sys, time
path, stop, mode = sys.argv[1], sys.argv[2], sys.argv[3]
db = sqlite3.connect(path, timeout=30, isolation_level=None)
rng, held = random.Random(7), 0
if mode == "hold":
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE store SET name = name")
print("ready", flush=True)
while not os.path.exists(stop):
    if mode == "hold":
        time.sleep(0.01)
        continue
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE store SET name = name")
    time.sleep(0.1 if rng.random() < 0.05 else rng.choice([0.002, 0.004, 0.008]))
    db.execute("COMMIT")
    held += 1
    time.sleep(rng.uniform(0.002, 0.010))
if mode == "hold":
    db.execute("COMMIT")
    held = 1
print(held, flush=True)
"""


async def start_locker(db_path: str, stop: Path, mode: str = "churn") -> asyncio.subprocess.Process:
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCKER, db_path, str(stop), mode, stdout=asyncio.subprocess.PIPE
    )
    assert locker.stdout is not None
    assert (await asyncio.wait_for(locker.stdout.readline(), 30)).strip() == b"ready"
    return locker


async def stop_locker(locker: asyncio.subprocess.Process, stop: Path) -> int:
    """Ask the other process to stop; how many write transactions it committed."""
    stop.touch()
    try:
        out, _ = await asyncio.wait_for(locker.communicate(), 30)
    except TimeoutError:
        locker.kill()
        await locker.wait()
        raise
    assert locker.returncode == 0, out
    return int(out.split()[-1])


async def customer(server: BaseTestServer, shop: Shop, n: int) -> tuple[int, str, int]:
    """One visitor: the product page, the order form, then the page it lands on. Returns
    (status of the post, the phone typed, status of the page after it)."""
    phone = f"0550 00 {n // 100:02d} {n % 100:02d}"
    async with ClientSession(base_url=server.make_url(""), cookie_jar=CookieJar(unsafe=True)) as s:
        async with s.get(PRODUCT) as page:
            assert page.status == 200, await page.text()
            match = CSRF_RE.search(await page.text())
            assert match
        fields = {
            "csrf_token": match.group(1),
            "variant_id": str(shop.variants[n % 2].id),
            "quantity": str(1 + n % 3),
            "name": f"Client {n}",
            "phone": phone,
            "wilaya": "16",
            "commune": "1601",
            "address": f"{n} rue Larbi Ben M'hidi",
            "delivery_type": "home",
        }
        async with s.post(PRODUCT, data=fields, allow_redirects=False) as posted:
            status = posted.status
            body = await posted.text()
            assert "Traceback" not in body
            if status != 303:
                return status, phone, 0
            async with s.get(posted.headers["Location"]) as thanks:
                return status, phone, thanks.status


async def keep_pressing(
    done: Callable[[], bool], label: str, step: Callable[[], Awaitable[object]], failures: list[str]
) -> int:
    """Run `step` until `done()`; a domain refusal is a normal answer, anything else fails."""
    rounds = 0
    while not done():
        try:
            await step()
        except DomainError:
            pass
        except Exception as exc:  # the test reports every kind
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
        rounds += 1
        await asyncio.sleep(0)
    return rounds


@dataclass
class Desk:
    """What the team works on: pending orders to call (claim, release, no luck), pending
    ones to close as duplicates and confirmed ones to dispatch by hand. The last two read
    before they write inside their transaction, which is what a stale SQLite snapshot
    breaks."""

    calling: list[int]
    duplicates: list[int]
    confirmed: list[int]


async def _place(shop: Shop, variant: int, phone: str) -> int:
    placed = await place_order(shop.store, checkout(shop.variants[variant].id, 1, phone=phone))
    return placed.order.number


async def seed(shop: Shop) -> Desk:
    """The desk's orders, and shipped orders whose parcels are due for the sync."""
    calling = [await _place(shop, 0, f"0661 00 00 {i:02d}") for i in range(4)]
    duplicates = [await _place(shop, 0, f"0662 00 00 {i:02d}") for i in range(12)]
    confirmed, shipped = [], []
    for i in range(12):
        number = await _place(shop, 1, f"0771 00 00 {i:02d}")
        await transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
        if i < 4:
            order = await dispatch_order(shop.store, number, OWNER, f"YAL-{i:04d}")
            shipped.append(order.id)
        else:
            confirmed.append(number)
    due = clock.now() - timedelta(minutes=1)
    await Shipment.filter(order_id__in=shipped).update(next_poll_at=due)
    return Desk(calling, duplicates, confirmed)


def team_presses(shop: Shop, desk: Desk) -> Callable[[], Awaitable[object]]:
    turn = iter(range(10**9))

    async def press() -> object:
        i = next(turn)
        number = desk.calling[i % len(desk.calling)]
        match i % 5:
            case 0:
                return await outcomes.claim_order(shop.store, number, AGENT)
            case 1:
                return await outcomes.release_order(shop.store, number, AGENT)
            case 2:
                return await outcomes.log_call(shop.store, number, "busy", AGENT)
            case 3 if desk.duplicates:
                kept = desk.calling[0]
                closed = desk.duplicates.pop()
                return await outcomes.log_call(
                    shop.store, closed, "duplicate", AGENT, duplicate_of=kept
                )
            case 4 if desk.confirmed:
                number = desk.confirmed.pop()
                return await dispatch_order(shop.store, number, OWNER, f"MAN-{number}")
        return None

    return press


async def relay_round() -> object:
    for message in await relay.claim("relay-busy-test", 5):
        await relay.complete(message)
    return None


async def sync_round() -> object:
    claimed = await polls.claim_due("sync-busy-test", 5)
    await polls.postpone([s.id for s in claimed])
    await Shipment.filter(id__in=[s.id for s in claimed]).update(
        next_poll_at=clock.now() - timedelta(minutes=1)
    )
    return None


async def test_no_customer_meets_a_locked_database(db: str, tmp_path: Path) -> None:
    shop = await make_shop(stock=10_000)
    desk = await seed(shop)
    app = create_app(WebConfig(secret_key="busy-test", checkout_ip_limit=1_000_000))
    db_path, stop_file = db.removeprefix("sqlite://"), tmp_path / "stop"
    async with TestServer(app, host="127.0.0.1") as server:
        locker = await start_locker(db_path, stop_file)
        stop, failures = asyncio.Event(), list[str]()
        desk_done = lambda: stop.is_set() and not desk.duplicates and not desk.confirmed  # noqa: E731
        writers = [
            asyncio.create_task(
                keep_pressing(desk_done, "bot", team_presses(shop, desk), failures)
            ),
            asyncio.create_task(keep_pressing(stop.is_set, "relay", relay_round, failures)),
            asyncio.create_task(keep_pressing(stop.is_set, "sync", sync_round, failures)),
        ]
        try:
            results = await asyncio.gather(*(customer(server, shop, n) for n in range(CUSTOMERS)))
        finally:
            stop.set()
            rounds = await asyncio.gather(*writers)
            held = await stop_locker(locker, stop_file)
    assert held > 0, "the other process never took the lock"
    assert all(r > 0 for r in rounds), rounds
    assert not failures, failures[:5]
    assert not desk.duplicates and not desk.confirmed  # every read-then-write press ran
    statuses = sorted({status for status, _, _ in results})
    # The thank-you page (303, then 200), or the clean try-again page (503).
    assert set(statuses) <= {303, 503}, results
    accepted = [phone for status, phone, thanks in results if status == 303]
    assert all(thanks == 200 for status, _, thanks in results if status == 303), results
    assert len(accepted) >= CUSTOMERS // 2, results  # contention slows customers, not refuses
    for phone in accepted:
        e164 = "+213" + phone.replace(" ", "")[1:]
        orders = await Order.filter(store_id=shop.store.id, phone=e164)
        assert len(orders) == 1, phone
        order = orders[0]
        assert await OrderLine.filter(order_id=order.id).count() == 1
        assert await OrderEvent.filter(order_id=order.id, type="created").count() == 1
        rows = await OutboxMessage.filter(store_id=shop.store.id, topic="order.created")
        assert sum(1 for m in rows if m.payload["order_id"] == order.id) == 1
    refused = [phone for status, phone, _ in results if status != 303]
    for phone in refused:  # a customer asked to try again has no order behind their back
        e164 = "+213" + phone.replace(" ", "")[1:]
        assert not await Order.filter(store_id=shop.store.id, phone=e164).exists()


@contextlib.asynccontextmanager
async def busy_timeout(milliseconds: int) -> AsyncIterator[None]:
    """This process's SQLite connection gives up waiting for a lock after `milliseconds`."""
    conn = connections.get("default")
    await conn.execute_script(f"PRAGMA busy_timeout={milliseconds}")
    try:
        yield
    finally:
        await conn.execute_script(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


async def test_a_lock_held_past_the_timeout_gives_a_retry_page_then_the_order(
    db: str, tmp_path: Path
) -> None:
    shop = await make_shop()
    app = create_app(WebConfig(secret_key="busy-test"))
    stop_file = tmp_path / "stop"
    async with (
        TestServer(app, host="127.0.0.1") as server,
        ClientSession(base_url=server.make_url(""), cookie_jar=CookieJar(unsafe=True)) as s,
        busy_timeout(300),
    ):
        async with s.get(PRODUCT) as page:
            match = CSRF_RE.search(await page.text())
            assert match
        fields = {
            "csrf_token": match.group(1),
            "variant_id": str(shop.variants[0].id),
            "quantity": "1",
            "name": "Amina Benali",
            "phone": "0550 12 34 56",
            "wilaya": "16",
            "commune": "1601",
            "address": "12 rue Didouche Mourad",
            "delivery_type": "home",
        }
        locker = await start_locker(db.removeprefix("sqlite://"), stop_file, "hold")
        try:
            async with s.get(PRODUCT) as page:  # reading goes on while another process writes
                assert page.status == 200
            async with s.post(PRODUCT, data=fields, allow_redirects=False) as refused:
                body = await refused.text()
                assert refused.status == 503, body[:500]
                assert refused.headers["Retry-After"].isdigit()
                assert "Traceback" not in body and "réessayer" in body
        finally:
            assert await stop_locker(locker, stop_file) == 1
        assert not await Order.exists()  # the customer was not told "try again" for nothing
        async with s.post(PRODUCT, data=fields, allow_redirects=False) as placed:
            assert placed.status == 303
        assert await Order.filter(store_id=shop.store.id).count() == 1
