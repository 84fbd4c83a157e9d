"""Starting and stopping the measured processes, their start-up time and their memory."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
HANOUT = Path(sys.executable).parent / "hanout"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak resident set since start) of a process, in kB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """A server process of ours: its address, log file and start-up time."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float
    ready_after: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def memory_mb(self) -> dict[str, float]:
        return {k: round(v / 1024, 1) for k, v in memory_kb(self.pid).items()}

    async def wait_ready(self, path: str = "/healthz", within: float = 60.0) -> float:
        """Seconds from spawn to the first 200 on `path`."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.popen.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.tail()}")
                try:
                    async with session.get(self.url + path) as response:
                        if response.status == 200:
                            self.ready_after = time.monotonic() - self.started
                            return self.ready_after
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.005)
        raise TimeoutError(f"{self.name} not ready after {within}s: {self.tail()}")

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, grace: float = 20.0) -> int:
        """SIGTERM (the process stops its parts in order), SIGKILL after `grace` seconds."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.to_thread(self.popen.wait), grace)
            except TimeoutError:
                self.popen.kill()
                await asyncio.to_thread(self.popen.wait)
        return int(self.popen.returncode)


def spawn(name: str, argv: list[str], env: Mapping[str, str], port: int, log_dir: Path) -> Process:
    log = log_dir / f"{name}.log"
    handle = log.open("ab")
    environment = {**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1"}
    environment.setdefault("PYTHONUNBUFFERED", "1")
    started = time.monotonic()
    popen = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        argv, cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT
    )
    handle.close()
    return Process(name, popen, port, log, started)


def hanout_argv(role: str) -> list[str]:
    """The real console script (`hanout run`)."""
    return [str(HANOUT), role]


def app_argv(role: str = "run", workers: int = 1) -> list[str]:
    """Hanout with the per-IP checkout limit raised for a benchmark client (bench.server)."""
    return [sys.executable, "-m", "bench.server", "app", "--role", role, "--workers", str(workers)]


def bare_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.server", "bare", "--port", str(port)]


def naive_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.server", "naive", "--port", str(port)]


def bare_bot_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.server", "bare-bot", "--port", str(port)]
