"""/stats in a chat: the figures of a known day, period buttons, the formatting rules, and
the chart sent as a photo under the figures (a PNG, its caption in the store's language)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.i18n import ALGIERS, money
from bot.stats import percent, stats_text
from models.calls import outcomes
from models.infra.clock import now
from models.orders import transitions
from models.orders.lifecycle import OrderStatus
from models.orders.stats import Period, PersonFigures, StoreStats
from models.orders.timeline import Actor
from models.shipping import manual
from models.stores import settings
from models.stores.tables import Store
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.bot.test_lists import ask, place, press_and_wait, said
from tests.factories import make_shop
from tests.fakes.telegram_api import StoredMessage

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts" / "bot"
NADIA = Actor("owner", str(OWNER["id"]), "Nadia")
YACINE = Actor("agent", str(AGENT["id"]), "Yacine")


async def ask_stats(
    desk: Desk, chat: int, user: dict[str, Any], text: str = "/stats"
) -> tuple[StoredMessage, StoredMessage]:
    """/stats and its two answers: the figures, then the chart."""
    reply = await ask(desk, chat, user, text)

    def chart() -> list[StoredMessage]:
        later = desk.fake.bot_messages(chat)
        return [m for m in later if m.photo and m.message_id > reply.message_id]

    await desk.fake.wait_for(lambda f: bool(chart()), timeout=20)
    return reply, chart()[0]


def png_of(desk: Desk, photo: StoredMessage, name: str = "stats") -> Image.Image:
    """The photo's PNG, checked whole, and kept in var/test-artefacts/bot/ to look at."""
    assert photo.photo is not None
    data = desk.fake.file_bytes(photo.photo[-1]["file_id"])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"{name}.png").write_bytes(data)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()  # a whole, valid PNG
    return image


def test_percent_rounds_half_up_and_shows_a_dash_for_nothing() -> None:
    assert [percent(r) for r in (None, 0.0, 2 / 3, 0.125, 0.005, 1.0)] == [
        "—",
        "0%",
        "67%",
        "13%",
        "1%",
        "100%",
    ]


def test_stats_text_escapes_names_and_says_when_no_one_called() -> None:
    shop_name = "<i>Chez Amina</i>"
    period = Period(
        "week", datetime(2026, 11, 20, 23, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)
    )
    empty = StoreStats(period, {}, {}, 0, 0)
    store = Store(id=1, slug="s", name=shop_name, lang="en")
    text = stats_text(empty, store)
    assert (
        text.splitlines()[0]
        == "📊 <b>&lt;i&gt;Chez Amina&lt;/i&gt;</b> · Last 7 days (21/11–27/11)"
    )
    assert "✅ Confirmation rate: — (0 confirmed, 0 cancelled)" in text
    assert "No calls logged in this period." in text

    busy = StoreStats(period, {"pending": 1}, {}, 0, 0, [PersonFigures("<Sara>", 3, 0)])
    assert "• &lt;Sara&gt; — calls: 3 · confirmations: 0" in stats_text(busy, store)


