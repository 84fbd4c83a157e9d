"""/products and /stock: paged lists edited in place, hide/show for the owner, stock
buttons for the team, never below zero, and nothing for strangers or other stores."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.gate import NO_STORE, visitor_translator
from models.catalog import products as catalog
from models.catalog.tables import Product, Variant
from models.stores import settings
from models.team import members
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.factories import Shop, make_shop
from tests.fakes.telegram_api import StoredMessage

STRANGER = {"id": 4004, "first_name": "Karim"}


def plain(text: str | None) -> str:
    return (text or "").replace("\u202f", " ").replace("\u00a0", " ")


async def ask(desk: Desk, chat: int, user: dict[str, Any], text: str) -> StoredMessage:
    """Send a command and wait for the bot's next message in the chat."""
    seen = {m.message_id for m in desk.fake.bot_messages(chat)}
    await desk.say(chat, user, text)
    await desk.fake.wait_for(
        lambda f: any(m.message_id not in seen for m in f.bot_messages(chat)), timeout=10
    )
    return next(m for m in desk.fake.bot_messages(chat) if m.message_id not in seen)


async def press(
    desk: Desk, chat: int, message: StoredMessage, data: str, user: dict[str, Any]
) -> dict[str, Any]:
    """Press a button of the list; returns the answer once the list shows something else
    (or at once when the press was refused)."""
    before = desk.fake.message(chat, message.message_id).text
    query = await desk.press(chat, message.message_id, data, user)
    answer = desk.fake.query(query).answer or {}
    if not answer.get("show_alert"):
        await desk.fake.wait_for(
            lambda f: f.message(chat, message.message_id).text != before, timeout=10
        )
    return answer


async def press_forged(
    desk: Desk, chat: int, message_id: int, data: str, user: dict[str, Any] = OWNER
) -> dict[str, Any]:
    update = desk.fake.press(chat, message_id, data, user, check_button=False)
    query = update["callback_query"]["id"]
    await desk.fake.send_update(update)
    await desk.fake.wait_for(lambda f: f.query(query).answered, timeout=10)
    return desk.fake.query(query).answer or {}


async def big_shop(products: int = 10) -> Shop:
    """The factory shop (Robe kabyle, M and L) and more products, one with markup in its name."""
    shop = await make_shop(stock=10, lang="en")
    await catalog.add_product(shop.store, "<Sac> & Co", 2500, [catalog.VariantSpec(stock=3)])
    for n in range(3, products + 1):
        await catalog.add_product(shop.store, f"Article {n}", 1000 * n)
    return shop


async def test_products_show_prices_variants_stock_status_in_pages(db: str) -> None:
    shop = await big_shop()
    hidden = await Product.get(store_id=shop.store.id, name="Article 5")
    await catalog.set_product_active(shop.store, hidden.id, False)
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        first = await ask(desk, chat, OWNER, "/products")

        lines = plain(first.text).split("\n\n")
        assert lines[0] == "📦 Products (10)"
        assert (
            lines[1] == "1. 🟢 Robe kabyle\n4 500 DA – 4 800 DA · variants: 2 · stock: 20 · active"
        )
        assert lines[2] == "2. 🟢 <Sac> & Co\n2 500 DA · variants: 1 · stock: 3 · active"
        assert lines[5].startswith("5. 🙈 Article 5\n") and lines[5].endswith("· hidden")
        assert len(lines) == 1 + 8
        labels = [b["text"] for b in first.buttons]
        assert labels[:2] == ["🙈 Hide Robe kabyle", "🙈 Hide <Sac> & Co"]
        assert labels[4] == "👁 Show Article 5"
        assert labels[-2:] == ["🔄 1/2", "›"]
        assert all(len(d.encode()) <= 64 for d in first.callback_data)

        await press(desk, chat, first, f"cp:{shop.store.id}:1:1", OWNER)
        second = desk.fake.message(chat, first.message_id)
        assert [ln.split("\n")[0] for ln in plain(second.text).split("\n\n")[1:]] == [
            "9. 🟢 Article 9",
            "10. 🟢 Article 10",
        ]
        assert [b["text"] for b in second.buttons][-2:] == ["‹", "🔄 2/2"]


