"""Logging set-up: one line per record, key=value context in the message."""

from __future__ import annotations

import logging


def configure(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    # Libraries that log every request at INFO drown the order log.
    for noisy in ("aiohttp.access", "httpx", "apscheduler.executors.default", "tortoise"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
