"""A store's courier accounts (SPEC §6): credentials sealed at rest, the default account,
the outcome of the last credentials test, and the courier's reference data (wilayas,
communes, stop desks, fees) mapped to Hanout's communes.

Talking to the courier is the shipping adapter's job; this module stores what it learns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.errors import InvalidInput, NotFound
from models.infra import clock
from models.infra.sealing import Sealer
from models.shipping import geography
from models.shipping.tables import CourierAccount
from models.stores.tables import Store

COURIER_NAME = re.compile(r"^[a-z][a-z0-9_]{1,23}$")
CREDENTIAL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CREDENTIAL = 500
# Couriers add communes and desks now and then; a week-old copy is refreshed.
REFERENCE_MAX_AGE = timedelta(days=7)
# A failed refresh is tried again after this long, not at every tick.
REFERENCE_RETRY = timedelta(hours=1)


class CourierPlace(NamedTuple):
    """A commune as one courier names it, with its own id (Maystro, ZR) when it has one."""

    name: str
    courier_id: str = ""
    has_desk: bool = False


def clean_credentials(credentials: Mapping[str, str]) -> dict[str, str]:
    """Credential names and values as we keep them; InvalidInput names the bad one."""
    clean: dict[str, str] = {}
    for key, value in credentials.items():
        if not CREDENTIAL_KEY.match(key):
            raise InvalidInput(f"credential {key!r}: use lowercase letters, digits and _")
        text = str(value).strip()
        if not text or len(text) > MAX_CREDENTIAL:
            raise InvalidInput(f"credential {key}: 1 to {MAX_CREDENTIAL} characters")
        clean[key] = text
    return clean


def clean_base_url(base_url: str) -> str:
    """An http(s) base URL ending in "/", or "" for the courier's default."""
    url = base_url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url or len(url) > 255:
        raise InvalidInput("base_url: an http(s) address of at most 255 characters")
    return url if url.endswith("/") else url + "/"


async def add_account(
    store: Store,
    courier: str,
    credentials: Mapping[str, str],
    sealer: Sealer,
    *,
    base_url: str = "",
    label: str = "",
) -> CourierAccount:
    """A new account whose credentials the caller has tested; the store's first account
    becomes its default. Credentials are sealed: the database alone does not reveal them."""
    if not COURIER_NAME.match(courier):
        raise InvalidInput(f"courier {courier!r} is not a courier name")
    clean = clean_credentials(credentials)
    url = clean_base_url(base_url)
    async with in_transaction() as conn:
        first = not await CourierAccount.filter(store_id=store.id).using_db(conn).exists()
        return await CourierAccount.create(
            using_db=conn,
            store=store,
            courier=courier,
            label=(label.strip() or courier)[:80],
            base_url=url,
            credentials_sealed=sealer.seal(clean),
            is_default=first,
            last_test_ok_at=clock.now(),
        )


async def update_credentials(
    store: Store, account_id: int, changes: Mapping[str, str], sealer: Sealer
) -> CourierAccount:
    """Add or replace some of an account's credentials (a webhook secret given after the
    webhook was registered at the courier); the others are kept as they are."""
    account = await get_account(store, account_id)
    credentials = {**credentials_of(account, sealer), **clean_credentials(changes)}
    account.credentials_sealed = sealer.seal(credentials)
    await CourierAccount.filter(id=account.id).update(credentials_sealed=account.credentials_sealed)
    return account


def credentials_of(account: CourierAccount, sealer: Sealer) -> dict[str, str]:
    """The account's credentials in clear (InvalidInput when SECRET_KEY changed)."""
    return sealer.unseal(account.credentials_sealed) if account.credentials_sealed else {}


async def list_accounts(store: Store) -> list[CourierAccount]:
    """The store's active accounts, the default first."""
    return await CourierAccount.filter(store_id=store.id, active=True).order_by("-is_default", "id")


