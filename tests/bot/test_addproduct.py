"""/addproduct: answers read as people type them, the whole conversation with variants and
a photo that the storefront then shows, cancel and bad answers that save nothing, and who
may start it where."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.product_draft import Unreadable, parse_price, parse_stocks, parse_variants
from models.catalog.tables import Product, Variant
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import make_shop
from tests.fakes.telegram_api import StoredMessage
from webstore.app import create_app
from webstore.config import WebConfig

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 40


# --- answers as people type them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "price"),
    [
        ("4500", 4500),
        ("4 500", 4500),
        ("4\u202f500\u00a0DA", 4500),
        ("4500 DA", 4500),
        ("4500da", 4500),
        ("4.500 DZD", 4500),
        ("12,000 dinars", 12000),
        ("٤٥٠٠", 4500),
        ("٤ ٥٠٠ د.ج", 4500),
        ("۴۵۰۰ دج", 4500),
        ("1 250 000", 1250000),
    ],
)
def test_a_price_is_read_as_typed(typed: str, price: int) -> None:
    assert parse_price(typed) == price


@pytest.mark.parametrize(
    "typed", ["", "abc", "DA", "0", "-4500", "4500.50", "45 00", "4 5000", "20000000", "4500 €"]
)
def test_a_price_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(Unreadable):
        parse_price(typed)


def test_variants_become_every_combination() -> None:
    assert parse_variants("Taille=M,L,XL; Couleur=Rouge,Noir") == [
        {"Taille": t, "Couleur": c} for t in ("M", "L", "XL") for c in ("Rouge", "Noir")
    ]
    assert parse_variants("Taille: S , M,,M\nCouleur = Bleu") == [
        {"Taille": "S", "Couleur": "Bleu"},
        {"Taille": "M", "Couleur": "Bleu"},
    ]
    assert parse_variants("المقاس=S،M؛ اللون=أحمر") == [
        {"المقاس": "S", "اللون": "أحمر"},
        {"المقاس": "M", "اللون": "أحمر"},
    ]
    assert parse_variants(" - ") == []


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Taille", "I could not read"),
        (" ; ", "or send - for none"),
        ("Taille=", "I could not read"),
        ("=M,L", "I could not read"),
        ("Taille=M; taille=L", "given twice"),
        ("A=1,2,3,4,5,6,7,8,9,10,11; B=x,y,z,w,v", "55 variants"),
        ("Taille=" + "x" * 61, "at most 60"),
    ],
)
def test_unreadable_variants_say_why(typed: str, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_variants(typed)
    assert reason in caught.value.message % caught.value.params


def test_stock_is_one_number_for_all_or_one_each() -> None:
    assert parse_stocks("7", 3) == [7, 7, 7]
    assert parse_stocks("1, 2،3", 3) == [1, 2, 3]
    assert parse_stocks("1 000", 2) == [1000, 1000]
    assert parse_stocks("٥", 1) == [5]
    for typed in ("1, 2", "x", "", "-3", "2000000", "1 2 3"):
        with pytest.raises(Unreadable):
            parse_stocks(typed, 3)


# --- the conversation -----------------------------------------------------------------------


async def talk(desk: Desk, chat: int, text: str, user: dict[str, Any] = OWNER) -> StoredMessage:
    """Say something and wait for the bot's next message in the chat."""
    seen = {m.message_id for m in desk.fake.bot_messages(chat)}
    await desk.say(chat, user, text)
    return await _next(desk, chat, seen)


async def _next(desk: Desk, chat: int, seen: set[int]) -> StoredMessage:
    await desk.fake.wait_for(
        lambda f: any(m.message_id not in seen for m in f.bot_messages(chat)), timeout=10
    )
    return next(m for m in desk.fake.bot_messages(chat) if m.message_id not in seen)


async def send_photo(desk: Desk, chat: int, data: bytes) -> StoredMessage:
    seen = {m.message_id for m in desk.fake.bot_messages(chat)}
    await desk.fake.send_update(desk.fake.user_photo(chat, OWNER, data))
    return await _next(desk, chat, seen)


@pytest.fixture
async def desk_with_media(tmp_path: Path) -> AsyncIterator[tuple[Desk, Path]]:
    media = tmp_path / "media"
    async with running_desk() as desk:
        config = desk.runtime.app.bot_data["config"]
        desk.runtime.app.bot_data["config"] = dataclasses.replace(config, media_dir=str(media))
        yield desk, media


