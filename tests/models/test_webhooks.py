"""Webhook endpoints as the domain keeps them: validation, the per-store limit, the outbox
fan-out in the change's transaction, redelivery, and the count of dead letters in a row."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.errors import NotFound
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox import relay, webhooks
from models.outbox.routes import Route
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from tests.factories import Shop, checkout, make_shop
from tests.wiring import WireOutbox

SEALER = Sealer("test-secret-key")
OWNER = Actor("owner", "1", "Karim")
URL = "https://hooks.example.com/hanout"


async def add(
    shop: Shop, events: tuple[str, ...] = webhooks.EVENTS, **options: object
) -> tuple[WebhookEndpoint, str]:
    url = str(options.pop("url", URL))
    return await webhooks.create_endpoint(SEALER, shop.store, url, events, **options)  # type: ignore[arg-type]


async def test_a_new_endpoint_keeps_its_secret_sealed_and_shows_it_once(db: str) -> None:
    shop = await make_shop()
    endpoint, secret = await add(
        shop, ("order.shipped", "order.created", "order.shipped"), description="  ERP  sync "
    )
    assert secret.startswith("whsec_") and len(secret) > 40
    stored = await WebhookEndpoint.get(id=endpoint.id)
    assert secret not in stored.secret_sealed
    assert webhooks.secret_of(stored, SEALER) == secret
    # Known events once each, in the documented order; the description tidied.
    assert stored.events == ["order.created", "order.shipped"]
    assert (stored.description, stored.active, stored.dead_in_a_row) == ("ERP sync", True, 0)
    _, other = await add(shop)
    assert other != secret


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/x", "invalid_url"),
        ("example.com/hook", "invalid_url"),
        ("https://", "invalid_url"),
        ("https://example.com/" + "a" * 500, "invalid_url"),
        ("https://exa mple.com/", "invalid_url"),
        ("https://example.com:99999/", "invalid_url"),
        ("https://example.com/#frag", "invalid_url"),
        ("http://localhost:8000/hook", "private_address"),
        ("http://shop.localhost/hook", "private_address"),
        ("http://127.0.0.1/hook", "private_address"),
        ("http://10.1.2.3/hook", "private_address"),
        ("http://192.168.1.10/hook", "private_address"),
        ("http://169.254.169.254/latest/meta-data", "private_address"),
        ("http://[::1]/hook", "private_address"),
        ("http://[fe80::1]/hook", "private_address"),
        ("http://[::ffff:10.0.0.1]/hook", "private_address"),
        ("http://0.0.0.0/hook", "private_address"),
        ("http://intranet/hook", "private_address"),
    ],
)
async def test_bad_or_private_urls_are_refused_with_a_code_and_field(
    db: str, url: str, code: str
) -> None:
    shop = await make_shop()
    with pytest.raises(webhooks.WebhookRefused) as refused:
        await add(shop, url=url)
    assert (refused.value.code, refused.value.field) == (code, "url")
    assert not await WebhookEndpoint.exists()


async def test_private_addresses_are_accepted_when_the_setting_allows(db: str) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop, url="http://127.0.0.1:9000/hook", allow_private=True)
    assert endpoint.url == "http://127.0.0.1:9000/hook"
    for public in ("https://8.8.8.8/hook", "https://[2001:4860:4860::8888]/hook"):
        assert (await add(shop, url=public))[0].url == public
    assert webhooks.public_address("8.8.8.8")
    assert not webhooks.public_address("172.16.0.1")
    assert not webhooks.public_address("example.com")


@pytest.mark.parametrize(
    ("events", "code"),
    [((), "invalid_events"), (("order.created", "order.claimed"), "unknown_event")],
)
async def test_events_must_be_known_and_at_least_one(
    db: str, events: tuple[str, ...], code: str
) -> None:
    shop = await make_shop()
    with pytest.raises(webhooks.WebhookRefused) as refused:
        await add(shop, events)
    assert (refused.value.code, refused.value.field) == (code, "events")


async def test_ten_endpoints_per_store_disabled_ones_count_deleted_ones_do_not(db: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    made = [(await add(shop))[0] for _ in range(webhooks.MAX_ENDPOINTS)]
    await webhooks.disable_endpoint(shop.store, made[0].id)
    with pytest.raises(webhooks.WebhookRefused) as refused:
        await add(shop)
    assert refused.value.code == "too_many_webhooks"
    await add(other)  # the limit is per store
    await webhooks.delete_endpoint(shop.store, made[1].id)
    await add(shop)
    assert len(await webhooks.list_endpoints(shop.store)) == webhooks.MAX_ENDPOINTS


async def test_list_get_and_delete_stay_within_the_store(db: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    first, _ = await add(shop)
    second, _ = await add(shop)
    theirs, _ = await add(other)
    assert [e.id for e in await webhooks.list_endpoints(shop.store)] == [first.id, second.id]
    assert [e.id for e in await webhooks.list_endpoints(shop.store, after_id=first.id)] == [
        second.id
    ]
    assert [e.id for e in await webhooks.list_endpoints(shop.store, limit=1)] == [first.id]
    with pytest.raises(NotFound):
        await webhooks.get_endpoint(shop.store, theirs.id)
    with pytest.raises(NotFound):
        await webhooks.delete_endpoint(shop.store, theirs.id)
    await webhooks.delete_endpoint(shop.store, first.id)
    with pytest.raises(NotFound):
        await webhooks.get_endpoint(shop.store, first.id)
    with pytest.raises(NotFound):
        await webhooks.delete_endpoint(shop.store, first.id)
    assert [e.id for e in await webhooks.list_endpoints(shop.store)] == [second.id]


async def test_disable_enable_and_change_events(db: str) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop)
    await WebhookEndpoint.filter(id=endpoint.id).update(dead_in_a_row=3)
    off = await webhooks.disable_endpoint(shop.store, endpoint.id)
    assert (off.active, off.disabled_reason) == (False, "disabled by the store")
    assert [e.id for e in await webhooks.list_endpoints(shop.store, active=False)] == [off.id]
    on = await webhooks.enable_endpoint(shop.store, endpoint.id)
    stored = await WebhookEndpoint.get(id=endpoint.id)
    for row in (on, stored):
        assert (row.active, row.dead_in_a_row, row.disabled_reason, row.disabled_at) == (
            True,
            0,
            "",
            None,
        )
    changed = await webhooks.update_events(shop.store, endpoint.id, ["order.returned"])
    assert changed.events == (await WebhookEndpoint.get(id=endpoint.id)).events
    assert changed.events == ["order.returned"]


async def test_publish_writes_one_row_per_subscribed_live_endpoint(db: str) -> None:
    shop, other = await make_shop(), await make_shop("other")
    everything, _ = await add(shop)
    await add(shop, ("order.confirmed",))  # not subscribed to order.created
    off, _ = await add(shop)
    await webhooks.disable_endpoint(shop.store, off.id)
    gone, _ = await add(shop)
    await webhooks.delete_endpoint(shop.store, gone.id)
    await add(other)  # another store's endpoint
    placed = await place_order(shop.store, checkout(shop.variants[0].id))

    [row] = await OutboxMessage.filter(channel="webhook")
    event = await OrderEvent.get(order_id=placed.order.id, type="created")
    assert (row.topic, row.store_id) == ("order.created", shop.store.id)
    assert row.dedupe_key == f"webhook:{everything.id}:{event.id}"
    envelope = row.payload["envelope"]
    assert isinstance(envelope, dict)
    assert envelope["event"] == "order.created"
    assert envelope["store"] == {"id": shop.store.id, "slug": "shop"}
    assert envelope["id"].startswith("whd_")
    assert envelope["data"] == {
        "number": placed.order.number,
        "status": "pending",
        "old_status": None,
        "new_status": "pending",
    }
    # Nothing about the customer is written for a webhook.
    # (The phone is looked for whole, as stored and as dialled: its first digits alone also
    # turn up by chance inside the random hex of the delivery id.)
    written = str(row.payload)
    assert "Amina" not in written
    assert "550123456" not in written and "0550 12 34 56" not in written


async def test_a_topic_no_endpoint_may_subscribe_to_asks_nothing(db: str) -> None:
    shop = await make_shop()
    await add(shop)
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    event = await OrderEvent.get(order_id=order.id)
    conn = connections.get("default")
    rows = await relay.publish(conn, shop.store, "order.claimed", order, event)
    assert rows == 0
    assert await OutboxMessage.filter(channel="webhook", topic="order.claimed").count() == 0


async def test_redeliver_copies_the_envelope_with_its_delivery_id(db: str) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop)
    await place_order(shop.store, checkout(shop.variants[0].id))
    row = await OutboxMessage.get(channel="webhook")
    row.attempts = 1
    attempt = await webhooks.save_delivery_attempt(row, "dead", status_code=410, error="gone")

    queued = await webhooks.redeliver(shop.store, endpoint.id, attempt.id)
    again = await OutboxMessage.get(id=queued)
    assert again.id != row.id and again.status == "pending" and again.attempts == 0
    assert again.payload["envelope"] == row.payload["envelope"]
    assert await webhooks.queued_delivery(queued) == (attempt.delivery_id, "order.created")
    # A second redelivery is another row, same delivery id.
    assert await webhooks.redeliver(shop.store, endpoint.id, attempt.id) != queued
    with pytest.raises(NotFound):
        await webhooks.redeliver(shop.store, endpoint.id, attempt.id + 100)
    await webhooks.disable_endpoint(shop.store, endpoint.id)
    with pytest.raises(webhooks.WebhookRefused) as refused:
        await webhooks.redeliver(shop.store, endpoint.id, attempt.id)
    assert refused.value.code == "webhook_disabled"


async def test_a_ping_needs_no_subscription(db: str) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop, ("order.returned",))
    queued = await webhooks.send_test(shop.store, endpoint.id)
    row = await OutboxMessage.get(id=queued)
    assert (row.channel, row.topic, row.payload["endpoint_id"]) == ("webhook", "ping", endpoint.id)
    assert row.payload["envelope"]["data"]["webhook_id"] == endpoint.id  # type: ignore[index]


async def dead_letter(row: OutboxMessage) -> None:
    """Claim the row and give it up, as the relay does after a 4xx."""
    await OutboxMessage.filter(id=row.id).update(status="pending", available_at=clock.now())
    [claimed] = await relay.claim("worker-a", 1, ["webhook"])
    assert await relay.fail(claimed, "answered 410", permanent=True) == "dead"


async def test_five_dead_letters_in_a_row_disable_and_tell_the_owner(
    db: str, wire_outbox: WireOutbox
) -> None:
    wire_outbox(Route("telegram", ("*",)))
    shop = await make_shop()
    endpoint, _ = await add(shop)
    await place_order(shop.store, checkout(shop.variants[0].id))
    row = await OutboxMessage.get(channel="webhook")
    for n in range(1, webhooks.DISABLE_AFTER):
        await dead_letter(row)
        stored = await WebhookEndpoint.get(id=endpoint.id)
        assert (stored.dead_in_a_row, stored.active) == (n, True)
    # A delivered message starts the count again.
    await webhooks.save_delivery_attempt(row, "delivered", status_code=200)
    assert (await WebhookEndpoint.get(id=endpoint.id)).dead_in_a_row == 0
    for _ in range(webhooks.DISABLE_AFTER):
        await dead_letter(row)
    stored = await WebhookEndpoint.get(id=endpoint.id)
    assert (stored.active, stored.dead_in_a_row) == (False, 5)
    assert "answered 410" in stored.disabled_reason and stored.disabled_at is not None
    [notice] = await OutboxMessage.filter(topic=webhooks.DISABLED_TOPIC)
    assert notice.channel == "telegram" and notice.store_id == shop.store.id
    assert notice.payload == {
        "endpoint_id": endpoint.id,
        "url": URL,
        "reason": "answered 410",
        "dead_letters": 5,
    }
    # Once disabled, further dead letters neither count nor notify again.
    await dead_letter(row)
    assert (await WebhookEndpoint.get(id=endpoint.id)).dead_in_a_row == 5
    assert await OutboxMessage.filter(topic=webhooks.DISABLED_TOPIC).count() == 1


async def test_publish_notice_writes_for_channels_that_want_the_topic(
    db: str, wire_outbox: WireOutbox
) -> None:
    wire_outbox(Route("telegram", ("store.*",)))
    shop = await make_shop()
    async with in_transaction() as conn:
        assert await relay.publish_notice(conn, shop.store, "store.x", "k1", {"a": 1}) == 1
        assert await relay.publish_notice(conn, shop.store, "order.x", "k2", {}) == 0
    row = await OutboxMessage.get(topic="store.x")
    assert (row.channel, row.dedupe_key, row.payload) == ("telegram", "telegram:k1", {"a": 1})


async def test_attempts_log_newest_first_and_filter_by_outcome(db: str) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop)
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    await transition_order(shop.store, order.number, OrderStatus.CONFIRMED, OWNER)
    rows = await OutboxMessage.filter(channel="webhook").order_by("id")
    logged = [
        await webhooks.save_delivery_attempt(rows[0], "retrying", status_code=500),
        await webhooks.save_delivery_attempt(rows[0], "delivered", status_code=200),
        await webhooks.save_delivery_attempt(rows[1], "delivered", status_code=204),
    ]
    found = await webhooks.deliveries(shop.store, endpoint.id)
    assert [a.id for a in found] == [a.id for a in reversed(logged)]
    assert [a.event for a in found] == ["order.confirmed", "order.created", "order.created"]
    assert {a.order_number for a in found} == {order.number}
    assert [a.id for a in await webhooks.deliveries(shop.store, endpoint.id, limit=1)] == [
        logged[2].id
    ]
    before = await webhooks.deliveries(shop.store, endpoint.id, before_id=logged[2].id)
    assert [a.id for a in before] == [logged[1].id, logged[0].id]
    retrying = await webhooks.deliveries(shop.store, endpoint.id, outcome="retrying")
    assert [a.id for a in retrying] == [logged[0].id]
    assert await WebhookAttempt.filter(endpoint_id=endpoint.id).count() == 3


def test_signature_covers_timestamp_and_body() -> None:
    body = webhooks.envelope_body({"id": "whd_1", "data": {"name": "أمينة"}})
    assert "أمينة".encode() in body  # UTF-8, not \\u escapes
    header = webhooks.signature("whsec_x", 1_700_000_000, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    ok = webhooks.verify_signature
    assert ok("whsec_x", "1700000000", header, body, now=1_700_000_100)
    assert not ok("whsec_x", "1700000000", header, body + b" ", now=1_700_000_100)
    assert not ok("whsec_y", "1700000000", header, body, now=1_700_000_100)
    assert not ok("whsec_x", "1700000001", header, body, now=1_700_000_100)
    assert not ok("whsec_x", "1700000000", header, body, now=1_700_000_000 + 301)
    assert not ok("whsec_x", "soon", header, body, now=1_700_000_000)


def test_signature_check_refuses_non_ascii_headers_without_raising() -> None:
    body = webhooks.envelope_body({"id": "whd_1"})
    header = webhooks.signature("whsec_x", 1_700_000_000, body)
    ok = webhooks.verify_signature
    assert not ok("whsec_x", "1700000000", "sha256=é", body, now=1_700_000_100)
    assert not ok("whsec_x", "1700000000", header[:-1] + "\udcff", body, now=1_700_000_100)
    assert not ok("whsec_x", "²", header, body, now=1_700_000_100)
    assert not ok("whsec_x", "9" * 5000, header, body, now=1_700_000_100)
