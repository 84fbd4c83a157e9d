"""Dispatch through a courier account with an API — what the bot's Dispatch ▸ button and
`POST /v1/orders/{number}/dispatch` call.

The courier's capabilities decide the desk rule: a courier with a list of stop desks
(Yalidine, EcoTrack, NOEST, ZR) needs the desk of a stop-desk order, chosen from that list;
Procolis and Maystro pick the desk themselves. A courier without an API (manual) is
dispatched by typing the tracking number (models.shipping.manual.dispatch_order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from couriers.base import Account, Capabilities, CourierError, StopDesk
from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.orders.transitions import get_order
from models.shipping.accounts import credentials_of, fold_name, get_account
from models.shipping.parcels import request_dispatch
from models.shipping.tables import CourierAccount
from models.stores.tables import Store
from shipping.pool import Build, build_from_registry


async def capabilities_of(
    account: CourierAccount, sealer: Sealer, build: Build = build_from_registry
) -> Capabilities:
    """What the account's courier can do (its adapter is built for the question)."""
    try:
        adapter = build(Account(account.courier, account.base_url, credentials_of(account, sealer)))
    except CourierError as exc:
        raise InvalidInput(f"courier account {account.id}: {exc}") from exc
    try:
        return adapter.capabilities
    finally:
        await adapter.aclose()


def synced_desks(reference: Mapping[str, Any], wilaya_code_58: int) -> list[StopDesk]:
    """The courier's desks in a wilaya as the last reference sync saw them."""
    return [
        StopDesk(str(d["id"]), str(d.get("name", "")), wilaya_code_58, str(d.get("commune", "")),
                 str(d.get("address", "")))
        for d in reference.get("desks") or []
        if d.get("wilaya") == wilaya_code_58
    ]  # fmt: skip


def _checked_desk(order: Order, account: CourierAccount, stopdesk_id: str | None) -> str | None:
    desk = (stopdesk_id or "").strip() or None
    if order.delivery_type != "desk" or desk is None:
        return None  # a home order goes home, whatever desk was sent along
    known = synced_desks(account.reference or {}, order.wilaya_code_58)
    if known and desk not in {d.id for d in known}:
        raise InvalidInput(
            f"stopdesk_id: {desk} is not a {account.courier} desk in wilaya {order.wilaya_code_58}"
        )
    return desk


async def dispatch(
    store: Store,
    number: int,
    actor: Actor,
    account_id: int | None,
    stopdesk_id: str | None,
    sealer: Sealer,
    *,
    expected_version: int | None = None,
) -> Order:
    """confirmed → processing and the parcel to create at the account's courier (the
    default account when `account_id` is None); the courier channel creates it after
    commit and the order moves to shipped. Raises InvalidInput (desk missing or unknown,
    courier without an API), IllegalTransition, ConcurrentChange, NotFound."""
    account = await get_account(store, account_id)
    capabilities = await capabilities_of(account, sealer)
    if capabilities.create_batch == 0:
        raise InvalidInput(f"courier: {account.courier} has no API; type the tracking number")
    desk = _checked_desk(await get_order(store, number), account, stopdesk_id)
    return await request_dispatch(
        store,
        number,
        actor,
        account.id,
        desk,
        expected_version,
        desk_required=capabilities.stop_desks,
    )


async def desks_for_order(
    store: Store, number: int, account_id: int | None, sealer: Sealer
) -> list[StopDesk]:
    """The stop desks to offer for an order (the picker): from the synced reference data,
    else asked of the courier. Empty when the courier picks the desk itself."""
    account = await get_account(store, account_id)
    order = await get_order(store, number)
    desks = synced_desks(account.reference or {}, order.wilaya_code_58)
    if not desks:
        desks = await _live_desks(account, order.wilaya_code_58, sealer)
    here = fold_name(order.commune_name)
    # The customer's own commune first, then by name.
    return sorted(desks, key=lambda d: (fold_name(d.commune_name) != here, fold_name(d.name)))


async def _live_desks(
    account: CourierAccount, wilaya_code_58: int, sealer: Sealer
) -> list[StopDesk]:
    credentials = credentials_of(account, sealer)
    try:
        adapter = build_from_registry(Account(account.courier, account.base_url, credentials))
        try:
            if not adapter.capabilities.stop_desks:
                return []
            return await adapter.stop_desks(wilaya_code_58)
        finally:
            await adapter.aclose()
    except CourierError as exc:
        raise InvalidInput(f"{account.courier}: desks unavailable ({exc})") from exc
