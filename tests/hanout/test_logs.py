"""LOG_LEVEL=DEBUG keeps customers' phones and addresses out of the log: the database
clients' statement logs (with their parameters) need LOG_SQL=true of their own."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from telegram import Bot

from hanout import logs
from models.orders.intake import place_order
from tests.bot.harness import OWNER
from tests.factories import Shop, checkout, make_shop
from tests.fakes.telegram_api import FakeTelegram

ADDRESS = "7 impasse des Oliviers"


@pytest.fixture
def restore_levels() -> Iterator[None]:
    names = (*logs.NOISY, *logs.SQL_LOGGERS, *logs.BOT_API_LOGGERS)
    before = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


async def place_an_order(shop: Shop, phone: str) -> None:
    await place_order(shop.store, checkout(shop.variants[0].id, 1, phone=phone, address=ADDRESS))


async def test_debug_logs_no_sql_parameters_unless_asked(
    db: str, caplog: pytest.LogCaptureFixture, restore_levels: None
) -> None:
    shop = await make_shop()
    logs.configure("DEBUG")
    caplog.set_level(logging.DEBUG)
    await place_an_order(shop, "0661 22 33 44")
    assert ADDRESS not in caplog.text and "661223344" not in caplog.text

    caplog.clear()
    logs.configure("DEBUG", log_sql=True)
    await place_an_order(shop, "0770 55 66 77")
    # What LOG_SQL=true is for (the README says it logs customer data).
    assert ADDRESS in caplog.text and "770556677" in caplog.text


async def test_debug_logs_no_bot_api_parameters(
    caplog: pytest.LogCaptureFixture, restore_levels: None
) -> None:
    card = f"Commande #1001 — 0661 22 33 44 — {ADDRESS}"
    async with FakeTelegram() as fake:
        chat = fake.add_private_chat(OWNER)
        logs.configure("DEBUG")
        caplog.set_level(logging.DEBUG)
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            await bot.send_message(chat, card)
            assert ADDRESS not in caplog.text and "22 33 44" not in caplog.text
            # The same call with python-telegram-bot's own DEBUG on does log the card.
            logging.getLogger("telegram.Bot").setLevel(logging.DEBUG)
            await bot.send_message(chat, card)
            assert ADDRESS in caplog.text
    assert [m.text for m in fake.bot_messages(chat)] == [card, card]
