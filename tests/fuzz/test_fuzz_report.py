"""Fuzz: whole report runs through the command line (click's CliRunner, in process).

A Movebank CSV of a few animals (hostile but storable ids, a few faulty fixes)
is reported into an output folder with a hostile name (newline, unicode,
blanks, leading dash or dot). Invariants:

* no foreign exception escapes the CLI: it exits 0, 3 (some animals failed) or
  1 with a one-line ``Error:`` (a HabitatError);
* every output agrees on the set of animals: those read from the input are
  each in ``metrics.csv`` or ``failures.csv``; ``ranges.gpkg`` holds exactly
  the animals of ``metrics.csv``; every animal in ``metrics.csv`` without a
  page failure has one page; ``overlaps.csv`` names only reported animals;
* every input fix is used or flagged: per animal, ``n_fixes`` plus the
  excluded flagged fixes in ``metrics.csv`` is the animal's rows;
* nothing is written outside the output folder (the parent folder is listed
  before and after).
"""

from __future__ import annotations

import html
import os
import re
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from fuzz_strategies import FUZZ, RelocationTable, config_texts, relocation_tables, scratch
from hypothesis import given, settings
from hypothesis import strategies as st

from habitat.batch.runner import read_report_input
from habitat.cli import cli
from habitat.core.errors import HabitatError

pytestmark = pytest.mark.filterwarnings("ignore")

OUT_NAMES = [
    "report",
    "re\nport",
    "répört 豹",
    " lead and trail ",
    "-dash",
    ".hidden",
    "a'b\"c",
    "tab\there",
    "x" * 120,
    "sub/folder",
]


def listing(folder: Path, *, skip: Path) -> set[str]:
    """Every path under ``folder`` (relative), except under ``skip``."""
    found: set[str] = set()
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        if here == skip or skip in here.parents:
            dirs[:] = []
            continue
        for name in dirs + files:
            p = here / name
            if p != skip and skip not in p.parents:
                found.add(str(p.relative_to(folder)))
    return found


