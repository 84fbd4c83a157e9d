"""How often a parcel is asked about: PARCEL_POLL_SECONDS, never more often than its
courier's quotas allow (a floor per courier, computed from the quota windows and the track
batch of its adapter).

The floor plans for PLANNED_PARCELS active parcels on one account, each read once per
interval in batches of the courier's size (plus as many follow-up reads, such as
Yalidine's failure reasons), using at most POLL_SHARE of every quota window: the rest is
for dispatches, desk lists, reference data and other processes using the same keys.
A courier webhook makes a parcel's changes arrive at once, whatever this interval.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from datetime import timedelta

from couriers.base import Account, Courier, CourierError
from couriers.registry import COURIERS
from models.shipping.parcels import set_poll_intervals
from shipping.pool import Build, build_from_registry

log = logging.getLogger(__name__)

PLANNED_PARCELS = 1000
POLL_SHARE = 0.5
MIN_POLL_SECONDS = 60  # the parcel sync runs once a minute: polling cannot be faster
PLACEHOLDER_URL = "https://courier.invalid/"  # never called


class _AnyCredential(Mapping[str, str]):
    """Placeholder credentials: an adapter is built only to read its quota and batch."""

    def __getitem__(self, key: str) -> str:
        return "placeholder"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def quota_floor(windows: Mapping[float, int], track_batch: int) -> float:
    """The shortest poll interval (seconds) that keeps PLANNED_PARCELS within POLL_SHARE of
    every window."""
    if track_batch <= 0:
        return float(MIN_POLL_SECONDS)  # nothing is polled
    per_round = 2 * math.ceil(PLANNED_PARCELS / track_batch)
    floor = float(MIN_POLL_SECONDS)
    for seconds, allowed in windows.items():
        floor = max(floor, seconds * per_round / (allowed * POLL_SHARE))
    return math.ceil(floor)


def windows_of(adapter: Courier) -> Mapping[float, int]:
    """The quota windows of an adapter's HTTP client ({} when it keeps none)."""
    quota = getattr(getattr(adapter, "http", None), "quota", None)
    windows = getattr(quota, "windows", None)
    return dict(windows) if isinstance(windows, Mapping) else {}


def placeholder_adapter(name: str, build: Build = build_from_registry) -> Courier:
    """The courier's adapter with placeholder credentials, to read its quota and batch
    (it is never asked anything; close it)."""
    return build(Account(name, PLACEHOLDER_URL, _AnyCredential()))


async def courier_floors(build: Build = build_from_registry) -> dict[str, int]:
    """Each courier's floor in seconds, from its adapter's quota and track batch."""
    floors: dict[str, int] = {}
    for name in sorted(COURIERS):
        try:
            adapter = placeholder_adapter(name, build)
        except CourierError as exc:
            log.warning("poll floor unknown courier=%s error=%s", name, exc)
            continue
        try:
            floors[name] = int(quota_floor(windows_of(adapter), adapter.capabilities.track_batch))
        finally:
            await adapter.aclose()
    return floors


def poll_intervals(seconds: int, floors: Mapping[str, int]) -> dict[str, int]:
    """Per courier, PARCEL_POLL_SECONDS or its floor when the setting is below it."""
    return {name: max(seconds, floor) for name, floor in floors.items()}


async def configure_polling(seconds: int, build: Build = build_from_registry) -> dict[str, int]:
    """Set this process's poll intervals (models.shipping.parcels.poll_every); returns them."""
    intervals = poll_intervals(seconds, await courier_floors(build))
    raised = {name: s for name, s in intervals.items() if s > seconds}
    if raised:
        log.info(
            "parcel poll interval raised to the couriers' quotas seconds=%s %s",
            seconds,
            " ".join(f"{name}={s}" for name, s in sorted(raised.items())),
        )
    per_courier = {name: timedelta(seconds=s) for name, s in intervals.items()}
    set_poll_intervals(timedelta(seconds=max(seconds, MIN_POLL_SECONDS)), per_courier)
    return intervals
