"""The storefront in Chromium with its back/forward cache on (Playwright turns it off by
default): "back" restores a page at once, and a page restored after the cart changed is
loaded again, so it never shows an older cart. The inline stylesheet of a first visit is
allowed by the page's policy (a refusal is a console error)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.factories import make_shop
from tests.webstore.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, server

__all__ = ["server"]  # fixture

pytestmark = pytest.mark.browser


@pytest.fixture
async def bfcache_browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is required for the storefront tests and is missing: {CHROMIUM}")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--disable-back-forward-cache"],
        )
        yield chromium
        await chromium.close()


async def restored(page: Any) -> bool:
    """Whether the page now shown came out of the back/forward cache (its script's state
    survived: a page loaded again starts without the mark)."""
    return bool(await page.evaluate("window.__mark === 1"))


async def test_back_restores_pages_and_never_an_older_cart(
    server: Any, bfcache_browser: Any, db: str
) -> None:
    await make_shop()
    context = await bfcache_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    await page.goto(str(server.make_url("/shop/")))
    # Styled by the inline stylesheet (a first visit): the header bar is a flex row.
    assert await page.evaluate("getComputedStyle(document.querySelector('.bar')).display") == "flex"
    await page.evaluate("window.__mark = 1")
    await page.click("a[href='/shop/p/robe-kabyle']")
    await page.wait_for_selector("form.order")
    await page.evaluate("window.__mark = 1")
    await page.go_back(wait_until="commit")
    await page.wait_for_selector(".grid")
    assert await restored(page), "the home page was loaded again, not restored"
    await page.go_forward(wait_until="commit")
    await page.wait_for_selector("form.order")
    assert await restored(page)
    assert await page.inner_text(".count") == "0"
    await page.click("button[value=add]")
    await page.wait_for_selector(".lines")
    assert await page.inner_text(".count") == "1"
    # The product page, drawn with an empty cart: loaded again.
    await page.go_back(wait_until="commit")
    await page.wait_for_selector("form.order")
    await page.wait_for_function("document.querySelector('.count').textContent === '1'")
    assert not await restored(page)
    assert errors == []
