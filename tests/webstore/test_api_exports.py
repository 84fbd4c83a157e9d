"""GET /v1/exports/orders: the file in both formats with the right headers, the period
rules answered 400 with a reason, one store's key never reading another store's orders,
and the operation in the OpenAPI document with its file media types."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from models.orders.tables import Order
from tests.models.test_exports import FR_HEADERS, Known, expected_fr, known_orders
from tests.webstore.api_support import bearer, place, serve
from webstore import api_exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEK = "from=2026-11-21&to=2026-11-27"


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


@pytest.fixture
async def known(db: str) -> Known:
    return await known_orders()


async def test_the_xlsx_download_is_the_week_s_orders(
    client: TestClient[Any, Any], known: Known
) -> None:
    resp = await client.get(
        f"/v1/exports/orders?{WEEK}&format=xlsx", headers=bearer(known.shop.api_key)
    )
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"] == XLSX
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="hanout-shop-orders-2026-11-21_2026-11-27.xlsx"'
    )
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Order-Count"] == "5"
    body = await resp.read()
    assert int(resp.headers["Content-Length"]) == len(body)
    book = openpyxl.load_workbook(io.BytesIO(body))
    rows = [list(r) for r in book["Commandes"].iter_rows(values_only=True)]
    assert rows == [FR_HEADERS, *await expected_fr(known)]


async def test_the_csv_download_in_another_language_and_one_status(
    client: TestClient[Any, Any], known: Known
) -> None:
    resp = await client.get(
        f"/v1/exports/orders?{WEEK}&format=csv&lang=en&status=shipped",
        headers=bearer(known.shop.api_key),
    )
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="hanout-shop-orders-shipped-2026-11-21_2026-11-27.csv"'
    )
    body = await resp.read()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Order", "Order date", "Status", "Customer"]
    assert [(r[0], r[2], r[19], r[21]) for r in rows[1:]] == [
        (str(known.numbers[2]), "Shipped", "yal-ABC123", "Delivery failed")
    ]


async def test_a_named_period_and_the_default_week_follow_today(
    client: TestClient[Any, Any], known: Known, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Algiers is 00:30 on 15/12; the known set is three weeks older.
    monkeypatch.setattr(api_exports, "now", lambda: datetime(2026, 12, 14, 23, 30, tzinfo=UTC))
    fresh = await place(known.shop, 1)
    await Order.filter(id=fresh.id).update(created_at=datetime(2026, 12, 14, 23, 10, tzinfo=UTC))
    yesterday = await place(known.shop, 2)
    await Order.filter(id=yesterday.id).update(
        created_at=datetime(2026, 12, 14, 22, 50, tzinfo=UTC)
    )
    auth = bearer(known.shop.api_key)
    for query, count in (("", 2), ("?period=today", 1), ("?period=week&format=csv", 2)):
        resp = await client.get(f"/v1/exports/orders{query}", headers=auth)
        assert resp.status == 200, await resp.text()
        assert resp.headers["X-Order-Count"] == str(count), query
    resp = await client.get("/v1/exports/orders?period=today&format=csv", headers=auth)
    assert resp.headers["Content-Disposition"].endswith('2026-12-15.csv"')
    rows = list(csv.reader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [str(fresh.number)]
    resp = await client.get("/v1/exports/orders?from=2026-11-24", headers=auth)  # to today
    assert resp.headers["X-Order-Count"] == "5"  # C, D, E of the known set and the two new


async def test_another_store_s_key_reads_only_its_own_orders(
    client: TestClient[Any, Any], known: Known
) -> None:
    resp = await client.get(
        f"/v1/exports/orders?{WEEK}&format=csv", headers=bearer(known.other.api_key)
    )
    assert resp.status == 200
    assert resp.headers["Content-Disposition"].endswith(
        'filename="hanout-other-orders-2026-11-21_2026-11-27.csv"'
    )
    rows = list(csv.reader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["Someone Else"]
    mine = {f"Client {x}" for x in "ABCE"}
    assert not mine & {r[3] for r in rows}


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("period=fortnight", "period", "unknown period 'fortnight'"),
        ("period=2026-02-30", "period", "2026-02-30 is not a day of the calendar"),
        ("from=2026-11-27&to=2026-11-01", "period", "is after the last one"),
        ("from=2025-01-01&to=2026-01-02", "period", "at most 366 days at once (367 asked)"),
        ("from=2026-11-31", "from", "from: 2026-11-31 is not a day of the calendar"),
        ("from=2026-11-01&to=2026-11-31", "to", "to: 2026-11-31 is not a day of the calendar"),
    ],
)
async def test_a_bad_period_is_a_400_that_says_why(
    client: TestClient[Any, Any], known: Known, query: str, field: str, says: str
) -> None:
    resp = await client.get(f"/v1/exports/orders?{query}", headers=bearer(known.shop.api_key))
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_parameter"
    assert says in error["message"]
    assert error["fields"] == {field: "invalid"}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("period=week&from=2026-11-01", "give either period or from/to, not both"),
        ("to=2026-11-01", "to needs from"),
        ("format=pdf", "format"),
        ("lang=de", "lang"),
        ("status=lost", "status"),
        ("from=01/11/2026", "from"),
        ("week=1", "week"),
    ],
)
async def test_bad_parameters_are_a_400_naming_them(
    client: TestClient[Any, Any], known: Known, query: str, says: str
) -> None:
    resp = await client.get(f"/v1/exports/orders?{query}", headers=bearer(known.shop.api_key))
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_parameter" and says in error["message"]


async def test_no_key_no_file(client: TestClient[Any, Any], known: Known) -> None:
    resp = await client.get(f"/v1/exports/orders?{WEEK}")
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "unauthorized"


async def test_the_document_lists_the_export_with_its_file_types(
    client: TestClient[Any, Any],
) -> None:
    document = await (await client.get("/v1/openapi.json")).json()
    validate(document)
    operation = document["paths"]["/v1/exports/orders"]["get"]
    assert operation["operationId"] == "exportOrders"
    assert operation["responses"]["200"]["content"] == {
        "text/csv": {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "format": "binary"}},
    }
    assert {"400", "401"} <= set(operation["responses"])
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"period", "from", "to", "status", "format", "lang"}
