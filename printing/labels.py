"""Parcel labels as one PDF to print: Hanout's own label drawn for each parcel (store,
order number, customer, phone, wilaya and commune, address, delivery type, cash to collect,
tracking number and its Code 128 barcode), 4 to an A4 sheet or one per 10×15 cm thermal
page; a courier's own label PDF, when it gave one, is merged in its place (pypdf)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.text import BOLD, FONT, fit, lines, register_fonts, visual

FORMATS = ("a4", "thermal")
THERMAL = (100 * mm, 150 * mm)
PAD = 5 * mm


@dataclass(frozen=True, slots=True)
class ParcelLabel:
    """What one label shows, every text already in the reader's language. `courier_pdf`:
    the courier's own label (a PDF), printed instead of ours when it reads."""

    store: str
    number: int
    courier: str
    tracking: str
    name: str
    phone: str
    place: str  # wilaya · commune
    address: str
    delivery: str  # "Home delivery" / "Stop desk: <desk>"
    cod: str  # the amount to collect, formatted
    items: str
    courier_pdf: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float
    w: float
    h: float


def _boxes(label_format: str) -> tuple[tuple[float, float], list[_Box]]:
    """The page size and where the labels sit on it (top left first)."""
    if label_format == "thermal":
        return THERMAL, [_Box(0, 0, *THERMAL)]
    w, h = A4[0] / 2, A4[1] / 2
    return A4, [_Box(0, h, w, h), _Box(w, h, w, h), _Box(0, 0, w, h), _Box(w, 0, w, h)]


def _text(c: Canvas, x: float, y: float, text: str, font: str = FONT, size: float = 10) -> None:
    c.setFont(font, size)
    c.drawString(x, y, text)


def _barcode(c: Canvas, box: _Box, top: float, tracking: str) -> float:
    """The tracking number's barcode, as wide as the label allows; returns its bottom."""
    unit = Code128(tracking, barWidth=1.0, quiet=False).width  # the width of one module
    bar = min(0.5 * mm, (box.w - 2 * PAD) / unit)  # wide bars scan best; never past the edge
    code = Code128(tracking, barHeight=18 * mm, barWidth=bar, humanReadable=False, quiet=False)
    x = box.x + (box.w - code.width) / 2
    code.drawOn(c, x, top - 18 * mm)
    c.setFont(BOLD, 12)
    c.drawCentredString(box.x + box.w / 2, top - 23 * mm, tracking)
    return top - 27 * mm


def _head(c: Canvas, box: _Box, label: ParcelLabel, words: Mapping[str, str]) -> float:
    left, right, top = box.x + PAD, box.x + box.w - PAD, box.y + box.h - PAD
    inner = box.w - 2 * PAD
    _text(c, left, top - 11, fit(label.store, BOLD, 11, inner * 0.6), BOLD, 11)
    c.setFont(BOLD, 11)
    c.drawRightString(right, top - 11, label.courier.upper())
    _text(c, left, top - 32, f"#{label.number}", BOLD, 20)
    c.setFont(FONT, 8)
    c.drawRightString(right, top - 30, visual(words.get("order", "Order")))
    c.line(left, top - 38, right, top - 38)
    return top - 42


def _recipient(
    c: Canvas, box: _Box, top: float, label: ParcelLabel, words: Mapping[str, str]
) -> float:
    left, inner = box.x + PAD, box.w - 2 * PAD
    _text(c, left, top - 8, visual(words.get("recipient", "Recipient")), FONT, 8)
    _text(c, left, top - 22, fit(label.name, BOLD, 13, inner), BOLD, 13)
    _text(c, left, top - 37, label.phone, BOLD, 13)
    y = top - 51
    for line in lines(label.place, BOLD, 10, inner, 2):
        _text(c, left, y, line, BOLD, 10)
        y -= 12
    for line in lines(label.address, FONT, 9, inner, 3):
        _text(c, left, y, line, FONT, 9)
        y -= 11
    for line in lines(label.delivery, BOLD, 10, inner, 2):
        _text(c, left, y - 2, line, BOLD, 10)
        y -= 12
    return y - 4


