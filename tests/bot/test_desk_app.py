"""/desk opens the team's desk (Telegram Mini App): a web_app button in a private chat and
the chat's menu button; in a group, a word to ask in private; without an https address,
what to set. A stranger gets nothing. /orders and the order cards carry a 📋 Desk button:
web_app in a private chat, the Mini App's direct link in a group."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.desk_links import DeskLinks, desk_url
from models.calls import outcomes
from models.orders.tables import Order
from models.orders.timeline import Actor
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.bot.test_lists import ask, place, press_and_wait
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


def register_app(desk: Desk, app: str = "desk") -> None:
    """The shop's https address and the Mini App's short name, for handlers and cards."""
    use_public_url(desk, "https://boutique.example")
    data = desk.runtime.app.bot_data
    data["config"] = dataclasses.replace(data["config"], desk_app=app)
    assert desk.runtime.sender is not None
    desk.runtime.sender.links = DeskLinks("https://boutique.example", app)


def desk_buttons(message: StoredMessage) -> list[dict[str, Any]]:
    return [b for b in message.buttons if "web_app" in b or "url" in b]


async def test_orders_carry_the_desk_button_of_their_chat(db: str) -> None:
    shop = await make_shop(lang="en")
    for seq in range(1, 11):  # two pages
        await place(shop, seq)
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [AGENT])
        register_app(desk)
        private = await ask(desk, owner_chat, OWNER, "/orders")
        assert desk_buttons(private) == [
            {"text": "📋 Desk", "web_app": {"url": "https://boutique.example/desk/shop/"}}
        ]
        listed = await ask(desk, group, AGENT, "/orders")
        username = desk.runtime.app.bot.username
        link = f"https://t.me/{username}/desk?startapp=shop"
        assert desk_buttons(listed) == [{"text": "📋 Desk", "url": link}]
        # ▶ edits the page in place: the desk button stays.
        await press_and_wait(desk, group, listed, f"l:{shop.store.id}:1")
        assert desk_buttons(desk.fake.message(group, listed.message_id))[0]["url"] == link
        # Without the Mini App's short name, a group gets no desk button at all.
        register_app(desk, app="")
        assert desk_buttons(await ask(desk, group, AGENT, "/orders")) == []


async def test_cards_open_their_order_on_the_desk(db: str) -> None:
    shop = await make_shop(lang="ar")
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [AGENT])
        register_app(desk)
        number = await place(shop, 1)
        await desk.settle()
        username = desk.runtime.app.bot.username
        private = desk.card(owner_chat, number)
        assert desk_buttons(private) == [
            {
                "text": "📋 المكتب",
                "web_app": {"url": f"https://boutique.example/desk/shop/{number}"},
            }
        ]
        card = desk.card(group, number)  # the fake refuses web_app buttons in groups
        link = f"https://t.me/{username}/desk?startapp=shop_{number}"
        assert desk_buttons(card) == [{"text": "📋 المكتب", "url": link}]
        # A sub-menu and Back: the card's own buttons return with the desk's.
        order = await Order.get(store_id=shop.store.id, number=number)
        await desk.press(group, card.message_id, f"o:{order.id}:cm:{order.version}", AGENT)
        await desk.fake.wait_for(lambda f: not desk_buttons(f.message(group, card.message_id)))
        await desk.press(group, card.message_id, f"o:{order.id}:bk:{order.version}", AGENT)
        await desk.fake.wait_for(lambda f: bool(desk_buttons(f.message(group, card.message_id))))
        assert desk_buttons(desk.fake.message(group, card.message_id)) == [
            {"text": "📋 المكتب", "url": link}
        ]
        # A change re-renders both cards with their own kind of button.
        await outcomes.log_call(
            shop.store, number, "confirmed", Actor("owner", str(OWNER["id"]), "N")
        )
        await desk.settle()
        assert desk.card(owner_chat, number).text.startswith("✅")
        assert "web_app" in desk_buttons(desk.card(owner_chat, number))[0]
        assert desk_buttons(desk.card(group, number))[0]["url"] == link
