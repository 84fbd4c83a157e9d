"""Request bodies sent with a Content-Encoding, decoded here rather than by aiohttp (the app
runs with `auto_decompress=False`): aiohttp answers a body that is not the gzip it claims
with a 500 or a dropped connection, `br` without its codec with a plain-text 400, and lets
an unknown coding through as if it were absent.

The middleware decodes gzip and deflate within the app's size limit; anything else it
marks on the request (`body_problem`) instead of answering, so each reader answers in its
own shape (the API's JSON error, the storefront's form page with a message) and handlers
that never read a body are not concerned. A marked body reads as empty; a 415 names the
codings we take in `Accept-Encoding` (RFC 7694).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import hdrs, web

log = logging.getLogger(__name__)

HANDLER_ARGS = {"auto_decompress": False}  # for web.Application(handler_args=…)
CODINGS = ("gzip", "x-gzip", "deflate")  # what we decode; "identity" is no coding at all
MAX_LAYERS = 2  # "gzip, gzip" is legal; deeper nesting is not a client's honest mistake

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """Why a body cannot be read: 400 (not what its coding says), 413 (too large once
    decoded) or 415 (a coding we do not decode)."""

    status: int
    message: str


PROBLEM = web.RequestKey("body_problem", BodyProblem)


class _Unreadable(Exception):
    def __init__(self, problem: BodyProblem) -> None:
        self.problem = problem


def codings_of(header: str) -> list[str]:
    """The codings applied to a body, first applied first; identity dropped."""
    named = [c.strip().lower() for c in header.split(",")]
    return [c for c in named if c and c != "identity"]


def _inflate(data: bytes, coding: str, limit: int) -> bytes:
    # gzip: wbits 16+15; deflate: zlib-wrapped (15) as the RFC says, raw (-15) as some send.
    attempts = (31,) if coding in ("gzip", "x-gzip") else (15, -15)
    for wbits in attempts:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit or inflater.unconsumed_tail:
            raise _Unreadable(BodyProblem(413, f"The body is over {limit} bytes once decoded"))
        if inflater.eof and not inflater.unused_data:
            return out
    raise _Unreadable(BodyProblem(400, f"The body is not valid {coding} data"))


def decode(raw: bytes, header: str, limit: int) -> bytes:
    """The body under a Content-Encoding header (`_Unreadable` when it cannot be had)."""
    codings = codings_of(header)
    unknown = [c for c in codings if c not in CODINGS]
    if unknown or len(codings) > MAX_LAYERS:
        supported = ", ".join(CODINGS)
        message = f"Content-Encoding {header.strip()!r} is not supported; send {supported} or none"
        raise _Unreadable(BodyProblem(415, message))
    body = raw
    for coding in reversed(codings):
        body = _inflate(body, coding, limit)
    return body


@web.middleware
async def decode_body(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Decode an encoded body once, before any handler reads it; mark what cannot be."""
    header = request.headers.get(hdrs.CONTENT_ENCODING, "")
    if request.body_exists and codings_of(header):
        raw = await request.read()  # the app's client_max_size bounds what is sent (413)
        try:
            body = decode(raw, header, request.client_max_size)
        except _Unreadable as exc:
            log.info("unreadable body path=%s status=%s", request.path, exc.problem.status)
            request[PROBLEM] = exc.problem
            body = b""
        # aiohttp's read(), text(), json() and post() all return these bytes from now on.
        request._read_bytes = body
    response = await handler(request)
    problem = request.get(PROBLEM)
    if problem is not None and problem.status == 415 and not response.prepared:
        response.headers[hdrs.ACCEPT_ENCODING] = ", ".join(CODINGS)  # RFC 7694 §3
    return response


def body_problem(request: web.Request) -> BodyProblem | None:
    """Why this request's body cannot be read, or None when it can."""
    return request.get(PROBLEM)
