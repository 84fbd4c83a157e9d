"""Webhook deliveries at their edges: addresses that carry a private IPv4 inside IPv6, and
two dead letters of one endpoint recorded at the same moment."""

from __future__ import annotations

import asyncio

import pytest

from models.calls.outcomes import log_call
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.timeline import Actor
from models.outbox import relay as outbox
from models.outbox import webhooks
from models.outbox.routes import Route
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from notify.relay import Relay
from notify.webhooks import WebhookChannel
from tests.factories import checkout, make_shop
from tests.wiring import WireOutbox

SEALER = Sealer("test-secret-key")
OWNER = Actor("owner", "1", "Karim")

# IPv6 addresses a network routes to the IPv4 address inside them: NAT64 (well-known and
# local-use prefixes), 6to4, IPv4-compatible and IPv4-translated.
CARRYING_PRIVATE_IPV4 = [
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64 prefix
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:0:a00:1",  # IPv4-translated
]


@pytest.mark.parametrize("address", CARRYING_PRIVATE_IPV4)
def test_ipv6_carrying_a_private_ipv4_is_not_public(address: str) -> None:
    assert not webhooks.public_address(address)
    with pytest.raises(webhooks.WebhookRefused) as refused:
        webhooks.clean_url(f"https://[{address}]/hook")
    assert refused.value.code == "private_address"


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"])
def test_ipv6_carrying_a_public_ipv4_stays_public(address: str) -> None:
    assert webhooks.public_address(address)


async def test_a_name_resolving_to_nat64_of_a_private_address_is_refused(db: str) -> None:
    async def resolver(host: str, _port: int) -> list[str]:
        return ["64:ff9b::a9fe:a9fe"]

    shop = await make_shop()
    endpoint, _ = await webhooks.create_endpoint(
        SEALER, shop.store, "https://hooks.example.com/hook", ("order.created",)
    )
    channel = WebhookChannel(SEALER, resolver=resolver)
    try:
        await place_order(shop.store, checkout(shop.variants[0].id))
        assert await Relay({"webhook": channel}, "worker-a").run_once() == 1
    finally:
        await channel.aclose()
    [attempt] = await WebhookAttempt.filter(endpoint_id=endpoint.id)
    assert (attempt.outcome, attempt.status_code) == ("dead", None)
    assert "not public" in attempt.error


@pytest.fixture
def notices(wire_outbox: WireOutbox) -> None:
    wire_outbox(Route("telegram", (webhooks.DISABLED_TOPIC,)))


async def test_two_dead_letters_at_once_disable_the_endpoint_once(db: str, notices: None) -> None:
    shop = await make_shop()
    endpoint, _ = await webhooks.create_endpoint(
        SEALER, shop.store, "https://hooks.example.com/hook", webhooks.EVENTS
    )
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    await log_call(shop.store, order.number, "busy", OWNER)
    await WebhookEndpoint.filter(id=endpoint.id).update(dead_in_a_row=webhooks.DISABLE_AFTER - 2)
    first, second = await outbox.claim("worker-a", 10, [outbox.WEBHOOK])

    # Both rows die together: the counter goes up by two, the endpoint is disabled by the
    # one that reaches the limit, and the owner is told once.
    results = await asyncio.gather(
        outbox.fail(first, "answered 410", permanent=True),
        outbox.fail(second, "answered 410", permanent=True),
    )

    assert results == [outbox.DEAD, outbox.DEAD]
    stored = await WebhookEndpoint.get(id=endpoint.id)
    assert (stored.active, stored.dead_in_a_row) == (False, webhooks.DISABLE_AFTER)
    [notice] = await OutboxMessage.filter(topic=webhooks.DISABLED_TOPIC)
    assert notice.payload["dead_letters"] == webhooks.DISABLE_AFTER


async def test_dead_letters_past_the_limit_at_once_notify_only_once(db: str, notices: None) -> None:
    shop = await make_shop()
    endpoint, _ = await webhooks.create_endpoint(
        SEALER, shop.store, "https://hooks.example.com/hook", webhooks.EVENTS
    )
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    for _ in range(3):
        await log_call(shop.store, order.number, "busy", OWNER)
    await WebhookEndpoint.filter(id=endpoint.id).update(dead_in_a_row=webhooks.DISABLE_AFTER - 1)
    claimed = await outbox.claim("worker-a", 10, [outbox.WEBHOOK])
    assert len(claimed) == 4

    await asyncio.gather(*(outbox.fail(m, "answered 500", permanent=True) for m in claimed))

    stored = await WebhookEndpoint.get(id=endpoint.id)
    # The first dead letter disables; the others find the endpoint disabled and do not count.
    assert (stored.active, stored.dead_in_a_row) == (False, webhooks.DISABLE_AFTER)
    assert await OutboxMessage.filter(topic=webhooks.DISABLED_TOPIC).count() == 1
