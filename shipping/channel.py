"""The outbox "courier" channel: creates the parcel an order's dispatch asked for.

Exactly one parcel per order, even when the courier times out after creating it: the
channel first asks the courier for a parcel carrying our reference, and creates one only
when there is none. A courier that cannot be reached makes the relay retry with backoff
(and the retry looks the parcel up first); a courier that refuses the parcel ends the
dispatch — the order stays in processing, the refusal is on its timeline, and it can be
dispatched again.

A courier that answers in a shape its contract does not describe (or an adapter that
cannot read the answer) ends the dispatch the same way: the card says what the courier
answered and the timeline keeps the raw answer. Whether the courier acted is unknown, so the
next dispatch of that order looks the parcel up by our reference before creating one.

The lookup costs requests (EcoTrack and NOEST page through their recent orders), so it is
made only when an earlier try may have created the parcel: a retried delivery, or an order
whose earlier dispatch ended without a parcel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import NoReturn

from couriers.base import (
    Courier,
    CourierAnswerUnexpected,
    CourierError,
    CourierUnavailable,
    CreatedParcel,
    Label,
    excerpt,
)
from models.errors import DomainError
from models.orders.lifecycle import OrderStatus
from models.outbox import relay
from models.outbox.tables import OutboxMessage
from models.shipping.parcels import (
    ParcelToCreate,
    apply_dispatch_failed,
    apply_parcel_created,
    dispatch_tried_before,
    note_dispatch_error,
    parcel_to_create,
)
from shipping.parcel_request import parcel_request
from shipping.pool import CourierPool

log = logging.getLogger(__name__)

CHANNEL = "courier"
# The channel's topics (its route in hanout.processes.outbox_routes): every process that
# dispatches writes parcel rows; the worker's relay delivers them.
TOPICS = ("parcel.*",)
LABEL_TIMEOUT = 20.0  # seconds; a label that does not come is not worth the parcel's record


class NotDispatchable(Exception):
    """The order changed before its parcel was created (cancelled meanwhile)."""


class DispatchRefused(Exception):
    """Retrying cannot help: the dispatch is over (recorded on the order's timeline)."""


class CourierChannel:
    """The relay handler for channel "courier". `permanent` is the exception the relay
    dead-letters at once (notify.relay.PermanentFailure, passed in by the composition
    root: shipping and notify do not import each other)."""

    def __init__(
        self, pool: CourierPool, permanent: Callable[[str], Exception] = DispatchRefused
    ) -> None:
        self.pool = pool
        self.permanent = permanent

    async def __call__(self, message: OutboxMessage) -> None:
        if message.topic != "parcel.create":
            log.warning("courier channel: unknown topic %s id=%s", message.topic, message.id)
            return
        order_id = message.payload.get("order_id")
        job = await parcel_to_create(order_id) if isinstance(order_id, int) else None
        if job is None:
            return  # created by an earlier delivery, or refused and dropped
        if job.account is None:
            await self._refused(job, "the courier account was removed")
        maybe_made = message.attempts > 1 or await dispatch_tried_before(job.order.id)
        try:
            created = await self._parcel(job, maybe_made)
        except CourierUnavailable as exc:
            await self._unreachable(job, message, exc)
            raise
        except CourierAnswerUnexpected as exc:
            await self._unexpected(job, str(exc), exc.answer)
        except (CourierError, DomainError, NotDispatchable) as exc:
            await self._refused(job, str(exc) or type(exc).__name__)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # The adapter could not read what the courier said: never out of the channel.
            log.exception("courier answer unreadable courier=%s", job.shipment.courier)
            await self._unexpected(job, f"{type(exc).__name__}: {exc}", "")
        await self._created(job, created)

    async def _parcel(self, job: ParcelToCreate, maybe_made: bool) -> CreatedParcel:
        assert job.account is not None
        courier = await self.pool.courier(job.account)
        found = await courier.find_parcel(job.shipment.reference) if maybe_made else None
        if found is not None:
            log.info(
                "parcel found by reference store=%s number=%s tracking=%s",
                job.order.store_id,
                job.order.number,
                found.tracking,
            )
            return found
        if job.order.status is not OrderStatus.PROCESSING:
            raise NotDispatchable(f"order is {job.order.status.value}: no parcel created")
        return await courier.create_parcel(parcel_request(job))

    async def _created(self, job: ParcelToCreate, created: CreatedParcel) -> None:
        assert job.account is not None
        label = await self._label(await self.pool.courier(job.account), created.tracking)
        await apply_parcel_created(
            job.shipment.id,
            created.tracking,
            created.fee,
            label.content if label else None,
            label.content_type if label else "",
        )
        log.info(
            "parcel created store=%s number=%s courier=%s tracking=%s label=%s",
            job.order.store_id,
            job.order.number,
            job.shipment.courier,
            created.tracking,
            bool(label),
        )

    async def _label(self, courier: Courier, tracking: str) -> Label | None:
        """The label's bytes (some couriers' links expire); best effort, never blocking."""
        try:
            async with asyncio.timeout(LABEL_TIMEOUT):
                return await courier.label(tracking)
        except (CourierError, TimeoutError) as exc:
            log.warning(
                "label not fetched courier=%s tracking=%s error=%s", courier.name, tracking, exc
            )
            return None

    async def _refused(self, job: ParcelToCreate, reason: str) -> NoReturn:
        log.warning(
            "dispatch refused store=%s number=%s courier=%s reason=%s",
            job.order.store_id,
            job.order.number,
            job.shipment.courier,
            reason,
        )
        await apply_dispatch_failed(job.shipment.id, reason)
        raise self.permanent(reason)

    async def _unexpected(self, job: ParcelToCreate, what: str, answer: str) -> NoReturn:
        """The courier's answer is not one its contract describes: the dispatch ends like a
        refusal (order kept in processing, dispatchable again), the card shows the answer,
        the timeline keeps it; the next dispatch looks the parcel up first."""
        courier = job.shipment.courier
        shown = excerpt(answer, 200) or excerpt(what, 200)
        reason = f"{courier} answered in an unexpected form (the parcel may exist): {shown}"
        log.warning(
            "dispatch answer unexpected store=%s number=%s courier=%s what=%s answer=%s",
            job.order.store_id,
            job.order.number,
            courier,
            what,
            answer,
        )
        await apply_dispatch_failed(job.shipment.id, reason, answer=answer or what)
        raise self.permanent(reason)

    async def _unreachable(
        self, job: ParcelToCreate, message: OutboxMessage, exc: CourierUnavailable
    ) -> None:
        if message.attempts >= relay.MAX_ATTEMPTS:
            # The last try: end the dispatch so the team can dispatch again (the same
            # reference then finds a parcel the courier may have made after all).
            await self._refused(job, f"courier unreachable: {exc}")
        await note_dispatch_error(job.shipment.id, str(exc))
