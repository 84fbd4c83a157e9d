"""The HTTP side of the fake Telegram: routes, wire format, recording, faults and flood limits."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

# Importing the method modules registers their handlers in HANDLERS.
from tests.fakes import telegram_account, telegram_chats, telegram_messages  # noqa: F401
from tests.fakes.telegram_calls import HANDLERS, Call, Settings
from tests.fakes.telegram_errors import ApiError, bad_request, too_many_requests
from tests.fakes.telegram_limits import LIMITED_METHODS, Faults, FloodLimits, RateLimiter
from tests.fakes.telegram_spec import SPEC_PATH, Upload, decode_params, load_methods
from tests.fakes.telegram_state import JSON, BotAccount, Chat, TelegramState

MAX_UPLOAD = 50 * 1024 * 1024
# The client address of the call being answered (each request runs in its own task).
_peer: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar("peer", default=None)


@dataclass
class RecordedRequest:
    """One call the bot made, as the fake understood and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    response: JSON | None
    token: str
    at: float
    # The caller's (host, port): tells apart the processes that share one bot token.
    peer: tuple[str, int] | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus body: form-urlencoded, multipart (files become Uploads) or JSON."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        return params | body
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[name] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[name] = value
    return params


class TelegramServer:
    def __init__(
        self,
        *,
        enforce_limits: bool = False,
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        query_ttl: float = 15.0,
        long_poll_cap: float = 1.0,
        spec_path: Any = SPEC_PATH,
    ) -> None:
        self.state = TelegramState(clock)
        self.settings = Settings(query_ttl=query_ttl, long_poll_cap=long_poll_cap)
        self.enforce_limits = enforce_limits
        self.limiter = RateLimiter(clock, limits)
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        # Called with each request as it is recorded (e.g. to note which process asked).
        self.observers: list[Callable[[RecordedRequest], None]] = []
        # Calls received and not answered yet, per method: what a crash leaves in doubt.
        self.in_flight: Counter[str] = Counter()
        self.served_429 = 0
        self._methods = load_methods(spec_path)
        self._canonical = {name.lower(): name for name in self._methods}
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("the fake Telegram is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """`base_url` for python-telegram-bot (the token is appended)."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """`base_file_url` for python-telegram-bot."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]

    @property
    def is_down(self) -> bool:
        return self._runner is None and bool(self._port)

    async def go_down(self) -> None:
        """Telegram unreachable: open connections are cut and new ones refused, until
        `come_back` listens again on the same port. What was stored stays."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def come_back(self) -> None:
        if self._runner is None:
            await self.start()

    async def stop(self) -> None:
        self.settings.closing = True
        for bot in self.state.bots.values():
            bot.arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- one call --------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        _peer.set(request.transport.get_extra_info("peername") if request.transport else None)
        name = request.match_info["method"]
        self.in_flight[name] += 1
        try:
            return await self._api_call(request)
        finally:
            self.in_flight[name] -= 1

    async def _api_call(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            bot = self.state.bots.get(token)
            if bot is None:
                raise ApiError(401, "Unauthorized")
            method = self._canonical.get(name.lower())
            if method is None:
                raise ApiError(404, "Not Found")
            name = method
            params = await _read_params(request)
            params = decode_params(method, self._methods[method], params)
            return await self._run(method, params, bot)
        except ApiError as error:
            return self._answer(name, params, token, error.status, error.body())

    async def _run(self, method: str, params: dict[str, Any], bot: BotAccount) -> web.Response:
        faults = self.faults.take(method, params)
        for fault in faults:
            await asyncio.sleep(fault.delay)
        for fault in faults:
            if fault.status is not None:
                self._record(method, params, bot.token, fault.status, None)
                return web.Response(status=fault.status, text=f"<html>{fault.status}</html>")
            if fault.error is not None:
                raise ApiError(*fault.error)
        handler = HANDLERS.get(method)
        if handler is None:
            raise bad_request(f"method {method} is not emulated by the fake Telegram")
        call = Call(method, params, bot, self.state, self.settings, self._throttle(method))
        result = await handler(call)
        return self._answer(method, params, bot.token, 200, {"ok": True, "result": result})

    def _throttle(self, method: str) -> Callable[[Chat], None]:
        def spend(chat: Chat) -> None:
            retry_after = self.limiter.spend(chat.id, chat.is_group)
            if retry_after is not None:
                self.served_429 += 1
                raise too_many_requests(retry_after)

        limited = self.enforce_limits and method in LIMITED_METHODS
        return spend if limited else (lambda chat: None)

    def _answer(
        self, method: str, params: dict[str, Any], token: str, status: int, body: JSON
    ) -> web.Response:
        self._record(method, params, token, status, body)
        return web.json_response(body, status=status)

    def _record(
        self, method: str, params: dict[str, Any], token: str, status: int, body: JSON | None
    ) -> None:
        peer = _peer.get()
        where = (str(peer[0]), int(peer[1])) if peer else None
        record = RecordedRequest(method, params, status, body, token, time.time(), where)
        self.requests.append(record)
        for observe in self.observers:
            observe(record)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] not in self.state.bots:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self.state.files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, headers={"Content-Type": content_type})
