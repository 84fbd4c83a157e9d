"""The day's pick list: what to take off the shelves for a batch of orders — each product
and variant with its SKU, the units to pick and how many orders want it — on A4 pages
whose heading repeats, so it can be ticked off in the stockroom."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import Paragraph

from printing.text import BOLD, FONT, fit, register_fonts, visual

# Product, variant, SKU, units, orders, a box to tick.
WIDTHS = (70 * mm, 42 * mm, 30 * mm, 14 * mm, 14 * mm, 10 * mm)


@dataclass(frozen=True, slots=True)
class PickRow:
    """One variant to pick: `units` in all, wanted by `orders` orders."""

    product: str
    variant: str
    sku: str
    units: int
    orders: int


def _cell(text: str, width: float) -> str:
    return fit(text, FONT, 10, width - 4 * mm)


def _table(rows: list[PickRow], words: Mapping[str, str]) -> Table:
    heads = ("product", "variant", "sku", "units", "orders")
    head = [visual(words.get(k, k)) for k in heads] + [""]
    body = [
        [
            _cell(r.product, WIDTHS[0]),
            _cell(r.variant, WIDTHS[1]),
            _cell(r.sku, WIDTHS[2]),
            str(r.units),
            str(r.orders),
            "☐",
        ]
        for r in rows
    ]
    total = [
        visual(words.get("total_units", "Total")),
        "",
        "",
        str(sum(r.units for r in rows)),
        "",
        "",
    ]
    table = Table([head, *body, total], colWidths=WIDTHS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("FONT", (0, 0), (-1, 0), BOLD, 9),
                ("FONT", (0, -1), (-1, -1), BOLD, 10),
                ("FONT", (3, 1), (3, -1), BOLD, 12),
                ("ALIGN", (3, 0), (-1, -1), "CENTER"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
            ]
        )
    )
    return table


def _heading(title: str, subtitle: str) -> list[Flowable]:
    big = ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20)
    small = ParagraphStyle("subtitle", fontName=FONT, fontSize=10, leading=14)
    return [Paragraph(visual(title), big), Paragraph(visual(subtitle), small), Spacer(1, 4 * mm)]


def pick_list_pdf(
    rows: list[PickRow], title: str, subtitle: str, words: Mapping[str, str]
) -> bytes:
    """The pick list of `rows` (already in shelf order) under `title` and `subtitle`
    (the store and day; the orders it covers)."""
    register_fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="Hanout",
    )
    doc.build([*_heading(title, subtitle), _table(rows, words)])
    return out.getvalue()
