"""What every storefront visit and checkout reads, kept in this process's memory: a store by
its slug, a product with its active variants, a variant by id, the fee table, the delivery
choices, the blacklisted phones (for the checkout's early refusal only: the check under the
store's lock reads the row itself).

Freshness, the rule every reader can rely on:

- In this process a change is seen at once: every write of `models` to a store, a product,
  a variant or a fee (`.save()`, `.delete()` and `create` through Tortoise's signals; the
  queryset updates of stock, visibility, roster, fees and the blacklist by an explicit
  `forget`) forgets that store's entries, and a read that overlapped it is not kept.
- Another process (a second web worker, the bot when it runs apart) sees it within about
  a second, and a page costs no query while nothing changes:
  - PostgreSQL: every `forget` is announced on the channel `hanout_store_cache` (NOTIFY,
    from a connection of this module's own) and again CONFIRM_AFTER seconds later, for a
    change whose transaction commits just after it; every process LISTENs on that
    connection and forgets the store it names.
  - SQLite: at most once every POLL_EVERY seconds a read asks `PRAGMA data_version`,
    which changes when another connection committed anything; then everything is
    dropped (changes by other processes are rare there: one web process, the bot).
  - Without either (the listening connection lost, or no database watched) an entry
    older than MAX_AGE seconds is read again.
- A new database (open_db / close_db) starts with nothing kept.

The values kept are shared by every request: callers read them and never change them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

import asyncpg
from tortoise import connections
from tortoise.signals import post_delete, post_save

from models.catalog.tables import Product, Variant
from models.shipping.tables import DeliveryFee
from models.stores.tables import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_AGE = 1.0  # seconds another process's change may go unseen here, unwatched
POLL_EVERY = 1.0  # SQLite: seconds between two reads of PRAGMA data_version
CONFIRM_AFTER = 1.0  # PostgreSQL: a change is announced again after this many seconds
CHANNEL = "hanout_store_cache"
MAX_ENTRIES = 4096  # past this, everything is dropped and read again

_entries: dict[tuple[int, Hashable], tuple[float, int, Any]] = {}
_slugs: dict[str, tuple[float, int, Store]] = {}
_generation: dict[int, int] = {}  # store id → count of changes seen in this process
_epoch = 0  # count of clear(): a read that overlapped one is not kept
_changes = 0  # all stores: a slug's store id is unknown until it is read
clock = time.monotonic  # seconds; tests move it forward


class _Watch:
    """How other processes' changes reach this one (see the module's docstring)."""

    mode = "age"  # age | sqlite | postgres
    polled_at = float("-inf")
    data_version: object = None
    listener: asyncpg.Connection | None = None
    announcing: set[int] = set()  # noqa: RUF012 (one per process)
    tasks: set[asyncio.Task[None]] = set()  # noqa: RUF012


async def watch(dialect: str, dsn: str = "") -> None:
    """Watch the database just opened for other processes' changes (models.session.open_db)."""
    await unwatch()
    if dialect == "sqlite":
        _Watch.mode, _Watch.polled_at, _Watch.data_version = "sqlite", float("-inf"), None
        return
    try:
        listener = await asyncpg.connect(dsn)
        await listener.add_listener(CHANNEL, _heard)
    except (OSError, asyncpg.PostgresError) as exc:
        log.warning("store cache: not listening, entries kept %ss error=%r", MAX_AGE, exc)
        return
    listener.add_termination_listener(_lost)
    _Watch.listener, _Watch.mode = listener, "postgres"


async def unwatch() -> None:
    listener, _Watch.listener, _Watch.mode = _Watch.listener, None, "age"
    for task in list(_Watch.tasks):
        task.cancel()
    if listener is not None:
        listener.remove_termination_listener(_lost)  # closed on purpose, not lost
        with contextlib.suppress(Exception):
            await listener.close()


def _heard(_: object, __: int, ___: str, payload: str) -> None:
    if payload.isdigit():
        _drop(int(payload))


def _lost(_: object) -> None:
    log.warning("store cache: the listening connection was lost, entries kept %ss", MAX_AGE)
    _Watch.listener, _Watch.mode = None, "age"
    clear()


