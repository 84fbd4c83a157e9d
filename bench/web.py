"""Storefront benchmarks: checkout (POST → 303 to the thank-you page) and the product page,
each beside a bare aiohttp handler measured in the same run with the same wrk settings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench import db, load, procs

SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"  # noqa: S105 (a throwaway store)
# Each wrk run on one database gets its own phone prefix: 0 + [5-7] + one digit.
WORKERS = 2  # `hanout web --workers 2` on PostgreSQL: as many as the machine's cores
PREFIXES = [f"0{first}{second}" for first in "567" for second in "0123456789"]


@dataclass
class Config:
    seconds: int
    warmup: int
    connections: int
    threads: int
    role: str  # run | web: the hanout process measured


def app_env(url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "INFO", **extra}


async def bare(config: Config, folder: Path) -> dict[str, Any]:
    """The baseline: GET a small page, POST a form answered 303."""
    port = procs.free_port()
    server = procs.spawn("bare", procs.bare_argv(port), {}, port, folder)
    try:
        ready = await server.wait_ready()
        await asyncio.sleep(1)
        idle = server.memory_mb()
        await load.wrk("warm", f"{server.url}/page", 1, config.connections, config.threads)
        page = await load.wrk(
            "bare page", f"{server.url}/page", config.seconds, config.connections, config.threads
        )
        form = load.CheckoutForm(f"{server.url}/order", "", "name=Amina&phone=PHONE&wilaya=16")
        post = await load.wrk(
            "bare post",
            form.url,
            config.seconds,
            config.connections,
            config.threads,
            method="POST",
            body=form.body,
        )
        return {
            "page": page.as_json(),
            "post": post.as_json(),
            "ready_s": round(ready, 2),
            "memory_mb": idle,
        }
    finally:
        await server.stop()


async def _one_checkout(form: load.CheckoutForm, phone: str) -> int:
    headers = {"Cookie": form.cookie, "Content-Type": "application/x-www-form-urlencoded"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            form.url, data=form.for_phone(phone), headers=headers, allow_redirects=False
        ) as response,
    ):
        if response.status != 303 or "/merci/" not in response.headers.get("Location", ""):
            raise RuntimeError(f"a checkout answered {response.status}, not a 303 to /merci/")
        return response.status


async def naive(kind: str, config: Config, folder: Path) -> dict[str, Any]:
    """The checkout baseline on `kind`: a naive ORM checkout (bench.server naive) on its own
    fresh database, the same wrk settings and form as Hanout's checkout, the rows counted."""
    url = await db.fresh(kind, folder, f"naive-{kind}")
    await db.seed(url)
    port = procs.free_port()
    env = app_env(url, BENCH_STORE="bench")
    server = procs.spawn(f"naive-{kind}", procs.naive_argv(port), env, port, folder)
    try:
        await server.wait_ready()
        body = "name=Amina+Benali&phone=PHONE&wilaya=16&address=12+rue+Didouche+Mourad"
        args = (config.connections, config.threads)
        await load.wrk("warm-up", f"{server.url}/order", config.warmup, *args, "POST", body)
        cpu = server.cpu()
        run = await load.wrk("naive", f"{server.url}/order", config.seconds, *args, "POST", body)
        used = server.cpu() - cpu
    finally:
        await server.stop()
    rows = await db.counts(url)
    await db.drop(kind)
    return run.as_json() | {
        "orders_per_s": round(run.rate(303), 1),
        "server_cpu_ms_per_order": _per(used, run.count(303)),
        "verified": {
            "orders": rows["orders"],
            "lines": rows["lines"],
            "ok": rows["lines"] == 2 * rows["orders"] == 2 * rows["events"]
            and rows["orders"] >= run.count(303),
        },
    }


