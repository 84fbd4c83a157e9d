"""The desk's charts drawn on the server as SVG (no chart script on the phone): orders per day
with the confirmation, delivery and return rates over them, and one row per person, wilaya
or product with its orders and rates.

The drawing has no colours of its own: its parts carry classes (`c-orders`, `c-confirm`,
`c-deliver`, `c-return`, `c-axis`) that the desk's CSS paints in Telegram's theme colours,
so a theme change repaints them. In Arabic the charts are mirrored: days run from right to
left and labels start on the right. Every text is escaped; the page adopts the SVG as is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from models.orders.stats import CohortRules

WIDTH = 360
DAY_HEIGHT = 190
ROW_HEIGHT = 42
PAD = 8
AXIS = 30  # room for the ticks on either side of the day chart
RATES = (("confirmation_rate", "c-confirm"), ("delivery_rate", "c-deliver"))
ROW_RATES = (*RATES, ("return_rate", "c-return"))
DAY_RATES = ROW_RATES
MAX_DAY_LABELS = 7
MAX_BAR = 28  # wide enough for one day, not a wall


@dataclass(frozen=True, slots=True)
class Bar:
    """One day or one row: what to write under or beside it, and its figures."""

    label: str
    figures: CohortRules


class Canvas:
    """SVG elements in a viewBox `WIDTH` wide, x mirrored for right-to-left."""

    def __init__(self, height: int, rtl: bool, title: str) -> None:
        self.height, self.rtl, self.title = height, rtl, title
        self.parts: list[str] = []

    def x(self, x: float) -> float:
        return round(WIDTH - x if self.rtl else x, 1)

    def text(self, x: float, y: float, words: str, cls: str, anchor: str = "start") -> None:
        direction = "rtl" if self.rtl else "ltr"
        self.parts.append(
            f'<text x="{self.x(x)}" y="{y}" class="{cls}" direction="{direction}" '
            f'text-anchor="{anchor}">{escape(words)}</text>'
        )

    def rect(self, x: float, y: float, width: float, height: float, cls: str) -> None:
        left = self.x(x + width) if self.rtl else self.x(x)
        self.parts.append(
            f'<rect x="{left}" y="{round(y, 1)}" width="{round(max(width, 0), 1)}" '
            f'height="{round(height, 1)}" rx="2" class="{cls}"/>'
        )

    def line(self, points: Sequence[tuple[float, float]], cls: str) -> None:
        if len(points) > 1:
            path = " ".join(f"{self.x(x)},{round(y, 1)}" for x, y in points)
            self.parts.append(f'<polyline points="{path}" class="{cls}" fill="none"/>')
        for x, y in points:
            self.parts.append(
                f'<circle cx="{self.x(x)}" cy="{round(y, 1)}" r="2.5" class="{cls}"/>'
            )

    def svg(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {self.height}" '
            f'class="chart" role="img" aria-label={quoteattr(self.title)}>'
        )
        return head + f"<title>{escape(self.title)}</title>" + "".join(self.parts) + "</svg>"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{int(rate * 100 + 0.5)}%"


def _ceiling(most: int) -> int:
    """A round top for the orders axis: the first of 1, 2, 5, 10, 20, 50, … ≥ `most`."""
    power = 1
    while True:
        for step in (1, 2, 5):
            if power * step >= most:
                return power * step
        power *= 10


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """A rate's line, broken where a day has no rate (nothing decided or shipped)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _day_axes(canvas: Canvas, top: int, plot: tuple[float, float, float, float]) -> None:
    left, upper, right, lower = plot
    for value, y in ((top, upper), (top / 2, (upper + lower) / 2), (0, lower)):
        canvas.parts.append(
            f'<line x1="{canvas.x(left)}" x2="{canvas.x(right)}" y1="{y}" y2="{y}" class="c-grid"/>'
        )
        if value == int(value):  # no half orders on the axis
            canvas.text(left - 4, y + 4, f"{value:g}", "c-axis", "end")
    for rate, y in (("100%", upper), ("50%", (upper + lower) / 2), ("0%", lower)):
        canvas.text(right + 4, y + 4, rate, "c-axis")


def day_chart(days: Sequence[Bar], title: str, rtl: bool) -> str:
    """Orders per day as bars (scale on the start side), the rates as lines over them
    (0–100% on the end side); a day label under every few bars."""
    canvas = Canvas(DAY_HEIGHT, rtl, title)
    plot = (AXIS, PAD + 4, WIDTH - AXIS, DAY_HEIGHT - 22)
    left, upper, right, lower = plot
    top = _ceiling(max((d.figures.placed for d in days), default=0))
    _day_axes(canvas, top, plot)
    band = (right - left) / max(len(days), 1)
    step = math.ceil(len(days) / MAX_DAY_LABELS)
    for i, day in enumerate(days):
        height, width = (lower - upper) * day.figures.placed / top, min(band * 0.7, MAX_BAR)
        middle = left + band * (i + 0.5)
        canvas.rect(middle - width / 2, lower - height, width, height, "c-orders")
        if i % step == 0:
            canvas.text(left + band * (i + 0.5), lower + 15, day.label, "c-axis", "middle")
    for name, cls in DAY_RATES:
        points = [_rate_point(d, name, left + band * (i + 0.5), plot) for i, d in enumerate(days)]
        for run in _segments(points):
            canvas.line(run, cls)
    return canvas.svg()


def _rate_point(
    day: Bar, name: str, x: float, plot: tuple[float, float, float, float]
) -> tuple[float, float] | None:
    rate: float | None = getattr(day.figures, name)
    if rate is None:
        return None
    return x, plot[3] - (plot[3] - plot[1]) * rate


def _row(canvas: Canvas, y: float, row: Bar, most: int) -> None:
    """Label and rates on one line, the orders bar with its count under them."""
    canvas.text(PAD, y + 14, row.label[:28], "c-label")
    x = WIDTH - PAD
    for name, cls in reversed(ROW_RATES):
        words = percent(getattr(row.figures, name))
        canvas.text(x, y + 14, words, cls + " c-rate", "end")
        x -= 46
    width = (WIDTH - 2 * PAD - 40) * row.figures.placed / max(most, 1)
    canvas.rect(PAD, y + 22, WIDTH - 2 * PAD - 40, 10, "c-track")
    canvas.rect(PAD, y + 22, width, 10, "c-orders")
    canvas.text(WIDTH - PAD, y + 31, str(row.figures.placed), "c-count", "end")


def rows_chart(rows: Sequence[Bar], title: str, rtl: bool) -> str:
    """One row per part, most orders first: its orders as a bar, its confirmation,
    delivery and return rates as figures in the colours of the day chart's lines."""
    canvas = Canvas(max(len(rows), 1) * ROW_HEIGHT + PAD, rtl, title)
    most = max((r.figures.placed for r in rows), default=0)
    for i, row in enumerate(rows):
        _row(canvas, PAD / 2 + i * ROW_HEIGHT, row, most)
    return canvas.svg()
