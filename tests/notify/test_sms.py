"""Customer SMS: segment counting, the texts, the store's gateway, and the channel end to end
(a shipped order, the relay, a fake SMS Gateway for Android on loopback)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from models.errors import InvalidInput
from models.infra import clock
from models.infra.sealing import Sealer
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.orders.transitions import transition_order
from models.outbox import relay as outbox
from models.outbox.sms import get_sms_gateway, set_sms_gateway
from models.outbox.tables import OutboxMessage, SmsGateway
from models.shipping.manual import dispatch_order
from models.stores.tables import Store
from notify.relay import Relay
from notify.sms import SmsChannel, SmsGatewayClient
from notify.sms_text import count_segments, courier_name, shipped_sms
from tests.factories import checkout, make_shop
from tests.notify.fake_sms_gateway import FakeSmsGateway

SEALER = Sealer("test-secret-key")
OWNER = Actor("owner", "1", "Karim")
PHONE = "+213550123456"  # the factory's "0550 12 34 56"

# --- segment counting --------------------------------------------------------------------

SEGMENT_TABLE = [
    # text, encoding, units, parts
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("Votre commande a été expédiée à Alger", "GSM-7", 37, 1),
    ("€" * 80, "GSM-7", 160, 1),  # extension table: escape + character
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is not split
    ("[{~^|\\}]", "GSM-7", 16, 1),
    ("Prêt", "UCS-2", 4, 1),  # ê is not in the GSM alphabet
    ("Façon", "UCS-2", 5, 1),  # nor ç (only Ç)
    ("l’adresse", "UCS-2", 9, 1),  # a typographic apostrophe
    ("ب" * 70, "UCS-2", 70, 1),
    ("ب" * 71, "UCS-2", 71, 2),
    ("ب" * 134, "UCS-2", 134, 2),
    ("ب" * 135, "UCS-2", 135, 3),
    ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ("😀" * 36, "UCS-2", 72, 2),
    ("ب" * 66 + "😀" + "ب" * 66, "UCS-2", 134, 3),  # a surrogate pair is not split
    ("Merci 😀", "UCS-2", 8, 1),
]


@pytest.mark.parametrize(("text", "encoding", "units", "parts"), SEGMENT_TABLE)
def test_segments_are_counted_as_a_phone_splits_the_text(
    text: str, encoding: str, units: int, parts: int
) -> None:
    segments = count_segments(text)
    assert (segments.encoding, segments.units, segments.parts) == (encoding, units, parts)


# --- texts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "encoding", "words"),
    [
        ("fr", "GSM-7", ("Votre commande 1042", "Yalidine", "Numéro de suivi : YAL-7F3K9Q")),
        ("en", "GSM-7", ("Your order 1042", "Yalidine", "Tracking number: YAL-7F3K9Q")),
        ("ar", "UCS-2", ("طلبك رقم 1042", "Yalidine", "رقم التتبع: YAL-7F3K9Q")),
    ],
)
def test_shipped_text_in_each_language(lang: str, encoding: str, words: tuple[str, ...]) -> None:
    text = shipped_sms(lang, "Boutique Amina", 1042, "Yalidine", "YAL-7F3K9Q")
    assert text.startswith("Boutique Amina\n")
    for word in words:
        assert word in text
    segments = count_segments(text)
    assert segments.encoding == encoding and segments.parts == 1


def test_french_store_names_with_typographic_marks_stay_in_gsm() -> None:
    text = shipped_sms("fr", "L’atelier – d’Amina", 1042, "ZR Express", "ZR123456")
    assert "L'atelier - d'Amina" in text
    assert count_segments(text).encoding == "GSM-7"


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_long_store_name_is_shortened_to_keep_two_sms(lang: str) -> None:
    store = "متجر الأناقة والجمال للأزياء التقليدية القبائلية والعصرية " * 2
    text = shipped_sms(lang, store, 104213, "Maystro Delivery", "MAY-2026-0000123456")
    assert count_segments(text).parts == 2
    assert "104213" in text and "MAY-2026-0000123456" in text and "Maystro Delivery" in text
    assert store.strip() not in text
    assert text.startswith(store[:8])


def test_the_courier_is_left_out_before_the_tracking_number_is_cut() -> None:
    tracking = "T" * 64  # the longest a tracking number may be
    text = shipped_sms("ar", "متجر أمينة للأزياء", 104213, "Sahara Express Livraison", tracking)
    assert tracking in text and "104213" in text and "Sahara" not in text
    assert count_segments(text).parts == 2


@pytest.mark.parametrize(
    ("courier", "label", "shown"),
    [
        ("yalidine", "", "Yalidine"),
        ("zrexpress", "", "ZR Express"),
        ("ecotrack", "DHD Livraison", "DHD Livraison"),
        ("manual", "", ""),
        ("kaza", "", "kaza"),
    ],
)
def test_courier_names_as_customers_know_them(courier: str, label: str, shown: str) -> None:
    assert courier_name(courier, label) == shown


def test_without_a_courier_the_text_says_shipped_only() -> None:
    text = shipped_sms("fr", "Boutique", 1042, "", "TRK-12345")
    assert "Votre commande 1042 a été expédiée.\n" in text and "avec" not in text


# --- the store's gateway -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("http://192.168.1.20:8080/", "http://192.168.1.20:8080"),
        ("https://api.sms-gate.app", "https://api.sms-gate.app/3rdparty/v1"),
        ("https://api.sms-gate.app/3rdparty/v1/", "https://api.sms-gate.app/3rdparty/v1"),
        ("  https://SMS.Example.dz/api/3rdparty/v1 ", "https://sms.example.dz/api/3rdparty/v1"),
    ],
)
async def test_gateway_is_stored_with_its_password_sealed(db: str, raw: str, stored: str) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, raw, "sms", "phone-pass", SEALER)

    gateway = await get_sms_gateway(shop.store)
    assert gateway is not None and gateway.base_url == stored and gateway.active
    assert "phone-pass" not in gateway.password_sealed
    assert SEALER.unseal(gateway.password_sealed) == {"password": "phone-pass"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("192.168.1.20:8080", "base_url: expected http(s)://host"),
        ("ftp://192.168.1.20", "base_url: expected http(s)://host"),
        ("http://", "base_url: expected http(s)://host"),
        ("http://192.168.1.20:99999", "port"),
        ("http://sms:pw@192.168.1.20:8080", "not in the URL"),
        ("http://192.168.1.20:8080/?token=x", "no ?query"),
        ("http://phone .lan:8080", "base_url: expected"),
        ("https://" + "a" * 250 + ".dz", "at most 255"),
    ],
)
async def test_bad_gateway_url_is_refused(db: str, raw: str, message: str) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await set_sms_gateway(shop.store, raw, "sms", "phone-pass", SEALER)
    assert not await SmsGateway.exists()


async def test_setting_the_gateway_again_replaces_it(db: str) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, "http://10.0.0.5:8080", "sms", "old", SEALER)
    await SmsGateway.filter(store_id=shop.store.id).update(active=False)
    await set_sms_gateway(shop.store, "http://10.0.0.6:8080", "shop", "new", SEALER)

    [gateway] = await SmsGateway.all()
    assert (gateway.base_url, gateway.username, gateway.active) == (
        "http://10.0.0.6:8080",
        "shop",
        True,
    )
    assert SEALER.unseal(gateway.password_sealed) == {"password": "new"}


@pytest.mark.parametrize(("username", "password"), [("", "pw"), ("sms", ""), ("s m", "pw")])
async def test_missing_credentials_are_refused(db: str, username: str, password: str) -> None:
    shop = await make_shop()
    with pytest.raises(InvalidInput):
        await set_sms_gateway(shop.store, "http://10.0.0.5:8080", username, password, SEALER)
    assert not await SmsGateway.exists()


# --- end to end --------------------------------------------------------------------------


@pytest.fixture
def sms_route() -> None:
    """The sms route is in the table `hanout run/web/worker` hand the outbox at start."""
    assert "sms" in outbox.routes().channels


@pytest.fixture
async def gateway() -> AsyncIterator[FakeSmsGateway]:
    fake = FakeSmsGateway()
    await fake.start()
    yield fake
    await fake.stop()


def relay(timeout: float = 5.0) -> Relay:
    client = SmsGatewayClient(httpx.Timeout(timeout, connect=timeout))
    return Relay({"sms": SmsChannel(SEALER, client)}, "worker-test")


async def shipped_order(
    store: Store, variant_id: int, tracking: str = "YAL-7F3K9Q", courier: str = "yalidine"
) -> Order:
    placed = await place_order(store, checkout(variant_id))
    await transition_order(store, placed.order.number, OrderStatus.CONFIRMED, OWNER)
    return await dispatch_order(store, placed.order.number, OWNER, tracking, courier)


async def sms_row() -> OutboxMessage:
    return await OutboxMessage.get(channel="sms")


async def make_due() -> None:
    """Skip the backoff wait."""
    await OutboxMessage.filter(status="pending").update(available_at=clock.now())


EXPECTED = {
    "fr": ("Boutique shop\n", "Votre commande 1001 a été expédiée avec Yalidine."),
    "ar": ("Boutique shop\n", "تم شحن طلبك رقم 1001 مع Yalidine\n"),
}


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_customer_gets_the_tracking_number_when_the_order_ships(
    db: str, sms_route: None, gateway: FakeSmsGateway, lang: str
) -> None:
    shop = await make_shop(lang=lang)
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", SEALER)
    order = await shipped_order(shop.store, shop.variants[0].id)
    assert order.status == "shipped"

    assert await relay().run_once() == 1

    [sms] = gateway.messages
    assert sms.phone_numbers == [PHONE]
    assert sms.path == "/messages"
    header, line = EXPECTED[lang]
    assert sms.text.startswith(header) and line in sms.text
    assert "YAL-7F3K9Q" in sms.text
    assert count_segments(sms.text).encoding == ("UCS-2" if lang == "ar" else "GSM-7")
    assert (await sms_row()).status == "done"


async def test_only_shipping_writes_an_sms_row(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", SEALER)
    placed = await place_order(shop.store, checkout(shop.variants[0].id))
    await transition_order(shop.store, placed.order.number, OrderStatus.CONFIRMED, OWNER)
    assert not await OutboxMessage.filter(channel="sms").exists()

    await dispatch_order(shop.store, placed.order.number, OWNER, "TRK-0001", "manual")
    row = await sms_row()
    assert row.topic == "order.shipped"
    assert await relay().run_once() == 1
    [sms] = gateway.messages
    assert "Votre commande 1001 a été expédiée.\n" in sms.text  # manual: no courier named


async def test_wrong_password_dead_letters_and_the_team_sees_it(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "wrong", SEALER)
    order = await shipped_order(shop.store, shop.variants[0].id)

    await relay().run_once()

    assert gateway.messages == []
    row = await sms_row()
    assert row.status == "dead" and "401" in row.last_error and "password" in row.last_error
    [event] = await OrderEvent.filter(order_id=order.id, type="notification_failed")
    assert event.data["channel"] == "sms"
    assert (await Order.get(id=order.id)).status == "shipped"  # the dispatch stands


async def test_a_base_url_without_the_api_dead_letters(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    shop = await make_shop()
    url = gateway.base_url + "/api"  # the cloud prefix given to a phone's local server
    await set_sms_gateway(shop.store, url, "sms", "phone-pass", SEALER)
    order = await shipped_order(shop.store, shop.variants[0].id)

    await relay().run_once()

    row = await sms_row()
    assert row.status == "dead" and "check the base URL" in row.last_error
    assert await OrderEvent.filter(order_id=order.id, type="notification_failed").exists()


@pytest.mark.parametrize("fault", ["503", "timeout", "unreachable"])
async def test_gateway_down_is_retried_later(
    db: str, sms_route: None, gateway: FakeSmsGateway, fault: str
) -> None:
    shop = await make_shop(lang="ar")
    if fault == "503":
        gateway.status = 503
    elif fault == "timeout":
        gateway.delay = 1.0
    else:
        await gateway.stop()  # the phone is off: nothing listens
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", SEALER)
    order = await shipped_order(shop.store, shop.variants[0].id)

    await relay(timeout=0.3).run_once()

    row = await sms_row()
    assert row.status == "pending" and row.available_at > clock.now()
    assert not await OrderEvent.filter(order_id=order.id, type="notification_failed").exists()

    if fault == "unreachable":
        await gateway.start()  # the phone is back, same address
    gateway.status, gateway.delay = None, 0.0
    await make_due()
    await relay().run_once()

    assert [m.text for m in gateway.messages][-1].endswith("YAL-7F3K9Q")
    assert len(gateway.messages) == 1  # a slow first try that got through is not sent again
    assert (await sms_row()).status == "done"


async def test_store_without_gateway_sends_nothing_and_completes(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    with_gateway, without = await make_shop("a"), await make_shop("b")
    await set_sms_gateway(with_gateway.store, gateway.base_url, "sms", "phone-pass", SEALER)
    await SmsGateway.filter(store_id=with_gateway.store.id).update(active=False)  # switched off
    await shipped_order(with_gateway.store, with_gateway.variants[0].id)
    await shipped_order(without.store, without.variants[0].id)

    assert await relay().run_once() == 2

    assert gateway.requests == 0
    assert await OutboxMessage.filter(channel="sms", status="done").count() == 2


async def test_a_repeated_delivery_sends_one_sms(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", SEALER)
    await shipped_order(shop.store, shop.variants[0].id)
    channel = SmsChannel(SEALER)
    row = await sms_row()

    await channel(row)
    await channel(row)  # e.g. the worker died between the send and recording it

    assert gateway.requests == 2 and len(gateway.messages) == 1


@pytest.mark.parametrize(("prefix", "legacy"), [("/3rdparty/v1", False), ("", True)])
async def test_cloud_prefix_and_apps_before_messages_endpoint(
    db: str, sms_route: None, prefix: str, legacy: bool
) -> None:
    fake = FakeSmsGateway(prefix=prefix, legacy=legacy)
    await fake.start()
    try:
        shop = await make_shop(lang="en")
        await set_sms_gateway(shop.store, fake.base_url, "sms", "phone-pass", SEALER)
        await shipped_order(shop.store, shop.variants[0].id, tracking="ZR-55120")
        await relay().run_once()
    finally:
        await fake.stop()

    [sms] = fake.messages
    assert sms.path == prefix + ("/message" if legacy else "/messages")
    assert "Your order 1001 has shipped with Yalidine." in sms.text and "ZR-55120" in sms.text
    assert (await sms_row()).status == "done"


async def test_no_sms_once_the_order_is_delivered(
    db: str, sms_route: None, gateway: FakeSmsGateway
) -> None:
    shop = await make_shop()
    await set_sms_gateway(shop.store, gateway.base_url, "sms", "phone-pass", SEALER)
    order = await shipped_order(shop.store, shop.variants[0].id)
    await Order.filter(id=order.id).update(status="delivered")  # the relay was behind

    await relay().run_once()

    assert gateway.messages == [] and (await sms_row()).status == "done"