async def storefront(kind: str, config: Config, folder: Path) -> dict[str, Any]:
    """Checkout and product page on a fresh `kind` database, then the rows checked."""
    url = await db.fresh(kind, folder, f"web-{kind}")
    shop = (await db.seed(url))[0]
    port = procs.free_port()
    server = procs.spawn(f"hanout-{kind}", procs.app_argv(config.role), app_env(url), port, folder)
    prefixes = iter(PREFIXES)
    try:
        ready = await server.wait_ready()
        idle = server.memory_mb()
        product_url = f"{server.url}/{shop.slug}/p/{shop.product}"
        form = await load.checkout_form(server.url, shop.slug, shop.product)
        await _one_checkout(form, "0559999999")  # the whole path works before it is timed
        runs: list[load.Run] = []

        async def checkout(label: str, seconds: int) -> load.Run:
            run = await load.wrk(
                label,
                form.url,
                seconds,
                config.connections,
                config.threads,
                method="POST",
                body=form.body,
                cookie=form.cookie,
                phone_prefix=next(prefixes),
            )
            runs.append(run)
            return run

        await checkout("warm-up", config.warmup)
        cpu = server.cpu()
        measured = await checkout("checkout", config.seconds)
        checkout_cpu = server.cpu() - cpu
        wrk_args = (config.connections, config.threads)
        await load.wrk("warm", product_url, 1, *wrk_args)
        cpu = server.cpu()
        page = await load.wrk(
            "product page", product_url, config.seconds, config.connections, config.threads
        )
        page_cpu = server.cpu() - cpu
        # The store's home and the cart, as a first-time visitor (an empty cart).
        home = await load.wrk("home page", f"{server.url}/{shop.slug}/", config.seconds, *wrk_args)
        cart = await load.wrk(
            "cart page", f"{server.url}/{shop.slug}/panier", config.seconds, *wrk_args
        )
        loaded = server.memory_mb()
    finally:
        await server.stop()
    rows = await db.counts(url)
    await db.drop(kind)
    redirects = 1 + sum(run.count(303) for run in runs)
    # wrk stops counting at the deadline: the requests then in flight (at most one per
    # connection and run) are placed but not among its 303s.
    in_flight = rows["orders"] - redirects
    refused = {
        str(code): n for run in runs for code, n in run.statuses.items() if not 300 <= code < 400
    }
    ok = (
        0 <= in_flight <= config.connections * len(runs)
        and rows["lines"] == rows["events"] == rows["orders"] == rows["numbered"] - 1000
        and rows["outbox"] >= rows["orders"]
        and not refused
    )
    return {
        "database": kind,
        "role": config.role,
        "ready_s": round(ready, 2),
        "checkout": measured.as_json()
        | {
            "orders_per_s": round(measured.rate(303), 1),
            "server_cpu_ms_per_order": _per(checkout_cpu, measured.count(303)),
        },
        "product_page": page.as_json()
        | {"server_cpu_ms_per_page": _per(page_cpu, page.count(200))},
        "home_page": home.as_json(),
        "cart_page": cart.as_json(),
        "verified": {
            "redirects_303": redirects,
            "in_flight_at_wrk_deadline": in_flight,
            "orders": rows["orders"],
            "order_numbers_taken": rows["numbered"] - 1000,
            "lines": rows["lines"],
            "created_events": rows["events"],
            "outbox_rows": rows["outbox"],
            "non_3xx": refused,
            "ok": ok,
        },
        "memory_mb": {"idle": idle, "after_load": loaded},
    }


async def several_workers(kind: str, workers: int, config: Config, folder: Path) -> dict[str, Any]:
    """`hanout web --workers N` beside one `hanout worker` (the relay) on a fresh `kind`
    database: the same checkout and product page runs as `storefront`, rows checked."""
    url = await db.fresh(kind, folder, f"workers-{kind}")
    shop = (await db.seed(url))[0]
    port = procs.free_port()
    env = app_env(url)
    web_procs = procs.spawn(
        f"web-x{workers}-{kind}", procs.app_argv("web", workers), env, port, folder
    )
    relay = procs.spawn(f"worker-{kind}", procs.app_argv("worker"), env, procs.free_port(), folder)
    prefixes = iter(PREFIXES[-6:])
    try:
        await web_procs.wait_ready()
        await asyncio.sleep(1)  # every worker up
        product_url = f"{web_procs.url}/{shop.slug}/p/{shop.product}"
        form = await load.checkout_form(web_procs.url, shop.slug, shop.product)
        await _one_checkout(form, "0579999999")
        args = (config.connections, config.threads)
        post = ("POST", form.body, form.cookie)
        await load.wrk("warm-up", form.url, config.warmup, *args, *post, next(prefixes))
        measured = await load.wrk(
            "checkout", form.url, config.seconds, *args, *post, next(prefixes)
        )
        await load.wrk("warm", product_url, 1, *args)
        page = await load.wrk("product page", product_url, config.seconds, *args)
    finally:
        await web_procs.stop()
        await relay.stop()
    rows = await db.counts(url)
    await db.drop(kind)
    refused = {str(c): n for c, n in measured.statuses.items() if not 300 <= c < 400}
    return {
        "database": kind,
        "workers": workers,
        "checkout": measured.as_json() | {"orders_per_s": round(measured.rate(303), 1)},
        "product_page": page.as_json(),
        "verified": {
            "orders": rows["orders"],
            "lines": rows["lines"],
            "created_events": rows["events"],
            "non_3xx": refused,
            "ok": rows["lines"] == rows["events"] == rows["orders"] == rows["numbered"] - 1000
            and not refused,
        },
    }


def _per(cpu_seconds: float, count: int) -> float | None:
    return round(1000 * cpu_seconds / count, 3) if count else None


async def run_all(kinds: list[str], config: Config, folder: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"bare": await bare(config, folder)}
    for kind in kinds:
        baseline = await naive(kind, config, folder)
        await asyncio.sleep(1)
        result[kind] = await storefront(kind, config, folder) | {"naive_checkout": baseline}
        await asyncio.sleep(1)
        if kind == "postgres":
            result["postgres_workers"] = await several_workers(kind, WORKERS, config, folder)
            await asyncio.sleep(1)
    return result
