"""Invariants of the packaged commune data and the geography lookups (no database)."""

from __future__ import annotations

from collections import Counter

import pytest

from models.shipping.geography import (
    Commune,
    Wilaya,
    communes_of,
    get_commune,
    get_wilaya,
    parse_wilaya_code,
    wilayas,
)

TOTAL_COMMUNES = 1541


def all_communes() -> list[Commune]:
    return [c for w in wilayas() for c in communes_of(w.code)]


def test_there_are_69_wilayas_numbered_1_to_69_in_order() -> None:
    assert [w.code for w in wilayas()] == list(range(1, 70))


def test_there_are_1541_communes_with_unique_ons_codes() -> None:
    codes = [c.ons_code for c in all_communes()]
    assert len(codes) == TOTAL_COMMUNES
    assert len(set(codes)) == TOTAL_COMMUNES
    assert all(len(code) == 4 and code.isdigit() for code in codes)


def test_the_58_map_uses_codes_1_to_58() -> None:
    assert {c.wilaya_code_58 for c in all_communes()} == set(range(1, 59))


def test_wilayas_1_to_58_are_their_own_58_map_wilaya() -> None:
    assert all(w.code_58 == w.code for w in wilayas() if w.code <= 58)
    assert all(1 <= w.code_58 <= 58 for w in wilayas())


def test_every_commune_sits_in_the_wilaya_that_lists_it() -> None:
    for wilaya in wilayas():
        assert all(c.wilaya_code == wilaya.code for c in communes_of(wilaya.code))


def test_each_commune_is_found_by_its_ons_code() -> None:
    for commune in all_communes():
        assert get_commune(commune.ons_code) is commune


def test_a_communes_58_code_is_its_69_wilayas_parent() -> None:
    for commune in all_communes():
        wilaya = get_wilaya(commune.wilaya_code)
        assert wilaya is not None
        assert commune.wilaya_code_58 == wilaya.code_58, commune


def test_per_wilaya_counts_add_up_in_both_maps() -> None:
    per_69 = Counter(c.wilaya_code for c in all_communes())
    per_58 = Counter(c.wilaya_code_58 for c in all_communes())
    assert sum(per_69.values()) == TOTAL_COMMUNES
    assert sum(per_58.values()) == TOTAL_COMMUNES
    assert set(per_69) == set(range(1, 70))


@pytest.mark.parametrize("wilaya_field", ["wilaya_code", "wilaya_code_58"])
@pytest.mark.parametrize("name_field", ["name_fr", "name_ar"])
def test_commune_names_are_unique_within_a_wilaya(wilaya_field: str, name_field: str) -> None:
    names = Counter((getattr(c, wilaya_field), getattr(c, name_field)) for c in all_communes())
    assert [key for key, n in names.items() if n > 1] == []


def test_names_are_present_in_both_languages() -> None:
    assert all(w.name_fr and w.name_ar for w in wilayas())
    assert all(c.name_fr and c.name_ar for c in all_communes())


def test_el_borma_is_in_ouargla_in_both_maps() -> None:
    # syscli-algeria puts it in Touggourt; the 2021 ordinance returned it to Ouargla.
    el_borma = get_commune("3021")
    assert el_borma is not None
    assert el_borma.name_fr == "El Borma"
    assert (el_borma.wilaya_code_58, el_borma.wilaya_code) == (30, 30)


# 58-map counts from the dzship courier list quoted in the market reference (section 4.3).
@pytest.mark.parametrize(
    ("code_58", "expected"),
    [(30, 8), (55, 13), (8, 11), (52, 10)],
    ids=["Ouargla", "Touggourt", "Bechar", "Beni Abbes"],
)
def test_58_map_counts_match_the_courier_list(code_58: int, expected: int) -> None:
    assert sum(1 for c in all_communes() if c.wilaya_code_58 == code_58) == expected


@pytest.mark.parametrize(
    ("code", "parent", "name_fr", "count"),
    [
        (59, 3, "Aflou", 12),
        (60, 5, "Barika", 8),
        (61, 7, "El Kantara", 5),
        (62, 12, "Bir El Ater", 4),
        (63, 13, "El Aricha", 4),
        (64, 14, "Ksar Chellala", 6),
        (65, 17, "Aïn Ouessara", 10),
        (66, 17, "Messaad", 8),
        (67, 26, "Ksar El Boukhari", 21),
        (68, 28, "Bou Saâda", 23),
        (69, 32, "El Abiodh Sidi Cheikh", 7),
    ],
)
def test_new_wilayas_of_2026(code: int, parent: int, name_fr: str, count: int) -> None:
    wilaya = get_wilaya(code)
    assert wilaya is not None
    assert (wilaya.code_58, wilaya.name_fr, len(communes_of(code))) == (parent, name_fr, count)


