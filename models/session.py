"""Opening and closing the domain in a process: the database, and the store cache that
watches it for other processes' changes."""

from __future__ import annotations

from tortoise import Tortoise

from models.infra.db import asyncpg_dsn, dialect_of, tortoise_config
from models.stores import cache


async def open_db(db_url: str) -> None:
    cache.clear()
    await Tortoise.init(config=tortoise_config(db_url))
    await cache.watch(dialect_of(db_url), asyncpg_dsn(db_url))


async def close_db() -> None:
    await cache.unwatch()
    cache.clear()
    await Tortoise.close_connections()
