"""Hanout as it runs in production, for the system tests: the Procfile's own commands as
real processes against a PostgreSQL database of the test's, with the outside parties
(Telegram, SMTP, the SMS gateway, a courier) faked in the test process on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "system-test-secret-key-0123456789"
PG_ADMIN_URL = os.environ.get("HANOUT_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
START_TIMEOUT = 40.0  # a process imports everything; on a busy 2-core machine it takes a while


def procfile() -> dict[str, list[str]]:
    """The Procfile's commands, `hanout` being this virtualenv's console script."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and command.strip():
            argv = shlex.split(command)
            commands[name.strip()] = [str(BIN / argv[0]), *argv[1:]]
    return commands


async def wait_until(check: Any, timeout: float, what: str, every: float = 0.1) -> None:
    """Await `check()` (sync or async) until it is true; AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


# --- databases -----------------------------------------------------------------------------


def pg_url(admin_url: str, name: str) -> str:
    return f"{admin_url.rpartition('/')[0]}/{name}"


async def pg_admin(admin_url: str, *statements: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def migrated_database(admin_url: str, prefix: str = "hanout_sys") -> str:
    """A new database migrated by the Procfile's `release` command; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await pg_admin(admin_url, f'CREATE DATABASE "{name}"')
    url = pg_url(admin_url, name)
    await run_command(procfile()["release"], {"DATABASE_URL": url})
    return url


async def drop_database(admin_url: str, url: str) -> None:
    await pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


class Sql:
    """What the test reads (and, to make time pass, writes) in the processes' database."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)

    async def _conn(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, timeout=5)

    async def rows(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await self._conn()
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def value(self, query: str, *args: Any) -> Any:
        conn = await self._conn()
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    async def run(self, query: str, *args: Any) -> str:
        conn = await self._conn()
        try:
            return str(await conn.execute(query, *args))
        finally:
            await conn.close()

    async def counts(self, query: str, *args: Any) -> dict[Any, int]:
        """`SELECT key, count(*) … GROUP BY key` as a dict."""
        return {row[0]: row[1] for row in await self.rows(query, *args)}

    async def settled(self) -> bool:
        """No outbox row waiting or claimed, no card lagging its order."""
        busy = await self.value(
            "SELECT count(*) FROM outbox_message WHERE status IN ('pending', 'processing')"
        )
        return busy == 0 and not await self.value("SELECT count(*) FROM card_message WHERE dirty")

    async def settle(self, timeout: float = 60) -> None:
        try:
            await wait_until(self.settled, timeout, "the outbox and the cards to settle", 0.3)
        except AssertionError:
            rows = await self.rows(
                "SELECT id, channel, topic, status, attempts, locked_by, last_error "
                "FROM outbox_message WHERE status IN ('pending', 'processing') ORDER BY id"
            )
            raise AssertionError(f"not settled in {timeout}s: {[dict(r) for r in rows]}") from None


# --- processes -------------------------------------------------------------------------------


async def run_command(argv: list[str], env: dict[str, str], stdin: str = "") -> str:
    """Run a command to its end without blocking the loop (the fakes it calls answer from
    here); its standard output, or AssertionError with what it printed."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), START_TIMEOUT * 2)
    assert proc.returncode == 0, f"{argv} failed ({proc.returncode}):\n{err.decode()}"
    return out.decode()


@dataclass
class Process:
    """One `hanout` process of the Procfile, its output in `log`."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    def start(self) -> Process:
        with self.log.open("ab") as out:  # the child keeps its own copy of the file
            out.write(f"--- start {time.strftime('%H:%M:%S')}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.argv,
                cwd=self.log.parent,  # no stray .env: the environment says everything
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started_at = time.monotonic()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def since_start(self) -> str:
        """The output of the current run only."""
        return self.text().rpartition("--- start ")[2]

    async def wait_for_line(self, needle: str, timeout: float = START_TIMEOUT) -> None:
        def seen() -> bool:
            assert self.alive, f"{self.name} exited:\n{self.since_start()[-4000:]}"
            return needle in self.since_start()

        await wait_until(seen, timeout, f"{self.name} to log {needle!r}")

    async def wait_http(self, url: str, timeout: float = START_TIMEOUT) -> None:
        async with httpx.AsyncClient(timeout=2) as client:

            async def up() -> bool:
                assert self.alive, f"{self.name} exited:\n{self.since_start()[-4000:]}"
                try:
                    return (await client.get(url)).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(up, timeout, f"{self.name} to answer {url}", every=0.2)

    async def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the clean stop a deploy does."""
        assert self.popen is not None
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(asyncio.to_thread(self.popen.wait), timeout)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses the process."""
        assert self.popen is not None
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
        await asyncio.wait_for(asyncio.to_thread(self.popen.wait), 10)


@dataclass
class Stack:
    """The processes of one test, all stopped at the end whatever happens."""

    tmp: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def process(self, kind: str, name: str, **env: str) -> Process:
        full = {**os.environ, **self.env, **env}
        full.pop("HANOUT_TEST_DB", None)
        proc = Process(name, procfile()[kind], full, self.tmp / f"{name}.log")
        self.processes.append(proc)
        return proc

    async def web(self, name: str, **env: str) -> tuple[Process, str]:
        """A started `web` process on a free port, and its base URL, once it answers."""
        port = free_port()
        proc = self.process("web", name, PORT=str(port), **env).start()
        base = f"http://127.0.0.1:{port}"
        await proc.wait_http(f"{base}/healthz")
        return proc, base

    async def worker(self, name: str, **env: str) -> Process:
        proc = self.process("worker", name, **env).start()
        await proc.wait_for_line("relay started")
        return proc

    async def close(self) -> None:
        for proc in self.processes:
            if proc.alive:
                await proc.kill()

    def logs(self) -> str:
        return "\n".join(f"==== {p.name}\n{p.text()[-3000:]}" for p in self.processes)


def base_env(database_url: str, tmp: Path) -> dict[str, str]:
    """What every process of a test shares: the database, fast job intervals, no email
    or Telegram unless a test adds them."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "HOST": "127.0.0.1",
        "TRUST_PROXY": "true",
        "TELEGRAM_BOT_TOKEN": "",
        "TELEGRAM_MODE": "polling",
        "SMTP_URL": "",
        "SMTP_FROM": "Hanout <orders@hanout.test>",
        "LOG_LEVEL": "INFO",
        "RELAY_INTERVAL": "0.2",
        "CALLBACK_INTERVAL": "1",
        "PARCEL_SYNC_INTERVAL": "1",
        "MEDIA_DIR": str(tmp / "media"),
    }


