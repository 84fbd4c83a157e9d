"""Outgoing webhooks over the API: `GET|POST|DELETE /v1/webhooks`, changes, the delivery
log, redelivery and a test ping (SPEC §7, §8; delivery itself is notify.webhooks)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from datetime import datetime
from typing import TypeVar

import httpx
from aiohttp import web

from models.infra.sealing import Sealer
from models.outbox import webhooks
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from webstore.api_endpoint import ApiCall, Endpoint, reply
from webstore.api_errors import ApiError
from webstore.config import CONFIG
from webstore.webhook_schemas import (
    SIGNING,
    DeliveryList,
    DeliveryOut,
    DeliveryQuery,
    Queued,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookPatch,
    WebhookQuery,
)

T = TypeVar("T")
TAG = "webhooks"
# Refusals about the store's state rather than the request's fields.
REFUSAL_STATUS = {"too_many_webhooks": 409, "webhook_disabled": 409}


@functools.lru_cache(maxsize=4)
def _sealer(secret_key: str) -> Sealer:
    return Sealer(secret_key)


async def _refusals(work: Awaitable[T]) -> T:
    """A WebhookRefused as an API error naming its field."""
    try:
        return await work
    except webhooks.WebhookRefused as exc:
        status = REFUSAL_STATUS.get(exc.code, 422)
        fields = {exc.field: exc.code} if exc.field else None
        raise ApiError(status, exc.code, str(exc), fields=fields) from None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.events),
        include_personal_data=endpoint.include_personal_data,
        active=endpoint.active,
        disabled_reason=endpoint.disabled_reason,
        disabled_at=_moment(endpoint.disabled_at),
        dead_in_a_row=endpoint.dead_in_a_row,
        created_at=endpoint.created_at.isoformat(),
    )


def delivery_out(attempt: WebhookAttempt) -> DeliveryOut:
    return DeliveryOut(
        id=attempt.id,
        delivery_id=attempt.delivery_id,
        event=attempt.event,
        order_number=attempt.order_number,
        attempt=attempt.attempt,
        outcome=attempt.outcome,  # type: ignore[arg-type]
        status_code=attempt.status_code,
        error=attempt.error,
        duration_ms=attempt.duration_ms,
        created_at=attempt.created_at.isoformat(),
    )


async def list_webhooks(call: ApiCall) -> web.Response:
    query = call.query_as(WebhookQuery)
    rows = await webhooks.list_endpoints(
        call.current_store(), after_id=query.after(), limit=query.limit + 1, active=query.active
    )
    page = rows[: query.limit]
    more = len(rows) > query.limit
    return reply(
        WebhookList(
            data=[webhook_out(e) for e in page],
            next_cursor=query.next_cursor(page[-1].id if more else None),
        )
    )


async def create_webhook(call: ApiCall) -> web.Response:
    body, config = call.body_as(WebhookIn), call.request.config_dict[CONFIG]
    endpoint, secret = await _refusals(
        webhooks.create_endpoint(
            _sealer(config.secret_key),
            call.current_store(),
            body.url,
            body.events,
            description=body.description,
            include_personal_data=body.include_personal_data,
            allow_private=config.webhook_allow_private,
            parse_url=httpx.URL,  # the client notify.webhooks delivers with
        )
    )
    created = WebhookCreated(**webhook_out(endpoint).model_dump(), secret=secret)
    return reply(created, status=201)


async def show_webhook(call: ApiCall) -> web.Response:
    endpoint = await webhooks.get_endpoint(call.current_store(), call.path_int("webhook_id"))
    return reply(webhook_out(endpoint))


async def change_webhook(call: ApiCall) -> web.Response:
    body, store = call.body_as(WebhookPatch), call.current_store()
    webhook_id = call.path_int("webhook_id")
    endpoint = await webhooks.get_endpoint(store, webhook_id)
    if body.events is not None:
        endpoint = await _refusals(webhooks.update_events(store, webhook_id, body.events))
    if body.active is True and not endpoint.active:
        endpoint = await webhooks.enable_endpoint(store, webhook_id)
    elif body.active is False:
        endpoint = await webhooks.disable_endpoint(store, webhook_id)
    return reply(webhook_out(endpoint))


async def delete_webhook(call: ApiCall) -> web.Response:
    await webhooks.delete_endpoint(call.current_store(), call.path_int("webhook_id"))
    return web.Response(status=204)


async def list_deliveries(call: ApiCall) -> web.Response:
    query, store = call.query_as(DeliveryQuery), call.current_store()
    webhook_id = call.path_int("webhook_id")
    await webhooks.get_endpoint(store, webhook_id)  # a deleted endpoint's log is gone too
    rows = await webhooks.deliveries(
        store, webhook_id, before_id=query.after(), limit=query.limit + 1, outcome=query.outcome
    )
    page = rows[: query.limit]
    more = len(rows) > query.limit
    return reply(
        DeliveryList(
            data=[delivery_out(a) for a in page],
            next_cursor=query.next_cursor(page[-1].id if more else None),
        )
    )


async def _queued(outbox_id: int) -> web.Response:
    delivery_id, event = await webhooks.queued_delivery(outbox_id)
    return reply(Queued(delivery_id=delivery_id, event=event), status=202)


async def redeliver(call: ApiCall) -> web.Response:
    store = call.current_store()
    webhook_id, attempt_id = call.path_int("webhook_id"), call.path_int("delivery_id")
    return await _queued(await _refusals(webhooks.redeliver(store, webhook_id, attempt_id)))


async def ping(call: ApiCall) -> web.Response:
    store, webhook_id = call.current_store(), call.path_int("webhook_id")
    return await _queued(await _refusals(webhooks.send_test(store, webhook_id)))


ONE = ("webhook_id",)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/v1/webhooks",
        list_webhooks,
        "listWebhooks",
        "The store's webhook endpoints",
        TAG,
        query=WebhookQuery,
        response=WebhookList,
        description="Oldest first, disabled ones included unless `active` says otherwise; "
        "the secrets are never shown again.",
    ),
    Endpoint(
        "POST",
        "/v1/webhooks",
        create_webhook,
        "createWebhook",
        "Add a webhook endpoint",
        TAG,
        body=WebhookIn,
        response=WebhookCreated,
        status=201,
        errors=(409, 422),
        description="At most 10 per store (409 `too_many_webhooks`). 422 `invalid_url` for "
        "anything but an http(s) URL of at most 500 characters, `private_address` for "
        "localhost and private or link-local networks. Events: `order.created`, "
        "`order.confirmed`, `order.processing`, `order.shipped`, `order.delivered`, "
        "`order.cancelled`, `order.returned`, `order.call_logged`, `order.updated` (an "
        "order edited on the call: `data.changed` names the fields). The answer holds the "
        "signing secret, shown only here. " + SIGNING + " An answer other than 2xx is "
        "retried after 1 min, 5 min, 30 min, 2 h and 12 h (10 s timeout, redirects not "
        "followed), except 4xx other than 408 and 429, given up at once; five deliveries "
        "given up in a row disable the endpoint and the owner is told on Telegram.",
    ),
    Endpoint(
        "GET",
        "/v1/webhooks/{webhook_id}",
        show_webhook,
        "getWebhook",
        "One webhook endpoint",
        TAG,
        int_params=ONE,
        response=WebhookOut,
        errors=(404,),
    ),
    Endpoint(
        "PATCH",
        "/v1/webhooks/{webhook_id}",
        change_webhook,
        "changeWebhook",
        "Change the events, or disable or enable the endpoint",
        TAG,
        int_params=ONE,
        body=WebhookPatch,
        response=WebhookOut,
        errors=(404, 422),
        description="`active: true` on a disabled endpoint resumes deliveries from the next "
        "event on; redeliver what it missed from its delivery log.",
    ),
    Endpoint(
        "DELETE",
        "/v1/webhooks/{webhook_id}",
        delete_webhook,
        "deleteWebhook",
        "Remove a webhook endpoint",
        TAG,
        int_params=ONE,
        status=204,
        errors=(404,),
        description="Deliveries not yet made are dropped; the endpoint and its log are "
        "gone from the API.",
    ),
    Endpoint(
        "GET",
        "/v1/webhooks/{webhook_id}/deliveries",
        list_deliveries,
        "listWebhookDeliveries",
        "The endpoint's delivery log, one entry per try",
        TAG,
        int_params=ONE,
        query=DeliveryQuery,
        response=DeliveryList,
        errors=(404,),
        description="Newest first.",
    ),
    Endpoint(
        "POST",
        "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        redeliver,
        "redeliverWebhook",
        "Send a logged delivery again",
        TAG,
        int_params=("webhook_id", "delivery_id"),
        response=Queued,
        status=202,
        errors=(404, 409),
        description="`delivery_id` is the `id` of an entry of the log (delivered or given "
        "up alike). The same envelope goes out, with the same `X-Hanout-Delivery`, and "
        "gets a fresh round of retries. 409 `webhook_disabled` while the endpoint is off.",
    ),
    Endpoint(
        "POST",
        "/v1/webhooks/{webhook_id}/ping",
        ping,
        "pingWebhook",
        "Send a test event",
        TAG,
        int_params=ONE,
        response=Queued,
        status=202,
        errors=(404, 409),
        description="A signed `ping` event (`data: {webhook_id, message}`), whatever the "
        "endpoint subscribes to; see it in the delivery log.",
    ),
)
