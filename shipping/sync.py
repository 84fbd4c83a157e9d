"""The parcel sync job (SPEC §6 "Sync"): every cycle, claim the parcels due for a poll,
ask each account's courier about them in the largest batches its API takes, and apply what
changed — status on the timeline (actor courier, raw status kept), delivered and returned
moving the order, failed attempts and holds alerting the team.

Quotas are the adapters' (one live adapter per account, shared with the courier channel);
the sync uses their background lane, so a dispatch never waits behind it. A courier that
is rate limited or unreachable leaves its parcels due for the next cycle.
An unknown status is logged and recorded as "unknown"; nothing here crashes the job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from couriers.base import (
    Courier,
    CourierAuthError,
    CourierError,
    CourierUnavailable,
    ParcelState,
    ParcelStatus,
)
from couriers.http import background_calls
from models.errors import DomainError
from models.shipping import polls
from models.shipping.accounts import account_by_id, save_test_result
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from shipping.pool import CourierPool

log = logging.getLogger(__name__)

EVERY_SECONDS = 60  # how often the composition root runs a cycle
CYCLE_LIMIT = 2000  # parcels claimed per cycle; the rest wait for the next one


@dataclass
class SyncReport:
    """What one cycle did, for the log and the tests."""

    claimed: int = 0
    read: int = 0
    changed: int = 0
    unknown: int = 0
    missing: int = 0
    deferred: int = 0  # left for the next cycle (courier unreachable or rate limited)


class ParcelSync:
    """The job; `tick` is what a scheduler calls (APScheduler or the PTB JobQueue)."""

    def __init__(self, pool: CourierPool, worker_id: str, limit: int = CYCLE_LIMIT) -> None:
        self.pool = pool
        self.worker_id = worker_id
        self.limit = limit

    async def tick(self, context: object = None) -> None:
        """One cycle, never raising: a scheduler job that raises is only logged by it."""
        try:
            report = await self.run_once()
        except Exception:
            log.exception("parcel sync cycle failed worker=%s", self.worker_id)
            return
        if report.claimed:
            log.info("parcel sync worker=%s %s", self.worker_id, report)

    async def run_once(self) -> SyncReport:
        """Claim due parcels, poll them per account, release them."""
        shipments = await polls.claim_due(self.worker_id, self.limit)
        report = SyncReport(claimed=len(shipments))
        try:
            with background_calls():
                for account_id, group in groupby(shipments, key=lambda s: s.account_id):
                    await self._poll_account(account_id, list(group), report)
        finally:
            await polls.release(self.worker_id, [s.id for s in shipments])
        return report

    async def _poll_account(
        self, account_id: int | None, shipments: list[Shipment], report: SyncReport
    ) -> None:
        account = await account_by_id(account_id) if account_id else None
        if account is None:
            await polls.postpone([s.id for s in shipments])
            return
        try:
            courier = await self.pool.courier(account)
        except (CourierError, DomainError) as exc:
            log.warning("parcel sync: account unusable account=%s error=%s", account.id, exc)
            await polls.postpone([s.id for s in shipments], account.courier)
            return
        size = courier.capabilities.track_batch
        if size <= 0:  # nothing to poll (manual)
            await polls.postpone([s.id for s in shipments], account.courier)
            return
        for start in range(0, len(shipments), size):
            batch = shipments[start : start + size]
            if not await self._poll_batch(courier, account.id, batch, report):
                report.deferred += len(shipments) - start
                return

    async def _poll_batch(
        self, courier: Courier, account_id: int, batch: list[Shipment], report: SyncReport
    ) -> bool:
        """Read and apply one batch; False when the courier cannot be asked any more in
        this cycle (the rest of the account's parcels stay due)."""
        try:
            states = await courier.track_many([s.tracking or "" for s in batch])
        except CourierUnavailable as exc:  # rate limited included
            log.warning(
                "parcel sync deferred courier=%s account=%s error=%s", courier.name, account_id, exc
            )
            return False
        except CourierAuthError as exc:
            await save_test_result(account_id, str(exc))
            log.error("parcel sync: credentials refused account=%s error=%s", account_id, exc)
            await polls.postpone([s.id for s in batch], courier.name)
            return True
        except CourierError as exc:
            log.warning("parcel sync batch refused courier=%s error=%s", courier.name, exc)
            await polls.postpone([s.id for s in batch], courier.name)
            return True
        await self._apply(courier.name, batch, states, report)
        return True

    async def _apply(
        self,
        courier: str,
        batch: Sequence[Shipment],
        states: dict[str, ParcelState],
        report: SyncReport,
    ) -> None:
        missing = [s.id for s in batch if (s.tracking or "") not in states]
        report.missing += len(missing)
        await polls.postpone(missing, courier)
        for shipment in batch:
            state = states.get(shipment.tracking or "")
            if state is None:
                continue
            report.read += 1
            if state.status is ParcelStatus.UNKNOWN:
                report.unknown += 1
                log.warning(
                    "unknown parcel status courier=%s tracking=%s raw=%r",
                    courier,
                    shipment.tracking,
                    state.raw_status,
                )
            try:
                changed = await apply_parcel_status(
                    shipment.id, state.status.value, state.raw_status, state.raw_reason, state.at
                )
            except Exception:  # one parcel must not stop the others
                log.exception("parcel status not applied shipment=%s", shipment.id)
                continue
            report.changed += int(changed)
