"""One leader among the processes that share a database (SPEC §9: several `worker`s).

Some work must be done by one process at a time however many run: Telegram long polling
(two `getUpdates` callers would each get the same updates) and the card sender (two
senders would both post a card that has no message yet, and the flood budget is counted
in one process's memory). The process holding a PostgreSQL session advisory lock leads;
the lock lives on a connection of its own, held for as long as the process leads, so it
goes when the process dies, however it dies. The others try again every `retry` seconds
and one of them takes over. A leader that loses its connection stops leading at once:
the server has dropped the lock with the session.

The others can still tell the leader there is work for it at once (`signal`: a NOTIFY
the leader LISTENs for on its connection), e.g. cards marked by another worker's relay.

On SQLite there is one process (a file database is not shared between machines): it
leads from the start, without a lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url

from models.infra.db import dialect_of

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
# How long a leader waits for the database to confirm its session is alive.
CHECK_TIMEOUT = 5.0
# What a connection may raise when the database goes away or is not back yet.
LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for a role name (stable across versions)."""
    digest = hashlib.sha256(f"hanout:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def connect_args(database_url: str) -> dict[str, Any]:
    """asyncpg.connect() keywords for a PostgreSQL DATABASE_URL."""
    credentials = expand_db_url(database_url.replace("postgresql://", "postgres://", 1))[
        "credentials"
    ]
    return {
        "host": credentials.get("host"),
        "port": credentials.get("port"),
        "user": credentials.get("user"),
        "password": credentials.get("password"),
        "database": credentials.get("database"),
    }


class Leader:
    """Elects this process for `name`; `on_elected` runs when it starts leading,
    `on_deposed` when it stops (lost connection, `stop`). Both run in this task, never
    at the same time; an `on_elected` that fails gives the lock up to be tried again.
    `on_signal` runs in the leading process when any process calls `signal`."""

    def __init__(
        self,
        database_url: str,
        name: str,
        holder: str,
        on_elected: Hook,
        on_deposed: Hook,
        retry: float = 2.0,
        on_signal: Callable[[], None] | None = None,
    ) -> None:
        if retry <= 0:
            raise ValueError("retry must be positive")
        self.database_url = database_url
        self.name, self.holder = name, holder
        self.on_elected, self.on_deposed = on_elected, on_deposed
        self.on_signal = on_signal
        self.retry = retry
        self.leading = False
        self._postgres = dialect_of(database_url) == "postgres"
        self._task: asyncio.Task[None] | None = None
        self._notifier: asyncio.Task[None] | None = None
        self._again = False

    @property
    def channel(self) -> str:
        """The NOTIFY channel `signal` uses."""
        return f"hanout_{self.name}"

    def signal(self) -> None:
        """Tell the leading process, this one or another, that there is work for it.
        Signals sent while one is on its way are sent again once, after it."""
        if self.leading or not self._postgres:
            if self.on_signal is not None:
                self.on_signal()
            return
        self._again = True
        if self._notifier is None or self._notifier.done():
            self._notifier = asyncio.create_task(self._notify(), name=f"signal {self.name}")

    async def _notify(self) -> None:
        while self._again:
            self._again = False
            try:
                await connections.get("default").execute_query(
                    "SELECT pg_notify($1, '')", [self.channel]
                )
            except Exception as exc:  # the leader looks for work on its own anyway
                log.debug("leader signal not sent role=%s error=%r", self.name, exc)
                return

    async def start(self) -> None:
        """Lead now (SQLite) or start campaigning in the background (PostgreSQL)."""
        if not self._postgres:
            await self._elected()
            return
        self._task = asyncio.create_task(self._campaign(), name=f"leader {self.name}")

    async def stop(self) -> None:
        """Stop leading (the lock is released with the connection) and campaigning."""
        if self._notifier is not None:
            self._notifier.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._deposed()

    async def _elected(self) -> None:
        self.leading = True
        log.info("leader elected role=%s holder=%s", self.name, self.holder)
        await self.on_elected()

    async def _deposed(self) -> None:
        if not self.leading:
            return
        self.leading = False
        log.info("leader stepping down role=%s holder=%s", self.name, self.holder)
        try:
            await self.on_deposed()
        except Exception:
            log.exception("stepping down failed role=%s", self.name)

    async def _campaign(self) -> None:
        while True:
            try:
                await self._term()
            except LOST as exc:
                log.warning(
                    "leader election: database unreachable role=%s error=%r", self.name, exc
                )
            except Exception:
                log.exception("leader election failed role=%s", self.name)
            await self._deposed()
            await asyncio.sleep(self.retry)

    async def _term(self) -> None:
        """One connection's life: win the lock, lead while the session lives."""
        # The holder's name shows in pg_stat_activity next to the lock in pg_locks.
        settings = {"application_name": self.holder[:63]}
        conn = await asyncpg.connect(
            **connect_args(self.database_url), server_settings=settings, timeout=CHECK_TIMEOUT
        )
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        try:
            key = lock_key(self.name)
            while not await self._check(conn, "SELECT pg_try_advisory_lock($1)", key):
                if await _wait(lost, self.retry):
                    return
            if self.on_signal is not None:
                on_signal = self.on_signal
                await conn.add_listener(self.channel, lambda *_: on_signal())
            try:
                await self._elected()
            except Exception:
                log.exception("leader could not start its work role=%s", self.name)
                return
            while not await _wait(lost, self.retry):
                await self._check(conn, "SELECT true")
            log.warning("leader lost its database session role=%s", self.name)
        finally:
            # Stop the work before the lock goes, so two processes never do it at once.
            await self._deposed()
            conn.terminate()  # closes the session: the server drops the lock with it

    @staticmethod
    async def _check(conn: asyncpg.Connection, query: str, *args: object) -> bool:
        async with asyncio.timeout(CHECK_TIMEOUT):
            return bool(await conn.fetchval(query, *args))


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` was set within `seconds`."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    return event.is_set()