async def test_a_product_with_variants_and_a_photo_reaches_the_storefront(
    db: str, desk_with_media: tuple[Desk, Path]
) -> None:
    desk, media = desk_with_media
    shop = await make_shop(lang="en")
    chat = await desk.bind(shop.store, OWNER)

    asked = await talk(desk, chat, "/addproduct")
    assert "What is the product's name?" in asked.text
    asked = await talk(desk, chat, "Sac <b>cuir</b> & co")
    assert "Price of Sac <b>cuir</b> & co in dinars?" in asked.text  # shown as typed
    refused = await talk(desk, chat, "quatre mille")
    assert refused.text.startswith("Send the price as a whole number of dinars")
    asked = await talk(desk, chat, "٤ ٥٠٠ DA")
    assert asked.text.startswith("Variants?")
    asked = await talk(desk, chat, "Taille=M,L,XL; Couleur=Rouge,Noir")
    assert "one number for all 6 variants" in asked.text
    assert "6. Taille: XL / Couleur: Noir" in asked.text
    asked = await talk(desk, chat, "7")
    assert asked.text == "Send a photo of the product, or /skip."
    summary = await send_photo(desk, chat, PHOTO)
    assert "Name: Sac <b>cuir</b> & co" in summary.text
    assert "Price: 4 500 DA" in summary.text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "• Taille: M / Couleur: Rouge — 7" in summary.text and "Photo: added" in summary.text
    assert not await Product.exists(name="Sac <b>cuir</b> & co")  # nothing before Save

    save = next(d for d in summary.callback_data if d.endswith(":sv"))
    query = await desk.press(chat, summary.message_id, save, OWNER)
    assert (desk.fake.query(query).answer or {}).get("text") == "Saved"

    product = await Product.get(store_id=shop.store.id, name="Sac <b>cuir</b> & co")
    assert product.price == 4500 and product.active
    variants = await Variant.filter(product_id=product.id).order_by("id")
    assert [(v.option_map(), v.stock, v.price) for v in variants] == [
        ({"Taille": t, "Couleur": c}, 7, 4500) for t in ("M", "L", "XL") for c in ("Rouge", "Noir")
    ]
    assert re.fullmatch(r"/media/shop/[0-9a-f]{32}\.jpg", product.photo)
    assert (media / product.photo.removeprefix("/media/")).read_bytes() == PHOTO
    await desk.fake.wait_for(lambda f: "Saved: " in f.message(chat, summary.message_id).text)
    assert not desk.fake.message(chat, summary.message_id).buttons

    app = create_app(WebConfig(secret_key="t", media_dir=str(media)))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        page = await client.get(f"/shop/p/{product.slug}")
        assert f'src="{product.photo}"' in await page.text()
        served = await client.get(product.photo)
        assert served.status == 200 and await served.read() == PHOTO
        assert served.headers["Content-Type"] == "image/jpeg"


async def test_without_variants_or_photo_one_plain_variant_is_saved(
    db: str, desk_with_media: tuple[Desk, Path]
) -> None:
    desk, media = desk_with_media
    shop = await make_shop(lang="en")
    chat = await desk.bind(shop.store, OWNER)
    await talk(desk, chat, "/addproduct")
    await talk(desk, chat, "Tapis")
    await talk(desk, chat, "12000")
    asked = await talk(desk, chat, "-")
    assert asked.text == "How many are in stock?"
    await talk(desk, chat, "3")
    not_a_photo = await talk(desk, chat, "voici")
    assert not_a_photo.text == "Send a photo of the product, or /skip."
    summary = await talk(desk, chat, "/skip")
    assert "Stock: 3" in summary.text and "Photo: none" in summary.text
    await desk.press(chat, summary.message_id, summary.callback_data[0], OWNER)

    product = await Product.get(store_id=shop.store.id, name="Tapis")
    assert product.photo == "" and product.price == 12000
    variants = await Variant.filter(product_id=product.id)
    assert [(v.option_map(), v.stock) for v in variants] == [({}, 3)]
    assert not media.exists()


