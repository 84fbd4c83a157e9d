"""Finding a store's newest orders by part of the customer's name (`/find`, SPEC §5) without
reading every order of a large store.

A name matches when it holds the typed text, case folded as each database folds it in
LIKE: ASCII letters only on SQLite, every alphabet on PostgreSQL (ILIKE). `%`, `_` and `\\`
typed by a person are plain characters. Orders come newest first (created_at, then id).

Two reads, because no single plan suits both kinds of name:

1. the store's newest RECENT orders, in order, each with whether its name matches: a
   common name ("benali") is found among them, and a store this small is answered whole;
2. otherwise the name is rare: its orders are read through the trigram index on the names
   (migration 14: `pg_trgm` GIN index on PostgreSQL, an FTS5 trigram table kept by triggers
   on SQLite) and sorted, few as they are. A trigram index cannot find fewer than 3
   characters: such a text is matched against the store's names newest first, stopping at
   `limit` matches, as before the index.

The statements are plain SQL (bench.plans prints their plans): the ORM writes a
case-insensitive match as `UPPER(CAST(name AS VARCHAR)) LIKE UPPER(?)`, which the trigram
index on `name` does not serve on PostgreSQL, and it cannot join the FTS5 table.
"""

from __future__ import annotations

from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.infra.db import dialect_sql

# How many of the store's newest orders the first read looks at. A name with fewer
# matches among them is rare (under 2 %), so the index read sorts few orders.
RECENT = 500
TRIGRAM = 3  # the shortest text a trigram index can look up

_LIKE = {"sqlite": "LIKE", "postgres": "ILIKE"}
_RECENT = (
    'SELECT "id", "name" {like} ? ESCAPE \'\\\' AS "hit" FROM "order" WHERE "store_id" = ? '
    'ORDER BY "created_at" DESC, "id" DESC LIMIT ?'
)
_SCAN = (
    'SELECT "id" FROM "order" WHERE "store_id" = ? AND "name" {like} ? ESCAPE \'\\\' '
    'ORDER BY "created_at" DESC, "id" DESC LIMIT ?'
)
# The FTS5 table gives the orders whose name holds the text's trigrams, in any store and
# folded for every alphabet; the LIKE on the order keeps the store's and SQLite's own
# folding. CROSS JOIN makes SQLite start from the index, not from the store's orders.
_SQLITE_INDEXED = (
    'SELECT o."id" FROM "order_name_trigram" AS f CROSS JOIN "order" AS o ON o."id" = f."rowid" '
    'WHERE f."order_name_trigram" MATCH ? AND o."store_id" = ? AND o."name" LIKE ? ESCAPE \'\\\' '
    'ORDER BY o."created_at" DESC, o."id" DESC LIMIT ?'
)
# MATERIALIZED: the matches are planned alone, without the LIMIT, so PostgreSQL takes the
# trigram index rather than walking the store's orders newest first (a generic plan, for
# any text, would otherwise be free to do that).
_POSTGRES_INDEXED = (
    'WITH "hits" AS MATERIALIZED (SELECT "id", "created_at" FROM "order" '
    'WHERE "store_id" = ? AND "name" ILIKE ? ESCAPE \'\\\') '
    'SELECT "id" FROM "hits" ORDER BY "created_at" DESC, "id" DESC LIMIT ?'
)

Statement = tuple[str, list[Any]]


def like_pattern(text: str) -> str:
    """`text` anywhere in a LIKE operand, its own wildcards and escape character made plain."""
    plain = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{plain}%"


def fts_phrase(text: str) -> str:
    """`text` as one FTS5 phrase: every character literal (a `"` is doubled)."""
    return '"' + text.replace('"', '""') + '"'


def recent_statement(dialect: str, store_id: int, text: str) -> Statement:
    """The first read: the store's RECENT newest orders, each with whether its name matches."""
    return _RECENT.format(like=_LIKE[dialect]), [like_pattern(text), store_id, RECENT]


def full_statement(dialect: str, store_id: int, text: str, limit: int) -> Statement:
    """The second read: the `limit` newest of all the store's orders whose name matches."""
    pattern = like_pattern(text)
    if len(text) < TRIGRAM:
        return _SCAN.format(like=_LIKE[dialect]), [store_id, pattern, limit]
    if dialect == "postgres":
        return _POSTGRES_INDEXED, [store_id, pattern, limit]
    return _SQLITE_INDEXED, [fts_phrase(text), store_id, pattern, limit]


async def _run(conn: BaseDBAsyncClient, statement: Statement) -> list[Any]:
    sql, values = statement
    _, rows = await conn.execute_query(dialect_sql(conn, sql), values)
    return list(rows)


async def newest_named(store_id: int, text: str, limit: int) -> list[int]:
    """Ids of the store's `limit` newest orders whose name holds `text`, newest first."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    if len(text) >= TRIGRAM:
        recent = await _run(conn, recent_statement(dialect, store_id, text))
        hits = [int(row[0]) for row in recent if row[1]]
        if len(hits) >= limit or len(recent) < RECENT:
            return hits[:limit]
    return [int(row[0]) for row in await _run(conn, full_statement(dialect, store_id, text, limit))]
