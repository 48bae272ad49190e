"""Execute every notebook in notebooks/ (committed without outputs)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

#: notebooks of a quarter of a minute or more: run with the slow tests (``.ci/run``
#: step 3), so the default run stays under its 10-minute budget
SLOW = {
    "02_home_ranges.ipynb",
    "03_maps_and_reports.ipynb",
    "04_your_own_study_area.ipynb",
    "05_fragmentation.ipynb",
    "06_corridors.ipynb",
    "07_autocorrelated_home_ranges.ipynb",
}


@pytest.mark.notebook
@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in NOTEBOOKS],
    ids=[p.name for p in NOTEBOOKS],
)
def test_notebook_runs_and_is_committed_without_outputs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} has outputs; clear them before committing"
    )
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1
    assert SLOW <= {p.name for p in NOTEBOOKS}  # a renamed notebook must not drop out
