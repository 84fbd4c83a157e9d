"""Opening and closing the domain in a process: the database, and the store cache that
watches it for other processes' changes."""

from __future__ import annotations

from tortoise import Tortoise

from models.infra.db import asyncpg_dsn, close_side, dialect_of, open_side, tortoise_config
from models.stores import cache


async def open_db(db_url: str) -> None:
    cache.clear()
    config = tortoise_config(db_url)
    await Tortoise.init(config=config)
    await open_side(config)
    await cache.watch(dialect_of(db_url), asyncpg_dsn(db_url))


async def close_db() -> None:
    await cache.unwatch()
    cache.clear()
    await close_side()
    await Tortoise.close_connections()
