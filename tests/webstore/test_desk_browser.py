"""The desk in headless Chromium at a phone's size, as Telegram opens it: the launch
parameters in the fragment, Telegram's script replaced by a local stand-in (the page may
load it only from telegram.org; nothing else leaves the machine). The orders screen with
its tabs, search and infinite scroll, an order's page and its actions moving the order in
the database, in French and in Arabic (right to left). Screenshots go to
var/test-artefacts/desk/ (look at them)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import BaseTestServer, TestServer
from playwright.async_api import expect

from models.calls.outcomes import log_call
from models.catalog.tables import Variant
from models.infra.clock import now
from models.orders.stats import ALGIERS
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from tests.webstore.api_support import place
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, init_data, make_team
from tests.webstore.test_browser import browser  # noqa: F401  (the Chromium fixture)
from webstore.app import create_app
from webstore.config import WebConfig
from webstore.desk import TELEGRAM_SCRIPT
from webstore.desk_api import PAGE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts" / "desk"
FIRST_SCREEN_BUDGET = 100 * 1024
THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
# What the page needs of Telegram's script: the init data and theme from the launch
# parameters, ready/expand, the back button, alerts and confirmations (answered "yes").
STAND_IN = """
(function () {
  var p = new URLSearchParams(location.hash.slice(1));
  var handlers = [];
  window.__alerts = [];
  window.__opened = [];
  window.Telegram = { WebApp: {
    initData: p.get("tgWebAppData") || "",
    initDataUnsafe: {},
    themeParams: JSON.parse(p.get("tgWebAppThemeParams") || "{}"),
    colorScheme: "light",
    ready: function () { window.__ready = true; },
    expand: function () {},
    onEvent: function () {},
    showAlert: function (text, done) { window.__alerts.push(text); if (done) done(); },
    showConfirm: function (text, done) { done(true); },
    openLink: function (url) { window.__opened.push(url); },
    HapticFeedback: { notificationOccurred: function () {} },
    BackButton: {
      isVisible: false,
      show: function () { this.isVisible = true; },
      hide: function () { this.isVisible = false; },
      onClick: function (f) { handlers.push(f); },
      offClick: function (f) { handlers = handlers.filter(function (h) { return h !== f; }); }
    }
  } };
  window.__pressBack = function () { handlers.forEach(function (h) { h(); }); };
})();
"""


@pytest.fixture
async def server(db: str) -> AsyncIterator[BaseTestServer]:
    config = WebConfig(secret_key="test", telegram_bot_token=BOT_TOKEN)
    async with TestServer(create_app(config), host="127.0.0.1") as srv:
        yield srv


class Telegram:
    """One phone opening the desk: what left the page, and what came back."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.responses: list[Any] = []

    async def open(self, chromium: Any, url: str, locale: str = "fr-DZ") -> Any:
        context = await chromium.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            timezone_id="Africa/Algiers",  # an Algerian phone
            locale=locale,
        )
        origin = url.split("/desk/")[0]

        async def route(route: Any) -> None:
            url = route.request.url
            if url == TELEGRAM_SCRIPT:
                await route.fulfill(body=STAND_IN, content_type="application/javascript")
            elif url.startswith(origin):
                await route.continue_()
            else:
                self.outside.append(url)
                await route.abort()

        await context.route("**/*", route)
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda response: self.responses.append(response))
        await page.goto(url)
        return page

    async def transferred(self) -> int:
        total = 0
        for response in self.responses:
            sizes = await response.request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total


def launch_url(server: BaseTestServer, user_id: int, lang: str, path: str = "shop/") -> str:
    data = init_data(user_id, lang=lang)
    theme = quote(json.dumps(THEME, separators=(",", ":")))
    fragment = (
        f"tgWebAppData={quote(data)}&tgWebAppVersion=8.0&tgWebAppPlatform=android"
        f"&tgWebAppThemeParams={theme}"
    )
    return str(server.make_url(f"/desk/{path}")) + "#" + fragment


