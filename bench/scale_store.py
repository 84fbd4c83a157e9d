"""The bench store of a shop that has been selling for a while (issue 14 §5): 100,000
orders over 400 days, 30,000 customers, 2,000 parcels in transit at Yalidine.

Built in a child process (`python -m bench.scale_store build URL [orders customers
parcels]`) on a database `bench.db.fresh` migrated and `bench.db.seed` seeded (the store
`bench`, its product in two sizes): the store's team, its courier account, then every row
written by bulk statements in one transaction — `executemany` on SQLite, `COPY` on
PostgreSQL — rather than one ORM save per row. The rows are what the models write
(every column of the Tortoise table, its defaults filled in), with the shape of a real
book: most old orders delivered, returned or cancelled, the recent ones pending to
shipped, a timeline event per change, a call per decided order, a parcel per shipped one.

A SQLite store is built once and kept (`cached_sqlite`): its file is copied for each run
and rebuilt when the migrations or this file change.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import fields
from tortoise.models import Model

from bench.procs import ROOT
from models.calls.tables import CallAttempt
from models.catalog.tables import Variant
from models.customers.tables import Customer
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent, OrderLine
from models.session import close_db, open_db
from models.shipping.tables import CourierAccount, Shipment
from models.stores.tables import Store
from models.team.tables import Member

ORDERS, CUSTOMERS, PARCELS = 100_000, 30_000, 2_000
DAYS = 400
OWNER_ID, AGENT_IDS = 1001, (2002, 2003)
AGENTS = ("Yacine", "Meriem")
COURIER = "yalidine"
CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "hanout-bench"))
S = OrderStatus
FIRST = ("Amina", "Yacine", "Meriem", "Karim", "Sofiane", "Nadia", "Lamia", "Walid",
         "Imane", "Riad", "Samira", "Hichem", "Kenza", "Anis", "Lina", "Mourad")  # fmt: skip
LAST = ("Benali", "Haddad", "Bouzid", "Cherif", "Mansouri", "Saidi", "Belkacem",
        "Rahmani", "Ziani", "Khelifi", "Boudiaf", "Hamidi", "Meziane", "Amrani")  # fmt: skip
# (wilaya, commune code, commune name) of the orders, cycled.
PLACES = ((16, "1601", "Alger Centre"), (31, "3101", "Oran"), (25, "2501", "Constantine"),
          (9, "0901", "Blida"), (15, "1501", "Tizi Ouzou"), (19, "1901", "Sétif"))  # fmt: skip


@dataclass
class BigStore:
    slug: str
    orders: int
    customers: int
    in_transit: int
    first_number: int
    last_number: int
    seconds: float  # to write the rows


def customer_phone(i: int) -> str:
    """The E.164 phone of customer i (054…: no checkout of the bench uses that prefix)."""
    return f"+2135{40_000_000 + i:08d}"


def customer_name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"


class Table:
    """Rows of one Tortoise table: every column, each row's missing values from the field's
    default (auto_now ones `at`), converted for the dialect."""

    def __init__(self, model: type[Model], dialect: str, foreign: Sequence[str] = ()) -> None:
        self.name = model._meta.db_table
        self.dialect = dialect
        self.fields: dict[str, fields.Field[Any]] = {
            column: model._meta.fields_map[name]
            for name, column in model._meta.fields_db_projection.items()
        }
        # Once Tortoise is initialised the projection holds the foreign keys' columns too.
        self.columns = [*self.fields, *(c for c in foreign if c not in self.fields)]
        self.rows: list[tuple[Any, ...]] = []

    def _default(self, field: fields.Field[Any], at: datetime) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return at
        default = field.default
        return default() if callable(default) else default

    def _db(self, value: Any) -> Any:
        if isinstance(value, S):
            return value.value
        if isinstance(value, dict | list):
            return json.dumps(value)
        if self.dialect == "sqlite":
            if isinstance(value, datetime):
                return value.isoformat(" ")
            if isinstance(value, bool):
                return int(value)
        return value

    def add(self, when: datetime, /, **values: Any) -> None:
        row = []
        for column in self.columns:
            value = values[column] if column in values else self._default(self.fields[column], when)
            row.append(self._db(value))
        self.rows.append(tuple(row))


def _plan(count: int, now: datetime, rng: random.Random) -> list[tuple[datetime, S]]:
    """When each order was placed (oldest first) and what it became."""
    start = now - timedelta(days=DAYS)
    step = (now - start) / count
    plan: list[tuple[datetime, S]] = []
    for k in range(count):
        at = start + step * k + timedelta(seconds=rng.uniform(0, step.total_seconds() * 0.9))
        age = now - at
        roll = rng.random()
        if age < timedelta(days=1):
            status = S.PENDING if roll < 0.6 else S.CONFIRMED if roll < 0.8 else S.CANCELLED
        elif age < timedelta(days=3):
            status = S.PROCESSING if roll < 0.3 else S.CONFIRMED if roll < 0.5 else S.CANCELLED
        else:
            status = S.DELIVERED if roll < 0.62 else S.RETURNED if roll < 0.72 else S.CANCELLED
        plan.append((at, status))
    return plan


def _in_transit(plan: list[tuple[datetime, S]], parcels: int, now: datetime) -> set[int]:
    """The orders now shipped: the newest of those older than three days."""
    chosen: set[int] = set()
    for k in range(len(plan) - 1, -1, -1):
        at, status = plan[k]
        if len(chosen) >= parcels:
            break
        if now - at >= timedelta(days=3) and status is not S.CANCELLED:
            chosen.add(k)
    return chosen


def rows(
    dialect: str,
    store_id: int,
    variants: list[tuple[int, int, str]],  # (id, price, sku)
    account_id: int,
    counts: tuple[int, int, int],
    now: datetime,
    first_number: int,
) -> dict[str, Table]:
    order_count, customer_count, parcels = counts
    rng = random.Random(14)  # bench data, not secrets
    customers = Table(Customer, dialect, ("store_id",))
    orders = Table(Order, dialect, ("store_id", "customer_id"))
    lines = Table(OrderLine, dialect, ("order_id", "variant_id"))
    events = Table(OrderEvent, dialect, ("order_id",))
    calls = Table(CallAttempt, dialect, ("order_id",))
    shipments = Table(Shipment, dialect, ("order_id", "account_id"))
    plan = _plan(order_count, now, rng)
    shipped = _in_transit(plan, parcels, now)
    first_seen: dict[int, datetime] = {}
    picks = []
    for k, (at, _) in enumerate(plan):
        # A few customers order often, most once or twice: every customer at least once.
        who = k if k < customer_count else int(customer_count * rng.random() ** 2)
        picks.append(who)
        first_seen.setdefault(who, at)
    for i in range(customer_count):
        customers.add(
            first_seen.get(i, now),
            id=i + 1,
            store_id=store_id,
            phone=customer_phone(i),
            name=customer_name(i),
        )
    event_id = call_id = shipment_id = line_id = 0
    for k, (at, status) in enumerate(plan):
        order_id, number, who = k + 1, first_number + k, picks[k]
        if k in shipped:
            status = S.SHIPPED
        wilaya, commune, commune_name = PLACES[k % len(PLACES)]
        chosen = [variants[k % len(variants)]] + ([variants[0]] if k % 5 == 0 else [])
        subtotal = sum(price for _, price, _ in chosen)
        agent = k % 2
        decided = at + timedelta(hours=2)
        actor = {"actor_id": str(AGENT_IDS[agent]), "actor_name": AGENTS[agent]}
        timeline: list[tuple[datetime, str | None, str]] = []  # (at, from, to)
        fields_: dict[str, Any] = {}
        if status is not S.PENDING:
            confirmed = status is not S.CANCELLED or rng.random() < 0.1
            outcome = (
                "confirmed"
                if confirmed
                else rng.choice(("no_answer", "customer_cancelled", "fake"))
            )
            call_id += 1
            calls.add(decided, id=call_id, order_id=order_id, at=decided, actor_kind="agent",
                      outcome=outcome, **actor)  # fmt: skip
            fields_ |= {"call_attempts": 1, "last_call_outcome": outcome, "last_call_at": decided}
            if confirmed:
                timeline.append((decided, S.PENDING.value, S.CONFIRMED.value))
            if status is S.CANCELLED:
                came_from = S.CONFIRMED.value if confirmed else S.PENDING.value
                timeline.append((decided + timedelta(minutes=5), came_from, S.CANCELLED.value))
                reason = "fake" if outcome == "fake" else "customer_refused"
                fields_ |= {"cancel_reason": reason, "cancelled_by": AGENTS[agent],
                            "cancelled_at": decided + timedelta(minutes=5)}  # fmt: skip
            if status is S.PROCESSING:
                timeline.append((decided + timedelta(hours=1), S.CONFIRMED.value, status.value))
        if status in (S.SHIPPED, S.DELIVERED, S.RETURNED):
            sent = at + timedelta(days=1)
            timeline.append((sent, S.CONFIRMED.value, S.SHIPPED.value))
            if status is not S.SHIPPED:
                timeline.append((at + timedelta(days=3), S.SHIPPED.value, status.value))
            shipment_id += 1
            tracking = f"yal-{order_id:08d}"
            moving = status is S.SHIPPED
            shipments.add(
                sent,
                id=shipment_id,
                order_id=order_id,
                account_id=account_id,
                courier=COURIER,
                reference=f"bench-{order_id}",
                state="created",
                tracking=tracking,
                cod_amount=subtotal + 400,
                fee=400,
                status="in_transit" if moving else status.value,
                raw_status="Centre" if moving else status.value,
                status_at=sent,
                next_poll_at=now - timedelta(minutes=rng.uniform(0, 50)) if moving else None,
            )
            fields_ |= {"courier": COURIER, "tracking": tracking}
        last = timeline[-1][0] if timeline else at
        orders.add(
            at,
            id=order_id,
            store_id=store_id,
            customer_id=who + 1,
            number=number,
            status=status,
            version=1 + len(timeline),
            name=customer_name(who),
            phone=customer_phone(who),
            wilaya_code=wilaya,
            wilaya_code_58=wilaya,
            commune_code=commune,
            commune_name=commune_name,
            address=f"{k % 90 + 1} rue Didouche Mourad",
            delivery_type="home",
            subtotal=subtotal,
            delivery_fee=400,
            total=subtotal + 400,
            stock_committed=status not in (S.PENDING, S.CANCELLED),
            fingerprint=hashlib.sha256(f"{who}:{k}".encode()).hexdigest()[:32],
            created_at=at,
            updated_at=last,
            **fields_,
        )
        for variant_id, price, sku in chosen:
            line_id += 1
            lines.add(at, id=line_id, order_id=order_id, variant_id=variant_id,
                      product_name="Robe kabyle", variant_label="Taille: M", sku=sku,
                      unit_price=price, quantity=1)  # fmt: skip
        event_id += 1
        events.add(at, id=event_id, order_id=order_id, at=at, type="created",
                   actor_kind="customer")  # fmt: skip
        for when, came_from, went_to in timeline:
            event_id += 1
            events.add(when, id=event_id, order_id=order_id, at=when, type="status_changed",
                       from_status=came_from, to_status=went_to, actor_kind="agent",
                       **actor)  # fmt: skip
    return {t.name: t for t in (customers, orders, lines, events, calls, shipments)}


def _sqlite_write(path: str, tables: Iterable[Table], store_id: int, last_number: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # The indexes are written out of order (phone, customer): keep them in memory.
        conn.execute("PRAGMA cache_size=-400000")
        with conn:  # one transaction
            for table in tables:
                names = ", ".join(f'"{c}"' for c in table.columns)
                marks = ", ".join("?" for _ in table.columns)
                conn.executemany(
                    f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',  # noqa: S608
                    table.rows,
                )
            conn.execute(
                'UPDATE "store" SET "last_order_number" = ? WHERE "id" = ?',
                (last_number, store_id),
            )
        # No ANALYZE: Hanout never runs it on SQLite, so the planner works without
        # statistics here as in a shop's database. PostgreSQL's autovacuum analyses a
        # table that changed this much; the bench does it at once.
    finally:
        conn.close()


async def _postgres_write(
    url: str, tables: Iterable[Table], store_id: int, last_number: int
) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for table in tables:
                await conn.copy_records_to_table(
                    table.name, records=table.rows, columns=table.columns
                )
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table.name}"))'
                )
            await conn.execute(
                'UPDATE "store" SET "last_order_number" = $1 WHERE "id" = $2',
                last_number,
                store_id,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def _build(url: str, counts: tuple[int, int, int], slug: str = "bench") -> BigStore:
    """The team and courier account through the models, then the rows in bulk."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgres"
    await open_db(url)
    try:
        store = await Store.get(slug=slug)
        await Member.create(store=store, telegram_user_id=OWNER_ID, role="owner", name="Nadia")
        for user_id, name in zip(AGENT_IDS, AGENTS, strict=True):
            await Member.create(store=store, telegram_user_id=user_id, role="agent", name=name)
        account = await CourierAccount.create(
            store=store, courier=COURIER, label="Yalidine", is_default=True
        )
        variants = [
            (v.id, v.price, v.sku) for v in await Variant.filter(store_id=store.id).order_by("id")
        ]
        first = store.last_order_number + 1
        store_id = store.id
    finally:
        await close_db()
    started = time.monotonic()
    tables = rows(dialect, store_id, variants, account.id, counts, datetime.now(UTC), first)
    last = first + counts[0] - 1 if counts[0] else first - 1
    if dialect == "sqlite":
        await asyncio.to_thread(_sqlite_write, url.removeprefix("sqlite://"), tables.values(),
                                store_id, last)  # fmt: skip
    else:
        await _postgres_write(url, tables.values(), store_id, last)
    return BigStore(slug, counts[0], counts[1], counts[2], first, last,
                    round(time.monotonic() - started, 1))  # fmt: skip


