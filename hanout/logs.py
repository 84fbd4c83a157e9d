"""Logging set-up: one line per record, key=value context in the message."""

from __future__ import annotations

import logging

# Libraries that log every request at INFO drown the order log.
NOISY = ("aiohttp.access", "httpx", "apscheduler.executors.default", "tortoise")
# Loggers that write SQL statements with their parameters (customers' phones and addresses)
# at DEBUG: kept quiet at LOG_LEVEL=DEBUG, and only LOG_SQL=true turns Tortoise's on.
SQL_LOGGERS = ("tortoise.db_client", "aiosqlite", "asyncpg")
# python-telegram-bot writes every Bot API call with its parameters and answer at DEBUG: the
# order cards, with the customer's name, phone and address.
BOT_API_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")


def configure(level: str, *, log_sql: bool = False) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(quiet)
    for name in (*SQL_LOGGERS, *BOT_API_LOGGERS):
        logging.getLogger(name).setLevel(quiet)
    if log_sql:
        logging.getLogger("tortoise.db_client").setLevel(logging.DEBUG)