async def shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


async def test_orders_screen_and_confirm_in_french(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team(lang="fr")
    placed = [await place(team.shop, i) for i in range(PAGE + 5)]
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, AGENT_ID, "fr"))
    await expect(page.locator(".order")).to_have_count(PAGE)
    assert await page.evaluate("window.__ready") is True
    assert phone.outside == [] and phone.errors == []
    # First screen: the shell, its CSS and script, the stand-in, /me and the first page.
    assert await phone.transferred() <= FIRST_SCREEN_BUDGET
    assert await page.get_attribute("html", "dir") == "ltr"
    tab = page.locator('.tabs button[aria-selected="true"]')
    assert await tab.inner_text() == "À appeler"
    bg = await page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-button-color')"
    )
    assert bg.strip() == "#3390ec"
    await shot(page, "fr-orders")

    # Infinite scroll: the next cursor page comes when the end of the list shows.
    await page.locator("#more").scroll_into_view_if_needed()
    await expect(page.locator(".order")).to_have_count(PAGE + 5)
    numbers = await page.eval_on_selector_all(".order", "els => els.map(e => +e.dataset.number)")
    assert numbers == [o.number for o in placed]  # oldest first: the calls to make

    # A status tab narrowed by wilaya (every order here is in Alger).
    assert not await page.locator("#filters").is_visible()  # the calls come in their order
    await page.click('.tabs button[data-tab="pending"]')
    await expect(page.locator(".order")).to_have_count(PAGE)
    await page.select_option("#f-wilaya", "31")
    await expect(page.locator("#more")).to_have_text("Aucune commande ici.")
    await expect(page.locator(".order")).to_have_count(0)
    await shot(page, "fr-pending-oran")
    await page.select_option("#f-wilaya", "16")
    await expect(page.locator(".order")).to_have_count(PAGE)

    # Search by number, then open the order and confirm it.
    await page.fill("#q", f"#{placed[3].number}")
    await expect(page.locator(".order")).to_have_count(1)
    await page.click(".order")
    await page.wait_for_selector("#confirm")
    await shot(page, "fr-order")
    await page.click("#confirm")
    await expect(page.locator("#status-badge")).to_have_text("Confirmées")
    order = await Order.get(id=placed[3].id)
    assert (order.status.value, order.call_attempts) == ("confirmed", 1)
    event = await OrderEvent.filter(order_id=order.id, type="status_changed").get()
    assert (event.actor_kind, event.actor_id, event.actor_name) == (
        "agent",
        str(AGENT_ID),
        "Yacine",
    )
    assert await page.evaluate("window.__alerts") == ["C’est fait"]

    # Back to the list, another order: the customer asks to be called back tomorrow at 10.
    await page.click("#back")
    await page.fill("#q", f"#{placed[4].number}")
    await page.click(f'.order[data-number="{placed[4].number}"]')
    await page.select_option("#outcome", "postponed")
    tomorrow = (now().astimezone(ALGIERS) + timedelta(days=1)).date()
    await page.fill("#callback-at", f"{tomorrow.isoformat()}T10:00")
    await page.click("#log-call")
    await expect(page.locator(".timeline li span").first).to_contain_text("Reporté")
    later = await Order.get(id=placed[4].id)
    expected = datetime.combine(tomorrow, time(10, 0), ALGIERS)
    assert (later.status.value, later.callback_at) == ("pending", expected)
    assert phone.errors == [] and phone.outside == []


