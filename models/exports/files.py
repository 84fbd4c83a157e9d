"""The export files: CSV (one row per order) and XLSX (sheets Orders, Lines and Summary),
headers and values in the store's language (models.exports.columns, models.exports.labels).

Choices made for the people who open these files:

* CSV is RFC 4180 (comma, CRLF, quotes when needed) in UTF-8 with a byte-order mark, the
  one encoding mark Excel reads before guessing: without it Arabic names come out garbled.
  Dates are `YYYY-MM-DD HH:MM`, Algiers time, which every spreadsheet reads as a date.
  A text cell starting with `= + - @` gets a leading `'`, so a customer's name can never
  run as a formula (CSV injection); the XLSX file stores such text as text instead.
* XLSX is written by openpyxl in write-only mode (rows stream to disk, a year of orders
  stays small in memory): amounts and counts are numbers with a thousands format, dates
  are dates, the header row is frozen and filterable, and an Arabic file reads right to
  left. Phones, tracking numbers and SKUs stay text (leading zeros kept).
* Amounts are integer dinars, as stored; the currency is in the column header.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from models.exports.columns import (
    LINE_COLUMNS,
    MEDIA_TYPES,
    ORDER_COLUMNS,
    Column,
    Kind,
    R,
    Value,
)
from models.exports.labels import Labels
from models.exports.reading import ALGIERS, ExportPeriod, ExportRow, ExportTotals, export_rows
from models.orders.lifecycle import OrderStatus
from models.stores.tables import Store

MONEY_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
DAY_FORMAT = "yyyy-mm-dd"
CSV_DATE = "%Y-%m-%d %H:%M"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32767  # characters Excel keeps in one cell


def local_moment(moment: datetime) -> datetime:
    """Algiers wall time without a zone: what a spreadsheet cell holds."""
    return moment.astimezone(ALGIERS).replace(tzinfo=None, microsecond=0)


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export: a store's orders of a period, in one format and language, all of
    them or only those now in `status`."""

    store: Store
    period: ExportPeriod
    format: str  # csv | xlsx
    lang: str
    status: OrderStatus | None = None

    @property
    def filename(self) -> str:
        """`hanout-<slug>-orders-2026-11-20_2026-11-26.xlsx` (`-delivered` when filtered)."""
        status = f"-{self.status.value}" if self.status else ""
        return f"hanout-{self.store.slug}-orders{status}-{self.period.label}.{self.format}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


class Sink(Protocol):
    def add(self, rows: Sequence[ExportRow]) -> None: ...

    def finish(self, totals: ExportTotals, at: datetime) -> None: ...