async def test_the_owner_hides_and_shows_a_product_agents_cannot(db: str) -> None:
    shop = await make_shop(lang="en")
    product_id = shop.variants[0].product_id  # type: ignore[attr-defined]
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        await desk.bind(shop.store, OWNER)
        mine = await ask(desk, group, OWNER, "/products")
        hide = f"ca:{product_id}:0:0"
        assert hide in mine.callback_data

        refused = await press(desk, group, mine, hide, AGENT)
        assert refused == {"text": "Only the owner can hide or show products.", "show_alert": True}
        assert (await Product.get(id=product_id)).active

        answer = await press(desk, group, mine, hide, OWNER)
        assert answer["text"] == "Robe kabyle is hidden from the storefront."
        assert not (await Product.get(id=product_id)).active
        listed = desk.fake.message(group, mine.message_id)
        assert "🙈 Robe kabyle" in listed.text and "· hidden" in listed.text
        assert f"ca:{product_id}:1:0" in listed.callback_data

        await press(desk, group, listed, f"ca:{product_id}:1:0", OWNER)
        assert (await Product.get(id=product_id)).active

        theirs = await ask(desk, group, AGENT, "/products")
        assert "Robe kabyle" in theirs.text
        assert not any(d.startswith("ca:") for d in theirs.callback_data)


async def test_stock_buttons_move_stock_and_edit_the_list(db: str, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="bot.catalog_cmds")
    shop = await make_shop(stock=3, lang="en")
    m, size_l = shop.variants
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        stock = await ask(desk, chat, OWNER, "/stock")
        assert plain(stock.text).splitlines()[3:] == [
            "1. ▫️ Robe kabyle (Taille: M) — 3",
            "2. ▫️ Robe kabyle (Taille: L) — 3",
        ]
        assert [b["text"] for b in stock.buttons][:4] == ["1) −5", "−1", "+1", "+5"]
        assert stock.callback_data[:4] == [f"s:{m.id}:{d}:0" for d in (-5, -1, 1, 5)]

        answer = await press(desk, chat, stock, f"s:{m.id}:1:0", OWNER)
        assert answer["text"] == "Robe kabyle (Taille: M): 4 in stock"
        assert (await Variant.get(id=m.id)).stock == 4
        assert "1. ▫️ Robe kabyle (Taille: M) — 4" in plain(
            desk.fake.message(chat, stock.message_id).text
        )

        await press(desk, chat, stock, f"s:{size_l.id}:-1:0", OWNER)
        await press(desk, chat, stock, f"s:{size_l.id}:-1:0", OWNER)
        edited = desk.fake.message(chat, stock.message_id)
        assert (await Variant.get(id=size_l.id)).stock == 1
        assert "2. ▫️ Robe kabyle (Taille: L) — 1" in plain(edited.text)

        refused = await press(desk, chat, stock, f"s:{size_l.id}:-5:0", OWNER)
        assert refused == {
            "text": "Not possible: Robe kabyle (Taille: L) has 1 in stock.",
            "show_alert": True,
        }
        assert (await Variant.get(id=size_l.id)).stock == 1
    assert f"variant={m.id} delta=+1 stock=4 by=owner:{OWNER['id']}" in caplog.text


async def test_agents_adjust_stock_strangers_and_other_stores_cannot(db: str, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="bot.catalog_cmds")
    shop = await make_shop(stock=0, lang="en")
    other = await make_shop("autre", stock=9, lang="en")
    m = shop.variants[0]
    await settings.change_setting(shop.store, "agents_change_stock", True)  # granted
    async with running_desk() as desk:
        group = await desk.bind_group(shop.store, [OWNER, AGENT, STRANGER])
        stock = await ask(desk, group, AGENT, "/stock")
        assert "1. ⚠️ Robe kabyle (Taille: M) — 0" in plain(stock.text)

        await press(desk, group, stock, f"s:{m.id}:5:0", AGENT)
        assert (await Variant.get(id=m.id)).stock == 5
        assert "1. ▫️ Robe kabyle (Taille: M) — 5" in plain(
            desk.fake.message(group, stock.message_id).text
        )
        assert f"variant={m.id} delta=+5 stock=5 by=agent:{AGENT['id']}" in caplog.text

        await members.set_roster_mode(shop.store, True)  # only listed members count now
        refused = await press(desk, group, stock, f"s:{m.id}:-1:0", STRANGER)
        assert refused["text"].startswith("Sorry, only the store's team can use this.")
        assert (await Variant.get(id=m.id)).stock == 5

        foreign = other.variants[0]
        answer = await press_forged(desk, group, stock.message_id, f"s:{foreign.id}:-1:0")
        assert answer["text"].startswith("Sorry, only the store's team can use this.")
        assert (await Variant.get(id=foreign.id)).stock == 9
        for forged in (f"s:{m.id}:3:0", f"s:{m.id}:-50:0", "s:99999:1:0", f"s:{m.id}:1"):
            answer = await press_forged(desk, group, stock.message_id, forged)
            assert answer.get("show_alert"), forged
        assert (await Variant.get(id=m.id)).stock == 5


