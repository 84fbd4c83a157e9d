"""/help in the store's language, in a chat with no store, and for a stranger."""

from __future__ import annotations

from models.team import members
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.bot.test_lists import STRANGER, ask, said
from tests.factories import make_shop


async def test_help_lists_the_commands_in_a_store_chat(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        reply = await ask(desk, chat, OWNER, "/help")
        lines = said(reply).splitlines()
        assert lines[0] == "🛍 Boutique shop"
        assert lines[1].startswith("I am Hanout's order desk.")
        for line in (
            "/orders — Orders to handle: calls due first, oldest first",
            "/order — Show one order: /order 1042",
            "/find — Find orders by phone, name or number",
            "/stats — Figures: /stats today, week or month",
            "/help — What I can do",
        ):
            assert line in lines


async def test_help_without_a_store_explains_how_to_join(db: str) -> None:
    async with running_desk() as desk:
        lone = desk.fake.add_private_chat(STRANGER)
        reply = await ask(desk, lone, STRANGER, "/help")
        assert said(reply).startswith("I am Hanout's order desk.")
        assert "send /start followed by the invite code" in said(reply)
        assert "/orders" not in said(reply)


async def test_a_stranger_in_a_roster_group_is_refused_politely(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT, STRANGER])
        await members.set_roster_mode(shop.store, True)
        reply = await ask(desk, group, STRANGER, "/help")
        assert said(reply) == (
            "Sorry, only the store's team can use this. Ask the owner for an invite."
        )
