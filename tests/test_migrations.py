"""Models and committed migrations must agree, for both dialects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_models_match_migrations() -> None:
    # A child process: Aerich keeps class-level state between runs.
    result = subprocess.run(
        [sys.executable, "-m", "hanout.devtools", "check-drift"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_dialect_has_migrations() -> None:
    for dialect in ("sqlite", "postgres"):
        assert list((ROOT / "migrations" / dialect / "models").glob("0_*_init.py")), dialect
