#!/usr/bin/env python3
"""Rewrite ``tests/data/demo_reference`` from the demo of the current code.

Run from the repository root, only when a change of the demo's numbers is
intended (and say why in ``tests/data/demo_reference/README.md``)::

    .venv/bin/python tools/update_demo_reference.py

``tests/batch/test_demo_compat.py`` compares every later demo with these
files to 1e-12 (relative).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from habitat.batch.demo import run_demo  # noqa: E402

#: the demo outputs kept as the reference (paths inside the demo folder)
FILES = (
    "territories.csv",
    "home_ranges.csv",
    "report/metrics.csv",
    "report/overlaps.csv",
    "report/fragmentation.csv",
)
REFERENCE = ROOT / "tests" / "data" / "demo_reference"


def main() -> None:
    """Run the demo in a temporary folder and copy its tables to the reference."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        run_demo(out, overwrite=True)
        REFERENCE.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(out / name, REFERENCE / Path(name).name)
            print(f"wrote {REFERENCE / Path(name).name}")


if __name__ == "__main__":
    main()
