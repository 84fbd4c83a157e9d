"""The per-address checkout limit: IPv6 counted per /64, memory bounded however many
addresses come, and an address that keeps hitting stays known while a flood passes."""

from __future__ import annotations

import logging

import pytest

from models.orders.tables import Order
from tests.factories import make_shop
from tests.webstore.api_support import intake_body, phone, serve
from webstore.config import WebConfig
from webstore.security import SlidingWindow, address_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),  # an IPv4 client on a dual-stack socket
        ("", ""),
        ("not an address", "not an address"),
    ],
)
def test_the_budget_key_of_an_address(address: str, key: str) -> None:
    assert address_key(address) == key


def test_ipv6_addresses_of_one_64_share_a_budget() -> None:
    window = SlidingWindow(limit=3, window=600, clock=Clock())
    assert all(window.hit(f"2001:db8:0:7::{n:x}") for n in range(1, 4))
    assert not window.hit("2001:db8:0:7:dead:beef:0:1")  # the same /64, another address
    assert window.hit("2001:db8:0:8::1")  # the next /64 has its own budget
    assert not window.hit("2001:db8:0:7::99")
    assert len(window) == 2


def test_a_flood_of_addresses_keeps_the_structure_bounded() -> None:
    clock = Clock()
    window = SlidingWindow(limit=2, window=600, clock=clock, max_keys=100)
    assert window.hit("198.51.100.1") and window.hit("198.51.100.1")
    for n in range(10_000):  # a flood of distinct IPv6 networks, within one window
        assert window.hit(f"2001:db8:{n >> 16:x}:{n & 0xFFFF:x}::1")
        if n % 50 == 0:  # the abuser keeps trying: it stays among the recent, still refused
            assert not window.hit("198.51.100.1")
        assert len(window) <= 100
    assert len(window) == 100
    assert all(len(hits) <= 2 for hits in window._hits.values())
    assert window.hit("2001:db8:0:0::1")  # long forgotten: a fresh budget


def test_the_window_still_slides() -> None:
    clock = Clock()
    window = SlidingWindow(limit=1, window=600, clock=clock, max_keys=10)
    assert window.hit("2001:db8::1") and not window.hit("2001:db8::2")
    clock.now += 600.5
    assert window.hit("2001:db8::3")


async def test_the_intake_counts_an_ipv6_network_as_one_client(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop(stock=100)
    config = WebConfig(secret_key="test", checkout_ip_limit=2, trust_forwarded=True)
    statuses = []
    async with serve(config) as client:
        for n, address in enumerate(
            ["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:1:2:3:4", "2001:db8:5:7::1"]
        ):
            body = intake_body(shop.variants[0].id)
            body["customer"]["phone"] = phone(n)
            resp = await client.post(
                "/v1/stores/shop/orders",
                json=body,
                headers={"Idempotency-Key": f"k-{n}", "X-Forwarded-For": address},
            )
            statuses.append(resp.status)
    assert statuses == [201, 201, 429, 201]
    assert await Order.all().count() == 3
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
