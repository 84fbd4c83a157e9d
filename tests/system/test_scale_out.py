"""Two `web` and two `worker` processes on one PostgreSQL database, as the Procfile runs
them scaled out: orders come in through both web processes, the team presses buttons in
Telegram, orders go to a courier and parcels are polled, and everything happens once —
each card, email, SMS, parcel, poll, press and scheduled call-back. One worker leads
(long polling and the card sender); when it dies the other takes over."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any, cast

import httpx
from aiohttp import web

from tests.couriers.fake_procolis import FakeProcolis
from tests.fakes.telegram_api import FakeTelegram
from tests.notify.fake_sms_gateway import FakeSmsGateway
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
from tests.system.watch import (
    PollWatch,
    answers,
    button,
    card,
    card_sends,
    describe,
    digested,
    live_cards,
)

pytestmark = postgres_only

OWNER = {"id": 1001, "first_name": "Nadia"}
AGENT = {"id": 2002, "first_name": "Yacine"}
BURST = 8  # placed at once: the chats get a digest
TRICKLE = 4  # placed one by one: each chat gets a card per order
LIVREE = "Livrée"


class SlowProcolis(FakeProcolis):
    """Procolis taking `read_delay` seconds to answer a tracking read."""

    read_delay = 0.0

    async def _lire(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.read_delay)
        return await super()._lire(request)


async def claimed_by(sql: Sql, trackings: list[str]) -> set[str]:
    """The workers that claimed these parcels for their cycle, once all are claimed."""
    query = "SELECT poll_locked_by FROM shipment WHERE tracking = ANY($1::text[])"

    async def all_claimed() -> bool:
        return all(r[0] for r in await sql.rows(query, trackings))

    await wait_until(all_claimed, 10, f"{trackings} claimed")
    return {r[0] for r in await sql.rows(query, trackings)}


class Run:
    """One scale-out run: the fakes, the processes and what the test placed."""

    def __init__(self, stack: Stack, sql: Sql, tg: FakeTelegram, shop: dict[str, Any]) -> None:
        self.stack, self.sql, self.tg, self.shop = stack, sql, tg, shop
        self.bases: list[str] = []
        self.numbers: list[int] = []
        self.chats: list[int] = []

    def api(self, i: int) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.shop['api_key']}"}
        return httpx.AsyncClient(base_url=self.bases[i % 2], headers=headers, timeout=20)

    async def order(self, client: httpx.AsyncClient, i: int) -> int:
        body = intake_body(self.shop["variant_id"], i)
        response = await place(
            client, self.bases[i % 2], self.shop["slug"], body, f"key-{i}", customer_ip(i)
        )
        assert response.status_code == 201, response.text
        return int(response.json()["number"])

    async def bind(self, user: dict[str, Any], token: str) -> int:
        chat = self.tg.add_private_chat(user)
        await self.tg.send_update(self.tg.user_message(chat, user, f"/start {token}"))
        await wait_until(lambda: self.tg.bot_messages(chat), 30, f"the bot to greet {user}")
        return chat

    async def press(self, chat: int, number: int, action: str, user: dict[str, Any]) -> str:
        shown = card(self.tg, chat, number)
        update = self.tg.press(chat, shown.message_id, button(shown, action), user)
        query = str(update["callback_query"]["id"])
        await self.tg.send_update(update)
        await wait_until(lambda: self.tg.query(query).answered, 20, f"{action} on #{number}")
        return query

    async def settle(self) -> None:
        await self.sql.settle()


async def test_two_webs_and_two_workers_do_everything_exactly_once(stack: Stack) -> None:
    sms = FakeSmsGateway()
    mailbox = Mailbox()
    smtp, smtp_url = smtp_server(mailbox)
    await sms.start()
    try:
        async with FakeTelegram() as tg, SlowProcolis() as procolis:
            courier = cast(SlowProcolis, procolis)
            stack.env |= {
                "TELEGRAM_BOT_TOKEN": tg.token,
                "TELEGRAM_API_URL": tg.url,
                "SMTP_URL": smtp_url,
            }
            workers = [stack.process("worker", f"worker{i}").start() for i in (1, 2)]
            polls = PollWatch(tg, [w.pid for w in workers])
            # The processes start while the store is seeded: they need nothing of it yet.
            (shop,), (_, base1), (_, base2), *_ = await asyncio.gather(
                seed(stack.env["DATABASE_URL"], sms_url=sms.base_url, courier_url=courier.url),
                stack.web("web1"),
                stack.web("web2"),
                *(w.wait_for_line("relay started") for w in workers),
            )
            run = Run(stack, Sql(stack.env["DATABASE_URL"]), tg, shop)
            run.bases = [base1, base2]
            await scenario(run, workers, polls, sms, mailbox, courier)
    finally:
        smtp.stop()
        await sms.stop()


async def scenario(
    run: Run,
    workers: list[Process],
    polls: PollWatch,
    sms: FakeSmsGateway,
    mailbox: Mailbox,
    courier: SlowProcolis,
) -> None:
    stack, sql, tg = run.stack, run.sql, run.tg
    worker1, worker2 = workers
    await wait_until(
        lambda: "leader elected" in worker1.text() + worker2.text(), 30, "a Telegram leader"
    )
    leader, follower = (
        (worker1, worker2) if "leader elected" in worker1.text() else (worker2, worker1)
    )
    owner = await run.bind(OWNER, run.shop["owner_invite"])
    agent = await run.bind(AGENT, run.shop["agent_invite"])
    run.chats = [owner, agent]

    # Orders through both web processes: a burst at once, then one at a time.
    async with run.api(0) as client:
        run.numbers += await asyncio.gather(*(run.order(client, i) for i in range(BURST)))
        await run.settle()
        for i in range(BURST, BURST + TRICKLE):
            run.numbers.append(await run.order(client, i))
            await wait_until(
                lambda: all(run.numbers[-1] in live_cards(tg, c) for c in run.chats),
                30,
                f"the card of #{run.numbers[-1]}",
            )
    await run.settle()
    assert len(set(run.numbers)) == BURST + TRICKLE
    carded = run.numbers[BURST:]

    # The team presses: three confirmations, one call postponed by an hour.
    queries = [await run.press(owner, n, "cf", OWNER) for n in carded[:3]]
    postponed = carded[3]
    for action in ("cm", "pm", "p1"):
        queries.append(await run.press(agent, postponed, action, AGENT))
    await run.settle()

    # The hour passes: both workers' scheduled job sees the call-back due.
    await sql.run("UPDATE \"order\" SET callback_at = now() - interval '1 second' "
                  "WHERE number = $1", postponed)  # fmt: skip
    await wait_until(
        lambda: sql.value(
            'SELECT count(*) FROM order_event e JOIN "order" o ON o.id = e.order_id '
            "WHERE o.number = $1 AND e.type = 'callback_due'",
            postponed,
        ),
        20,
        "the call-back to come due",
    )

    # Dispatch: the three confirmed orders and three of the burst, through both webs.
    dispatched = carded[:3] + run.numbers[:3]
    async with run.api(0) as one, run.api(1) as two:
        for i, number in enumerate(run.numbers[:3]):
            answer = await (one, two)[i % 2].post(
                f"/v1/orders/{number}/transitions", json={"to": "confirmed"}
            )
            assert answer.status_code == 200, answer.text
        replies = await asyncio.gather(
            *(
                (one, two)[i % 2].post(f"/v1/orders/{n}/dispatch", json={"courier": "procolis"})
                for i, n in enumerate(dispatched)
            )
        )
        assert [a.status_code for a in replies] == [202] * len(dispatched), [
            a.text for a in replies
        ]
    await wait_until(
        lambda: sql.value("SELECT count(*) FROM shipment WHERE tracking IS NOT NULL"),
        30,
        "the parcels",
    )
    await wait_until(
        lambda: sql.value(
            "SELECT count(*) = $1 FROM shipment WHERE state = 'created'", len(dispatched)
        ),
        30,
        "every parcel created",
    )
    await run.settle()

    # Two sync cycles: every parcel polled once per cycle, whichever worker polls it. In
    # the second the courier answers slowly and the parcels come due in two waves: while
    # one worker is busy with the first, the other takes the second.
    trackings = [r[0] for r in await sql.rows("SELECT tracking FROM shipment ORDER BY id")]
    for cycle, waves in enumerate(([trackings], [trackings[:3], trackings[3:]])):
        mark, owners = len(courier.calls), []
        if cycle == 1:
            for tracking in trackings[:2]:
                courier.set_situation(tracking, LIVREE)
            courier.read_delay = 3.0
        for wave in waves:
            await sql.run("UPDATE shipment SET next_poll_at = now() - interval '1 second' "
                          "WHERE tracking = ANY($1::text[])", wave)  # fmt: skip
            if len(waves) > 1:
                owners.append(await claimed_by(sql, wave))
        await wait_until(
            lambda: sql.value(
                "SELECT count(*) = 0 FROM shipment WHERE next_poll_at <= now() "
                "OR poll_locked_by <> ''"
            ),
            20,
            f"sync cycle {cycle + 1}",
        )
        courier.read_delay = 0.0
        polled = Counter(
            item["Tracking"]
            for path, body, _ in courier.calls[mark:]
            if path == "lire"
            for item in body["Colis"]
        )
        assert polled == Counter(trackings), f"cycle {cycle + 1}: {polled}"
        if owners:  # both workers were polling at the same time, each its own parcels
            assert len(owners[0] | owners[1]) == 2, owners
    await run.settle()

    # The leader dies; the other worker takes over polling and sending.
    killed_at = time.monotonic()
    await leader.kill()
    await follower.wait_for_line("leader elected", timeout=20)
    async with run.api(1) as client:
        run.numbers.append(late := await run.order(client, BURST + TRICKLE))
    await wait_until(
        lambda: all(late in live_cards(tg, c) for c in run.chats), 30, "a card from the new leader"
    )
    queries.append(await run.press(owner, carded[1], "tl", OWNER))
    await run.settle()

    await stack.close()
    await check_everything_once(run, sms, mailbox, courier, dispatched, postponed, queries)
    check_polling(polls, leader.pid, follower.pid, killed_at)


async def check_everything_once(
    run: Run,
    sms: FakeSmsGateway,
    mailbox: Mailbox,
    courier: SlowProcolis,
    dispatched: list[int],
    postponed: int,
    queries: list[str],
) -> None:
    sql, tg = run.sql, run.tg
    carded = run.numbers[BURST:]
    for chat in run.chats:
        sends, listed = card_sends(tg, chat), digested(tg, chat)
        for number in run.numbers:
            # Announced once: by its own card or in a digest; a call-back brings one fresh card.
            again = 1 if number == postponed else 0
            assert (sends[number], listed[number]) in ((1 + again, 0), (again, 1)), (
                number,
                describe(tg, chat),
            )
            assert live_cards(tg, chat)[number] <= 1
        assert all(sends[n] >= 1 for n in carded)
    events = await sql.counts(
        'SELECT o.number, count(*) FROM order_event e JOIN "order" o ON o.id = e.order_id '
        "WHERE e.type = 'callback_due' GROUP BY o.number"
    )
    assert events == {postponed: 1}
    answered = answers(tg)
    assert all(answered[q] == 1 for q in queries), answered
    confirmations = await sql.counts(
        'SELECT o.number, count(*) FROM order_event e JOIN "order" o ON o.id = e.order_id '
        "WHERE e.type = 'status_changed' AND e.to_status = 'confirmed' GROUP BY o.number"
    )
    assert all(count == 1 for count in confirmations.values()), confirmations

    # Email: one per order, never resent (the same Message-ID would show a resend).
    assert sorted(Counter(mailbox.message_ids()).values()) == [1] * len(run.numbers)
    # Parcels: one create per order at the courier, one shipment each; SMS once per shipped.
    creates = Counter(c["Tracking"] for body in courier.bodies("add_colis") for c in body["Colis"])
    assert len(creates) == len(dispatched) and set(creates.values()) == {1}, creates
    shipments = await sql.counts(
        'SELECT o.number, count(*) FROM shipment s JOIN "order" o ON o.id = s.order_id '
        "GROUP BY o.number"
    )
    assert shipments == dict.fromkeys(dispatched, 1)
    assert len(sms.messages) == len(dispatched) == sms.requests, (sms.requests, sms.messages)
    delivered = await sql.value("SELECT count(*) FROM \"order\" WHERE status = 'delivered'")
    assert delivered == 2


def check_polling(polls: PollWatch, leader: int, follower: int, killed_at: float) -> None:
    """getUpdates came from one process at a time: the leader, then after its death the
    other worker; never both, so Telegram never had to end a poll with 409 Conflict."""
    assert polls.polls, "nobody polled"
    # The dead leader's last long poll may still be open at Telegram when the new leader
    # polls: Telegram ends it with 409, to a caller that is gone. No live process gets one.
    assert [p for p in polls.conflicts() if not (p.pid == leader and p.at >= killed_at)] == []
    assert polls.pollers(until=killed_at) == {leader}
    assert follower in polls.pollers(since=killed_at)
    assert polls.handovers() == [(leader, follower)]