def _announce(store_id: int) -> None:
    if _Watch.mode != "postgres" or store_id in _Watch.announcing:
        return
    try:
        task = asyncio.get_running_loop().create_task(_notify(store_id))
    except RuntimeError:  # no loop: nothing else can be running either
        return
    _Watch.announcing.add(store_id)
    _Watch.tasks.add(task)
    task.add_done_callback(_Watch.tasks.discard)


async def _notify(store_id: int) -> None:
    try:
        for wait in (0.0, CONFIRM_AFTER):
            await asyncio.sleep(wait)
            if wait:
                _Watch.announcing.discard(store_id)  # a change from now on: a new round
            listener = _Watch.listener
            if listener is not None:
                await listener.execute("SELECT pg_notify($1, $2)", CHANNEL, str(store_id))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("store cache: a change was not announced store=%s error=%r", store_id, exc)
    finally:
        _Watch.announcing.discard(store_id)


async def _poll() -> None:
    """SQLite: drop everything when another connection committed since the last look."""
    if 0 <= clock() - _Watch.polled_at < POLL_EVERY:  # (a clock set back: look now)
        return
    _Watch.polled_at = clock()
    _, rows = await connections.get("default").execute_query("PRAGMA data_version")
    version = rows[0][0] if rows else None
    if _Watch.data_version is not None and version != _Watch.data_version:
        clear()
    _Watch.data_version = version


def forget(store_id: int) -> None:
    """A store's data changed: drop what is kept of it (here at once, in the other
    processes within about a second); a read in flight is not kept."""
    _drop(store_id)
    _announce(store_id)


def _drop(store_id: int) -> None:
    global _changes
    _changes += 1
    _generation[store_id] = _generation.get(store_id, 0) + 1
    for key in [k for k in _entries if k[0] == store_id]:
        del _entries[key]
    for slug in [s for s, (_, _, store) in _slugs.items() if store.id == store_id]:
        del _slugs[slug]


def clear() -> None:
    """Nothing kept (another database was opened, another process changed it)."""
    global _changes, _epoch
    _changes += 1
    _epoch += 1
    _entries.clear()
    _slugs.clear()
    _generation.clear()


def _fresh(loaded_at: float) -> bool:
    return _Watch.mode != "age" or clock() - loaded_at < MAX_AGE


def _room() -> None:
    if len(_entries) + len(_slugs) >= MAX_ENTRIES:
        _entries.clear()
        _slugs.clear()


async def cached(store_id: int, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s value for (store, key), read again when older than MAX_AGE or when the
    store changed since."""
    if _Watch.mode == "sqlite":
        await _poll()
    generation = _generation.get(store_id, 0)
    hit = _entries.get((store_id, key))
    if hit is not None and hit[1] == generation and _fresh(hit[0]):
        return hit[2]
    loaded_at, epoch = clock(), _epoch
    value = await load()
    if _generation.get(store_id, 0) == generation and epoch == _epoch:
        _room()
        _entries[(store_id, key)] = (loaded_at, generation, value)
    return value


async def store_by_slug(slug: str) -> Store | None:
    """The store of a slug (None for none: an unknown slug is not kept)."""
    if _Watch.mode == "sqlite":
        await _poll()
    hit = _slugs.get(slug)
    if hit is not None and hit[1] == _generation.get(hit[2].id, 0) and _fresh(hit[0]):
        return hit[2]
    changes, loaded_at = _changes, clock()
    store = await Store.get_or_none(slug=slug)
    if store is not None and changes == _changes:
        _room()
        _slugs[slug] = (loaded_at, _generation.get(store.id, 0), store)
    return store


@post_save(Store)
async def _store_saved(_: type[Store], store: Store, *__: Any) -> None:
    forget(store.id)


@post_delete(Store)
async def _store_deleted(_: type[Store], store: Store, *__: Any) -> None:
    forget(store.id)


@post_save(Product, Variant, DeliveryFee)
async def _row_saved(_: type[Any], row: Any, *__: Any) -> None:
    forget(row.store_id)


@post_delete(Product, Variant, DeliveryFee)
async def _row_deleted(_: type[Any], row: Any, *__: Any) -> None:
    forget(row.store_id)
