"""The outbox relay: claims due outbox rows and hands each to its channel (SPEC §7).

A process runs one relay with the channels it owns (`hanout worker` and `hanout run`: all of
them; `hanout web`: none, so it runs no relay). Rows of a channel without a handler here are
not claimed at all: they wait, still pending, for the process that has the handler.

Delivery is at-least-once: a handler may see a row again after a crash or an expired lease,
so handlers key their side effect on `message.dedupe_key`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping

from models import outbox
from models.orm import OutboxMessage

log = logging.getLogger(__name__)

ChannelHandler = Callable[[OutboxMessage], Awaitable[None]]

# Longest pause between passes while the database is unreachable.
MAX_ERROR_PAUSE = 30.0


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (unknown order, address refused):
    the row is dead-lettered at once instead of retried with backoff."""


def new_worker_id(role: str) -> str:
    """A lease owner name unique to this process, readable in the outbox table."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[-64:]


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Relay:
    """Drains the outbox for the channels in `handlers`.

    `run_once` claims no more due rows than it can deliver at once (`concurrency`, capped
    by `batch`) and gives each `delivery_timeout` seconds from the claim, slot included:
    shorter than the claim lease, so no row is taken over by another worker while it is
    still being delivered here. `start` runs passes in the
    background: after each commit that wrote outbox rows in this process, else every
    `interval` seconds. `stop` lets the deliveries already claimed finish.
    """

    def __init__(
        self,
        handlers: Mapping[str, ChannelHandler],
        worker_id: str,
        interval: float = 0.5,
        batch: int = 50,
        concurrency: int = 8,
        delivery_timeout: float = 60.0,
    ) -> None:
        if not 0 < delivery_timeout < outbox.LEASE.total_seconds():
            raise ValueError("delivery_timeout must be positive and shorter than the lease")
        if interval <= 0 or batch <= 0 or concurrency <= 0:
            raise ValueError("interval, batch and concurrency must be positive")
        self.handlers = dict(handlers)
        self.worker_id = worker_id
        self.interval = interval
        self.batch = batch
        self.delivery_timeout = delivery_timeout
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        """Run passes in the background until `stop`."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        outbox.add_listener(self._on_commit)
        self._task = asyncio.create_task(self._run(), name=f"relay {self.worker_id}")
        log.info(
            "relay started worker=%s channels=%s", self.worker_id, ",".join(self.handlers) or "-"
        )

    async def stop(self) -> None:
        """Stop after the current pass: deliveries already claimed finish and are recorded."""
        if self._task is None:
            return
        outbox.remove_listener(self._on_commit)
        self._stopping = True
        self._wake.set()
        try:
            await self._task
        finally:
            self._task = None
        log.info("relay stopped worker=%s", self.worker_id)

    async def run_once(self) -> int:
        """Claim one batch of due rows of this relay's channels and deliver each.

        Returns how many rows were claimed; every one of them is completed, rescheduled or
        dead-lettered before this returns.
        """
        if not self.handlers:
            return 0
        limit = min(self.batch, self.concurrency)
        messages = await outbox.claim(self.worker_id, limit, self.handlers.keys())
        results = await asyncio.gather(
            *(self._deliver(m) for m in messages), return_exceptions=True
        )
        for message, result in zip(messages, results, strict=True):
            if isinstance(result, Exception):
                # Recording the outcome failed (database gone): the lease brings the row back.
                log.error("outbox outcome not recorded id=%s error=%s", message.id, result)
        return len(messages)

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
        while not self._stopping:
            self._wake.clear()  # before the pass, so a commit during it triggers the next one
            try:
                claimed = await self.run_once()
                errors = 0
            except Exception:
                errors += 1
                claimed = 0
                log.exception("relay pass failed worker=%s failures=%s", self.worker_id, errors)
            if claimed < min(self.batch, self.concurrency):  # full: more rows are likely due
                await self._pause(min(self.interval * 2**errors, MAX_ERROR_PAUSE))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _deliver(self, message: OutboxMessage) -> None:
        if message.attempts > outbox.MAX_ATTEMPTS:
            # Only reachable through expired leases: the row keeps killing its worker.
            await outbox.fail(message, "gave up: delivery never finished", permanent=True)
            return
        handler = self.handlers[message.channel]
        try:
            # The deadline runs from the claim: waiting for a slot counts against the lease.
            async with asyncio.timeout(self.delivery_timeout), self._slots:
                await handler(message)
        except PermanentFailure as exc:
            await outbox.fail(message, _describe(exc), permanent=True)
        except Exception as exc:
            await outbox.fail(message, _describe(exc))
        else:
            await self._complete(message)

    async def _complete(self, message: OutboxMessage) -> None:
        context = (
            f"id={message.id} channel={message.channel} topic={message.topic} "
            f"store={message.store_id} number={message.payload.get('number', '-')} "
            f"attempts={message.attempts} worker={self.worker_id}"
        )
        if await outbox.complete(message):
            log.info("outbox delivered %s", context)
        else:
            log.warning("outbox delivered after losing the lease %s", context)
