"""Outgoing webhooks (SPEC §7): a store's endpoints, their delivery log and redelivery.

Every `order.*` event an endpoint subscribes to becomes one outbox row per endpoint, written
by `relay.publish` in the change's transaction (the webhook route's fan-out,
`webhook_rows.endpoint_rows`); the relay's webhook channel (notify/)
delivers it signed with the endpoint's secret, logs each try here and, after five dead
letters in a row, disables the endpoint and tells the owner.

The envelope a receiver gets: `{id, event, store: {id, slug}, occurred_at, data}`. `id` is
the delivery id, the same on every retry and redelivery, so receivers dedupe on it. `data`
holds the order number and its old and new status, plus the customer, the address, the lines
and the total only for an endpoint that asks for personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.errors import InvalidInput, NotFound
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.tables import Order, OrderLine
from models.outbox import relay
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_rows import WEBHOOK_EVENTS, webhook_payload
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from models.shipping import geography
from models.stores.tables import Store

EVENTS: tuple[str, ...] = WEBHOOK_EVENTS
PING = "ping"
MAX_ENDPOINTS = 10
MAX_URL = 500
MAX_DESCRIPTION = 120
# Dead letters in a row that disable an endpoint.
DISABLE_AFTER = 5
OUTCOMES = ("delivered", "retrying", "dead")
# Topic of the owner's notice that an endpoint was disabled (a Telegram alert).
DISABLED_TOPIC = "store.webhook_disabled"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
# IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64, IPv4-compatible, translated.
_CARRY_IPV4 = tuple(ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96"))
# The local-use NAT64 prefix (RFC 8215) maps into the site's own IPv4 network.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


# Headers of a delivery. The signature covers `<timestamp>.<raw body>`, so a captured
# delivery cannot be replayed later under a fresh timestamp.
EVENT_HEADER = "X-Hanout-Event"
DELIVERY_HEADER = "X-Hanout-Delivery"
TIMESTAMP_HEADER = "X-Hanout-Timestamp"
SIGNATURE_HEADER = "X-Hanout-Signature"
# How old a timestamp a receiver should accept (what `verify_signature` applies).
TOLERANCE_SECONDS = 300


class WebhookRefused(InvalidInput):
    """A webhook request refused; `code` is stable (invalid_url, unknown_event,
    too_many_webhooks, …) and `field` names the input at fault ("" for none)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def public_address(address: str) -> bool:
    """True for an IP address on the public internet (not loopback, private, link-local,
    multicast, reserved or unspecified); False for anything else, a name included."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        # An IPv4 address carried in IPv6 (mapped, NAT64, 6to4, compatible, translated) is
        # reached by the network: that IPv4 address is what must be public.
        carried = ip.ipv4_mapped or ip.sixtofour
        if carried is None and any(ip in net for net in _CARRY_IPV4):
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is not None:
            ip = carried
    return ip.is_global and not ip.is_multicast


def clean_url(
    url: str, *, allow_private: bool = False, parse_url: Callable[[str], object] | None = None
) -> str:
    """An http(s) URL of at most 500 characters. Unless `allow_private`, a literal address
    must be public and the host may not be a local name (names are checked again, resolved,
    at every delivery). `parse_url` is how the HTTP client that delivers reads a URL
    (`httpx.URL`; models imports no HTTP library): one it refuses (`http://0177.0.0.1/`)
    could never be delivered. Raises WebhookRefused (invalid_url, private_address)."""
    text = _parsed_by_client((url or "").strip(), parse_url)
    if not text or len(text) > MAX_URL or any(c.isspace() for c in text):
        raise WebhookRefused("invalid_url", "url", f"an http(s) URL of at most {MAX_URL} chars")
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        raise WebhookRefused("invalid_url", "url", f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookRefused("invalid_url", "url", "the URL must start with http:// or https://")
    if parts.fragment:
        raise WebhookRefused("invalid_url", "url", "the URL may not have a #fragment")
    if allow_private:
        return text
    if _is_ip(host):
        if not public_address(host.strip("[]")):
            raise WebhookRefused("private_address", "url", f"{host} is not a public address")
    elif host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        raise WebhookRefused("private_address", "url", f"{host} is not a public host")
    return text


def _parsed_by_client(text: str, parse_url: Callable[[str], object] | None) -> str:
    if parse_url is None or not text or len(text) > MAX_URL:
        return text
    try:
        parse_url(text)
    except Exception as exc:  # the client's own error types (httpx.InvalidURL, IDNA errors)
        raise WebhookRefused(
            "invalid_url", "url", f"not a URL the webhook sender can use: {exc}"[:200]
        ) from None
    return text


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def clean_events(events: Sequence[str]) -> list[str]:
    """Known event names, each once, in EVENTS order; at least one."""
    if isinstance(events, str) or not events:
        raise WebhookRefused("invalid_events", "events", "subscribe to at least one event")
    unknown = sorted({str(e) for e in events} - set(EVENTS))
    if unknown:
        raise WebhookRefused(
            "unknown_event", "events", f"unknown events {', '.join(unknown)}; known: {EVENTS}"
        )
    return [e for e in EVENTS if e in events]


def envelope_body(envelope: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8 (Arabic names stay readable)."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the endpoint's secret of `<timestamp>.<body>`."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    header: str,
    body: bytes,
    *,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the timestamp is recent and the signature matches the body."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(  # as bytes: a non-ASCII header is unequal, never an error
        signature(secret, sent, body).encode(), header.strip().encode("utf-8", "surrogateescape")
    )


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_of(endpoint: WebhookEndpoint, sealer: Sealer) -> str:
    """The endpoint's signing secret in clear (InvalidInput when SECRET_KEY changed)."""
    return sealer.unseal(endpoint.secret_sealed)["secret"]


