"""A sync of many Yalidine shipments: the real adapter (couriers.yalidine) reads every parcel
from the fake Yalidine of the test suite (tests/couriers/fake_yalidine), which enforces the
four quota windows (5/s, 50/min, 1,000/h, 10,000/day) and answers 429 past any of them.
The clock is the fake's, shared with the adapter: waiting for a window costs no real time,
so the run reports courier time (what the sync would take against Yalidine) and wall time
(what it costs here)."""

from __future__ import annotations

import math
import time
from typing import Any

from couriers.base import Account, ParcelStatus
from couriers.yalidine import TRACK_BATCH, YalidineCourier
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, QUOTAS, FakeClock, FakeYalidine

# The statuses the reference lists (reference/couriers.md §2.5), cycled over the parcels.
STATUSES = [
    "Pas encore expédié", "En préparation", "Ramassé", "Transfert", "Expédié", "Centre",
    "Vers Wilaya", "Reçu à Wilaya", "En attente du client", "Sorti en livraison",
    "Tentative échouée", "En alerte", "Livré", "Echèc livraison", "Retourné au vendeur",
]  # fmt: skip


def busiest_windows(times: list[float]) -> dict[str, int]:
    """The most requests that fell inside any one window of each quota."""
    times, busiest = sorted(times), {}
    for name, (seconds, _) in QUOTAS.items():
        start, most = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        busiest[name] = most
    return busiest


async def yalidine_sync(shipments: int) -> dict[str, Any]:
    fake = FakeYalidine(FakeClock())
    await fake.start()
    credentials = {"api_id": API_ID, "api_token": API_TOKEN, "from_wilaya": "5"}
    courier = YalidineCourier(
        Account("yalidine", fake.base_url, credentials), clock=fake.clock, sleep=fake.clock.sleep
    )
    try:
        trackings = fake.seed(shipments, STATUSES, reason="Client ne répond pas")
        started, wall = fake.clock(), time.monotonic()
        states = await courier.track_many(trackings)
        wall = time.monotonic() - wall
        courier_seconds = fake.clock() - started
    finally:
        await courier.aclose()
        await fake.close()
    busiest = busiest_windows([s.at for s in fake.admitted()])
    reads = sum(s.path == "/v1/parcels/" for s in fake.seen)
    return {
        "shipments": shipments,
        "states_read": len(states),
        "unknown_statuses": sum(s.status is ParcelStatus.UNKNOWN for s in states.values()),
        "requests": len(fake.seen),
        "minimum_requests": math.ceil(shipments / TRACK_BATCH),
        "parcel_reads": reads,
        "history_reads": len(fake.seen) - reads,
        "courier_time_s": round(courier_seconds, 1),
        "wall_time_s": round(wall, 2),
        "served_429": sum(s.status == 429 for s in fake.seen),
        "quota_violations": fake.over_quota
        + sum(busiest[name] > allowed for name, (_, allowed) in QUOTAS.items()),
        "busiest_windows": busiest,
        "quotas": {name: allowed for name, (_, allowed) in QUOTAS.items()},
    }
