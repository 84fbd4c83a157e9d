"""The webhook channel: one outbox row, one signed POST to one store endpoint (SPEC §7).

Each try sends the row's envelope as compact UTF-8 JSON with these headers:

- `X-Hanout-Event`: the event (`order.shipped`, `ping`…);
- `X-Hanout-Delivery`: the envelope id, the same on every retry and redelivery (dedupe on it);
- `X-Hanout-Timestamp`: the send time in unix seconds;
- `X-Hanout-Signature`: `sha256=<hex>`, HMAC-SHA256 with the endpoint's secret of
  `<timestamp>.<raw body>` (receivers refuse timestamps older than five minutes).

Outcomes: a 2xx is delivered (and resets the endpoint's dead letters in a row). A 4xx other
than 408 and 429 will not change on a retry: dead-lettered at once. Anything else (5xx, 408,
429, a redirect, which is not followed, a timeout after 10 seconds, a refused connection) is
retried after 1 min, 5 min, 30 min, 2 h and 12 h, then dead-lettered; five dead letters in a
row disable the endpoint (models.outbox.webhooks.count_dead_letter). Every try is logged.

Addresses: the host is resolved at each delivery and the request goes to the address that
was checked (TLS still verifies the name), so a name that later resolves to a private or
local address (DNS rebinding) is refused unless private addresses are allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from models.errors import InvalidInput
from models.infra import clock
from models.infra.sealing import Sealer
from models.outbox import relay as outbox
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookEndpoint
from notify.relay import PermanentFailure, Postpone

log = logging.getLogger(__name__)

TIMEOUT = 10.0
# Tries of one endpoint at once in this process; its other rows wait (unclaimed), so one
# slow receiver holds at most this many of the relay's webhook slots.
PER_ENDPOINT = 2
BUSY_DELAY = 2.0
USER_AGENT = "Hanout-Webhooks/1"
# Of a failed answer, only this much is read (and kept, shortened, in the log).
MAX_ANSWER = 1024

# host, port -> addresses (the event loop's getaddrinfo, replaceable in tests)
Resolver = Callable[[str, int], Awaitable[list[str]]]


class DeliveryFailed(Exception):
    """The receiver did not take the delivery this time: retried with the backoff."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class Target:
    """Where one delivery goes: the URL with its host replaced by a checked address, the
    Host header and the name TLS verifies."""

    def __init__(self, url: httpx.URL, host: str, address: str) -> None:
        self.host = host
        self.url = url if address == host else url.copy_with(host=address)
        self.headers = {"Host": url.netloc.decode("ascii")}
        self.extensions: dict[str, Any] = (
            {"sni_hostname": host} if url.scheme == "https" and address != host else {}
        )