def _fingerprint() -> str:
    """What a cached SQLite store depends on: the migrations and this file."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted((ROOT / "migrations" / "sqlite").rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


async def build(url: str, counts: tuple[int, int, int] = (ORDERS, CUSTOMERS, PARCELS)) -> BigStore:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale_store", "build", url, *map(str, counts),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench.scale_store build failed ({proc.returncode})")
    return BigStore(**json.loads(out))


def _cached(counts: tuple[int, int, int]) -> tuple[Path, Path]:
    """The cached store's file and description for these sizes (stale ones removed)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = f"scale-{_fingerprint()}-{'-'.join(map(str, counts))}"
    for old in CACHE.glob("scale-*"):
        if not old.name.startswith(key):
            old.unlink()
    return CACHE / f"{key}.sqlite3", CACHE / f"{key}.json"


def _keep(built: str, cached: Path, meta: Path, big: BigStore) -> None:
    source = Path(built.removeprefix("sqlite://"))
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(source, cached)
    meta.write_text(json.dumps(asdict(big)))


def _copy_out(cached: Path, meta: Path, target: Path) -> BigStore:
    shutil.copyfile(cached, target)
    return BigStore(**json.loads(meta.read_text()))


async def cached_sqlite(
    folder: Path, name: str, counts: tuple[int, int, int], fresh: Any, seed: Any
) -> tuple[str, BigStore, bool]:
    """A copy of the cached SQLite store in `folder` (built first when missing or stale):
    its URL, what it holds, whether it came from the cache."""
    cached, meta = await asyncio.to_thread(_cached, counts)
    hit = await asyncio.to_thread(lambda: cached.exists() and meta.exists())
    if not hit:
        url = await fresh("sqlite", folder, f"{name}-build")
        await seed(url)
        big = await build(url, counts)
        await asyncio.to_thread(_keep, url, cached, meta, big)
    target = folder / f"{name}.sqlite3"
    big = await asyncio.to_thread(_copy_out, cached, meta, target)
    return f"sqlite://{target}", big, hit


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    if command != "build":
        raise SystemExit(f"unknown command {command!r}")
    counts = tuple(map(int, rest)) if rest else (ORDERS, CUSTOMERS, PARCELS)
    big = asyncio.run(_build(url, (counts[0], counts[1], counts[2])))
    print(json.dumps(asdict(big)))


if __name__ == "__main__":
    main(sys.argv[1:])