class CsvSink:
    """The Orders table as CSV (the Lines and Summary sheets are the XLSX file's)."""

    def __init__(self, out: IO[bytes], request: ExportRequest) -> None:
        self.out, self.labels = out, Labels(request.lang)
        # utf-8-sig writes the byte-order mark once, before the header.
        self.text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow([self.labels.word(c.key) for c in ORDER_COLUMNS])

    @staticmethod
    def cell(value: Value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return local_moment(value).strftime(CSV_DATE)
        if isinstance(value, int):
            return str(value)
        text = _text(value)
        return "'" + text if text.startswith(FORMULA_START) else text

    def add(self, rows: Sequence[ExportRow]) -> None:
        for row in rows:
            self.writer.writerow([self.cell(c.value(row, self.labels)) for c in ORDER_COLUMNS])

    def finish(self, totals: ExportTotals, at: datetime) -> None:
        self.text.flush()
        self.text.detach()  # the caller owns `out`


class XlsxSink:
    """Orders, Lines (one row per order line) and Summary, streamed by openpyxl."""

    def __init__(self, out: IO[bytes], request: ExportRequest) -> None:
        self.out, self.request, self.labels = out, request, Labels(request.lang)
        self.book = Workbook(write_only=True)
        self.orders = self._sheet("sheet_orders", ORDER_COLUMNS)
        self.lines = self._sheet("sheet_lines", LINE_COLUMNS)
        self.summary = self.book.create_sheet(self.labels.word("sheet_summary"))
        self._layout(self.summary, [28, 18, 18])
        self.order_count = self.line_count = 0

    def _layout(self, sheet: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
        # Views and widths are written with the sheet's first row: set before any append.
        sheet.sheet_view.rightToLeft = self.labels.lang == "ar"
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    def _sheet(self, title: str, columns: Sequence[Column[R]]) -> WriteOnlyWorksheet:
        sheet = self.book.create_sheet(self.labels.word(title))
        self._layout(sheet, [c.width for c in columns])
        sheet.freeze_panes = "A2"
        sheet.append([self._bold(sheet, self.labels.word(c.key)) for c in columns])
        return sheet

    @staticmethod
    def _bold(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, _text(text))
        cell.font = Font(bold=True)
        return cell

    @staticmethod
    def _cell(sheet: WriteOnlyWorksheet, kind: Kind, value: Value) -> object:
        if value is None or value == "":
            return None
        if kind == "int":
            return value
        if kind == "money":
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = MONEY_FORMAT
            return cell
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, local_moment(value))
            cell.number_format = DATE_FORMAT
            return cell
        text = _text(str(value))
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # text, never a formula
        return cell

    def _row(self, sheet: WriteOnlyWorksheet, columns: Sequence[Column[R]], item: R) -> None:
        sheet.append([self._cell(sheet, c.kind, c.value(item, self.labels)) for c in columns])

    def add(self, rows: Sequence[ExportRow]) -> None:
        for row in rows:
            self._row(self.orders, ORDER_COLUMNS, row)
            for line in row.lines:
                self._row(self.lines, LINE_COLUMNS, (row, line))
            self.line_count += len(row.lines)
        self.order_count += len(rows)

    def _money(self, amount: int) -> object:
        return self._cell(self.summary, "money", amount)

    def _summary(self, totals: ExportTotals, at: datetime) -> None:
        sheet, word, period = self.summary, self.labels.word, self.request.period
        status = self.request.status
        days = [WriteOnlyCell(sheet, d) for d in (period.first, period.last)]
        for cell in days:
            cell.number_format = DAY_FORMAT
        rows: list[list[object]] = [
            [self._bold(sheet, word("store")), self._cell(sheet, "text", self.request.store.name)],
            [self._bold(sheet, word("period")), *days],
            [
                self._bold(sheet, word("only_status")),
                self.labels.status(status.value) if status else word("all_statuses"),
            ],
            [self._bold(sheet, word("exported_at")), self._cell(sheet, "datetime", at)],
            [],
            [word("orders"), totals.orders],
            [word("quantity"), totals.quantity],
            [word("subtotal"), self._money(totals.subtotal)],
            [word("delivery_fees"), self._money(totals.delivery_fee)],
            [self._bold(sheet, word("total")), self._money(totals.total)],
            [],
            [self._bold(sheet, word(k)) for k in ("by_status", "orders", "total")],
        ]
        for value in OrderStatus:
            count, amount = totals.by_status.get(value.value, (0, 0))
            if count:
                rows.append([self.labels.status(value.value), count, self._money(amount)])
        for row in rows:
            sheet.append(row)

    def finish(self, totals: ExportTotals, at: datetime) -> None:
        for sheet, columns, count in (
            (self.orders, ORDER_COLUMNS, self.order_count),
            (self.lines, LINE_COLUMNS, self.line_count),
        ):
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
        self._summary(totals, at)
        self.book.save(self.out)


SINKS: dict[str, Callable[[IO[bytes], ExportRequest], Sink]] = {"csv": CsvSink, "xlsx": XlsxSink}


async def write_export(request: ExportRequest, out: IO[bytes], at: datetime) -> ExportTotals:
    """Write the export into `out` (a binary file the caller owns) and return its figures;
    `at` (aware) is when it was taken, shown in the XLSX summary. The writing runs in a
    worker thread chunk by chunk, so a long export never stalls the event loop."""
    if request.format not in SINKS:
        raise ValueError(f"unknown export format {request.format!r}")
    sink = await asyncio.to_thread(SINKS[request.format], out, request)
    totals = ExportTotals()
    async for rows in export_rows(request.store, request.period, request.status):
        for row in rows:
            totals.add(row)
        await asyncio.to_thread(sink.add, rows)
    await asyncio.to_thread(sink.finish, totals, at)
    return totals
