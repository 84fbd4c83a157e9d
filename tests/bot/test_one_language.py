"""One language per person: a refusal, an expired button or a greeting is written in the
language of the store the chat serves, or in the person's own Telegram language in a chat
serving no store — never in a language fixed in the code."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import translator
from models.calls import outcomes
from models.orders import intake
from models.orders.timeline import Actor
from tests.bot.harness import OWNER, running_desk
from tests.bot.test_team_cmds import press, reply_to, words
from tests.factories import checkout, make_shop

ar = translator("ar")
en = translator("en")
STALE = "This button is no longer valid."
# A forged or expired press for every menu that answers "no longer valid" on its own.
EXPIRED = ["bl:999999:pg:0", "cr:999999:t:0", "ex:999999:w", "l:999999:p:1", "st:999999:w"]


@pytest.mark.parametrize("data", EXPIRED)
async def test_an_expired_button_answers_in_the_chats_language(db: str, data: str) -> None:
    shop = await make_shop(lang="ar")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        shown = await reply_to(desk, chat, OWNER, "/help")
        answer = await press(desk, shown, data, OWNER)
    assert answer.get("show_alert"), answer
    assert answer.get("text") == ar(STALE) != STALE


async def test_start_without_a_code_speaks_the_persons_language(db: str) -> None:
    person: dict[str, Any] = {"id": 7007, "first_name": "Amina", "language_code": "ar"}
    async with running_desk() as desk:
        desk.fake.user(person["id"], person["first_name"], language_code="ar")
        chat = desk.fake.add_private_chat(person)
        hello = await reply_to(desk, chat, person, "/start")
        unknown = await reply_to(desk, chat, person, "/start not-a-real-code")
    assert words(hello) == ar(
        "Hello! Open the invite link your store's owner sent you, "
        "or send /start followed by the invite code."
    )
    assert words(unknown) == ar(
        "This invite is unknown, already used or expired. Ask the owner for a new one."
    )


async def test_an_english_speaker_outside_any_store_reads_english(db: str) -> None:
    person: dict[str, Any] = {"id": 7008, "first_name": "Sam", "language_code": "en-GB"}
    async with running_desk() as desk:
        desk.fake.user(person["id"], person["first_name"], language_code="en-GB")
        chat = desk.fake.add_private_chat(person)
        unknown = await reply_to(desk, chat, person, "/start expired-code")
    assert words(unknown) == en(
        "This invite is unknown, already used or expired. Ask the owner for a new one."
    )


async def test_the_blacklist_names_reason_and_role_in_the_stores_language(db: str) -> None:
    shop = await make_shop(lang="ar")
    placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
    await outcomes.log_call(
        shop.store, placed.order.number, "fake", Actor("agent", "2002", "Yacine")
    )
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        shown = await reply_to(desk, chat, OWNER, "/blacklist")
    number = placed.order.number
    assert ar("fake order #%(number)s", number=number) in words(shown)
    assert f"Yacine ({ar('agent')})" in words(shown)
    assert "fake order" not in words(shown) and "(agent)" not in words(shown)
