"""HTTP plumbing shared by the adapters: one httpx client per account, explicit timeouts,
quota windows (learned from headers where the courier sends them), and 429 Retry-After.

Two lanes share an account's quota: a call a person waits for (a dispatch, a desk list, a
credentials test) never queues behind background work (reference loading, the parcel
sync), which runs inside `background_calls()`, keeps part of every window free and gives
way while a call of the first lane waits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
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
# Background calls leave this share of every window (at least one request) to the calls
# a person waits for, so a dispatch finds room even while reference data is loading.
RESERVED_SHARE = 0.2
YIELD_SECONDS = 0.05  # a background call waiting for the first lane looks again this often

_background: ContextVar[bool] = ContextVar("courier_background_calls", default=False)


@contextmanager
def background_calls() -> Iterator[None]:
    """Courier calls made inside (in this task) use the background lane of their quota."""
    token = _background.set(True)
    try:
        yield
    finally:
        _background.reset(token)


def in_background() -> bool:
    return _background.get()


def reserved(allowed: int) -> int:
    """Requests of a window background calls leave free (none when it allows only one)."""
    return min(allowed - 1, max(1, round(allowed * RESERVED_SHARE)))


class Quota:
    """Several sliding windows at once (Yalidine: per second, minute, hour and day).

    One deque of send times per window, trimmed from the left as times leave it, so a
    request costs O(1) amortised however large the window. A deque never holds more than
    its window allows, so its oldest entry says when the next request fits.

    Couriers that report what is left of each window (Yalidine's `x-…-quota-left`) name
    those headers in `header_windows`; `observe` then counts requests another process with
    the same keys already spent, so a fresh process does not overrun a shared window.
    `max_wait` (seconds) turns a longer wait into CourierRateLimited instead of a sleep."""

    max_wait: float | None = None

    def __init__(
        self,
        windows: Mapping[float, int],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.windows = dict(windows)  # seconds → allowed requests
        self.clock, self.sleep = clock, sleep
        self.sent: dict[float, deque[float]] = {seconds: deque() for seconds in self.windows}
        self.header_windows: dict[str, float] = {}  # response header → window it reports
        self.paused_until = 0.0
        self._lock = asyncio.Lock()  # the first lane's order
        self._background_lock = asyncio.Lock()
        self._urgent_waiting = 0

    def _trim(self, seconds: float, now: float) -> deque[float]:
        sent = self.sent[seconds]
        while sent and now - sent[0] >= seconds:
            sent.popleft()
        return sent

    def _wait(self, now: float, background: bool = False) -> float:
        wait = max(0.0, self.paused_until - now)
        for seconds, allowed in self.windows.items():
            sent = self._trim(seconds, now)
            room = allowed - reserved(allowed) if background else allowed
            if len(sent) >= room:  # wait for the request whose leaving makes room
                wait = max(wait, sent[len(sent) - room] + seconds - now)
        return wait

    def _check(self, wait: float) -> None:
        if self.max_wait is not None and wait > self.max_wait:
            raise CourierRateLimited(f"quota: next request in {wait:.0f}s", wait)

    def _count(self) -> None:
        now = self.clock()
        for sent in self.sent.values():
            sent.append(now)

    async def acquire(self) -> None:
        """Wait until one more request fits every window, then count it as sent. Inside
        `background_calls()` the request also leaves the reserved share of each window
        free and gives way while a first-lane request is waiting."""
        if in_background():
            await self._acquire_background()
            return
        self._urgent_waiting += 1
        try:
            async with self._lock:
                while (wait := self._wait(self.clock())) > 0:
                    self._check(wait)
                    await self.sleep(wait)
                self._count()
        finally:
            self._urgent_waiting -= 1

    async def _acquire_background(self) -> None:
        async with self._background_lock:
            while True:
                if self._urgent_waiting:
                    await self.sleep(YIELD_SECONDS)
                    continue
                wait = self._wait(self.clock(), background=True)
                if wait <= 0:
                    break
                self._check(wait)
                await self.sleep(wait)
            self._count()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def throttled(self) -> None:
        """The courier answered 429 although we kept to our windows: its real limit is
        lower (or another app shares the keys), so every window shrinks by a fifth for the
        rest of this client's life (never below one request)."""
        self.windows = {s: max(1, allowed * 4 // 5) for s, allowed in self.windows.items()}
        log.warning("courier quota lowered windows=%s", self.windows)

    def learn(self, seconds: float, left: int) -> None:
        """The courier says only `left` more requests fit in this window: requests spent
        elsewhere are counted as sent now (the cautious guess, since we cannot know when)."""
        allowed = self.windows.get(seconds)
        if allowed is None:
            return
        now = self.clock()
        sent = self._trim(seconds, now)
        missing = max(0, allowed - max(left, 0)) - len(sent)
        if missing > 0:
            sent.extend([now] * missing)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from a response's quota headers (those named in `header_windows`)."""
        for name, seconds in self.header_windows.items():
            try:
                left = int(float(headers.get(name, "")))
            except (ValueError, OverflowError):
                continue
            self.learn(seconds, left)


# Laravel's throttle (EcoTrack, NOEST) and most gateways: what is left of the minute.
RATE_LIMIT_HEADERS = {"X-RateLimit-Remaining": 60.0}


def retry_after(response: httpx.Response, default: float = 5.0) -> float:
    """Seconds to wait from Retry-After: a number of seconds or an HTTP date."""
    raw = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HttpClient:
    """Sends requests for one account within its quota; maps transport failures to
    CourierUnavailable, 401/403 to CourierAuthError, 429 to a wait and a retry."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        quota: Quota | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.quota = quota
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=dict(headers),
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        wait = 0.0
        for attempt in range(MAX_RETRIES_429 + 1):
            if self.quota is not None:
                await self.quota.acquire()
            try:
                response = await self.client.request(method, path.lstrip("/"), **kwargs)
            except httpx.TimeoutException as exc:
                raise CourierUnavailable(f"timeout: {method} {path}") from exc
            except httpx.HTTPError as exc:
                raise CourierUnavailable(f"network: {exc}") from exc
            if response.status_code != 429:
                if self.quota is not None:
                    self.quota.observe(response.headers)
                return self._checked(response)
            backoff = 5.0 * 2**attempt  # no Retry-After: 5 s, 10 s, 20 s, 40 s
            wait = retry_after(response, default=backoff)
            log.warning("courier rate limited path=%s retry_after=%s", path, wait)
            if self.quota is not None:
                self.quota.throttled()
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
