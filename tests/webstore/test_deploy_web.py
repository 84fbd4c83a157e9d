"""What a deployment relies on from the web app: /healthz (alive) and /readyz (database
reachable and migrated), HSTS over HTTPS, and request paths logged without the secret or
the phone they carry."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from tortoise import Tortoise

from hanout.migrate import migration_files, pending_migrations
from models.infra.db import dialect_sql
from shipping import courier_webhooks
from tests.factories import make_shop
from tests.shipping.support import account, sealer
from tests.webstore.api_support import bearer, serve
from webstore.app import create_app
from webstore.config import WebConfig

HTTPS = {"X-Forwarded-Proto": "https"}
MAYSTRO_TOKEN = "mst-token-never-logged-0123456789"


def ours(caplog: pytest.LogCaptureFixture) -> str:
    """What Hanout logged. The test server's access log is left out: the processes run
    aiohttp without one (tests/hanout/test_deploy.py reads a real process's whole log)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")


def readiness_of(db_url: str) -> WebConfig:
    return WebConfig(secret_key="web-secret", readiness=lambda: pending_migrations(db_url))


async def test_readyz_answers_ok_on_a_migrated_database(db: str) -> None:
    async with serve(readiness_of(db)) as client:
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert await ready.json() == {"status": "ok", "database": "ok"}
        assert (await client.get("/healthz")).status == 200


async def test_readyz_is_503_while_a_migration_is_missing(db: str) -> None:
    last = migration_files(db)[-1]
    conn = Tortoise.get_connection("default")
    where = dialect_sql(conn, "FROM aerich WHERE version = ?")
    rows = await conn.execute_query_dict(f"SELECT * {where}", [last])
    assert len(rows) == 1
    await conn.execute_query(f"DELETE {where}", [last])
    try:
        async with serve(readiness_of(db)) as client:
            ready = await client.get("/readyz")
            assert ready.status == 503 and ready.headers["Retry-After"]
            assert await ready.json() == {
                "status": "unavailable",
                "database": "ok",
                "pending_migrations": [last],
            }
            assert (await client.get("/healthz")).status == 200  # alive all the same
    finally:
        row = rows[0]
        marks = ", ".join("?" * len(row))
        insert = f"INSERT INTO aerich ({', '.join(row)}) VALUES ({marks})"
        await conn.execute_query(dialect_sql(conn, insert), list(row.values()))
    assert await pending_migrations(db) == []


@pytest.mark.parametrize(
    ("base_url", "trust", "headers", "hsts"),
    [
        ("https://shop.example.dz", True, HTTPS, True),
        ("https://shop.example.dz", True, {}, False),  # the proxy says plain http
        ("https://shop.example.dz", False, HTTPS, False),  # a header anyone can send
        ("http://127.0.0.1:8080", True, HTTPS, False),  # links say http: no promise
    ],
)
async def test_hsts_only_on_answers_served_over_https(
    db: str, base_url: str, trust: bool, headers: dict[str, str], hsts: bool
) -> None:
    config = WebConfig(secret_key="web-secret", base_url=base_url, trust_forwarded=trust)
    async with serve(config) as client:
        for path in ("/healthz", "/no-such-shop/", "/v1/orders"):  # page, error page, API
            answer = await client.get(path, headers=headers)
            sent = answer.headers.get("Strict-Transport-Security")
            assert sent == ("max-age=31536000" if hsts else None), (path, sent)


@pytest.fixture
async def courier_client() -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(WebConfig(secret_key="web-secret"))
    courier_webhooks.add_routes(app, sealer())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


async def test_a_maystro_token_never_reaches_the_log(
    db: str,
    courier_client: TestClient[Any, Any],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = await make_shop()
    acc = await account(shop.store, "maystro", "", {"webhook_secret": MAYSTRO_TOKEN})

    async def database_away(*_: object) -> None:
        raise ConnectionResetError("the database went away")

    async def bug(*_: object) -> None:
        raise RuntimeError("a bug")

    caplog.set_level(logging.DEBUG)
    body = b'{"event": "OrderStatusChanged", "payload": {"display_id_order": "MST1", "status": 41}}'
    url = f"/couriers/maystro/{acc.id}/webhook/{MAYSTRO_TOKEN}"
    monkeypatch.setattr(courier_webhooks.polls, "shipment_for", database_away)
    assert (await courier_client.post(url, data=body)).status == 503
    monkeypatch.setattr(courier_webhooks.polls, "shipment_for", bug)
    assert (await courier_client.post(url, data=body)).status == 500
    assert "database unavailable path=/couriers/{courier}/{account_id}/webhook/{token}" in (
        caplog.text
    )
    assert "unhandled error path=/couriers/{courier}/{account_id}/webhook/{token}" in caplog.text
    assert MAYSTRO_TOKEN not in ours(caplog)


async def test_a_thank_you_token_and_an_api_phone_never_reach_the_log(
    db: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webstore import api_customers, pages

    shop = await make_shop()
    phone = "+213550123456"

    def database_away(*_: object) -> bool:
        raise ConnectionResetError("the database went away")

    caplog.set_level(logging.DEBUG)
    token = "0123456789abcdef01234567"
    monkeypatch.setattr(pages, "order_token_valid", database_away)
    monkeypatch.setattr(api_customers.registry, "get_customer", database_away)
    async with serve() as client:
        page = await client.get(f"/{shop.store.slug}/merci/1001/{token}")
        assert page.status == 503
        api = await client.get(f"/v1/customers/{phone}", headers=bearer(shop.api_key))
        assert api.status == 503
    assert f"path=/{shop.store.slug}/merci/1001/{{token}}" in caplog.text
    assert "path=/v1/customers/{phone}" in caplog.text
    assert token not in ours(caplog) and "550123456" not in ours(caplog)
