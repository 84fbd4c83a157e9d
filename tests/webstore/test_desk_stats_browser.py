"""The figures screen in headless Chromium at a phone's size, in Arabic, French and English:
the period tabs, chosen dates, and the server's charts (SVG) adopted into the page and
painted in Telegram's theme colours. Screenshots go to var/test-artefacts/desk/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer
from playwright.async_api import expect

from models.infra.clock import now
from models.orders.stats import ALGIERS
from tests.webstore.desk_support import AGENT_ID, OWNER_ID, make_team
from tests.webstore.test_browser import browser  # noqa: F401  (the Chromium fixture)
from tests.webstore.test_desk_browser import Telegram, launch_url, server, shot  # noqa: F401
from tests.webstore.test_desk_stats import _week

pytestmark = pytest.mark.browser

TITLES = {
    "ar": ("الطلبات حسب اليوم", "rtl"),
    "fr": ("Commandes par jour", "ltr"),
    "en": ("Orders per day", "ltr"),
}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
async def test_the_figures_screen_draws_its_charts(
    server: BaseTestServer,  # noqa: F811
    browser: Any,  # noqa: F811
    lang: str,
) -> None:
    team = await make_team(lang="fr")
    await _week(team)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, OWNER_ID, lang), f"{lang}-DZ")
    await page.click("#stats")
    await page.click('.tabs button[data-period="week"]')
    days = page.locator("#chart-days svg.chart")
    await expect(days.locator("rect.c-orders")).to_have_count(7)  # a bar a day: the week's
    title, direction = TITLES[lang]
    await expect(page.locator("#chart-days h3")).to_have_text(title)
    assert await page.get_attribute("html", "dir") == direction
    assert await days.locator("polyline.c-confirm, circle.c-confirm").count() >= 1
    # Painted by the page's CSS in the theme's colours (the SVG has none of its own).
    fill = await days.locator("rect.c-orders").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(51, 144, 236)"  # the theme's button_color, #3390ec
    await expect(page.locator("#chart-people .c-label")).to_have_count(2)
    await expect(page.locator("#chart-wilayas .c-label")).to_have_count(2)
    await page.locator("#chart-days").scroll_into_view_if_needed()
    await shot(page, f"{lang}-stats-week")
    await page.locator("#chart-wilayas").scroll_into_view_if_needed()
    await shot(page, f"{lang}-stats-rows")
    assert phone.errors == [] and phone.outside == []


async def test_chosen_dates_narrow_the_charts(
    server: BaseTestServer,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    team = await make_team(lang="fr")
    await _week(team)
    phone = Telegram()
    page = await phone.open(browser, launch_url(server, AGENT_ID, "fr"))
    await page.click("#stats")
    await page.click('.tabs button[data-period="custom"]')
    day = (now().astimezone(ALGIERS) - timedelta(days=2)).date().isoformat()
    await page.fill("#f-from", day)
    await page.fill("#f-to", day)
    await page.click("#f-show")
    await expect(page.locator('.tabs button[aria-selected="true"]')).to_have_text("Période")
    await expect(page.locator("#chart-days rect.c-orders")).to_have_count(1)
    await expect(page.locator(".grid")).to_contain_text("100 %")  # delivered, of one shipped
    # An agent reads their own row only, and no money.
    await expect(page.locator("#chart-people .c-label")).to_have_text(["Yacine"])
    assert await page.locator("#money").count() == 0
    await shot(page, "fr-stats-dates")
    assert phone.errors == [] and phone.outside == []
