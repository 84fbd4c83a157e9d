"""Fixtures for the shipping tests: the courier outbox route (removed afterwards), a
probe route that records every order topic, and a running fake Yalidine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from models.outbox import relay
from shipping.channel import CHANNEL, wants
from tests.couriers.fake_yalidine import FakeYalidine

PROBE = "probe"  # a channel no relay here delivers: its rows show what was published


@pytest.fixture(autouse=True)
def courier_route(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(relay._routes, CHANNEL, wants)
    monkeypatch.setitem(relay._routes, PROBE, lambda store, topic: topic.startswith("order."))
    yield


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()
