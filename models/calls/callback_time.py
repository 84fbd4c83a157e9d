"""A call-back time as an agent types it — `18:30`, `demain 14h`, `غدا 10`, `tomorrow 9`,
`+2h`, `dans 30 min` — read in Algiers time. Pure: no I/O.

A time alone is today's, or tomorrow's once it has passed. A bare hour from 1 to 7 means
the afternoon (nobody calls a customer at 3 in the morning); `am`/`صباحا` keeps it early.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ALGIERS = ZoneInfo("Africa/Algiers")
DEFAULT_HOUR = 10  # `demain` alone
MAX_AHEAD = timedelta(days=30)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DIACRITICS = re.compile("[\u064b-\u0652\u0640]")  # harakat and tatweel: غدًا = غدا
DAYS = {
    0: ("aujourd'hui", "aujourdhui", "auj", "today", "اليوم", "ليوم"),
    1: ("demain", "dmain", "tomorrow", "tmrw", "غدا", "غد", "غدوة", "غدوا", "بكرة", "بكره"),
    2: ("après-demain", "apres-demain", "après demain", "apres demain", "after tomorrow", "بعد غد"),
}
LATE = ("pm", "soir", "du soir", "مساء", "مساءا", "ليلا", "العشية", "عشية")
EARLY = ("am", "matin", "du matin", "صباحا", "صباح", "الصباح")
FILLERS = ("à", "a", "at", "vers", "الساعة", "ساعة", "على")
_UNITS = r"h|heures?|hours?|min|minutes?|mn|ساعات|ساعة|دقيقة|دقائق"
_IN = re.compile(rf"^(?:\+|dans |in |بعد )\s*([0-9]{{1,3}})\s*({_UNITS})$")
_CLOCK = re.compile(r"^([0-9]{1,2})(?:\s*(?:h|:|\.|ه)\s*([0-9]{2})?)?$")


def _normal(text: str) -> str:
    text = _DIACRITICS.sub("", text.translate(_DIGITS)).lower().strip()
    text = text.replace("’", "'").replace("،", " ").replace(",", " ")
    return re.sub(r"\s+", " ", text)


def _relative(text: str, moment: datetime) -> datetime | None:
    match = _IN.match(text)
    if match is None:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    hours = unit.startswith(("h", "ساع"))
    return moment + (timedelta(hours=amount) if hours else timedelta(minutes=amount))


def _take(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    """`text` without the first of `words` found as a whole word, and whether one was."""
    for word in sorted(words, key=len, reverse=True):
        pattern = rf"(?:^|\s){re.escape(word)}(?=\s|$)"
        if re.search(pattern, text):
            return re.sub(pattern, " ", text, count=1).strip(), True
    return text, False


def _day(text: str) -> tuple[str, int | None]:
    for offset in (2, 1, 0):  # après-demain before demain
        text, found = _take(text, DAYS[offset])
        if found:
            return text, offset
    return text, None


def _clock(text: str, late: bool, early: bool) -> time | None:
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    afternoon = not early and 1 <= hour <= 7 and match.group(2) is None
    if (late and hour < 12) or afternoon:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_callback_time(text: str, moment: datetime) -> datetime | None:
    """The moment `text` names, after `moment` and within MAX_AHEAD; None when it names
    none (the agent is asked again)."""
    text = _normal(text)
    found = _relative(text, moment)
    if found is None:
        found = _absolute(text, moment)
    if found is None or not moment < found <= moment + MAX_AHEAD:
        return None
    return found


def _absolute(text: str, moment: datetime) -> datetime | None:
    text, offset = _day(text)
    text, late = _take(text, LATE)
    text, early = _take(text, EARLY)
    for filler in FILLERS:
        text, _ = _take(text, (filler,))
    text = text.strip()
    if not text and offset is not None:
        at: time | None = time(DEFAULT_HOUR)
    else:
        at = _clock(text, late, early)
    if at is None:
        return None
    today: date = moment.astimezone(ALGIERS).date()
    found = datetime.combine(today + timedelta(days=offset or 0), at, tzinfo=ALGIERS)
    if offset is None and found <= moment:
        found += timedelta(days=1)
    return found
