"""What every storefront visit and checkout reads, kept in this process's memory: a store by
its slug, a product with its active variants, a variant by id, the fee table, the delivery
choices, the blacklisted phones (for the checkout's early refusal only: the check under the
store's lock reads the row itself).

Freshness, the rule every reader can rely on:

- In this process a change is seen at once: every write of `models` to a store, a product,
  a variant or a fee (`.save()`, `.delete()` and `create` through Tortoise's signals; the
  queryset updates of stock, visibility, roster, fees and the blacklist by an explicit
  `forget`) forgets that store's entries, and a read that overlapped it is not kept.
- Another process (a second web worker, the bot when it runs apart) sees it within
  MAX_AGE seconds: an entry older than that is read again from the database. The cost is
  one read per store and page every MAX_AGE seconds instead of one per visit.
- A new database (open_db / close_db) starts with nothing kept.

The values kept are shared by every request: callers read them and never change them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from tortoise.signals import post_delete, post_save

from models.catalog.tables import Product, Variant
from models.shipping.tables import DeliveryFee
from models.stores.tables import Store

T = TypeVar("T")

MAX_AGE = 2.0  # seconds another process's change may go unseen here
MAX_ENTRIES = 4096  # past this, everything is dropped and read again

_entries: dict[tuple[int, Hashable], tuple[float, int, Any]] = {}
_slugs: dict[str, tuple[float, int, Store]] = {}
_generation: dict[int, int] = {}  # store id → count of changes seen in this process
_changes = 0  # all stores: a slug's store id is unknown until it is read
clock = time.monotonic  # seconds; tests move it forward


def forget(store_id: int) -> None:
    """A store's data changed: drop what is kept of it; a read in flight is not kept."""
    global _changes
    _changes += 1
    _generation[store_id] = _generation.get(store_id, 0) + 1
    for key in [k for k in _entries if k[0] == store_id]:
        del _entries[key]
    for slug in [s for s, (_, _, store) in _slugs.items() if store.id == store_id]:
        del _slugs[slug]


def clear() -> None:
    """Nothing kept (another database was opened)."""
    global _changes
    _changes += 1
    _entries.clear()
    _slugs.clear()
    _generation.clear()


def _fresh(loaded_at: float) -> bool:
    return clock() - loaded_at < MAX_AGE


def _room() -> None:
    if len(_entries) + len(_slugs) >= MAX_ENTRIES:
        _entries.clear()
        _slugs.clear()


async def cached(store_id: int, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s value for (store, key), read again when older than MAX_AGE or when the
    store changed in this process since."""
    generation = _generation.get(store_id, 0)
    hit = _entries.get((store_id, key))
    if hit is not None and hit[1] == generation and _fresh(hit[0]):
        return hit[2]
    loaded_at = clock()
    value = await load()
    if _generation.get(store_id, 0) == generation:
        _room()
        _entries[(store_id, key)] = (loaded_at, generation, value)
    return value


async def store_by_slug(slug: str) -> Store | None:
    """The store of a slug (None for none: an unknown slug is not kept)."""
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
