"""Per-key rate limits of the REST API: a token bucket per API key.

A key may send `limit` requests at once (the burst) and then `limit` per `period`
seconds, refilled evenly. Buckets live in this process's memory: with several web
processes each gives a key its own budget, so the limit a client meets is per process —
the point is to keep one client from starving the others, not to bill. Answers carry
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the
bucket is full again); a refusal is 429 `rate_limited` with `Retry-After` in seconds.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

RATE_RE = re.compile(r"([1-9][0-9]{0,5})/([1-9][0-9]{0,5})")
HEADER_NAMES = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@dataclass(frozen=True, slots=True)
class Rate:
    limit: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`120/60`: 120 requests per 60 seconds. ValueError for anything else."""
        found = RATE_RE.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"a rate limit is written requests/seconds, e.g. 120/60: {text!r}")
        return cls(int(found[1]), float(found[2]))


DEFAULT_RATE = Rate(120, 60.0)


@dataclass(frozen=True, slots=True)
class Quota:
    """What one request was told: allowed or not, and the headers that say why."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        values = (self.limit, self.remaining, self.reset)
        return {name: str(value) for name, value in zip(HEADER_NAMES, values, strict=True)}


class TokenBuckets:
    """One bucket per key, in this process's memory."""

    MAX_KEYS = 50_000

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.clock = rate, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)

    @property
    def _per_second(self) -> float:
        return self.rate.limit / self.rate.period

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.rate.limit), now))
        # Rounded so that refills adding up to a whole token give exactly one.
        level = round(tokens + max(0.0, now - at) * self._per_second, 9)
        return min(float(self.rate.limit), level)

    def take(self, key: str) -> Quota:
        """Spend one token of `key`'s bucket if there is one."""
        now = self.clock()
        tokens = self._level(key, now)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.MAX_KEYS:
            self._forget_full(now)
        missing = self.rate.limit - tokens
        return Quota(
            allowed=allowed,
            limit=self.rate.limit,
            remaining=math.floor(tokens),
            reset=math.ceil(missing / self._per_second),
            retry_after=0 if allowed else math.ceil((1.0 - tokens) / self._per_second),
        )

    def _forget_full(self, now: float) -> None:
        # A full bucket is the same as no bucket: forgetting it changes nothing.
        full = [k for k in self._buckets if self._level(k, now) >= self.rate.limit]
        for key in full:
            del self._buckets[key]
