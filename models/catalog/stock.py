"""Every stock move, in one place (SPEC §3.2). When stock moves is the lifecycle's rule
(models.orders.lifecycle.stock_move): taken at confirmation, given back on a cancel after
confirmation and on a return. What moves it is here: those order moves, an edit of a
confirmed order's lines on the call, and the team's adjustments and counts.

Order moves are conditional updates taken in variant order, so two confirmations or edits
never lock rows in opposite orders, and every short variant is named before anything is
kept (the caller's transaction rolls back on InsufficientStock)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from models.catalog.products import MAX_STOCK, check_whole
from models.catalog.tables import Variant
from models.errors import InsufficientStock, InvalidInput, NotFound, Shortage
from models.stores import cache
from models.stores.tables import Store


class Line(Protocol):
    """An order line as stock sees it (models.orders.tables.OrderLine)."""

    variant_id: int
    quantity: int
    sku: str

    def label(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Move:
    """Units of one variant an order takes (positive) or gives back (negative); sku and
    label name the variant when it runs short."""

    variant_id: int
    units: int
    sku: str = ""
    label: str = ""


def taken_by(lines: Iterable[Line]) -> list[Move]:
    """What an order's lines take from stock, one move per line."""
    return [Move(ln.variant_id, ln.quantity, ln.sku, ln.label()) for ln in lines]


def given_back_by(lines: Iterable[Line]) -> list[Move]:
    """What an order's lines give back to stock, one move per line."""
    return [Move(ln.variant_id, -ln.quantity) for ln in lines]


async def apply_moves(conn: BaseDBAsyncClient, store_id: int, moves: Iterable[Move]) -> None:
    """Apply an order's moves inside the caller's transaction; a take never goes below
    zero. Raises InsufficientStock naming every short variant."""
    shortages: list[Shortage] = []
    for move in sorted(moves, key=lambda m: m.variant_id):
        rows = Variant.filter(id=move.variant_id, store_id=store_id).using_db(conn)
        if move.units < 0:
            await rows.update(stock=F("stock") - move.units)
        elif not await rows.filter(stock__gte=move.units).update(stock=F("stock") - move.units):
            current = await Variant.filter(id=move.variant_id).using_db(conn).first()
            available = current.stock if current is not None else 0
            shortages.append(Shortage(move.variant_id, move.sku, move.label, move.units, available))
    if shortages:
        raise InsufficientStock(shortages)


async def adjust_stock(store: Store, variant_id: int, delta: int) -> int:
    """Add (or remove, when negative) units; never below zero. Returns the new stock."""
    variant = await Variant.get_or_none(id=variant_id, store_id=store.id)
    if variant is None:
        raise NotFound("variant", variant_id)
    moved = await Variant.filter(
        id=variant_id, stock__gte=-delta, stock__lte=MAX_STOCK - delta
    ).update(stock=F("stock") + delta)
    cache.forget(store.id)
    if not moved:
        raise InvalidInput(f"stock: cannot move by {delta}")
    return int((await Variant.get(id=variant_id)).stock)


async def set_stock(store: Store, variant_id: int, stock: int) -> int:
    """Set a variant's stock to an absolute count (an inventory)."""
    check_whole("stock", stock, MAX_STOCK)
    moved = await Variant.filter(id=variant_id, store_id=store.id).update(stock=stock)
    cache.forget(store.id)
    if not moved:
        raise NotFound("variant", variant_id)
    return stock
