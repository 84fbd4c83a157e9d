"""What the server remembers of its Telegram bot: its username, learnt from getMe, so
invite links print without TELEGRAM_BOT_USERNAME being set."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.team.tables import TelegramBot


async def known_username(bot_id: int) -> str:
    """The username stored for this bot, or '' when it was never learnt."""
    row = await TelegramBot.get_or_none(bot_id=bot_id)
    return row.username if row is not None else ""


async def remember_username(bot_id: int, username: str) -> None:
    """Store (or update) the bot's username; processes doing it at once agree."""
    if await TelegramBot.filter(bot_id=bot_id).update(username=username):
        return
    try:
        await TelegramBot.create(bot_id=bot_id, username=username)
    except IntegrityError:  # another process stored it meanwhile
        await TelegramBot.filter(bot_id=bot_id).update(username=username)
