"""Courier accounts as the merchant manages them (`hanout courier add`, the bot's
/couriers): credentials tested against the courier before they are kept, and the webhook
address to register at couriers that push status changes."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from couriers.base import Account, CourierAuthError, CourierError
from couriers.registry import COURIERS
from couriers.yalidine import BASE_URLS as YALIDINE_HOSTS
from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.shipping import accounts
from models.shipping.tables import CourierAccount
from models.stores.tables import Store
from shipping.pool import Build, build_from_registry

log = logging.getLogger(__name__)

# Couriers that push status changes (reference/couriers.md §2.8, §6.6, §7.5).
YALIDINE_WEBHOOKS = frozenset(YALIDINE_HOSTS)  # Yalidine and its clone hosts
SIGNED_WEBHOOKS = YALIDINE_WEBHOOKS | {"zrexpress"}
TOKEN_WEBHOOKS = frozenset({"maystro"})  # unsigned: a secret token in the address
WEBHOOK_SECRET = "webhook_secret"  # noqa: S105 — the credential's name, not a secret


async def check_credentials(account: Account, build: Build = build_from_registry) -> None:
    """Ask the courier whether the credentials work; InvalidInput says why not."""
    try:
        adapter = build(account)
    except CourierError as exc:
        raise InvalidInput(f"credentials: {exc}") from exc
    try:
        await adapter.test_credentials()
    except CourierAuthError as exc:
        raise InvalidInput(f"credentials refused by {account.courier}: {exc}") from exc
    except CourierError as exc:
        raise InvalidInput(f"{account.courier} could not check the credentials: {exc}") from exc
    finally:
        await adapter.aclose()


async def add_account(
    store: Store,
    courier: str,
    credentials: Mapping[str, str],
    sealer: Sealer,
    *,
    base_url: str = "",
    label: str = "",
    build: Build = build_from_registry,
) -> CourierAccount:
    """Test the credentials at the courier, then keep them sealed. Nothing is stored when
    the courier refuses them or cannot be reached."""
    if courier not in COURIERS:
        raise InvalidInput(f"courier: one of {', '.join(sorted(COURIERS))}")
    clean = accounts.clean_credentials(credentials)
    if courier in TOKEN_WEBHOOKS and WEBHOOK_SECRET not in clean:
        clean[WEBHOOK_SECRET] = secrets.token_urlsafe(24)
    url = accounts.clean_base_url(base_url)
    await check_credentials(Account(courier, url, clean), build)
    account = await accounts.add_account(store, courier, clean, sealer, base_url=url, label=label)
    log.info(
        "courier account added store=%s courier=%s account=%s", store.slug, courier, account.id
    )
    return account


async def retest_account(
    store: Store, account_id: int, sealer: Sealer, build: Build = build_from_registry
) -> str:
    """Test a kept account again (the bot's Test button); the error, or "" when it works.
    The outcome is saved on the account."""
    row = await accounts.get_account(store, account_id)
    credentials = accounts.credentials_of(row, sealer)
    try:
        await check_credentials(Account(row.courier, row.base_url, credentials), build)
        error = ""
    except InvalidInput as exc:
        error = str(exc)
    await accounts.save_test_result(row.id, error)
    return error


def webhook_path(account: CourierAccount, sealer: Sealer) -> str | None:
    """Where the courier should send its webhooks (appended to PUBLIC_URL), or None."""
    base = f"/couriers/{account.courier}/{account.id}/webhook"
    if account.courier in SIGNED_WEBHOOKS:
        return base
    if account.courier in TOKEN_WEBHOOKS:
        token = accounts.credentials_of(account, sealer).get(WEBHOOK_SECRET)
        return f"{base}/{token}" if token else None
    return None
