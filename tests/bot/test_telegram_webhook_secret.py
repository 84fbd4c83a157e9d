"""Webhook mode never runs without a secret: neither the route nor setWebhook goes ahead
with an empty one (the composition root generates one when none is configured)."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot import telegram_webhook
from bot.runtime import BotConfig, BotRuntime
from tests.fakes.telegram_api import FakeTelegram


async def test_no_webhook_route_and_no_set_webhook_without_a_secret(db: str) -> None:
    async with FakeTelegram() as fake:
        config = BotConfig(fake.token, api_url=fake.url, mode="webhook", public_url="http://x")
        runtime = BotRuntime(config, receive=True, send=False)
        app = web.Application()
        with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
            telegram_webhook.add_route(app, runtime)
        assert not any(
            r.resource and r.resource.canonical == telegram_webhook.PATH
            for r in app.router.routes()
        )
        try:
            with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
                await runtime.start()
        finally:
            await runtime.stop()
        assert fake.webhook is None and fake.calls("setWebhook") == []
