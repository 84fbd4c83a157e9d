"""The outbox's routing table (SPEC §7): which channel gets a row for which topic.

One table, built by the composition root (`hanout.processes.outbox_routes`) and handed to
the outbox with `relay.use_routes` before anything publishes; nothing registers itself at
import time. A table that leaves a topic the domain relies on without a channel for every
store (a parcel to create) is refused when it is built, so a process fails at start rather
than mid-dispatch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store

StoreFilter = Callable[[Store], bool]
# Rows of a channel that writes one row per recipient (a store's webhook endpoints) rather
# than one per message: (conn, store, topic, order, event, data) -> rows, in the
# change's transaction.
Fanout = Callable[
    [BaseDBAsyncClient, Store, str, Order, OrderEvent, dict[str, Any]],
    Awaitable[list[OutboxMessage]],
]
# Called in the transaction that dead-letters a row of the channel, after the row is marked
# dead (webhook endpoints count their dead letters in a row there).
DeadLetterHook = Callable[[BaseDBAsyncClient, OutboxMessage, str], Awaitable[None]]

# Topics published by use cases that cannot do their work without a channel behind them:
# a dispatch whose `parcel.create` row nobody writes would never get its parcel.
REQUIRED_TOPICS = frozenset({"parcel.create"})


def every_store(store: Store) -> bool:
    """The store filter of a route that takes its topics whatever the store."""
    return True


class MissingRoute(Exception):
    """A routing table leaves a required topic without a channel for every store."""


@dataclass(frozen=True)
class Route:
    """One channel's subscription. `topics` holds exact topics, `prefix.*` patterns or `*`;
    `when` narrows it to some stores (decided from the store row alone, without a query).
    `fanout`, when given, writes the channel's rows (one per recipient) instead of one row;
    `on_dead_letter` runs when a row of the channel is dead-lettered."""

    channel: str
    topics: tuple[str, ...]
    when: StoreFilter = every_store
    fanout: Fanout | None = None
    on_dead_letter: DeadLetterHook | None = None

    def matches(self, topic: str) -> bool:
        """Whether the route takes `topic`, for some store."""
        return any(_matches(pattern, topic) for pattern in self.topics)

    def wants(self, store: Store, topic: str) -> bool:
        """Whether the channel gets a row for `topic` of `store`."""
        return self.matches(topic) and self.when(store)


def _matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return topic == pattern


class Routes:
    """The routing table: one route per channel, frozen once built."""

    __slots__ = ("_by_channel",)

    def __init__(self, *routes: Route) -> None:
        by_channel: dict[str, Route] = {}
        for route in routes:
            if route.channel in by_channel:
                raise ValueError(f"two routes for outbox channel {route.channel!r}")
            by_channel[route.channel] = route
        missing = sorted(t for t in REQUIRED_TOPICS if not _served(t, routes))
        if missing:
            raise MissingRoute(f"no outbox channel takes {', '.join(missing)} for every store")
        self._by_channel: Mapping[str, Route] = MappingProxyType(by_channel)

    @property
    def channels(self) -> Mapping[str, Route]:
        """Each channel's route, by channel name."""
        return self._by_channel

    def wanting(self, store: Store, topic: str) -> list[Route]:
        """The routes that get a row (or rows) for `topic` of `store`, in table order."""
        return [route for route in self._by_channel.values() if route.wants(store, topic)]

    def dead_letter_hook(self, channel: str) -> DeadLetterHook | None:
        route = self._by_channel.get(channel)
        return route.on_dead_letter if route is not None else None

    def replacing(self, *routes: Route) -> Routes:
        """A new table with `routes` in place of the same channels' (or added)."""
        replaced = {route.channel: route for route in routes}
        kept = [r for r in self._by_channel.values() if r.channel not in replaced]
        return Routes(*kept, *routes)

    def without(self, *channels: str) -> Routes:
        """A new table without these channels' routes (MissingRoute if one is required)."""
        return Routes(*(r for r in self._by_channel.values() if r.channel not in channels))

    def __repr__(self) -> str:
        return f"Routes({', '.join(self._by_channel)})"


def _served(topic: str, routes: tuple[Route, ...]) -> bool:
    return any(r.matches(topic) and r.when is every_store for r in routes)