class WebhookChannel:
    """ChannelHandler for the `webhook` channel: rows written by outbox.publish, one per
    subscribed endpoint, and by models.outbox.webhooks (redeliveries, pings)."""

    def __init__(
        self,
        sealer: Sealer,
        *,
        client: httpx.AsyncClient | None = None,
        allow_private: bool = False,
        timeout: float = TIMEOUT,
        per_endpoint: int = PER_ENDPOINT,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.sealer = sealer
        self.timeout = timeout
        self.allow_private = allow_private
        self.per_endpoint = per_endpoint
        self.resolver = resolver
        # No keep-alive: requests go to pinned addresses, and a pooled TLS connection made
        # for one name must not carry another name's request.
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            trust_env=False,
        )
        self._owns_client = client is None
        self._in_flight: Counter[int] = Counter()

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    async def __call__(self, message: OutboxMessage) -> None:
        endpoint_id = message.payload.get("endpoint_id")
        endpoint = (
            await WebhookEndpoint.filter(id=endpoint_id).first()
            if isinstance(endpoint_id, int)
            else None
        )
        if endpoint is None or endpoint.deleted_at is not None:
            log.info("webhook skipped, endpoint gone id=%s endpoint=%s", message.id, endpoint_id)
            return
        if not endpoint.active:
            # Logged as dead so the store can redeliver it once the endpoint is enabled.
            await webhooks.save_delivery_attempt(
                message, "dead", error="not sent: webhook disabled"
            )
            return
        if self._in_flight[endpoint.id] >= self.per_endpoint:
            raise Postpone(BUSY_DELAY, f"webhook {endpoint.id} busy")
        self._in_flight[endpoint.id] += 1
        try:
            await self._deliver(message, endpoint)
        finally:
            self._in_flight[endpoint.id] -= 1
            if self._in_flight[endpoint.id] <= 0:
                del self._in_flight[endpoint.id]

    async def _deliver(self, message: OutboxMessage, endpoint: WebhookEndpoint) -> None:
        last = message.attempts >= outbox.max_attempts(message.channel)
        started = time.monotonic()

        async def failed(
            error: str, status: int | None = None, permanent: bool = False
        ) -> Exception:
            """Log the try; the exception that tells the relay to retry or dead-letter."""
            outcome = "dead" if permanent or last else "retrying"
            elapsed = int((time.monotonic() - started) * 1000)
            await webhooks.save_delivery_attempt(
                message, outcome, status_code=status, error=error, duration_ms=elapsed
            )
            return (PermanentFailure if permanent else DeliveryFailed)(error)

        try:
            secret = webhooks.secret_of(endpoint, self.sealer)
            envelope = await self._envelope(message, endpoint)
        except InvalidInput as exc:
            raise await failed(f"not sent: {exc}", permanent=True) from None
        try:
            async with asyncio.timeout(self.timeout):
                target = await self._target(endpoint.url)
        except PermanentFailure as exc:
            raise await failed(str(exc), permanent=True) from None
        except (OSError, ValueError) as exc:  # TimeoutError included
            raise await failed(f"address of {endpoint.url} not found: {exc!r}"[:300]) from None
        body = webhooks.envelope_body(envelope)
        timestamp = int(clock.now().timestamp())
        headers = target.headers | {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            webhooks.EVENT_HEADER: str(envelope["event"]),
            webhooks.DELIVERY_HEADER: str(envelope["id"]),
            webhooks.TIMESTAMP_HEADER: str(timestamp),
            webhooks.SIGNATURE_HEADER: webhooks.signature(secret, timestamp, body),
        }
        try:
            # One deadline for the whole exchange, however slowly the answer trickles in.
            async with asyncio.timeout(self.timeout):
                status, answer = await self._post(target, body, headers)
        except (TimeoutError, httpx.TimeoutException):
            raise await failed("no answer within the timeout") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:  # no retry can help
            raise await failed(f"not sent: {endpoint.url} {exc}"[:300], permanent=True) from None
        except httpx.HTTPError as exc:
            raise await failed(f"connection failed: {type(exc).__name__} {exc}"[:300]) from None
        if 200 <= status < 300:
            elapsed = int((time.monotonic() - started) * 1000)
            await webhooks.save_delivery_attempt(
                message, "delivered", status_code=status, duration_ms=elapsed
            )
            log.info(
                "webhook delivered id=%s endpoint=%s event=%s status=%s ms=%s",
                message.id,
                endpoint.id,
                envelope["event"],
                status,
                elapsed,
            )
            return
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise await failed(answer, status, permanent=permanent)

    async def _post(self, target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """The status and, for a failure, what the answer says (its first bytes only)."""
        request = self.client.build_request(
            "POST", target.url, content=body, headers=headers, extensions=target.extensions
        )
        response = await self.client.send(request, stream=True)
        try:
            status = response.status_code
            if 200 <= status < 300:
                return status, ""
            start = b""
            async for chunk in response.aiter_raw():
                start += chunk
                if len(start) >= MAX_ANSWER:
                    break
            return status, _describe(response, start[:MAX_ANSWER])
        finally:
            await response.aclose()

    async def _envelope(self, message: OutboxMessage, endpoint: WebhookEndpoint) -> dict[str, Any]:
        envelope = webhooks.envelope_of(message)
        order_id = message.payload.get("order_id")
        if endpoint.include_personal_data and isinstance(order_id, int):
            personal = await webhooks.personal_data(order_id)
            if personal is not None:
                envelope["data"] = {**envelope.get("data", {}), **personal}
        return envelope

    async def _target(self, url: str) -> Target:
        try:
            parsed = httpx.URL(url)
            host = parsed.host
        except (httpx.InvalidURL, ValueError) as exc:  # ValueError: IDNA refusals
            # Saved before the URL was checked with this client: no retry can send it.
            raise PermanentFailure(f"not sent: {url} is not a URL we can send to: {exc}") from None
        if not host:
            raise PermanentFailure(f"not sent: {url} has no host")
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            addresses = await self.resolver(host, port)
            if not addresses:
                raise OSError(f"{host} has no address") from None
        if not self.allow_private:
            refused = [a for a in addresses if not webhooks.public_address(a)]
            if refused:
                raise PermanentFailure(f"not sent: {host} resolves to {refused[0]}, not public")
        return Target(parsed, host, addresses[0])


def _describe(response: httpx.Response, start: bytes) -> str:
    where = f"answered {response.status_code}"
    if 300 <= response.status_code < 400:
        return f"{where}, redirects are not followed (to {response.headers.get('location', '?')})"
    text = " ".join(start.decode("utf-8", "replace").split())[:200]
    return f"{where}: {text}" if text else where
