"""Ordering from the storefront: the happy path and its records, every refusal a customer
or a bot can meet (each a 4xx page with its message, nothing created), and the no-JS path."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from models.customers.tables import Customer
from models.orders.tables import Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from tests.factories import Shop
from tests.webstore.test_storefront import (
    PRODUCT,
    Client,
    client,
    csrf_of,
    fetch,
    order_fields,
    plain,
    quick_order,
    shop,
)
from webstore.app import create_app
from webstore.config import WebConfig
from webstore.security import placed_cookie

__all__ = ["client", "shop"]  # fixtures


async def test_quick_order_lands_on_the_thank_you_page_with_its_records(
    client: Client, shop: Shop
) -> None:
    response = await quick_order(client, shop, quantity="2", note="Appeler après 18h")
    assert response.status == 303
    location = response.headers["Location"]
    assert location.startswith("/shop/merci/1001/")
    status, html = await fetch(client, location)
    assert status == 200 and "data-order-number>1001<" in html
    assert "9 400 DA" in plain(html)  # 2 × 4 500 + 400 home delivery to Alger
    order = await Order.get(store_id=shop.store.id, number=1001)
    assert (order.phone, order.wilaya_code, order.commune_code) == ("+213550123456", 16, "1601")
    assert (order.status, order.total, order.note) == ("pending", 9_400, "Appeler après 18h")
    assert [(ln.variant_id, ln.quantity) for ln in await order.lines.all()] == [
        (shop.variants[0].id, 2)
    ]
    event = await OrderEvent.get(order_id=order.id)
    assert (event.type, event.actor_kind, event.actor_name) == (
        "created",
        "customer",
        "Amina Benali",
    )
    assert await OutboxMessage.filter(topic="order.created", store_id=shop.store.id).exists()


async def test_arabic_order_with_arabic_digits_and_stop_desk(client: Client, shop: Shop) -> None:
    await fetch(client, f"{PRODUCT}?lang=ar")
    response = await quick_order(client, shop, phone="٠٥٥٠ ١٢ ٣٤ ٥٦", delivery_type="desk")
    assert response.status == 303
    _, html = await fetch(client, response.headers["Location"])
    assert 'dir="rtl"' in html and "4 750 د.ج" in plain(html)
    order = await Order.get(number=1001)
    assert (order.phone, order.delivery_type, order.delivery_fee) == ("+213550123456", "desk", 250)


BAD_INPUT = [
    ({"address": "x" * 100_000}, "Votre adresse est trop longue (300 caractères au maximum)."),
    ({"name": "n" * 300}, "Votre nom est trop long (120 caractères au maximum)."),
    ({"name": ""}, "Veuillez saisir votre nom."),
    ({"quantity": "0"}, "Choisissez une quantité de 1 à 99."),
    ({"quantity": str(10**9)}, "Choisissez une quantité de 1 à 99."),
    ({"quantity": "deux"}, "Choisissez une quantité de 1 à 99."),
    ({"variant_id": "999999"}, "Veuillez choisir une option disponible du produit."),
    ({"variant_id": "99999999999999"}, "Veuillez choisir une option disponible du produit."),
    ({"commune": "3101"}, "Cette commune n'est pas dans la wilaya choisie."),
    ({"commune": "9999"}, "Veuillez choisir votre commune dans la liste."),
    ({"wilaya": "99"}, "Veuillez choisir votre wilaya dans la liste."),
    ({"wilaya": "<script>"}, "Veuillez choisir votre wilaya dans la liste."),
    ({"phone": "021 23 45 67"}, "Saisissez un numéro de mobile algérien"),
    ({"phone": "0550 12"}, "Saisissez un numéro de mobile algérien"),
    ({"delivery_type": "drone"}, "Choisissez la livraison à domicile ou le stop desk."),
    (
        {"wilaya": "31", "commune": "3101", "delivery_type": "desk"},
        "Le stop desk n'est pas proposé dans cette wilaya.",
    ),
    ({"wilaya": "1", "commune": "0101"}, "Désolé, nous ne livrons pas dans cette wilaya."),
    ({"note": "n" * 600}, "Votre remarque est trop longue (500 caractères au maximum)."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
async def test_bad_input_is_refused_with_its_message_and_the_values_kept(
    client: Client, shop: Shop, overrides: dict[str, str], message: str
) -> None:
    response = await quick_order(client, shop, **{"name": "Karim <b>Ziani</b>", **overrides})
    html = await response.text()
    assert response.status == 422
    assert message in plain(html)
    assert "Veuillez corriger les champs signalés ci-dessous." in html
    if "name" not in overrides:
        assert 'value="Karim &lt;b&gt;Ziani&lt;/b&gt;"' in html  # kept, and escaped
    assert await Order.all().count() == 0


async def test_messages_follow_the_visitor_language(client: Client, shop: Shop) -> None:
    await fetch(client, "/shop/?lang=ar")
    response = await quick_order(client, shop, phone="12")
    assert response.status == 422
    assert "أدخل رقم هاتف نقال جزائري" in await response.text()


async def test_same_order_twice_is_one_order(client: Client, shop: Shop) -> None:
    first = await quick_order(client, shop)
    second = await quick_order(client, shop)
    assert second.status == 303
    assert second.headers["Location"] == first.headers["Location"] + "?dup=1"
    _, html = await fetch(client, second.headers["Location"])
    assert "Nous avions déjà reçu cette commande" in plain(html) and "1001" in html
    assert await Order.all().count() == 1


@pytest.fixture
async def stranger(db: str) -> AsyncIterator[Client]:
    """Another browser: its own cookies, the same server secret."""
    app = create_app(WebConfig(secret_key="test"))
    async with TestClient(TestServer(app, host="127.0.0.1")) as other:
        yield other


ALREADY = {
    "fr": "Nous avons déjà cette commande ; nous vous appellerons pour la confirmer.",
    "ar": "لدينا هذا الطلب من قبل؛ سنتصل بك لتأكيده.",
    "en": "We already have this order; we will call you to confirm it.",
}


def assert_shows_nothing_of_the_order(html: str) -> None:
    assert re.search(r"\b1001\b", html) is None
    # The phone is looked for whole: "0550" alone may turn up inside a random token.
    for private in (
        "/merci/",
        "Amina",
        "Didouche",
        "0550 12 34 56",
        "550123456",
        "Code 4521",
        "4 900",
    ):
        assert private not in html, private


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_a_duplicate_from_another_browser_shows_nothing_of_the_order(
    client: Client, stranger: Client, shop: Shop, lang: str
) -> None:
    assert (await quick_order(client, shop, note="Code 4521")).status == 303
    await fetch(stranger, f"{PRODUCT}?lang={lang}")
    # Knowing the victim's phone and what they ordered is all it takes to be a duplicate.
    response = await quick_order(stranger, shop, name="Curieux", address="Ailleurs 5 rue")
    html = plain(await response.text())
    assert response.status == 200
    assert ALREADY[lang] in html
    assert_shows_nothing_of_the_order(html)
    assert await Order.all().count() == 1


async def test_a_duplicate_cart_checkout_from_another_browser_shows_nothing(
    client: Client, stranger: Client, shop: Shop
) -> None:
    assert (await quick_order(client, shop, note="Code 4521")).status == 303
    token = await csrf_of(stranger)
    add = {"csrf_token": token, "action": "add", "variant_id": str(shop.variants[0].id)}
    await stranger.post("/shop/panier", data=add | {"quantity": "1"})
    fields = order_fields(shop, token, name="Curieux")
    del fields["variant_id"], fields["quantity"]
    response = await stranger.post("/shop/commande", data=fields, allow_redirects=False)
    html = plain(await response.text())
    assert response.status == 200 and ALREADY["fr"] in html
    assert_shows_nothing_of_the_order(html)
    assert 'class="count">0<' in html  # the cart was emptied all the same
    assert await Order.all().count() == 1


async def test_a_forged_or_foreign_placed_orders_cookie_unlocks_nothing(
    client: Client, stranger: Client, shop: Shop
) -> None:
    assert (await quick_order(client, shop)).status == 303
    for forged in (
        "1001.0123456789abcdef0123456789abcdef",
        placed_cookie((1001,), "another secret", shop.store.id),
        placed_cookie((1001,), "test", shop.store.id + 1),  # placed in another store
    ):
        stranger.session.cookie_jar.update_cookies({"placed": forged})
        response = await quick_order(stranger, shop)
        assert response.status == 200, forged
        assert_shows_nothing_of_the_order(plain(await response.text()))
    stranger.session.cookie_jar.update_cookies(
        {"placed": placed_cookie((1001,), "test", shop.store.id)}
    )
    response = await quick_order(stranger, shop)
    assert response.status == 303 and "/shop/merci/1001/" in response.headers["Location"]


async def test_per_ip_limit(db: str, shop: Shop) -> None:
    config = WebConfig(secret_key="test", checkout_ip_limit=2)
    async with TestClient(TestServer(create_app(config), host="127.0.0.1")) as limited:
        # A typo does not use the budget; two orders do; the third is refused.
        assert (await quick_order(limited, shop, phone="12")).status == 422
        for i in range(2):
            assert (await quick_order(limited, shop, phone=f"0661 00 00 0{i}")).status == 303
        response = await quick_order(limited, shop, phone="0661 00 00 09")
        assert response.status == 429
        assert "Trop de commandes depuis votre connexion" in await response.text()
    assert await Order.all().count() == 2


async def test_per_phone_limit(client: Client, shop: Shop) -> None:
    for quantity in range(1, 6):
        assert (await quick_order(client, shop, quantity=str(quantity))).status == 303
    response = await quick_order(client, shop, quantity="6")
    assert response.status == 422
    assert "Trop de commandes avec ce numéro de téléphone" in await response.text()
    assert await Order.all().count() == 5


async def test_filled_honeypot_creates_nothing(client: Client, shop: Shop) -> None:
    response = await quick_order(client, shop, website="http://spam.example")
    assert response.status == 400
    assert "Nous n'avons pas pu enregistrer votre commande" in plain(await response.text())
    assert await Order.all().count() == 0


@pytest.mark.parametrize("token", ["", "0" * 64, "not-a-token", "jeton-signé"])
async def test_missing_or_forged_csrf_token_is_403(client: Client, shop: Shop, token: str) -> None:
    await csrf_of(client)  # the visitor has a cookie, but not this token
    fields = order_fields(shop, token)
    if not token:
        del fields["csrf_token"]
    response = await client.post(PRODUCT, data=fields, allow_redirects=False)
    assert response.status == 403
    assert "Votre session a expiré" in plain(await response.text())
    assert await Order.all().count() == 0


async def test_token_of_another_visitor_is_refused(client: Client, shop: Shop, db: str) -> None:
    stolen = await csrf_of(client)
    async with TestClient(TestServer(create_app(WebConfig(secret_key="test")))) as other:
        await csrf_of(other)
        response = await other.post(PRODUCT, data=order_fields(shop, stolen))
        assert response.status == 403
    assert await Order.all().count() == 0


async def test_blacklisted_phone_gets_a_polite_refusal(client: Client, shop: Shop) -> None:
    await Customer.create(store=shop.store, phone="+213550123456", name="X", blacklisted=True)
    response = await quick_order(client, shop)
    assert response.status == 403
    assert "Veuillez contacter directement la boutique" in await response.text()
    assert await Order.all().count() == 0


async def test_allowed_wilayas_limit_the_list_and_the_orders(client: Client, shop: Shop) -> None:
    await Store.filter(id=shop.store.id).update(allowed_wilayas=[31])
    _, html = await fetch(client, PRODUCT)
    assert ">31 - Oran<" in html and ">16 - Alger<" not in html
    response = await quick_order(client, shop)  # Alger, posted anyway
    assert response.status == 422
    assert "Désolé, nous ne livrons pas dans cette wilaya." in await response.text()
    assert await Order.all().count() == 0


async def test_without_javascript_the_wilaya_brings_its_communes_and_fee(
    client: Client, shop: Shop
) -> None:
    response = await quick_order(client, shop, commune="", quantity="2")
    html = plain(await response.text())
    assert response.status == 422
    assert "Veuillez choisir votre commune." in html
    assert '<option value="1601">Alger-centre</option>' in html
    assert "400 DA" in html and "9 400 DA" in html  # fee and total for 2 robes
    assert 'value="Amina Benali"' in html
    # The "show communes" button re-renders without complaining about anything.
    token = await csrf_of(client)
    response = await client.post(
        PRODUCT, data={"csrf_token": token, "wilaya": "31", "refresh": "1", "delivery_type": "desk"}
    )
    html = plain(await response.text())
    assert response.status == 200 and 'class="error"' not in html
    assert '<option value="3101">Oran</option>' in html
    assert "non proposé ici" in html and "600 DA" in html  # Oran: home only
    assert await Order.all().count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe\x00garbage=%ZZ&&&", "application/x-www-form-urlencoded"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b'{"name": "Amina"}', "application/json"),
        (b"name=Amina", "application/x-www-form-urlencoded; charset=no-such-charset"),
    ],
)
async def test_malformed_form_is_a_4xx_never_a_500(
    client: Client, shop: Shop, body: bytes, content_type: str
) -> None:
    await csrf_of(client)
    response = await client.post(PRODUCT, data=body, headers={"Content-Type": content_type})
    assert 400 <= response.status < 500
    assert "<html" in await response.text()
    assert await Order.all().count() == 0


async def test_oversized_body_is_413(client: Client, shop: Shop) -> None:
    token = await csrf_of(client)
    response = await client.post(PRODUCT, data=order_fields(shop, token, note="n" * 400_000))
    assert response.status == 413
    assert await Order.all().count() == 0


async def test_empty_cart_checkout_is_refused(client: Client, shop: Shop) -> None:
    token = await csrf_of(client)
    response = await client.post("/shop/commande", data=order_fields(shop, token))
    assert response.status == 422
    assert "Votre panier est vide." in await response.text()
    assert await Order.all().count() == 0
