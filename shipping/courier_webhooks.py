"""Courier webhooks, on the web app at /couriers/<courier>/<account id>/webhook: the same
status path as the sync job, fed by the courier instead of polled.

- Yalidine (and clones): GET with `crc_token` is the subscription check, echoed back; POST
  carries a batch of events signed with hex HMAC-SHA256 of the raw body in
  X-YALIDINE-SIGNATURE (reference/couriers.md §2.8). `parcel_deleted` (possible only
  before pickup) puts the shipped order back in processing, to dispatch again or cancel
  (models.shipping.parcels.apply_parcel_withdrawn).
- ZR Express: Svix-style signature (couriers.zrexpress_webhooks.verify_webhook, §6.6).
- Maystro: unsigned, so the address ends with a secret token; its payload is only a hint
  (§7.5), so the parcel is read from Maystro at once (through the process's courier pool)
  instead of trusting the body, or polled at the next cycle when that read fails.

The secret is the account's sealed credential `webhook_secret`. A bad or missing signature
is refused (401) and nothing is applied; a body we cannot read is answered 400; events
about parcels we do not know are acknowledged and ignored, so the courier stops resending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from aiohttp import web

from couriers.base import CourierError, ParcelState, map_status
from couriers.maystro_webhooks import parse_webhook as parse_maystro
from couriers.yalidine_statuses import ALGIERS, local_time
from couriers.yalidine_statuses import STATUSES as YALIDINE_STATUSES
from couriers.zrexpress_statuses import instant
from couriers.zrexpress_webhooks import parse_webhook as parse_zrexpress
from couriers.zrexpress_webhooks import verify_webhook as zrexpress_signed
from models.errors import DomainError
from models.infra.sealing import Sealer
from models.shipping import polls
from models.shipping.accounts import account_by_id, credentials_of
from models.shipping.parcels import apply_parcel_status, apply_parcel_withdrawn
from models.shipping.tables import CourierAccount
from shipping.accounts import SIGNED_WEBHOOKS, TOKEN_WEBHOOKS, WEBHOOK_SECRET, YALIDINE_WEBHOOKS
from shipping.pool import CourierPool

log = logging.getLogger(__name__)

PATH = r"/couriers/{courier:[a-z0-9_]+}/{account_id:\d{1,9}}/webhook"
YALIDINE_STATUS_EVENT = "parcel_status_updated"
YALIDINE_DELETED_EVENT = "parcel_deleted"


def _answer(status: int, **body: Any) -> web.Response:
    return web.json_response(body or {"ok": status == 200}, status=status)


def yalidine_signed(secret: str, signature: str, body: bytes) -> bool:
    """Whether X-YALIDINE-SIGNATURE is the hex HMAC-SHA256 of the raw body (an optional
    "sha256=" prefix tolerated)."""
    given = signature.strip().removeprefix("sha256=").lower()
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # as bytes: a non-ASCII header compares unequal instead of raising
    return bool(secret) and hmac.compare_digest(_raw(given), expected.encode())


def _raw(header: str) -> bytes:
    """A header value as the bytes that came in (aiohttp decodes odd bytes with
    surrogateescape), so comparing it never raises."""
    return header.encode("utf-8", "surrogateescape")


def yalidine_states(body: bytes, courier: str) -> list[ParcelState]:
    """The status changes in a Yalidine webhook batch, oldest first (ValueError when the
    body is not one)."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise ValueError("not a Yalidine webhook body")
    if payload.get("type") != YALIDINE_STATUS_EVENT:
        return []
    states = []
    for event in payload["events"]:
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(data, dict) or not data.get("tracking") or not data.get("status"):
            continue
        raw = str(data["status"])
        when = event.get("occurred_at") or data.get("date_status")
        at = local_time(when) or instant(when)
        if at is not None and at.tzinfo is None:  # Yalidine writes Algiers local time
            at = at.replace(tzinfo=ALGIERS)
        status = map_status(YALIDINE_STATUSES, raw, courier)
        states.append(
            ParcelState(str(data["tracking"]), status, raw, str(data.get("reason") or ""), at)
        )
    return sorted(states, key=lambda s: s.at.timestamp() if s.at else 0.0)