async def test_cancel_mid_way_or_on_the_summary_creates_nothing(
    db: str, desk_with_media: tuple[Desk, Path]
) -> None:
    desk, media = desk_with_media
    shop = await make_shop(lang="en")
    chat = await desk.bind(shop.store, OWNER)
    await talk(desk, chat, "/addproduct")
    await talk(desk, chat, "Burnous")
    cancelled = await talk(desk, chat, "/cancel")
    assert cancelled.text == "Cancelled: nothing was saved."
    # The conversation is over: this answers no question, it gets the bot's one-line hint.
    hint = await talk(desk, chat, "5000")
    assert hint.text.startswith("I answer commands and buttons: /help lists them.")

    await talk(desk, chat, "/addproduct")
    await talk(desk, chat, "Burnous")
    await talk(desk, chat, "5000")
    await talk(desk, chat, "Taille=M,L")
    await talk(desk, chat, "2, 4")
    summary = await send_photo(desk, chat, PHOTO)
    assert "• Taille: L — 4" in summary.text
    cancel = next(d for d in summary.callback_data if d.endswith(":cx"))
    await desk.press(chat, summary.message_id, cancel, OWNER)
    await desk.fake.wait_for(lambda f: not f.message(chat, summary.message_id).buttons)

    # A phone that still shows the old buttons presses Save: refused, nothing saved.
    update = desk.fake.press(
        chat, summary.message_id, cancel.replace(":cx", ":sv"), OWNER, check_button=False
    )
    await desk.fake.send_update(update)
    stale = desk.fake.query(update["callback_query"]["id"])
    await desk.fake.wait_for(lambda f: stale.answered, timeout=10)
    assert "out of date" in (stale.answer or {}).get("text", "")
    assert not await Product.exists(name="Burnous")
    assert not media.exists() or not any(media.rglob("*"))


async def test_bad_answers_are_asked_again_and_a_large_photo_is_refused(
    db: str, desk_with_media: tuple[Desk, Path]
) -> None:
    desk, _media = desk_with_media
    shop = await make_shop(lang="en")
    chat = await desk.bind(shop.store, OWNER)
    await talk(desk, chat, "/addproduct")
    await talk(desk, chat, "Robe")
    for bad in ("0", "4500.50", "beaucoup"):
        refused = await talk(desk, chat, bad)
        assert refused.text.startswith("Send the price as a whole number of dinars"), bad
    await talk(desk, chat, "4500")
    refused = await talk(desk, chat, "Taille=M; Taille=L")
    assert refused.text == "The option Taille is given twice."
    await talk(desk, chat, "Taille=M,L")
    refused = await talk(desk, chat, "1, 2, 3")
    assert refused.text == "Send one number for all 2 variants, or 2 numbers separated by commas."
    await talk(desk, chat, "5")
    too_large = await send_photo(desk, chat, b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024))
    assert too_large.text == "This photo is larger than 5 MB. Send a smaller one, or /skip."
    not_jpeg = await send_photo(desk, chat, b"GIF89a not a photo")
    assert not_jpeg.text == "I could not read this photo. Send another one, or /skip."
    summary = await talk(desk, chat, "/skip")
    assert summary.text.startswith("🆕 New product")
    assert not await Product.exists(name="Robe")


async def test_only_the_owner_in_a_private_chat_adds_products(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        await desk.bind(shop.store, OWNER)
        told = await talk(desk, group, "/addproduct", OWNER)
        assert told.text == "Add products in a private chat with me: send /addproduct there."
        refused = await talk(desk, group, "/addproduct", AGENT)
        assert refused.text == "Only the owner can add products."
        agent_chat = await desk.bind(shop.store, AGENT, role="agent")
        refused = await talk(desk, agent_chat, "/addproduct", AGENT)
        assert refused.text == "Only the owner can add products."
        assert await Product.filter(store_id=shop.store.id).count() == 1


async def test_a_finished_product_is_kept_from_a_second_addproduct_and_a_photo_waits(
    db: str, desk_with_media: tuple[Desk, Path]
) -> None:
    desk, _media = desk_with_media
    shop = await make_shop(lang="en")
    chat = await desk.bind(shop.store, OWNER)
    asked = await talk(desk, chat, "/addproduct")
    early = await send_photo(desk, chat, PHOTO)  # the name is asked, not a photo
    assert early.text.startswith("📷 Thanks: the photo comes last. First, answer this:")
    assert early.text.endswith(asked.text.split("\n\n")[-1])
    for answer in ("Tapis", "12000", "-", "3"):
        await talk(desk, chat, answer)
    summary = await talk(desk, chat, "/skip")
    kept = await talk(desk, chat, "/addproduct")
    assert kept.text == (
        "Tapis is ready but not saved: press Save or Cancel on its summary above. "
        "Send /addproduct again to drop it and start a new product."
    )
    await desk.press(chat, summary.message_id, summary.callback_data[0], OWNER)  # still saves
    await desk.fake.wait_for(lambda f: len(f.bot_messages(chat)) > 0, timeout=5)
    for _ in range(50):
        if await Product.filter(store_id=shop.store.id, name="Tapis").exists():
            break
        await asyncio.sleep(0.1)
    assert await Product.filter(store_id=shop.store.id, name="Tapis").exists()
