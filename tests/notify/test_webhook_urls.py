"""Webhook URLs the delivering HTTP client refuses: refused at creation (422 over the API,
a message in the bot) and, for one saved before that check, a permanent failure written to
the delivery log at once instead of 15 hours of silent retries."""

from __future__ import annotations

import httpx
import pytest

from models.orders.intake import place_order
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from notify.webhooks import WebhookChannel
from tests.factories import checkout, make_shop
from tests.notify.test_webhooks import SEALER, relay_with
from tests.webstore.api_support import bearer, serve

REFUSED_BY_THE_CLIENT = ["http://0177.0.0.1/hook", "https://08.8.8.8/hook"]


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("url", REFUSED_BY_THE_CLIENT)
async def test_the_api_refuses_a_url_the_sender_cannot_use(
    db: str, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    shop = await make_shop()
    async with serve() as client:
        resp = await client.post(
            "/v1/webhooks",
            json={"url": url, "events": ["order.created"]},
            headers=bearer(shop.api_key),
        )
        error = (await resp.json())["error"]
    assert resp.status == 422
    assert (error["code"], error["fields"]) == ("invalid_url", {"url": "invalid_url"})
    assert await WebhookEndpoint.all().count() == 0
    no_traceback(caplog)


@pytest.mark.parametrize("url", REFUSED_BY_THE_CLIENT)
def test_clean_url_asks_the_client(url: str) -> None:
    assert webhooks.clean_url(url) == url  # the address rules alone let it through
    with pytest.raises(webhooks.WebhookRefused) as refused:
        webhooks.clean_url(url, parse_url=httpx.URL)
    assert (refused.value.code, refused.value.field) == ("invalid_url", "url")
    assert webhooks.clean_url("https://hooks.example.com/x", parse_url=httpx.URL)


@pytest.mark.parametrize(
    "url",
    [
        *REFUSED_BY_THE_CLIENT,
        "https://xn--a.com/hook",  # a host the client cannot decode
        "ftp://hooks.example.com/hook",
        "gopher://8.8.8.8/x",
    ],
)
async def test_a_saved_url_the_client_refuses_fails_once_and_is_logged(
    db: str, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    async def resolver(host: str, _port: int) -> list[str]:
        return ["93.184.215.14"]  # public; never dialled, the client refuses first

    shop = await make_shop()
    endpoint, _ = await webhooks.create_endpoint(
        SEALER, shop.store, "https://hooks.example.com/hook", ("order.created",)
    )
    # saved before this check existed (or by hand): the delivery meets it
    await WebhookEndpoint.filter(id=endpoint.id).update(url=url)
    channel = WebhookChannel(SEALER, resolver=resolver)
    try:
        await place_order(shop.store, checkout(shop.variants[0].id))
        await relay_with(channel).run_once()
    finally:
        await channel.aclose()
    [attempt] = await WebhookAttempt.filter(endpoint_id=endpoint.id)
    assert attempt.outcome == "dead" and attempt.error.startswith("not sent:")
    message = await OutboxMessage.get(channel="webhook")
    assert message.status == "dead" and message.attempts == 1
    no_traceback(caplog)
