"""A fake SMS Gateway for Android (reference/market.md §6) on 127.0.0.1.

Speaks the send API of the app's three modes under a configurable prefix ("" for the
phone's local server, "/3rdparty/v1" for the cloud or a private server): Basic auth,
`POST /messages` with `textMessage` (or the deprecated plain `message`), validated as the
app validates it (exactly one message type, non-empty text and recipients, E.164 numbers,
an id of at most 36 characters), 202 with the queued message, 409 for an id already queued.
`legacy=True` is an app from before `/messages`: only `POST /message` with `message`.

Faults: `status` answers every request with that code (503: the phone's server is down);
`delay` holds each answer that many seconds (a phone on a slow link).
"""

from __future__ import annotations

import asyncio
import base64
import re
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@dataclass
class QueuedSms:
    id: str
    text: str
    phone_numbers: list[str]
    path: str
    body: dict[str, Any]


@dataclass
class FakeSmsGateway:
    username: str = "sms"
    password: str = "phone-pass"
    prefix: str = ""
    legacy: bool = False
    status: int | None = None
    delay: float = 0.0
    messages: list[QueuedSms] = field(default_factory=list)
    requests: int = 0
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    async def start(self) -> None:
        app = web.Application()
        paths = ["/message"] if self.legacy else ["/messages", "/message"]
        for path in paths:
            app.router.add_post(self.prefix + path, self._post)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        if not self.port:  # a restart keeps its port, as a phone keeps its address
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = int(probe.getsockname()[1])
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _authorized(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.headers.get("Authorization", "") == f"Basic {expected}"

    async def _post(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status is not None:
            return web.json_response({"message": "fault injected"}, status=self.status)
        if not self._authorized(request):
            return web.json_response({"message": "Unauthorized"}, status=401)
        try:
            body = await request.json()
        except ValueError:
            return _bad("invalid JSON")
        problem = self._problem(body)
        if problem:
            return _bad(problem)
        message_id = str(body.get("id") or f"gen{len(self.messages) + 1}")
        if any(m.id == message_id for m in self.messages):
            return web.json_response({"message": "message already exists"}, status=409)
        text = body["message"] if "message" in body else body["textMessage"]["text"]
        self.messages.append(
            QueuedSms(message_id, text, list(body["phoneNumbers"]), request.path, body)
        )
        return web.json_response(_queued(message_id, body["phoneNumbers"]), status=202)

    def _problem(self, body: Any) -> str:
        if not isinstance(body, dict):
            return "body must be an object"
        kinds = [k for k in ("textMessage", "dataMessage", "message") if k in body]
        if self.legacy and kinds != ["message"]:
            return "message is required"
        if len(kinds) != 1:
            return "Must specify exactly one of: textMessage, dataMessage, or message"
        text = body["message"] if kinds == ["message"] else (body.get("textMessage") or {})
        if not (text if isinstance(text, str) else text.get("text")):
            return "Text message is empty"
        numbers = body.get("phoneNumbers")
        if not numbers or not all(isinstance(n, str) and E164.match(n) for n in numbers):
            return "phoneNumbers must be E.164 numbers"
        if len(str(body.get("id", ""))) > 36:
            return "id: at most 36 characters"
        return ""


def _bad(message: str) -> web.Response:
    return web.json_response({"message": message}, status=400)


def _queued(message_id: str, numbers: list[str]) -> dict[str, Any]:
    return {
        "id": message_id,
        "state": "Pending",
        "isEncrypted": False,
        "recipients": [{"phoneNumber": n, "state": "Pending"} for n in numbers],
    }