def yalidine_deleted(body: bytes) -> list[str]:
    """The trackings of a Yalidine `parcel_deleted` batch (none for other types;
    ValueError when the body is not a Yalidine webhook body)."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise ValueError("not a Yalidine webhook body")
    if payload.get("type") != YALIDINE_DELETED_EVENT:
        return []
    trackings = []
    for event in payload["events"]:
        data = event.get("data") if isinstance(event, dict) else None
        if isinstance(data, dict) and data.get("tracking"):
            trackings.append(str(data["tracking"]))
    return list(dict.fromkeys(trackings))


async def _withdraw(account: CourierAccount, tracking: str) -> bool:
    shipment = await polls.shipment_for(account.id, tracking)
    if shipment is None:
        log.info("parcel deleted, unknown here courier=%s tracking=%s", account.courier, tracking)
        return False
    reason = f"parcel {tracking} deleted at {account.courier}: dispatch again or cancel"
    return await apply_parcel_withdrawn(shipment.id, YALIDINE_DELETED_EVENT, reason)


async def _apply(account: CourierAccount, state: ParcelState) -> bool:
    shipment = await polls.shipment_for(account.id, state.tracking)
    if shipment is None:
        log.info(
            "webhook for an unknown parcel courier=%s tracking=%s", account.courier, state.tracking
        )
        return False
    return await apply_parcel_status(
        shipment.id, state.status.value, state.raw_status, state.raw_reason, state.at
    )


class CourierWebhooks:
    def __init__(self, sealer: Sealer, pool: CourierPool | None = None) -> None:
        self.sealer = sealer
        self.pool = pool  # reads a parcel a hint-only webhook names (Maystro)

    async def _account(self, request: web.Request) -> tuple[CourierAccount, dict[str, str]] | None:
        account = await account_by_id(int(request.match_info["account_id"]))
        if account is None or account.courier != request.match_info["courier"]:
            return None
        try:
            return account, credentials_of(account, self.sealer)
        except DomainError:
            log.error("webhook secret unreadable (SECRET_KEY changed?) account=%s", account.id)
            return account, {}

    async def challenge(self, request: web.Request) -> web.Response:
        """Yalidine's subscription check: echo `crc_token`."""
        found = await self._account(request)
        if found is None or found[0].courier not in YALIDINE_WEBHOOKS:
            return _answer(404)
        token = request.query.get("crc_token", "")
        if not token or len(token) > 500:
            return _answer(400)
        return web.json_response({"crc_token": token})

    async def receive(self, request: web.Request) -> web.Response:
        """A signed delivery from Yalidine or ZR Express."""
        found = await self._account(request)
        if found is None or found[0].courier not in SIGNED_WEBHOOKS:
            return _answer(404)
        account, credentials = found
        body = await request.read()  # the app's client_max_size bounds it
        secret = credentials.get(WEBHOOK_SECRET, "")
        if account.courier == "zrexpress":
            signed = bool(secret) and zrexpress_signed(secret, request.headers, body)
        else:
            signature = request.headers.get("X-YALIDINE-SIGNATURE", "")
            signed = yalidine_signed(secret, signature, body)
        if not signed:
            log.warning(
                "webhook signature refused courier=%s account=%s", account.courier, account.id
            )
            return _answer(401)
        return await self._apply_body(account, body)

    async def _apply_body(self, account: CourierAccount, body: bytes) -> web.Response:
        deleted: list[str] = []
        try:
            if account.courier == "zrexpress":
                state = parse_zrexpress(body)
                states = [state] if state is not None else []
            else:
                states = yalidine_states(body, account.courier)
                deleted = yalidine_deleted(body)
        except (ValueError, TypeError, AttributeError):
            return _answer(400)
        changed = 0
        try:
            for state in states:
                changed += int(await _apply(account, state))
            for tracking in deleted:
                changed += int(await _withdraw(account, tracking))
        except Exception:  # e.g. a concurrent change of the order: the courier sends again
            log.exception("webhook not applied courier=%s account=%s", account.courier, account.id)
            return _answer(503)
        return _answer(200, ok=True, events=len(states) + len(deleted), changed=changed)

    async def receive_token(self, request: web.Request) -> web.Response:
        """Maystro: the token in the address is the proof; the parcel is polled next cycle."""
        found = await self._account(request)
        if found is None or found[0].courier not in TOKEN_WEBHOOKS:
            return _answer(404)
        account, credentials = found
        secret = credentials.get(WEBHOOK_SECRET, "")
        if not secret or not hmac.compare_digest(_raw(request.match_info["token"]), _raw(secret)):
            log.warning("webhook token refused courier=%s account=%s", account.courier, account.id)
            return _answer(401)
        state = parse_maystro(await request.read())
        if state is None:
            return _answer(200, ok=True, events=0)
        shipment = await polls.shipment_for(account.id, state.tracking)
        if shipment is not None and not await self._read_now(account, state.tracking):
            await polls.poll_soon(shipment.id)
        return _answer(200, ok=True, events=1)

    async def _read_now(self, account: CourierAccount, tracking: str) -> bool:
        """Ask the courier for the parcel and apply what it says; False when it could not
        be asked (the parcel is then polled at the next cycle)."""
        if self.pool is None:
            return False
        try:
            courier = await self.pool.courier(account)
            state = (await courier.track_many([tracking])).get(tracking)
        except (CourierError, DomainError) as exc:
            log.warning("webhook read deferred courier=%s error=%s", account.courier, exc)
            return False
        if state is None:
            return False
        try:
            await _apply(account, state)
        except Exception:  # e.g. a concurrent change of the order: the next poll brings it
            log.exception("webhook read not applied courier=%s", account.courier)
            return False
        return True


def add_routes(app: web.Application, sealer: Sealer, pool: CourierPool | None = None) -> None:
    """Mount the courier webhooks on the web app (composition root); with a courier pool,
    a hint-only webhook (Maystro) reads the parcel at once."""
    hooks = CourierWebhooks(sealer, pool)
    app.router.add_get(PATH, hooks.challenge)
    app.router.add_post(PATH, hooks.receive)
    app.router.add_post(PATH + "/{token:[A-Za-z0-9_-]{8,128}}", hooks.receive_token)