def test_108_communes_change_wilaya_in_2026() -> None:
    assert sum(1 for c in all_communes() if c.wilaya_code != c.wilaya_code_58) == 108


def test_communes_of_is_sorted_by_french_name_ignoring_accents() -> None:
    names = [c.name_fr for c in communes_of(5)]
    # Plain str order would put "Aïn ..." after "Zana" and "Béni ..." after "Boumia".
    assert names.index("Ain Djasser") < names.index("Aïn Touta") < names.index("Arris")
    assert names.index("Béni Fedhala El Hakania") < names.index("Boulhilat")
    # Batna loses Barika's 8 communes in the 69 map.
    assert (len(names), sum(1 for c in all_communes() if c.wilaya_code_58 == 5)) == (53, 61)


def test_communes_of_unknown_wilaya_is_empty() -> None:
    assert communes_of(0) == ()
    assert communes_of(70) == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("16", 16),
        ("6", 6),
        (" 06 ", 6),
        ("06", 6),
        (16, 16),
        (69, 69),
        ("58", 58),
        ("٠٦", 6),
        ("1", 1),
        ("0", None),
        ("00", None),
        ("70", None),
        (70, None),
        (0, None),
        (-1, None),
        ("-1", None),
        ("+16", None),
        ("016", None),
        ("16.0", None),
        ("1 6", None),
        ("Alger", None),
        ("", None),
        ("   ", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_wilaya_code(raw: str | int | None, expected: int | None) -> None:
    assert parse_wilaya_code(raw) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "16 - Alger"), ("en", "16 - Alger"), ("ar", "16 - الجزائر"), ("ar-DZ", "16 - الجزائر")],
)
def test_wilaya_label(lang: str, expected: str) -> None:
    alger = get_wilaya(16)
    assert alger is not None
    assert alger.label(lang) == expected


def test_wilaya_label_pads_the_code() -> None:
    adrar = get_wilaya(1)
    assert isinstance(adrar, Wilaya)
    assert adrar.label("fr") == "01 - Adrar"


@pytest.mark.parametrize(("lang", "expected"), [("fr", "Adrar"), ("ar", "أدرار")])
def test_commune_label(lang: str, expected: str) -> None:
    adrar = get_commune("0101")
    assert adrar is not None
    assert adrar.label(lang) == expected


@pytest.mark.parametrize("raw", ["0101", "101", " 0101 "])
def test_get_commune_tolerates_a_dropped_leading_zero(raw: str) -> None:
    commune = get_commune(raw)
    assert commune is not None
    assert commune.ons_code == "0101"


@pytest.mark.parametrize("raw", ["", "9999", "abcd", "01010"])
def test_get_commune_unknown(raw: str) -> None:
    assert get_commune(raw) is None


def test_aliases_are_a_tuple_of_non_empty_strings() -> None:
    tamacine = get_commune("3016")
    assert tamacine is not None
    assert tamacine.aliases == ("Temacine",)
    assert all(all(alias for alias in c.aliases) for c in all_communes())


def wilaya_ar(code: int) -> str:
    found = get_wilaya(code)
    assert found is not None
    return found.name_ar


def test_arabic_names_use_algerian_spelling() -> None:
    # A final ى is dotted (ي) in Algerian spelling, but where the word ends in alif maqsura.
    assert wilaya_ar(4) == "أم البواقي"
    assert wilaya_ar(39) == "الوادي"
    assert wilaya_ar(3) == "الأغواط"
    assert wilaya_ar(44) == "عين الدفلى"
    bab_el_oued = get_commune("1605")
    assert bab_el_oued is not None and bab_el_oued.name_ar == "باب الوادي"
    names = [w.name_ar for w in wilayas()]
    names += [c.name_ar for w in wilayas() for c in communes_of(w.code)]
    undotted = {word for name in names for word in name.split() if word.endswith("ى")}
    assert undotted <= ALIF_MAQSURA, undotted - ALIF_MAQSURA


ALIF_MAQSURA = {"الدفلى", "الوسطى", "المرسى", "مرسى", "مصطفى", "موسى", "عيسى", "يحيى", "بويحيى"}
ALIF_MAQSURA |= {"يبقى", "سلمى", "الكبرى", "الصغرى"}
