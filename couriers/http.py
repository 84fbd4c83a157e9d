"""HTTP plumbing shared by the adapters: one httpx client per account, explicit timeouts,
quota windows (learned from headers where the courier sends them), and 429 Retry-After."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from couriers.base import (
    CourierAuthError,
    CourierRateLimited,
    CourierUnavailable,
)

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_RETRIES_429 = 3


class Quota:
    """Several sliding windows at once (Yalidine: per second, minute, hour and day)."""

    def __init__(
        self,
        windows: Mapping[float, int],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.windows = dict(windows)  # seconds → allowed requests
        self.clock, self.sleep = clock, sleep
        self.sent: deque[float] = deque()
        self.paused_until = 0.0
        self._lock = asyncio.Lock()
        self.longest = max(self.windows, default=0.0)

    def _wait(self, now: float) -> float:
        while self.sent and now - self.sent[0] >= self.longest:
            self.sent.popleft()
        wait = max(0.0, self.paused_until - now)
        for seconds, allowed in self.windows.items():
            inside = [t for t in self.sent if now - t < seconds]
            if len(inside) >= allowed:
                wait = max(wait, inside[-allowed] + seconds - now)
        return wait

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self._wait(self.clock())) > 0:
                await self.sleep(wait)
            self.sent.append(self.clock())

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)


def retry_after(response: httpx.Response, default: float = 5.0) -> float:
    raw = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default


class HttpClient:
    """Sends requests for one account within its quota; maps transport failures to
    CourierUnavailable, 401/403 to CourierAuthError, 429 to a wait and a retry."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        quota: Quota | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.quota = quota
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=dict(headers),
            timeout=TIMEOUT,
            follow_redirects=False,
            transport=transport,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(MAX_RETRIES_429 + 1):
            if self.quota is not None:
                await self.quota.acquire()
            try:
                response = await self.client.request(method, path.lstrip("/"), **kwargs)
            except httpx.TimeoutException as exc:
                raise CourierUnavailable(f"timeout: {method} {path}") from exc
            except httpx.HTTPError as exc:
                raise CourierUnavailable(f"network: {exc}") from exc
            if response.status_code != 429:
                return self._checked(response)
            wait = retry_after(response)
            log.warning("courier rate limited path=%s retry_after=%s", path, wait)
            if self.quota is not None:
                self.quota.pause(wait)
            else:
                await asyncio.sleep(wait)
        raise CourierRateLimited(f"still rate limited: {method} {path}", wait)

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code in (401, 403):
            raise CourierAuthError(f"credentials refused ({response.status_code})")
        if response.status_code >= 500:
            raise CourierUnavailable(f"courier error {response.status_code}")
        return response

    async def aclose(self) -> None:
        await self.client.aclose()
