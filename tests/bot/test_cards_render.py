"""The order card as Telegram shows it: customer text escaped (never markup), any number of
lines within 4096 characters, and the buttons each status allows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import MAX_BYTES
from bot.cards import render_card, render_text
from bot.i18n import translator
from bot.keyboards import (
    calls_keyboard,
    cancel_keyboard,
    dispatch_keyboard,
    main_keyboard,
    postpone_keyboard,
)
from models.catalog import products
from models.customers.registry import History, Risk, Standing
from models.infra.clock import now
from models.orders import intake, transitions
from models.orders.lifecycle import OrderStatus, allowed_targets, can_dispatch
from models.orders.tables import Order, OrderLine
from models.orders.timeline import Actor
from tests.bot.harness import OWNER, running_desk
from tests.factories import checkout, make_shop
from tests.fakes.telegram_html import parse_html, utf16_len

HOSTILE = '<b>bold</b> & <script>alert("x")</script> &amp; <a href="x">'
BIG_ID = 10**9 - 1  # the largest order id an IntField holds
BIG_VERSION = 10**9 - 1
S = OrderStatus


def an_order(**fields: object) -> Order:
    values: dict[str, object] = {
        "id": 42,
        "store_id": 1,
        "number": 1042,
        "customer_id": 1,
        "status": OrderStatus.PENDING,
        "version": 3,
        "name": "Amina Benali",
        "phone": "+213550123456",
        "wilaya_code": 16,
        "wilaya_code_58": 16,
        "commune_code": "1601",
        "commune_name": "Alger Centre",
        "address": "12 rue Didouche Mourad",
        "delivery_type": "home",
        "note": "",
        "subtotal": 4500,
        "delivery_fee": 400,
        "total": 4900,
        "fingerprint": "x",
    }
    values.update(fields)
    return Order(**values)


def a_line(name: str = "Robe kabyle", label: str = "Taille: M", quantity: int = 1) -> OrderLine:
    return OrderLine(
        order_id=42,
        variant_id=1,
        product_name=name,
        variant_label=label,
        sku="RK-M",
        unit_price=4500,
        quantity=quantity,
    )


def shown(order: Order, lines: list[OrderLine], lang: str = "fr") -> str:
    """What the person reads: the card parsed as Telegram parses HTML (raises on bad HTML)."""
    text, entities = parse_html(render_text(order, lines, lang))
    assert len(entities) <= 100
    return text


async def test_every_customer_field_is_shown_as_typed_never_as_markup(db: str) -> None:
    order = an_order(name=HOSTILE, address=HOSTILE, note=HOSTILE, commune_name=HOSTILE)
    text = shown(order, [a_line(name=HOSTILE, label="<M> & <L>")])
    assert text.count(HOSTILE) >= 4  # name, address, note, product
    assert f"{HOSTILE} (<M> & <L>)" in text
    html = render_text(order, [a_line(name=HOSTILE)], "fr")
    assert "<script>" not in html and "<b>bold" not in html


async def test_claimer_and_courier_text_is_escaped_too(db: str) -> None:
    order = an_order(
        claimed_by_id="7",
        claimed_by_name="<i>Sara</i>",
        claim_expires_at=now() + timedelta(minutes=5),
    )
    assert "<i>Sara</i>" in shown(order, [a_line()])
    shipped = an_order(status=OrderStatus.SHIPPED, courier="<x>", tracking="A&B")
    text = shown(shipped, [a_line()])
    assert "<x>" in text and "A&B" in text


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_two_hundred_lines_fit_4096_characters_and_are_summarised(db: str, lang: str) -> None:
    long_name = "🧕 Robe kabyle brodée <main> & fils d'or " * 4
    lines = [a_line(name=f"{long_name} {i}", quantity=2) for i in range(200)]
    order = an_order(name="ن" * 120, address="🏠" * 500, note="📝&<" * 166)
    text = shown(order, lines, lang)
    assert utf16_len(text) <= 4096
    _ = translator(lang)
    shown_lines = [line for line in text.split("\n") if line.startswith("•")]
    summary = _(
        "… and %(count)s more lines (%(units)s items)",
        count=200 - len(shown_lines),
        units=2 * (200 - len(shown_lines)),
    )
    assert summary in text
    assert 0 < len(shown_lines) < 200


async def test_a_short_order_shows_all_its_lines(db: str) -> None:
    lines = [a_line(name=f"Article {i}") for i in range(5)]
    text = shown(an_order(), lines)
    assert all(f"Article {i}" in text for i in range(5))
    assert "…" not in text


def actions(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", None) or []
    return [str(b.callback_data).split(":")[2] for row in rows for b in row]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (OrderStatus.PENDING, ["cf", "na", "bz", "ur", "cm", "cl", "cx", "ed", "tl"]),
        (OrderStatus.CONFIRMED, ["pr", "dm", "cx", "ed", "tl"]),
        (OrderStatus.PROCESSING, ["dm", "cx", "ed", "tl"]),
        (OrderStatus.SHIPPED, ["dv", "rt", "cx", "tl"]),
        (OrderStatus.DELIVERED, ["rt", "tl"]),
        # Terminal: only the timeline, which changes nothing (no stale press can do harm).
        (OrderStatus.CANCELLED, ["tl"]),
        (OrderStatus.RETURNED, ["tl"]),
    ],
)
async def test_buttons_follow_the_status_and_end_with_the_order(
    db: str, status: OrderStatus, expected: list[str]
) -> None:
    card = render_card(an_order(status=status), [a_line()], "fr")
    assert actions(card.markup) == expected


async def test_a_claimed_order_offers_release_instead_of_claim(db: str) -> None:
    order = an_order(claimed_by_id="7", claimed_by_name="Sara", claim_expires_at=now())
    expected = ["cf", "na", "bz", "ur", "cm", "rl", "cx", "ed", "tl"]
    assert actions(main_keyboard(order, "fr")) == expected


def rows(markup: object) -> list[list[str]]:
    return [
        [str(b.callback_data).split(":")[2] for b in row]
        for row in getattr(markup, "inline_keyboard", None) or []
    ]


@pytest.mark.parametrize(
    ("status", "courier", "expected"),
    [
        (S.PENDING, "", [["cf", "na"], ["bz", "ur"], ["cm", "cl"], ["cx"], ["ed", "tl"]]),
        (S.CONFIRMED, "", [["pr", "dm"], ["cx"], ["ed", "tl"]]),
        (S.PROCESSING, "", [["dm", "cx"], ["ed", "tl"]]),
        # The courier channel is creating the parcel: neither a second dispatch nor an edit.
        (S.PROCESSING, "yalidine", [["cx"], ["tl"]]),
        (S.SHIPPED, "yalidine", [["dv", "rt"], ["cx"], ["tl"]]),
        (S.DELIVERED, "", [["rt"], ["tl"]]),
    ],
)
async def test_the_buttons_keep_their_rows(
    db: str, status: OrderStatus, courier: str, expected: list[list[str]]
) -> None:
    assert rows(main_keyboard(an_order(status=status, courier=courier), "fr")) == expected


# The card's buttons that lead to a status (the two-tap ones ask first, then move there).
LEADS_TO = {"cf": S.CONFIRMED, "pr": S.PROCESSING, "dv": S.DELIVERED, "rt": S.RETURNED}


@pytest.mark.parametrize("status", list(S))
async def test_a_card_offers_what_the_lifecycle_table_allows_and_nothing_else(
    db: str, status: OrderStatus
) -> None:
    offered = set(actions(main_keyboard(an_order(status=status), "fr")))
    allowed = set(allowed_targets(status))
    assert {LEADS_TO[a] for a in offered if a in LEADS_TO} == allowed - {S.CANCELLED, S.SHIPPED}
    assert ("cx" in offered) is (S.CANCELLED in allowed)
    assert ("dm" in offered) is can_dispatch(status)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
@pytest.mark.parametrize(
    "build", [main_keyboard, calls_keyboard, postpone_keyboard, cancel_keyboard, dispatch_keyboard]
)
async def test_every_button_fits_telegram_with_the_largest_ids(
    db: str, build: object, lang: str
) -> None:
    order = an_order(id=BIG_ID, version=BIG_VERSION, number=10**9 - 1)
    markup = build(order, lang)  # type: ignore[operator]
    rows = markup.inline_keyboard
    assert sum(len(row) for row in rows) <= 100 and all(len(row) <= 8 for row in rows)
    for row in rows:
        for button in row:
            data = button.callback_data
            assert data.isascii() and 1 <= len(data.encode()) <= MAX_BYTES
            assert f":{BIG_VERSION}" in data and str(BIG_ID) in data


async def test_hostile_customer_text_reaches_both_chats_as_typed(db: str) -> None:
    shop = await make_shop(stock=5)
    product = await products.add_product(
        shop.store, "<Robe> & <i>Co</i>", 3000, [products.VariantSpec({}, None, 5)]
    )
    variant = (await product.variants.all())[0]
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER])
        placed = await intake.place_order(
            shop.store,
            checkout(variant.id, 1, name="<b>Amina</b> & Co", address="Rue <5> & fils", note="<3"),
        )
        await desk.settle()
        for chat in (owner_chat, group):
            card = desk.card(chat, placed.order.number).text
            assert "<b>Amina</b> & Co" in card and "Rue <5> & fils" in card
            assert "<Robe> & <i>Co</i>" in card and "📝 <3" in card
        refused = [r for r in desk.fake.calls("sendMessage") if not r.ok]
        assert refused == []


# --- the customer's history and mark -------------------------------------------------------


def with_standing(standing: Standing, lang: str = "en") -> list[str]:
    """The card's lines as the person reads them, for an order of a customer so placed."""
    text, _entities = parse_html(render_text(an_order(), [a_line()], lang, standing=standing))
    return text.split("\n")


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
async def test_a_first_time_customer_is_marked_new_under_the_phone(db: str, lang: str) -> None:
    lines = with_standing(Standing(History(), Risk.NEW), lang)
    assert lines[2].startswith("📞") and lines[3] == "🌱 " + translator(lang)("new customer")


