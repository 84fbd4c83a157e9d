"""`python -m bench` (`make bench`): run the benchmarks, print the table, write the JSON.

    python -m bench                  # everything, about 25 minutes
    python -m bench --quick          # the same, short (about three minutes): to check it works
    python -m bench --only web,telegram --seconds 30

Every duration can also come from the environment (BENCH_SECONDS, BENCH_WARMUP,
BENCH_CONNECTIONS, …): see `--help`. Needs wrk, and PostgreSQL on 127.0.0.1:5432 with
trust auth for the PostgreSQL runs (BENCH_PG_URL); `hanout_bench` is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import couriers, db, desk, footprint, report, scale, telegram, web

SECTIONS = ("web", "telegram", "desk", "burst", "couriers", "footprint", "scale")
RESULTS = Path(__file__).with_name("results") / "latest.json"


def _env(name: str, default: float) -> Any:
    raw = os.environ.get(f"BENCH_{name}")
    return type(default)(raw) if raw else default


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="short runs, to check the bench works")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"among {','.join(SECTIONS)}")
    p.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "sqlite,postgres"))
    p.add_argument("--role", default=os.environ.get("BENCH_ROLE", "run"), choices=("run", "web"))
    p.add_argument("--seconds", type=int, help="each wrk run (BENCH_SECONDS, 15)")
    p.add_argument("--warmup", type=int, help="wrk warm-up of the checkout (BENCH_WARMUP, 3)")
    p.add_argument("--connections", type=int, help="concurrent clients (BENCH_CONNECTIONS, 32)")
    p.add_argument("--threads", type=int, help="wrk threads (BENCH_THREADS, 2)")
    p.add_argument("--card-orders", type=int, help="order → card samples (BENCH_CARD_ORDERS, 40)")
    p.add_argument("--burst-orders", type=int, help="burst size (BENCH_BURST_ORDERS, 1000)")
    p.add_argument("--burst-seconds", type=float, help="burst length (BENCH_BURST_SECONDS, 60)")
    p.add_argument(
        "--desk-seconds", type=float, help="busy team group's length (BENCH_DESK_SECONDS, 180)"
    )
    p.add_argument("--shipments", type=int, help="Yalidine sync size (BENCH_SHIPMENTS, 10000)")
    p.add_argument("--starts", type=int, help="start-up samples (BENCH_STARTS, 3)")
    p.add_argument("--out", type=Path, default=RESULTS, help="JSON written here")
    return p


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    defaults = {
        "seconds": 3 if quick else 15,
        "warmup": 1 if quick else 3,
        "connections": 32,
        "threads": 2,
        "card_orders": 8 if quick else 40,
        "burst_orders": 100 if quick else 1000,
        "burst_seconds": 6.0 if quick else 60.0,
        "desk_seconds": 60.0 if quick else 180.0,
        "shipments": 1000 if quick else 10_000,
        "starts": 1 if quick else 3,
    }
    chosen = {}
    for name, default in defaults.items():
        given = getattr(args, name)
        chosen[name] = given if given is not None else _env(name.upper(), default)
    return chosen


async def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    s = _settings(args)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")
    kinds = [x.strip() for x in args.databases.split(",") if x.strip()]
    results: dict[str, Any] = {
        "date": report.now(),
        "machine": await report.machine(db.PG_ADMIN_URL),
        "config": {
            "command": f"python -m bench {' '.join(argv)}".strip() if argv else "make bench",
            "argv": argv,
            "role": args.role,
            "databases": kinds,
            **s,
        },
    }
    stores = 4 if args.quick else 10
    with tempfile.TemporaryDirectory(prefix="hanout-bench-") as tmp:
        folder = Path(tmp)
        config = web.Config(s["seconds"], s["warmup"], s["connections"], s["threads"], args.role)
        steps = {
            "web": lambda: web.run_all(kinds, config, folder),
            "telegram": lambda: telegram.latency(
                folder, s["card_orders"], stores, config, tuple(kinds)
            ),
            "desk": lambda: desk.busy_group(folder, s["desk_seconds"]),
            "burst": lambda: telegram.burst(folder, s["burst_orders"], s["burst_seconds"]),
            "couriers": lambda: couriers.yalidine_sync(s["shipments"]),
            "footprint": lambda: footprint.hanout_run(folder, s["starts"], 3.0),
            "scale": lambda: scale.run_all(kinds, folder, args.quick),
        }
        for name in SECTIONS:
            if name in only:
                print(f"… {name}", file=sys.stderr, flush=True)
                results[name] = await steps[name]()
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["table"] = report.rows(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(report.heading(results))
    print()
    print(report.table(results))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
