"""The desk's figures (`GET /desk/api/<slug>/stats`) on the bench store of 100,000 orders
(bench.scale_store, its cached SQLite copy, or a PostgreSQL database already built from
it): each query of the screen and the whole answer over HTTP, for the last 30 days (about
7,500 orders) and a custom quarter (92 days, about 23,000 orders).

    python -m bench.desk_stats [SAMPLES] [URL]

Without URL, a copy of the cached SQLite bench store (built first when missing)."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import db, scale_store, web
from bench.scale import BOT_TOKEN, _percentiles


async def _p50(call: Callable[[], Awaitable[Any]], samples: int) -> float:
    await call()  # warm: the ORM's queries built, the database's pages read
    spent = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        spent.append(1000 * (time.perf_counter() - started))
    return _percentiles(spent)["p50"]


async def _figures(url: str, samples: int) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from models.infra.clock import now
    from models.orders import stats_groups
    from models.orders.stats import ALGIERS, custom_period, period_of, store_stats
    from models.session import close_db, open_db
    from models.stores.tables import Store
    from tests.webstore.desk_support import init_data
    from webstore.app import WebConfig, create_app

    await open_db(url)
    try:
        store = await Store.get(slug="bench")
        today = now().astimezone(ALGIERS).date()
        first = today - timedelta(days=91)
        periods = {
            "month": (period_of("month", now()), "period=month"),
            "quarter": (
                custom_period(first, today, now()),
                f"period=custom&from={first.isoformat()}&to={today.isoformat()}",
            ),
        }
        config = WebConfig(secret_key=web.SECRET_KEY, telegram_bot_token=BOT_TOKEN)
        desk = {"Authorization": f"tma {init_data(scale_store.OWNER_ID, token=BOT_TOKEN)}"}
        out: dict[str, Any] = {}
        async with TestClient(TestServer(create_app(config), host="127.0.0.1")) as client:
            for name, (period, query) in periods.items():

                async def screen(query: str = query) -> None:
                    path = f"/desk/api/bench/stats?{query}"
                    async with client.get(path, headers=desk) as response:
                        if response.status != 200:
                            raise RuntimeError(f"{path}: {response.status}")
                        await response.read()

                parts: dict[str, Callable[[], Awaitable[Any]]] = {
                    "store_stats": lambda p=period: store_stats(store, p),
                    "by_day": lambda p=period: stats_groups.by_day(store, p),
                    "by_person": lambda p=period: stats_groups.by_person(store, p),
                    "by_wilaya": lambda p=period: stats_groups.by_wilaya(store, p),
                    "by_product": lambda p=period: stats_groups.by_product(store, p),
                    "screen_http": screen,
                }
                orders = (await store_stats(store, period)).placed
                out[name] = {"orders": orders}
                for part, call in parts.items():
                    out[name][part] = await _p50(call, samples)
                    print(name, part, out[name][part], file=sys.stderr, flush=True)
        return out
    finally:
        await close_db()


async def _main(samples: int, url: str | None) -> dict[str, Any]:
    if url is not None:
        return await _figures(url, samples)
    with tempfile.TemporaryDirectory() as folder:
        counts = (scale_store.ORDERS, scale_store.CUSTOMERS, scale_store.PARCELS)
        big_url, _, _ = await scale_store.cached_sqlite(
            Path(folder), "desk-stats", counts, db.fresh, db.seed
        )
        return await _figures(big_url, samples)


def main(argv: list[str]) -> None:
    samples = int(argv[0]) if argv else 10
    result = asyncio.run(_main(samples, argv[1] if len(argv) > 1 else None))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
