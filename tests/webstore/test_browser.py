"""The storefront in headless Chromium at a phone's size: a customer orders in Arabic and in
French, the script fills the communes and the fee, the order lands in the database with its
lines, timeline and outbox rows, and the relay mails it to the owner through a real SMTP
server (aiosmtpd). Chromium is part of the test setup: without it the tests fail."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer, TestServer
from aiosmtpd.controller import Controller

from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from notify.email import EmailChannel
from notify.relay import Relay
from tests.factories import Shop, make_shop
from webstore.app import create_app
from webstore.config import WebConfig

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SENDER = "Hanout <orders@hanout.test>"


class Inbox:
    """aiosmtpd handler keeping every email it accepts."""

    def __init__(self) -> None:
        self.emails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.emails.append(parsed)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on a free loopback port: its inbox and its smtp:// address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{port}"
    controller.stop()


@pytest.fixture
async def server(db: str) -> AsyncIterator[BaseTestServer]:
    async with TestServer(create_app(WebConfig(secret_key="test")), host="127.0.0.1") as srv:
        yield srv


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is required for the storefront tests and is missing: {CHROMIUM}")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


async def phone_page(browser: Any, errors: list[str]) -> Any:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page


def shown(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ").strip()


async def choose_place(page: Any, wilaya: str, commune: str) -> None:
    await page.select_option("#f-wilaya", wilaya)
    # The commune list comes from the JSON endpoint once the wilaya is chosen.
    await page.wait_for_selector(f'#f-commune option[value="{commune}"]', state="attached")
    await page.select_option("#f-commune", commune)


async def assert_recorded_and_mailed(order: Order, smtp: tuple[Inbox, str]) -> None:
    """The order's timeline and outbox rows exist, and the relay mails the owner."""
    event = await OrderEvent.get(order_id=order.id)
    assert (event.type, event.to_status, event.actor_kind) == ("created", "pending", "customer")
    assert event.actor_name == order.name
    row = await OutboxMessage.get(channel="email", store_id=order.store_id)
    assert (row.topic, row.status, row.payload["number"]) == ("order.created", "pending", 1001)
    inbox, smtp_url = smtp
    relay = Relay({"email": EmailChannel(smtp_url, SENDER)}, "browser-test")
    assert await relay.run_once() == 1
    [email] = inbox.emails
    assert email["To"] == "owner@example.test"
    assert "1001" in email["Subject"]
    body = email.get_body(("plain",))
    assert body is not None and "1001" in str(body.get_content())
    await row.refresh_from_db()
    assert row.status == "done"


async def test_order_in_arabic_on_a_phone(
    server: BaseTestServer, browser: Any, smtp: tuple[Inbox, str], db: str
) -> None:
    shop: Shop = await make_shop()
    errors: list[str] = []
    page = await phone_page(browser, errors)
    await page.goto(str(server.make_url("/shop/p/robe-kabyle?lang=ar")))
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.select_option("#f-variant", str(shop.variants[1].id))  # L, 4 800
    await page.fill("#f-quantity", "2")
    await page.fill("#f-name", "أمينة بن علي")
    await page.fill("#f-phone", "0550 12 34 56")
    await choose_place(page, "16", "1601")
    assert shown(await page.inner_text("[data-total]")) == "10 000 د.ج"
    await page.check('input[name="delivery_type"][value="desk"]')
    assert shown(await page.inner_text("[data-fee]")) == "250 د.ج"
    assert shown(await page.inner_text("[data-total]")) == "9 850 د.ج"
    await page.fill("#f-address", "حي 500 مسكن، عمارة 3")
    await page.click("button.primary")
    await page.wait_for_url("**/shop/merci/1001/**")
    assert await page.inner_text("[data-order-number]") == "1001"
    order = await Order.get(number=1001).prefetch_related("lines")
    assert (order.name, order.delivery_type, order.total) == ("أمينة بن علي", "desk", 9_850)
    assert [(line.variant_id, line.quantity) for line in order.lines] == [(shop.variants[1].id, 2)]
    await assert_recorded_and_mailed(order, smtp)
    assert errors == []


async def test_order_in_french_on_a_phone(
    server: BaseTestServer, browser: Any, smtp: tuple[Inbox, str], db: str
) -> None:
    shop = await make_shop(lang="ar")  # the visitor switches to French
    errors: list[str] = []
    page = await phone_page(browser, errors)
    await page.goto(str(server.make_url("/shop/")))
    await page.click("text=Français")
    await page.click(".card a")
    assert await page.get_attribute("html", "lang") == "fr"
    await page.fill("#f-name", "Karim Ziani")
    await page.fill("#f-phone", "+213 661 22 33 44")
    await choose_place(page, "31", "3101")
    # Oran has no stop desk in this store: the choice is disabled, home delivery is kept.
    assert await page.is_disabled('input[name="delivery_type"][value="desk"]')
    assert shown(await page.inner_text("[data-total]")) == "5 100 DA"
    await page.fill("#f-address", "Cité USTO, bâtiment 12")
    await page.click("text=Commander maintenant")
    await page.wait_for_url("**/shop/merci/1001/**")
    assert "Merci" in await page.inner_text("h1")
    order = await Order.get(number=1001).prefetch_related("lines")
    assert (order.phone, order.commune_code, order.total) == ("+213661223344", "3101", 5_100)
    assert [(line.variant_id, line.quantity) for line in order.lines] == [(shop.variants[0].id, 1)]
    await assert_recorded_and_mailed(order, smtp)
    assert errors == []
