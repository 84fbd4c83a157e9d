"""The composition root's outbox routing table: one route for every channel a worker
delivers, Telegram rows only with the bot on."""

from __future__ import annotations

from hanout.processes import make_relay, outbox_routes
from hanout.settings import Settings
from models.infra.sealing import Sealer
from models.stores.tables import Store
from notify.webhooks import WebhookChannel
from shipping.pool import CourierPool

SHOP = Store(id=7, slug="souk", name="Souk", owner_email="")
MAILED = Store(id=8, slug="dar", name="Dar", owner_email="owner@dar.test")


async def test_the_table_routes_every_channel_a_worker_delivers() -> None:
    settings = Settings(secret_key="k" * 40, telegram_bot_token="")
    relay = make_relay(settings, "worker", None, CourierPool(Sealer("k" * 40)))
    hooks = relay.handlers["webhook"]
    assert isinstance(hooks, WebhookChannel)
    await hooks.aclose()
    without_bot = outbox_routes(telegram=False)
    assert set(without_bot.channels) == set(relay.handlers)
    assert set(outbox_routes(telegram=True).channels) == set(relay.handlers) | {"telegram"}


def test_each_topic_goes_to_the_channels_that_deliver_it() -> None:
    table = outbox_routes(telegram=True)
    assert table.channels["webhook"].fanout is not None  # one row per subscribed endpoint
    assert table.channels["webhook"].on_dead_letter is not None
    wanting = {
        (store.slug, topic): [r.channel for r in table.wanting(store, topic)]
        for store in (SHOP, MAILED)
        for topic in ("order.created", "order.shipped", "parcel.create", "store.webhook_disabled")
    }
    assert wanting == {
        ("souk", "order.created"): ["telegram", "webhook"],
        ("dar", "order.created"): ["email", "telegram", "webhook"],
        ("souk", "order.shipped"): ["telegram", "sms", "webhook"],
        ("dar", "order.shipped"): ["telegram", "sms", "webhook"],
        ("souk", "parcel.create"): ["courier"],
        ("dar", "parcel.create"): ["courier"],
        ("souk", "store.webhook_disabled"): ["telegram"],
        ("dar", "store.webhook_disabled"): ["telegram"],
    }
