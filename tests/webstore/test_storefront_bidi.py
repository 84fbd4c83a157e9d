"""Arabic pages show the merchant's Latin text in its own direction: a product name, a
description or a variant keeps its words in order, a price stays beside its currency and a
quantity is not pulled into a product name."""

from __future__ import annotations

import re

from tests.factories import Shop
from tests.webstore.test_storefront import PRODUCT, Client, client, fetch, quick_order, shop

__all__ = ["client", "shop"]  # fixtures


async def test_merchant_text_keeps_its_own_direction(client: Client, shop: Shop) -> None:
    _, home = await fetch(client, "/shop/?lang=ar")
    _, product = await fetch(client, f"{PRODUCT}?lang=ar")
    assert '<span class="name" dir="auto">Robe kabyle</span>' in home
    assert '<h1 dir="auto">Robe kabyle</h1>' in product
    # An <option> holds text only: the label and the price are isolated (FSI … PDI).
    options = re.findall(r"<option [^>]*data-price[^>]*>([^<]*)</option>", product)
    assert options and all(o.count("&#x2068;") == 2 == o.count("&#x2069;") for o in options)
    assert "&#x2068;Taille: M&#x2069; · &#x2068;4\u202f500\u00a0د.ج&#x2069;" in options[0]


async def test_a_product_without_a_photo_shows_no_letter_tile(client: Client, shop: Shop) -> None:
    _, product = await fetch(client, f"{PRODUCT}?lang=ar")
    _, home = await fetch(client, "/shop/?lang=ar")
    assert "photo placeholder" not in product  # no tile filling the first screen
    assert '<span class="photo placeholder" aria-hidden="true"></span>' in home  # no "R"


async def test_the_thank_you_lines_isolate_the_product_name(client: Client, shop: Shop) -> None:
    placed = await quick_order(client, shop, quantity="2")
    assert placed.status == 303, await placed.text()
    await fetch(client, f"{PRODUCT}?lang=ar")  # the language sticks to the visitor
    _, thanks = await fetch(client, placed.headers["Location"])
    assert '<span class="qty">2 ×</span> <bdi>Robe kabyle</bdi>' in thanks
    assert "<small><bdi>Taille: M</bdi></small>" in thanks
