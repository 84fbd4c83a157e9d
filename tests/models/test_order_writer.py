"""models.order_writer: concurrent checkouts committed together, each all-or-nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from models.customers.tables import Customer
from models.errors import Blacklisted, IdempotencyConflict, InvalidOrder
from models.orders import intake, order_writer
from models.orders.checkout import validate
from models.orders.tables import IdempotencyKey, Order, OrderEvent, OrderLine
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from tests.factories import checkout, make_shop


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every batch the writer wrote (or tried to)."""
    sizes: list[int] = []
    write_batch = order_writer._write_batch

    async def counted(items: list[order_writer.NewOrder]) -> list[Any]:
        sizes.append(len(items))
        return await write_batch(items)

    monkeypatch.setattr(order_writer, "_write_batch", counted)
    return sizes


async def _rows_of(order_ids: list[int]) -> tuple[int, int, int]:
    lines = await OrderLine.filter(order_id__in=order_ids).count()
    events = await OrderEvent.filter(order_id__in=order_ids, type="created").count()
    outbox = await OutboxMessage.filter(topic="order.created").count()
    return lines, events, outbox


async def test_concurrent_checkouts_commit_together_and_a_refused_one_leaves_the_others(
    db: str, batches: list[int]
) -> None:
    """Eleven checkouts at once: a phone blacklisted in the database (this process's copy of
    the blacklist does not know yet), a key sent again with another body, a phone past its
    hourly limit; the eight others are written, numbered without a gap, with all their rows."""
    shop = await make_shop()
    v = shop.variants[0].id
    await Customer.create(store=shop.store, phone="+213661000000", name="X", blacklisted=False)
    for qty in range(1, intake.PHONE_LIMIT_PER_HOUR + 1):  # the limit reached, one by one
        await intake.place_order(shop.store, checkout(v, qty, phone="0770000000"))
    await Customer.filter(phone="+213661000000").update(blacklisted=True)
    batches.clear()

    async def place(request: Any, key: tuple[str, str] | None = None) -> Any:
        try:
            return await intake.place_order(shop.store, request, idempotency=key)
        except (Blacklisted, InvalidOrder, IdempotencyConflict) as exc:
            return exc

    good = [checkout(v, 1, phone=f"0550{i:06d}") for i in range(8)]
    outcomes = await asyncio.gather(
        place(good[0]),
        place(checkout(v, 1, phone="0661000000")),  # blacklisted under the lock
        place(good[1], ("K", "h1")),
        place(good[2], ("K", "h2")),  # the same key, another request: conflict
        place(checkout(v, 9, phone="0770000000")),  # past the hourly limit
        *(place(r) for r in good[3:]),
        place(checkout(v, 2, phone="0559999999")),
    )
    assert max(batches) > 1  # they were written together
    assert isinstance(outcomes[1], Blacklisted)
    # The same key with another request: whichever of the two reaches the writer second
    # (gather gives no order between them) is the conflict, the other is written.
    conflicts = [i for i in (2, 3) if isinstance(outcomes[i], IdempotencyConflict)]
    assert len(conflicts) == 1
    assert isinstance(outcomes[4], InvalidOrder) and outcomes[4].errors == {"phone": "rate_limited"}
    placed = [o for i, o in enumerate(outcomes) if i not in (1, 4, *conflicts)]
    assert all(p.created for p in placed)
    numbers = sorted(p.order.number for p in placed)
    first = 1001 + intake.PHONE_LIMIT_PER_HOUR
    assert numbers == list(range(first, first + 8))
    store = await Store.get(id=shop.store.id)
    assert store.last_order_number == numbers[-1]
    ids = [p.order.id for p in placed]
    assert await Order.filter(id__in=ids).count() == 8
    assert await Order.all().count() == 8 + intake.PHONE_LIMIT_PER_HOUR
    assert await _rows_of(ids) == (8, 8, 8 + intake.PHONE_LIMIT_PER_HOUR)
    assert not await Order.filter(phone="+213661000000").exists()


async def test_the_same_checkout_twice_in_one_batch_is_one_order(db: str) -> None:
    """A duplicate and a replayed key inside one batch repeat the batch's own order."""
    shop = await make_shop()

    async def item(request: Any, key: tuple[str, str] | None = None) -> order_writer.NewOrder:
        return await intake._new_order(shop.store, request, validate(request), None, key)

    request = checkout(shop.variants[0].id, 1)
    keyed = checkout(shop.variants[0].id, 3, phone="0661222222")
    items = [
        await item(request),
        await item(request),
        await item(keyed, ("K", "h")),
        await item(keyed, ("K", "h")),
        await item(keyed, ("K", "other")),
    ]
    a, b, c, d, e = await order_writer._write_batch(items)
    assert isinstance(a, order_writer.Written) and isinstance(b, order_writer.Written)
    assert isinstance(c, order_writer.Written) and isinstance(d, order_writer.Written)
    assert a.created and not b.created and (b.order_id, b.number) == (a.order_id, a.number)
    assert c.created and not d.created and d.replayed and d.order_id == c.order_id
    assert isinstance(e, IdempotencyConflict)
    assert (a.number, c.number) == (1001, 1002)
    assert await Order.all().count() == 2
    assert await Customer.all().count() == 2
    assert await IdempotencyKey.filter(key="K").count() == 1
    assert (await Store.get(id=shop.store.id)).last_order_number == 1002


async def test_a_batch_that_fails_is_written_again_one_by_one(db: str, batches: list[int]) -> None:
    """One checkout whose rows the database refuses (a line naming no variant) fails the
    batch's transaction: nothing of the batch stays, and each checkout is written again
    alone, so the others commit and the bad one alone fails, with no number taken."""
    shop = await make_shop()
    phones = ["0550000001", "0661000000", "0550000002", "0550000003"]
    items = []
    for phone in phones:
        request = checkout(shop.variants[0].id, 1, phone=phone)
        item = await intake._new_order(shop.store, request, validate(request), None, None)
        if phone == "0661000000":
            line = dataclasses.replace(item.lines[0], variant_id=999_999)
            item = dataclasses.replace(item, lines=(line,))
        items.append(item)
    outcomes = await asyncio.gather(
        *(order_writer.write(item) for item in items), return_exceptions=True
    )
    assert batches[0] == 4 and batches[1:] == [1, 1, 1, 1]
    assert isinstance(outcomes[1], Exception)
    good = [o for i, o in enumerate(outcomes) if i != 1]
    assert all(isinstance(o, order_writer.Written) and o.created for o in good)
    assert sorted(o.number for o in good if isinstance(o, order_writer.Written)) == [
        1001,
        1002,
        1003,
    ]
    assert await Order.all().count() == 3
    assert (await Store.get(id=shop.store.id)).last_order_number == 1003
    assert not await Customer.filter(phone="+213661000000").exists()
    assert await OutboxMessage.all().count() == 3
