"""The orders screen's filters in headless Chromium at a phone's size: courier, who
confirmed or calls, and the customer's mark beside wilaya and day, in French and Arabic.
Screenshots go to var/test-artefacts/desk/."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer
from playwright.async_api import expect

from models.calls import outcomes
from models.orders.tables import Order
from models.orders.timeline import Actor
from tests.webstore.api_support import place
from tests.webstore.desk_support import AGENT_ID, OWNER_ID, make_team
from tests.webstore.test_browser import browser  # noqa: F401  (the Chromium fixture)
from tests.webstore.test_desk_browser import Telegram, launch_url, server, shot  # noqa: F401

pytestmark = pytest.mark.browser

YACINE = Actor("agent", str(AGENT_ID), "Yacine")


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_filters_by_courier_agent_and_mark(
    server: BaseTestServer,  # noqa: F811
    browser: Any,  # noqa: F811
    lang: str,
) -> None:
    team = await make_team(lang="fr")
    store = team.shop.store
    a, b, c = [await place(team.shop, i) for i in range(3)]
    for order in (a, b, c):
        await outcomes.log_call(store, order.number, "confirmed", YACINE)
    await Order.filter(id=a.id).update(courier="yalidine")
    returned = await place(team.shop, 9)
    await Order.filter(id=returned.id).update(status="returned", phone=b.phone)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, OWNER_ID, lang), f"{lang}-DZ")
    await page.click('.tabs button[data-tab="confirmed"]')
    await expect(page.locator(".order")).to_have_count(3)
    await page.select_option("#f-courier", "yalidine")
    await expect(page.locator(".order")).to_have_count(1)
    await page.select_option("#f-courier", "")
    await page.select_option("#f-agent", str(AGENT_ID))
    await expect(page.locator(".order")).to_have_count(3)
    await page.select_option("#f-risk", "risky")  # b's phone came back once
    await expect(page.locator(".order")).to_have_count(1)
    await expect(page.locator(".order")).to_have_attribute("data-number", str(b.number))
    await shot(page, f"{lang}-orders-filtered")
    await page.select_option("#f-agent", str(OWNER_ID))  # Nadia confirmed none
    await expect(page.locator("#more")).not_to_be_empty()
    await expect(page.locator(".order")).to_have_count(0)
    assert phone.errors == [] and phone.outside == []
