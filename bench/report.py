"""The machine, the targets of the performance issue, the table printed and the JSON kept."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import load


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _wrk_version() -> str:
    done = subprocess.run(  # noqa: S603 (wrk from the system's package)
        [load.wrk_path(), "-v"], capture_output=True, text=True, check=False
    )
    found = re.search(r"wrk \S+", done.stdout + done.stderr)
    return found.group(0) if found else "wrk"


async def _postgres_version(admin_url: str) -> str:
    try:
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    except (OSError, asyncpg.PostgresError):
        return "unreachable"
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def machine(admin_url: str) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": await _postgres_version(admin_url),
        "wrk": _wrk_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | int):
        return f"{value:,.{digits}f}"
    return str(value)


Row = tuple[str, str, str, str, str]  # figure, hanout, baseline, target, met


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "not met")


def rows(results: dict[str, Any]) -> list[Row]:
    """The table: each figure beside its baseline and, when the issue sets one, its target."""
    out: list[Row] = []
    web = results.get("web") or {}
    bare_post = _get(web, "bare", "post")
    bare_page = _get(web, "bare", "page")
    for kind, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        run = web.get(kind)
        if not run:
            continue
        co, page = run["checkout"], run["product_page"]
        rate, p50, p99 = co["orders_per_s"], co["latency_ms"]["p50"], co["latency_ms"]["p99"]
        ok = run["verified"]["ok"]
        naive = run.get("naive_checkout")
        naive_rate = naive["orders_per_s"] if naive else None
        ratio = rate / naive_rate if naive_rate else None
        out.append((
            f"Checkout, {name}: orders/s (POST → 303, all rows checked: {'yes' if ok else 'NO'})",
            f"{_fmt(rate)} ({_fmt(ratio, 2)} × naive)",
            f"{_fmt(naive_rate)} (naive ORM checkout); {_fmt(_get(bare_post, 'rate'))} "
            "(bare POST → 303)",
            "≥ 1.5 × naive",
            _met(None if ratio is None else ratio >= 1.5 and ok),
        ))  # fmt: skip
        out.append((
            f"Checkout, {name}: latency p50 / p99 ms",
            f"{_fmt(p50, 1)} / {_fmt(p99, 1)}",
            f"{_fmt(_get(naive, 'latency_ms', 'p50'), 1)} / "
            f"{_fmt(_get(naive, 'latency_ms', 'p99'), 1)} (naive); "
            f"{_fmt(_get(bare_post, 'latency_ms', 'p50'), 1)} / "
            f"{_fmt(_get(bare_post, 'latency_ms', 'p99'), 1)} (bare)",
            "p99 ≤ 100",
            _met(p99 <= 100),
        ))  # fmt: skip
        out.append((
            f"Checkout, {name}: server CPU ms per order",
            _fmt(co.get("server_cpu_ms_per_order"), 2),
            f"{_fmt(_get(naive, 'server_cpu_ms_per_order'), 2)} (naive ORM checkout, rows "
            f"checked: {'yes' if _get(naive, 'verified', 'ok') else 'NO'})",
            "—",
            "—",
        ))  # fmt: skip
        share = page["rate"] / bare_page["rate"] if bare_page and bare_page["rate"] else None
        out.append((
            f"Product page, {name}: pages/s",
            f"{_fmt(page['rate'])} ({_fmt(share and 100 * share, 1)} %)",
            f"{_fmt(_get(bare_page, 'rate'))} (bare GET)",
            "≥ 30 % of bare",
            _met(None if share is None else share >= 0.3),
        ))  # fmt: skip
        for key, label in (("home_page", "Store home"), ("cart_page", "Cart (empty)")):
            other = run.get(key)
            if not other:
                continue
            share = other["rate"] / bare_page["rate"] if bare_page and bare_page["rate"] else None
            out.append((
                f"{label}, {name}: pages/s",
                f"{_fmt(other['rate'])} ({_fmt(share and 100 * share, 1)} %)",
                f"{_fmt(_get(bare_page, 'rate'))} (bare GET)",
                "≥ 30 % of bare",
                _met(None if share is None else share >= 0.3),
            ))  # fmt: skip
    several = web.get("postgres_workers")
    if several:
        co, page = several["checkout"], several["product_page"]
        single = _get(web, "postgres", "checkout", "orders_per_s")
        single_page = _get(web, "postgres", "product_page", "rate")
        naive_rate = _get(web, "postgres", "naive_checkout", "orders_per_s")
        ratio = co["orders_per_s"] / naive_rate if naive_rate else None
        ok = several["verified"]["ok"]
        n = several["workers"]
        out.append((
            f"Checkout, PostgreSQL, `hanout web --workers {n}` + `hanout worker`: orders/s, "
            f"p99 ms (rows checked: {'yes' if ok else 'NO'})",
            f"{_fmt(co['orders_per_s'])} ({_fmt(ratio, 2)} × naive), p99 "
            f"{_fmt(co['latency_ms']['p99'], 1)}",
            f"{_fmt(single)} (`hanout run`, one process); {_fmt(naive_rate)} (naive)",
            "≥ 1.5 × naive, p99 ≤ 100",
            _met(None if ratio is None else ratio >= 1.5 and ok and co["latency_ms"]["p99"] <= 100),
        ))  # fmt: skip
        share = page["rate"] / bare_page["rate"] if bare_page and bare_page["rate"] else None
        out.append((
            f"Product page, PostgreSQL, `hanout web --workers {n}`: pages/s",
            f"{_fmt(page['rate'])} ({_fmt(share and 100 * share, 1)} %)",
            f"{_fmt(single_page)} (one process); {_fmt(_get(bare_page, 'rate'))} (bare GET)",
            "≥ 30 % of bare",
            _met(None if share is None else share >= 0.3),
        ))  # fmt: skip
    tg = results.get("telegram")
    if tg:
        hanout, bare = tg["hanout"], tg["bare"]
        card = hanout["order_to_card_ms"]
        out.append((
            "Order → card sendMessage, ms p50 / p99",
            f"{_fmt(card['p50'], 1)} / {_fmt(card['p99'], 1)}",
            f"{_fmt(bare['order_to_card_ms']['p50'], 1)} / "
            f"{_fmt(bare['order_to_card_ms']['p99'], 1)} (bare bot)",
            "p50 ≤ 50",
            _met(card["p50"] <= 50),
        ))  # fmt: skip
        for step, label in (("menu", "call menu"), ("outcome", "“no answer”")):
            answer = hanout["press_to_answer_ms"][step]
            edit = hanout["press_to_edit_ms"][step]
            out.append((
                f"Press ({label}) → answer / → card edited, ms p50",
                f"{_fmt(answer['p50'], 1)} / {_fmt(edit['p50'], 1)}",
                f"{_fmt(bare['press_to_answer_ms'][step]['p50'], 1)} / "
                f"{_fmt(bare['press_to_edit_ms'][step]['p50'], 1)} (bare bot)",
                "edited p50 ≤ 100",
                _met(edit["p50"] <= 100),
            ))  # fmt: skip
        for key in ("hanout", "hanout_postgres"):
            if key in tg:
                out += _under_load_rows(tg[key])
    busy = results.get("desk")
    if busy:
        edit = busy["press_to_edit_ms"]
        out.append((
            f"Busy group ({busy['agents']} agents calling every {busy['call_every_s']:g} s, an "
            f"order every {busy['order_every_s']:g} s, Telegram's limits): press → group card "
            "edited, ms p50 / p90 / max",
            f"{_fmt(edit.get('p50'), 0)} / {_fmt(edit.get('p90'), 0)} / {_fmt(edit.get('max'), 0)}",
            f"{busy['calls']} calls, {busy['skipped_turns']} turns skipped, "
            f"{busy['served_429']} × 429",
            "p90 ≤ 2,000",
            _met(None if "p90" not in edit else edit["p90"] <= 2000),
        ))  # fmt: skip
    burst = results.get("burst")
    if burst:
        out.append((
            f"Burst of {burst['orders']:,} orders in {burst['over_seconds']:g} s: every order "
            "in the group / owner's chat after, s",
            f"{_fmt(burst['all_in_group_after_s'], 1)} / "
            f"{_fmt(burst['all_in_owner_chat_after_s'], 1)}",
            f"{_fmt(burst['placed_in_s'], 1)} (last order placed)",
            "—",
            "—",
        ))  # fmt: skip
        out.append((
            "Burst: 429s served by the fake Telegram; orders shown twice",
            f"{burst['served_429']}; {burst['shown_twice']}",
            "—",
            "0",
            _met(burst["served_429"] == 0 and burst["shown_twice"] == 0),
        ))  # fmt: skip
    sync = results.get("couriers")
    if sync:
        out.append((
            f"Yalidine sync of {sync['shipments']:,} shipments: requests; courier time s; "
            "wall time s",
            f"{sync['requests']}; {_fmt(sync['courier_time_s'], 1)}; "
            f"{_fmt(sync['wall_time_s'], 1)}",
            f"{sync['minimum_requests']} requests minimum (500 per read)",
            "—",
            "—",
        ))  # fmt: skip
        out.append((
            "Yalidine sync: quota violations (429s served)",
            f"{sync['quota_violations']} ({sync['served_429']})",
            "—",
            "0",
            _met(sync["quota_violations"] == 0),
        ))  # fmt: skip
    foot = results.get("footprint")
    if foot:
        idle = max(foot[k]["idle_memory_mb"]["VmHWM"] for k in ("bot_off", "bot_on"))
        bare_mem = _get(web, "bare", "memory_mb", "VmHWM")
        out.append((
            "`hanout run` idle, peak RSS MB (bot off / on)",
            f"{_fmt(foot['bot_off']['idle_memory_mb']['VmHWM'], 1)} / "
            f"{_fmt(foot['bot_on']['idle_memory_mb']['VmHWM'], 1)}",
            f"{_fmt(bare_mem, 1)} (bare aiohttp process)",
            "≤ 120",
            _met(idle <= 120),
        ))  # fmt: skip
        loaded = [
            _get(web, kind, "memory_mb", "after_load", "VmHWM") for kind in ("sqlite", "postgres")
        ] + [_get(results, "burst", "memory_mb_under_load", "VmHWM")]
        peak = max((x for x in loaded if x is not None), default=None)
        out.append((
            "`hanout run` under load, peak RSS MB (checkout, product page, burst)",
            _fmt(peak, 1),
            "—",
            "—",
            "—",
        ))  # fmt: skip
        out.append((
            "`hanout run` start-up, spawn → first 200 on /healthz, s (bot off / on)",
            f"{_fmt(foot['bot_off']['startup_s'], 2)} / {_fmt(foot['bot_on']['startup_s'], 2)}",
            f"{_fmt(_get(web, 'bare', 'ready_s'), 2)} (bare aiohttp process)",
            "—",
            "—",
        ))  # fmt: skip
    out += _scale_rows(results.get("scale") or {})
    return out


# (figure key, label, target in ms for the p50) of the reads on the bench store.
SCALE_READS = (
    ("rest_orders_first_page", "REST `GET /v1/orders`, first page (50)", 20),
    ("bot_order", "Bot `/order <n>`: the order and its card's reads, card drawn", 20),
    ("bot_find_number", "Bot `/find <number>`", 20),
    ("bot_find_phone", "Bot `/find <phone>` (the busiest customer)", 20),
    ("bot_find_name", "Bot `/find <name>` (a common name)", 20),
    ("bot_find_nobody", "Bot `/find <name>` (a name nobody has)", 20),
    ("desk_list_100", "Desk order list, 100 rows (JSON)", 20),
    ("desk_call_tab", "Desk calls to make now, first page (JSON)", 20),
    ("desk_order_page", "Desk order page (JSON; the busiest customer)", 20),
    ("stats_month", "`/stats month`", 200),
)
DB_NAMES = (("sqlite", "SQLite"), ("postgres", "PostgreSQL"))


def _scale_rows(scale: dict[str, Any]) -> list[Row]:
    """Each figure on the bench store (100,000 orders) beside the small store's."""
    out: list[Row] = []
    for kind, name in DB_NAMES:
        run = scale.get(kind)
        if not run:
            continue
        store, small, big = run["store"], run["small"], run["big"]
        where = f"{name}, {store['orders']:,} orders"
        for key, label, target in SCALE_READS:
            got, base = _get(big, "reads", key), _get(small, "reads", key)
            if got is None:
                continue
            out.append((
                f"{label}, {where}: ms p50 / p90",
                f"{_fmt(got['p50'], 1)} / {_fmt(got['p90'], 1)}",
                f"{_fmt(_get(base, 'p50'), 1)} / {_fmt(_get(base, 'p90'), 1)} (100 orders)",
                f"p50 ≤ {target}",
                _met(got["p50"] <= target),
            ))  # fmt: skip
        export, base_export = big["export"], small["export"]
        out.append((
            f"XLSX export of {export['period']} ({export['orders']:,} orders), {where}: "
            "peak RSS above idle MB; s",
            f"{_fmt(export['above_idle_mb'], 1)}; {_fmt(export['seconds'], 1)}",
            f"{_fmt(base_export['above_idle_mb'], 1)}; {_fmt(base_export['seconds'], 1)} "
            f"({base_export['orders']} orders)",
            "≤ 50 MB",
            _met(export["above_idle_mb"] <= 50),
        ))  # fmt: skip
        sync, base_sync = big["sync"], small["sync"]
        few, many = sync.get("20"), sync.get("2000")
        if few and many:
            ratio = many["ms_per_parcel"] / few["ms_per_parcel"] if few["ms_per_parcel"] else None
            out.append((
                f"Parcel sync cycle, {where}: database ms per parcel, 2,000 due / 20 due",
                f"{_fmt(many['ms_per_parcel'], 2)} / {_fmt(few['ms_per_parcel'], 2)} "
                f"({_fmt(ratio, 2)} ×)",
                f"{_fmt(_get(base_sync, '20', 'ms_per_parcel'), 2)} (20 due, 100 orders)",
                "flat: ≤ 1.5 × 20 due",
                _met(None if ratio is None else ratio <= 1.5),
            ))  # fmt: skip
        # The median run of each store (the runs alternate): one run slowed or sped by other
        # work on the machine does not decide.
        rates = {
            label: statistics.median(
                r["orders_per_s"] for r in run["checkout"]["runs"] if r["store"] == label
            )
            for label in ("small", "big")
        }
        cpu = {
            label: statistics.median(
                r["server_cpu_ms_per_order"] or 0
                for r in run["checkout"]["runs"]
                if r["store"] == label
            )
            for label in ("small", "big")
        }
        share = rates["big"] / rates["small"] if rates["small"] else None
        turns = len(run["checkout"]["runs"]) // 2
        out.append((
            f"Checkout, {where}: orders/s (median of {turns} runs, alternating); server CPU "
            "ms per order",
            f"{_fmt(rates['big'])} ({_fmt(share and 100 * share, 0)} %); {_fmt(cpu['big'], 2)}",
            f"{_fmt(rates['small'])}; {_fmt(cpu['small'], 2)} (100 orders)",
            "≥ 90 % of the small store",
            _met(None if share is None else share >= 0.9),
        ))  # fmt: skip
        out.append((
            f"Bench store, {name}: built in s (rows written in s; cached)",
            f"{_fmt(store['ready_s'], 1)} ({_fmt(store['seconds'], 1)}; "
            f"{'yes' if store['cached'] else 'no'})",
            "—",
            "< 60",
            _met(store["ready_s"] < 60),
        ))  # fmt: skip
    return out


