"""Fixtures of the system tests: a fresh PostgreSQL database per test (migrated by the
Procfile's `release` command) and a Stack whose processes are killed at the end; their
logs are printed when the test fails."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.system.stack import PG_ADMIN_URL, Stack, base_env, drop_database, migrated_database

BACKEND = os.environ.get("HANOUT_TEST_DB", "sqlite")
# Several processes share one database only on PostgreSQL (SKIP LOCKED claims, the
# advisory-lock leader); on SQLite there is one process by design.
postgres_only = pytest.mark.skipif(
    BACKEND != "postgres", reason="several processes share a database on PostgreSQL only"
)

_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[_failed] = True
    return report


@pytest.fixture
async def system_db() -> AsyncIterator[str]:
    url = await migrated_database(PG_ADMIN_URL)
    yield url
    await drop_database(PG_ADMIN_URL, url)


@asynccontextmanager
async def running_stack(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str
) -> AsyncIterator[Stack]:
    """A Stack on `database_url`: its processes killed at the end, their logs printed if
    the test failed."""
    running = Stack(tmp_path, base_env(database_url, tmp_path))
    try:
        yield running
    finally:
        await running.close()
        if request.node.stash.get(_failed, False):
            print(running.logs())


@pytest.fixture
async def stack(
    request: pytest.FixtureRequest, tmp_path: Path, system_db: str
) -> AsyncIterator[Stack]:
    async with running_stack(request, tmp_path, system_db) as running:
        yield running
