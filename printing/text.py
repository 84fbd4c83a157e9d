"""Text on paper in Arabic, French and English: one font with Arabic and Latin glyphs
(Debian's DejaVu Sans, fonts-dejavu-core), and Arabic written as a PDF needs it — letters
joined (arabic-reshaper) and each line put in visual order (python-bidi), since a PDF draws
glyphs left to right as given."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_display
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, BOLD = "HanoutSans", "HanoutSans-Bold"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed (Debian: apt-get install fonts-dejavu-core)."""


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FontMissing(f"{name} not found: install fonts-dejavu-core")


@cache
def register_fonts() -> ArabicReshaper:
    """Make FONT and BOLD known to reportlab (once per process); the reshaper joins
    letters with only the ligatures both fonts draw (DejaVu has lam-alef, not "Allah")."""
    drawn: set[int] | None = None
    for alias, file in FILES.items():
        font = TTFont(alias, str(_font_file(file)))
        pdfmetrics.registerFont(font)
        chars = set(font.face.charToGlyph)
        drawn = chars if drawn is None else drawn & chars
    have = drawn or set()
    config: dict[str, bool] = {
        name: all(ord(form[0]) in have for form in forms if form) for name, (_, forms) in LIGATURES
    }
    return ArabicReshaper(configuration=config)


def reshape(text: str) -> str:
    return str(register_fonts().reshape(text))


def has_rtl(text: str) -> bool:
    return bool(_RTL.search(text))


def visual(text: str) -> str:
    """One line as it must be drawn: Arabic joined and in visual order; others unchanged."""
    if not has_rtl(text):
        return text
    return str(get_display(reshape(text)))


def lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` cut into at most `most` lines of `width` points, each ready to draw; the last
    one ends with "…" when the text was longer. Joined letters are measured, then each
    line is put in visual order on its own (bidi across lines would swap them)."""
    shaped = reshape(text) if has_rtl(text) else text
    cut = simpleSplit(shaped, font, size, width) or [""]
    if len(cut) > most:
        cut = cut[:most]
        cut[-1] = cut[-1].rstrip()[:-1] + "…"
    return [str(get_display(line)) if has_rtl(line) else line for line in cut]


def fit(text: str, font: str, size: float, width: float) -> str:
    """One line, cut with "…" to fit `width`."""
    return lines(text, font, size, width, 1)[0]
