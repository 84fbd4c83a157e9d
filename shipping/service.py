"""Dispatch as the bot's Dispatch ▸ menu, `/couriers` and `POST /v1/orders/{n}/dispatch`
see it (models.shipping.parcels.DispatchService): the composition root builds one with the sealer
and hands it to the bot and the web app, which never import this package."""

from __future__ import annotations

from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.shipping import accounts as courier_accounts
from models.shipping.parcels import DeskChoice
from models.shipping.tables import CourierAccount
from models.stores.tables import Store
from shipping import dispatch
from shipping.accounts import retest_account
from shipping.pool import Build, build_from_registry


class CourierDispatch:
    """models.shipping.parcels.DispatchService over the store's courier accounts."""

    def __init__(self, sealer: Sealer, build: Build = build_from_registry) -> None:
        self.sealer = sealer
        self.build = build

    async def dispatch(
        self,
        store: Store,
        number: int,
        actor: Actor,
        account_id: int | None,
        stopdesk_id: str | None,
        expected_version: int | None = None,
    ) -> Order:
        return await dispatch.dispatch(
            store,
            number,
            actor,
            account_id,
            stopdesk_id,
            self.sealer,
            expected_version=expected_version,
        )

    async def desks(self, store: Store, order: Order, account_id: int | None) -> list[DeskChoice]:
        if order.delivery_type != "desk":
            return []
        account = await courier_accounts.get_account(store, account_id)
        capabilities = await dispatch.capabilities_of(account, self.sealer, self.build)
        if not capabilities.stop_desks or capabilities.create_batch == 0:
            return []  # the courier picks the desk itself (or has no API at all)
        found = await dispatch.desks_for_order(store, order.number, account.id, self.sealer)
        if not found:
            # Refuse rather than let the parcel go home: the customer chose a desk.
            raise InvalidInput(
                f"stopdesk_id: {account.courier} has no stop desk in wilaya {order.wilaya_code_58}"
            )
        return [DeskChoice(d.id, d.name, d.commune_name) for d in found]

    async def accounts(self, store: Store) -> list[CourierAccount]:
        return await courier_accounts.list_accounts(store)

    async def test_account(self, store: Store, account_id: int) -> str | None:
        error = await retest_account(store, account_id, self.sealer, self.build)
        return error or None

    async def set_default(self, store: Store, account_id: int) -> None:
        await courier_accounts.set_default(store, account_id)
