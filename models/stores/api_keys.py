"""A store's API keys: several per store, each named by a label, created with its secret
shown once, listed with when it was last used, and revoked one by one.

Every request checks the key against the database (no cache in any process), so a revoked
key is refused at once by every web process.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from models.errors import InvalidInput, NotFound
from models.infra.clock import now
from models.infra.db import is_unavailable
from models.stores.tables import ApiKey, Store

log = logging.getLogger(__name__)

API_KEY_RE = re.compile(r"^hk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,64}$")
MAX_LABEL = 64
# Live keys per store: enough for every tool, few enough to list in one Telegram message.
MAX_ACTIVE_KEYS = 20
# `last_used_at` is written at most this often per key, never once per request.
LAST_USED_EVERY = timedelta(minutes=1)


class KeyRefused(InvalidInput):
    """A key could not be made or revoked; `code` says why (too_many_keys, already_revoked,
    bad_label)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_label(label: str) -> str:
    """The label as stored: trimmed, 0-64 printable characters."""
    label = " ".join(label.split())
    if len(label) > MAX_LABEL or not label.isprintable():
        raise KeyRefused("bad_label", f"label: at most {MAX_LABEL} printable characters")
    return label


@dataclass(frozen=True, slots=True)
class NewApiKey:
    row: ApiKey
    secret: str  # `hk_<prefix>_<secret>`: the only copy there is


async def create_api_key(store: Store, label: str = "") -> NewApiKey:
    """A new key; only the secret's hash is kept, so the returned secret is the only time
    anyone sees it."""
    label = clean_label(label)
    if await ApiKey.filter(store_id=store.id, revoked_at=None).count() >= MAX_ACTIVE_KEYS:
        raise KeyRefused(
            "too_many_keys", f"a store has at most {MAX_ACTIVE_KEYS} keys: revoke one first"
        )
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
    row = await ApiKey.create(
        store=store, prefix=prefix, secret_hash=hash_secret(secret), label=label
    )
    log.info("api key created store=%s prefix=%s", store.slug, prefix)
    return NewApiKey(row, f"hk_{prefix}_{secret}")


async def list_api_keys(store: Store) -> list[ApiKey]:
    """Every key of the store, live ones first, newest first within each."""
    keys = await ApiKey.filter(store_id=store.id).order_by("-id")
    return sorted(keys, key=lambda k: k.revoked_at is not None)


async def revoke_api_key(store: Store, key_id: int) -> ApiKey:
    """Revoke one key of the store; the next request with it gets 401 in every process.
    The store's other keys keep working."""
    key = await ApiKey.get_or_none(id=key_id, store_id=store.id)
    if key is None:
        raise NotFound("API key", key_id)
    # Compare-and-set: two revocations at once revoke once.
    if not await ApiKey.filter(id=key.id, revoked_at=None).update(revoked_at=now()):
        raise KeyRefused("already_revoked", f"API key {key_id} is already revoked")
    log.info("api key revoked store=%s prefix=%s", store.slug, key.prefix)
    return await ApiKey.get(id=key.id)


async def authenticate_api_key(raw: str) -> Store | None:
    """The store a bearer key belongs to, or None (unknown, malformed or revoked)."""
    if not API_KEY_RE.match(raw):  # anything else never reaches the database
        return None
    parts = raw.split("_", 2)
    key = await ApiKey.filter(prefix=parts[1], revoked_at=None).select_related("store").first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(parts[2])):
        return None
    await _note_use(key)
    return key.store


async def _note_use(key: ApiKey) -> None:
    """Record the use at most once a minute per key (conditional, so processes seeing the
    same stale time write once between them). A failure here never fails the request."""
    at = now()
    if key.last_used_at is not None and at - key.last_used_at < LAST_USED_EVERY:
        return
    stale = Q(last_used_at=None) | Q(last_used_at__lt=at - LAST_USED_EVERY)
    try:
        await ApiKey.filter(stale, id=key.id).update(last_used_at=at)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("api key last use not recorded prefix=%s error=%r", key.prefix, exc)
