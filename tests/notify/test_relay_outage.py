"""The relay while the database goes away between a delivery and the writing of its
outcome: the outcome is written once the database is back, so the row is not delivered a
second time when its lease would have ended."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from models.infra import clock
from models.outbox import relay as outbox
from models.outbox.tables import OutboxMessage
from notify import relay as relay_module
from notify.relay import Postpone, Relay
from tests.notify.test_relay import Recorder, add_rows


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relay_module, "OUTCOME_RETRY_FIRST", 0.01)
    monkeypatch.setattr(relay_module, "OUTCOME_RETRY_MAX", 0.02)


def away_for(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    times: int,
    error: Callable[[], Exception] = lambda: ConnectionRefusedError("connection refused"),
) -> list[int]:
    """`outbox.<name>` raises `error` its first `times` calls, then writes; returns the list
    counting the calls."""
    real: Callable[..., Awaitable[Any]] = getattr(outbox, name)
    calls: list[int] = []

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise error()
        return await real(*args, **kwargs)

    monkeypatch.setattr(outbox, name, flaky)
    return calls


async def expire_leases() -> None:
    """Time passes beyond any lease: an unrecorded claim would be taken again now."""
    await OutboxMessage.filter(status="processing").update(
        locked_until=clock.now() - timedelta(seconds=1)
    )


async def test_a_delivery_whose_outcome_waits_for_the_database_is_done_once(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_rows(1)
    handler = Recorder()
    calls = away_for(monkeypatch, "complete", times=2)
    relay = Relay({"fake": handler}, "worker-a")

    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.locked_until, len(calls)) == ("done", None, 3)
    await expire_leases()
    assert await relay.run_once() == 0
    assert handler.calls == {"fake:0": 1}


async def test_a_failure_and_a_postponement_are_recorded_after_the_outage(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_rows(1)
    failing = away_for(monkeypatch, "fail", times=3)
    relay = Relay({"fake": Recorder(failures=1)}, "worker-a")
    assert await relay.run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts, len(failing)) == ("pending", 1, 4)
    assert "mail server said no" in row.last_error

    async def busy(message: OutboxMessage) -> None:
        raise Postpone(60, "receiver busy")

    await OutboxMessage.all().update(available_at=clock.now() - timedelta(seconds=1))
    postponing = away_for(monkeypatch, "postpone", times=2)
    assert await Relay({"fake": busy}, "worker-b").run_once() == 1
    row = await OutboxMessage.get()
    assert (row.status, row.attempts, len(postponing)) == ("pending", 1, 3)
    assert row.available_at > clock.now() + timedelta(seconds=50)


async def test_the_outcome_is_given_up_shortly_before_the_lease_ends(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lease ends in 10.05 s and the last try is 10 s before it: a handful of tries,
    # then the row is left for the lease to bring back, never written past the lease.
    monkeypatch.setattr(outbox, "LEASE", relay_module.LEASE_MARGIN + timedelta(seconds=0.05))
    await add_rows(1)
    handler = Recorder()
    calls = away_for(monkeypatch, "complete", times=1_000)
    assert await Relay({"fake": handler}, "worker-a", delivery_timeout=0.01).run_once() == 1
    row = await OutboxMessage.get()
    assert row.status == "processing" and 1 < len(calls) < 10
    await expire_leases()
    monkeypatch.undo()
    assert await Relay({"fake": handler}, "worker-b").run_once() == 1
    assert (await OutboxMessage.get()).status == "done"
    assert handler.calls == {"fake:0": 2}  # the lease's price, as before


async def test_another_fault_is_not_retried(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    await add_rows(1)
    calls = away_for(monkeypatch, "complete", times=1, error=lambda: ValueError("a bug"))
    assert await Relay({"fake": Recorder()}, "worker-a").run_once() == 1
    assert len(calls) == 1
    assert (await OutboxMessage.get()).status == "processing"


async def test_a_claim_whose_answer_was_lost_is_delivered_when_the_database_is_back(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claim's UPDATE commits, then the connection dies before the relay hears of it:
    # the rows are claimed by this worker, which never got them. Its next pass puts them
    # back (the claim not counted as an attempt) and delivers them, long before the lease.
    await add_rows(2)
    await add_rows(1, channel="other")  # another process's channel: never touched
    handler = Recorder()
    real = outbox.claim
    calls: list[int] = []

    async def answer_lost(*args: Any, **kwargs: Any) -> list[OutboxMessage]:
        calls.append(1)
        claimed = await real(*args, **kwargs)
        if len(calls) == 1:
            assert claimed
            raise ConnectionResetError("connection reset by peer")
        return claimed

    monkeypatch.setattr(outbox, "claim", answer_lost)
    relay = Relay({"fake": handler}, "worker-a")
    with pytest.raises(ConnectionResetError):
        await relay.run_once()
    assert {r.status for r in await OutboxMessage.filter(channel="fake")} == {"processing"}
    assert await relay.run_once() == 2
    rows = await OutboxMessage.filter(channel="fake")
    assert [(r.status, r.attempts) for r in rows] == [("done", 1), ("done", 1)]
    assert (await OutboxMessage.get(channel="other")).status == "pending"
    assert handler.calls == {"fake:0": 1, "fake:1": 1}


async def test_rows_being_delivered_or_left_to_their_lease_are_not_put_back(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A row whose outcome could not be written may have been delivered: only its lease
    # brings it back, even after a later claim of the same relay failed.
    await add_rows(1)
    handler = Recorder()
    away_for(monkeypatch, "complete", times=1, error=lambda: ValueError("a bug"))
    relay = Relay({"fake": handler}, "worker-a")
    assert await relay.run_once() == 1
    away_for(monkeypatch, "claim", times=1)
    with pytest.raises(ConnectionRefusedError):
        await relay.run_once()
    assert await relay.run_once() == 0
    assert (await OutboxMessage.get()).status == "processing"
    assert handler.calls == {"fake:0": 1}
