"""The card sender's own SQLite connection (models.infra.db.on_side_connection): its reads
do not wait for a transaction the first connection holds open, and see what is committed;
on PostgreSQL the pool serves both, and nothing changes."""

from __future__ import annotations

from tortoise import connections
from tortoise.transactions import in_transaction

from models.infra.db import on_side_connection, side_connection
from models.stores.tables import Store
from tests.factories import make_shop


async def test_a_read_on_the_side_waits_for_no_open_write(db: str, backend: str) -> None:
    shop = await make_shop()
    async with in_transaction() as conn:  # holds SQLite's write lock until it ends
        await Store.filter(id=shop.store.id).using_db(conn).update(name="Pas encore")
        with on_side_connection():
            seen = await Store.get(id=shop.store.id)
            used = connections.get("default")
    if backend == "sqlite":
        assert used is side_connection() is not None
        assert seen.name == "Boutique shop"  # the committed name, read beside the write
    else:
        assert seen.name == "Pas encore"  # the pool: the transaction's own connection
    with on_side_connection():
        assert (await Store.get(id=shop.store.id)).name == "Pas encore"  # committed since
