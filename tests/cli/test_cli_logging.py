"""What the command line writes on stderr at each verbosity, and what the library leaves alone.

Runs the installed ``habitat`` command in a fresh process (real logging and
warnings state, as a user runs it) on a small simulated data set: ``-q`` is
silent on a clean run; the default shows habitat's progress lines only; ``-v``
adds habitat's debug lines but none of matplotlib's, rasterio's or pyogrio's
info and debug chatter (2,191 matplotlib ``findfont`` lines in this very run
when the root logger is set to DEBUG). Warnings are shown once each, on one
line, and hidden by ``-q``.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import habitat
from habitat.cli import cli
from habitat.core.log import log_progress

BIN = Path(sys.executable).parent
HABITAT = BIN / "habitat"
# a record of a logger outside habitat below WARNING, as the CLI would print it
THIRD_PARTY_CHATTER = re.compile(r"^habitat: [\w.]+: (DEBUG|INFO): ", re.M)
NOISE = ("findfont", "Created ", "GDAL", "font_manager", "matplotlib")


@pytest.fixture(scope="module")
def fixes_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim, _ = habitat.simulate_relocations(n_females=2, n_males=1, days=12, seed=3)
    path = tmp_path_factory.mktemp("cli_logging") / "fixes.gpkg"
    sim.to_file(path)
    return path


def _habitat(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not HABITAT.exists():  # pragma: no cover - the console script of this environment
        pytest.skip(f"no habitat console script next to {sys.executable}")
    return subprocess.run(
        [str(HABITAT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _report(fixes: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    proc = _habitat(*flags, "report", fixes, "--out", out, "--method", "mcp", cwd=out.parent)
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file()
    return proc


def test_quiet_report_prints_nothing_on_stderr(fixes_file: Path, tmp_path: Path) -> None:
    proc = _report(fixes_file, tmp_path / "rep", "-q")
    assert proc.stderr == ""
    assert proc.stdout.strip().endswith("index.html")  # the result still goes to stdout


def test_default_report_shows_progress_and_nothing_from_other_libraries(
    fixes_file: Path, tmp_path: Path
) -> None:
    proc = _report(fixes_file, tmp_path / "rep")
    lines = proc.stderr.splitlines()
    assert lines, "no progress lines at the default level"
    assert all(line.startswith("habitat: ") for line in lines), lines
    assert "habitat: 3 animals, " in proc.stderr
    for stage in ("estimate", "page"):
        assert sum(f"] {stage} " in line for line in lines) == 3  # one line per animal
    assert any(line.startswith("habitat: done in ") for line in lines)
    for noise in NOISE:
        assert noise not in proc.stderr, noise
    assert "Warning" not in proc.stderr  # a clean run warns about nothing


def test_verbose_report_has_habitat_debug_lines_only(fixes_file: Path, tmp_path: Path) -> None:
    proc = _report(fixes_file, tmp_path / "rep", "-v")
    assert "habitat: reprojecting " in proc.stderr  # a debug line of habitat.core.crs
    assert "] estimate " in proc.stderr  # progress still shown
    for noise in NOISE:
        assert noise not in proc.stderr, noise
    assert not THIRD_PARTY_CHATTER.search(proc.stderr)


# a throw-away subcommand raising the same warning twice, a near twin, a progress line and
# another library's info and warning, run through the real entry point in a fresh process
WARN_SCRIPT = """
import logging, sys, warnings
from habitat.cli import cli

@cli.command("warn-twice")
def warn_twice():
    for _ in range(2):
        warnings.warn("F1 has 2 fixes\\n    left after cleaning", UserWarning, stacklevel=1)
    warnings.warn("F1 has 2 fixes left after cleaning", RuntimeWarning, stacklevel=1)
    logging.getLogger("habitat.test").info("progress line")
    logging.getLogger("some_library").info("Created 48 records")
    logging.getLogger("some_library").warning("a library's own warning")

cli([*sys.argv[1:], "warn-twice"], prog_name="habitat")
"""


def _warn_twice(*flags: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-c", WARN_SCRIPT, *flags], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_warnings_shown_once_each_on_one_line() -> None:
    proc = _warn_twice()
    assert proc.stderr.splitlines() == [
        "habitat: warning: UserWarning: F1 has 2 fixes left after cleaning",
        "habitat: warning: RuntimeWarning: F1 has 2 fixes left after cleaning",
        "habitat: progress line",
        "habitat: some_library: WARNING: a library's own warning",
    ]
    assert proc.stdout == ""


def test_quiet_hides_warnings_and_progress() -> None:
    assert _warn_twice("-q").stderr == ""


def test_the_cli_undoes_its_logging_and_warning_setup() -> None:
    logger = logging.getLogger("habitat")
    before = (list(logger.handlers), logger.level, logger.propagate)
    shown, last_resort = warnings.showwarning, logging.lastResort
    r = CliRunner().invoke(cli, ["-v", "layers", "--json"])
    assert r.exit_code == 0, r.output
    assert (list(logger.handlers), logger.level, logger.propagate) == before
    assert warnings.showwarning is shown and logging.lastResort is last_resort


def test_importing_habitat_configures_nothing() -> None:
    # every warnings filter added during the import is traced to the module that added it:
    # numpy and scipy add their own; habitat's modules add none (and no log handler)
    code = """
import logging, sys, warnings
added = []
for name in ("filterwarnings", "simplefilter"):
    def traced(*args, _original=getattr(warnings, name), **kwargs):
        added.append(sys._getframe(1).f_globals.get("__name__", "?"))
        return _original(*args, **kwargs)
    setattr(warnings, name, traced)
shown = warnings.showwarning
import habitat, habitat.cli, habitat.batch
assert not [m for m in added if m.split(".")[0] == "habitat"], added
assert warnings.showwarning is shown
assert not logging.getLogger().handlers and not logging.getLogger("habitat").handlers
assert logging.getLogger("habitat").level == logging.NOTSET
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_progress_on_stderr_only_when_logging_is_unconfigured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = logging.getLogger("habitat.batch.runner")
    # a script or notebook that never configured logging: the line is still seen
    monkeypatch.setattr(logging.root, "handlers", [])
    log_progress(log, "[1/3] estimate F1: ok")
    assert capsys.readouterr().err == "habitat: [1/3] estimate F1: ok\n"
    # an application that configured logging at WARNING: its choice is respected
    handler = logging.StreamHandler(sys.stderr)
    monkeypatch.setattr(logging.root, "handlers", [handler])
    log_progress(log, "[2/3] estimate F2: ok")
    assert capsys.readouterr().err == ""


def test_run_report_progress_true_in_a_plain_script(fixes_file: Path, tmp_path: Path) -> None:
    code = (
        "import sys, geopandas as gpd\n"
        "from habitat.batch import run_report, ReportOptions\n"
        "fixes = gpd.read_file(sys.argv[1])\n"
        "run_report(fixes, sys.argv[2], options=ReportOptions(methods=('mcp',),"
        " area_curve=False))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fixes_file), str(tmp_path / "rep")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert sum("] estimate " in line for line in lines) == 3, proc.stderr
    assert all(line.startswith("habitat: ") for line in lines), lines
