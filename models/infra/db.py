"""Database wiring: the Tortoise config for a URL, the tables it registers, and telling a busy
or unreachable database apart (opening one for a process: models.session)."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import OperationalError

# Each concept's tables, beside its use cases. Aerich's migrations are generated from this list.
TABLE_MODULES = [
    "models.infra.tables",
    "models.stores.tables",
    "models.team.tables",
    "models.catalog.tables",
    "models.customers.tables",
    "models.orders.tables",
    "models.calls.tables",
    "models.shipping.tables",
    "models.outbox.tables",
    "models.outbox.webhook_tables",
]
MODEL_MODULES = [*TABLE_MODULES, "aerich.models"]
# How long an SQLite write waits for the lock another process holds; past it the request
# fails with "database is locked" (is_busy), which the storefront answers with a retry page.
SQLITE_BUSY_TIMEOUT_MS = 15_000
# SQLite: a second connection to the same file, for work that must not queue behind the
# checkout's writes on the first (each connection runs its statements one at a time on its
# own thread; in WAL mode its reads never wait for the other's writes). PostgreSQL's pool
# needs none. Not in Tortoise's config: with two connections there, every transaction would
# have to name its own.
_side: BaseDBAsyncClient | None = None


def dialect_of(db_url: str) -> str:
    """`sqlite` or `postgres`: picks the migration folder and the outbox claim strategy."""
    scheme = db_url.split(":", 1)[0]
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql", "asyncpg", "psycopg"):
        return "postgres"
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r} (use sqlite:// or postgres://)")


def tortoise_config(db_url: str) -> dict[str, Any]:
    """Tortoise config for `db_url`, with WAL and a busy timeout on SQLite."""
    dialect_of(db_url)
    if db_url.startswith("postgresql://"):
        db_url = "postgres://" + db_url[len("postgresql://") :]
    connection = expand_db_url(db_url)
    if connection["engine"].endswith("sqlite"):
        # Transactions take the write lock when they begin (see models.infra.sqlite_client), and a
        # write waits for another process's lock (a backup, a CLI command) before giving up.
        connection["engine"] = "models.infra.sqlite_client"
        connection["credentials"].setdefault("journal_mode", "WAL")
        connection["credentials"].setdefault("foreign_keys", "ON")
        connection["credentials"].setdefault("busy_timeout", SQLITE_BUSY_TIMEOUT_MS)
    else:
        connection["credentials"].setdefault("minsize", 1)
        connection["credentials"].setdefault("maxsize", 10)
        connection["credentials"].setdefault("reset", keep_session)
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_side(config: dict[str, Any]) -> None:
    """On SQLite, open the side connection beside the one `config` (tortoise_config's)
    describes; nothing on PostgreSQL."""
    global _side
    await close_side()
    connection = config["connections"]["default"]
    if connection["engine"] != "models.infra.sqlite_client":
        return
    engine = importlib.import_module(connection["engine"])
    params = {**copy.deepcopy(connection["credentials"]), "connection_name": "default"}
    # Connected at its first query, as Tortoise's own: a process starts with the database away.
    _side = engine.client_class(**params)


async def close_side() -> None:
    global _side
    side, _side = _side, None
    if side is not None:
        await side.close()


def side_connection() -> BaseDBAsyncClient | None:
    """The SQLite side connection, None where there is none (PostgreSQL)."""
    return _side


@contextmanager
def on_side_connection() -> Iterator[None]:
    """The ORM's queries in this context (and the tasks it starts) go to the SQLite side
    connection; with PostgreSQL, to the pool as always. For the card sender: a card's
    reads under a checkout surge no longer wait for the checkout's batches."""
    if _side is None:
        yield
        return
    token = connections.set("default", _side)
    try:
        yield
    finally:
        connections.reset(token)


async def keep_session(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection given back, besides rolling back a transaction
    left open (asyncpg always does that): nothing. Its default sends `RESET ALL`, `CLOSE ALL`,
    `UNLISTEN *` and an advisory-unlock to the server after every query outside a
    transaction, one more round trip each; pooled connections never change session state
    (no SET, LISTEN, cursors or session locks: models.infra.leader holds its lock on a connection
    of its own), so there is nothing to reset."""


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another writer's lock: nothing was written, and the same
    request may succeed when tried again."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


# What a query raises while PostgreSQL is away (stopped, restarting, out of connections,
# the network down). The pool replaces its dead connections by itself once it is back.
_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset (Tortoise's DBConnectionError is one too)
    asyncpg.PostgresConnectionError,  # the connection was closed in the middle of a query
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,  # the connection is closed
    asyncpg.exceptions._base.InternalClientError,  # a connection broken mid-operation
)


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be used just now (PostgreSQL unreachable or restarting,
    SQLite locked by another writer): the request may succeed when tried again in a
    moment, and nothing was changed unless its commit had gone through before the fault."""
    seen: BaseException | None = exc
    for _ in range(5):  # the fault may be the cause of what the ORM raised
        if seen is None:
            return False
        if is_busy(seen) or isinstance(seen, _UNREACHABLE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def dialect_sql(conn: BaseDBAsyncClient, sql: str) -> str:
    """`sql` with its `?` placeholders as the connection's driver wants them ($1, $2, … for
    PostgreSQL), for the few hot statements sent without the ORM's query building."""
    if conn.capabilities.dialect != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" if i < len(parts) else part for i, part in enumerate(parts, 1))


def asyncpg_dsn(db_url: str) -> str:
    scheme, _, rest = db_url.partition("?")[0].partition("://")
    return f"postgresql://{rest}" if scheme != "sqlite" else ""


async def ping() -> None:
    """A round trip to the database; raises when it cannot be reached."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")
