"""Phone parsing: the market reference table (section 5.2) and every form customers type."""

from __future__ import annotations

import pytest

from models.customers.phones import InvalidPhone, Phone, national_display, parse_mobile, parse_phone

MOBILE = "+213550123456"

# Every way the same mobile number reaches us.
TYPED_FORMS = [
    "0550123456",
    "0550 12 34 56",
    "05 50 12 34 56",
    "0550.12.34.56",
    "0550-12-34-56",
    "0550–12–34–56",  # en dash, from phone autocorrect
    " 0550123456 ",
    "0550\u00a012\u00a034\u00a056",  # no-break spaces, pasted from a web page
    "\u200e0550123456\u200f",  # direction marks, copied out of Arabic text
    "(0550) 12 34 56",
    "0550/12/34/56",
    "+213550123456",
    "+213 550 12 34 56",
    "+213-550-12-34-56",
    "+2130550123456",
    "+213 0550 12 34 56",
    "+213 (0) 550 12 34 56",
    "00213550123456",
    "00213 550 12 34 56",
    "002130550123456",
    "213550123456",
    "213 550 12 34 56",
    "2130550123456",
    "+213 00550123456",  # trunk zero typed twice
    "550123456",
    "٠٥٥٠١٢٣٤٥٦",  # Arabic-Indic
    "٠٥٥٠ ١٢ ٣٤ ٥٦",
    "+٢١٣٥٥٠١٢٣٤٥٦",
    "۰۵۵۰۱۲۳۴۵۶",  # Eastern Arabic-Indic (Persian keyboard)
    "۰۵۵۰ ۱۲ ۳۴ ۵۶",
]


@pytest.mark.parametrize("raw", TYPED_FORMS)
def test_every_typed_form_gives_the_same_number(raw: str) -> None:
    expected = Phone(e164=MOBILE, national="0550 12 34 56", kind="mobile", plan_valid=True)
    assert parse_phone(raw) == expected
    assert parse_mobile(raw) == expected


# market.md section 5.2, "phonenumbers valid / type" column, plus our permissive verdict.
@pytest.mark.parametrize(
    ("raw", "e164", "national", "kind", "plan_valid"),
    [
        ("0550123456", "+213550123456", "0550 12 34 56", "mobile", True),
        ("0661234567", "+213661234567", "0661 23 45 67", "mobile", True),
        ("0771234567", "+213771234567", "0771 23 45 67", "mobile", True),
        ("0563123456", "+213563123456", "0563 12 34 56", "mobile", True),
        ("0530123456", "+213530123456", "0530 12 34 56", "mobile", False),
        ("0543123456", "+213543123456", "0543 12 34 56", "mobile", False),
        ("0565123456", "+213565123456", "0565 12 34 56", "mobile", False),
        ("0580123456", "+213580123456", "0580 12 34 56", "mobile", False),
        ("0590123456", "+213590123456", "0590 12 34 56", "mobile", False),
        ("0500123456", "+213500123456", "0500 12 34 56", "mobile", False),
        ("0700123456", "+213700123456", "0700 12 34 56", "mobile", False),
        ("021234567", "+21321234567", "021 23 45 67", "landline", True),
        ("038123456", "+21338123456", "038 12 34 56", "landline", True),
        ("+213 21 23 45 67", "+21321234567", "021 23 45 67", "landline", True),
        ("21321234567", "+21321234567", "021 23 45 67", "landline", True),
        ("0982123456", "+213982123456", "098 212 34 56", "voip", True),
        ("0800123456", "+213800123456", "0800 12 34 56", "other", True),
        ("+2130550123456", "+213550123456", "0550 12 34 56", "mobile", True),
        ("213661234567", "+213661234567", "0661 23 45 67", "mobile", True),
        ("٠٥٥٠١٢٣٤٥٦", "+213550123456", "0550 12 34 56", "mobile", True),
    ],
)
def test_reference_table(raw: str, e164: str, national: str, kind: str, plan_valid: bool) -> None:
    assert parse_phone(raw) == Phone(e164, national, kind, plan_valid)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u200f", "empty"),
        ("+", "empty"),
        (" - ", "empty"),
        ("0550abcdef", "chars"),
        ("0550123456 ext 12", "chars"),
        ("0550123456#", "chars"),
        ("05501234５6", "chars"),  # fullwidth digit: not one of the forms we translate
        ("0550+123456", "chars"),
        ("055012345", "length"),
        ("05501234567", "length"),
        ("0" * 33, "length"),
        ("0550 12 34 56" + " " * 20, "length"),  # 33 characters: refused before parsing
        ("0", "length"),
        ("00", "length"),
        ("213", "length"),
        ("+213", "length"),
        ("02123456", "length"),
        ("0212345678", "length"),
        ("0123456789", "length"),
        ("09619123", "length"),
        ("+33612345678", "not_algerian"),
        ("0033612345678", "not_algerian"),
        ("+999123456789", "not_algerian"),
    ],
)
def test_parse_phone_refuses(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        parse_phone(raw)
    assert caught.value.reason == reason
    assert caught.value.reason in InvalidPhone.REASONS
    assert isinstance(caught.value, ValueError)


def test_32_characters_are_still_parsed() -> None:
    raw = "0550 12 34 56".ljust(32)
    assert parse_phone(raw).e164 == MOBILE


@pytest.mark.parametrize(
    ("raw", "plan_valid"),
    [
        ("0661234567", True),
        ("0771234567", True),
        ("0530123456", False),
        ("0700123456", False),
        ("+213 599 12 34 56", False),
    ],
)
def test_parse_mobile_accepts_any_05_06_07_number(raw: str, plan_valid: bool) -> None:
    phone = parse_mobile(raw)
    assert phone.kind == "mobile"
    assert phone.plan_valid is plan_valid
    assert phone.national.startswith("0") and len(phone.national.replace(" ", "")) == 10


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("021234567", "not_mobile"),
        ("0982123456", "not_mobile"),
        ("0800123456", "not_mobile"),
        ("0961912345", "not_mobile"),
        ("0123456789", "not_mobile"),
        ("055012345", "length"),
        ("05501234567", "length"),
        ("0550 1234", "length"),
        ("", "empty"),
        ("06x1234567", "chars"),
        ("+33612345678", "not_algerian"),
        ("9" * 40, "length"),
    ],
)
def test_parse_mobile_refuses(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        parse_mobile(raw)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+213550123456", "0550 12 34 56"),
        ("+213530123456", "0530 12 34 56"),
        ("+21321234567", "021 23 45 67"),
        ("+213982123456", "098 212 34 56"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_national_display(e164: str, expected: str) -> None:
    assert national_display(e164) == expected


@pytest.mark.parametrize("raw", ["0550123456", "021234567", "0982123456", "0530123456"])
def test_display_of_stored_value_matches_parse(raw: str) -> None:
    phone = parse_phone(raw)
    assert national_display(phone.e164) == phone.national