async def get_account(store: Store, account_id: int | None = None) -> CourierAccount:
    """The store's active account `account_id`, or its default one when None."""
    query = CourierAccount.filter(store_id=store.id, active=True)
    account = await (
        query.filter(id=account_id) if account_id else query.order_by("-is_default", "id")
    ).first()
    if account is None:
        raise NotFound("courier account", account_id or "default")
    return account


async def account_by_id(account_id: int) -> CourierAccount | None:
    """An active account by id, whatever its store (the sync job, courier webhooks)."""
    return await CourierAccount.filter(id=account_id, active=True).first()


async def set_default(store: Store, account_id: int) -> CourierAccount:
    """Make this account the one dispatch uses when none is chosen."""
    account = await get_account(store, account_id)
    async with in_transaction() as conn:
        await (
            CourierAccount.filter(store_id=store.id)
            .exclude(id=account.id)
            .using_db(conn)
            .update(is_default=False)
        )
        await CourierAccount.filter(id=account.id).using_db(conn).update(is_default=True)
    account.is_default = True
    return account


async def save_test_result(account_id: int, error: str = "") -> None:
    """The outcome of testing the credentials against the courier (empty error: passed)."""
    changes: dict[str, Any] = {"last_error": error[:500]}
    if not error:
        changes["last_test_ok_at"] = clock.now()
    await CourierAccount.filter(id=account_id).update(**changes)


async def claim_reference_refresh() -> CourierAccount | None:
    """One active account whose reference data is missing or old, taken so that another
    worker passes it over: its sync time is moved to "retry later" before the refresh."""
    t = clock.now()
    stale = Q(reference_synced_at__isnull=True) | Q(reference_synced_at__lt=t - REFERENCE_MAX_AGE)
    retry_at = t - REFERENCE_MAX_AGE + REFERENCE_RETRY
    query = CourierAccount.filter(stale, active=True).exclude(courier="manual").order_by("id")
    for account_id in await query.values_list("id", flat=True):
        # Once moved, the row is no longer stale: a concurrent claim's UPDATE matches nothing.
        if await CourierAccount.filter(stale, id=account_id).update(reference_synced_at=retry_at):
            return await CourierAccount.get(id=account_id)
    return None


async def save_reference(account_id: int, reference: Mapping[str, Any]) -> None:
    """Store the courier's reference data as `shipping` gathered it."""
    await CourierAccount.filter(id=account_id).update(
        reference=dict(reference), reference_synced_at=clock.now()
    )


# --- matching the courier's communes to ours ----------------------------------------------


def fold_name(text: str) -> str:
    """Accents, case and punctuation removed: "Aïn-Arnat" and "AIN ARNAT" fold alike."""
    raw = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in raw if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _our_communes(wilaya_code_58: int) -> list[geography.Commune]:
    return [
        commune
        for wilaya in geography.wilayas()
        if wilaya.code_58 == wilaya_code_58
        for commune in geography.communes_of(wilaya.code)
    ]


def _names_of(commune: geography.Commune) -> set[str]:
    names = {fold_name(commune.name_fr), *(fold_name(a) for a in commune.aliases)}
    return names | {name.replace(" ", "") for name in names}


def map_communes(
    wilaya_code_58: int, places: Iterable[CourierPlace]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Our communes (by ONS code) → the courier's name, id and desk flag, matched within the
    58-map wilaya only (homonyms live in other wilayas) by folded name or alias, spaces
    ignored. Returns the mapping and the courier's names nothing matched."""
    ours = [(commune, _names_of(commune)) for commune in _our_communes(wilaya_code_58)]
    mapped: dict[str, dict[str, Any]] = {}
    unmatched: list[str] = []
    for place in places:
        folded = fold_name(place.name)
        match = next(
            (c for c, names in ours if folded in names or folded.replace(" ", "") in names), None
        )
        if match is None:
            unmatched.append(place.name)
            continue
        entry = {"name": place.name, "id": place.courier_id, "desk": place.has_desk}
        mapped.setdefault(match.ons_code, entry)
    return mapped, unmatched
