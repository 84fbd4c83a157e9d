"""`hanout run` itself (the console script): start-up time, spawn to the first 200 on
/healthz, and its memory once idle, with the Telegram bot off and on (the fake Bot API)."""

from __future__ import annotations

import asyncio
import statistics
from pathlib import Path
from typing import Any

from bench import db, procs
from bench.web import SECRET_KEY
from tests.fakes.telegram_api import FakeTelegram


async def _once(url: str, folder: Path, env: dict[str, str], idle: float) -> dict[str, Any]:
    port = procs.free_port()
    server = procs.spawn(
        "hanout-run",
        procs.hanout_argv("run"),
        {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, **env},
        port,
        folder,
    )
    try:
        ready = await server.wait_ready()
        await asyncio.sleep(idle)
        return {"ready_s": ready, "memory_mb": server.memory_mb()}
    finally:
        await server.stop()


async def hanout_run(folder: Path, starts: int, idle: float) -> dict[str, Any]:
    url = await db.fresh("sqlite", folder, "footprint")
    await db.seed(url)
    result: dict[str, Any] = {}
    async with FakeTelegram() as fake:
        bot = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
        for name, env in (("bot_off", {}), ("bot_on", bot)):
            runs = [await _once(url, folder, env, idle) for _ in range(starts)]
            result[name] = {
                "startup_s": round(statistics.median(r["ready_s"] for r in runs), 2),
                "startup_runs_s": [round(r["ready_s"], 2) for r in runs],
                "idle_memory_mb": max(
                    (r["memory_mb"] for r in runs), key=lambda m: m.get("VmHWM", 0)
                ),
            }
    return result
