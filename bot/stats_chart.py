"""The picture under /stats: orders per day as bars, the confirmation and delivery rates as
lines over them (models.orders.stats_groups.by_day, the rules of models.orders.stats), drawn with
matplotlib's Agg renderer to a PNG for sendPhoto.

The words are the store's language: matplotlib (3.11 and later) joins Arabic letters and
orders right-to-left text itself, and DejaVu Sans, shipped with it, has the Arabic forms.
In Arabic the days run from right to left, as on the desk."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.i18n import N_, translator
from models.orders.stats_groups import Part

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

WIDTH, HEIGHT, DPI = 8.0, 4.2, 110
ORDERS_COLOUR, CONFIRM_COLOUR, DELIVER_COLOUR = "#9cc3ee", "#2678b6", "#2e9e4f"
ORDERS = N_("Orders")
CONFIRMATION = N_("Confirmation rate")
DELIVERY = N_("Delivery rate")


def _rates(days: Sequence[Part], name: str) -> list[float]:
    """A rate per day in percent, NaN where there is nothing to divide (a gap in the line)."""
    values: list[float | None] = [getattr(d.figures, name) for d in days]
    return [float("nan") if v is None else v * 100 for v in values]


def chart_png(days: Sequence[Part], lang: str) -> bytes:
    """The PNG of `days` (models.orders.stats_groups.by_day) with its legend in `lang`. CPU work:
    the bot runs it in a thread."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    _ = translator(lang)
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    orders = figure.add_subplot()
    xs = list(range(len(days)))
    bars = orders.bar(xs, [d.figures.placed for d in days], color=ORDERS_COLOUR, width=0.7)
    orders.set_ylim(bottom=0)
    orders.yaxis.set_major_locator(MaxNLocator(integer=True))
    rates = orders.twinx()
    rates.set_ylim(0, 105)
    confirm = rates.plot(xs, _rates(days, "confirmation_rate"), "o-", color=CONFIRM_COLOUR)
    deliver = rates.plot(xs, _rates(days, "delivery_rate"), "s-", color=DELIVER_COLOUR)
    rates.yaxis.set_major_formatter("{x:.0f}%")
    _days_axis(orders, days, lang)
    labels = [_(word) for word in (ORDERS, CONFIRMATION, DELIVERY)]
    handles: list[Artist] = [bars.patches[0], confirm[0], deliver[0]]
    if lang == "ar":  # read from the right: the first word on the right
        labels, handles = labels[::-1], handles[::-1]
    figure.legend(handles, labels, loc="upper center", ncol=3, frameon=False, fontsize=10)
    for axis in (orders, rates):
        axis.spines["top"].set_visible(False)
    figure.tight_layout(rect=(0, 0, 1, 0.92))
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _days_axis(axis: Axes, days: Sequence[Part], lang: str) -> None:
    """dd/mm under every few bars; right to left in Arabic."""
    step = max(1, -(-len(days) // 10))
    ticks = list(range(0, len(days), step))
    axis.set_xticks(ticks, [date.fromisoformat(days[i].key).strftime("%d/%m") for i in ticks])
    axis.set_xlim(-0.6, len(days) - 0.4)
    if lang == "ar":
        axis.invert_xaxis()