def _text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def check_outputs(out: Path, table: RelocationTable, source: Path) -> None:
    """The report folder's outputs agree on the animals and account for every fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fixes = read_report_input(source, **table.read_kwargs)
    animals = set(fixes["individual"].astype(str))
    failures = _text_table(out / "failures.csv")
    failed = set(failures["individual"])
    metrics_path = out / "metrics.csv"
    metrics = _text_table(metrics_path) if metrics_path.exists() else pd.DataFrame()
    reported = set(metrics["individual"]) if len(metrics) else set()
    assert reported | failed == animals, (
        f"animals read {sorted(animals)} != metrics {sorted(reported)} + failures {sorted(failed)}"
    )
    if not reported:
        return
    # read with sqlite3, not GDAL: GDAL drops characters of some folder names
    with closing(sqlite3.connect(out / "ranges.gpkg")) as db:
        in_gpkg = {str(r[0]) for r in db.execute("SELECT individual FROM ranges")}
    assert in_gpkg == reported, "ranges.gpkg and metrics.csv differ"
    page_failed = set(failures.loc[failures["stage"] == "page", "individual"])
    pages = [p for p in (out / "pages").glob("*.html")]
    assert len(pages) == len(reported - page_failed), (
        f"{len(pages)} pages for {len(reported - page_failed)} reported animals"
    )
    texts = [p.read_text(encoding="utf-8") for p in pages]
    for animal in reported - page_failed:
        shown = {html.escape(animal), html.escape(animal, quote=False)}
        assert any(any(s in t for s in shown) for t in texts), f"no page names {animal!r}"
    has_pairs = (out / "overlaps.csv").read_text(encoding="utf-8").strip()
    overlaps = _text_table(out / "overlaps.csv") if has_pairs else None
    if overlaps is not None and len(overlaps):
        named = set(overlaps["individual_a"]) | set(overlaps["individual_b"])
        assert named <= reported, f"overlaps.csv names {sorted(named - reported)}"
    # every fix used or flagged, per animal
    # n_fixes_excluded: every fix left out (flagged, or without a usable position)
    left_out = sorted(
        (c for c in metrics.columns if re.fullmatch(r"n_.*(flag|exclu).*", c)),
        key=lambda c: "exclu" not in c,
    )
    assert left_out, (
        f"metrics.csv does not say how many flagged fixes were excluded: {list(metrics.columns)}"
    )
    rows = fixes.groupby(fixes["individual"].astype(str)).size()
    m = metrics.set_index("individual")
    for animal in reported:
        used = int(float(m.at[animal, "n_fixes"]))
        excluded = int(float(m.at[animal, left_out[0]]))
        assert used + excluded == rows[animal], (
            f"{animal!r}: {used} used + {excluded} flagged ({left_out[0]}) != {rows[animal]}"
        )


@settings(FUZZ, max_examples=max(2, FUZZ.max_examples // 12))  # ~4 s a run
@given(
    table=relocation_tables(clean=True, movebank=True, max_animals=3, max_fixes=12),
    name=st.sampled_from(OUT_NAMES),
    method=st.sampled_from(["mcp", "kde"]),
)
def test_report_cli_outputs_agree_and_stay_in_the_folder(
    table: RelocationTable, name: str, method: str
) -> None:
    with scratch() as parent:
        source = parent / "input" / "fixes.csv"
        source.parent.mkdir()
        source.write_text(table.text, encoding="utf-8", newline="")
        (parent / "runs").mkdir()
        out = parent / "runs" / name
        top = parent / "runs" / name.split("/")[0]  # the folder the CLI may create
        before = listing(parent, skip=top)
        args = ["report", str(source), "--out", str(out), "--method", method, "--no-area-curve"]
        result = CliRunner().invoke(cli, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            exc = result.exception
            pytest.fail(f"habitat report let a foreign {type(exc).__name__} escape: {exc!r}")
        after = listing(parent, skip=top)
        assert after == before, f"written outside the output folder: {sorted(after ^ before)}"
        assert result.exit_code in (0, 1, 3), result.output
        if result.exit_code == 1:
            assert "Error:" in result.output
            return
        check_outputs(out, table, source)
        # a re-run into the same folder, unchanged input: still the same animals
        again = CliRunner().invoke(cli, args)
        assert again.exit_code == result.exit_code, again.output
        assert listing(parent, skip=top) == before
        check_outputs(out, table, source)


def test_report_input_is_a_habitat_error_or_read() -> None:
    """read_report_input on a folder and on a missing file: habitat errors, not OSError."""
    with scratch() as folder:
        for path in (folder, folder / "missing.csv"):
            with pytest.raises(HabitatError):
                read_report_input(path)


BAD_INPUTS = ["folder", "missing.csv", "empty.csv", "fake.csv.gz", "junk.gpkg", "header.csv"]


def _bad_input(folder: Path, kind: str) -> Path:
    path = folder / ("in_folder" if kind == "folder" else kind)
    if kind == "folder":
        path.mkdir()
    elif kind == "empty.csv":
        path.write_bytes(b"")
    elif kind == "fake.csv.gz":
        path.write_text("id,x,y\n1,2,3\n", encoding="utf-8")
    elif kind == "junk.gpkg":
        path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 4)
    elif kind == "header.csv":
        path.write_text("individual-local-identifier,location-long,location-lat,timestamp\n")
    return path


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(
    config=st.one_of(st.none(), config_texts()),
    kind=st.sampled_from(BAD_INPUTS),
    extra=st.sampled_from(
        [[], ["--level", "0.5"], ["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:9"]]
    ),
)
def test_report_cli_bad_config_or_input_is_one_error_line(
    config: str | None, kind: str, extra: list[str]
) -> None:
    with scratch() as parent:
        source = _bad_input(parent, kind)
        args = ["report", str(source), "--out", str(parent / "out"), "--no-area-curve", *extra]
        if config is not None:
            (parent / "report.toml").write_text(config, encoding="utf-8")
            args += ["--config", str(parent / "report.toml")]
        before = listing(parent, skip=parent / "out")
        result = CliRunner().invoke(cli, args)
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            pytest.fail(f"habitat report let a foreign {type(exc).__name__} escape: {exc!r}")
        assert result.exit_code in (1, 2), result.output  # 2: click's usage errors
        assert "Error" in result.output
        assert listing(parent, skip=parent / "out") == before
