"""Test wiring: one database per run (SQLite file or a fresh PostgreSQL database), the
schema built by the real migrations, tables emptied between tests, and no internet.

`HANOUT_TEST_DB=sqlite|postgres` picks the backend (`make test` runs both). PostgreSQL
must be reachable: an unreachable server fails the run, it never skips.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise, connections

from hanout.processes import outbox_routes
from models.outbox import relay
from models.outbox.routes import Route, Routes
from models.session import close_db, open_db
from models.stores import cache
from tests.wiring import WireOutbox

BACKEND = os.environ.get("HANOUT_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("HANOUT_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


# --- no internet -------------------------------------------------------------------------


def _is_local(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach the internet ({address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach the internet ({address!r})")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in (None, "localhost") and not _is_local((name, 0)):
        raise socket.gaierror(f"tests may not resolve internet names ({name!r})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


# --- database ---------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


async def _pg_admin(sql: str) -> None:
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}", returncode=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _migrate_in_subprocess(url: str) -> None:
    # Aerich keeps class-level state; a child process keeps the test process clean and
    # exercises exactly what `hanout migrate` does.
    code = (
        "import asyncio, sys; from hanout.migrate import migrate; asyncio.run(migrate(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", code, url], check=True, cwd=ROOT)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of this run's database, migrated to the latest schema."""
    if BACKEND == "postgres":
        name = f"hanout_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
        _migrate_in_subprocess(url)
        yield url
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    elif BACKEND == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('db')}/hanout.sqlite3"
        _migrate_in_subprocess(url)
        yield url
    else:
        raise pytest.UsageError(f"HANOUT_TEST_DB must be sqlite or postgres, not {BACKEND!r}")


TABLES = (
    "telegram_bot",
    "telegram_update",
    "webhook_attempt",
    "webhook_endpoint",
    "shipment",
    "courier_account",
    "sms_gateway",
    "card_message",
    "call_attempt",
    "telegram_chat",
    "outbox_message",
    "idempotency_key",
    "order_event",
    "order_line",
    '"order"',
    "customer",
    "variant",
    "product",
    "delivery_fee",
    "api_key",
    "invite",
    "member",
    "store",
)


@pytest.fixture(scope="session")
async def _db_session(database_url: str) -> AsyncIterator[str]:
    await open_db(database_url)
    yield database_url
    await close_db()


async def _empty_tables() -> None:
    # The rows go behind the models' back: nothing kept in memory of the last test's stores.
    cache.clear()
    conn = connections.get("default")
    if BACKEND == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        for table in TABLES:
            await conn.execute_script(f"DELETE FROM {table}")


@pytest.fixture
async def db(_db_session: str) -> AsyncIterator[str]:
    """An empty database for one test; yields its URL."""
    await _empty_tables()
    yield _db_session


# --- outbox routing ---------------------------------------------------------------------

# Tests publish through the production routing table as a process without a Telegram token
# has it; `wire_outbox` hands the outbox another one for a single test.
relay.use_routes(outbox_routes(telegram=False))


@pytest.fixture
def wire_outbox() -> Iterator[WireOutbox]:
    """`wire_outbox(*routes, telegram=False)`: the production table (with Telegram rows when
    `telegram`) with `routes` in place of or beside its channels, for this test."""
    previous = relay.routes()

    def install(*routes: Route, telegram: bool = False) -> Routes:
        table = outbox_routes(telegram=telegram).replacing(*routes)
        relay.use_routes(table)
        return table

    yield install
    relay.use_routes(previous)


@pytest.fixture
def backend() -> str:
    return BACKEND


def pytest_report_header() -> str:
    lane = os.environ.get("HANOUT_TEST_LANE", "all")
    return f"hanout test database: {BACKEND}; lane: {lane}"


# --- lanes ------------------------------------------------------------------------------
# `HANOUT_TEST_LANE=database` keeps only the tests that touch a database (their fixtures
# reach `database_url`, or they start processes on one: tests/system), so `make test` runs
# the database-free tests once, in its SQLite pass. `slow` marks what `make check` leaves
# to `make test`: headless Chromium, whole-process system tests, the CLI and processes run
# as child processes (tests/hanout), and the schemathesis runs over the whole API.

SYSTEM = ROOT / "tests" / "system"
SLOW_PLACES = (
    SYSTEM,
    ROOT / "tests" / "hanout",
    ROOT / "tests" / "webstore" / "test_schemathesis.py",
)


def _is_slow(item: pytest.Item) -> bool:
    path = item.path
    in_place = any(path == place or place in path.parents for place in SLOW_PLACES)
    return in_place or item.get_closest_marker("browser") is not None


def _touches_a_database(item: pytest.Item) -> bool:
    return "database_url" in getattr(item, "fixturenames", ()) or SYSTEM in item.path.parents


@pytest.hookimpl(tryfirst=True)  # before `-m` reads the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    if os.environ.get("HANOUT_TEST_LANE", "all") != "database":
        return
    kept = [item for item in items if _touches_a_database(item)]
    dropped = [item for item in items if not _touches_a_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


__all__ = ["Tortoise"]