@pytest.mark.parametrize("command", ["/products", "/stock"])
async def test_an_unlinked_chat_is_told_how_to_join(db: str, command: str) -> None:
    await make_shop(lang="en")
    async with running_desk() as desk:
        chat = desk.fake.add_private_chat(STRANGER)
        reply = await ask(desk, chat, STRANGER, command)
        # No store and no Telegram language: the visitor reads the default language.
        assert reply.text == visitor_translator(None)(NO_STORE) and not reply.buttons


async def test_stock_pages_hold_eight_variants(db: str) -> None:
    shop = await make_shop(stock=2, lang="en")
    sizes = [catalog.VariantSpec({"Pointure": str(p)}, None, p) for p in range(36, 46)]
    await catalog.add_product(shop.store, "Babouches", 3000, sizes)
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        first = await ask(desk, chat, OWNER, "/stock")
        rows = [ln for ln in plain(first.text).splitlines() if ln[:1].isdigit()]
        assert len(rows) == 8 and rows[-1] == "8. ▫️ Babouches (Pointure: 41) — 41"
        assert first.callback_data[-2:] == [f"sp:{shop.store.id}:0:0", f"sp:{shop.store.id}:0:1"]

        await press(desk, chat, first, f"sp:{shop.store.id}:0:1", OWNER)
        second = desk.fake.message(chat, first.message_id)
        rows = [ln for ln in plain(second.text).splitlines() if ln[:1].isdigit()]
        assert rows == [f"{n}. ▫️ Babouches (Pointure: {n + 33}) — {n + 33}" for n in range(9, 13)]
        last_variant = await Variant.filter(product__name="Babouches").order_by("-id").first()
        assert last_variant is not None
        await press(desk, chat, second, f"s:{last_variant.id}:1:1", OWNER)
        assert "12. ▫️ Babouches (Pointure: 45) — 46" in plain(
            desk.fake.message(chat, first.message_id).text
        )


async def test_stock_is_the_owners_unless_agents_are_allowed(db: str) -> None:
    shop = await make_shop(stock=0, lang="en")
    m = shop.variants[0]
    not_allowed = "Only the owner changes the stock; the owner can allow agents in /settings."
    async with running_desk() as desk:
        await desk.bind(shop.store, OWNER)  # the owner, listed as such
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        listed = await ask(desk, group, AGENT, "/stock")
        assert not_allowed in plain(listed.text)
        assert not [d for d in listed.callback_data if d.startswith("s:")]  # the refresh only
        refused = await press_forged(desk, group, listed.message_id, f"s:{m.id}:5:0", AGENT)
        assert refused.get("show_alert") and refused["text"] == not_allowed
        typed = await ask(desk, group, AGENT, "/stock 1 +20")
        assert typed.text == not_allowed
        assert (await Variant.get(id=m.id)).stock == 0

        added = await ask(desk, group, OWNER, "/stock 1 +20")
        assert added.text == "Robe kabyle (Taille: M): 20 in stock"
        removed = await ask(desk, group, OWNER, "/stock 1 −3")
        assert removed.text == "Robe kabyle (Taille: M): 17 in stock"
        counted = await ask(desk, group, OWNER, "/stock 2 =7")
        assert counted.text == "Robe kabyle (Taille: L): 7 in stock"
        too_many = await ask(desk, group, OWNER, "/stock 1 -18")
        assert too_many.text == "Not possible: Robe kabyle (Taille: M) has 17 in stock."
        assert (await ask(desk, group, OWNER, "/stock 9 +1")).text.startswith("Line 9 is not")
        assert (await ask(desk, group, OWNER, "/stock lots")).text.startswith("Send /stock 3 +20")
        assert [v.stock for v in await Variant.filter(product_id=m.product_id).order_by("id")] == [
            17,
            7,
        ]

        await settings.change_setting(shop.store, "agents_change_stock", True)
        assert (await ask(desk, group, AGENT, "/stock 1 +1")).text.endswith(": 18 in stock")
