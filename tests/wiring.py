"""The type of the `wire_outbox` fixture (tests/conftest.py): hand the outbox, for one test,
the production routing table with some routes in place of or beside its own."""

from __future__ import annotations

from typing import Protocol

from models.outbox.routes import Route, Routes


class WireOutbox(Protocol):
    def __call__(self, *routes: Route, telegram: bool = False) -> Routes: ...
