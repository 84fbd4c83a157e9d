"""models.stores.cache across two processes: a change made by another process (a second web
worker, the bot run apart) is seen here within about a second, and nothing kept is read
again while nothing changes."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from models.shipping.fees import FeeRow
from models.stores import cache, setup
from tests.factories import make_shop

OTHER_PROCESS = """
import asyncio, sys
from models.stores import setup
from models.session import close_db, open_db
from models.shipping.fees import FeeRow
from models.stores.tables import Store

async def main(url, store_id, fee):
    await open_db(url)
    try:
        store = await Store.get(id=store_id)
        await setup.set_fees(store, {16: FeeRow(fee, 300)})
        await asyncio.sleep(1.5)  # the announcement confirmed before the process ends
    finally:
        await close_db()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


async def other_process_sets_fee(db: str, store_id: int, fee: int) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OTHER_PROCESS, db, str(store_id), str(fee)
    )
    assert await proc.wait() == 0


async def test_another_process_change_is_seen_and_nothing_is_read_while_nothing_changes(
    db: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop()
    now = [1000.0]
    monkeypatch.setattr(cache, "clock", lambda: now[0])
    loads: list[int] = []
    fee_table = setup.fee_table

    async def counted(store: Any) -> dict[int, FeeRow]:
        loads.append(1)
        return await fee_table(store)

    monkeypatch.setattr(setup, "fee_table", counted)
    before = await setup.kept_fee_table(shop.store)
    for _ in range(5):  # time passes, nothing changes: never read again
        now[0] += 10 * cache.MAX_AGE
        assert await setup.kept_fee_table(shop.store) == before
    assert len(loads) == 1

    await other_process_sets_fee(db, shop.store.id, 777)
    if backend == "sqlite":  # kept until the next look at the data version, a second on
        assert (await setup.kept_fee_table(shop.store))[16] == before[16]
        now[0] += cache.POLL_EVERY
    for _ in range(100):  # PostgreSQL: the notification arrives on its own
        if (await setup.kept_fee_table(shop.store))[16] == FeeRow(777, 300):
            break
        await asyncio.sleep(0.05)
    assert (await setup.kept_fee_table(shop.store))[16] == FeeRow(777, 300)
    assert len(loads) == 2
