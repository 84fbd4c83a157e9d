"""Shared builders for the shipping tests: orders ready to dispatch, courier accounts on
the fake couriers, a relay with the courier channel, and the parcel sync."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from couriers.base import Account, Courier
from couriers.procolis import ProcolisCourier
from couriers.yalidine import YalidineCourier
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox import relay as outbox
from models.outbox.tables import OutboxMessage
from models.shipping import accounts
from models.shipping.manual import dispatch_order
from models.shipping.tables import CourierAccount, Shipment
from models.stores.tables import Store
from notify.relay import PermanentFailure, Relay
from shipping.channel import CourierChannel
from shipping.pool import CourierPool, build_from_registry
from tests.couriers.fake_yalidine import API_ID, API_TOKEN, FakeYalidine
from tests.factories import Shop, checkout

SECRET_KEY = "test-secret-key-for-shipping"
OWNER = Actor("owner", "42", "Samira")
YALIDINE_CREDENTIALS = {"api_id": API_ID, "api_token": API_TOKEN, "from_wilaya": "5"}


def sealer() -> Sealer:
    return Sealer(SECRET_KEY)


class FakeBuilder:
    """Builds the real adapters with what the fakes need: the fake Yalidine's clock (its
    quota windows run on it) and short timeouts, so a stalled create times out quickly."""

    def __init__(self, yalidine: FakeYalidine | None = None, timeout: float = 2.0) -> None:
        self.yalidine = yalidine
        self.timeout = timeout
        self.built: list[Courier] = []

    def __call__(self, account: Account) -> Courier:
        timeout = httpx.Timeout(self.timeout)
        adapter: Courier
        if account.courier == "yalidine" and self.yalidine is not None:
            clock = self.yalidine.clock
            adapter = YalidineCourier(account, clock=clock, sleep=clock.sleep, timeout=timeout)
        elif account.courier == "procolis":
            adapter = ProcolisCourier(account, timeout=timeout)
        else:
            adapter = build_from_registry(account)
        self.built.append(adapter)
        return adapter


async def confirmed_order(shop: Shop, phone: str = "0550 12 34 56", **fields: Any) -> Order:
    """A confirmed order (stock committed) to Bordj El Kiffan, Alger, unless told."""
    fields = {"commune": "1630", **fields}
    placed = await place_order(shop.store, checkout(shop.variants[0].id, 2, phone=phone, **fields))
    return await transition_order(shop.store, placed.order.number, OrderStatus.CONFIRMED, OWNER)


async def account(
    store: Store, courier: str, base_url: str, credentials: dict[str, str]
) -> CourierAccount:
    return await accounts.add_account(store, courier, credentials, sealer(), base_url=base_url)


def courier_relay(pool: CourierPool) -> Relay:
    return Relay({"courier": CourierChannel(pool, PermanentFailure)}, worker_id="test-relay")


async def deliver_now() -> None:
    """Time passes: every row waiting for a retry is due again."""
    await OutboxMessage.filter(status=outbox.PENDING).update(available_at=clock.now())


async def make_due(order: Order) -> None:
    """The parcel's next poll time has come."""
    await Shipment.filter(order_id=order.id).update(next_poll_at=clock.now() - timedelta(seconds=1))


async def event_types(order: Order) -> list[str]:
    events = await OrderEvent.filter(order_id=order.id).order_by("id")
    return [e.type if e.type != "status_changed" else f"->{e.to_status}" for e in events]


async def shipped_by_hand(shop: Shop, acc: CourierAccount, tracking: str, phone: str) -> Order:
    """A shipped order whose parcel at `acc`'s courier has this tracking (set up through
    the typed-tracking path, then tied to the account)."""
    order = await confirmed_order(shop, phone=phone)
    order = await dispatch_order(shop.store, order.number, OWNER, tracking, courier=acc.courier)
    await Shipment.filter(order_id=order.id).update(
        account_id=acc.id, next_poll_at=clock.now() + timedelta(minutes=30)
    )
    return order
