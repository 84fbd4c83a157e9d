"""The PDF builders on their own, read back with pypdf: page counts per format, the text of
every label and of the pick list, Arabic joined and in reading order, the couriers' own
PDFs merged in their place (a broken one replaced by ours), and a clear refusal of an
unknown format."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from printing.labels import ParcelLabel, label_pdf
from printing.pick_list import PickRow, pick_list_pdf
from printing.text import BOLD, lines, reshape, visual

WORDS = {"cod": "Montant à encaisser", "recipient": "Destinataire", "items": "Articles"}


def parcel(i: int, **fields: object) -> ParcelLabel:
    facts: dict[str, object] = {
        "store": "Boutique Yasmine",
        "number": 1000 + i,
        "courier": "yalidine",
        "tracking": f"yal-{i:06d}",
        "name": "Amina Benali",
        "phone": "0550 12 34 56",
        "place": "16 - Alger · Bordj El Kiffan",
        "address": "12 rue Didouche Mourad",
        "delivery": "Livraison à domicile",
        "cod": "4\u202f500\u00a0DA",
        "items": "Robe kabyle (Taille: M) × 2",
        **fields,
    }
    return ParcelLabel(**facts)  # type: ignore[arg-type]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def courier_pdf(text: str, pages: int = 1) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for page in range(pages):
        canvas.drawString(72, 720, f"{text} {page + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize(("count", "label_format", "pages"), [
    (1, "a4", 1), (4, "a4", 1), (5, "a4", 2), (10, "a4", 3), (1, "thermal", 1), (10, "thermal", 10),
])  # fmt: skip
def test_labels_fill_pages_of_the_stores_format(count: int, label_format: str, pages: int) -> None:
    pdf = read(label_pdf([parcel(i) for i in range(count)], label_format, WORDS))
    assert len(pdf.pages) == pages
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for i in range(count):
        assert f"yal-{i:06d}" in text and f"#{1000 + i}" in text
    assert "Montant à encaisser" in text and "Amina Benali" in text and "0550 12 34 56" in text
    width_mm = round(float(pdf.pages[0].mediabox.width) / 72 * 25.4)
    assert width_mm == (100 if label_format == "thermal" else 210)


def test_each_thermal_page_holds_its_own_parcel() -> None:
    pdf = read(label_pdf([parcel(i) for i in range(3)], "thermal", WORDS))
    for i, page in enumerate(pdf.pages):
        text = page.extract_text()
        assert f"yal-{i:06d}" in text
        assert all(f"yal-{j:06d}" not in text for j in range(3) if j != i)


def test_arabic_is_joined_and_put_in_reading_order() -> None:
    name = "سارة بن علي"
    shaped = visual(name)
    assert shaped != name and "\ufe8e" not in name  # presentation forms, not bare letters
    assert shaped.startswith(visual("علي"))  # the last word is drawn leftmost
    pdf = read(label_pdf([parcel(1, name=name)], "thermal", WORDS))
    # pypdf reads right-to-left runs back in logical order: the joined letters, as written.
    assert reshape(name) in pdf.pages[0].extract_text()
    assert visual("Bordj El Kiffan") == "Bordj El Kiffan"  # Latin text is left alone


def test_long_text_is_cut_to_the_lines_it_may_take() -> None:
    cut = lines("Cité 500 logements, bâtiment 12, porte 4, " * 20, BOLD, 9, 200, 3)
    assert len(cut) == 3 and cut[-1].endswith("…")


def test_courier_pdfs_take_their_place_and_a_broken_one_is_replaced_by_ours() -> None:
    labels = [
        parcel(1),
        parcel(2, courier_pdf=courier_pdf("BORDEREAU ZR", pages=2)),
        parcel(3, courier_pdf=b"%PDF-1.4 not really"),
        parcel(4),
    ]
    pdf = read(label_pdf(labels, "a4", WORDS))
    texts = [p.extract_text() for p in pdf.pages]
    assert len(texts) == 4  # ours (1), the courier's two pages, ours (3 and 4 on one sheet)
    assert "yal-000001" in texts[0]
    assert "BORDEREAU ZR 1" in texts[1] and "BORDEREAU ZR 2" in texts[2]
    assert "yal-000003" in texts[3] and "yal-000004" in texts[3]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="a4, thermal"):
        label_pdf([parcel(1)], "a5", WORDS)


def test_the_pick_list_lists_every_variant_with_its_units_and_their_total() -> None:
    rows = [
        PickRow("Robe kabyle", f"Taille: {size}", f"RK-{size}", units, orders)
        for size, units, orders in (("M", 6, 3), ("L", 2, 1))
    ] + [PickRow("جبة قسنطينية", "اللون: أحمر", "JQ-1", 1, 1)]
    words = {"product": "Produit", "units": "Qté", "total_units": "Total des unités"}
    pdf = read(pick_list_pdf(rows, "Boutique Yasmine · Liste", "4 commandes", words))
    text = pdf.pages[0].extract_text()
    assert "Boutique Yasmine · Liste" in text and "4 commandes" in text
    assert "Taille: M" in text and "RK-L" in text and reshape("جبة قسنطينية") in text
    assert "Total des unités 9" in text.replace("\n", " ")


def test_a_long_pick_list_repeats_its_heading_on_each_page() -> None:
    rows = [PickRow(f"Produit {i}", "", f"P-{i}", 1, 1) for i in range(80)]
    pdf = read(pick_list_pdf(rows, "Liste", "80 commandes", {"product": "Produit"}))
    assert len(pdf.pages) >= 2
    assert all(p.extract_text().count("Produit") >= 2 for p in pdf.pages)
    assert "P-79" in pdf.pages[-1].extract_text()
