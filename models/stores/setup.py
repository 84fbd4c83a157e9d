"""Stores and invites: creating them, and the fee table."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from models.errors import InvalidInput, NotFound
from models.infra.clock import now
from models.shipping import geography
from models.shipping.fees import FeeRow, default_fee
from models.shipping.tables import DeliveryFee
from models.stores import cache
from models.stores.api_keys import create_api_key, hash_secret
from models.stores.tables import Store
from models.team.tables import Invite

LANGS = ("ar", "fr", "en")
ROLES = ("owner", "agent")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {"v1", "static", "telegram", "health", "healthz", "api", "admin", "desk"}
)
INVITE_TTL = timedelta(days=7)
MAX_TOKEN = 64  # longer input is cut before hashing (tokens are 24 characters)
# The key a new store starts with.
FIRST_KEY_LABEL = "initial"


@dataclass(frozen=True, slots=True)
class NewStore:
    store: Store
    api_key: str
    invite_token: str


async def create_invite(store: Store, role: str = "owner") -> str:
    """A one-time token for `/start <token>` in Telegram, valid for a week. Only its hash
    is stored: the returned token is the only copy."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    token = secrets.token_urlsafe(18)
    await Invite.create(
        store=store, token_hash=invite_hash(token), role=role, expires_at=now() + INVITE_TTL
    )
    return token


def invite_hash(token: str) -> str:
    """What the database keeps of an invite token (SHA-256, like API keys)."""
    return hash_secret(token[:MAX_TOKEN])


async def create_store(slug: str, name: str, lang: str = "ar", email: str = "") -> NewStore:
    """A store with an API key, an owner invite and the default fee table (every wilaya,
    home and stop desk, priced by zone; replace it with `set_fees`)."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput("slug: 1-48 lowercase letters, digits or '-', not reserved")
    if lang not in LANGS:
        raise InvalidInput(f"lang must be one of {', '.join(LANGS)}")
    if not name.strip() or len(name) > 120:
        raise InvalidInput("name: 1-120 characters")
    if email and ("@" not in email or len(email) > 254):
        raise InvalidInput("email: not an address")
    if await Store.exists(slug=slug):
        raise InvalidInput(f"store {slug!r} already exists")
    async with in_transaction():
        store = await Store.create(slug=slug, name=name.strip(), lang=lang, owner_email=email)
        api_key = (await create_api_key(store, FIRST_KEY_LABEL)).secret
        token = await create_invite(store, "owner")
        await set_fees(store, default_fee_table())
    return NewStore(store, api_key, token)


def default_fee_table() -> dict[int, FeeRow]:
    return {w.code: default_fee(w.code_58) for w in geography.wilayas()}


async def get_store(slug: str) -> Store:
    store = await Store.get_or_none(slug=slug)
    if store is None:
        raise NotFound("store", slug)
    return store


async def set_fees(store: Store, table: dict[int, FeeRow]) -> None:
    """Replace the store's fee table (69-map wilaya codes)."""
    unknown = [code for code in table if geography.get_wilaya(code) is None]
    if unknown:
        raise InvalidInput(f"unknown wilaya codes: {unknown}")
    async with in_transaction() as conn:
        await DeliveryFee.filter(store_id=store.id).using_db(conn).delete()
        await DeliveryFee.bulk_create(
            [
                DeliveryFee(store=store, wilaya_code=c, home_fee=r.home, desk_fee=r.desk)
                for c, r in sorted(table.items())
            ],
            using_db=conn,
        )
    cache.forget(store.id)


async def fee_table(store: Store) -> dict[int, FeeRow]:
    rows = await DeliveryFee.filter(store_id=store.id).values_list(
        "wilaya_code", "home_fee", "desk_fee"
    )
    return {code: FeeRow(home, desk) for code, home, desk in rows}


async def kept_fee_table(store: Store) -> dict[int, FeeRow]:
    """fee_table as kept in memory (models.stores.cache): for the storefront and the checkout,
    which read it on every visit. Read only; never change the dict returned."""
    return await cache.cached(store.id, "fees", lambda: fee_table(store))
