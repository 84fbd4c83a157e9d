"""Tortoise's SQLite engine, with write transactions that take the lock when they begin.

Tortoise opens transactions with a plain (deferred) `BEGIN`: the transaction reads from a
snapshot and asks for the write lock at its first write. In WAL mode, when another
process committed in between, that snapshot is stale and SQLite answers "database is
locked" at once, without waiting the busy timeout, since waiting cannot help. `BEGIN
IMMEDIATE` takes the write lock first (waiting the busy timeout for it), so a transaction
that reads before it writes never fails that way. Inside one process transactions already
run one at a time (one connection, behind a lock), so nothing is lost in concurrency.

Used as the `engine` of the SQLite connection by models.infra.db.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any, cast

import aiosqlite
from tortoise.backends.base.client import (
    ConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # busy past the timeout: the caller may retry
            raise OperationalError(exc) from exc


class ImmediateTransactionContext(SqliteTransactionContext):
    """Tortoise's context, except that a BEGIN that fails (busy past the timeout) gives the
    connection back: without this its lock stayed taken and the process hung."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return cast(TransactionalDBClient, self.connection)


class ReleasingConnectionWrapper(ConnectionWrapper[aiosqlite.Connection]):
    """Tortoise's wrapper, except that a connection that cannot be opened (a damaged or
    unreadable file) gives the lock back: without this every later query waited forever."""

    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return ImmediateTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    def acquire_connection(self) -> ConnectionWrapper[aiosqlite.Connection]:
        return ReleasingConnectionWrapper(self._lock, self)

    async def create_connection(self, with_db: bool) -> None:
        """Open the file and apply the pragmas, or leave no connection: a half-open one
        would be used later without WAL, busy timeout or foreign keys."""
        try:
            await super().create_connection(with_db)
        except BaseException:
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    await self._connection.close()
                self._connection = None
            raise


client_class = ImmediateSqliteClient
