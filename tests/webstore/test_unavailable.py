"""The database briefly unusable (PostgreSQL restarting, SQLite locked by another writer):
the storefront answers a "try again" page and the API a JSON 503, both with Retry-After,
never a 500. A real bug is still a 500. (tests/system/test_postgres_restart.py stops a
real server; here the fault is raised where the ORM would raise it.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from tortoise.exceptions import DBConnectionError, OperationalError

from models.infra.db import is_unavailable
from models.stores.tables import Store
from tests.factories import make_shop
from tests.webstore.api_support import intake_body, serve

FAULTS = {
    "refused": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    "starting up": asyncpg.CannotConnectNowError("the database system is starting up"),
    "shutting down": asyncpg.AdminShutdownError("terminating connection due to administrator"),
    "closed mid-query": asyncpg.ConnectionDoesNotExistError("connection was closed"),
    "pool": DBConnectionError("can't connect"),
    "sqlite locked": OperationalError("database is locked"),
}


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


def fail_with(monkeypatch: pytest.MonkeyPatch, fault: BaseException) -> None:
    async def unusable(*args: object, **kwargs: object) -> None:
        raise fault

    monkeypatch.setattr(Store, "get_or_none", unusable)


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_the_storefront_asks_to_try_again(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch, fault: BaseException
) -> None:
    await make_shop()
    fail_with(monkeypatch, fault)
    resp = await client.get("/shop/", headers={"Accept-Language": "fr"})
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "5"
    assert "réessayer dans quelques secondes" in await resp.text()


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_the_api_answers_503_unavailable(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch, fault: BaseException
) -> None:
    shop = await make_shop()
    fail_with(monkeypatch, fault)
    resp = await client.post(
        "/v1/stores/shop/orders",
        json=intake_body(shop.variants[0].id),
        headers={"Idempotency-Key": "k-1"},
    )
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"  # the landing page can read it
    assert (await resp.json())["error"]["code"] == "unavailable"


async def test_a_bug_is_still_a_500(
    client: TestClient[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_shop()
    fail_with(monkeypatch, RuntimeError("a bug"))
    assert (await client.get("/shop/")).status == 500
    resp = await client.post(
        "/v1/stores/shop/orders", json=intake_body(1), headers={"Idempotency-Key": "k-2"}
    )
    assert resp.status == 500 and "Retry-After" not in resp.headers


def test_unavailable_is_found_in_the_cause_of_what_the_orm_raised() -> None:
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as exc:
            raise OperationalError("query failed") from exc
    except OperationalError as wrapped:
        assert is_unavailable(wrapped)
    assert not is_unavailable(OperationalError("syntax error at or near"))
    assert not is_unavailable(ValueError("bad input"))
    assert not is_unavailable(FileNotFoundError("media/x.jpg"))
