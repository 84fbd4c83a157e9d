"""/export (owner): period buttons and a format switch, typed periods in three languages,
the file sent as a document with its figures, nothing sent for an empty period, and no
file for anyone but the owner. The export files speak the bot's words for statuses and
call outcomes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest

from bot import export_cmd
from bot.i18n import OUTCOME, STATUS, translator
from bot.team_cmds import ONLY_OWNER
from i18n import LANGS
from models.errors import InvalidInput
from models.exports import labels as export_labels
from models.exports.reading import ExportPeriod, ExportTotals, PeriodTooLong
from models.stores.tables import Store
from tests.bot.harness import AGENT, OWNER, Desk, running_desk
from tests.bot.test_lists import ask
from tests.fakes.telegram_api import StoredMessage
from tests.models.test_exports import FR_HEADERS, expected_fr, known_orders

_ = translator("fr")  # the known set's store speaks French
TODAY = date(2026, 11, 27)
# 11:00 in Algiers on 28/11: "Last 7 days" is 22–28/11, order A (21/11 00:00) is out.
SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("lang", LANGS)
def test_files_name_statuses_and_outcomes_as_the_bot_does(lang: str) -> None:
    bot_words = translator(lang)
    assert export_labels.STATUS[lang] == {k: bot_words(v) for k, v in STATUS.items()}
    assert export_labels.OUTCOME[lang] == {k: bot_words(v) for k, v in OUTCOME.items()}
    delivery = {"home": bot_words("Home delivery"), "desk": bot_words("Stop desk")}
    assert export_labels.DELIVERY[lang] == delivery


@pytest.mark.parametrize(
    ("args", "first", "last", "fmt"),
    [
        ([], date(2026, 11, 21), TODAY, "xlsx"),
        (["week"], date(2026, 11, 21), TODAY, "xlsx"),
        (["semaine", "CSV"], date(2026, 11, 21), TODAY, "csv"),
        (["اليوم"], TODAY, TODAY, "xlsx"),
        (["hier"], date(2026, 11, 26), date(2026, 11, 26), "xlsx"),
        (["month", "excel"], date(2026, 11, 1), TODAY, "xlsx"),
        (["الشهر", "الماضي"], date(2026, 10, 1), date(2026, 10, 31), "xlsx"),
        (["mois", "dernier", "csv"], date(2026, 10, 1), date(2026, 10, 31), "csv"),
        (["2026-11-01..2026-11-15", "csv"], date(2026, 11, 1), date(2026, 11, 15), "csv"),
        (["2026-11-01", "2026-11-15"], date(2026, 11, 1), date(2026, 11, 15), "xlsx"),
        (["2026-10"], date(2026, 10, 1), date(2026, 10, 31), "xlsx"),
    ],
)
def test_typed_periods_in_three_languages(
    args: list[str], first: date, last: date, fmt: str
) -> None:
    asked = export_cmd.parse_args(args, TODAY)
    assert (asked.period.first, asked.period.last, asked.format) == (first, last, fmt)


@pytest.mark.parametrize(
    "args", [["fortnight"], ["week", "csv", "xlsx"], ["2026-11-15..2026-11-01"], ["a", "b", "c"]]
)
def test_what_is_not_a_period_is_refused(args: list[str]) -> None:
    with pytest.raises(InvalidInput):
        export_cmd.parse_args(args, TODAY)


def test_more_than_a_year_is_refused_as_such() -> None:
    with pytest.raises(PeriodTooLong):
        export_cmd.parse_args(["2025-01-01..2026-11-27"], TODAY)


def test_the_caption_gives_the_period_and_the_figures() -> None:
    store = Store(id=1, slug="s", name="<b>Chez Amina</b>", lang="fr")
    totals = ExportTotals(
        orders=3,
        total=20400,
        by_status={"delivered": (1, 5400), "returned": (1, 4900), "pending": (1, 10100)},
    )
    week = ExportPeriod(date(2026, 11, 21), date(2026, 11, 27), "week")
    assert export_cmd.caption(store, week, totals, _).splitlines() == [
        "📤 <b>&lt;b&gt;Chez Amina&lt;/b&gt;</b> · 7 derniers jours (21/11/2026–27/11/2026)",
        "🧾 Commandes : 3 · total 20\u202f400\u00a0DA",
        "🎉 Livrées : 1 · 5\u202f400\u00a0DA",
        "❌ Annulées ou retournées : 1",
    ]
    one_day = ExportPeriod(date(2026, 11, 5), date(2026, 11, 5))
    assert export_cmd.period_text(one_day, _) == "05/11/2026"


# --- in a chat ---------------------------------------------------------------------------


async def command(desk: Desk, chat: int, user: dict[str, Any], text: str) -> StoredMessage:
    """Type a command; the bot's answer (a document or a text; order cards the sender
    posts meanwhile are not answers)."""
    return await ask(desk, chat, user, text)


def documents(desk: Desk, chat: int) -> list[StoredMessage]:
    return [m for m in desk.fake.bot_messages(chat) if m.document is not None]


async def next_document(desk: Desk, chat: int, before: int) -> StoredMessage:
    await desk.fake.wait_for(lambda f: len(documents(desk, chat)) > before, 15)
    return documents(desk, chat)[before]


async def test_typed_dates_bring_the_xlsx_with_its_figures(db: str) -> None:
    known = await known_orders()
    async with running_desk() as desk:
        chat = await desk.bind(known.shop.store, OWNER)
        sent = await command(desk, chat, OWNER, "/export 2026-11-21..2026-11-27")
        assert sent.document is not None
        assert sent.document["file_name"] == "hanout-shop-orders-2026-11-21_2026-11-27.xlsx"
        assert (sent.caption or "").splitlines() == [
            "📤 Boutique shop · 21/11/2026–27/11/2026",
            "🧾 Commandes : 5 · total 39\u202f550\u00a0DA",
            "🎉 Livrées : 1 · 5\u202f400\u00a0DA",
            "❌ Annulées ou retournées : 1",
        ]
        data = desk.fake.file_bytes(sent.document["file_id"])
        book = openpyxl.load_workbook(io.BytesIO(data))
        rows = [list(r) for r in book["Commandes"].iter_rows(values_only=True)]
        assert rows == [FR_HEADERS, *await expected_fr(known)]
        assert desk.fake.calls("sendChatAction")[-1].params["action"] == "upload_document"


async def test_the_buttons_choose_the_format_then_the_period(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_cmd, "now", lambda: SATURDAY)
    known = await known_orders()
    async with running_desk() as desk:
        chat = await desk.bind(known.shop.store, OWNER)
        menu = await command(desk, chat, OWNER, "/export")
        assert (menu.text or "").startswith("📤 Exporter les commandes de Boutique shop")
        labels = [b["text"] for b in menu.buttons]
        assert labels == [
            "Aujourd'hui",
            "Hier",
            "7 derniers jours",
            "Ce mois-ci",
            "Le mois dernier",
            "• XLSX (Excel)",
            "CSV",
        ]
        assert all(len(d.encode()) <= 64 for d in menu.callback_data)
        csv_switch = next(b["callback_data"] for b in menu.buttons if b["text"] == "CSV")
        await desk.press(chat, menu.message_id, csv_switch, OWNER)
        await desk.fake.wait_for(
            lambda f: "• CSV" in [b["text"] for b in f.message(chat, menu.message_id).buttons]
        )
        menu = desk.fake.message(chat, menu.message_id)
        week = next(b["callback_data"] for b in menu.buttons if b["text"] == "7 derniers jours")
        query = await desk.press(chat, menu.message_id, week, OWNER)
        assert desk.fake.query(query).answer == {"text": "Préparation du fichier…"}
        sent = await next_document(desk, chat, 0)
        assert sent.document is not None
        assert sent.document["file_name"] == "hanout-shop-orders-2026-11-22_2026-11-28.csv"
        assert (sent.caption or "").splitlines()[0] == (
            "📤 Boutique shop · 7 derniers jours (22/11/2026–28/11/2026)"
        )
        text = desk.fake.file_bytes(sent.document["file_id"]).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == FR_HEADERS
        assert [int(r[0]) for r in rows[1:]] == known.numbers[1:5]


async def test_an_empty_period_gets_a_sentence_not_a_file(db: str) -> None:
    known = await known_orders()
    async with running_desk() as desk:
        chat = await desk.bind(known.shop.store, OWNER)
        reply = await command(desk, chat, OWNER, "/export 2026-10")
        assert reply.document is None
        assert reply.text == (
            "📭 Aucune commande passée sur cette période : 01/10/2026–31/10/2026."
        )
        assert not documents(desk, chat)


async def test_bad_periods_are_explained(db: str) -> None:
    known = await known_orders()
    async with running_desk() as desk:
        chat = await desk.bind(known.shop.store, OWNER)
        reply = await command(desk, chat, OWNER, "/export fortnight")
        assert reply.text == _(export_cmd.USAGE)
        reply = await command(desk, chat, OWNER, "/export 2025-01-01..2026-11-27")
        assert reply.text == (
            "⚠️ 366 jours au plus par fichier : exportez une longue période en plusieurs fichiers."
        )
        assert not documents(desk, chat)


async def test_only_the_owner_gets_the_file(db: str) -> None:
    known = await known_orders()
    async with running_desk() as desk:
        await desk.bind(known.shop.store, OWNER)
        group = await desk.bind_group(known.shop.store, [AGENT, OWNER])
        reply = await command(desk, group, AGENT, "/export week")
        assert reply.text == _(ONLY_OWNER)
        menu = await command(desk, group, OWNER, "/export")
        week = next(b["callback_data"] for b in menu.buttons if b["text"] == "7 derniers jours")
        query = await desk.press(group, menu.message_id, week, AGENT)
        answer = desk.fake.query(query).answer or {}
        assert answer == {"text": _(ONLY_OWNER), "show_alert": True}
        forged = desk.fake.press(group, menu.message_id, "ex:99:w:x", OWNER, check_button=False)
        forged_id = forged["callback_query"]["id"]
        await desk.fake.send_update(forged)
        await desk.fake.wait_for(lambda f: f.query(forged_id).answered, timeout=10)
        assert (desk.fake.query(forged_id).answer or {}).get("show_alert") is True
        await desk.settle()
        assert not documents(desk, group)