async def test_stats_of_today_in_the_chat_and_other_periods_by_button(db: str) -> None:
    shop = await make_shop(stock=20, lang="en")
    store = shop.store
    await place(shop, 1)  # A: waits for a call
    b = await place(shop, 2)  # B: confirmed by Yacine on the phone
    await outcomes.log_call(store, b, "confirmed", YACINE)
    c = await place(shop, 3)  # C: the customer cancelled (Yacine called)
    await outcomes.log_call(store, c, "customer_cancelled", YACINE)
    d = await place(shop, 4)  # D: confirmed by Nadia's button, shipped, delivered
    await transitions.transition_order(store, d, OrderStatus.CONFIRMED, NADIA)
    await manual.dispatch_order(store, d, NADIA, "TRK1")
    await transitions.transition_order(store, d, OrderStatus.DELIVERED, NADIA)
    await settings.change_setting(store, "agents_see_money", True)  # shown to the group

    async with running_desk() as desk:
        group = await desk.bind_group(store, [OWNER, AGENT])
        reply, chart = await ask_stats(desk, group, AGENT)

        day = now().astimezone(ALGIERS).strftime("%d/%m")
        assert said(reply).split("\n\nRates")[0] == "\n".join(
            [
                f"📊 Boutique shop · Today ({day})",
                "",
                "🧾 Orders placed: 4",
                "✅ Confirmation rate: 67% (2 confirmed, 1 cancelled)",
                "☎️ Awaiting a call: 1",
                "🚚 Delivery rate: 100% (1 of 1 shipped)",
                "↩️ Return rate: 0% (0 of 1 shipped)",
                "📦 On the way: 0",
                "",
                f"💰 Collected (delivered): {money(4900, 'en')}",
                f"📒 Booked (confirmed or later): {money(9800, 'en')}",
                "",
                "👥 Team",
                "• Yacine — calls: 2 · confirmations: 1",
                "• Nadia — calls: 0 · confirmations: 1",
            ]
        )
        assert reply.callback_data == [f"fg:{store.id}:t", f"fg:{store.id}:w", f"fg:{store.id}:m"]

        await press_and_wait(desk, group, reply, f"fg:{store.id}:m")
        month = desk.fake.message(group, reply.message_id)
        assert said(month).startswith("📊 Boutique shop · Last 30 days (")
        assert "🧾 Orders placed: 4" in said(month)

        assert png_of(desk, chart).format == "PNG"
        week, _ = await ask_stats(desk, group, AGENT, "/stats semaine")
        assert said(week).startswith("📊 Boutique shop · Last 7 days (")
        wrong = await ask(desk, group, AGENT, "/stats year")
        assert said(wrong) == "Send /stats today, /stats week or /stats month."


async def test_money_figures_are_the_owners_unless_shared(db: str) -> None:
    shop = await make_shop(stock=20, lang="en")
    store = shop.store
    d = await place(shop, 1)
    await transitions.transition_order(store, d, OrderStatus.CONFIRMED, NADIA)
    booked = f"📒 Booked (confirmed or later): {money(4900, 'en')}"
    hidden = "💰 Money figures: the owner reads them in a private chat."
    async with running_desk() as desk:
        owner_chat = await desk.bind(store, OWNER)
        agent_chat = await desk.bind(store, AGENT, role="agent")
        group = await desk.bind_group(store, [OWNER, AGENT])
        assert booked in said((await ask_stats(desk, owner_chat, OWNER))[0])
        for chat, who in ((agent_chat, AGENT), (group, AGENT), (group, OWNER)):
            text = said((await ask_stats(desk, chat, who))[0])
            assert hidden in text and "📒" not in text and "💰 Collected" not in text
        await settings.change_setting(store, "agents_see_money", True)
        assert booked in said((await ask_stats(desk, agent_chat, AGENT))[0])


CAPTIONS = {
    "ar": "📈 الطلبات حسب اليوم ونسبتا التأكيد والتسليم · آخر 7 أيام (",
    "fr": "📈 Commandes par jour, taux de confirmation et de livraison · 7 derniers jours (",
    "en": "📈 Orders per day, confirmation and delivery rates · Last 7 days (",
}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
async def test_the_chart_comes_as_a_png_captioned_in_the_stores_language(
    db: str, lang: str
) -> None:
    shop = await make_shop(stock=20, lang=lang)
    store = shop.store
    b = await place(shop, 1)
    await outcomes.log_call(store, b, "confirmed", YACINE)
    await place(shop, 2)
    async with running_desk() as desk:
        owner_chat = await desk.bind(store, OWNER)
        _, chart = await ask_stats(desk, owner_chat, OWNER)
        assert chart.caption is not None and chart.caption.startswith(CAPTIONS[lang])
        image = png_of(desk, chart, f"stats-{lang}")
        assert image.size == (880, 462)
        _, month = await ask_stats(desk, owner_chat, OWNER, "/stats month")
        first = (now().astimezone(ALGIERS) - timedelta(days=29)).strftime("%d/%m")
        assert month.caption is not None and f"({first}–" in month.caption
