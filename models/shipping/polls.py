"""Which parcels a sync worker asks their courier about now (SPEC §6 "Sync").

A parcel is due when its next poll time has come and it is not final. A worker claims due
parcels for one cycle by writing its name and a lease on them, so two workers never poll
the same parcel at once: PostgreSQL takes rows with `FOR UPDATE SKIP LOCKED` (concurrent
workers get disjoint sets without waiting), SQLite with one conditional UPDATE per row (the
row is taken only if it is still unclaimed when the UPDATE runs).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models.infra import clock
from models.shipping.parcels import FINAL, poll_every
from models.shipping.tables import Shipment

# Longer than a cycle takes; a worker that died frees its parcels when the lease ends.
LEASE = timedelta(minutes=5)


def _due(t: datetime) -> Any:
    return Shipment.filter(
        Q(poll_locked_until__isnull=True) | Q(poll_locked_until__lt=t),
        state="created",
        tracking__isnull=False,
        account_id__isnull=False,
        next_poll_at__lte=t,
    ).exclude(status__in=sorted(FINAL))


async def claim_due(worker: str, limit: int = 1000) -> list[Shipment]:
    """Take up to `limit` due parcels for this worker's cycle (oldest due first)."""
    if limit <= 0:
        return []
    conn = connections.get("default")
    t = clock.now()
    if conn.capabilities.dialect == "postgres":
        ids = await _claim_skip_locked(conn, worker, limit, t)
    else:
        ids = await _claim_conditional(worker, limit, t)
    return await Shipment.filter(id__in=ids).order_by("account_id", "id") if ids else []


async def _claim_conditional(worker: str, limit: int, t: datetime) -> list[int]:
    # A parcel lost to another worker is passed over for the next due one, as SKIP LOCKED.
    lease = {"poll_locked_until": t + LEASE, "poll_locked_by": worker[:64]}
    claimed: list[int] = []
    after = 0
    while len(claimed) < limit:
        due = _due(t).filter(id__gt=after).order_by("id").limit(limit - len(claimed))
        candidates = await due.values_list("id", flat=True)
        if not candidates:
            break
        claimed += [i for i in candidates if await _due(t).filter(id=i).update(**lease)]
        after = candidates[-1]
    return claimed


# MATERIALIZED keeps the locking sub-select one evaluation, so LIMIT bounds the batch.
_CLAIM_SQL = """
    WITH due AS MATERIALIZED (
        SELECT id FROM shipment
         WHERE state = 'created' AND tracking IS NOT NULL AND account_id IS NOT NULL
           AND next_poll_at <= $1 AND NOT (status = ANY($2::text[]))
           AND (poll_locked_until IS NULL OR poll_locked_until < $1)
         ORDER BY next_poll_at, id LIMIT $3
           FOR UPDATE SKIP LOCKED)
    UPDATE shipment AS s SET poll_locked_until = $4, poll_locked_by = $5
      FROM due WHERE s.id = due.id
    RETURNING s.id"""


async def _claim_skip_locked(
    conn: BaseDBAsyncClient, worker: str, limit: int, t: datetime
) -> list[int]:
    rows = await conn.execute_query_dict(
        _CLAIM_SQL, [t, sorted(FINAL), limit, t + LEASE, worker[:64]]
    )
    return [row["id"] for row in rows]


async def release(worker: str, shipment_ids: Collection[int]) -> None:
    """End this worker's claim; parcels not read stay due for the next cycle."""
    if shipment_ids:
        await Shipment.filter(id__in=list(shipment_ids), poll_locked_by=worker[:64]).update(
            poll_locked_until=None, poll_locked_by=""
        )


async def postpone(shipment_ids: Collection[int], courier: str = "") -> None:
    """The courier did not answer for these parcels: ask again in a regular interval
    (the courier's poll interval) rather than at every cycle."""
    if shipment_ids:
        await Shipment.filter(id__in=list(shipment_ids)).update(
            next_poll_at=clock.now() + poll_every(courier)
        )


async def shipment_for(account_id: int, tracking: str) -> Shipment | None:
    """The parcel an account's courier names by its tracking (webhooks)."""
    return await Shipment.filter(account_id=account_id, tracking=tracking[:64]).first()


async def poll_soon(shipment_id: int) -> None:
    """A webhook said something happened: poll this parcel at the next cycle."""
    await (
        Shipment.filter(id=shipment_id)
        .exclude(status__in=sorted(FINAL))
        .update(next_poll_at=clock.now())
    )
