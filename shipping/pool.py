"""One live courier adapter per courier account in a process.

Sharing the adapter keeps one HTTP client and one quota per account (Yalidine's windows are
per account), and its memory: NOEST and EcoTrack find a parcel they created as a draft only
through the instance that created it, which is what makes a retry after a timeout safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from couriers.base import Account, Courier, CourierRejected
from couriers.registry import COURIERS
from models.infra.sealing import Sealer
from models.shipping.accounts import credentials_of
from models.shipping.tables import CourierAccount

log = logging.getLogger(__name__)

Build = Callable[[Account], Courier]


def build_from_registry(account: Account) -> Courier:
    """The adapter for the account's courier (CourierRejected for an unknown name)."""
    factory = COURIERS.get(account.courier)
    if factory is None:
        raise CourierRejected(f"unknown courier {account.courier!r}")
    return factory(account)


class CourierPool:
    """Adapters by account id, rebuilt when the account's credentials or address change."""

    def __init__(self, sealer: Sealer, build: Build = build_from_registry) -> None:
        self.sealer = sealer
        self.build = build
        self._live: dict[int, tuple[tuple[str, str, str], Courier]] = {}

    def account_of(self, row: CourierAccount) -> Account:
        """The neutral account an adapter is built from (credentials unsealed)."""
        return Account(row.courier, row.base_url, credentials_of(row, self.sealer))

    async def courier(self, row: CourierAccount) -> Courier:
        """The live adapter of this account. Raises InvalidInput when the credentials cannot
        be unsealed (SECRET_KEY changed) and CourierError when they are incomplete."""
        key = (row.courier, row.base_url, row.credentials_sealed)
        cached = self._live.get(row.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        adapter = self.build(self.account_of(row))
        if cached is not None:
            await cached[1].aclose()
        self._live[row.id] = (key, adapter)
        return adapter

    async def aclose(self) -> None:
        live, self._live = self._live, {}
        for _, adapter in live.values():
            try:
                await adapter.aclose()
            except Exception:  # closing must go on for the other accounts
                log.exception("courier adapter did not close courier=%s", adapter.name)
