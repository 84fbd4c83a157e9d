"""API keys in /settings, through the fake Telegram: the owner lists, creates (the secret
sent once, in the private chat only) and revokes keys with a confirm step; a revoked key
stops authenticating while the others keep working; nobody but the owner changes a key."""

from __future__ import annotations

import re

from bot.api_keys_cmd import button
from bot.callbacks import setting_button
from models.stores import api_keys
from models.stores.tables import ApiKey
from tests.bot.harness import AGENT, AGENT2, OWNER, Desk
from tests.bot.harness import running_desk as desk_running
from tests.bot.test_team_cmds import (
    ONLY_OWNER,
    _,
    is_alert,
    press,
    reply_to,
    whole_team,
    words,
)
from tests.factories import Shop, make_shop
from tests.fakes.telegram_api import StoredMessage

SECRET = re.compile(r"hk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,64}")


async def open_keys(desk: Desk, shop: Shop, chat: int) -> StoredMessage:
    """/settings, then API keys ▸: the menu message showing the keys."""
    menu = await reply_to(desk, chat, OWNER, "/settings")
    listing = button(shop.store.id, "ls")
    assert listing in menu.callback_data
    await press(desk, menu, listing, OWNER, then=lambda m: "hk_" in (m.text or ""))
    return desk.fake.message(chat, menu.message_id)


async def test_the_owner_creates_a_key_shown_once_and_revokes_it(db: str) -> None:
    shop = await make_shop()
    first = await ApiKey.get(store_id=shop.store.id)
    async with desk_running() as desk:
        owner_chat, _agent_chat, _group = await whole_team(desk, shop)
        menu = await open_keys(desk, shop, owner_chat)
        assert f"hk_{first.prefix}" in words(menu) and "initial" in words(menu)
        assert setting_button(shop.store.id, "mn", "main") in menu.callback_data

        seen = {m.message_id for m in desk.fake.bot_messages(owner_chat)}
        answer = await press(desk, menu, button(shop.store.id, "nw"), OWNER)
        assert answer.get("text") == _("Key created.")
        await desk.fake.wait_for(
            lambda f: any(SECRET.search(m.text or "") for m in f.bot_messages(owner_chat)),
            timeout=10,
        )
        shown = [m for m in desk.fake.bot_messages(owner_chat) if m.message_id not in seen]
        secrets_shown = [s for m in shown for s in SECRET.findall(m.text or "")]
        assert len(secrets_shown) == 1
        secret = secrets_shown[0]
        assert await api_keys.authenticate_api_key(secret) is not None
        new = await ApiKey.get(prefix=secret.split("_")[1])
        assert new.label.startswith("Telegram ")
        menu = desk.fake.message(owner_chat, menu.message_id)
        assert SECRET.search(words(menu)) is None  # the list never shows a secret

        ask = button(shop.store.id, "rv", new.id)
        await press(
            desk,
            menu,
            ask,
            OWNER,
            then=lambda m: button(shop.store.id, "ry", new.id) in m.callback_data,
        )
        assert await api_keys.authenticate_api_key(secret) is not None  # nothing yet
        menu = desk.fake.message(owner_chat, menu.message_id)
        answer = await press(
            desk,
            menu,
            button(shop.store.id, "ry", new.id),
            OWNER,
            then=lambda m: "⛔" in (m.text or ""),
        )
        assert answer.get("text") == _("Key revoked: requests with it are refused from now on.")
        assert await api_keys.authenticate_api_key(secret) is None
        assert await api_keys.authenticate_api_key(shop.api_key) is not None
        # Pressing the old confirm button again changes nothing more.
        answer = await press(desk, menu, button(shop.store.id, "ry", new.id), OWNER)
        assert is_alert(answer, _("This key is already revoked."))
        assert await ApiKey.filter(store_id=shop.store.id, revoked_at=None).count() == 1


async def test_no_key_is_made_in_a_group_and_nobody_but_the_owner_changes_keys(db: str) -> None:
    shop = await make_shop()
    first = await ApiKey.get(store_id=shop.store.id)
    async with desk_running() as desk:
        owner_chat, agent_chat, group = await whole_team(desk, shop)
        menu = await open_keys(desk, shop, group)
        answer = await press(desk, menu, button(shop.store.id, "nw"), OWNER)
        assert is_alert(answer, _("Ask for a new key in our private chat, so nobody else sees it."))
        in_private = desk.fake.bot_messages(agent_chat)[-1]  # forged onto the agent's chat
        for who, message in ((AGENT, menu), (AGENT2, menu), (AGENT, in_private)):
            for action in ("ls", "nw", "rv", "ry"):
                answer = await press(desk, message, button(shop.store.id, action, first.id), who)
                assert is_alert(answer, ONLY_OWNER), (who, action, answer)
        assert await ApiKey.filter(store_id=shop.store.id).count() == 1
        assert (await ApiKey.get(id=first.id)).revoked_at is None
        for chat in (owner_chat, agent_chat, group):
            assert not any(SECRET.search(m.text or "") for m in desk.fake.bot_messages(chat))
