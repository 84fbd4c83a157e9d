"""Cost that stays flat as a store grows (issue 14 §5, issue 15): the same reads, export,
parcel sync and checkout on a store of 100 orders and on the bench store of 100,000 orders
(bench.scale_store), in the same run, each figure beside the small store's.

The reads run in a child process (`python -m bench.scale reads URL SAMPLES`), through the
same code the adapters run:

- REST `GET /v1/orders` (first page, 50 orders) and the desk's `GET /desk/api/…/orders`
  (100 delivered orders; the calls to make now) and order page, over HTTP to the real
  `webstore.app.create_app` behind an in-process aiohttp TestServer, with an API key and
  Mini App init data signed with the configured bot token;
- the bot's `/order` (the order by number, then everything the card sender reads to draw
  its card, and the card drawn) and `/find` (by number, by phone, by a common name and by a
  name nobody has, each answer's lines drawn);
- `/stats month` (models.orders.stats.store_stats).

The export (`… export URL`) writes the last calendar month as XLSX
(models.exports.files.write_export) into a file, in its own process: the peak resident set
(VmHWM, reset through /proc/self/clear_refs once the process is idle) above the idle one.

The parcel sync (`… sync URL`) runs `shipping.sync.ParcelSync.run_once` with a courier
that answers at once (a new raw status for every parcel, so each is a change written on
the timeline), first with 20 parcels due, then with 2,000: all of its time is the
database's, per parcel.

The checkout is wrk posting the product page's form (bench.web) to `hanout web` on the
small store and on the bench store, alternating, three times each; the median run of each
store counts.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import db, load, procs, scale_store, web

BOT_TOKEN = "123456:bench-desk-token"  # noqa: S105 (a throwaway bot)
MEASURED_SECONDS = {"quick": 3, "full": 10}
CHECKOUT_TURNS = 3  # small store, bench store, alternating: the median run of each counts
PRODUCT = "robe-kabyle"
# Yalidine's words for a parcel on its way, one per sync round (the store has "Centre").
RAW_STATUSES = ("Vers Wilaya", "Reçu à Wilaya", "Sorti en livraison")  # bench.db.seed's product
# The store every figure is compared with: the same store, team and courier account, a
# hundred orders (so an order page and a card have something to show) and 20 parcels.
SMALL = (100, 30, 20)
# Its own PostgreSQL databases, so that another bench running meanwhile leaves them be.
PG_SMALL, PG_BIG = "hanout_bench_scale_small", "hanout_bench_scale_big"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2),
        "max": round(ordered[-1], 2),
        "samples": len(ordered),
    }


async def _timed(call: Callable[[], Awaitable[Any]], samples: int) -> dict[str, float]:
    for _ in range(3):  # warm: the first call builds the ORM's queries, fills caches
        await call()
    spent = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        spent.append(1000 * (time.perf_counter() - started))
    return _percentiles(spent)


# --- in the child process -------------------------------------------------------------


async def _reads(url: str, samples: int) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.cards import render_card
    from bot.lists import order_line
    from bot.sender import card_context
    from models.customers import registry
    from models.infra.clock import now
    from models.orders import search
    from models.orders.stats import period_of, store_stats
    from models.orders.tables import Order, OrderLine
    from models.session import close_db, open_db
    from models.shipping.parcels import dispatch_refusal, last_parcel_status
    from models.stores import api_keys
    from models.stores.tables import Store
    from models.team.tables import Member
    from tests.webstore.desk_support import init_data
    from webstore.app import create_app
    from webstore.config import WebConfig

    await open_db(url)
    try:
        store = await Store.get(slug="bench")
        await Member.get_or_create(
            store=store, telegram_user_id=scale_store.OWNER_ID, defaults={"role": "owner"}
        )
        key = (await api_keys.create_api_key(store, "bench")).secret
        numbers = await Order.filter(store_id=store.id).order_by("-id").limit(1)
        newest = numbers[0].number if numbers else None
        # The busiest customer's newest order: the longest history a card or page reads.
        heavy = (
            await Order.filter(store_id=store.id, phone=scale_store.customer_phone(0))
            .order_by("-id")
            .first()
        )
        config = WebConfig(
            secret_key=web.SECRET_KEY, api_rate_limit="10000/1", telegram_bot_token=BOT_TOKEN
        )
        desk = {"Authorization": f"tma {init_data(scale_store.OWNER_ID, token=BOT_TOKEN)}"}
        api = {"Authorization": f"Bearer {key}"}
        out: dict[str, Any] = {"orders": await Order.filter(store_id=store.id).count()}
        async with TestClient(TestServer(create_app(config), host="127.0.0.1")) as client:

            def getter(path: str, headers: dict[str, str]) -> Callable[[], Awaitable[Any]]:
                async def get() -> Any:
                    async with client.get(path, headers=headers) as response:
                        if response.status != 200:
                            raise RuntimeError(f"{path}: {response.status}")
                        return await response.read()

                return get

            base = "/desk/api/bench"
            out["rest_orders_first_page"] = await _timed(getter("/v1/orders", api), samples)
            out["desk_list_100"] = await _timed(
                getter(f"{base}/orders?tab=delivered&limit=100", desk), samples
            )
            out["desk_call_tab"] = await _timed(getter(f"{base}/orders?tab=call", desk), samples)
            if newest is not None and heavy is not None:
                out["desk_order_page"] = await _timed(
                    getter(f"{base}/orders/{heavy.number}", desk), samples
                )

        async def bot_order(number: int) -> None:
            order = await search.order_numbered(store, number)
            if order is None:
                raise RuntimeError(f"no order {number}")
            lines = await OrderLine.filter(order_id=order.id).order_by("id")
            parcel = await last_parcel_status(order) if order.tracking else None
            refused, standing = await dispatch_refusal(order), await registry.standing_of(order)
            extra = await card_context(order, store)
            render_card(order, lines, store.lang, refused, parcel, standing, extra)

        async def bot_find(text: str) -> None:
            found = await search.find_orders(store, text)
            assert found is not None
            for order in found.orders:
                order_line(order, store.lang)

        if heavy is not None:
            out["bot_order"] = await _timed(lambda: bot_order(heavy.number), samples)
            out["bot_find_number"] = await _timed(lambda: bot_find(str(heavy.number)), samples)
            phone = "0" + scale_store.customer_phone(0)[4:]
            out["bot_find_phone"] = await _timed(lambda: bot_find(phone), samples)
            out["bot_find_name"] = await _timed(lambda: bot_find("benali"), samples)
            out["bot_find_nobody"] = await _timed(lambda: bot_find("Zerrouki"), samples)
        out["stats_month"] = await _timed(
            lambda: store_stats(store, period_of("month", now())), samples
        )
        return out
    finally:
        await close_db()


def _memory_kb() -> dict[str, int]:
    return procs.memory_kb(os.getpid())


def _reset_peak() -> None:
    """VmHWM := VmRSS (Linux: /proc/<pid>/clear_refs, 5)."""
    Path("/proc/self/clear_refs").write_text("5")


async def _export(url: str) -> dict[str, Any]:
    from models.exports.files import ExportRequest, write_export
    from models.exports.reading import local_today, named_period
    from models.infra.clock import now
    from models.orders.tables import Order
    from models.session import close_db, open_db
    from models.stores.tables import Store

    await open_db(url)
    try:
        store = await Store.get(slug="bench")
        period = named_period("last-month", local_today(now()))
        await Order.filter(store_id=store.id).limit(1)  # the connection and the ORM warmed
        request = ExportRequest(store, period, "xlsx", "fr")
        with tempfile.TemporaryDirectory(prefix="hanout-export-") as tmp:
            # Small first: the libraries loaded and the queries built, as in a process that
            # has served a request already.
            with (Path(tmp) / "warm.xlsx").open("wb") as out:
                await write_export(ExportRequest(store, named_period("today", local_today(now())),
                                                 "xlsx", "fr"), out, now())  # fmt: skip
            idle = _memory_kb()["VmRSS"]
            _reset_peak()
            started = time.monotonic()
            path = Path(tmp) / "month.xlsx"
            with path.open("wb") as out:
                totals = await write_export(request, out, now())
            seconds = time.monotonic() - started
            size = path.stat().st_size
        peak = _memory_kb()["VmHWM"]
        return {
            "period": period.label,
            "orders": totals.orders,
            "seconds": round(seconds, 2),
            "file_kb": round(size / 1024),
            "idle_rss_mb": round(idle / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1),
            "above_idle_mb": round((peak - idle) / 1024, 1),
        }
    finally:
        await close_db()


class _Courier:
    """Answers every parcel at once with a new raw status (so each one is a change)."""

    def __init__(self, raw: str) -> None:
        from couriers.base import Capabilities

        self.name = scale_store.COURIER
        self.capabilities = Capabilities(False, False, "none", 100, 500)
        self.raw = raw

    async def track_many(self, trackings: list[str]) -> dict[str, Any]:
        from couriers.base import ParcelState, ParcelStatus

        return {t: ParcelState(t, ParcelStatus.IN_TRANSIT, self.raw) for t in trackings}


class _Pool:
    def __init__(self) -> None:
        self.raw = "Centre"

    async def courier(self, _: Any) -> _Courier:
        return _Courier(self.raw)


async def _sync(url: str, sizes: list[int]) -> dict[str, Any]:
    from hanout.processes import outbox_routes
    from models.infra.clock import now
    from models.outbox import relay
    from models.session import close_db, open_db
    from models.shipping.tables import Shipment
    from shipping.sync import ParcelSync

    await open_db(url)
    # A parcel's new status publishes the order's change, as in `hanout worker`.
    relay.use_routes(outbox_routes(telegram=False))
    try:
        moving = (
            await Shipment.filter(status="in_transit").order_by("id").values_list("id", flat=True)
        )
        pool = _Pool()
        sync = ParcelSync(pool, "bench-sync")  # type: ignore[arg-type]
        out: dict[str, Any] = {"in_transit": len(moving)}
        for round_, size in enumerate(sizes):
            due = list(moving[:size])
            later = now() + timedelta(hours=1)
            await Shipment.filter(status="in_transit").update(next_poll_at=later)
            await Shipment.filter(id__in=due).update(next_poll_at=now() - timedelta(minutes=1))
            pool.raw = RAW_STATUSES[round_ % len(RAW_STATUSES)]  # new to every parcel
            started = time.perf_counter()
            report = await sync.run_once()
            spent = time.perf_counter() - started
            out[str(size)] = {
                "claimed": report.claimed,
                "changed": report.changed,
                "seconds": round(spent, 3),
                "ms_per_parcel": round(1000 * spent / max(report.claimed, 1), 3),
            }
        return out
    finally:
        await close_db()


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    if command == "reads":
        result: Any = asyncio.run(_reads(url, int(rest[0])))
    elif command == "export":
        result = asyncio.run(_export(url))
    elif command == "sync":
        result = asyncio.run(_sync(url, [int(x) for x in rest]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print("BENCH_JSON " + json.dumps(result))


# --- in the bench process -------------------------------------------------------------


async def _child(*args: str) -> Any:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale", *args, cwd=procs.ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    out, _ = await proc.communicate()
    line = next((x for x in out.decode().splitlines() if x.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"bench.scale {args[0]} failed ({proc.returncode})")
    return json.loads(line[len("BENCH_JSON ") :])


async def _checkout_rate(url: str, folder: Path, name: str, seconds: int, n: int) -> dict[str, Any]:
    """`hanout run` on `url`, wrk posting the checkout form; orders per second. Run `n`
    takes phones 06n… to warm up and 07n… measured: no two runs share a phone."""
    port = procs.free_port()
    server = procs.spawn(name, procs.app_argv("run"), web.app_env(url), port, folder)
    try:
        await server.wait_ready()
        form = await load.checkout_form(server.url, "bench", PRODUCT)
        args = (32, 2, "POST", form.body, form.cookie)
        await load.wrk("warm-up", form.url, 2, *args, phone_prefix=f"06{n}")
        cpu = server.cpu()
        run = await load.wrk(name, form.url, seconds, *args, phone_prefix=f"07{n}")
        used = server.cpu() - cpu
    finally:
        await server.stop()
    done = run.count(303)
    return {
        "orders_per_s": round(run.rate(303), 1),
        "latency_ms": run.latency_ms,
        "non_303": {str(k): v for k, v in run.statuses.items() if k != 303},
        "server_cpu_ms_per_order": round(1000 * used / done, 2) if done else None,
    }


async def _one_kind(
    kind: str, folder: Path, samples: int, seconds: int, counts: tuple[int, int, int]
) -> dict[str, Any]:
    """The small store, then the bench store, then the checkouts alternating small, bench,
    small, bench…; on PostgreSQL in databases of their own, dropped at the end."""
    out: dict[str, Any] = {}
    small_url = await db.fresh(kind, folder, f"scale-small-{kind}", PG_SMALL)
    await db.seed(small_url)
    await scale_store.build(small_url, SMALL)
    out["small"] = {
        "reads": await _child("reads", small_url, str(samples)),
        "export": await _child("export", small_url),
        "sync": await _child("sync", small_url, "20"),
    }
    runs: list[tuple[str, dict[str, Any]]] = []

    async def checkout(label: str, url: str, n: int) -> None:
        name = f"scale-{label}-{kind}-{n}"
        runs.append((label, await _checkout_rate(url, folder, name, seconds, n)))

    started = time.monotonic()
    if kind == "sqlite":
        big_url, big, cached = await scale_store.cached_sqlite(
            folder, "scale-big-sqlite", counts, db.fresh, db.seed
        )
    else:
        big_url = await db.fresh(kind, folder, f"scale-big-{kind}", PG_BIG)
        await db.seed(big_url)
        big, cached = await scale_store.build(big_url, counts), False
    out["store"] = {**vars(big), "cached": cached, "ready_s": round(time.monotonic() - started, 1)}
    out["big"] = {
        "reads": await _child("reads", big_url, str(samples)),
        "export": await _child("export", big_url),
        "sync": await _child("sync", big_url, "20", "2000"),
    }
    for n in range(CHECKOUT_TURNS):
        await checkout("small", small_url, 2 * n)
        await checkout("big", big_url, 2 * n + 1)
    out["checkout"] = _rates(runs)
    await db.drop(kind, PG_SMALL)
    await db.drop(kind, PG_BIG)
    return out


def _rates(runs: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    mean = {
        label: round(statistics.mean(r["orders_per_s"] for lb, r in runs if lb == label), 1)
        for label in ("small", "big")
    }
    return {"runs": [{"store": label, **r} for label, r in runs], "mean_orders_per_s": mean}


async def run_all(
    kinds: list[str], folder: Path, quick: bool, counts: tuple[int, int, int] | None = None
) -> dict[str, Any]:
    samples = 10 if quick else 40
    seconds = MEASURED_SECONDS["quick" if quick else "full"]
    sizes = counts or (scale_store.ORDERS, scale_store.CUSTOMERS, scale_store.PARCELS)
    return {kind: await _one_kind(kind, folder, samples, seconds, sizes) for kind in kinds}


if __name__ == "__main__":
    main(sys.argv[1:])
