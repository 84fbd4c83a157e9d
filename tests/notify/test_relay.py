"""The relay against a real database: retries, dead letters, leases and concurrent workers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from models.infra import clock
from models.orders.intake import place_order
from models.orders.tables import OrderEvent
from models.outbox import relay as outbox
from models.outbox.relay import MAX_ATTEMPTS
from models.outbox.tables import OutboxMessage
from notify.relay import PermanentFailure, Relay
from tests.factories import checkout, make_shop


class Recorder:
    """A channel handler that counts deliveries per dedupe_key, fails the first
    `failures` times with `error`, and may take `delay` seconds."""

    def __init__(
        self, failures: int = 0, error: type[Exception] = RuntimeError, delay: float = 0.0
    ) -> None:
        self.calls: Counter[str] = Counter()
        self.failures = failures
        self.error = error
        self.delay = delay
        self.called = asyncio.Event()
        self.finished = 0

    async def __call__(self, message: OutboxMessage) -> None:
        self.calls[message.dedupe_key] += 1
        self.called.set()
        await asyncio.sleep(self.delay)
        if self.failures > 0:
            self.failures -= 1
            raise self.error("mail server said no")
        self.finished += 1


async def add_rows(count: int, channel: str = "fake") -> None:
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                channel=channel,
                topic="order.created",
                dedupe_key=f"{channel}:{i}",
                payload={"number": 1001 + i},
                available_at=clock.now(),
            )
            for i in range(count)
        ]
    )


async def make_due() -> None:
    """Skip the backoff wait: every pending row becomes due now."""
    await OutboxMessage.filter(status="pending").update(
        available_at=clock.now() - timedelta(seconds=1)
    )


def assert_due_in(row: OutboxMessage, seconds: int) -> None:
    expected = clock.now() + timedelta(seconds=seconds)
    assert abs(row.available_at - expected) < timedelta(seconds=3)


async def test_failed_delivery_waits_for_its_backoff_then_succeeds(db: str) -> None:
    await add_rows(1)
    handler = Recorder(failures=2)
    relay = Relay({"fake": handler}, "worker-a")

    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "mail server said no" in row.last_error
    assert_due_in(row, outbox.BACKOFF_SECONDS[0])
    assert await relay.run_once() == 0  # not due yet: nothing is retried early

    await make_due()
    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts) == ("pending", 2)
    assert_due_in(row, outbox.BACKOFF_SECONDS[1])

    await make_due()
    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts, row.last_error) == ("done", 3, "")
    assert row.sent_at is not None
    assert handler.calls == {"fake:0": 3}


async def placed_order_row() -> OutboxMessage:
    shop = await make_shop()
    await place_order(shop.store, checkout(shop.variants[0].id))
    return await OutboxMessage.get(channel="email")


async def failure_events() -> list[OrderEvent]:
    return await OrderEvent.filter(type="notification_failed")


async def test_dead_letter_after_max_attempts_and_noted_on_the_timeline(db: str) -> None:
    row = await placed_order_row()
    handler = Recorder(failures=1000)
    relay = Relay({"email": handler}, "worker-a")
    for _ in range(MAX_ATTEMPTS):
        assert await relay.run_once() == 1
        await make_due()

    assert await relay.run_once() == 0
    row = await OutboxMessage.get(id=row.id)
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert sum(handler.calls.values()) == MAX_ATTEMPTS
    [event] = await failure_events()
    assert event.order_id == row.payload["order_id"]  # type: ignore[attr-defined]
    assert event.data["channel"] == "email"
    assert event.actor_kind == "system"


async def test_permanent_failure_dead_letters_at_once(db: str) -> None:
    row = await placed_order_row()
    relay = Relay({"email": Recorder(failures=1, error=PermanentFailure)}, "worker-a")

    assert await relay.run_once() == 1
    await make_due()
    assert await relay.run_once() == 0
    row = await OutboxMessage.get(id=row.id)
    assert (row.status, row.attempts) == ("dead", 1)
    assert "PermanentFailure" in row.last_error
    assert len(await failure_events()) == 1


async def test_concurrent_relays_deliver_each_row_exactly_once(db: str) -> None:
    await add_rows(60)
    handler = Recorder(delay=0.005)  # the await lets the relays' claims interleave
    relays = [Relay({"fake": handler}, f"worker-{n}", batch=7) for n in range(3)]

    async def drain(relay: Relay) -> None:
        while await relay.run_once():
            pass

    await asyncio.gather(*(drain(relay) for relay in relays))

    assert len(handler.calls) == 60
    assert set(handler.calls.values()) == {1}
    assert await OutboxMessage.filter(status="done").count() == 60
    workers = await OutboxMessage.all().values_list("locked_by", flat=True)
    assert len(set(workers)) > 1  # the work really was shared


async def test_concurrent_claims_never_hand_out_a_row_twice(db: str) -> None:
    await add_rows(40)
    seen: list[int] = []
    for _ in range(10):
        batches = await asyncio.gather(*(outbox.claim(f"w{n}", 6) for n in range(6)))
        seen += [message.id for batch in batches for message in batch]
        if len(seen) >= 40:
            break
    assert len(seen) == len(set(seen)) == 40


async def test_expired_lease_is_delivered_again_and_the_late_worker_is_ignored(db: str) -> None:
    await add_rows(1)
    [stranded] = await outbox.claim("crashed-worker")  # claimed, then the process died
    handler = Recorder()
    relay = Relay({"fake": handler}, "worker-b")
    assert await relay.run_once() == 0  # the lease still holds

    await OutboxMessage.all().update(locked_until=clock.now() - timedelta(seconds=1))
    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts, row.locked_by) == ("done", 2, "worker-b")

    # The first worker wakes up and reports: neither outcome may overwrite the delivery.
    assert await outbox.complete(stranded) is False
    assert await outbox.fail(stranded, "late failure") is None
    row = await OutboxMessage.get()
    assert (row.status, row.last_error) == ("done", "")


async def test_a_reclaim_under_the_same_worker_id_fences_the_older_attempt(db: str) -> None:
    await add_rows(1)
    [first] = await outbox.claim("worker-a")
    await OutboxMessage.all().update(locked_until=clock.now() - timedelta(seconds=1))
    [second] = await outbox.claim("worker-a")  # e.g. the process restarted with the same id

    assert await outbox.complete(first) is False
    assert (await OutboxMessage.get()).status == "processing"
    assert await outbox.complete(second) is True
    assert (await OutboxMessage.get()).status == "done"


async def test_a_row_that_keeps_losing_its_lease_is_dead_lettered_unsent(db: str) -> None:
    await add_rows(1)
    await OutboxMessage.all().update(
        status="processing",
        attempts=MAX_ATTEMPTS,
        locked_by="crashed-worker",
        locked_until=clock.now() - timedelta(seconds=1),
    )
    handler = Recorder()
    assert await Relay({"fake": handler}, "worker-a").run_once() == 1
    assert (await OutboxMessage.get()).status == "dead"
    assert not handler.calls


async def test_rows_of_a_channel_without_handler_stay_pending(db: str) -> None:
    await add_rows(60, channel="sms")  # older than the row this relay can deliver
    await add_rows(1, channel="fake")
    handler = Recorder()

    assert await Relay({}, "web-process").run_once() == 0
    assert await Relay({"fake": handler}, "worker-a", batch=50).run_once() == 1

    assert handler.calls == {"fake:0": 1}
    sms = await OutboxMessage.filter(channel="sms").values_list("status", "attempts", "locked_by")
    assert set(sms) == {("pending", 0, "")}


async def test_slow_delivery_is_cut_off_and_retried(db: str) -> None:
    await add_rows(1)
    relay = Relay({"fake": Recorder(delay=5)}, "worker-a", delivery_timeout=0.05)
    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "TimeoutError" in row.last_error


async def test_a_commit_wakes_the_running_relay_at_once(db: str) -> None:
    shop = await make_shop()
    handler = Recorder()
    relay = Relay({"email": handler}, "worker-a", interval=60)
    await relay.start()
    try:
        await asyncio.sleep(0.1)  # the first pass found nothing; the next poll is a minute away
        await place_order(shop.store, checkout(shop.variants[0].id))
        await asyncio.wait_for(handler.called.wait(), timeout=5)
    finally:
        await relay.stop()
    assert (await OutboxMessage.get()).status == "done"


async def test_a_commit_in_another_thread_wakes_the_relay(db: str) -> None:
    handler = Recorder()
    relay = Relay({"fake": handler}, "worker-a", interval=60)
    await relay.start()
    try:
        await asyncio.sleep(0.1)
        await add_rows(1)
        await asyncio.to_thread(outbox.notify_committed)
        await asyncio.wait_for(handler.called.wait(), timeout=5)
    finally:
        await relay.stop()


async def test_stop_lets_claimed_deliveries_finish(db: str) -> None:
    await add_rows(3)
    handler = Recorder(delay=0.3)
    relay = Relay({"fake": handler}, "worker-a", concurrency=3)
    await relay.start()
    await asyncio.wait_for(handler.called.wait(), timeout=5)
    await relay.stop()

    assert handler.finished == 3
    assert await OutboxMessage.filter(status="done").count() == 3


@pytest.mark.parametrize(
    "options",
    [{"delivery_timeout": 120.0}, {"delivery_timeout": 0}, {"batch": 0}, {"interval": 0}],
)
def test_settings_that_would_break_the_lease_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Relay({}, "worker-a", **options)  # type: ignore[arg-type]


async def test_a_pass_claims_no_more_rows_than_it_can_deliver_at_once(db: str) -> None:
    # Rows claimed but queued behind slow deliveries could outlive their lease and be
    # delivered twice by another worker; so a pass only claims what it starts at once.
    await add_rows(5)
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(message: OutboxMessage) -> None:
        started.set()
        await release.wait()

    relay = Relay({"fake": slow}, "worker-a", batch=50, concurrency=2)
    task = asyncio.create_task(relay.run_once())
    await started.wait()
    statuses = Counter(await OutboxMessage.all().values_list("status", flat=True))
    assert statuses == {"processing": 2, "pending": 3}
    release.set()
    assert await task == 2


class Batches(Recorder):
    """A handler that also takes many rows at once; a batch with a row of `refused` in it
    raises, as that row alone does."""

    def __init__(self, refused: str = "") -> None:
        super().__init__()
        self.refused = refused
        self.batches: list[list[str]] = []

    async def __call__(self, message: OutboxMessage) -> None:
        await super().__call__(message)
        if message.dedupe_key == self.refused:
            raise PermanentFailure("refused")

    async def deliver_many(self, messages: list[OutboxMessage]) -> None:
        self.batches.append([m.dedupe_key for m in messages])
        if any(m.dedupe_key == self.refused for m in messages):
            raise RuntimeError("one row of the batch is refused")
        for message in messages:
            self.calls[message.dedupe_key] += 1


async def test_a_batching_channel_takes_a_claims_rows_in_one_call(db: str) -> None:
    await add_rows(12)
    handler = Batches()
    relay = Relay({"fake": handler}, "worker-a", batch=5, pools={"fake": 10})

    while await relay.run_once():
        pass

    assert handler.batches[0] == [f"fake:{i}" for i in range(5)]
    assert [len(b) for b in handler.batches] == [5, 5, 2]
    assert set(handler.calls.values()) == {1} and len(handler.calls) == 12
    assert await OutboxMessage.filter(status="done").count() == 12


async def test_a_failed_batch_delivers_each_row_alone_and_only_the_bad_one_fails(db: str) -> None:
    await add_rows(4)
    handler = Batches(refused="fake:2")
    relay = Relay({"fake": handler}, "worker-a", batch=10, pools={"fake": 10})

    assert await relay.run_once() == 4

    assert handler.batches == [["fake:0", "fake:1", "fake:2", "fake:3"]]
    assert set(handler.calls) == {"fake:0", "fake:1", "fake:2", "fake:3"}  # each alone
    rows = {m.dedupe_key: m for m in await OutboxMessage.all()}
    assert rows["fake:2"].status == "dead" and "PermanentFailure" in rows["fake:2"].last_error
    assert {rows[k].status for k in ("fake:0", "fake:1", "fake:3")} == {"done"}
    assert {m.attempts for m in rows.values()} == {1}


async def test_a_batch_delivered_after_its_lease_was_taken_marks_nothing(db: str) -> None:
    await add_rows(3)
    claimed = await outbox.claim("late-worker", 3)
    await OutboxMessage.filter(id=claimed[0].id).update(attempts=2, locked_by="other")

    assert await outbox.complete_many(claimed) == 2

    rows = {m.id: m for m in await OutboxMessage.all()}
    assert rows[claimed[0].id].status == "processing"  # the other claim's, untouched
    assert {rows[m.id].status for m in claimed[1:]} == {"done"}


async def test_a_claim_takes_the_oldest_row_of_every_store_before_one_stores_surge(
    db: str,
) -> None:
    surge = [
        OutboxMessage(
            store_id=1,
            channel="fake",
            topic="order.created",
            dedupe_key=f"fake:surge:{i}",
            payload={},
            available_at=clock.now(),
        )
        for i in range(30)
    ]
    others = [
        OutboxMessage(
            store_id=store,
            channel="fake",
            topic="order.created",
            dedupe_key=f"fake:store:{store}:{i}",
            payload={},
            available_at=clock.now(),
        )
        for store in (2, 3)
        for i in range(2)
    ]
    await OutboxMessage.bulk_create(surge + others)

    claimed = await outbox.claim("worker-a", 5, fair=True)

    keys = sorted(m.dedupe_key for m in claimed)
    assert keys == [
        "fake:store:2:0",
        "fake:store:3:0",
        "fake:surge:0",
        "fake:surge:1",
        "fake:surge:2",
    ]
    rest = await outbox.claim("worker-a", 40, fair=True)
    assert len(rest) == 29 and len(set(m.id for m in claimed + rest)) == 34
    await OutboxMessage.all().update(status="pending", locked_until=None)
    oldest = await outbox.claim("worker-b", 5)  # not fair: the oldest five, one store's
    assert [m.dedupe_key for m in oldest] == [f"fake:surge:{i}" for i in range(5)]
