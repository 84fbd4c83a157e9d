"""The outbox's routing table: patterns, store filters, one route per channel, and the
topics a table must serve before a process may start with it."""

from __future__ import annotations

import pytest

from models.outbox.routes import MissingRoute, Route, Routes
from models.stores.tables import Store

COURIER = Route("courier", ("parcel.*",))
SHOP = Store(id=7, slug="souk", name="Souk", owner_email="")
MAILED = Store(id=8, slug="dar", name="Dar", owner_email="owner@dar.test")


@pytest.mark.parametrize(
    ("patterns", "topic", "taken"),
    [
        (("order.created",), "order.created", True),
        (("order.created",), "order.confirmed", False),
        (("order.*",), "order.call_logged", True),
        (("order.*",), "orders.x", False),
        (("order.*",), "parcel.create", False),
        (("parcel.*", "store.webhook_disabled"), "store.webhook_disabled", True),
        (("*",), "anything", True),
        ((), "order.created", False),
    ],
)
def test_a_route_takes_its_exact_topics_and_prefixes(
    patterns: tuple[str, ...], topic: str, taken: bool
) -> None:
    assert Route("x", patterns).matches(topic) is taken


def test_the_store_filter_narrows_a_route() -> None:
    email = Route("email", ("order.created",), when=lambda store: bool(store.owner_email))
    table = Routes(email, COURIER)
    assert [r.channel for r in table.wanting(MAILED, "order.created")] == ["email"]
    assert table.wanting(SHOP, "order.created") == []
    assert [r.channel for r in table.wanting(SHOP, "parcel.create")] == ["courier"]


def test_a_table_refuses_two_routes_for_one_channel() -> None:
    with pytest.raises(ValueError, match="'courier'"):
        Routes(COURIER, Route("courier", ("order.*",)))


def test_a_table_without_a_channel_for_every_parcel_is_refused() -> None:
    with pytest.raises(MissingRoute, match=r"parcel\.create"):
        Routes(Route("email", ("order.created",)))
    with pytest.raises(MissingRoute, match=r"parcel\.create"):
        Routes(Route("courier", ("parcel.*",), when=lambda store: store.id == 1))
    with pytest.raises(MissingRoute):
        Routes(COURIER).without("courier")


def test_replacing_and_without_build_new_tables() -> None:
    table = Routes(COURIER, Route("email", ("order.created",)))
    wider = table.replacing(Route("email", ("order.*",)), Route("audit", ("*",)))
    assert list(wider.channels) == ["courier", "email", "audit"]
    assert wider.channels["email"].topics == ("order.*",)
    assert table.channels["email"].topics == ("order.created",)  # unchanged
    assert list(wider.without("audit", "email").channels) == ["courier"]
    with pytest.raises(TypeError):
        wider.channels["x"] = COURIER  # type: ignore[index]
