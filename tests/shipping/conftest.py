"""Fixtures for the shipping tests: a probe route beside the production routing table
that records every order topic, and a running fake Yalidine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models.outbox.routes import Route
from tests.couriers.fake_yalidine import FakeYalidine
from tests.wiring import WireOutbox

PROBE = "probe"  # a channel no relay here delivers: its rows show what was published


@pytest.fixture(autouse=True)
def probe_route(wire_outbox: WireOutbox) -> None:
    wire_outbox(Route(PROBE, ("order.*",)))


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()
