"""Load with wrk (Debian's package): a fixed number of connections for a fixed time, the
answers counted by status, latency percentiles from wrk's own histogram."""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

SCRIPT = Path(__file__).with_name("wrk.lua")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VARIANT = re.compile(r'name="variant_id" value="(\d+)"|<option value="(\d+)"')


@dataclass
class Run:
    """One wrk run, as its script reported it."""

    label: str
    requests: int
    seconds: float
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float]

    def count(self, *codes: int) -> int:
        return sum(self.statuses.get(c, 0) for c in codes)

    def rate(self, *codes: int) -> float:
        """Answers per second with one of `codes` (all answers when none is given)."""
        done = self.count(*codes) if codes else self.requests
        return done / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rate": round(self.rate(), 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": self.errors,
            "latency_ms": self.latency_ms,
        }


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    return found


async def wrk(
    label: str,
    url: str,
    seconds: int,
    connections: int,
    threads: int = 2,
    method: str = "GET",
    body: str = "",
    cookie: str = "",
    phone_prefix: str = "055",
) -> Run:
    env = {
        "BENCH_METHOD": method,
        "BENCH_PATH": "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/",
        "BENCH_BODY": body,
        "BENCH_COOKIE": cookie,
        "BENCH_PHONE_PREFIX": phone_prefix,
        # Pages are asked for as every phone's browser does (the bare handler ignores it).
        "BENCH_ACCEPT_ENCODING": "gzip" if method == "GET" else "",
        "PATH": "/usr/bin:/bin",
    }
    base = "/".join(url.split("/", 3)[:3])
    argv = [wrk_path(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    argv += ["--timeout", "10s", "-s", str(SCRIPT), base]
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    text = out.decode(errors="replace")
    line = next((x for x in text.splitlines() if x.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {text}")
    data = json.loads(line[len("BENCH_JSON ") :])
    latency = {k: round(v / 1000, 2) for k, v in data["latency_us"].items()}
    return Run(
        label,
        data["requests"],
        data["duration_us"] / 1e6,
        {int(k): v for k, v in data["statuses"].items()},
        data["errors"],
        latency,
    )


@dataclass
class CheckoutForm:
    """What a browser posts from a product page: its visitor cookie and CSRF token, read
    from the page itself, and the customer's fields (the phone left as PHONE)."""

    url: str
    cookie: str
    body: str

    def for_phone(self, phone: str) -> str:
        return self.body.replace("PHONE", phone)


async def checkout_form(base_url: str, slug: str, product: str) -> CheckoutForm:
    url = f"{base_url}/{slug}/p/{product}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        page = await response.text()
        if response.status != 200:
            raise RuntimeError(f"product page answered {response.status}")
        visitor = response.cookies["hv"].value
    token = CSRF.search(page)
    variant = VARIANT.search(page)
    if token is None or variant is None:
        raise RuntimeError("no CSRF token or variant on the product page")
    fields = {
        "csrf_token": html.unescape(token.group(1)),
        "variant_id": variant.group(1) or variant.group(2),
        "quantity": "1",
        "name": "Amina Benali",
        "phone": "PHONE",
        "wilaya": "16",
        "commune": "1601",
        "address": "12 rue Didouche Mourad, Alger",
        "delivery_type": "home",
        "note": "",
        "website": "",
    }
    return CheckoutForm(url, f"hv={visitor}", urlencode(fields))
