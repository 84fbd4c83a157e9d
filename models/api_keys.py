"""A store's API keys: creating them and checking a bearer key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from models.orm import ApiKey, Store

API_KEY_RE = re.compile(r"^hk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,64}$")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_api_key(store: Store) -> str:
    """A new key `hk_<prefix>_<secret>`; only the secret's hash is kept."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
    await ApiKey.create(store=store, prefix=prefix, secret_hash=hash_secret(secret))
    return f"hk_{prefix}_{secret}"


async def authenticate_api_key(raw: str) -> Store | None:
    """The store a bearer key belongs to, or None (unknown, malformed or revoked)."""
    if not API_KEY_RE.match(raw):  # anything else never reaches the database
        return None
    parts = raw.split("_", 2)
    key = await ApiKey.filter(prefix=parts[1], revoked_at=None).select_related("store").first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(parts[2])):
        return None
    return key.store
