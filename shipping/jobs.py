"""The scheduled shipping jobs of a worker (or all-in-one) process: the parcel sync every
minute and the reference-data refresh every ten. They run on the bot's JobQueue when the
bot runs in this process (one scheduler, as python-telegram-bot owns one), else on a plain
APScheduler AsyncIOScheduler. Both run a job at most once at a time and coalesce missed
runs, so a slow cycle is never stacked."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from shipping.pool import CourierPool
from shipping.reference import refresh_one
from shipping.sync import EVERY_SECONDS, ParcelSync

log = logging.getLogger(__name__)

REFERENCE_EVERY_SECONDS = 600
FIRST_RUN_SECONDS = 5.0  # let the process finish starting
JOB_KWARGS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}

Job = Callable[[Any], Awaitable[None]]


class ShippingJobs:
    """Every worker runs them: parcels and accounts are claimed in the database, so
    workers running a cycle at once share the work instead of repeating it."""

    def __init__(
        self, pool: CourierPool, worker_id: str, sync_every: float = EVERY_SECONDS
    ) -> None:
        self.sync = ParcelSync(pool, worker_id)
        self.pool = pool
        self.sync_every = sync_every
        self._scheduler: AsyncIOScheduler | None = None
        self._ptb_jobs: list[Any] = []

    async def refresh_reference(self, context: object = None) -> None:
        """Refresh one account's reference data per run, never raising."""
        try:
            await refresh_one(self.pool)
        except Exception:
            log.exception("reference refresh failed")

    def _jobs(self) -> list[tuple[str, Job, float]]:
        return [
            ("parcel-sync", self.sync.tick, self.sync_every),
            ("courier-reference", self.refresh_reference, REFERENCE_EVERY_SECONDS),
        ]

    def start(self, job_queue: Any | None = None) -> None:
        """Schedule the jobs on `job_queue` (python-telegram-bot's) or on our own
        AsyncIOScheduler when there is none; call inside the running event loop."""
        if job_queue is not None:
            self._ptb_jobs = [
                job_queue.run_repeating(job, interval=every, first=FIRST_RUN_SECONDS, name=name,
                                        job_kwargs=JOB_KWARGS)
                for name, job, every in self._jobs()
            ]  # fmt: skip
            log.info("shipping jobs scheduled on the bot's job queue")
            return
        scheduler = AsyncIOScheduler(timezone=UTC)
        first = datetime.now(UTC) + timedelta(seconds=FIRST_RUN_SECONDS)
        for name, job, every in self._jobs():
            scheduler.add_job(
                job, "interval", seconds=every, next_run_time=first, name=name, **JOB_KWARGS
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("shipping jobs scheduled on APScheduler")

    async def stop(self) -> None:
        for job in self._ptb_jobs:
            job.schedule_removal()
        self._ptb_jobs = []
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
