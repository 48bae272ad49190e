"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: Real relocation data sets (adehabitat exports), outside the repository; optional.
SHARED_RELOCATIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "relocations"

# A Movebank export of two leopards. Data rows (source_row = line number - 1):
#   1  Leo 2M 06:00            (file order is not time order)
#   2  Leo 1F 00:00
#   3  Leo 1F 01:00
#   4  Leo 1F 02:00  131.50 -> a spike: ~40 km away, back an hour later
#   5  Leo 1F 03:00
#   6  Leo 1F 03:00            duplicate of row 5
#   7  Leo 1F 04:00  no coordinates
#   8  Leo 2M 00:00
MOVEBANK_CSV = """\
event-id,visible,timestamp,location-long,location-lat,individual-local-identifier,tag-local-identifier
101,true,2024-03-01 06:00:00.000,131.21,43.1,Leo 2M,T2
102,true,2024-03-01 00:00:00.000,131.0,43.0,Leo 1F,T1
103,true,2024-03-01 01:00:00.000,131.01,43.0,Leo 1F,T1
104,true,2024-03-01 02:00:00.000,131.5,43.0,Leo 1F,T1
105,true,2024-03-01 03:00:00.000,131.02,43.0,Leo 1F,T1
106,true,2024-03-01 03:00:00.000,131.03,43.0,Leo 1F,T1
107,true,2024-03-01 04:00:00.000,,,Leo 1F,T1
108,true,2024-03-01 00:00:00.000,131.2,43.1,Leo 2M,T2
"""

MOVEBANK_REFERENCE = """\
tag-id,animal-id,animal-sex,deploy-on-date
T1,Leo 1F,f,2024-02-01 00:00:00.000
T2,Leo 2M,m,2024-02-01 00:00:00.000
T9,Leo 9,u,2024-02-01 00:00:00.000
"""


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def movebank_csv(write_text: Callable[[str, str], Path]) -> Path:
    """The two-leopard Movebank CSV above."""
    return write_text("leopards_movebank.csv", MOVEBANK_CSV)


@pytest.fixture
def movebank_reference(write_text: Callable[[str, str], Path]) -> Path:
    """A Movebank reference table giving the sex of both leopards."""
    return write_text("leopards_reference.csv", MOVEBANK_REFERENCE)


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full demo run (tables, map and report set), shared by the batch tests that read it."""
    from habitat.batch.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    run_demo(out, overwrite=True)
    return out