async def seed(database_url: str, **options: Any) -> list[dict[str, Any]]:
    """Stores (`slugs`, default one "shop") with a product, two invites, and an SMS gateway
    and a courier account when their URLs are given; written by tests/system/seed.py in a
    process of its own (the test process keeps its ORM for the other tests)."""
    out = await run_command(
        [sys.executable, "-m", "tests.system.seed"],
        {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY},
        stdin=json.dumps(options),
    )
    return list(json.loads(out)["stores"])


# --- orders ------------------------------------------------------------------------------


def intake_body(variant_id: int, i: int, quantity: int = 1) -> dict[str, Any]:
    """A landing-page order; each `i` a different customer (phone), so none is a duplicate."""
    return {
        "customer": {"name": f"Client {i}", "phone": f"0550{i:06d}"},
        "shipping": {
            "wilaya": "16",
            "commune": "1601",
            "address": f"{i} rue Didouche Mourad",
            "delivery_type": "home",
        },
        "items": [{"variant_id": variant_id, "quantity": quantity}],
    }


async def place(
    client: httpx.AsyncClient, base: str, slug: str, body: dict[str, Any], key: str, ip: str
) -> httpx.Response:
    """POST the public intake; `ip` is the customer's address as the proxy forwards it."""
    return await client.post(
        f"{base}/v1/stores/{slug}/orders",
        json=body,
        headers={"Idempotency-Key": key, "X-Forwarded-For": ip},
    )


def customer_ip(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


# --- email -------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler keeping (Message-ID, recipients, subject) of every email it got.

    `delay` holds the final 250 that long after the email arrived: a sender that dies
    meanwhile never learns that it was delivered (`in_flight` counts those waits)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.in_flight = 0
        self.received: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        email = message_from_bytes(envelope.content)
        self.received.append((str(email["Message-ID"]), list(envelope.rcpt_tos), email["Subject"]))
        if self.delay:
            self.in_flight += 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.in_flight -= 1
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [message_id for message_id, _, _ in self.received]


def smtp_server(mailbox: Mailbox) -> tuple[Controller, str]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, f"smtp://127.0.0.1:{port}"


# --- which process made a call ----------------------------------------------------------------


def _tcp_inode(local_port: int, remote_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = fields[1].rpartition(":")[2], fields[2].rpartition(":")[2]
            if int(local, 16) == local_port and int(remote, 16) == remote_port:
                return fields[9]
    return None


def pid_of_connection(client_port: int, server_port: int, pids: Iterable[int]) -> int | None:
    """Which of `pids` owns the client end of a loopback TCP connection (Linux /proc)."""
    inode = _tcp_inode(client_port, server_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                try:
                    if os.readlink(fd) == target:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return None


# --- a PostgreSQL server of the test's own ---------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"no {name} under /usr/lib/postgresql/*/bin: install postgresql"
    return str(found[-1])


class PgCluster:
    """A private PostgreSQL server (initdb + pg_ctl) on a free port, which a test may stop
    and start under load. PostgreSQL refuses to run as root: as root the server runs as
    the `postgres` user (runuser), in a folder it owns."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hanout-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    async def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        proc = await asyncio.create_subprocess_exec(
            *prefix, *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, f"{argv[0]} failed:\n{out.decode()}"

    async def init(self) -> None:
        await self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        await self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    async def stop(self, mode: str = "fast") -> None:
        await self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    async def destroy(self) -> None:
        with contextlib.suppress(AssertionError):
            await self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
