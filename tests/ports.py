"""Ports for the servers tests start as child processes.

A port the kernel picks (`bind(0)`) is free when asked, but a child process binds it a second
or two later: meanwhile another xdist worker may be handed the same number, or an outgoing
connection may take it. Each worker draws here from a range of its own below the kernel's
ephemeral ports (32768–60999 on Linux), so neither can happen.
"""

from __future__ import annotations

import itertools
import os
import socket

FIRST, PER_WORKER = 20_000, 1_000
_drawn = itertools.count()


def _worker() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, … (none without xdist)
    return int(name.removeprefix("gw") or 0) % 10


def free_port() -> int:
    """A port of this worker's range that nothing listens on now."""
    base = FIRST + _worker() * PER_WORKER
    for _ in range(PER_WORKER):
        port = base + next(_drawn) % PER_WORKER
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken (a server of an earlier test still closing): the next one
            return port
    raise RuntimeError(f"no free port in {base}–{base + PER_WORKER - 1}")
