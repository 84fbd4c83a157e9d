"""Storefront pages over real HTTP: languages, money, catalogue, cart, custom domains, 404s.

The fixtures and helpers here are shared with test_storefront_checkout and test_browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from models.catalog import products
from models.orders.tables import Order
from models.stores.tables import Store
from tests.factories import Shop, make_shop
from webstore import shelf
from webstore.app import create_app
from webstore.config import WebConfig

PRODUCT = "/shop/p/robe-kabyle"
CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
Client = TestClient[Any, Any]


def plain(page: str) -> str:
    """Page text unescaped, with the no-break spaces of money and French punctuation made
    plain spaces."""
    return html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
async def shop(db: str) -> Shop:
    return await make_shop()


@pytest.fixture
async def client(db: str) -> AsyncIterator[Client]:
    async with TestClient(
        TestServer(create_app(WebConfig(secret_key="test")), host="127.0.0.1")
    ) as web_client:
        yield web_client


async def fetch(client: Client, path: str, **kwargs: Any) -> tuple[int, str]:
    response = await client.get(path, allow_redirects=False, **kwargs)
    return response.status, await response.text()


async def csrf_of(client: Client, path: str = PRODUCT) -> str:
    status, html = await fetch(client, path)
    assert status == 200, html
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the form"
    return match.group(1)


def order_fields(shop: Shop, token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "csrf_token": token,
        "variant_id": str(shop.variants[0].id),
        "quantity": "1",
        "name": "Amina Benali",
        "phone": "0550 12 34 56",
        "wilaya": "16",
        "commune": "1601",
        "address": "12 rue Didouche Mourad",
        "delivery_type": "home",
        "note": "",
    }
    return fields | overrides


async def quick_order(client: Client, shop: Shop, **overrides: str) -> ClientResponse:
    token = await csrf_of(client)
    return await client.post(
        PRODUCT, data=order_fields(shop, token, **overrides), allow_redirects=False
    )


# --- languages and money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "direction", "cart_word", "price"),
    [
        ("ar", "rtl", "السلة", "4 500 د.ج"),
        ("fr", "ltr", "Panier", "4 500 DA"),
        ("en", "ltr", "Cart", "4 500 DA"),
    ],
)
async def test_home_in_each_language(
    client: Client, shop: Shop, lang: str, direction: str, cart_word: str, price: str
) -> None:
    status, html = await fetch(client, f"/shop/?lang={lang}")
    assert status == 200
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert cart_word in html
    assert "Robe kabyle" in plain(html)
    assert price in plain(html)


async def test_product_page_in_each_language(client: Client, shop: Shop) -> None:
    _, arabic = await fetch(client, f"{PRODUCT}?lang=ar")
    _, french = await fetch(client, f"{PRODUCT}?lang=fr")
    _, english = await fetch(client, f"{PRODUCT}?lang=en")
    assert "اطلب الآن" in arabic and "16 - الجزائر" in arabic
    assert "Commander maintenant" in french and "16 - Alger" in french
    assert "Order now" in english and "16 - Alger" in english


async def test_money_groups_thousands_with_a_narrow_no_break_space(
    client: Client, shop: Shop
) -> None:
    await products.add_product(shop.store, "Caftan brodé", 1_234_567)
    _, html = await fetch(client, "/shop/?lang=ar")
    # U+202F keeps "1 234 567" one number inside Arabic text; a plain space would not.
    assert "1\u202f234\u202f567\u00a0د.ج" in html


async def test_language_choice_is_remembered_and_store_language_is_the_default(
    client: Client, db: str
) -> None:
    await make_shop("souk", lang="ar")
    _, html = await fetch(client, "/souk/")
    assert 'dir="rtl"' in html
    await fetch(client, "/souk/?lang=en")
    _, html = await fetch(client, "/souk/")
    assert '<html lang="en" dir="ltr">' in html
    _, html = await fetch(client, "/souk/?lang=xx")
    assert '<html lang="en"' in html


# --- catalogue pages ---------------------------------------------------------------------


async def test_product_page_has_the_contract_fields_and_served_wilayas(
    client: Client, shop: Shop
) -> None:
    _, html = await fetch(client, PRODUCT)
    for name in (
        "name",
        "phone",
        "wilaya",
        "commune",
        "address",
        "delivery_type",
        "note",
        "csrf_token",
        "variant_id",
        "quantity",
    ):
        assert f'name="{name}"' in html, name
    assert ">16 - Alger<" in html and ">31 - Oran<" in html
    assert "01 - Adrar" not in html  # no fee row: not served
    assert "Taille: M" in html and "Taille: L" in plain(html)


async def test_photo_is_shown_when_it_is_an_address_else_a_placeholder(
    client: Client, shop: Shop
) -> None:
    await products.add_product(shop.store, "Sac", 900, photo="https://img.example/sac.jpg")
    await products.add_product(shop.store, "Châle", 700, photo="AgACAgQAAxkBAAIB")  # Telegram id
    _, html = await fetch(client, "/shop/")
    assert '<img class="photo" src="https://img.example/sac.jpg"' in html
    assert html.count('class="photo placeholder"') == 2  # the robe and the shawl
    assert "AgACAgQAAxkBAAIB" not in html


async def test_unknown_store_product_and_page_are_404_pages(client: Client, shop: Shop) -> None:
    for path in ("/nope/", "/shop/p/nope", "/shop/nope", "/Shop/", "/shop/communes/99.json"):
        status, html = await fetch(client, path)
        assert status == 404, path
        assert "<html" in html and "Page introuvable" in html, path


ODD_ADDRESSES = [
    "/shop/p/%00",
    "/shop/p/robe%00kabyle",
    "/shop/p/%FF%FE",
    "/shop/p/robe-kabyl%C3%A9",
    "/shop/p/Robe-Kabyle",
    "/shop/p/" + "a" * 81,
    "/shop/merci/1001%00/0123456789abcdef01234567",
    "/shop/merci/%D9%A1%D9%A0%D9%A0%D9%A1/0123456789abcdef01234567",  # Arabic-Indic digits
    "/shop/merci/1001/0123456789abcdef0123456%00",
    "/shop/communes/1%00.json",
    "/shop/communes/%D9%A1%D9%A6.json",
    "/sh%00op/",
    "/%00/p/robe-kabyle",
    "/shop-/p/robe-kabyle",
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ODD_ADDRESSES)
async def test_odd_bytes_in_an_address_are_a_404_page_before_any_product_query(
    client: Client, shop: Shop, monkeypatch: pytest.MonkeyPatch, method: str, path: str
) -> None:
    looked_up: list[str] = []
    store_item = shelf.store_item

    async def spy(store: Store, slug: str) -> shelf.Item | None:
        looked_up.append(slug)
        return await store_item(store, slug)

    monkeypatch.setattr(shelf, "store_item", spy)
    response = await client.request(method, path, allow_redirects=False)
    assert response.status == 404, path
    assert "Page introuvable" in await response.text()
    assert looked_up == []


async def test_product_lookup_refuses_what_cannot_be_a_slug(shop: Shop) -> None:
    # On PostgreSQL a NUL byte in a query parameter is an error, not a miss.
    for slug in ("robe\x00kabyle", "\x00", "robe-kabylé", "ROBE-KABYLE", "", "a" * 81):
        assert await shelf.store_item(shop.store, slug) is None, slug
    assert await shelf.store_item(shop.store, "robe-kabyle") is not None


async def test_unknown_store_answers_in_the_browser_language(client: Client, db: str) -> None:
    status, page = await fetch(client, "/nope/", headers={"Accept-Language": "ar-DZ,fr;q=0.8"})
    assert status == 404
    assert 'dir="rtl"' in page and "الصفحة غير موجودة" in page


async def test_a_failure_is_a_500_page_in_the_visitor_language(
    client: Client, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(store: Store) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(shelf, "store_items", broken)
    status, page = await fetch(client, "/shop/?lang=en")
    assert status == 500
    assert "Something went wrong" in page and "Boutique shop" in page
    assert "database went away" not in page


async def test_store_address_without_slash_redirects(client: Client, shop: Shop) -> None:
    response = await client.get("/shop?lang=ar", allow_redirects=False)
    assert response.status == 308
    assert response.headers["Location"] == "/shop/?lang=ar"


async def test_communes_json_lists_the_wilaya_in_the_asked_language(
    client: Client, shop: Shop
) -> None:
    response = await client.get("/shop/communes/16.json?lang=ar")
    rows = await response.json()
    assert {"code": "1601", "name": "الجزائر الوسطى"} in rows
    assert all(row["code"].startswith("16") for row in rows)


async def test_custom_domain_serves_the_same_pages_at_the_root(client: Client, shop: Shop) -> None:
    await Store.filter(id=shop.store.id).update(custom_domain="robes.example.dz")
    host = {"Host": "robes.example.dz"}
    status, html = await fetch(client, "/", headers=host)
    assert status == 200 and "Boutique shop" in html
    assert 'href="/p/robe-kabyle"' in html
    token = CSRF_RE.search((await fetch(client, "/p/robe-kabyle", headers=host))[1])
    assert token
    response = await client.post(
        "/p/robe-kabyle",
        data=order_fields(shop, token.group(1)),
        headers=host,
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"].startswith("/merci/1001/")
    status, html = await fetch(client, response.headers["Location"], headers=host)
    assert status == 200 and "1001" in html
    assert (await fetch(client, "/", headers={"Host": "other.example.dz"}))[0] == 404


async def test_thank_you_page_needs_the_order_token(client: Client, shop: Shop) -> None:
    first = (await quick_order(client, shop)).headers["Location"]
    await quick_order(client, shop, phone="0661 00 00 01")
    assert first.startswith("/shop/merci/1001/")
    assert (await fetch(client, first))[0] == 200
    assert (await fetch(client, first.replace("/1001/", "/1002/")))[0] == 404
    assert (await fetch(client, "/shop/merci/1002/0123456789abcdef01234567"))[0] == 404


# --- cart --------------------------------------------------------------------------------


async def cart_post(client: Client, shop: Shop, **fields: str) -> ClientResponse:
    token = await csrf_of(client)  # one token per visitor, valid on every form
    return await client.post(
        "/shop/panier", data={"csrf_token": token, **fields}, allow_redirects=False
    )


async def test_cart_add_update_remove_and_checkout(client: Client, shop: Shop) -> None:
    medium, large = (str(v.id) for v in shop.variants)
    assert (
        await cart_post(client, shop, action="add", variant_id=medium, quantity="2")
    ).status == 303
    await cart_post(client, shop, action="add", variant_id=large, quantity="1")
    _, html = await fetch(client, "/shop/panier")
    assert "13 800 DA" in plain(html)  # 2 × 4 500 + 4 800
    await cart_post(client, shop, action="set", variant_id=medium, quantity="3")
    await cart_post(client, shop, action="remove", variant_id=large)
    _, html = await fetch(client, "/shop/panier")
    assert "13 500 DA" in plain(html) and "Taille: L" not in html
    token = await csrf_of(client, "/shop/commande")
    fields = order_fields(shop, token)
    del fields["variant_id"], fields["quantity"]
    response = await client.post("/shop/commande", data=fields, allow_redirects=False)
    assert response.status == 303 and "/shop/merci/1001/" in response.headers["Location"]
    order = await Order.get(number=1001)
    lines = await order.lines.all()
    assert [(line.variant_id, line.quantity) for line in lines] == [(int(medium), 3)]
    assert order.total == 13_500 + 400
    _, html = await fetch(client, "/shop/panier")
    assert "Votre panier est vide." in html


async def test_cart_refuses_bad_lines_and_keeps_its_content(client: Client, shop: Shop) -> None:
    variant = str(shop.variants[0].id)
    await cart_post(client, shop, action="add", variant_id=variant, quantity="1")
    for quantity, message in (
        ("0", "Choisissez une quantité de 1 à 99."),
        ("1000000000", "Choisissez une quantité de 1 à 99."),
    ):
        response = await cart_post(
            client, shop, action="add", variant_id=variant, quantity=quantity
        )
        assert response.status == 422 and message in await response.text()
    response = await cart_post(client, shop, action="add", variant_id="999999", quantity="1")
    assert response.status == 422
    assert "Veuillez choisir une option disponible" in await response.text()
    _, html = await fetch(client, "/shop/panier")
    assert 'class="count">1<' in html


async def test_a_tampered_cart_cookie_is_an_empty_cart(client: Client, shop: Shop) -> None:
    variant = shop.variants[0].id
    client.session.cookie_jar.update_cookies({"cart": f"{variant}x5.forged"})
    _, html = await fetch(client, "/shop/panier")
    assert "Votre panier est vide." in html
    response = await client.get("/shop/commande", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/shop/panier"
    client.session.cookie_jar.update_cookies({"cart": f"{variant}x5.signé"})
    status, html = await fetch(client, "/shop/panier")
    assert status == 200 and "Votre panier est vide." in html


# --- behind a proxy ----------------------------------------------------------------------


def proxied_client(trust: bool, **options: Any) -> Client:
    config = WebConfig(secret_key="test", trust_forwarded=trust, **options)
    return TestClient(TestServer(create_app(config), host="127.0.0.1"))


@pytest.mark.parametrize(
    ("trust", "proto", "secure"),
    [
        (True, "https", True),
        (True, "http, https", True),  # the last proxy, ours, saw https
        (True, "http", False),
        (True, None, False),
        (False, "https", False),  # anyone can send the header when no proxy of ours is in front
    ],
)
async def test_cookies_are_secure_when_our_proxy_says_https(
    shop: Shop, trust: bool, proto: str | None, secure: bool
) -> None:
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    async with proxied_client(trust) as proxied:
        response = await proxied.get(f"{PRODUCT}?lang=ar", headers=headers)
        assert response.status == 200
        token = CSRF_RE.search(await response.text())
        assert token
        # The test client keeps Secure cookies to itself over plain HTTP: send the visitor's.
        visitor = {"Cookie": f"hv={response.cookies['hv'].value}"}
        ordered = await proxied.post(
            PRODUCT,
            data=order_fields(shop, token.group(1)),
            headers=headers | visitor,
            allow_redirects=False,
        )
        assert ordered.status == 303
    for cookie in (response.cookies["hv"], response.cookies["lang"], ordered.cookies["placed"]):
        assert bool(cookie["secure"]) is secure, cookie.key


async def forwarded_order(proxied: Client, shop: Shop, phone: str, address: str) -> int:
    token = await csrf_of(proxied)
    response = await proxied.post(
        PRODUCT,
        data=order_fields(shop, token, phone=phone),
        headers={"X-Forwarded-For": f"10.9.9.9, {address}"},
        allow_redirects=False,
    )
    return response.status


async def test_behind_our_proxy_the_forwarded_address_is_the_client(shop: Shop) -> None:
    async with proxied_client(True, checkout_ip_limit=1) as proxied:
        assert await forwarded_order(proxied, shop, "0661 00 00 01", "198.51.100.7") == 303
        assert await forwarded_order(proxied, shop, "0661 00 00 02", "198.51.100.8") == 303
        assert await forwarded_order(proxied, shop, "0661 00 00 03", "198.51.100.7") == 429
    orders = await Order.all().order_by("number")
    assert [o.client_ip for o in orders] == ["198.51.100.7", "198.51.100.8"]


async def test_without_a_proxy_the_forwarded_address_is_ignored(shop: Shop) -> None:
    async with proxied_client(False, checkout_ip_limit=1) as direct:
        assert await forwarded_order(direct, shop, "0661 00 00 01", "198.51.100.7") == 303
        assert await forwarded_order(direct, shop, "0661 00 00 02", "198.51.100.8") == 429
    assert [o.client_ip for o in await Order.all()] == ["127.0.0.1"]
