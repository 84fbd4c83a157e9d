"""Each account's reference data from its courier — wilayas, communes matched to ours,
stop desks, fees — refreshed in the background (a week old at most) and kept on the
account, so dispatch speaks the courier's spelling and the desk picker needs no request.

The refresh runs in the quota's background lane (couriers.http.background_calls): a
dispatch right after `courier add` never waits for it, and needs none of it (the adapters
read the destination wilaya's communes on demand).

The saved shape (CourierAccount.reference):
    {"wilayas": {"16": "Alger", …},                 58-map code → the courier's name
     "communes": {"1601": {"name", "id", "desk"}},  our ONS code → the courier's commune
     "unmatched": ["16: Zone Militaire", …],         courier communes none of ours matched
     "desks": [{"id", "name", "wilaya", "commune", "address"}],
     "fees": {"16": [home, desk]},                   what the courier charges us
     "errors": {"communes": "…"}}                    parts the courier could not give
"""

from __future__ import annotations

import logging
from typing import Any

from couriers.base import Courier, CourierError, CourierUnavailable, NotSupported
from couriers.http import background_calls
from models.errors import DomainError
from models.shipping.accounts import (
    CourierPlace,
    claim_reference_refresh,
    map_communes,
    save_reference,
)
from shipping.pool import CourierPool

log = logging.getLogger(__name__)


async def _communes(courier: Courier, codes: list[int], into: dict[str, Any]) -> None:
    mapped: dict[str, Any] = {}
    unmatched: list[str] = []
    for code in codes:
        places = [
            CourierPlace(c.name, c.courier_id, c.has_stop_desk)
            for c in await courier.communes(code)
        ]
        found, missed = map_communes(code, places)
        mapped.update(found)
        unmatched += [f"{code}: {name}" for name in missed]
    into["communes"], into["unmatched"] = mapped, unmatched


async def _desks(courier: Courier, into: dict[str, Any]) -> None:
    into["desks"] = [
        {"id": d.id, "name": d.name, "wilaya": d.wilaya_code_58, "commune": d.commune_name,
         "address": d.address}
        for d in await courier.stop_desks()
    ]  # fmt: skip


async def _fees(courier: Courier, into: dict[str, Any]) -> None:
    into["fees"] = {str(f.wilaya_code_58): [f.home, f.desk] for f in await courier.fees()}


async def gather_reference(courier: Courier) -> dict[str, Any]:
    """Everything the courier tells about where it delivers. A part it does not offer
    (NotSupported) or refuses is noted under "errors"; an unreachable courier raises
    CourierUnavailable so the refresh is tried again later."""
    reference: dict[str, Any] = {"errors": {}}
    wilayas = await courier.wilayas()
    reference["wilayas"] = {str(w.code_58): w.name for w in wilayas}
    codes = sorted({w.code_58 for w in wilayas if 1 <= w.code_58 <= 58})
    parts = {
        "communes": lambda: _communes(courier, codes, reference),
        "desks": lambda: _desks(courier, reference),
        "fees": lambda: _fees(courier, reference),
    }
    for name, part in parts.items():
        try:
            await part()
        except CourierUnavailable:
            raise
        except CourierError as exc:
            if not isinstance(exc, NotSupported):
                log.warning(
                    "reference part failed courier=%s part=%s error=%s", courier.name, name, exc
                )
            reference["errors"][name] = str(exc)[:300]
    return reference


async def refresh_one(pool: CourierPool) -> int | None:
    """Refresh the reference data of one account that needs it; its id, or None when
    none does. A failure leaves the account to be tried again in an hour."""
    account = await claim_reference_refresh()
    if account is None:
        return None
    try:
        with background_calls():
            reference = await gather_reference(await pool.courier(account))
    except (CourierError, DomainError) as exc:
        log.warning(
            "reference sync failed account=%s courier=%s error=%s", account.id, account.courier, exc
        )
        return account.id
    await save_reference(account.id, reference)
    log.info(
        "reference synced account=%s courier=%s wilayas=%d communes=%d unmatched=%d desks=%d",
        account.id,
        account.courier,
        len(reference.get("wilayas", {})),
        len(reference.get("communes", {})),
        len(reference.get("unmatched", [])),
        len(reference.get("desks", [])),
    )
    return account.id
