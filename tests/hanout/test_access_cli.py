"""`hanout store key create|list|revoke` and the invite link `store create` prints, run as
real processes; the bot's username comes from the fake Bot API's getMe when
TELEGRAM_BOT_USERNAME is not set."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from models.stores.tables import ApiKey, Store
from models.team.tables import TelegramBot
from tests.fakes.telegram_api import FakeTelegram
from tests.hanout.test_cli import hanout
from tests.webstore.api_support import bearer, serve


def out(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_keys_are_created_listed_and_revoked(db: str) -> None:
    first = out(hanout(db, "store", "create", "souk", "--name", "Souk"))["api_key"]
    made = out(hanout(db, "store", "key", "create", "souk", "--label", "site web"))
    assert made["label"] == "site web" and made["revoked_at"] is None
    assert made["api_key"].startswith(made["prefix"] + "_")
    listed = out(hanout(db, "store", "key", "list", "souk"))["keys"]
    assert [(k["id"], k["label"]) for k in listed] == [
        (made["id"], "site web"),
        (listed[1]["id"], "initial"),
    ]
    assert set(listed[0]) == {"id", "label", "prefix", "created_at", "last_used_at", "revoked_at"}
    assert all("api_key" not in k for k in listed)
    stored = await ApiKey.get(id=made["id"])
    assert made["api_key"].split("_", 2)[2] not in stored.secret_hash

    async with serve() as client:
        assert (await client.get("/v1/orders", headers=bearer(made["api_key"]))).status == 200
        listed = out(hanout(db, "store", "key", "list", "souk"))["keys"]
        assert listed[0]["last_used_at"] is not None and listed[1]["last_used_at"] is None
        revoked = out(hanout(db, "store", "key", "revoke", "souk", str(made["id"])))
        assert revoked["revoked_at"] is not None
        assert (await client.get("/v1/orders", headers=bearer(made["api_key"]))).status == 401
        assert (await client.get("/v1/orders", headers=bearer(first))).status == 200
    listed = out(hanout(db, "store", "key", "list", "souk"))["keys"]
    assert [k["revoked_at"] is not None for k in listed] == [False, True]


async def test_revoking_what_cannot_be_revoked_is_a_clear_error(db: str) -> None:
    out(hanout(db, "store", "create", "souk", "--name", "Souk"))
    out(hanout(db, "store", "create", "autre", "--name", "Autre"))
    theirs = out(hanout(db, "store", "key", "list", "autre"))["keys"][0]["id"]
    ours = out(hanout(db, "store", "key", "list", "souk"))["keys"][0]["id"]
    out(hanout(db, "store", "key", "revoke", "souk", str(ours)))
    for key_id, message in ((theirs, "not found"), (ours, "already revoked"), (99999, "not found")):
        done = hanout(db, "store", "key", "revoke", "souk", str(key_id))
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert await ApiKey.filter(revoked_at=None).count() == 1  # theirs still lives
    done = hanout(db, "store", "key", "create", "souk", "--label", "x" * 65)
    assert done.returncode == 1 and "label" in done.stderr


async def test_invite_link_is_learnt_from_getme_and_stored(db: str) -> None:
    async with FakeTelegram() as fake:
        env = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "TELEGRAM_BOT_USERNAME": "",
        }
        done = await asyncio.to_thread(
            hanout, db, "store", "create", "souk", "--name", "Souk", env=env
        )
        created = out(done)
        assert (
            created["invite_link"]
            == f"https://t.me/hanout_test_bot?start={created['invite_token']}"
        )
        assert len(fake.calls("getMe", ok=True)) == 1
    assert fake.token not in done.stderr + done.stdout.replace(created["api_key"], "")
    stored = await TelegramBot.get(bot_id=int(fake.token.split(":")[0]))
    assert stored.username == "hanout_test_bot"
    # The fake is gone: the stored username is enough.
    invite = out(await asyncio.to_thread(hanout, db, "store", "invite", "souk", env=env))
    assert invite["invite_link"] == f"https://t.me/hanout_test_bot?start={invite['invite_token']}"
    # The setting still wins.
    env["TELEGRAM_BOT_USERNAME"] = "@autre_bot"
    invite = out(await asyncio.to_thread(hanout, db, "store", "invite", "souk", env=env))
    assert invite["invite_link"] == f"https://t.me/autre_bot?start={invite['invite_token']}"


async def test_a_refused_getme_leaves_the_link_empty_and_the_store_made(db: str) -> None:
    async with FakeTelegram() as fake:
        env = {
            "TELEGRAM_BOT_TOKEN": "999:NOT-A-BOT-TOKEN",
            "TELEGRAM_API_URL": fake.url,
            "TELEGRAM_BOT_USERNAME": "",
        }
        done = await asyncio.to_thread(
            hanout, db, "store", "create", "souk", "--name", "Souk", env=env
        )
    created = out(done)
    assert created["invite_link"] is None
    assert "TELEGRAM_BOT_USERNAME" in done.stderr and "NOT-A-BOT-TOKEN" not in done.stderr
    assert await Store.exists(slug="souk")
    assert not await TelegramBot.exists()
