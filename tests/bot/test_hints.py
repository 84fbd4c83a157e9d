"""A message no handler takes gets one line saying what the bot can do, in the chat's
language; a group's conversation is left alone."""

from __future__ import annotations

from bot.i18n import translator
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.bot.test_addproduct import PHOTO, send_photo, talk
from tests.bot.test_lists import ask
from tests.factories import make_shop

ar = translator("ar")


async def test_unknown_commands_free_text_and_photos_get_a_hint(db: str) -> None:
    shop = await make_shop(lang="ar")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        unknown = await ask(desk, chat, OWNER, "/ordres")
        assert unknown.text == ar("I don't know this command. /help lists what I can do.")
        free = await ask(desk, chat, OWNER, "1042")
        assert free.text == ar(
            "I answer commands and buttons: /help lists them. To find an order, send /find "
            "followed by its number, a phone or a name."
        )
        photo = await send_photo(desk, chat, PHOTO)
        assert photo.text == ar(
            "I can't use a photo here. To add a product with its photo, send /addproduct."
        )
        # A known command is answered by its own handler, without a hint beside it.
        before = len(desk.fake.bot_messages(chat))
        await talk(desk, chat, "/help")
        await desk.settle()
        assert len(desk.fake.bot_messages(chat)) == before + 1


async def test_a_group_talking_among_itself_hears_nothing(db: str) -> None:
    shop = await make_shop(lang="ar")
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        await desk.settle()
        before = len(desk.fake.bot_messages(group))
        await desk.say(group, AGENT, "on appelle la 1042 ?")
        await desk.say(group, AGENT, "/weather")
        await desk.settle()
        assert len(desk.fake.bot_messages(group)) == before
        unknown = await ask(desk, group, AGENT, "/ordres@hanout_test_bot")
        assert unknown.text == ar("I don't know this command. /help lists what I can do.")