async def test_order_page_in_arabic_logs_a_call(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team(lang="fr")
    order = await place(team.shop)
    await place(team.shop, 1)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, OWNER_ID, "ar"), "ar-DZ")
    await expect(page.locator(".order")).to_have_count(2)
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.locator('.tabs button[aria-selected="true"]').inner_text() == "للاتصال الآن"
    await shot(page, "ar-orders")
    # A new order shows on the open list without a reload.
    await place(team.shop, 2)
    await expect(page.locator(".order")).to_have_count(3, timeout=12_000)
    await page.click(f'.order[data-number="{order.number}"]')
    await page.click("#claim")  # "I'm calling": the order is the owner's while the call runs
    await expect(page.locator("#release")).to_be_visible()
    claimed = await Order.get(id=order.id)
    assert (claimed.claimed_by_id, claimed.claimed_by_name) == (str(OWNER_ID), "Nadia")
    await shot(page, "ar-order")
    await page.select_option("#outcome", "no_answer")
    await page.click("#log-call")
    await expect(page.locator(".timeline li span").first).to_contain_text("لا يجيب")
    fresh = await Order.get(id=order.id)
    assert (fresh.status.value, fresh.call_attempts, fresh.last_call_outcome) == (
        "pending",
        1,
        "no_answer",
    )
    event = await OrderEvent.filter(order_id=order.id, type="call_logged").get()
    assert (event.actor_kind, event.actor_id) == ("owner", str(OWNER_ID))
    # The figures, with money for the owner, and a bar per status.
    await page.evaluate("window.__pressBack()")
    await page.click("#stats")
    await expect(page.locator("#chart .bar-row")).to_have_count(7)
    await expect(page.locator("#money")).to_be_visible()
    await expect(page.locator(".grid")).to_contain_text("الطلبات المسجلة")
    await shot(page, "ar-figures")
    # The stock, adjusted in place by the owner.
    await page.click("#stock")
    variant = team.shop.variants[0]
    row = page.locator(f'.variant[data-variant="{variant.id}"]')
    await row.locator('button[data-delta="1"]').click()
    await expect(row.locator(".count")).to_have_text("11")
    assert (await Variant.get(id=variant.id)).stock == 11
    await shot(page, "ar-stock")
    # Telegram's back button returns to the list.
    await page.evaluate("window.__pressBack()")
    await page.wait_for_selector(".tabs")
    await shot(page, "ar-order-after-call")
    assert phone.errors == [] and phone.outside == []


async def test_an_open_order_page_follows_changes_made_elsewhere(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team(lang="fr")
    order = await place(team.shop)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, AGENT_ID, "fr", f"shop/{order.number}"))
    await expect(page.locator("#status-badge")).to_have_text("En attente")
    # The owner confirms from a Telegram card meanwhile: the same use case, elsewhere.
    owner = Actor("owner", str(OWNER_ID), "Nadia")
    await log_call(team.shop.store, order.number, "confirmed", owner)
    await expect(page.locator("#status-badge")).to_have_text("Confirmées", timeout=10_000)
    await expect(page.locator(".timeline")).to_contain_text("Nadia")
    assert await page.locator("#confirm").count() == 0  # no longer offered
    assert phone.errors == [] and phone.outside == []


async def test_the_calling_queue_goes_from_one_call_to_the_next(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team(lang="fr")
    first, second = await place(team.shop, 1), await place(team.shop, 2)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, AGENT_ID, "fr"))
    await expect(page.locator(".order")).to_have_count(2)
    await page.click("#next-call")
    await expect(page.locator("#title")).to_have_text(f"#{first.number}")
    await expect(page.locator("#release")).to_be_visible()  # claimed for me
    await shot(page, "fr-queue")
    await page.select_option("#outcome", "busy")
    await page.click("#log-call")
    await expect(page.locator("#title")).to_have_text(f"#{second.number}")
    called, next_up = await Order.get(id=first.id), await Order.get(id=second.id)
    assert (called.call_attempts, called.last_call_outcome, called.claimed_by_id) == (1, "busy", "")
    assert next_up.claimed_by_id == str(AGENT_ID)
    assert phone.errors == [] and phone.outside == []


async def test_a_stranger_sees_the_refusal_in_three_languages(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team()
    await place(team.shop)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, 9009, "fr"))
    await expect(page.locator("#status")).to_contain_text("Only the store")
    text = await page.inner_text("#status")
    assert "المكتب لفريق المتجر فقط" in text and "réservé" in text
    assert await page.locator(".order").count() == 0
