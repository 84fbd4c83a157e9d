"""The outbox relay: claims due outbox rows and hands each to its channel (SPEC §7).

A process runs one relay with the channels it owns (`hanout worker` and `hanout run`: all of
them; `hanout web`: none, so it runs no relay). Rows of a channel without a handler here are
not claimed at all: they wait, still pending, for the process that has the handler.

Delivery is at-least-once: a handler may see a row again after a crash or an expired lease,
so handlers key their side effect on `message.dedupe_key`. An outcome that cannot be written
because the database is away is written again until shortly before the claim's lease ends,
so a short outage does not send a delivered row a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextvars import Context, copy_context
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from models.infra import clock
from models.infra.db import is_unavailable, on_side_connection
from models.outbox import relay
from models.outbox.tables import OutboxMessage

log = logging.getLogger(__name__)

ChannelHandler = Callable[[OutboxMessage], Awaitable[None]]
# A handler may also take many rows in one call (`deliver_many(rows)`): the relay then hands
# it each claim's rows of its channel together and records them delivered in one statement.
# If the call raises, each row is delivered again alone, so one bad row fails only itself.
BATCH_METHOD = "deliver_many"

# Longest pause between passes while the database is unreachable.
MAX_ERROR_PAUSE = 30.0
# A delivery's outcome written again while the database is away: first after 0.2 s, the
# pause doubling up to 2 s, the last try this long before the lease ends (clocks of the
# workers' hosts may differ by a little; past the lease another worker may take the row).
OUTCOME_RETRY_FIRST = 0.2
OUTCOME_RETRY_MAX = 2.0
LEASE_MARGIN = timedelta(seconds=10)

T = TypeVar("T")


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (unknown order, address refused):
    the row is dead-lettered at once instead of retried with backoff."""


class Postpone(Exception):
    """Raised by a handler that did not try at all (its receiver is busy with other rows):
    the row waits `seconds` and the claim does not count as an attempt."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"postponed {seconds:g}s")
        self.seconds = seconds


def new_worker_id(role: str) -> str:
    """A lease owner name unique to this process, readable in the outbox table."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[-64:]


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


GENERAL = ""  # the slot pool of the channels without a pool of their own


