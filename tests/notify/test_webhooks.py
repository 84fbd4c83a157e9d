"""Webhooks end to end: orders change, the outbox fans out, the relay's webhook channel
POSTs signed envelopes to a real receiver on loopback, retries on the webhook schedule,
dead-letters, disables the endpoint, and a stuck receiver holds up nothing else."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from models.calls.outcomes import log_call
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import cancel_order, transition_order
from models.outbox import webhooks
from models.outbox.routes import Route
from models.outbox.tables import OutboxMessage
from models.outbox.webhook_tables import WebhookAttempt, WebhookEndpoint
from notify.relay import Relay
from notify.webhooks import WebhookChannel
from tests.factories import Shop, checkout, make_shop
from tests.notify.test_relay import Recorder
from tests.notify.webhook_receiver import Received, Receiver, receiving
from tests.wiring import WireOutbox

SEALER = Sealer("test-secret-key")
OWNER = Actor("owner", "1", "Karim")
COURIER = Actor("courier", "yalidine", "Yalidine")
SCHEDULE = (60, 300, 1800, 7200, 43200)


@pytest.fixture
async def receiver(db: str) -> AsyncIterator[Receiver]:
    async with receiving() as receiver:
        yield receiver


@pytest.fixture
async def channel() -> AsyncIterator[WebhookChannel]:
    channel = WebhookChannel(SEALER, allow_private=True, timeout=2.0)
    yield channel
    await channel.aclose()


def relay_with(channel: WebhookChannel, **others: Any) -> Relay:
    return Relay({"webhook": channel, **others}, "worker-test", pools={"webhook": 8})


async def add(
    shop: Shop, url: str, events: tuple[str, ...] = webhooks.EVENTS, **options: Any
) -> tuple[WebhookEndpoint, str]:
    return await webhooks.create_endpoint(
        SEALER, shop.store, url, events, allow_private=True, **options
    )


async def make_due() -> None:
    """Move every waiting row to now: the retry schedule without the wait."""
    await OutboxMessage.filter(status="pending").update(
        available_at=clock.now() - timedelta(seconds=1)
    )


async def drain(relay: Relay) -> None:
    """Deliver everything due, including rows put back while their endpoint was busy."""
    for _ in range(50):
        if not await relay.run_once():
            if not await OutboxMessage.filter(channel="webhook", status="pending").exists():
                return
            await make_due()
    raise AssertionError("the outbox did not drain")


def assert_signed(received: Received, secret: str) -> None:
    headers = received.headers
    assert headers["X-Hanout-Signature"].startswith("sha256=")
    assert headers["Content-Type"].startswith("application/json")
    assert webhooks.verify_signature(
        secret,
        headers["X-Hanout-Timestamp"],
        headers["X-Hanout-Signature"],
        received.body,
        now=time.time(),
    )
    envelope = received.envelope
    assert headers["X-Hanout-Event"] == envelope["event"]
    assert headers["X-Hanout-Delivery"] == envelope["id"]
    # Signed with the timestamp: the same body under another timestamp does not verify.
    later = str(int(headers["X-Hanout-Timestamp"]) + 1)
    assert not webhooks.verify_signature(
        secret, later, headers["X-Hanout-Signature"], received.body, now=time.time()
    )


async def test_every_event_of_an_orders_life_arrives_signed(
    receiver: Receiver, channel: WebhookChannel
) -> None:
    shop = await make_shop()
    endpoint, secret = await add(shop, f"{receiver.url}/ok")
    relay = relay_with(channel)
    store = shop.store

    order = (await place_order(store, checkout(shop.variants[0].id))).order
    await drain(relay)
    await log_call(store, order.number, "no_answer", OWNER, note="rappeler")
    await drain(relay)
    await transition_order(store, order.number, OrderStatus.CONFIRMED, OWNER)
    await drain(relay)
    for target, actor in (
        (OrderStatus.PROCESSING, OWNER),
        (OrderStatus.SHIPPED, OWNER),
        (OrderStatus.DELIVERED, COURIER),
        (OrderStatus.RETURNED, COURIER),
    ):
        await transition_order(store, order.number, target, actor)
        await drain(relay)
    other = (await place_order(store, checkout(shop.variants[1].id, phone="0661 00 00 01"))).order
    # Deliveries run side by side: an endpoint is not promised the order of events that are
    # due together (receivers order them by `occurred_at`), so each is drained alone here.
    await drain(relay)
    await cancel_order(store, other.number, OWNER, note="client injoignable")
    await drain(relay)

    got = receiver.at("/ok")
    assert [r.event for r in got] == [
        "order.created",
        "order.call_logged",
        "order.confirmed",
        "order.processing",
        "order.shipped",
        "order.delivered",
        "order.returned",
        "order.created",
        "order.cancelled",
    ]
    for received in got:
        assert_signed(received, secret)
        envelope = received.envelope
        assert set(envelope) == {"id", "event", "store", "occurred_at", "data"}
        assert envelope["store"] == {"id": store.id, "slug": "shop"}
        body = (
            received.body.decode()
        )  # the phone looked for whole: "0550" alone turns up in hex ids
        assert "Amina" not in body and "550123456" not in body and "0550 12 34 56" not in body
    data = [r.envelope["data"] for r in got]
    assert [(d["number"], d["old_status"], d["new_status"]) for d in data] == [
        (order.number, None, "pending"),
        (order.number, None, None),
        (order.number, "pending", "confirmed"),
        (order.number, "confirmed", "processing"),
        (order.number, "processing", "shipped"),
        (order.number, "shipped", "delivered"),
        (order.number, "delivered", "returned"),
        (other.number, None, "pending"),
        (other.number, "pending", "cancelled"),
    ]
    # A no-answer schedules the next call by the store's plan.
    assert data[1]["call"]["callback_at"] is not None
    assert data[1]["call"] == {
        "outcome": "no_answer",
        "attempts": 1,
        "callback_at": data[1]["call"]["callback_at"],
    }
    assert data[1]["note"] == "rappeler"
    assert len({r.envelope["id"] for r in got}) == len(got)
    # The delivery log: one delivered try per event, nothing left in the outbox.
    log = await webhooks.deliveries(shop.store, endpoint.id, limit=50)
    assert [a.outcome for a in log] == ["delivered"] * len(got)
    assert [a.delivery_id for a in reversed(log)] == [r.envelope["id"] for r in got]
    assert {a.status_code for a in log} == {200}
    left = OutboxMessage.filter(channel="webhook", status__in=["pending", "processing"])
    assert not await left.exists()


async def test_only_subscribed_events_and_personal_data_when_asked(
    receiver: Receiver, channel: WebhookChannel
) -> None:
    shop = await make_shop()
    _, secret = await add(
        shop, f"{receiver.url}/ok", ("order.confirmed",), include_personal_data=True
    )
    relay = relay_with(channel)
    order = (await place_order(shop.store, checkout(shop.variants[1].id, 2))).order
    await transition_order(shop.store, order.number, OrderStatus.CONFIRMED, OWNER)
    await drain(relay)

    [received] = receiver.at("/ok")
    assert_signed(received, secret)
    data = received.envelope["data"]
    assert (data["number"], data["old_status"], data["new_status"]) == (
        order.number,
        "pending",
        "confirmed",
    )
    assert data["customer"] == {"name": "Amina Benali", "phone": "+213550123456", "phone2": ""}
    assert data["shipping"]["wilaya"]["code"] == 16
    assert data["shipping"]["commune"]["code"] == "1601"
    assert data["shipping"]["address"] == "12 rue Didouche Mourad"
    [line] = data["lines"]
    assert (line["sku"], line["quantity"], line["unit_price"]) == (
        shop.variants[1].sku,
        2,
        4800,
    )
    stored = await Order.get(id=order.id)
    assert (data["total"], data["subtotal"]) == (stored.total, 9600)


async def run_until_dead(relay: Relay, row_id: int) -> list[float]:
    """Deliver the row try after try, moving its time forward instead of waiting; returns
    the wait the outbox scheduled after each failed try."""
    waits = []
    while True:
        assert await relay.run_once() == 1
        row = await OutboxMessage.get(id=row_id)
        if row.status == "dead":
            return waits
        assert row.status == "pending"
        waits.append((row.available_at - clock.now()).total_seconds())
        assert await relay.run_once() == 0  # nothing is tried before its time
        await make_due()


async def test_a_failing_receiver_is_retried_on_the_schedule_then_dead_lettered(
    receiver: Receiver, channel: WebhookChannel
) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop, f"{receiver.url}/status/500", ("order.created",))
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    row = await OutboxMessage.get(channel="webhook")

    waits = await run_until_dead(relay_with(channel), row.id)

    assert [round(w) for w in waits] == list(SCHEDULE)
    tries = receiver.at("/status/500")
    assert len(tries) == 6
    assert len({t.headers["X-Hanout-Delivery"] for t in tries}) == 1  # receivers dedupe on it
    log = await WebhookAttempt.filter(endpoint_id=endpoint.id).order_by("id")
    assert [(a.attempt, a.outcome, a.status_code) for a in log] == [
        (1, "retrying", 500),
        (2, "retrying", 500),
        (3, "retrying", 500),
        (4, "retrying", 500),
        (5, "retrying", 500),
        (6, "dead", 500),
    ]
    assert log[0].error == "answered 500: nope"
    assert (await WebhookEndpoint.get(id=endpoint.id)).dead_in_a_row == 1
    [failed] = await OrderEvent.filter(order_id=order.id, type="notification_failed")
    assert failed.data["channel"] == "webhook"


@pytest.mark.parametrize(
    ("status", "retried"), [(408, True), (429, True), (404, False), (410, False), (302, True)]
)
async def test_client_errors_are_final_except_timeout_and_rate_limit(
    receiver: Receiver, channel: WebhookChannel, status: int, retried: bool
) -> None:
    shop = await make_shop()
    endpoint, _ = await add(shop, f"{receiver.url}/status/{status}", ("order.created",))
    await place_order(shop.store, checkout(shop.variants[0].id))
    await relay_with(channel).run_once()

    row = await OutboxMessage.get(channel="webhook")
    [attempt] = await WebhookAttempt.filter(endpoint_id=endpoint.id)
    assert attempt.status_code == status
    assert (row.status, attempt.outcome) == (
        ("pending", "retrying") if retried else ("dead", "dead")
    )


async def test_five_dead_letters_disable_the_endpoint_and_tell_the_owner(
    receiver: Receiver, channel: WebhookChannel, wire_outbox: WireOutbox
) -> None:
    wire_outbox(Route("telegram", (webhooks.DISABLED_TOPIC,)))
    shop = await make_shop()
    endpoint, secret = await add(shop, f"{receiver.url}/status/410")
    relay = relay_with(channel)
    order = (await place_order(shop.store, checkout(shop.variants[0].id))).order
    await log_call(shop.store, order.number, "busy", OWNER)
    await log_call(shop.store, order.number, "busy", OWNER)
    await log_call(shop.store, order.number, "confirmed", OWNER)  # call_logged, confirmed
    await transition_order(shop.store, order.number, OrderStatus.PROCESSING, OWNER)
    await drain(relay)  # six events; the fifth dead letter disables

    stored = await WebhookEndpoint.get(id=endpoint.id)
    assert (stored.active, stored.dead_in_a_row) == (False, 5)
    assert "answered 410" in stored.disabled_reason
    [notice] = await OutboxMessage.filter(topic=webhooks.DISABLED_TOPIC)
    assert notice.channel == "telegram"
    assert notice.payload["endpoint_id"] == endpoint.id
    assert notice.payload["dead_letters"] == 5
    # Two tries run at once: the sixth event went out with the fifth, or was not sent
    # (disabled) but logged, to redeliver later; either way it did not count.
    assert len(receiver.at("/status/410")) in (5, 6)
    log = await webhooks.deliveries(shop.store, endpoint.id)
    assert [a.outcome for a in log] == ["dead"] * 6
    await transition_order(shop.store, order.number, OrderStatus.SHIPPED, OWNER)
    assert not await OutboxMessage.filter(channel="webhook", status="pending").exists()

    # The receiver is fixed; the store enables the endpoint and redelivers a dead one.
    await WebhookEndpoint.filter(id=endpoint.id).update(url=f"{receiver.url}/ok")
    await webhooks.enable_endpoint(shop.store, endpoint.id)
    dead = (await webhooks.deliveries(shop.store, endpoint.id, outcome="dead"))[-1]
    await webhooks.redeliver(shop.store, endpoint.id, dead.id)
    await webhooks.send_test(shop.store, endpoint.id)
    await drain(relay)
    # The two rows are delivered at once: told apart by what they carry, not by arrival.
    ping, again = sorted(receiver.at("/ok"), key=lambda got: got.event != "ping")
    assert again.headers["X-Hanout-Delivery"] == dead.delivery_id
    assert again.event == dead.event
    assert_signed(again, secret)
    assert ping.event == "ping"
    assert_signed(ping, secret)
    assert ping.envelope["data"]["webhook_id"] == endpoint.id


async def test_rows_of_a_disabled_or_deleted_endpoint_are_not_sent(
    receiver: Receiver, channel: WebhookChannel
) -> None:
    shop = await make_shop()
    off, _ = await add(shop, f"{receiver.url}/ok")
    gone, _ = await add(shop, f"{receiver.url}/ok")
    await place_order(shop.store, checkout(shop.variants[0].id))
    await webhooks.disable_endpoint(shop.store, off.id)
    await webhooks.delete_endpoint(shop.store, gone.id)
    await drain(relay_with(channel))

    assert receiver.received == []
    [logged] = await WebhookAttempt.filter(endpoint_id=off.id)
    assert (logged.outcome, logged.error) == ("dead", "not sent: webhook disabled")
    assert not await WebhookAttempt.filter(endpoint_id=gone.id).exists()
    assert await OutboxMessage.filter(channel="webhook", status="done").count() == 2


async def test_a_stuck_receiver_holds_up_nothing_else(
    receiver: Receiver, channel: WebhookChannel
) -> None:
    shop = await make_shop()
    stuck, _ = await add(shop, f"{receiver.url}/hang")
    failing, _ = await add(shop, f"{receiver.url}/status/500")
    fine, secret = await add(shop, f"{receiver.url}/ok")
    others = Recorder()
    relay = relay_with(channel, email=others)
    await relay.start()
    try:
        for i in range(5):
            request = checkout(shop.variants[0].id, phone=f"0661 00 00 {i:02d}")
            await place_order(shop.store, request)
        # Every other delivery goes out while the stuck receiver still holds its requests.
        await receiver.wait_for(5, "/ok")
        await receiver.wait_for(5, "/status/500")
        async with asyncio.timeout(5):
            while sum(others.calls.values()) < 5:
                await asyncio.sleep(0.02)
        assert receiver.hanging == 2  # at most two tries of one endpoint at once
        for received in receiver.at("/ok"):
            assert_signed(received, secret)
    finally:
        receiver.release.set()
        await relay.stop()
    # The stuck receiver's other rows were put back without spending an attempt.
    stuck_rows = [
        r
        for r in await OutboxMessage.filter(channel="webhook")
        if r.payload["endpoint_id"] == stuck.id
    ]
    assert len(stuck_rows) == 5
    assert all(r.attempts <= 1 for r in stuck_rows)
    assert await WebhookAttempt.filter(endpoint_id=failing.id).count() == 5
    assert await WebhookAttempt.filter(endpoint_id=fine.id, outcome="delivered").count() == 5


async def test_a_receiver_past_the_timeout_is_retried(
    receiver: Receiver,
) -> None:
    channel = WebhookChannel(SEALER, allow_private=True, timeout=0.2)
    try:
        shop = await make_shop()
        endpoint, _ = await add(shop, f"{receiver.url}/hang", ("order.created",))
        await place_order(shop.store, checkout(shop.variants[0].id))
        await relay_with(channel).run_once()
    finally:
        await channel.aclose()
    [attempt] = await WebhookAttempt.filter(endpoint_id=endpoint.id)
    assert (attempt.outcome, attempt.status_code) == ("retrying", None)
    assert attempt.error == "no answer within the timeout"
    row = await OutboxMessage.get(channel="webhook")
    assert row.status == "pending" and row.attempts == 1


async def test_names_are_resolved_at_delivery_and_the_checked_address_is_used(
    receiver: Receiver,
) -> None:
    port = int(receiver.url.rsplit(":", 1)[1])
    answers = {"hooks.example.com": ["127.0.0.1"], "rebound.example.com": ["10.0.0.7"]}

    async def resolver(host: str, _port: int) -> list[str]:
        return answers[host]

    shop = await make_shop()
    # Public at creation (names are not resolved then); what counts is the delivery.
    rebound, _ = await add(shop, f"http://rebound.example.com:{port}/ok", ("order.created",))
    pinned, secret = await add(shop, f"http://hooks.example.com:{port}/ok", ("order.created",))
    strict = WebhookChannel(SEALER, resolver=resolver)
    lenient = WebhookChannel(SEALER, resolver=resolver, allow_private=True)
    try:
        await place_order(shop.store, checkout(shop.variants[0].id))
        await Relay({"webhook": strict}, "strict").run_once()
        [refused] = await WebhookAttempt.filter(endpoint_id=rebound.id)
        assert refused.outcome == "dead"
        assert refused.error == "not sent: rebound.example.com resolves to 10.0.0.7, not public"
        # 127.0.0.1 is not public either: refused without the setting, sent with it.
        [also] = await WebhookAttempt.filter(endpoint_id=pinned.id)
        assert also.outcome == "dead"
        assert receiver.received == []
        await webhooks.redeliver(shop.store, pinned.id, also.id)
        await Relay({"webhook": lenient}, "lenient").run_once()
    finally:
        await strict.aclose()
        await lenient.aclose()
    [received] = receiver.at("/ok")
    assert received.headers["Host"] == f"hooks.example.com:{port}"
    assert_signed(received, secret)


async def test_a_name_that_does_not_resolve_is_retried(db: str) -> None:
    async def resolver(host: str, _port: int) -> list[str]:
        raise OSError(f"{host}: Name or service not known")

    shop = await make_shop()
    endpoint, _ = await add(shop, "https://nowhere.example.com/hook", ("order.created",))
    channel = WebhookChannel(SEALER, resolver=resolver)
    try:
        await place_order(shop.store, checkout(shop.variants[0].id))
        await relay_with(channel).run_once()
    finally:
        await channel.aclose()
    [attempt] = await WebhookAttempt.filter(endpoint_id=endpoint.id)
    assert attempt.outcome == "retrying"
    assert "Name or service not known" in attempt.error
    assert (await OutboxMessage.get(channel="webhook")).status == "pending"
