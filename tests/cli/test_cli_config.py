"""``habitat report``: bad configs, options and clusters refused before any work."""

from __future__ import annotations

import socket
import time

import pytest
from click.testing import CliRunner

from habitat.cli import cli

BAD = [
    ('[report]\nlevels = ["a"]\n', "report.levels[0]", "expected a number, got 'a'"),
    ('[report]\nmethods = "kde"\n', "report.methods", "expected a list"),
    ('[report]\nmax_speed_kmh = "fast"\n', "report.max_speed_kmh", "expected a number"),
    ("[report]\nmax_fixes_on_map = -5\n", "report.max_fixes_on_map", ">= 1"),
    ("[report.method_options.kdee]\ngrid = 100\n", "report.method_options.kdee", "'kde'?"),
    (
        "[report.method_options.kde]\nbandwith = 500\n",
        "report.method_options.kde.bandwith",
        "did you mean 'bandwidth'?",
    ),
    ('[input]\nrelocations = "nowhere.csv"\n', "input.relocations", "does not exist"),
    ('[layers]\nroads = "nowhere.gpkg"\n', "layers.roads", "does not exist"),
]


def _no_work_done(out) -> bool:
    return not (out / "metrics.csv").exists() and not list(out.rglob("*.parquet"))


@pytest.mark.parametrize(("text", "key", "expected"), BAD)
def test_bad_config_exits_1_with_the_file_key_and_expectation(tmp_path, text, key, expected):
    config = tmp_path / "season.toml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "rep"
    start = time.perf_counter()
    r = CliRunner().invoke(cli, ["report", "--config", str(config), "--out", str(out)])
    seconds = time.perf_counter() - start
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)  # a clean exit
    assert r.stderr.startswith("Error: ")
    assert str(config) in r.stderr and key in r.stderr and expected in r.stderr
    assert _no_work_done(out)
    assert seconds < 5  # refused up front, not after the demo leopards were estimated


def test_bad_option_against_the_config_is_refused_up_front(tmp_path):
    # --method kde asks for a UD at the config's level 1 (fine for MCP alone)
    config = tmp_path / "season.toml"
    config.write_text('[report]\nmethods = ["mcp"]\nlevels = [0.5, 1.0]\nlevel = 1.0\n')
    out = tmp_path / "rep"
    r = CliRunner().invoke(
        cli, ["report", "--config", str(config), "--method", "kde", "--out", str(out)]
    )
    assert r.exit_code == 1, r.output
    assert "level 1 cannot be reached by kde" in r.stderr and _no_work_done(out)


@pytest.mark.parametrize("address", ["http://host:8786", "host:abc", "tcp://"])
def test_malformed_scheduler_address_exits_1(tmp_path, address):
    r = CliRunner().invoke(cli, ["report", "--scheduler", address, "--out", str(tmp_path / "r")])
    assert r.exit_code == 1, r.output
    assert f"'{address}'" in r.stderr and "tcp://HOST:PORT" in r.stderr
    assert not (tmp_path / "r").exists()


def test_unreachable_scheduler_fails_fast_naming_the_address(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "rep"
    start = time.perf_counter()
    r = CliRunner().invoke(cli, ["report", "--scheduler", address, "--out", str(out)])
    assert time.perf_counter() - start < 3
    assert r.exit_code == 1, r.output
    assert f"cannot reach the dask scheduler at '{address}'" in r.stderr
    assert "Traceback" not in r.output
    assert not out.exists()  # checked before the input was read
