"""A fresh database per run (a SQLite file in a temporary folder, or `hanout_bench` on the
local PostgreSQL), migrated by `hanout migrate` and seeded with the benchmark's stores.

Seeding and counting run in a child process (`python -m bench.db seed|counts|created URL`):
Tortoise keeps the queries it built for one dialect, so one process must not open a SQLite
database and then a PostgreSQL one.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench.procs import HANOUT, ROOT
from models.catalog import products
from models.catalog.tables import Variant
from models.orders.tables import Order, OrderEvent, OrderLine
from models.outbox.tables import OutboxMessage
from models.session import close_db, open_db
from models.stores import setup
from models.stores.tables import Store

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_NAME = "hanout_bench"
STOCK = 1_000_000


@dataclass
class Shop:
    slug: str
    product: str  # the product's slug
    variant_id: int
    owner_invite: str
    group_invite: str


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def fresh(kind: str, folder: Path, name: str, pg_name: str = PG_NAME) -> str:
    """The URL of a new, migrated, empty database (on PostgreSQL, `pg_name`)."""
    if kind == "sqlite":
        path = folder / f"{name}.sqlite3"
        for leftover in (
            path,
            path.with_name(f"{path.name}-wal"),
            path.with_name(f"{path.name}-shm"),
        ):
            leftover.unlink(missing_ok=True)
        url = f"sqlite://{path}"
    elif kind == "postgres":
        await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        await _pg_admin(f'CREATE DATABASE "{pg_name}"')
        url = f"{PG_ADMIN_URL.rpartition('/')[0]}/{pg_name}"
    else:
        raise ValueError(f"unknown database {kind!r}")
    proc = await asyncio.create_subprocess_exec(
        str(HANOUT),
        "migrate",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
    )
    if await proc.wait() != 0:
        raise RuntimeError(f"hanout migrate failed for {url}")
    return url


async def drop(kind: str, pg_name: str = PG_NAME) -> None:
    if kind == "postgres":
        await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


async def _seed(url: str, count: int = 1) -> list[Shop]:
    """`count` stores (default fee table, every wilaya) with one product in two sizes, an
    owner email (each order also writes an email outbox row) and Telegram invites."""
    await open_db(url)
    try:
        shops = []
        for n in range(count):
            new = await setup.create_store(
                f"bench{n}" if n else "bench", f"Boutique {n}", "fr", "owner@bench.test"
            )
            product = await products.add_product(
                new.store,
                "Robe kabyle",
                4500,
                [
                    products.VariantSpec({"Taille": "M"}, None, STOCK),
                    products.VariantSpec({"Taille": "L"}, 4800, STOCK),
                ],
                "Robe brodée à la main.",
            )
            variant = await Variant.filter(product_id=product.id).order_by("id").first()
            assert variant is not None
            group = await setup.create_invite(new.store, "agent")
            shops.append(Shop(new.store.slug, product.slug, variant.id, new.invite_token, group))
        return shops
    finally:
        await close_db()


async def _counts(url: str) -> dict[str, int]:
    """Rows the checkouts left: orders, lines, timeline events, outbox rows."""
    await open_db(url)
    try:
        return {
            "orders": await Order.all().count(),
            "lines": await OrderLine.all().count(),
            "events": await OrderEvent.filter(type="created").count(),
            "outbox": await OutboxMessage.filter(topic="order.created").count(),
            "numbered": max([s.last_order_number for s in await Store.all()] or [0]),
        }
    finally:
        await close_db()


async def _created(url: str) -> list[tuple[str, int, float]]:
    """(store slug, order number, when its row was written) of every order."""
    await open_db(url)
    try:
        slugs = {s.id: s.slug for s in await Store.all()}
        rows = await Order.all().values_list("store_id", "number", "created_at")
        return [(slugs[store], number, at.timestamp()) for store, number, at in rows]
    finally:
        await close_db()


async def _child(*args: str) -> Any:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.db", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench.db {args[0]} failed ({proc.returncode})")
    return json.loads(out)


async def seed(url: str, count: int = 1) -> list[Shop]:
    return [Shop(**shop) for shop in await _child("seed", url, str(count))]


async def counts(url: str) -> dict[str, int]:
    return dict(await _child("counts", url))


async def created(url: str) -> dict[tuple[str, int], float]:
    return {(slug, number): at for slug, number, at in await _child("created", url)}


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    if command == "seed":
        result: Any = [asdict(shop) for shop in asyncio.run(_seed(url, int(rest[0])))]
    elif command == "counts":
        result = asyncio.run(_counts(url))
    elif command == "created":
        result = asyncio.run(_created(url))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
