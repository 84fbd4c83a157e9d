"""Secrets the server makes for itself (the Telegram webhook's when none is configured):
made once, sealed at rest, the same for every process, even processes starting together."""

from __future__ import annotations

import asyncio
import re

from models.infra import server_secrets
from models.infra.sealing import Sealer
from models.infra.tables import ServerSecret

NAME = server_secrets.TELEGRAM_WEBHOOK
KEY = "server-secrets-test-key-0123456789abcdef"


async def test_made_once_then_read_back(db: str) -> None:
    await ServerSecret.filter(name=NAME).delete()
    first = await server_secrets.shared_secret(NAME, Sealer(KEY))
    again = await server_secrets.shared_secret(NAME, Sealer(KEY))
    assert first == again
    # Telegram's alphabet for secret tokens, and 256 bits of it.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,256}", first)
    row = await ServerSecret.get(name=NAME)
    assert first not in row.sealed  # a copy of the database does not show it


async def test_processes_starting_together_agree(db: str) -> None:
    await ServerSecret.filter(name=NAME).delete()
    # Each call is its own Sealer, as in separate processes; all race to insert.
    found = await asyncio.gather(
        *(server_secrets.shared_secret(NAME, Sealer(KEY)) for _ in range(8))
    )
    assert len(set(found)) == 1
    assert await ServerSecret.filter(name=NAME).count() == 1


async def test_a_secret_sealed_with_another_key_is_replaced_once(db: str) -> None:
    await ServerSecret.filter(name=NAME).delete()
    old = await server_secrets.shared_secret(NAME, Sealer("the-key-before-it-was-changed-000"))
    found = await asyncio.gather(
        *(server_secrets.shared_secret(NAME, Sealer(KEY)) for _ in range(4))
    )
    assert len(set(found)) == 1 and found[0] != old
    assert await server_secrets.shared_secret(NAME, Sealer(KEY)) == found[0]