def table(results: dict[str, Any]) -> str:
    header = ("Figure", "Hanout", "Baseline, same run", "Target", "Status")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * len(header)) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    return "\n".join(lines)


def heading(results: dict[str, Any]) -> str:
    m, c = results["machine"], results["config"]
    return (
        f"Hanout benchmarks, {results['date']} — {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, {m['kernel']}; Python {m['python']}, SQLite {m['sqlite']}, "
        f"PostgreSQL {m['postgresql']}, {m['wrk']}; load average at start "
        f"{' '.join(map(str, m['load_average_at_start']))}.\n"
        f"Command: `{c['command']}` ({c['connections']} connections, {c['seconds']} s per "
        f"wrk run after {c['warmup']} s of warm-up, `hanout {c['role']}` measured)."
    )


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _under_load_rows(hanout: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """The card figures measured while wrk ran the checkout load (issue 14 §6)."""
    out: list[tuple[str, str, str, str, str]] = []
    under = hanout.get("under_checkout_load")
    if under:
        load_ = under["checkout"]
        base = DATABASE_NAMES.get(hanout.get("database", "sqlite"), "")
        during = (
            f"on {base} during a checkout load of {load_['connections']} connections "
            f"({_fmt(load_['orders_per_s'], 0)} orders/s)"
        )
        card = under["order_to_card_ms"]
        late = under["cards_not_within_s"]
        shown = f"{_fmt(card.get('p50'), 1)} / {_fmt(card.get('p99'), 1)}"
        if late["orders"]:
            shown += f"; {late['orders']} of {under['orders']} not within {late['s']:g} s"
        out.append((
                f"Order → card sendMessage {during}, ms p50 / p99",
                shown,
                f"{_fmt(hanout['order_to_card_ms']['p50'], 1)} / "
                f"{_fmt(hanout['order_to_card_ms']['p99'], 1)} (idle, same run)",
                "p50 ≤ 50",
                _met(not late["orders"] and card["p50"] <= 50),
            ))  # fmt: skip
        for step, label in (("menu", "call menu"), ("outcome", "“no answer”")):
            edit = under["press_to_edit_ms"][step]
            idle = hanout["press_to_edit_ms"][step]
            out.append((
                    f"Press ({label}) → card edited {during}, ms p50 / p99",
                    f"{_fmt(edit.get('p50'), 1)} / {_fmt(edit.get('p99'), 1)}",
                    f"{_fmt(idle['p50'], 1)} / {_fmt(idle['p99'], 1)} (idle, same run)",
                    "p50 ≤ 100",
                    _met(edit["n"] > 0 and edit["p50"] <= 100),
                ))  # fmt: skip
    return out
