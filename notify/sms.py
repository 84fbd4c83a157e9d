"""The SMS channel: a shipped order's customer gets the tracking number by SMS through the
store's own gateway, SMS Gateway for Android (SPEC §7, reference/market.md §6).

The API is the same in the app's three modes (the phone's local server, the cloud server,
a private server): `POST {base_url}/messages` with Basic auth and
`{"id", "textMessage": {"text"}, "phoneNumbers": ["+213…"]}`, answered 202 with the queued
message's id and state. Versions of the app from before `/messages` only know `POST /message`
with the text as a plain `"message"` string: a 404 on the first is retried once that way.

Sending is idempotent: the request carries an id derived from the outbox row, and the
gateway does not queue one id twice (older versions ignore the repeat, newer ones answer
409, taken here as "already queued"), so a retry after a lost answer sends nothing twice.

Outcomes: credentials refused (401/403) or the request refused (other 4xx, a redirect)
will not change on a retry: the row is dead-lettered, which puts `notification_failed` on
the order's timeline. A gateway that is down, slow or busy (5xx, 429, timeouts, refused
connections: the phone is off or out of coverage) is retried with the outbox's backoff.
All of it runs from the outbox after the dispatch committed: it never holds dispatch up.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from models.errors import InvalidInput
from models.infra.sealing import Sealer
from models.outbox.sms import GatewayAccess, ShippedNotice, gateway_access, shipped_notice
from models.outbox.tables import OutboxMessage
from notify.relay import PermanentFailure
from notify.sms_text import count_segments, courier_name, shipped_sms

log = logging.getLogger(__name__)

# The phone may sit on a slow mobile link; the relay's own deadline (60 s) bounds the total.
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# A "shipped" SMS the phone could not send within a day is better dropped than sent late.
TTL_SECONDS = 24 * 3600


class GatewayUnavailable(Exception):
    """The gateway did not take the message this time (down, busy, unreachable): retry."""


def gateway_message_id(message: OutboxMessage) -> str:
    """The same id on every try of one outbox row (at most 36 characters, the API's limit);
    the row's creation second tells apart installations sharing one gateway."""
    key = message.dedupe_key.replace(":", "-")
    return f"hanout-{key}-{int(message.created_at.timestamp())}"[-36:]


class SmsGatewayClient:
    """Sends one text to one phone through an SMS Gateway for Android endpoint."""

    def __init__(self, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.timeout = timeout

    async def send(self, access: GatewayAccess, phone: str, text: str, message_id: str) -> str:
        """Queue the SMS on the gateway; returns the gateway's message id. Raises
        PermanentFailure or GatewayUnavailable (see the module docstring)."""
        body = {
            "id": message_id,
            "textMessage": {"text": text},
            "phoneNumbers": [phone],
            "withDeliveryReport": True,
            "ttl": TTL_SECONDS,
        }
        auth = httpx.BasicAuth(access.username, access.password)
        async with httpx.AsyncClient(
            timeout=self.timeout, auth=auth, follow_redirects=False
        ) as client:
            response = await self._post(client, f"{access.base_url}/messages", body)
            if response.status_code == 404:  # an app from before `/messages`
                legacy = {k: v for k, v in body.items() if k != "textMessage"} | {"message": text}
                response = await self._post(client, f"{access.base_url}/message", legacy)
        return _accepted_id(response, message_id)

    async def _post(
        self, client: httpx.AsyncClient, url: str, body: dict[str, Any]
    ) -> httpx.Response:
        try:
            return await client.post(url, json=body)
        except httpx.TimeoutException as exc:
            raise GatewayUnavailable(f"SMS gateway did not answer in time ({url})") from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"SMS gateway unreachable ({url}): {exc}") from exc


def _accepted_id(response: httpx.Response, message_id: str) -> str:
    status = response.status_code
    if status == 409:  # this id is already queued: an earlier try got through
        return message_id
    if 200 <= status < 300:
        return str(_json(response).get("id") or message_id)
    where = f"SMS gateway answered {status} at {response.request.url}"
    if status in (401, 403):
        raise PermanentFailure(f"{where}: username or password refused; run `hanout sms set`")
    if status == 429 or status >= 500:
        raise GatewayUnavailable(f"{where}: {_reason(response)}")
    if status == 404:
        raise PermanentFailure(f"{where}: no SMS API there; check the base URL")
    if 300 <= status < 400:
        moved = response.headers.get("location", "?")
        raise PermanentFailure(f"{where}: moved to {moved}; set the base URL to it")
    raise PermanentFailure(f"{where}: {_reason(response)}")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reason(response: httpx.Response) -> str:
    message = _json(response).get("message")
    return str(message)[:200] if message else response.text[:200] or response.reason_phrase


class SmsChannel:
    """ChannelHandler for the `sms` channel (models.outbox.sms.SMS_TOPICS: `order.shipped`)."""

    def __init__(self, sealer: Sealer, client: SmsGatewayClient | None = None) -> None:
        self.sealer = sealer
        self.client = client or SmsGatewayClient()

    async def __call__(self, message: OutboxMessage) -> None:
        if message.topic != "order.shipped":
            raise PermanentFailure(f"the sms channel has no SMS for topic {message.topic}")
        context = f"store={message.store_id} number={message.payload.get('number', '-')}"
        access = await self._access(message)
        if access is None:
            log.info("sms skipped, the store has no active gateway %s", context)
            return
        notice = await shipped_notice(message.store_id or 0, _order_id(message))
        if notice is None:
            log.info("sms skipped, the order is no longer shipped %s", context)
            return
        text = shipped_text(notice)
        gateway_id = await self.client.send(access, notice.phone, text, gateway_message_id(message))
        segments = count_segments(text)
        log.info(
            "sms queued %s gateway_id=%s encoding=%s parts=%s",
            context,
            gateway_id,
            segments.encoding,
            segments.parts,
        )

    async def _access(self, message: OutboxMessage) -> GatewayAccess | None:
        if message.store_id is None:
            return None
        try:
            return await gateway_access(message.store_id, self.sealer)
        except InvalidInput as exc:
            raise PermanentFailure(f"SMS gateway password unreadable: {exc}") from exc


def shipped_text(notice: ShippedNotice) -> str:
    courier = courier_name(notice.courier, notice.courier_label)
    return shipped_sms(notice.lang, notice.store_name, notice.number, courier, notice.tracking)


def _order_id(message: OutboxMessage) -> int:
    value = message.payload.get("order_id")
    if not isinstance(value, int):
        raise PermanentFailure("outbox row without an order id")
    return value
