"""/desk opens the team's desk (Telegram Mini App): a web_app button in a private chat and
the chat's menu button; in a group, a word to ask in private; without an https address,
what to set. A stranger gets nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.desk_app import desk_url
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import make_shop
from tests.fakes.telegram_api import StoredMessage


async def ask_desk(desk: Desk, chat: int, user: dict[str, Any]) -> StoredMessage:
    """Sends /desk and waits for the bot's answer."""
    before = len(desk.fake.bot_messages(chat))
    await desk.say(chat, user, "/desk")
    await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > before, timeout=10)
    return desk.fake.bot_messages(chat)[-1]


def use_public_url(desk: Desk, url: str) -> None:
    data = desk.runtime.app.bot_data
    data["config"] = dataclasses.replace(data["config"], public_url=url)


def test_the_desk_needs_an_https_address() -> None:
    assert desk_url("https://shop.example/", "shop") == "https://shop.example/desk/shop/"
    assert desk_url("http://127.0.0.1:8080", "shop") is None


async def test_desk_in_private_gives_the_web_app_button(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        use_public_url(desk, "https://boutique.example")
        reply = await ask_desk(desk, owner_chat, OWNER)
        [button] = reply.buttons
        assert button["web_app"] == {"url": "https://boutique.example/desk/shop/"}
        assert button["text"] == "📋 Ouvrir le bureau"
        assert "callback_data" not in button


async def test_desk_in_a_group_and_without_https(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [AGENT])
        use_public_url(desk, "https://boutique.example")
        reply = await ask_desk(desk, group, AGENT)
        assert "/desk" in (reply.text or "") and reply.buttons == []
        use_public_url(desk, "http://127.0.0.1:8080")
        reply = await ask_desk(desk, group, AGENT)
        assert "https://" in (reply.text or "") and reply.buttons == []


async def test_desk_in_a_group_links_the_registered_mini_app(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [AGENT])
        use_public_url(desk, "https://boutique.example")
        data = desk.runtime.app.bot_data
        data["config"] = dataclasses.replace(data["config"], desk_app="desk")
        reply = await ask_desk(desk, group, AGENT)
        [button] = reply.buttons
        username = desk.runtime.app.bot.username
        assert button["url"] == f"https://t.me/{username}/desk?startapp=shop"
        assert "web_app" not in button  # Telegram refuses web_app buttons in groups


async def test_a_stranger_gets_no_desk(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        await desk.bind(shop.store, OWNER)
        use_public_url(desk, "https://boutique.example")
        stranger = {"id": 7007, "first_name": "Karim"}
        chat = desk.fake.add_private_chat(stranger)
        await ask_desk(desk, chat, stranger)
        replies = desk.fake.bot_messages(chat)
        assert replies and all(not m.buttons for m in replies)
        assert all("desk/shop" not in (m.text or "") for m in replies)
