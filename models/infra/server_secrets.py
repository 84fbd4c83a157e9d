"""Secrets the server generates for itself when the operator set none (the Telegram
webhook's): made once, kept sealed in the database, the same for every process.

Processes starting together each try to insert their own candidate; the primary key lets
one win, and every process then reads the winner back, so all agree."""

from __future__ import annotations

import contextlib
import logging
import secrets

from tortoise.exceptions import IntegrityError

from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.infra.tables import ServerSecret

log = logging.getLogger(__name__)
TELEGRAM_WEBHOOK = "telegram_webhook"
_VALUE = "value"


def new_secret() -> str:
    """256 random bits in Telegram's alphabet for secret tokens (A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(32)


async def _insert_if_absent(name: str, sealed: str) -> None:
    # Another process was first when the key exists: its secret is the one.
    with contextlib.suppress(IntegrityError):
        await ServerSecret.create(name=name, sealed=sealed)


async def shared_secret(name: str, sealer: Sealer) -> str:
    """The secret called `name`, generated and stored by the first process that asks.

    When the stored one cannot be unsealed (SECRET_KEY was changed since), a new one
    replaces it, compare-and-set on the old row so that processes replacing it together
    still end with one."""
    row = await ServerSecret.get_or_none(name=name)
    if row is None:
        await _insert_if_absent(name, sealer.seal({_VALUE: new_secret()}))
        row = await ServerSecret.get(name=name)
    try:
        return sealer.unseal(row.sealed)[_VALUE]
    except (InvalidInput, KeyError):
        log.warning(
            "stored secret unreadable (SECRET_KEY changed?), making a new one name=%s", name
        )
    await ServerSecret.filter(name=name, sealed=row.sealed).update(
        sealed=sealer.seal({_VALUE: new_secret()})
    )
    row = await ServerSecret.get(name=name)
    return sealer.unseal(row.sealed)[_VALUE]
