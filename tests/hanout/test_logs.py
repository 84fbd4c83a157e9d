"""LOG_LEVEL=DEBUG keeps customers' phones and addresses out of the log: the database
clients' statement logs (with their parameters) need LOG_SQL=true of their own."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from hanout import logs
from models.intake import place_order
from tests.factories import Shop, checkout, make_shop

ADDRESS = "7 impasse des Oliviers"


@pytest.fixture
def restore_levels() -> Iterator[None]:
    names = (*logs.NOISY, *logs.SQL_LOGGERS)
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
