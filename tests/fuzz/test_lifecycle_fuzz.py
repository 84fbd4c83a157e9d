"""Random sequences of everything that moves an order (status changes, call outcomes, manual
dispatch, courier parcel statuses, and two of them racing on one card version) against a
model of SPEC §3.1–3.3, on the real database. After every step: stock equals what the
committed orders took and is never negative, the stock flag follows the status, each status
change is one timeline row and one outbox row, a refused step changes nothing, and an
order's version grows with every change."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from models.calls.outcomes import log_call
from models.catalog.tables import Variant
from models.errors import ConcurrentChange, DomainError, IllegalTransition, InsufficientStock
from models.orders import intake
from models.orders.checkout import LineRequest
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox.routes import Route
from models.outbox.tables import OutboxMessage
from models.shipping.manual import dispatch_order
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from models.stores.tables import Store
from tests.factories import checkout, make_shop
from tests.wiring import WireOutbox

OWNER = Actor("owner", "7", "Yasmine")
AGENT = Actor("agent", "8", "Walid")

# SPEC §3.1, written out here so the table in models/orders/lifecycle.py is checked, not trusted.
SPEC_MOVES: dict[str, frozenset[str]] = {
    "pending": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"processing", "cancelled"}),
    "processing": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered", "cancelled", "returned"}),
    "delivered": frozenset({"returned"}),
    "cancelled": frozenset(),
    "returned": frozenset(),
}
HOLDS_STOCK = frozenset({"confirmed", "processing", "shipped", "delivered"})
STATUS_TOPICS = frozenset(f"order.{s}" for s in SPEC_MOVES if s != "pending")
CANCELLING_CALLS = frozenset({"customer_cancelled", "fake", "duplicate"})
PARCEL_TARGETS = {"delivered": "delivered", "returned": "returned"}

_stores = itertools.count(1)


@pytest.fixture(autouse=True)
def audit_route(wire_outbox: WireOutbox) -> None:
    """A channel that wants every order topic, so each change must leave its outbox row."""
    wire_outbox(Route("fuzz", ("order.*",)))


# --- the model -----------------------------------------------------------------------------


class Refused(Exception):
    """The model expects the domain to refuse this step with `error`."""

    def __init__(self, error: type[DomainError]) -> None:
        super().__init__(error.__name__)
        self.error = error


@dataclass
class OrderModel:
    number: int
    lines: dict[int, int]  # variant index → quantity
    status: str = "pending"
    history: list[str] = field(default_factory=list)  # statuses after pending, in order
    no_answers: int = 0
    shipped_once: bool = False  # a shipment row exists
    parcel: str = ""  # last parcel status applied


@dataclass
class World:
    store: Store
    variant_ids: list[int]
    initial: list[int]
    stock: list[int]
    orders: list[OrderModel]
    no_answer_limit: int

    def take(self, order: OrderModel) -> None:
        if any(self.stock[v] < qty for v, qty in order.lines.items()):
            raise Refused(InsufficientStock)
        for v, qty in order.lines.items():
            self.stock[v] -= qty

    def give_back(self, order: OrderModel) -> None:
        for v, qty in order.lines.items():
            self.stock[v] += qty

    def move(self, order: OrderModel, target: str) -> None:
        if target not in SPEC_MOVES[order.status]:
            raise Refused(IllegalTransition)
        if target == "confirmed":
            self.take(order)
        elif order.status in HOLDS_STOCK and target not in HOLDS_STOCK:
            self.give_back(order)
        order.status = target
        order.history.append(target)


# Steps: (kind, order index, argument). The model applies a step to a copy first, so a
# refusal leaves it untouched, exactly as the database must be.
MOVE_TARGETS = [s.value for s in OrderStatus]  # pending included: never a legal target
CALL_OUTCOMES = ["confirmed", "customer_cancelled", "fake", "duplicate", "no_answer", "busy"]
PARCEL_STATUSES = ["in_transit", "delivery_attempted", "delivered", "returned"]

# `forward` is the next status on the happy path of wherever the order is when the step
# runs (legal until the order is cancelled or returned), so long journeys are common.
FORWARD = {
    "pending": "confirmed",
    "confirmed": "processing",
    "processing": "shipped",
    "shipped": "delivered",
    "delivered": "returned",
    "cancelled": "confirmed",
    "returned": "delivered",
}

order_index = st.integers(0, 2)
forward = st.tuples(st.just("forward"), order_index, st.just(""))
single = st.one_of(
    forward,
    forward,
    forward,
    st.tuples(st.just("move"), order_index, st.sampled_from(MOVE_TARGETS)),
    st.tuples(st.just("call"), order_index, st.sampled_from(CALL_OUTCOMES)),
    st.tuples(st.just("dispatch"), order_index, st.just("")),
    st.tuples(st.just("parcel"), order_index, st.sampled_from(PARCEL_STATUSES)),
)
side = st.one_of(
    st.tuples(st.just("forward"), st.just("")),
    st.tuples(st.just("move"), st.sampled_from(MOVE_TARGETS)),
    st.tuples(st.just("call"), st.sampled_from(["confirmed", "customer_cancelled", "busy"])),
)
race = st.tuples(st.just("race"), order_index, st.tuples(side, side))
# A courier status arriving while someone presses a button on the same order.
parcel_race = st.tuples(
    st.just("parcel_race"),
    order_index,
    st.tuples(
        st.sampled_from(PARCEL_STATUSES), st.sampled_from(["delivered", "cancelled", "returned"])
    ),
)
steps = st.lists(st.one_of(single, single, race, parcel_race), min_size=6, max_size=24)
scenarios = st.fixed_dictionaries(
    {
        "stock": st.tuples(st.integers(0, 5), st.integers(0, 5)),
        "orders": st.lists(
            st.dictionaries(st.sampled_from([0, 1]), st.integers(1, 3), min_size=1),
            min_size=2,
            max_size=3,
        ),
        "no_answer_limit": st.sampled_from([0, 2]),
        # Orders that start by being confirmed and dispatched, so parcels have work to do.
        "head_start": st.integers(0, 3),
        "steps": steps,
    }
)


def expect(world: World, order: OrderModel, kind: str, arg: str) -> None:
    """Apply one step to the model, raising Refused when the domain must refuse it."""
    if kind == "move":
        world.move(order, arg)
    elif kind == "call":
        if order.status != "pending":
            raise Refused(IllegalTransition)
        if arg == "confirmed":
            world.move(order, "confirmed")
        elif arg in CANCELLING_CALLS:
            world.move(order, "cancelled")
        elif arg == "no_answer":
            order.no_answers += 1
            if 0 < world.no_answer_limit <= order.no_answers:
                world.move(order, "cancelled")
    elif kind == "dispatch":
        if order.status not in ("confirmed", "processing") or order.shipped_once:
            raise Refused(IllegalTransition)
        if order.status == "confirmed":
            world.move(order, "processing")
        world.move(order, "shipped")
        order.shipped_once = True
    elif kind == "parcel":
        order.parcel = arg
        target = PARCEL_TARGETS.get(arg)
        if target is not None and target in SPEC_MOVES[order.status]:
            world.move(order, target)
    else:
        raise AssertionError(kind)


def snapshot(world: World) -> World:
    orders = [
        OrderModel(o.number, o.lines, o.status, list(o.history), o.no_answers, o.shipped_once)
        for o in world.orders
    ]
    for copy, original in zip(orders, world.orders, strict=True):
        copy.parcel = original.parcel
    return World(
        world.store,
        world.variant_ids,
        world.initial,
        list(world.stock),
        orders,
        world.no_answer_limit,
    )


# --- driving the domain --------------------------------------------------------------------


async def call_domain(
    world: World, order: OrderModel, kind: str, arg: str, expected_version: int | None = None
) -> None:
    store, number = world.store, order.number
    if kind == "move":
        await transition_order(
            store, number, OrderStatus(arg), OWNER, expected_version=expected_version
        )
    elif kind == "call":
        others = [o.number for o in world.orders if o.number != number]
        await log_call(
            store,
            number,
            arg,
            AGENT,
            duplicate_of=others[0] if arg == "duplicate" else None,
            other_customer=True,  # the model's orders are of several customers: linked by hand
            expected_version=expected_version,
        )
    elif kind == "dispatch":
        await dispatch_order(store, number, OWNER, f"TRK-{store.id}-{number}")
    elif kind == "parcel":
        shipment = await Shipment.get(order__store_id=store.id, order__number=number)
        await apply_parcel_status(shipment.id, arg, f"courier says {arg}")


async def versions(world: World) -> dict[int, int]:
    rows = await Order.filter(store_id=world.store.id).values_list("number", "version")
    return {number: version for number, version in rows}


async def single_step(world: World, order: OrderModel, kind: str, arg: str) -> tuple[World, bool]:
    """Run one step; the model after it and whether the domain accepted it."""
    if kind == "parcel" and not order.shipped_once:
        return world, False  # no parcel to hear about
    if kind == "parcel" and order.parcel == arg:
        await call_domain(world, order, kind, arg)  # a repeat is not a change
        return world, False
    after = snapshot(world)
    try:
        expect(after, after.orders[world.orders.index(order)], kind, arg)
    except Refused as refused:
        with pytest.raises(refused.error):
            await call_domain(world, order, kind, arg)
        return world, False
    await call_domain(world, order, kind, arg)
    return after, True


async def race_step(
    world: World, order: OrderModel, sides: tuple[tuple[str, str], tuple[str, str]]
) -> tuple[World, bool]:
    """Two changes pressed on the same card version at once: at most one wins, and exactly
    one when either would have been accepted alone."""
    version = (await versions(world))[order.number]
    results = await asyncio.gather(
        *(call_domain(world, order, kind, arg, version) for kind, arg in sides),
        return_exceptions=True,
    )
    feasible: list[World | None] = []
    for kind, arg in sides:
        after = snapshot(world)
        try:
            expect(after, after.orders[world.orders.index(order)], kind, arg)
            feasible.append(after)
        except Refused:
            feasible.append(None)
    winners = [i for i, result in enumerate(results) if result is None]
    event(f"race results {sorted(type(r).__name__ for r in results)}")
    for result in results:
        expected = (ConcurrentChange, IllegalTransition, InsufficientStock)
        assert result is None or isinstance(result, expected), repr(result)
    assert len(winners) == (1 if any(feasible) else 0), (sides, results)
    if not winners:
        return world, False
    model = feasible[winners[0]]
    assert model is not None, (sides, results)
    return model, True


async def parcel_race_step(
    world: World, order: OrderModel, parcel: str, target: str
) -> tuple[World, bool]:
    """A courier status and a person's change at once. The person may be told someone acted
    first; the courier status is never refused nor lost, and the result is one of the two
    orders in which they could have happened."""
    if not order.shipped_once:
        return world, False
    index = world.orders.index(order)
    results = await asyncio.gather(
        call_domain(world, order, "parcel", parcel),
        call_domain(world, order, "move", target),
        return_exceptions=True,
    )
    assert results[0] is None, repr(results[0])
    pressed = results[1]
    assert pressed is None or isinstance(pressed, (ConcurrentChange, IllegalTransition)), repr(
        pressed
    )
    candidates: list[tuple[World, bool]] = []
    for plan in (("parcel", "move"), ("move", "parcel"), ("parcel",)):
        after, changed, accepted = snapshot(world), False, False
        for kind in plan:
            model = after.orders[index]
            if kind == "parcel" and model.parcel != parcel:
                expect(after, model, "parcel", parcel)
                changed = True
            elif kind == "move":
                try:
                    expect(after, model, "move", target)
                    changed = accepted = True
                except Refused:
                    pass
        if accepted == (pressed is None):
            candidates.append((after, changed))
    row = await Order.get(store_id=world.store.id, number=order.number)
    events = await OrderEvent.filter(order_id=row.id, type="status_changed").order_by("id")
    history = [e.to_status for e in events]
    matching = [c for c in candidates if c[0].orders[index].history == history]
    assert matching, (parcel, target, results, history)
    return matching[0]


# --- the invariant -------------------------------------------------------------------------


async def check(world: World, before: dict[int, int], touched: int | None) -> None:
    rows = {o.number: o for o in await Order.filter(store_id=world.store.id)}
    committed = [0] * len(world.variant_ids)
    rows_out = await OutboxMessage.filter(
        store_id=world.store.id, channel="fuzz", topic__in=list(STATUS_TOPICS)
    ).order_by("id")
    messages = [(m.payload["order_id"], m.topic) for m in rows_out]
    for model in world.orders:
        row = rows[model.number]
        assert row.status.value == model.status, (model.number, row.status, model.status)
        assert row.stock_committed is (model.status in HOLDS_STOCK), (model.number, row.status)
        if row.stock_committed:
            for v, qty in model.lines.items():
                committed[v] += qty
        if model.number == touched:
            assert row.version > before[model.number]
        else:
            assert row.version == before[model.number], model.number
        events = await OrderEvent.filter(order_id=row.id, type="status_changed").order_by("id")
        assert [e.to_status for e in events] == model.history
        assert [e.from_status for e in events] == ["pending", *model.history][: len(events)]
        topics = [topic for order_id, topic in messages if order_id == row.id]
        assert topics == [f"order.{s}" for s in model.history]
    stock = dict(await Variant.filter(id__in=world.variant_ids).values_list("id", "stock"))
    for index, variant_id in enumerate(world.variant_ids):
        assert stock[variant_id] == world.initial[index] - committed[index] == world.stock[index]
        assert stock[variant_id] >= 0


async def build(scenario: dict[str, Any]) -> World:
    shop = await make_shop(f"fuzz-{next(_stores)}")
    initial: list[int] = list(scenario["stock"])
    for variant, stock in zip(shop.variants, initial, strict=True):
        await Variant.filter(id=variant.id).update(stock=stock)
    await Store.filter(id=shop.store.id).update(no_answer_limit=scenario["no_answer_limit"])
    store = await Store.get(id=shop.store.id)
    orders = []
    for i, lines in enumerate(scenario["orders"]):
        request = checkout(shop.variants[0].id, phone=f"0550 00 00 {i:02d}")
        request.lines = [LineRequest(shop.variants[v].id, None, q) for v, q in lines.items()]
        placed = await intake.place_order(store, request)
        orders.append(OrderModel(placed.order.number, dict(lines)))
    ids = [v.id for v in shop.variants]
    return World(store, ids, initial, list(initial), orders, store.no_answer_limit)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
async def test_no_sequence_of_triggers_breaks_the_stock_invariant(
    db: str, scenario: dict[str, Any]
) -> None:
    world = await build(scenario)
    await check(world, await versions(world), None)
    head_start = [("forward", i, "") for i in range(scenario["head_start"]) for _ in (1, 2)]
    for kind, index, arg in [*head_start, *scenario["steps"]]:
        order = world.orders[index % len(world.orders)]
        if kind == "forward" and order.status == "confirmed" and not order.shipped_once:
            kind = "dispatch"  # the way most orders leave: shipped with a parcel to follow
        elif kind == "forward":
            kind, arg = "move", FORWARD[order.status]
        elif kind == "race":
            arg = tuple(
                ("move", FORWARD[order.status]) if k == "forward" else (k, a) for k, a in arg
            )
        before = await versions(world)
        if kind == "race":
            world, changed = await race_step(world, order, arg)
        elif kind == "parcel_race":
            world, changed = await parcel_race_step(world, order, *arg)
        else:
            world, changed = await single_step(world, order, kind, arg)
        event(f"{kind} {'accepted' if changed else 'refused or no-op'}")
        await check(world, before, order.number if changed else None)
    event(f"final statuses {sorted({o.status for o in world.orders})}")