def _live(store: Store) -> Any:
    return WebhookEndpoint.filter(store_id=store.id, deleted_at__isnull=True)


async def create_endpoint(
    sealer: Sealer,
    store: Store,
    url: str,
    events: Sequence[str],
    *,
    description: str = "",
    include_personal_data: bool = False,
    allow_private: bool = False,
    parse_url: Callable[[str], object] | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint and its signing secret in clear (shown once: only its sealed
    form is kept). At most MAX_ENDPOINTS per store, disabled ones included. `parse_url`:
    see `clean_url`."""
    clean = clean_url(url, allow_private=allow_private, parse_url=parse_url)
    names = clean_events(events)
    text = " ".join((description or "").split())
    if len(text) > MAX_DESCRIPTION:
        raise WebhookRefused(
            "invalid_description", "description", f"at most {MAX_DESCRIPTION} characters"
        )
    secret = new_secret()
    async with in_transaction() as conn:
        # The store row's lock orders two creations racing for the last place.
        await Store.filter(id=store.id).select_for_update().using_db(conn).first()
        if await _live(store).using_db(conn).count() >= MAX_ENDPOINTS:
            raise WebhookRefused(
                "too_many_webhooks", "", f"a store has at most {MAX_ENDPOINTS} webhooks"
            )
        endpoint = await WebhookEndpoint.create(
            using_db=conn,
            store_id=store.id,
            url=clean,
            description=text,
            events=names,
            include_personal_data=bool(include_personal_data),
            secret_sealed=sealer.seal({"secret": secret}),
        )
    return endpoint, secret


async def list_endpoints(
    store: Store,
    *,
    after_id: int | None = None,
    limit: int = 50,
    active: bool | None = None,
) -> list[WebhookEndpoint]:
    """The store's endpoints (deleted ones left out), in id order, after `after_id`."""
    query = _live(store)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    if active is not None:
        query = query.filter(active=active)
    return await query.order_by("id").limit(max(1, limit))


async def get_endpoint(store: Store, endpoint_id: int) -> WebhookEndpoint:
    """One of the store's endpoints; NotFound for another store's or a deleted one."""
    endpoint = await _live(store).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("webhook", endpoint_id)
    return endpoint


async def delete_endpoint(store: Store, endpoint_id: int) -> None:
    """Stop delivering to the endpoint; its log stays. Rows still due for it are dropped
    by the channel when their turn comes."""
    endpoint = await get_endpoint(store, endpoint_id)
    await WebhookEndpoint.filter(id=endpoint.id, deleted_at__isnull=True).update(
        deleted_at=clock.now(), active=False
    )


async def enable_endpoint(store: Store, endpoint_id: int) -> WebhookEndpoint:
    """Deliver again to an endpoint that was disabled; its dead letters count from zero."""
    endpoint = await get_endpoint(store, endpoint_id)
    changes: dict[str, Any] = {
        "active": True,
        "dead_in_a_row": 0,
        "disabled_reason": "",
        "disabled_at": None,
    }
    await WebhookEndpoint.filter(id=endpoint.id).update(**changes)
    endpoint.update_from_dict(changes)
    return endpoint


async def disable_endpoint(
    store: Store, endpoint_id: int, reason: str = "disabled by the store"
) -> WebhookEndpoint:
    """Stop delivering to the endpoint until it is enabled again."""
    endpoint = await get_endpoint(store, endpoint_id)
    if not endpoint.active:
        return endpoint
    changes: dict[str, Any] = {
        "active": False,
        "disabled_reason": reason[:200],
        "disabled_at": clock.now(),
    }
    await WebhookEndpoint.filter(id=endpoint.id).update(**changes)
    endpoint.update_from_dict(changes)
    return endpoint


async def update_events(store: Store, endpoint_id: int, events: Sequence[str]) -> WebhookEndpoint:
    """Change what the endpoint receives, from the next event on."""
    names = clean_events(events)
    endpoint = await get_endpoint(store, endpoint_id)
    await WebhookEndpoint.filter(id=endpoint.id).update(events=names)
    endpoint.events = names
    return endpoint


async def deliveries(
    store: Store,
    endpoint_id: int,
    *,
    before_id: int | None = None,
    limit: int = 20,
    outcome: str | None = None,
) -> list[WebhookAttempt]:
    """The endpoint's delivery log, newest first, before `before_id` (an attempt id)."""
    endpoint = await _any_endpoint(store, endpoint_id)
    query = WebhookAttempt.filter(endpoint_id=endpoint.id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    if outcome is not None:
        query = query.filter(outcome=outcome)
    return await query.order_by("-id").limit(max(1, limit))


async def _any_endpoint(store: Store, endpoint_id: int) -> WebhookEndpoint:
    # A deleted endpoint's log is still the store's; the API hides it with the endpoint.
    endpoint = await WebhookEndpoint.filter(store_id=store.id, id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("webhook", endpoint_id)
    return endpoint


def _require_active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.active:
        raise WebhookRefused(
            "webhook_disabled", "", f"webhook {endpoint.id} is disabled; enable it first"
        )


async def _enqueue(store: Store, topic: str, key: str, payload: dict[str, Any]) -> int:
    async with in_transaction() as conn:
        row = await OutboxMessage.create(
            using_db=conn,
            store_id=store.id,
            channel=relay.WEBHOOK,
            topic=topic,
            dedupe_key=key,
            payload=payload,
            available_at=clock.now(),
        )
    relay.notify_committed()
    return int(row.id)


async def redeliver(store: Store, endpoint_id: int, attempt_id: int) -> int:
    """Send the envelope of a logged attempt again (delivered or dead alike), with the
    same delivery id so the receiver can tell it was seen; a fresh round of retries.
    Returns the new outbox row's id."""
    endpoint = await get_endpoint(store, endpoint_id)
    _require_active(endpoint)
    attempt = await WebhookAttempt.filter(id=attempt_id, endpoint_id=endpoint.id).first()
    source = (
        await OutboxMessage.filter(id=attempt.outbox_id, store_id=store.id).first()
        if attempt is not None and attempt.outbox_id is not None
        else None
    )
    if attempt is None or source is None or "envelope" not in source.payload:
        raise NotFound("delivery", attempt_id)
    payload = dict(source.payload) | {"endpoint_id": endpoint.id, "redelivery": True}
    key = f"{relay.WEBHOOK}:{endpoint.id}:redeliver:{uuid.uuid4().hex}"
    return await _enqueue(store, source.topic, key, payload)


async def send_test(store: Store, endpoint_id: int) -> int:
    """A `ping` event to the endpoint, to check it receives and verifies; returns the
    outbox row's id. The endpoint needs not subscribe to anything for it."""
    endpoint = await get_endpoint(store, endpoint_id)
    _require_active(endpoint)
    occurred = clock.now().isoformat()
    data = {"webhook_id": endpoint.id, "message": "Hanout webhook test"}
    payload = webhook_payload(endpoint.id, store, PING, occurred, data)
    key = f"{relay.WEBHOOK}:{endpoint.id}:ping:{uuid.uuid4().hex}"
    return await _enqueue(store, PING, key, payload)


async def save_delivery_attempt(
    message: OutboxMessage,
    outcome: str,
    *,
    status_code: int | None = None,
    error: str = "",
    duration_ms: int = 0,
) -> WebhookAttempt:
    """Log one try of an outbox row; a delivered one resets the endpoint's dead letters."""
    payload = message.payload
    envelope = payload.get("envelope")
    envelope = envelope if isinstance(envelope, dict) else {}
    number = payload.get("number")
    async with in_transaction() as conn:
        attempt = await WebhookAttempt.create(
            using_db=conn,
            endpoint_id=int(str(payload["endpoint_id"])),
            outbox_id=message.id,
            delivery_id=str(envelope.get("id", ""))[:40],
            event=str(envelope.get("event", message.topic))[:32],
            order_number=number if isinstance(number, int) else None,
            attempt=message.attempts,
            outcome=outcome,
            status_code=status_code,
            error=error[:300],
            duration_ms=max(0, duration_ms),
        )
        if outcome == "delivered":
            await (
                WebhookEndpoint.filter(id=attempt.endpoint_id, dead_in_a_row__gt=0)
                .using_db(conn)
                .update(dead_in_a_row=0)
            )
    return attempt


async def count_dead_letter(conn: BaseDBAsyncClient, message: OutboxMessage, error: str) -> None:
    """In the transaction that dead-letters a webhook row: one more dead letter in a row
    for its endpoint; the fifth disables it and writes the owner's notice."""
    endpoint_id = message.payload.get("endpoint_id")
    endpoint = (
        await WebhookEndpoint.filter(id=endpoint_id, active=True, deleted_at__isnull=True)
        .select_for_update()
        .using_db(conn)
        .first()
        if isinstance(endpoint_id, int)
        else None
    )
    if endpoint is None:  # deleted or already disabled: its rows die without counting
        return
    dead = endpoint.dead_in_a_row + 1
    changes: dict[str, Any] = {"dead_in_a_row": dead}
    if dead >= DISABLE_AFTER:
        reason = f"{dead} deliveries in a row failed; last: {error}"[:200]
        changes |= {"active": False, "disabled_reason": reason, "disabled_at": clock.now()}
    await WebhookEndpoint.filter(id=endpoint.id).using_db(conn).update(**changes)
    if dead < DISABLE_AFTER:
        return
    store = await Store.filter(id=endpoint.store_id).using_db(conn).get()
    notice = {
        "endpoint_id": endpoint.id,
        "url": endpoint.url,
        "reason": error[:300],
        "dead_letters": dead,
    }
    await relay.publish_notice(
        conn, store, DISABLED_TOPIC, f"webhook_disabled:{endpoint.id}:{message.id}", notice
    )


def envelope_of(message: OutboxMessage) -> dict[str, Any]:
    """The envelope an outbox row carries (a copy, to which personal data may be added)."""
    envelope = message.payload.get("envelope")
    if not isinstance(envelope, dict):
        raise InvalidInput(f"outbox row {message.id} carries no webhook envelope")
    return dict(envelope)


async def personal_data(order_id: int) -> dict[str, Any] | None:
    """What an endpoint with `include_personal_data` gets besides the status: the customer,
    the address, the lines and the amounts, as the order is now. None if the order is gone."""
    order = await Order.filter(id=order_id).first()
    if order is None:
        return None
    lines = await OrderLine.filter(order_id=order.id).order_by("id")
    wilaya = geography.get_wilaya(order.wilaya_code)
    commune = geography.get_commune(order.commune_code)
    return {
        "customer": {"name": order.name, "phone": order.phone, "phone2": order.phone2},
        "shipping": {
            "wilaya": {"code": order.wilaya_code, "name": wilaya.name_fr if wilaya else ""},
            "commune": {
                "code": order.commune_code,
                "name": commune.name_fr if commune else order.commune_name,
            },
            "address": order.address,
            "delivery_type": order.delivery_type,
        },
        "lines": [
            {
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_label": line.variant_label,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "line_total": line.line_total,
            }
            for line in lines
        ],
        "subtotal": order.subtotal,
        "delivery_fee": order.delivery_fee,
        "discount": order.discount,
        "total": order.total,
    }


async def queued_delivery(outbox_id: int) -> tuple[str, str]:
    """The delivery id and event of a queued webhook row (what redeliver and ping answer)."""
    row = await OutboxMessage.get(id=outbox_id)
    envelope = row.payload.get("envelope")
    envelope = envelope if isinstance(envelope, dict) else {}
    return str(envelope.get("id", "")), str(envelope.get("event", row.topic))