async def test_the_history_counts_add_up_to_the_earlier_orders_and_end_with_the_mark(
    db: str,
) -> None:
    history = History(orders=6, open=1, delivered=2, returned=1, cancelled=2, fake=1)
    lines = with_standing(Standing(history, Risk.RISKY))
    assert lines[3] == (
        "🧾 Earlier orders: 6 · open: 1 · delivered: 2 · returned: 1 · fake: 1 · "
        "cancelled: 1 · ⚠️ risky"
    )
    trusted = with_standing(Standing(History(orders=2, delivered=2), Risk.TRUSTED))
    assert trusted[3] == "🧾 Earlier orders: 2 · delivered: 2 · ⭐ trusted customer"


async def test_a_blacklisted_customer_shows_the_reason_as_typed(db: str) -> None:
    lines = with_standing(Standing(History(), Risk.BLACKLISTED, HOSTILE))
    assert lines[3] == f"⛔ blacklisted: {HOSTILE}"
    html = render_text(an_order(), [a_line()], "en", standing=Standing(History(), Risk.WATCH))
    assert "👀 to watch" in html


async def test_a_returning_customer_card_shows_the_history_and_a_blacklisting_updates_it(
    db: str,
) -> None:
    shop = await make_shop(stock=20)
    for days in (20, 10):
        earlier = await intake.place_order(shop.store, checkout(shop.variants[0].id))
        for status in ("confirmed", "processing", "shipped", "delivered"):
            await transitions.transition_order(
                shop.store, earlier.order.number, OrderStatus(status), Actor("system")
            )
        await Order.filter(id=earlier.order.id).update(created_at=now() - timedelta(days=days))
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        placed = await intake.place_order(shop.store, checkout(shop.variants[0].id))
        await desk.settle()
        _ = translator("fr")
        card = desk.card(owner_chat, placed.order.number).text or ""
        line = "🧾 " + " · ".join(
            [
                _("Earlier orders: %(n)s", n=2),
                _("delivered: %(n)s", n=2),
                "⭐ " + _("trusted customer"),
            ]
        )
        assert line in card.split("\n")
        await desk.say(owner_chat, OWNER, "/blacklist 0550123456 colis refusé")
        await desk.settle()
        card = desk.card(owner_chat, placed.order.number).text or ""
        assert "⛔ " + _("blacklisted") + ": colis refusé" in card
