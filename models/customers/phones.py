"""Algerian phone numbers: accept what customers type, store E.164, display the national form.

`phonenumbers` does the parsing (country codes, trunk prefix, `+213 0…`, `213…` without +).
Its validity check follows the published allocation plan and lags new ranges, and a
cash-on-delivery checkout must not turn a real customer away, so acceptance is permissive:
a number is kept when the plan knows it *or* when its length fits the family of its first
digit (mobile 5/6/7: 9 digits; landline 1-4: 8 digits; 8/9: 9 digits). `plan_valid` tells
the calling agent when the plan does not know the number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

MAX_INPUT_LENGTH: Final = 32
_COUNTRY_CODE: Final = 213
_REGION: Final = "DZ"

# Arabic-Indic (U+0660…) and Eastern Arabic-Indic / Persian (U+06F0…) digits, as typed on
# Arabic and Persian keyboards.
_DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEPARATORS: Final = frozenset(".()/")
_COMPACT: Final = re.compile(r"\+?[0-9]+")
_MOBILE_NSN: Final = re.compile(r"[5-7][0-9]{8}")
_MOBILE_FIRST_DIGITS: Final = frozenset("567")

# First digit of the national significant number -> (its length, kind when the plan is silent).
_FAMILIES: Final[dict[str, tuple[int, str]]] = {
    **dict.fromkeys("1234", (8, "landline")),
    **dict.fromkeys("567", (9, "mobile")),
    **dict.fromkeys("89", (9, "other")),
}
_KINDS: Final = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.VOIP: "voip",
}


class InvalidPhone(ValueError):
    """A number we refuse. `reason` is one of REASONS, for the caller to turn into a message.

    empty: nothing but blanks; chars: letters or symbols; length: too many or too few digits
    for the number's family (or the input is over MAX_INPUT_LENGTH); not_algerian: a foreign
    or unknown country code; not_mobile: parse_mobile got a landline, VoIP or service number.
    """

    REASONS: Final = frozenset({"empty", "chars", "length", "not_algerian", "not_mobile"})

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(f"invalid phone number ({reason}): {raw!r}")
        self.reason = reason
        self.raw = raw


@dataclass(frozen=True, slots=True)
class Phone:
    """A parsed Algerian number. `plan_valid` is False when the allocation plan lacks it."""

    e164: str
    national: str
    kind: str
    plan_valid: bool


def _is_separator(char: str) -> bool:
    """Blanks, dashes of any kind, dots, brackets and slashes people put between digits."""
    return char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd"


def _compact(raw: str) -> str:
    """Digits (and a leading +) only; raises InvalidPhone for empty or foreign characters."""
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidPhone("length", raw)
    # Category Cf holds the invisible direction marks (LRM, RLM, ALM) that come along when
    # a number is copied out of Arabic text.
    kept = (c for c in raw.translate(_DIGITS) if unicodedata.category(c) != "Cf")
    compact = "".join(c for c in kept if not _is_separator(c))
    if not compact.strip("+"):
        raise InvalidPhone("empty", raw)
    if not _COMPACT.fullmatch(compact):
        raise InvalidPhone("chars", raw)
    return compact


def _parse(raw: str) -> PhoneNumber:
    """Parse with region DZ and make sure the result is an Algerian number."""
    compact = _compact(raw)
    try:
        number = phonenumbers.parse(compact, _REGION)
    except NumberParseException as exc:
        reason = "not_algerian" if exc.error_type == exc.INVALID_COUNTRY_CODE else "length"
        raise InvalidPhone(reason, raw) from exc
    if number.country_code != _COUNTRY_CODE:
        raise InvalidPhone("not_algerian", raw)
    # phonenumbers keeps extra trunk zeros ("+213 00550…", "02123456"); drop them so the
    # number is stored cleanly, or judged by its family and refused for its length.
    digits = phonenumbers.national_significant_number(number).lstrip("0")
    if not digits:
        raise InvalidPhone("length", raw)
    return PhoneNumber(country_code=_COUNTRY_CODE, national_number=int(digits))


def _group(nsn: str) -> str:
    """National grouping used when the metadata has no format for a number: 0XXX XX XX XX."""
    if len(nsn) not in (8, 9):
        return f"0{nsn}"
    head = len(nsn) - 6
    tail = nsn[head:]
    return f"0{nsn[:head]} {tail[:2]} {tail[2:4]} {tail[4:]}"


def _national(number: PhoneNumber) -> str:
    """National form such as "0550 12 34 56" or "021 23 45 67"."""
    formatted = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    # Without a matching format rule phonenumbers returns bare digits; group them ourselves.
    if " " in formatted:
        return formatted
    return _group(phonenumbers.national_significant_number(number))


def _phone(number: PhoneNumber, kind: str, plan_valid: bool) -> Phone:
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=_national(number),
        kind=kind,
        plan_valid=plan_valid,
    )


def _kind(number: PhoneNumber, raw: str) -> tuple[str, bool]:
    """(kind, plan_valid) of an Algerian number; raises InvalidPhone when it cannot exist."""
    nsn = phonenumbers.national_significant_number(number)
    if phonenumbers.is_valid_number(number):
        kind = _KINDS.get(phonenumbers.number_type(number), "other")
        return ("mobile" if _MOBILE_NSN.fullmatch(nsn) else kind), True
    # _parse removed leading zeros and every digit 1-9 has a family.
    length, kind = _FAMILIES[nsn[0]]
    if len(nsn) != length:
        raise InvalidPhone("length", raw)
    return kind, False


def parse_phone(raw: str) -> Phone:
    """Parse any Algerian number (mobile, landline, VoIP, service) typed in any usual form.

    Raises InvalidPhone; see its docstring for the reasons.
    """
    number = _parse(raw)
    kind, plan_valid = _kind(number, raw)
    return _phone(number, kind, plan_valid)


def parse_mobile(raw: str) -> Phone:
    """Parse a mobile number: 0 then 5, 6 or 7 then 8 digits, even outside the known ranges.

    Couriers need a mobile for the recipient. A 05/06/07 number with a digit too many or
    too few raises reason "length"; any other Algerian number raises "not_mobile".
    """
    number = _parse(raw)
    nsn = phonenumbers.national_significant_number(number)
    if _MOBILE_NSN.fullmatch(nsn):
        return _phone(number, "mobile", phonenumbers.is_valid_number(number))
    reason = "length" if nsn[:1] in _MOBILE_FIRST_DIGITS else "not_mobile"
    raise InvalidPhone(reason, raw)


def national_display(e164: str) -> str:
    """National form of a stored E.164 number, e.g. "+213550123456" -> "0550 12 34 56".

    A foreign number is shown in international form and an unreadable value is returned
    unchanged, so that displaying a bad stored value never breaks a page.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if number.country_code != _COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return _national(number)
