"""An answer that carries an order's new `version` carries the `updated_at` of that same
change (a client that syncs by `updated_since` must not see a change as older than it is)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve


def _at(order: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(order["updated_at"])


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("calls", {"outcome": "no_answer"}, 201),
        ("calls", {"outcome": "confirmed"}, 201),  # the call, then the transition
        ("calls", {"outcome": "fake"}, 201),
        ("transitions", {"to": "confirmed"}, 200),
    ],
)
async def test_a_change_answers_its_own_updated_at(
    db: str, caplog: pytest.LogCaptureFixture, path: str, body: dict[str, Any], status: int
) -> None:
    shop = await make_shop()
    order = await place(shop)
    auth = bearer(shop.api_key)
    async with serve() as client:
        before = await (await client.get(f"/v1/orders/{order.number}", headers=auth)).json()
        changed = await client.post(f"/v1/orders/{order.number}/{path}", json=body, headers=auth)
        assert changed.status == status, await changed.text()
        answered = (await changed.json()).get("order") or await changed.json()
        stored = await (await client.get(f"/v1/orders/{order.number}", headers=auth)).json()
    assert answered["version"] == stored["version"] > before["version"]
    assert _at(answered) == _at(stored) > _at(before)
    assert "Traceback" not in caplog.text
