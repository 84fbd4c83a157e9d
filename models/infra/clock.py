"""The domain's clock: every "now" in models/ is read here, aware and in UTC.

Call it as `clock.now()` (not imported by name) so a test can move time for every module at
once with `monkeypatch.setattr(clock, "now", ...)`."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
