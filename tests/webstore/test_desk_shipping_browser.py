"""The Shipping screen in headless Chromium at a phone's size, as Telegram opens it (the
stand-in of webstore.test_desk_browser), against the fake Yalidine: select all, dispatch
eleven orders in one press (a stop-desk one with its desk), the parcels followed until
created, the labels' PDF opened through its link and read back (pypdf); a refusal listed
in Arabic while the other order ships; the owner's label format; the pick list in English.
Screenshots and the PDFs go to var/test-artefacts/desk/ (look at them)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer, TestServer
from playwright.async_api import expect
from pypdf import PdfReader

from models.catalog.tables import Variant
from models.orders.tables import Order, OrderEvent
from models.shipping.tables import Shipment
from models.stores.tables import Store
from shipping.service import CourierDispatch
from tests.couriers.fake_yalidine import FakeYalidine
from tests.shipping.support import (
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    sealer,
)
from tests.webstore.api_support import phone
from tests.webstore.desk_support import AGENT_ID, BOT_TOKEN, OWNER_ID, make_team
from tests.webstore.test_browser import browser  # noqa: F401  (the Chromium fixture)
from tests.webstore.test_desk_browser import ARTEFACTS, Telegram, launch_url, shot
from tests.webstore.test_desk_shipping import create_parcels, routes  # noqa: F401
from webstore.app import create_app
from webstore.config import WebConfig

pytestmark = pytest.mark.browser


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def server(db: str, yalidine: FakeYalidine) -> AsyncIterator[BaseTestServer]:
    config = WebConfig(
        secret_key="test",
        telegram_bot_token=BOT_TOKEN,
        dispatcher=CourierDispatch(sealer(), FakeBuilder(yalidine)),
    )
    async with TestServer(create_app(config), host="127.0.0.1") as srv:
        yield srv


async def stocked_team(lang: str, yalidine: FakeYalidine, orders: int) -> Any:
    team = await make_team(lang=lang)
    await Variant.filter(product__store_id=team.shop.store.id).update(stock=1000)
    for i in range(orders):
        await confirmed_order(team.shop, phone=phone(i))
    await account(team.shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    return team


async def until(page: Any, expression: str) -> None:
    """Wait for `expression` to hold in the page (wait_for_function evaluates strings,
    which the desk's Content-Security-Policy refuses)."""
    for _ in range(100):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{expression} never held")


async def opened_pdf(page: Any, name: str) -> PdfReader:
    """The PDF the page asked Telegram to open, fetched as the phone's browser would."""
    await until(page, "window.__opened.length")
    url = await page.evaluate("window.__opened[window.__opened.length - 1]")
    await page.evaluate("window.__opened = []")
    resp = await page.request.get(url)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    body = await resp.body()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / name).write_bytes(body)
    return PdfReader(io.BytesIO(body))


async def test_eleven_orders_ship_in_one_press_and_print_in_french(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
    yalidine: FakeYalidine,
) -> None:
    team = await stocked_team("fr", yalidine, 10)
    desk = await confirmed_order(team.shop, phone=phone(40), delivery_type="desk")
    phone_ = Telegram()
    page = await phone_.open(browser, launch_url(server, AGENT_ID, "fr"))
    await page.click("#shipping")
    await expect(page.locator("#ship-orders li")).to_have_count(11)
    await expect(page.locator("#ship-account option")).to_have_text(["yalidine (par défaut)"])
    await page.click("#ship-all")
    await expect(page.locator("#ship-count")).to_have_text("11 sélectionnées")
    row = page.locator(f'#ship-orders li[data-number="{desk.number}"]')
    await expect(row.locator(".desk-pick option")).not_to_have_count(0)
    await row.locator(".desk-pick").select_option(index=1)
    await shot(page, "fr-shipping")

    await page.click("#ship-dispatch")
    await expect(page.locator("#ship-results li")).to_have_count(11)
    await expect(page.locator("#ship-summary")).to_have_text("Expédiées : 11 sur 11")
    await create_parcels(yalidine)  # the worker's relay meanwhile
    await expect(page.locator("#ship-labels")).to_have_text("🖨 Imprimer les étiquettes (11)")
    await expect(page.locator("#ship-results .o-created")).to_have_count(11)
    await shot(page, "fr-shipping-done")
    assert len(yalidine.parcels) == 11
    events = await OrderEvent.filter(type="dispatch_requested").values_list("actor_id", flat=True)
    assert set(events) == {str(AGENT_ID)} and len(events) == 11

    await page.click("#ship-labels")
    pdf = await opened_pdf(page, "fr-labels-a4.pdf")
    assert len(pdf.pages) == 3  # 11 labels, 4 to a sheet
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert all(tracking in text for tracking in yalidine.parcels)
    await page.click("#ship-pick")
    picks = await opened_pdf(page, "fr-pick-list.pdf")
    assert "Robe kabyle" in picks.pages[0].extract_text()
    # A second look at the screen: nothing left to ship, no second parcel.
    await page.click("#ship-again")
    await expect(page.locator("#app .note")).to_have_text(
        "Aucune commande confirmée n’attend de transporteur."
    )
    assert await Shipment.all().count() == 11
    assert phone_.errors == [] and phone_.outside == []


