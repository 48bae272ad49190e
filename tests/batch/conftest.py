"""Fixtures shared by the batch tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from habitat.batch.demo import run_demo


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full demo run (tables, map and report set), shared by the modules that read it."""
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, overwrite=True)
    return out
