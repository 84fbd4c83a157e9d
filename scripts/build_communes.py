#!/usr/bin/env python3
"""Generate models/shipping/data/communes.csv and models/shipping/data/wilayas.csv.

Source
    The data (not the code) of the PyPI wheel syscli-algeria 0.1.0
    (https://github.com/syscli/algeria, MIT licence, "Copyright (c) 2026 syscli").
    It is the only package that carries, per commune, the ONS code, French and Arabic
    official names, aliases and both wilaya maps: the 58-wilaya map of loi 19-12 (what
    couriers use today) and the 69-wilaya map of loi 26-06 / décret présidentiel 26-206
    (wilayas 59-69 take up their powers on 1 January 2027).

Correction applied (docs: shared reference market.md, section 4)
    El Borma (ONS 3021) is placed by syscli in Touggourt (55). The 2021 ordinance that
    followed loi 19-12 moved it back to Ouargla (30). The 2026 reform did not touch
    Ouargla or Touggourt, so El Borma is in Ouargla (30) in both maps. After the fix
    Ouargla has 8 communes and Touggourt 13, which matches the courier (dzship) lists.

Numbers 59-69 follow the order of the law as syscli reads décret 26-206; another numbering
(a deputy's announcement of Nov 2025) circulates. Check the Journal officiel before relying
on those numbers outside this project.

Usage
    python scripts/build_communes.py                 # pip-downloads the wheel into a temp dir
    python scripts/build_communes.py --wheel FILE    # uses a wheel already on disk
The wheel's SHA-256 is checked: the correction below was verified against that exact file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "syscli-algeria"
VERSION = "0.1.0"
WHEEL_SHA256 = "1f556137c704bf2b2fafb2be6015517e5612534d76eca9e5f751b8db7b35b522"
COMMUNES_MEMBER = "syscli_algeria/data/communes.csv"
WILAYAS_MEMBER = "syscli_algeria/data/wilayas.csv"

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "data"
COMMUNE_FIELDS = ("ons_code", "name_fr", "name_ar", "aliases", "wilaya_code_58", "wilaya_code_69")
WILAYA_FIELDS = ("code", "name_fr", "name_ar", "code_58")

EXPECTED_COMMUNES = 1541
EXPECTED_WILAYAS_69 = 69
EXPECTED_WILAYAS_58 = 58


@dataclass(frozen=True)
class Correction:
    """Move one commune; `was_*` must match the source, so a changed source is noticed."""

    ons_code: str
    name_fr: str
    was_58: int
    was_69: int
    now_58: int
    now_69: int


CORRECTIONS = (
    # 2021 ordinance: El Borma returns from Touggourt (55) to Ouargla (30); unchanged in 2026.
    Correction("3021", "El Borma", was_58=55, was_69=55, now_58=30, now_69=30),
)


def download_wheel(dest: Path) -> Path:
    """Download the pinned wheel with pip (no dependencies) and return its path."""
    requirement = f"{PACKAGE}=={VERSION}"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*command, "--dest", str(dest), requirement], check=True)
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel in {dest}, found {wheels}")
    return wheels[0]


def check_wheel(path: Path) -> None:
    """Refuse a wheel whose bytes differ from the one the correction was checked against."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256}")


def read_member(wheel: Path, member: str) -> list[dict[str, str]]:
    """Read one CSV file from inside the wheel (a zip archive)."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(member).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# Words that really end in alif maqsura; every other final ى in the source is the Egyptian
# way of writing a final ي, which Algerian spelling dots ("أم البواقي", "باب الوادي").
ALIF_MAQSURA = frozenset(
    [
        "الدفلى",
        "الوسطى",
        "المرسى",
        "مرسى",
        "مصطفى",
        "موسى",
        "عيسى",
        "يحيى",
        "بويحيى",
        "يبقى",
        "سلمى",
        "الكبرى",
        "الصغرى",
    ]
)


# Names the source writes without their hamza.
HAMZA = {"الاغواط": "الأغواط", "ايليزي": "إليزي"}


def algerian_spelling(name_ar: str) -> str:
    """Final ى written ي, but in the words that really end in alif maqsura."""
    words = name_ar.strip().split(" ")
    fixed = (w[:-1] + "ي" if w.endswith("ى") and w not in ALIF_MAQSURA else w for w in words)
    name = " ".join(fixed)
    return HAMZA.get(name, name)


def to_commune(row: dict[str, str]) -> dict[str, str | int]:
    """Keep the columns we ship; syscli's `wilaya_code` is the 69-map code."""
    return {
        "ons_code": row["code"].strip(),
        "name_fr": row["name_fr"].strip(),
        "name_ar": algerian_spelling(row["name_ar"]),
        "aliases": "|".join(a.strip() for a in row["aliases"].split("|") if a.strip()),
        "wilaya_code_58": int(row["wilaya_code_58"]),
        "wilaya_code_69": int(row["wilaya_code"]),
    }


