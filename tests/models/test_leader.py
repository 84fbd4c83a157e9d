"""models.infra.leader: one process leads at a time, through a PostgreSQL advisory lock held on
a connection of its own; another takes over when the leader stops or loses its session.
On SQLite the only process leads at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from models.infra.leader import Leader, connect_args, lock_key
from tests.conftest import BACKEND

RETRY = 0.1


class Candidate:
    """A Leader with callbacks that record what this "process" was told."""

    def __init__(self, url: str, role: str, name: str, fail_first: bool = False) -> None:
        self.events: list[str] = []
        self.signals = 0
        self.fail_first = fail_first
        self.leader = Leader(
            url, role, name, self._elected, self._deposed, retry=RETRY, on_signal=self._signal
        )

    def _signal(self) -> None:
        self.signals += 1

    async def _elected(self) -> None:
        self.events.append("elected")
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("could not start the work")

    async def _deposed(self) -> None:
        self.events.append("deposed")


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


@pytest.fixture
def role() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def candidates(db: str, role: str) -> AsyncIterator[list[Candidate]]:
    made: list[Candidate] = []
    yield made
    for candidate in made:
        await candidate.leader.stop()


def leaders(candidates: list[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.leader.leading]


sqlite = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite: one process, no lock")


@sqlite
async def test_on_sqlite_the_process_leads_at_once(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates.append(Candidate(db, role, "only"))
    await candidates[0].leader.start()
    assert candidates[0].leader.leading and candidates[0].events == ["elected"]
    await candidates[0].leader.stop()
    assert candidates[0].events == ["elected", "deposed"]


postgres = pytest.mark.skipif(BACKEND != "postgres", reason="the lock is PostgreSQL's")


@postgres
async def test_one_of_three_leads_and_another_takes_over_when_it_stops(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates += [Candidate(db, role, f"worker-{i}") for i in range(3)]
    await asyncio.gather(*(c.leader.start() for c in candidates))
    await until(lambda: len(leaders(candidates)) == 1)
    await asyncio.sleep(5 * RETRY)  # the others keep trying, and keep losing
    first = leaders(candidates)
    assert len(first) == 1 and first[0].events == ["elected"]

    await first[0].leader.stop()
    assert first[0].events == ["elected", "deposed"]
    await until(lambda: len(leaders(candidates)) == 1)
    second = leaders(candidates)[0]
    assert second is not first[0] and second.events == ["elected"]
    assert sum(c.events.count("elected") for c in candidates) == 2


@postgres
async def test_a_leader_whose_session_ends_steps_down_and_one_is_elected_again(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates += [Candidate(db, role, f"node-{i}-{role}") for i in range(2)]
    await asyncio.gather(*(c.leader.start() for c in candidates))
    await until(lambda: len(leaders(candidates)) == 1)
    old = leaders(candidates)[0]
    # The server ends the leader's session (a restart, an operator, a network cut).
    conn = await asyncpg.connect(**connect_args(db))
    try:
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND a.application_name = $1",
            old.leader.holder,
        )
    finally:
        await conn.close()
    assert ended == 1
    await until(lambda: "deposed" in old.events)
    await until(lambda: len(leaders(candidates)) == 1)
    assert all(c.events in (["elected"], ["elected", "deposed"], ["elected", "deposed", "elected"])
               for c in candidates)  # fmt: skip


@postgres
async def test_a_leader_that_cannot_start_its_work_lets_another_lead(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    broken = Candidate(db, role, "broken", fail_first=True)
    candidates.append(broken)
    await broken.leader.start()
    await until(lambda: broken.events[:2] == ["elected", "deposed"])
    healthy = Candidate(db, role, "healthy")
    candidates.append(healthy)
    await healthy.leader.start()
    # The lock was given up: whichever tries first now leads, and only one does.
    await until(lambda: len(leaders(candidates)) == 1)
    await asyncio.sleep(5 * RETRY)
    assert len(leaders(candidates)) == 1


@postgres
async def test_the_lock_is_an_advisory_lock_on_the_holders_own_session(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates.append(Candidate(db, role, f"holder-{role}"))
    await candidates[0].leader.start()
    await until(lambda: candidates[0].leader.leading)
    conn = await asyncpg.connect(**connect_args(db))
    try:
        holders = await conn.fetch(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = $1",
            lock_key(role),
        )
        # Another session cannot take it while the holder lives.
        assert not await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(role))
    finally:
        await conn.close()
    assert [h["application_name"] for h in holders] == [f"holder-{role}"]


@postgres
async def test_a_signal_from_any_process_reaches_the_leader(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates += [Candidate(db, role, f"signal-{i}") for i in range(2)]
    await asyncio.gather(*(c.leader.start() for c in candidates))
    await until(lambda: len(leaders(candidates)) == 1)
    leader = leaders(candidates)[0]
    follower = next(c for c in candidates if c is not leader)
    follower.leader.signal()
    await until(lambda: leader.signals == 1)
    leader.leader.signal()  # the leader's own signal stays in the process
    assert leader.signals == 2 and follower.signals == 0


@sqlite
async def test_on_sqlite_a_signal_is_the_processs_own(
    db: str, role: str, candidates: list[Candidate]
) -> None:
    candidates.append(Candidate(db, role, "only"))
    await candidates[0].leader.start()
    candidates[0].leader.signal()
    assert candidates[0].signals == 1


def test_lock_keys_are_stable_and_distinct() -> None:
    assert lock_key("telegram") == lock_key("telegram")
    assert lock_key("telegram") != lock_key("sync")
    assert -(2**63) <= lock_key("telegram") < 2**63