async def test_a_refusal_is_listed_in_arabic_and_the_owner_sets_thermal_labels(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
    yalidine: FakeYalidine,
) -> None:
    team = await stocked_team("ar", yalidine, 1)
    desk = await confirmed_order(
        team.shop, phone=phone(41), delivery_type="desk", name="سارة بن علي"
    )
    phone_ = Telegram()
    page = await phone_.open(browser, launch_url(server, OWNER_ID, "ar"), "ar-DZ")
    await page.click("#shipping")
    await expect(page.locator("#ship-orders li")).to_have_count(2)
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.select_option("#ship-format-pick", "thermal")
    await expect(page.locator("#ship-format-pick")).to_have_value("thermal")
    await until(page, "window.__alerts.length")
    assert (await Store.get(id=team.shop.store.id)).label_format == "thermal"
    await page.click("#ship-all")
    row = page.locator(f'#ship-orders li[data-number="{desk.number}"]')
    await expect(row.locator(".desk-pick")).to_be_visible()
    await row.locator(".desk-pick").select_option("")  # no desk chosen: refused
    await shot(page, "ar-shipping")
    await page.click("#ship-dispatch")
    failed = page.locator("#ship-results .o-failed")
    await expect(failed).to_have_count(1)
    await expect(failed).to_contain_text("اختر مكتب التوصيل لهذا الطلب.")
    await create_parcels(yalidine)
    await expect(page.locator("#ship-results .o-created")).to_have_count(1)
    await shot(page, "ar-shipping-done")
    await page.click("#ship-labels")
    pdf = await opened_pdf(page, "ar-labels-thermal.pdf")
    assert len(pdf.pages) == 1
    assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == 100
    assert (await Order.get(id=desk.id)).status.value == "confirmed"
    assert phone_.errors == [] and phone_.outside == []


async def test_an_agent_sees_the_screen_in_english_without_the_format_choice(
    server: BaseTestServer,
    browser: Any,  # noqa: F811
    yalidine: FakeYalidine,
) -> None:
    await stocked_team("fr", yalidine, 3)
    phone_ = Telegram()
    page = await phone_.open(browser, launch_url(server, AGENT_ID, "en"), "en-GB")
    await page.click("#shipping")
    await expect(page.locator("#ship-orders li")).to_have_count(3)
    await expect(page.locator("#ship-format")).to_contain_text("A4 sheets, 4 labels each")
    assert await page.locator("#ship-format-pick").count() == 0
    await expect(page.locator("#ship-dispatch")).to_be_disabled()
    await page.locator("#ship-orders input").first.check()
    await expect(page.locator("#ship-count")).to_have_text("1 selected")
    await shot(page, "en-shipping")
    await page.click("#ship-pick")
    picks = await opened_pdf(page, "en-pick-list.pdf")
    text = picks.pages[0].extract_text()
    assert "Pick list" in text and "1 orders" in text
    assert await Shipment.all().count() == 0  # printing a pick list ships nothing
    assert phone_.errors == [] and phone_.outside == []
