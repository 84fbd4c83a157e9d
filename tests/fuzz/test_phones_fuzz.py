"""Phone parsing under generated input: every way a customer may type an Algerian mobile
gives the same E.164 number, anything else is refused with InvalidPhone and one of its
documented reasons, and the stored and displayed forms read back to the same number."""

from __future__ import annotations

import string

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from models.customers.phones import (
    MAX_INPUT_LENGTH,
    InvalidPhone,
    national_display,
    parse_mobile,
    parse_phone,
)

FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None)

ASCII, ARABIC, PERSIAN = "0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"
# What people put between digit groups: blanks, no-break spaces, dashes of every kind
# (autocorrect makes en and em dashes), dots, slashes.
SEPARATORS = [" ", "  ", "-", " - ", ".", "/", "\u00a0", "\u2013", "\u2014", "\u2011", "\t"]
# Direction marks and the zero-width joiners that come along when text is copied.
INVISIBLE = ["", "\u200e", "\u200f", "\u061c"]
# How the country reaches us, and the trunk zero some people keep after it.
COUNTRY = ["", "+213", "00213", "213"]
TRUNK = ["0", "", "(0)", "(0) "]

mobile_nsn = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("567"),
    st.text(ASCII, min_size=8, max_size=8),
)


@st.composite
def typed_forms(draw: st.DrawFn, nsn: str) -> str:
    """`nsn` as a person might type it: with or without the country, with or without the
    trunk zero, in groups with separators (the first maybe in brackets), in any mix of
    digit scripts, with stray blanks and direction marks around it."""
    country = draw(st.sampled_from(COUNTRY))
    trunk = draw(st.sampled_from(TRUNK if country else ["0", ""]))
    national = ("0" if trunk == "0" else "") + nsn
    cuts = sorted(draw(st.sets(st.integers(1, len(national) - 1), max_size=5)))
    groups = [national[a:b] for a, b in zip([0, *cuts], [*cuts, len(national)], strict=True)]
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + group
    if country:
        gap = draw(st.sampled_from(["", " ", "-", "\u00a0"]))
        text = (
            country + gap + (trunk + (" " if trunk == "(0)" else "") if trunk != "0" else "") + text
        )
    scripts = draw(st.sampled_from(["ascii", "arabic", "persian", "mixed"]))
    tables = {"ascii": ASCII, "arabic": ARABIC, "persian": PERSIAN}
    out = []
    for char in text:
        if char in ASCII:
            script = scripts if scripts != "mixed" else draw(st.sampled_from(sorted(tables)))
            char = tables[script][int(char)]
        out.append(char)
    lead, trail = draw(st.sampled_from(INVISIBLE)), draw(st.sampled_from(INVISIBLE))
    pad = draw(st.sampled_from(["", " ", "\n", "  \t"]))
    return pad + lead + "".join(out) + trail + pad


@settings(FUZZ, max_examples=150)  # three typed forms each
@given(data=st.data(), nsn=mobile_nsn)
@example(data=None, nsn="550123456")
def test_any_typed_form_of_a_mobile_gives_one_number(data: st.DataObject | None, nsn: str) -> None:
    raws = ["0" + nsn] if data is None else [data.draw(typed_forms(nsn)) for _ in range(3)]
    for raw in raws:
        if len(raw) > MAX_INPUT_LENGTH:  # the documented bound, checked before parsing
            with pytest.raises(InvalidPhone) as refused:
                parse_mobile(raw)
            assert refused.value.reason == "length"
            event("over the input bound")
            continue
        phone = parse_mobile(raw)
        assert phone.e164 == "+213" + nsn, raw
        assert phone.kind == "mobile"
        assert parse_phone(raw).e164 == phone.e164


phone_like = st.text(
    alphabet=st.sampled_from(
        [*ASCII, *ARABIC, *PERSIAN, "+", "(", ")", *"".join(SEPARATORS), *INVISIBLE[1:], "x", "*"]
    ),
    max_size=40,
)


@FUZZ
@given(raw=st.one_of(st.text(max_size=60), phone_like))
@example(raw="")
@example(raw="+")
@example(raw="0" * 40)
@example(raw="+213")
@example(raw="+2130")
@example(raw="00000000000")
@example(raw="+999 550 12 34 56")
@example(raw="0550\x00123456")
@example(raw="٠٥٥٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩")
def test_any_text_parses_or_is_refused_with_a_reason(raw: str) -> None:
    for parse in (parse_phone, parse_mobile):
        try:
            phone = parse(raw)
        except InvalidPhone as exc:
            assert exc.reason in InvalidPhone.REASONS
            continue
        # Whatever is accepted is an Algerian number that reads back to itself.
        assert phone.e164.startswith("+213") and phone.e164[1:].isdigit()
        assert national_display(phone.e164) == phone.national
        assert parse_phone(phone.national).e164 == phone.e164
        assert parse_phone(phone.e164) == parse_phone(raw)


@FUZZ
@given(nsn=st.one_of(mobile_nsn, st.text(ASCII, min_size=8, max_size=9)))
def test_national_display_reads_back_to_the_same_number(nsn: str) -> None:
    try:
        phone = parse_phone("0" + nsn)
    except InvalidPhone as exc:
        assert exc.reason in InvalidPhone.REASONS
        return
    shown = national_display(phone.e164)
    assert shown == phone.national and shown.startswith("0")
    assert set(shown) <= set(string.digits + " ")
    assert parse_phone(shown) == phone


@FUZZ
@given(stored=st.one_of(st.text(max_size=40), st.from_regex(r"\+[0-9]{1,16}", fullmatch=True)))
def test_displaying_any_stored_value_never_fails(stored: str) -> None:
    shown = national_display(stored)
    assert isinstance(shown, str) and (shown == stored or any(c.isdigit() for c in shown))