class Relay:
    """Drains the outbox for the channels in `handlers`, as a pipeline.

    Each delivery runs as its own task in a slot: a pass claims no more due rows than there
    are free slots (capped by `batch`) and starts each at once, so a claimed row never waits
    behind another one, and a slow receiver holds only its own slot. Channels named in
    `pools` get slots of their own (webhooks: a store's receivers cannot starve Telegram,
    email or SMS); the others share `concurrency` slots. Each delivery gets
    `delivery_timeout` seconds, shorter than the claim lease, so no row is taken over by
    another worker while it is still being delivered here.

    `run_once` claims what the free slots allow and waits for those deliveries. `start` runs
    in the background: it claims again whenever a slot frees after a full claim, after each
    commit that wrote outbox rows in this process, else every `interval` seconds. `stop`
    lets the deliveries already claimed finish.
    """

    def __init__(
        self,
        handlers: Mapping[str, ChannelHandler],
        worker_id: str,
        interval: float = 0.5,
        batch: int = 50,
        concurrency: int = 8,
        delivery_timeout: float = 60.0,
        pools: Mapping[str, int] | None = None,
    ) -> None:
        if not 0 < delivery_timeout < relay.LEASE.total_seconds():
            raise ValueError("delivery_timeout must be positive and shorter than the lease")
        if interval <= 0 or batch <= 0 or concurrency <= 0:
            raise ValueError("interval, batch and concurrency must be positive")
        if any(size <= 0 for size in (pools or {}).values()):
            raise ValueError("pool sizes must be positive")
        self.handlers = dict(handlers)
        self.worker_id = worker_id
        self.interval = interval
        self.batch = batch
        self.delivery_timeout = delivery_timeout
        self.concurrency = concurrency
        own = {c: n for c, n in (pools or {}).items() if c in self.handlers}
        # Pool name -> (its channels, its slots); a pool without a channel here is dropped.
        self._pools: dict[str, tuple[list[str], int]] = {c: ([c], n) for c, n in own.items()}
        general = [c for c in self.handlers if c not in own]
        if general:
            self._pools[GENERAL] = (general, concurrency)
        self._busy: dict[str, int] = dict.fromkeys(self._pools, 0)
        # Pools whose last claim filled every free slot: more rows are likely due.
        self._full: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._started_in: Context | None = None
        # Rows this relay holds (being delivered), and rows it delivered without recording
        # the outcome (left to their lease, id → lease end): the rows it knows it claimed.
        self._held: set[int] = set()
        self._unrecorded: dict[int, datetime] = {}
        # A claim failed: it may have committed unseen, its rows claimed by this worker.
        self._claim_unsure = False

    async def start(self) -> None:
        """Run passes in the background until `stop`."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._started_in = copy_context()
        self._stopping = False
        relay.add_listener(self._on_commit)
        self._task = asyncio.create_task(self._run(), name=f"relay {self.worker_id}")
        log.info(
            "relay started worker=%s channels=%s", self.worker_id, ",".join(self.handlers) or "-"
        )

    def _clean(self) -> Context:
        """A copy of the context the relay started in (no transaction of a pass in it)."""
        return (self._started_in or copy_context()).copy()

    async def stop(self) -> None:
        """Stop claiming; deliveries already claimed finish and are recorded."""
        if self._task is None:
            return
        relay.remove_listener(self._on_commit)
        self._stopping = True
        self._wake.set()
        try:
            await self._task
        finally:
            self._task = None
        log.info("relay stopped worker=%s", self.worker_id)

    async def run_once(self) -> int:
        """Claim as many due rows of this relay's channels as there are free slots, deliver
        each, and return how many were claimed; every one of them is completed, rescheduled
        or dead-lettered before this returns."""
        started, claimed = await self._claim_and_start()
        if started:
            await asyncio.wait(started)
        return claimed

    async def _claim_and_start(self) -> tuple[list[asyncio.Task[None]], int]:
        """The deliveries started (a batching channel's rows share one) and the rows claimed."""
        if self._claim_unsure:
            await self._release_unseen()
        started: list[asyncio.Task[None]] = []
        claimed = 0
        for pool, (channels, size) in self._pools.items():
            # A batching pool's rows go in one call: a claim takes up to half its slots, so
            # the next claim is delivered while this one is.
            most = max(self.batch, size // 2) if self._batching(channels) else self.batch
            free = min(most, size - self._busy[pool])
            if free <= 0:
                continue
            # Held while claiming, so a concurrent pass cannot count the same slots free.
            self._busy[pool] += free
            try:
                # A batching pool's claims are fair between stores (relay.claim), and on
                # SQLite go through the side connection, as its deliveries do.
                fair = self._batching(channels)
                with on_side_connection() if fair else contextlib.nullcontext():
                    messages = await relay.claim(self.worker_id, free, channels, fair=fair)
            except Exception:
                self._claim_unsure = True
                raise
            finally:
                self._busy[pool] -= free
            claimed += len(messages)
            if len(messages) >= free:
                self._full.add(pool)
            else:
                self._full.discard(pool)
            batches: dict[str, list[OutboxMessage]] = {}
            for message in messages:
                if self._batches(message.channel):
                    batches.setdefault(message.channel, []).append(message)
                else:
                    started.append(self._start(pool, message))
            started += [self._start_batch(pool, rows) for rows in batches.values()]
        return started, claimed

    def _batches(self, channel: str) -> bool:
        return callable(getattr(self.handlers[channel], BATCH_METHOD, None))

    def _batching(self, channels: list[str]) -> bool:
        return all(self._batches(channel) for channel in channels)

    async def _release_unseen(self) -> None:
        """After a failed claim: its UPDATE may have committed on the server while the
        answer was lost (the connection died with the database), so rows are claimed by
        this worker that it never received. They come back now rather than when their
        lease ends (minutes later)."""
        t = clock.now()
        self._unrecorded = {i: end for i, end in self._unrecorded.items() if end > t}
        released = await relay.release_unseen(self.worker_id, self._held | set(self._unrecorded))
        self._claim_unsure = False
        if released:
            log.warning(
                "outbox claim answer lost worker=%s rows=%s put back", self.worker_id, released
            )

    def _start(self, pool: str, message: OutboxMessage) -> asyncio.Task[None]:
        return self._hold(pool, [message], self._guarded(message), f"outbox {message.id}")

    def _start_batch(self, pool: str, messages: list[OutboxMessage]) -> asyncio.Task[None]:
        """One task delivers a claim's rows of one batching channel."""
        name = f"outbox {messages[0].channel} ×{len(messages)}"
        return self._hold(pool, messages, self._guarded_batch(messages), name)

    def _hold(
        self,
        pool: str,
        messages: list[OutboxMessage],
        delivery: Coroutine[Any, Any, None],
        name: str,
    ) -> asyncio.Task[None]:
        """Run `delivery`; its rows hold their slots, and stay this relay's, until it ends."""
        self._busy[pool] += len(messages)
        self._held.update(m.id for m in messages)
        # A fresh context too: a delivery never inherits a pass's transaction connection.
        task = asyncio.create_task(delivery, name=name, context=self._clean())
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._busy[pool] -= len(messages)
            self._held.difference_update(m.id for m in messages)
            self._tasks.discard(finished)
            if pool in self._full:  # a full claim left rows behind: claim again now
                self._wake.set()

        task.add_done_callback(done)
        return task

    async def _guarded_batch(self, messages: list[OutboxMessage]) -> None:
        # On SQLite a batching channel (Telegram) works on the side connection, beside the
        # checkouts' batches on the first: its rows are the team's cards, waited for.
        try:
            with on_side_connection():
                await self._deliver_batch(messages)
        except Exception as exc:
            log.error("outbox outcomes not recorded rows=%s error=%s", len(messages), exc)
            for message in messages:
                if message.locked_until is not None:
                    self._unrecorded[message.id] = message.locked_until

    async def _deliver_batch(self, messages: list[OutboxMessage]) -> None:
        channel = messages[0].channel
        worn = [m for m in messages if m.attempts > relay.max_attempts(channel)]
        rows = [m for m in messages if m.attempts <= relay.max_attempts(channel)]
        for message in worn:  # given up on, as alone (see _deliver)
            await self._deliver(message)
        if not rows:
            return
        deliver_many = getattr(self.handlers[channel], BATCH_METHOD)
        try:
            async with asyncio.timeout(self.delivery_timeout):
                await deliver_many(rows)
        except Exception as exc:
            log.warning(
                "outbox batch failed channel=%s rows=%s error=%s: each row again alone",
                channel,
                len(rows),
                _describe(exc),
            )
            await asyncio.gather(*(self._deliver(m) for m in rows))
            return
        recorded = await self._record(rows[0], partial(relay.complete_many, rows))
        ids = ",".join(str(m.id) for m in rows)
        if recorded == len(rows):
            log.info("outbox delivered channel=%s ids=%s worker=%s", channel, ids, self.worker_id)
        else:
            log.warning(
                "outbox delivered, %s of %s after losing the lease channel=%s ids=%s worker=%s",
                len(rows) - recorded,
                len(rows),
                channel,
                ids,
                self.worker_id,
            )

    async def _guarded(self, message: OutboxMessage) -> None:
        try:
            await self._deliver(message)
        except Exception as exc:
            # Recording the outcome failed (another fault, or the database away until the
            # lease's end): the lease brings the row back.
            log.error("outbox outcome not recorded id=%s error=%s", message.id, exc)
            if message.locked_until is not None:
                self._unrecorded[message.id] = message.locked_until

    def _on_commit(self) -> None:
        # notify_committed runs in whichever thread committed; Event is not thread-safe.
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            same_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        errors = 0
        try:
            while not self._stopping:
                self._wake.clear()  # before the pass, so a commit during it wakes the next
                try:
                    # Each pass in a copy of the context the relay started in: a
                    # transaction whose BEGIN failed while the database went away leaves
                    # Tortoise's "current connection" set to it (its __aexit__ never runs);
                    # kept, every later pass and delivery would use that dead connection.
                    await asyncio.create_task(self._claim_and_start(), context=self._clean())
                    errors = 0
                except Exception:
                    errors += 1
                    log.exception("relay pass failed worker=%s failures=%s", self.worker_id, errors)
                await self._pause(min(self.interval * 2**errors, MAX_ERROR_PAUSE))
        finally:
            if self._tasks:
                await asyncio.wait(set(self._tasks))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _deliver(self, message: OutboxMessage) -> None:
        if message.attempts > relay.max_attempts(message.channel):
            # Only reachable through expired leases: the row keeps killing its worker.
            gave_up = "gave up: delivery never finished"
            await self._record(message, partial(relay.fail, message, gave_up, permanent=True))
            return
        handler = self.handlers[message.channel]
        try:
            # A claimed row has its slot already: the deadline is the handler's alone.
            async with asyncio.timeout(self.delivery_timeout):
                await handler(message)
        except Postpone as exc:
            await self._record(message, partial(relay.postpone, message, exc.seconds, str(exc)))
        except PermanentFailure as exc:
            await self._record(
                message, partial(relay.fail, message, _describe(exc), permanent=True)
            )
        except Exception as exc:
            await self._record(message, partial(relay.fail, message, _describe(exc)))
        else:
            await self._complete(message)

    async def _record(
        self, message: OutboxMessage, write: Callable[[], Coroutine[Any, Any, T]]
    ) -> T:
        """Write a delivery's outcome; while the database is away, again after a pause, for
        as long as the claim's lease lasts (less a margin). Each write is conditional on
        the claim, so one that went through before its answer was lost is not applied
        twice: the next finds the row no longer claimed and changes nothing."""
        pause = OUTCOME_RETRY_FIRST
        while True:
            try:
                # In a clean context: the delivery may have left a dead transaction behind.
                return await asyncio.create_task(write(), context=self._clean())
            except Exception as exc:
                if not is_unavailable(exc) or self._lease_left(message) < pause:
                    raise
                log.warning(
                    "outbox outcome waits for the database id=%s retry_in=%.1fs error=%s",
                    message.id,
                    pause,
                    _describe(exc),
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, OUTCOME_RETRY_MAX)

    @staticmethod
    def _lease_left(message: OutboxMessage) -> float:
        """Seconds until shortly before the claim's lease ends (negative once past)."""
        if message.locked_until is None:
            return 0.0
        return (message.locked_until - LEASE_MARGIN - clock.now()).total_seconds()

    async def _complete(self, message: OutboxMessage) -> None:
        context = (
            f"id={message.id} channel={message.channel} topic={message.topic} "
            f"store={message.store_id} number={message.payload.get('number', '-')} "
            f"attempts={message.attempts} worker={self.worker_id}"
        )
        if await self._record(message, partial(relay.complete, message)):
            log.info("outbox delivered %s", context)
        else:
            log.warning("outbox delivered after losing the lease %s", context)
