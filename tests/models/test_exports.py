"""Order exports: periods in Algiers days, the rows of a known set of orders, and the files
read back — the XLSX with openpyxl cell by cell, the CSV with the csv module."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from couriers.base import ParcelStatus
from models.calls import outcomes
from models.errors import InvalidInput
from models.exports import labels
from models.exports.files import ExportRequest, write_export
from models.exports.labels import Labels
from models.exports.reading import (
    MAX_DAYS,
    ExportPeriod,
    PeriodTooLong,
    export_rows,
    local_today,
    parse_period,
)
from models.orders import transitions
from models.orders.checkout import CheckoutRequest, LineRequest
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.shipping import manual
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from tests.factories import Shop, checkout, make_shop

NADIA = Actor("owner", "1001", "Nadia")
YACINE = Actor("agent", "2002", "Yacine")
TODAY = date(2026, 11, 27)  # a Friday
WEEK = ExportPeriod(date(2026, 11, 21), date(2026, 11, 27), "week")
FORMULA = '=HYPERLINK("http://x.test","clic")'


# --- periods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "first", "last"),
    [
        ("today", TODAY, TODAY, TODAY),
        ("yesterday", TODAY, date(2026, 11, 26), date(2026, 11, 26)),
        ("week", TODAY, date(2026, 11, 21), TODAY),
        ("month", TODAY, date(2026, 11, 1), TODAY),
        ("last-month", TODAY, date(2026, 10, 1), date(2026, 10, 31)),
        ("last-month", date(2027, 1, 3), date(2026, 12, 1), date(2026, 12, 31)),
        ("yesterday", date(2027, 3, 1), date(2027, 2, 28), date(2027, 2, 28)),
        ("yesterday", date(2028, 3, 1), date(2028, 2, 29), date(2028, 2, 29)),
        ("month", date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 1)),
        ("week", date(2027, 1, 2), date(2026, 12, 27), date(2027, 1, 2)),
        (" Week ", TODAY, date(2026, 11, 21), TODAY),
        ("2026-02", TODAY, date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", TODAY, date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", TODAY, date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-11-05", TODAY, date(2026, 11, 5), date(2026, 11, 5)),
        ("2026-11-01..2026-11-15", TODAY, date(2026, 11, 1), date(2026, 11, 15)),
        ("2026-11-01 .. 2026-11-01", TODAY, date(2026, 11, 1), date(2026, 11, 1)),
        ("2027-01-01..2028-01-01", TODAY, date(2027, 1, 1), date(2028, 1, 1)),  # 366 days
    ],
)
def test_periods_are_algiers_days_both_ends_included(
    text: str, today: date, first: date, last: date
) -> None:
    period = parse_period(text, today)
    assert (period.first, period.last) == (first, last)


def test_named_periods_keep_their_name_and_dates_have_none() -> None:
    assert parse_period("last-month", TODAY).name == "last-month"
    assert parse_period("2026-11-01..2026-11-02", TODAY).name == ""
    assert parse_period("2026-11-01..2026-11-02", TODAY).label == "2026-11-01_2026-11-02"
    assert parse_period("today", TODAY).label == "2026-11-27"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fortnight", "unknown period 'fortnight'"),
        ("", "unknown period"),
        ("2026-11-15..2026-11-01", "the first day (2026-11-15) is after the last one"),
        ("2026-02-30", "2026-02-30 is not a day of the calendar"),
        ("2026-13", "2026-13 is not a month"),
        ("2026-1-5", "unknown period"),
        ("2026-11-01..", "'' is not a date written YYYY-MM-DD"),
        ("2026-11-01..tomorrow", "'tomorrow' is not a date"),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(text, TODAY)
    assert says in str(refused.value)


def test_more_than_a_year_at_once_is_refused_not_cut() -> None:
    with pytest.raises(PeriodTooLong) as refused:
        parse_period("2026-01-01..2027-01-02", TODAY)  # 367 days
    assert f"at most {MAX_DAYS} days" in str(refused.value)


def test_period_bounds_are_algiers_midnights_in_utc() -> None:
    period = parse_period("2026-11-27", TODAY)
    # Algiers is UTC+1 all year: its midnight is 23:00 UTC the day before.
    assert period.start == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert local_today(datetime(2026, 11, 26, 22, 59, tzinfo=UTC)) == date(2026, 11, 26)
    assert local_today(datetime(2026, 11, 26, 23, 0, tzinfo=UTC)) == date(2026, 11, 27)


# --- a known set of orders ---------------------------------------------------------------


@dataclass
class Known:
    shop: Shop
    numbers: list[int]
    other: Shop


async def _at(shop: Shop, number: int, moment: datetime) -> Order:
    """The order was placed at `moment` (UTC)."""
    await Order.filter(store_id=shop.store.id, number=number).update(created_at=moment)
    return await Order.get(store_id=shop.store.id, number=number)


async def _place(shop: Shop, request: CheckoutRequest) -> int:
    return (await place_order(shop.store, request)).order.number


async def known_orders(lang: str = "fr") -> Known:
    """Five orders of the week 21–27/11/2026 and one outside it, plus another store's:

    A 1001 pending, one no-answer (Yacine) · 1×M 4500 + 400 home Alger
    B 1002 confirmed by phone (Yacine) · 2×L 9600 + 400
    C 1003 two lines 1×M + 2×L = 14100 + 400, confirmed by Nadia, shipped with Yalidine,
      the courier failed a delivery attempt; its fee 350
    D 1004 stop desk Alger 1×M 4500 + 250, a formula as name, cancelled by the customer
    E 1005 home Oran 1×L 4800 + 600, shipped by hand and delivered
    F 1006 placed 20/11 at 23:30 local (before the week) · 1×M
    """
    shop = await make_shop(stock=50, lang=lang)
    m, size_l = shop.variants[0].id, shop.variants[1].id
    store = shop.store
    a = await _place(shop, checkout(m, 1, name="Client A", phone="0550 00 00 01"))
    await outcomes.log_call(store, a, "no_answer", YACINE)
    b = await _place(shop, checkout(size_l, 2, name="Client B", phone="0550 00 00 02"))
    await outcomes.log_call(store, b, "confirmed", YACINE)
    two_lines = checkout(m, 1, name="Client C", phone="0550 00 00 03", note="Sonnez deux fois")
    two_lines.lines.append(LineRequest(size_l, None, 2))
    c = await _place(shop, two_lines)
    await transitions.transition_order(store, c, OrderStatus.CONFIRMED, NADIA)
    await manual.dispatch_order(store, c, NADIA, "yal-ABC123", courier="yalidine")
    shipment = await Shipment.get(order__number=c, order__store_id=store.id)
    await Shipment.filter(id=shipment.id).update(fee=350)
    attempted = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    await apply_parcel_status(
        shipment.id, "delivery_attempted", "Tentative échouée", "Client absent", at=attempted
    )
    d = await _place(
        shop,
        checkout(m, 1, name=FORMULA, phone="0550 00 00 04", delivery_type="desk"),
    )
    await outcomes.log_call(store, d, "customer_cancelled", YACINE)
    e = await _place(
        shop,
        checkout(size_l, 1, name="Client E", phone="0661 23 45 67", wilaya="31", commune="3101"),
    )
    await transitions.transition_order(store, e, OrderStatus.CONFIRMED, NADIA)
    await manual.dispatch_order(store, e, NADIA, "MAN-77")
    await transitions.transition_order(store, e, OrderStatus.DELIVERED, NADIA)
    f = await _place(shop, checkout(m, 1, name="Client F", phone="0550 00 00 06"))
    moments = [
        datetime(2026, 11, 20, 23, 0, tzinfo=UTC),  # 21/11 00:00 in Algiers: inside
        datetime(2026, 11, 22, 9, 15, tzinfo=UTC),
        datetime(2026, 11, 24, 17, 45, tzinfo=UTC),
        datetime(2026, 11, 26, 8, 5, tzinfo=UTC),
        datetime(2026, 11, 27, 22, 59, 59, tzinfo=UTC),  # 27/11 23:59:59 local: inside
        datetime(2026, 11, 20, 22, 30, tzinfo=UTC),  # 20/11 23:30 local: outside
    ]
    numbers = [a, b, c, d, e, f]
    for number, moment in zip(numbers, moments, strict=True):
        await _at(shop, number, moment)
    other = await make_shop("other", lang=lang)
    placed = await _place(other, checkout(other.variants[0].id, 1, name="Someone Else"))
    await _at(other, placed, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    return Known(shop, numbers, other)


def _local(moment: datetime) -> datetime:
    return (moment + timedelta(hours=1)).replace(tzinfo=None, microsecond=0)


async def _stamps(shop: Shop, number: int) -> tuple[datetime, datetime | None, datetime | None]:
    """When the order was last updated, confirmed and cancelled, as the file shows them
    (local)."""
    order = await Order.get(store_id=shop.store.id, number=number)
    confirmed = await OrderEvent.filter(
        order_id=order.id, type="status_changed", to_status="confirmed"
    ).first()
    cancelled = _local(order.cancelled_at) if order.cancelled_at else None
    return _local(order.updated_at), _local(confirmed.at) if confirmed else None, cancelled


FR_HEADERS = [
    "Commande",
    "Date de commande",
    "Statut",
    "Client",
    "Téléphone",
    "Wilaya",
    "Commune",
    "Adresse",
    "Livraison",
    "Articles",
    "Quantité",
    "Sous-total (DA)",
    "Frais de livraison (DA)",
    "Total (DA)",
    "Appels",
    "Dernier appel",
    "Confirmée par",
    "Confirmée le",
    "Livreur",
    "N° de suivi",
    "Stop desk choisi",
    "Statut du colis",
    "Statut du colis le",
    "Message du livreur",
    "Frais du livreur (DA)",
    "Motif d'annulation",
    "Annulée par",
    "Annulée le",
    "Note du client",
    "Dernière mise à jour",
]


async def expected_fr(known: Known) -> list[list[object]]:
    """The Orders sheet's rows of the week, worked out by hand (times read back from the
    database where the use cases set them)."""
    shop = known.shop
    a, b, c, d, e = known.numbers[:5]
    address = "12 rue Didouche Mourad"
    robe_m, robe_l = "Robe kabyle (Taille: M)", "Robe kabyle (Taille: L)"
    rows: list[list[object]] = [
        [a, datetime(2026, 11, 21, 0, 0), "En attente", "Client A", "0550 00 00 01"],
        [b, datetime(2026, 11, 22, 10, 15), "Confirmée", "Client B", "0550 00 00 02"],
        [c, datetime(2026, 11, 24, 18, 45), "Expédiée", "Client C", "0550 00 00 03"],
        [d, datetime(2026, 11, 26, 9, 5), "Annulée", FORMULA, "0550 00 00 04"],
        [e, datetime(2026, 11, 27, 23, 59, 59), "Livrée", "Client E", "0661 23 45 67"],
    ]
    place: list[list[object]] = [
        ["16 - Alger", "Alger-centre", address, "Livraison à domicile"],
        ["16 - Alger", "Alger-centre", address, "Livraison à domicile"],
        ["16 - Alger", "Alger-centre", address, "Livraison à domicile"],
        ["16 - Alger", "Alger-centre", address, "Stop desk"],
        ["31 - Oran", "Oran", address, "Livraison à domicile"],
    ]
    goods: list[list[object]] = [
        [f"{robe_m} ×1", 1, 4500, 400, 4900],
        [f"{robe_l} ×2", 2, 9600, 400, 10000],
        [f"{robe_m} ×1; {robe_l} ×2", 3, 14100, 400, 14500],
        [f"{robe_m} ×1", 1, 4500, 250, 4750],
        [f"{robe_l} ×1", 1, 4800, 600, 5400],
    ]
    calls_: list[list[object]] = [
        [1, "Pas de réponse"],
        [1, "Confirmée par téléphone"],
        [0, None],
        [1, "Annulée par le client"],
        [0, None],
    ]
    attempted = datetime(2026, 11, 25, 16, 30)
    parcels: list[list[object]] = [
        [None, None, None, None, None, None, None],
        [None, None, None, None, None, None, None],
        [
            "Yalidine",
            "yal-ABC123",
            None,
            "Échec de livraison",
            attempted,
            "Tentative échouée — Client absent",
            350,
        ],
        [None, None, None, None, None, None, None],
        ["Livraison manuelle", "MAN-77", None, None, None, None, None],
    ]
    # D was cancelled on the phone by the customer, Yacine logging the call.
    cancels: list[list[object]] = [[None, None]] * 3 + [
        ["Refus du client", "Yacine (agent)"],
        [None, None],
    ]
    who = ["", "Yacine", "Nadia", "", "Nadia"]
    notes = [None, None, "Sonnez deux fois", None, None]
    expected = []
    for i, number in enumerate(known.numbers[:5]):
        updated, confirmed, cancelled = await _stamps(shop, number)
        expected.append(
            [
                *rows[i],
                *place[i],
                *goods[i],
                *calls_[i],
                who[i] or None,
                confirmed,
                *parcels[i],
                *cancels[i],
                cancelled,
                notes[i],
                updated,
            ]
        )
    return expected


# --- rows --------------------------------------------------------------------------------


async def test_rows_are_the_store_s_orders_of_the_period_oldest_first(db: str) -> None:
    known = await known_orders()
    chunks = [rows async for rows in export_rows(known.shop.store, WEEK, chunk=2)]
    assert [len(rows) for rows in chunks] == [2, 2, 1]
    numbers = [row.order.number for rows in chunks for row in rows]
    assert numbers == known.numbers[:5]  # F is the day before; the other store's is not here
    c = chunks[1][0]
    assert [(line.sku, line.quantity) for line in c.lines] == [
        (known.shop.variants[0].sku, 1),
        (known.shop.variants[1].sku, 2),
    ]
    assert c.quantity == 3 and c.shipment is not None and c.shipment.tracking == "yal-ABC123"
    assert c.confirmation is not None and c.confirmation.actor_name == "Nadia"
    day_before = ExportPeriod(date(2026, 11, 20), date(2026, 11, 20))
    before = [
        r.order.number async for rows in export_rows(known.shop.store, day_before) for r in rows
    ]
    assert before == [known.numbers[5]]


async def test_a_status_keeps_only_the_orders_now_in_it(db: str) -> None:
    known = await known_orders()
    rows = [
        r.order.number
        async for chunk in export_rows(known.shop.store, WEEK, OrderStatus.CONFIRMED)
        for r in chunk
    ]
    assert rows == [known.numbers[1]]


async def test_queries_do_not_grow_with_the_number_of_orders(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """One query for the ids, then the same four per chunk whatever its size."""
    known = await known_orders()

    async def queries(chunk: int) -> int:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            async for _ in export_rows(known.shop.store, WEEK, chunk=chunk):
                pass
        return len([r for r in caplog.records if r.name == "tortoise.db_client"])

    assert await queries(10) == 1 + 4  # the ids, then orders, lines, parcels, confirmations
    assert await queries(5) == 1 + 4
    assert await queries(2) == 1 + 3 * 4


# --- the files ---------------------------------------------------------------------------


async def _xlsx(known: Known, lang: str = "fr", **kwargs: object) -> openpyxl.Workbook:
    out = io.BytesIO()
    request = ExportRequest(known.shop.store, WEEK, "xlsx", lang, **kwargs)  # type: ignore[arg-type]
    await write_export(request, out, datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


async def test_the_xlsx_opens_with_openpyxl_and_matches_the_orders_cell_by_cell(
    db: str,
) -> None:
    known = await known_orders()
    book = await _xlsx(known)
    assert book.sheetnames == ["Commandes", "Articles", "Résumé"]
    sheet = book["Commandes"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == FR_HEADERS
    expected = await expected_fr(known)
    assert len(values) == 1 + len(expected)
    for got, want in zip(values[1:], expected, strict=True):
        assert dict(zip(FR_HEADERS, got, strict=True)) == dict(zip(FR_HEADERS, want, strict=True))
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:AD6"
    assert not sheet.sheet_view.rightToLeft


async def test_amounts_are_numbers_dates_are_dates_and_a_formula_stays_text(db: str) -> None:
    known = await known_orders()
    sheet = (await _xlsx(known))["Commandes"]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[5], strict=True)}  # order D
    for money in ("Sous-total (DA)", "Frais de livraison (DA)", "Total (DA)"):
        assert row[money].data_type == "n" and isinstance(row[money].value, int)
        assert row[money].number_format == "#,##0"
    assert row["Commande"].data_type == "n" and row["Quantité"].value == 1
    assert row["Date de commande"].is_date
    assert row["Date de commande"].number_format == "yyyy-mm-dd hh:mm"
    assert (row["Client"].data_type, row["Client"].value) == ("s", FORMULA)
    assert row["Téléphone"].data_type == "s"  # the leading zero stays


async def test_lines_and_summary_sheets_add_up(db: str) -> None:
    known = await known_orders()
    book = await _xlsx(known)
    lines = [list(r) for r in book["Articles"].iter_rows(values_only=True)]
    assert lines[0] == [
        "Commande",
        "Date de commande",
        "Statut",
        "Référence (SKU)",
        "Produit",
        "Variante",
        "Prix unitaire (DA)",
        "Quantité",
        "Total de la ligne (DA)",
    ]
    sku_m, sku_l = (v.sku for v in known.shop.variants)
    c = known.numbers[2]
    placed_c = datetime(2026, 11, 24, 18, 45)
    assert [r for r in lines[1:] if r[0] == c] == [
        [c, placed_c, "Expédiée", sku_m, "Robe kabyle", "Taille: M", 4500, 1, 4500],
        [c, placed_c, "Expédiée", sku_l, "Robe kabyle", "Taille: L", 4800, 2, 9600],
    ]
    assert len(lines) == 1 + 6 and sum(r[8] for r in lines[1:]) == 4500 + 9600 + 14100 + 4500 + 4800
    summary = [list(r) for r in book["Résumé"].iter_rows(values_only=True)]
    assert summary[0][:2] == ["Boutique", "Boutique shop"]
    assert summary[1] == ["Période", datetime(2026, 11, 21), datetime(2026, 11, 27)]
    assert summary[2][:2] == ["Commandes exportées", "Tous les statuts"]
    assert summary[3][:2] == ["Exporté le", datetime(2026, 11, 28, 9, 0)]
    figures = {r[0]: r[1:] for r in summary[5:] if r[0]}
    assert figures["Commandes"] == [5, None]
    assert figures["Quantité"] == [8, None]
    assert figures["Sous-total (DA)"] == [4500 + 9600 + 14100 + 4500 + 4800, None]
    assert figures["Frais de livraison (DA)"] == [400 + 400 + 400 + 250 + 600, None]
    assert figures["Total (DA)"] == [4900 + 10000 + 14500 + 4750 + 5400, None]
    assert figures["Par statut"] == ["Commandes", "Total (DA)"]
    assert {
        k: figures[k] for k in ("En attente", "Confirmée", "Expédiée", "Annulée", "Livrée")
    } == {
        "En attente": [1, 4900],
        "Confirmée": [1, 10000],
        "Expédiée": [1, 14500],
        "Annulée": [1, 4750],
        "Livrée": [1, 5400],
    }


async def test_an_arabic_file_reads_right_to_left_in_arabic(db: str) -> None:
    known = await known_orders(lang="ar")
    book = await _xlsx(known, lang="ar")
    assert book.sheetnames == ["الطلبيات", "المنتجات", "الملخص"]
    assert all(sheet.sheet_view.rightToLeft for sheet in book)
    sheet = book["الطلبيات"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["رقم الطلبية", "تاريخ الطلبية", "الحالة", "الزبون"]
    assert header[13] == "المجموع (د.ج)"
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["الحالة"] == "في الانتظار"
    assert first["آخر مكالمة"] == "لا يرد"
    assert first["الولاية"] == "16 - الجزائر" and first["البلدية"] == "الجزائر الوسطى"
    assert first["التوصيل"] == "التوصيل إلى المنزل"


async def test_the_csv_parses_back_to_the_same_orders(db: str) -> None:
    known = await known_orders()
    out = io.BytesIO()
    request = ExportRequest(known.shop.store, WEEK, "csv", "fr")
    totals = await write_export(request, out, datetime(2026, 11, 28, tzinfo=UTC))
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")  # the mark Excel needs to read UTF-8
    assert b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == FR_HEADERS
    expected = await expected_fr(known)
    assert totals.orders == len(expected) == len(rows) - 1

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return str(value)

    for got, want in zip(rows[1:], expected, strict=True):
        wanted = [text(v) for v in want]
        wanted[3] = "'" + FORMULA if want[3] == FORMULA else wanted[3]  # never a formula
        assert dict(zip(FR_HEADERS, got, strict=True)) == dict(zip(FR_HEADERS, wanted, strict=True))


async def test_another_store_s_orders_never_appear(db: str) -> None:
    known = await known_orders()
    out = io.BytesIO()
    request = ExportRequest(known.other.store, WEEK, "csv", "en")
    totals = await write_export(request, out, datetime(2026, 11, 28, tzinfo=UTC))
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert totals.orders == 1 and [r[3] for r in rows[1:]] == ["Someone Else"]
    assert request.filename == "hanout-other-orders-2026-11-21_2026-11-27.csv"


async def test_an_empty_period_is_a_file_with_headers_only(db: str) -> None:
    shop = await make_shop(lang="en")
    out = io.BytesIO()
    request = ExportRequest(shop.store, WEEK, "xlsx", "en", OrderStatus.RETURNED)
    totals = await write_export(request, out, datetime(2026, 11, 28, tzinfo=UTC))
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert totals.orders == 0 and book["Orders"].max_row == 1
    assert request.filename == "hanout-shop-orders-returned-2026-11-21_2026-11-27.xlsx"


def test_every_language_has_every_word() -> None:
    for table in (
        labels.WORDS,
        labels.STATUS,
        labels.OUTCOME,
        labels.DELIVERY,
        labels.PARCEL,
    ):
        assert set(table["ar"]) == set(table["fr"]) == set(table["en"])
    assert set(labels.STATUS["en"]) == {s.value for s in OrderStatus}
    assert set(labels.OUTCOME["en"]) == set(outcomes.OUTCOMES)
    assert set(labels.PARCEL["en"]) == {s.value for s in ParcelStatus}
    assert Labels("xx").lang == "ar"