def apply_corrections(communes: list[dict[str, str | int]]) -> None:
    """Apply CORRECTIONS in place, failing loudly if the source no longer matches."""
    by_code = {c["ons_code"]: c for c in communes}
    for fix in CORRECTIONS:
        commune = by_code.get(fix.ons_code)
        if commune is None or commune["name_fr"] != fix.name_fr:
            raise SystemExit(f"correction target {fix.ons_code} {fix.name_fr} not found")
        found = (commune["wilaya_code_58"], commune["wilaya_code_69"])
        if found != (fix.was_58, fix.was_69):
            raise SystemExit(f"{fix.name_fr}: source has {found}, correction expects otherwise")
        commune["wilaya_code_58"] = fix.now_58
        commune["wilaya_code_69"] = fix.now_69


def parent_codes(communes: Iterable[dict[str, str | int]]) -> dict[int, int]:
    """Map each 69-map wilaya to the single 58-map wilaya all its communes come from."""
    parents: dict[int, set[int]] = {}
    for commune in communes:
        code_69 = int(commune["wilaya_code_69"])
        parents.setdefault(code_69, set()).add(int(commune["wilaya_code_58"]))
    split = {code: found for code, found in parents.items() if len(found) != 1}
    if split:
        raise SystemExit(f"wilayas drawn from several 58-map wilayas: {split}")
    return {code: found.pop() for code, found in parents.items()}


def build_wilayas(
    source: Sequence[dict[str, str]], communes: Sequence[dict[str, str | int]]
) -> list[dict[str, str | int]]:
    """One row per 69-map wilaya, with the 58-map wilaya it was carved from."""
    parents = parent_codes(communes)
    wilayas: list[dict[str, str | int]] = []
    for row in source:
        code = int(row["code"])
        wilayas.append(
            {
                "code": code,
                "name_fr": row["name_fr"].strip(),
                "name_ar": algerian_spelling(row["name_ar"]),
                "code_58": parents[code],
            }
        )
    return sorted(wilayas, key=lambda w: int(w["code"]))


def check_invariants(
    communes: Sequence[dict[str, str | int]], wilayas: Sequence[dict[str, str | int]]
) -> None:
    """Stop before writing if the result breaks a fact we rely on."""
    codes = Counter(c["ons_code"] for c in communes)
    problems = [
        f"{len(communes)} communes" if len(communes) != EXPECTED_COMMUNES else "",
        f"duplicate ONS codes {[k for k, n in codes.items() if n > 1]}"
        if len(codes) != len(communes)
        else "",
        f"{len(wilayas)} wilayas" if len(wilayas) != EXPECTED_WILAYAS_69 else "",
    ]
    if {int(w["code"]) for w in wilayas} != set(range(1, EXPECTED_WILAYAS_69 + 1)):
        problems.append("69-map codes are not 1..69")
    if {int(c["wilaya_code_58"]) for c in communes} != set(range(1, EXPECTED_WILAYAS_58 + 1)):
        problems.append("58-map codes are not 1..58")
    problems = [p for p in problems if p]
    if problems:
        raise SystemExit("; ".join(problems))


def write_csv(path: Path, fields: Sequence[str], rows: Iterable[dict[str, str | int]]) -> None:
    """Write UTF-8 CSV with LF line ends so the committed file diffs cleanly."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build(wheel: Path, out_dir: Path) -> None:
    """Read the wheel, correct, check and write both CSV files into out_dir."""
    check_wheel(wheel)
    communes = [to_commune(row) for row in read_member(wheel, COMMUNES_MEMBER)]
    apply_corrections(communes)
    communes.sort(key=lambda c: str(c["ons_code"]))
    wilayas = build_wilayas(read_member(wheel, WILAYAS_MEMBER), communes)
    check_invariants(communes, wilayas)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "communes.csv", COMMUNE_FIELDS, communes)
    write_csv(out_dir / "wilayas.csv", WILAYA_FIELDS, wilayas)
    print(f"wrote {len(communes)} communes and {len(wilayas)} wilayas to {out_dir}")


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wheel", type=Path, help=f"{PACKAGE} {VERSION} wheel already on disk")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    if args.wheel is not None:
        build(args.wheel, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(download_wheel(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
