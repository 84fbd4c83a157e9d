"""PostgreSQL stopped and started again under load, the app left running: customers keep
ordering through the public API and the storefront's form, and browsing, the whole time.
While the database is away they get a clean "try again" (503 with Retry-After, never a
500), a retry with the same Idempotency-Key never makes a second order, and once it is
back orders go through again without restarting anything; every accepted order is stored
once, and its card and email arrive once.

The server is the test's own (initdb + pg_ctl on a free port), so stopping it disturbs
no other test."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.telegram_api import FakeTelegram
from tests.system.conftest import postgres_only, running_stack
from tests.system.stack import (
    Mailbox,
    PgCluster,
    Sql,
    Stack,
    customer_ip,
    drop_database,
    intake_body,
    migrated_database,
    place,
    seed,
    smtp_server,
    wait_until,
)
from tests.system.watch import card_sends, describe, digested

pytestmark = postgres_only

OWNER = {"id": 1001, "first_name": "Nadia"}
DOWN = 3.0  # seconds the server stays stopped
AFTER = 5.0  # seconds of load once it is back
RECOVERY = 5.0  # the app is expected to take orders again within this after the start
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
THANKS = re.compile(r"/merci/(\d+)/")


async def outcomes_lost(sql: Sql) -> Counter[str]:
    """Rows the relay delivered (or tried) while the database went away, and could not
    record even once it was back (it tries again until shortly before the claim's lease
    ends): they would stay claimed until the lease ends. Found once everything else is done,
    and their leases moved forward (time made to pass) so they would come back now."""
    query = "SELECT id, channel FROM outbox_message WHERE status = 'processing' ORDER BY id"

    async def only_claims_left() -> bool:
        pending = "SELECT count(*) FROM outbox_message WHERE status = 'pending'"
        return not await sql.value(pending) and not await sql.value(
            "SELECT count(*) FROM card_message WHERE dirty"
        )

    await wait_until(only_claims_left, 60, "everything but lost outcomes to settle", every=0.3)
    stuck = {r["id"] for r in await sql.rows(query)}
    await asyncio.sleep(3)  # a delivery in progress ends in milliseconds; these do not
    still = [r for r in await sql.rows(query) if r["id"] in stuck]
    await sql.run(
        "UPDATE outbox_message SET locked_until = now() - interval '1 second' "
        "WHERE id = ANY($1::int[]) AND status = 'processing'",
        [r["id"] for r in still],
    )
    return Counter(r["channel"] for r in still)


@dataclass
class Answer:
    at: float
    kind: str  # api | form | page
    status: int  # 0: no HTTP answer at all
    detail: str


@dataclass
class Customers:
    """Customers ordering (API and form) and browsing in loops until `stopping`."""

    base: str
    shop: dict[str, Any]
    answers: list[Answer] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # customer → order number
    stopping: bool = False

    def note(self, kind: str, response: httpx.Response | Exception) -> int:
        if isinstance(response, Exception):
            self.answers.append(Answer(time.monotonic(), kind, 0, repr(response)))
            return 0
        detail = response.text[:300]
        if response.status_code == 503:
            detail = f"Retry-After={response.headers.get('Retry-After')} {detail}"
        self.answers.append(Answer(time.monotonic(), kind, response.status_code, detail))
        return response.status_code

    async def by_api(self, client: httpx.AsyncClient, i: int) -> None:
        """One landing-page customer: on "try again", again with the same key."""
        key, body = f"api-{i}", intake_body(self.shop["variant_id"], i)
        while not self.stopping:
            try:
                answer = await place(
                    client, self.base, self.shop["slug"], body, key, customer_ip(i)
                )
            except httpx.TransportError as exc:
                self.note("api", exc)
            else:
                if self.note("api", answer) in (200, 201):
                    self.numbers[key] = int(answer.json()["number"])
                    return
            await asyncio.sleep(0.2)

    async def by_form(self, i: int) -> None:
        """One storefront customer: opens the product page, sends the order form."""
        product = f"{self.base}/{self.shop['slug']}/p/robe-kabyle"
        headers = {"X-Forwarded-For": customer_ip(i)}
        async with httpx.AsyncClient(timeout=10, headers=headers) as browser:
            while not self.stopping:
                try:
                    page = await browser.get(product)
                    if self.note("page", page) == 200:
                        token = CSRF.search(page.text)
                        assert token, "no csrf token on the product page"
                        sent = await browser.post(product, data=self.form(i, token.group(1)))
                        thanks = THANKS.search(sent.headers.get("Location", ""))
                        if self.note("form", sent) == 303 and thanks:
                            self.numbers[f"form-{i}"] = int(thanks.group(1))
                            return
                except httpx.TransportError as exc:
                    self.note("form", exc)
                await asyncio.sleep(0.2)

    def form(self, i: int, token: str) -> dict[str, str]:
        return {
            "csrf_token": token,
            "variant_id": str(self.shop["variant_id"]),
            "quantity": "1",
            "name": f"Cliente {i}",
            "phone": f"0661{i:06d}",
            "wilaya": "16",
            "commune": "1601",
            "address": f"{i} rue Larbi Ben M'hidi",
            "delivery_type": "home",
            "note": "",
        }

    async def browse(self, client: httpx.AsyncClient) -> None:
        while not self.stopping:
            try:
                self.note("page", await client.get(f"{self.base}/{self.shop['slug']}/"))
            except httpx.TransportError as exc:
                self.note("page", exc)
            await asyncio.sleep(0.1)

    async def run(self) -> None:
        async def api_customers(client: httpx.AsyncClient, first: int) -> None:
            for i in range(first, first + 100_000, 2):
                if self.stopping:
                    return
                await self.by_api(client, i)

        async def form_customers() -> None:
            for i in range(100_000):
                if self.stopping:
                    return
                await self.by_form(i)

        async with httpx.AsyncClient(timeout=10) as client:
            await asyncio.gather(
                api_customers(client, 0),
                api_customers(client, 1),
                form_customers(),
                self.browse(client),
            )

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.at < end]


@pytest.fixture
async def cluster() -> AsyncIterator[PgCluster]:
    server = PgCluster()
    await server.init()
    await server.start()
    yield server
    await server.destroy()


@pytest.fixture
async def database(cluster: PgCluster) -> AsyncIterator[str]:
    url = await migrated_database(cluster.admin_url)
    yield url
    await drop_database(cluster.admin_url, url)


@pytest.fixture
async def stack(
    request: pytest.FixtureRequest, tmp_path: Path, database: str
) -> AsyncIterator[Stack]:
    async with running_stack(request, tmp_path, database) as running:
        yield running


async def test_orders_go_through_again_after_postgres_restarts(
    cluster: PgCluster, database: str, stack: Stack
) -> None:
    mailbox = Mailbox()
    smtp, smtp_url = smtp_server(mailbox)
    try:
        async with FakeTelegram() as tg:
            stack.env |= {
                "TELEGRAM_BOT_TOKEN": tg.token,
                "TELEGRAM_API_URL": tg.url,
                "SMTP_URL": smtp_url,
            }
            worker = stack.process("worker", "worker").start()
            (shop,), (web, base), _ = await asyncio.gather(
                seed(database), stack.web("web"), worker.wait_for_line("leader elected")
            )
            chat = tg.add_private_chat(OWNER)
            await tg.send_update(tg.user_message(chat, OWNER, f"/start {shop['owner_invite']}"))
            await wait_until(lambda: tg.bot_messages(chat), 30, "the bot to greet the owner")

            customers = Customers(base, shop)
            load = asyncio.create_task(customers.run())
            await asyncio.sleep(2)
            stopped_at = time.monotonic()
            await cluster.stop("fast")
            await asyncio.sleep(DOWN)
            await cluster.start()
            started_at = time.monotonic()
            await asyncio.sleep(AFTER)
            customers.stopping = True
            await load

            check_answers(customers, stopped_at, started_at)
            assert web.alive and worker.alive  # nothing was restarted
            await worker.wait_for_line("leader lost its database session")
            assert worker.since_start().count("leader elected") == 2
            await check_orders_and_notices(Sql(database), tg, chat, mailbox, customers)
    finally:
        smtp.stop()


def check_answers(customers: Customers, stopped_at: float, started_at: float) -> None:
    answers = customers.answers
    print(Counter((a.kind, a.status) for a in answers))
    # Only clean answers: orders taken, a redirect to the thank-you page, or "try again".
    assert {a.status for a in answers} <= {200, 201, 303, 503}, [
        a for a in answers if a.status not in (200, 201, 303, 503)
    ]
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "the outage went unnoticed: nothing was tested"
    assert all("Retry-After=5" in a.detail for a in unavailable)
    assert all('"code": "unavailable"' in a.detail for a in unavailable if a.kind == "api")
    # "Try again" only while the database was away (or coming back), and orders again after.
    assert all(stopped_at <= a.at < started_at + RECOVERY for a in unavailable)
    back = [a for a in customers.between(started_at, started_at + RECOVERY) if a.status != 503]
    assert back, "no answer but 503 after the database came back"
    recovered = min(a.at for a in back) - started_at
    taken_after = [
        a for a in answers if a.at >= started_at and a.kind in ("api", "form") and a.status != 503
    ]
    print(f"first answer {recovered:.2f}s after the start; {len(taken_after)} orders after it")
    assert {a.kind for a in taken_after} == {"api", "form"}


async def check_orders_and_notices(
    sql: Sql, tg: FakeTelegram, chat: int, mailbox: Mailbox, customers: Customers
) -> None:
    numbers = list(customers.numbers.values())
    stored = await sql.rows('SELECT number, phone FROM "order" ORDER BY number')
    # Every accepted order once; an order no customer heard of would be a retry's double.
    assert sorted(numbers) == [r["number"] for r in stored]
    assert len({r["phone"] for r in stored}) == len(stored)

    lost = await outcomes_lost(sql)
    await sql.settle()
    emails = Counter(mailbox.message_ids())
    doubled = sum(n - 1 for n in emails.values())
    print(f"outcomes lost to the outage: {dict(lost)}; emails sent twice: {doubled}")
    # Each email once: an outcome the relay could not write while the database was away is
    # written when it is back, long before the claim's lease ends, so no row comes back.
    assert not lost, lost
    assert len(emails) == len(numbers) and doubled == 0
    sends, listed = card_sends(tg, chat), digested(tg, chat)
    assert all(sends[n] + listed[n] == 1 for n in numbers), describe(tg, chat)
    assert not await sql.value("SELECT count(*) FROM outbox_message WHERE status = 'dead'")
