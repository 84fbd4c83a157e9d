"""The worker killed with SIGKILL in the middle of its work, then started again.

Relaying and sending: nothing is lost. A card or an email whose call had reached
Telegram or the mail server, unrecorded, when the process died is sent again after the
restart — the Bot API and SMTP have no idempotency key to replay — so the test counts
those calls in doubt and finds each sent twice, and nothing else. (An email sent again
keeps its Message-ID, so mail programs show it once.) Dispatching: the parcel a dying
worker had created at the courier is found by its reference after the restart, never
created twice.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any, cast

import httpx
from aiohttp import web

from tests.couriers.fake_procolis import FakeProcolis
from tests.fakes.telegram_api import FakeTelegram
from tests.system.conftest import postgres_only
from tests.system.stack import (
    Mailbox,
    Process,
    Sql,
    Stack,
    customer_ip,
    intake_body,
    place,
    seed,
    smtp_server,
    wait_until,
)
from tests.system.watch import card_number, card_sends, describe, live_cards

pytestmark = postgres_only

STORES = 6  # one owner chat each: the sender serves chats at once, so several sends are in flight
ORDERS_PER_STORE = 3  # no more than a private chat's pace, so each order gets its own card
SLOW_TELEGRAM = 1.5  # seconds each sendMessage takes while the worker is killed
SLOW_SMTP = 1.5
WORKER_ID = re.compile(r"relay started worker=(\S+)")
EMAIL_EVENT = re.compile(r"\.email\.(\d+)\.")


class SlowProcolis(FakeProcolis):
    """Procolis whose every create takes effect at once and answers `stall` seconds later."""

    stall = 0.0

    async def _add_colis(self, request: web.Request) -> web.Response:
        self.stall_create = self.stall
        return await super()._add_colis(request)


def relay_id(worker: Process) -> str:
    """The name the worker's relay claims outbox rows under (this run's)."""
    found = WORKER_ID.findall(worker.since_start())
    assert found, "the worker never said its id"
    return found[-1]


async def expire_leases(sql: Sql, dead: str) -> int:
    """The dead relay's claims run out (the outbox lease is two minutes: moved forward
    here rather than waited for)."""
    status = await sql.run(
        "UPDATE outbox_message SET locked_until = now() - interval '1 second' "
        "WHERE status = 'processing' AND locked_by = $1",
        dead,
    )
    return int(status.split()[-1])


async def unrecorded_cards(sql: Sql, tg: FakeTelegram, chats: list[int]) -> int:
    """Cards in a chat whose message the database does not know: sent, not recorded."""
    known = {
        (r["telegram_chat_id"], r["message_id"])
        for r in await sql.rows(
            "SELECT c.chat_id AS telegram_chat_id, m.message_id FROM card_message m "
            "JOIN telegram_chat c ON c.id = m.chat_id WHERE m.message_id IS NOT NULL"
        )
    }
    return sum(
        1
        for chat in chats
        for m in tg.bot_messages(chat)
        if card_number(m.text) is not None and (chat, m.message_id) not in known
    )


async def unrecorded_emails(sql: Sql, mailbox: Mailbox) -> int:
    """Emails the server took whose outbox row is not done: sent, not recorded. (The
    Message-ID carries the row's dedupe key, `email:<event id>`.)"""
    done = {
        r["dedupe_key"]
        for r in await sql.rows(
            "SELECT dedupe_key FROM outbox_message WHERE channel = 'email' AND status = 'done'"
        )
    }
    keys = set()
    for message_id in mailbox.message_ids():
        found = EMAIL_EVENT.search(message_id)
        assert found, message_id
        keys.add(f"email:{found.group(1)}")
    return len(keys - done)


async def test_a_killed_worker_loses_nothing_and_doubles_no_parcel(stack: Stack) -> None:
    mailbox = Mailbox()
    smtp, smtp_url = smtp_server(mailbox)
    try:
        async with FakeTelegram() as tg, SlowProcolis() as procolis:
            courier = cast(SlowProcolis, procolis)
            stack.env |= {
                "TELEGRAM_BOT_TOKEN": tg.token,
                "TELEGRAM_API_URL": tg.url,
                "SMTP_URL": smtp_url,
            }
            worker = stack.process("worker", "worker").start()
            shops, (_, base), _ = await asyncio.gather(
                seed(
                    stack.env["DATABASE_URL"],
                    slugs=[f"shop{i}" for i in range(STORES)],
                    courier_url=courier.url,
                ),
                stack.web("web"),
                worker.wait_for_line("leader elected"),
            )
            sql = Sql(stack.env["DATABASE_URL"])
            chats = await asyncio.gather(*(bind(tg, i, shop) for i, shop in enumerate(shops)))
            numbers = await killed_while_relaying(sql, tg, mailbox, worker, base, shops, chats)
            for chat, shop in zip(chats, shops, strict=True):
                assert set(live_cards(tg, chat)) == set(numbers[shop["slug"]]), describe(tg, chat)
            await killed_while_dispatching(sql, courier, worker, base, shops[0], numbers)
    finally:
        smtp.stop()


async def bind(tg: FakeTelegram, i: int, shop: dict[str, Any]) -> int:
    user = {"id": 1000 + i, "first_name": f"Owner {i}"}
    chat = tg.add_private_chat(user)
    await tg.send_update(tg.user_message(chat, user, f"/start {shop['owner_invite']}"))
    await wait_until(lambda: tg.bot_messages(chat), 30, f"the bot to greet owner {i}")
    return chat


async def killed_while_relaying(
    sql: Sql,
    tg: FakeTelegram,
    mailbox: Mailbox,
    worker: Process,
    base: str,
    shops: list[dict[str, Any]],
    chats: list[int],
) -> dict[str, list[int]]:
    # Orders pile up while the worker is away: every card and email is still to send.
    assert await worker.stop() == 0
    numbers: dict[str, list[int]] = {}
    async with httpx.AsyncClient(timeout=20) as client:
        for s, shop in enumerate(shops):
            numbers[shop["slug"]] = []
            for k in range(ORDERS_PER_STORE):
                i = s * ORDERS_PER_STORE + k
                body = intake_body(shop["variant_id"], i)
                answer = await place(client, base, shop["slug"], body, f"k{i}", customer_ip(i))
                assert answer.status_code == 201, answer.text
                numbers[shop["slug"]].append(int(answer.json()["number"]))
    total = STORES * ORDERS_PER_STORE
    tg.delay("sendMessage", SLOW_TELEGRAM, times=None)
    mailbox.delay = SLOW_SMTP

    worker.start()
    await worker.wait_for_line("relay started")
    dead = relay_id(worker)
    await wait_until(
        lambda: tg.in_flight["sendMessage"] >= 2 and mailbox.in_flight >= 2,
        40,
        "cards and emails on their way",
        every=0.02,
    )
    await worker.kill()
    tg.clear_faults()
    mailbox.delay = 0.0
    # Calls the dead worker had made end at Telegram and the mail server as they would;
    # then what they hold and what the database recorded tell the calls in doubt.
    await wait_until(
        lambda: not tg.in_flight["sendMessage"] and not mailbox.in_flight, 10, "calls to end"
    )
    cards_in_doubt = await unrecorded_cards(sql, tg, chats)
    emails_in_doubt = await unrecorded_emails(sql, mailbox)

    worker.start()
    await worker.wait_for_line("relay started")
    await expire_leases(sql, dead)
    await sql.settle()

    doubled_cards = 0
    for chat, shop in zip(chats, shops, strict=True):
        sends = card_sends(tg, chat)
        assert set(sends) == set(numbers[shop["slug"]]), describe(tg, chat)  # nothing lost
        doubled_cards += sum(n - 1 for n in sends.values())
    emails = Counter(mailbox.message_ids())
    doubled_emails = sum(n - 1 for n in emails.values())
    print(
        f"crash while relaying: cards in doubt={cards_in_doubt} doubled={doubled_cards}; "
        f"emails in doubt={emails_in_doubt} doubled={doubled_emails}"
    )
    assert len(emails) == total  # nothing lost
    # Sent again: exactly the calls that had reached the other side unrecorded, no other.
    assert doubled_cards == cards_in_doubt
    assert doubled_emails == emails_in_doubt
    return numbers


async def killed_while_dispatching(
    sql: Sql,
    courier: SlowProcolis,
    worker: Process,
    base: str,
    shop: dict[str, Any],
    numbers: dict[str, list[int]],
) -> None:
    headers = {"Authorization": f"Bearer {shop['api_key']}"}
    chosen = numbers[shop["slug"]]
    courier.stall = 3.0  # each parcel exists at the courier well before the worker hears so
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=20) as client:
        for number in chosen:
            confirmed = await client.post(
                f"/v1/orders/{number}/transitions", json={"to": "confirmed"}
            )
            assert confirmed.status_code == 200, confirmed.text
            dispatched = await client.post(
                f"/v1/orders/{number}/dispatch", json={"courier": "procolis"}
            )
            assert dispatched.status_code == 202, dispatched.text
    await wait_until(lambda: len(courier.parcels) == len(chosen), 30, "the parcels at the courier")
    dead = relay_id(worker)
    await worker.kill()
    courier.stall = 0.0
    worker.start()
    await worker.wait_for_line("relay started")
    assert await expire_leases(sql, dead) == len(chosen)
    await wait_until(
        lambda: sql.value(
            "SELECT count(*) = $1 FROM shipment WHERE state = 'created'", len(chosen)
        ),
        30,
        "the parcels recorded",
    )
    await sql.settle()

    creates = Counter(c["Tracking"] for body in courier.bodies("add_colis") for c in body["Colis"])
    assert len(creates) == len(chosen) and set(creates.values()) == {1}, creates
    rows = await sql.rows(
        "SELECT o.number, o.status, s.state, s.tracking FROM shipment s "
        'JOIN "order" o ON o.id = s.order_id ORDER BY o.number'
    )
    assert [(r["number"], r["status"], r["state"]) for r in rows] == [
        (n, "shipped", "created") for n in sorted(chosen)
    ]
    assert {r["tracking"] for r in rows} == set(creates)