def _items(c: Canvas, box: _Box, top: float, label: ParcelLabel, words: Mapping[str, str]) -> None:
    left, inner = box.x + PAD, box.w - 2 * PAD
    c.line(left, top, box.x + box.w - PAD, top)
    _text(c, left, top - 10, visual(words.get("items", "Items")), FONT, 8)
    y = top - 21
    floor = box.y + PAD + 22 * mm
    for line in lines(label.items, FONT, 9, inner, 6):
        if y < floor:
            break
        _text(c, left, y, line, FONT, 9)
        y -= 11


def _cod(c: Canvas, box: _Box, label: ParcelLabel, words: Mapping[str, str]) -> None:
    """The cash to collect, framed at the bottom: what the courier must not miss."""
    left, bottom, inner = box.x + PAD, box.y + PAD, box.w - 2 * PAD
    c.setLineWidth(1.5)
    c.rect(left, bottom, inner, 18 * mm)
    c.setLineWidth(1)
    _text(c, left + 3 * mm, bottom + 12 * mm, visual(words.get("cod", "Cash to collect")), FONT, 9)
    c.setFont(BOLD, 20)
    c.drawRightString(left + inner - 3 * mm, bottom + 4 * mm, visual(label.cod))


def draw_label(c: Canvas, box: _Box, label: ParcelLabel, words: Mapping[str, str]) -> None:
    """One label inside `box`."""
    top = _head(c, box, label, words)
    top = _barcode(c, box, top, label.tracking)
    top = _recipient(c, box, top, label, words)
    _items(c, box, top, label, words)
    _cod(c, box, label, words)


def _cut_lines(c: Canvas, size: tuple[float, float]) -> None:
    c.saveState()
    c.setDash(3, 3)
    c.setStrokeGray(0.6)
    c.line(size[0] / 2, 0, size[0] / 2, size[1])
    c.line(0, size[1] / 2, size[0], size[1] / 2)
    c.restoreState()


def draw_labels(labels: list[ParcelLabel], label_format: str, words: Mapping[str, str]) -> bytes:
    """Hanout's labels for `labels`, in their order, on pages of `label_format`."""
    register_fonts()
    size, boxes = _boxes(label_format)
    out = io.BytesIO()
    c = Canvas(out, pagesize=size, pageCompression=1)
    c.setTitle(words.get("title", "Labels"))
    for start in range(0, len(labels), len(boxes)):
        if label_format != "thermal":
            _cut_lines(c, size)
        for box, label in zip(boxes, labels[start : start + len(boxes)], strict=False):
            draw_label(c, box, label, words)
        c.showPage()
    c.save()
    return out.getvalue()


def _readable(pdf: bytes | None) -> PdfReader | None:
    if not pdf:
        return None
    try:
        reader = PdfReader(io.BytesIO(pdf))
        return reader if len(reader.pages) else None
    except (PyPdfError, ValueError, OSError):
        return None  # a broken courier PDF: our own label is printed instead


def _runs(labels: Iterable[ParcelLabel]) -> list[PdfReader | list[ParcelLabel]]:
    """The labels in order, a courier PDF on its own, ours grouped to share sheets."""
    runs: list[PdfReader | list[ParcelLabel]] = []
    for label in labels:
        reader = _readable(label.courier_pdf)
        if reader is not None:
            runs.append(reader)
        elif runs and isinstance(runs[-1], list):
            runs[-1].append(label)
        else:
            runs.append([label])
    return runs


def label_pdf(labels: list[ParcelLabel], label_format: str, words: Mapping[str, str]) -> bytes:
    """One PDF of every label, in order: the courier's own where it gave a readable PDF,
    Hanout's elsewhere."""
    if label_format not in FORMATS:
        raise ValueError(f"label format {label_format!r}: one of {', '.join(FORMATS)}")
    writer = PdfWriter()
    for run in _runs(labels):
        if isinstance(run, PdfReader):
            writer.append(run)
        else:
            writer.append(PdfReader(io.BytesIO(draw_labels(run, label_format, words))))
    writer.add_metadata({"/Title": words.get("title", "Labels"), "/Producer": "Hanout"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
