"""Where a server process's tail latency comes from, measured from inside it
(`BENCH_PROBE=file.json` in the environment of `python -m bench.server app`):

- event-loop lag: a task asks to wake every 5 ms; how late it woke is how long the loop
  was busy with something else (a stall every request behind it waits out);
- the garbage collector's pauses, per generation (a full collection of a large heap stops
  every coroutine of the process).

Written to the file when the process stops. Costs a wake-up every 5 ms: measure with and
without it if in doubt."""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import time
from typing import Any

TICK = 0.005


class Probe:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lags: list[float] = []
        self.gc_ms: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._gc_start = 0.0
        gc.callbacks.append(self._on_gc)
        atexit.register(self.write)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_ms[info["generation"]].append(1000 * (time.perf_counter() - self._gc_start))

    async def watch(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lags.append(1000 * (time.perf_counter() - asked - TICK))

    def reset(self) -> None:
        self.lags.clear()
        for pauses in self.gc_ms.values():
            pauses.clear()

    def summary(self) -> dict[str, Any]:
        def pct(values: list[float]) -> dict[str, float]:
            if not values:
                return {}
            s = sorted(values)
            at = lambda q: round(s[min(len(s) - 1, int(q * len(s)))], 2)  # noqa: E731
            over = sum(1 for v in s if v > 50)
            return {"n": len(s), "p50": at(0.5), "p99": at(0.99), "max": round(s[-1], 2),
                    "over_50ms": over, "total_ms": round(sum(s))}  # fmt: skip

        return {"loop_lag_ms": pct(self.lags)} | {
            f"gc{gen}_ms": pct(p) for gen, p in self.gc_ms.items()
        }

    def write(self) -> None:
        with open(self.path, "w") as f:
            json.dump(self.summary(), f, indent=1)


def install() -> Probe | None:
    path = os.environ.get("BENCH_PROBE")
    return Probe(path) if path else None
