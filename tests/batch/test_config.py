"""Report configs and ReportOptions: every bad key or value refused up front, by key path."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
import re
import time

import pytest

from habitat.batch.config import (
    UD_METHODS,
    ReportOptions,
    check_input_paths,
    estimator_options,
    load_config,
)
from habitat.core.errors import ConfigError, DataFileError, HabitatError, InputError
from habitat.homerange import ESTIMATORS, METHODS

# (TOML of the [report] table, key path named, what the message must say is expected)
BAD_REPORT = [
    ('levels = ["a"]', "report.levels[0]", "expected a number, got 'a'"),
    ('methods = "kde"', "report.methods", "expected a list, got 'kde'"),
    ('max_speed_kmh = "fast"', "report.max_speed_kmh", "expected a number, got 'fast'"),
    ("max_fixes_on_map = -5", "report.max_fixes_on_map", "expected a value >= 1, got -5"),
    ("max_fixes_on_map = 0", "report.max_fixes_on_map", ">= 1"),  # 0 would mean "all fixes"
    ("max_fixes_on_map = 2.5", "report.max_fixes_on_map", "expected an integer"),
    ("levels = [0.5, 1.5]\nlevel = 0.5", "report.levels[1]", "<= 1"),
    ("levels = [0, 0.95]", "report.levels[0]", "> 0"),
    ("levels = [-0.5, 0.95]", "report.levels[0]", "> 0"),
    ("levels = []", "report.levels", "at least 1 item"),
    ("levels = [0.5, 1.0]\nlevel = 1.0", "report.levels", "level 1 cannot be reached by kde"),
    ("levels = [0.5, 0.5, 0.95]", "report.levels", "more than once"),
    ("level = 0.9", "report.level", "not among the estimated levels"),
    ("level = nan", "report.level", "finite"),
    ("ud_cell_size_m = inf", "report.ud_cell_size_m", "finite"),
    ("ud_cell_size_m = 0", "report.ud_cell_size_m", "> 0"),
    ('ud_cell_size_m = "200"', "report.ud_cell_size_m", "expected a number, got '200'"),
    ("max_speed_kmh = -20", "report.max_speed_kmh", "> 0"),
    ("area_curve_replicates = 1", "report.area_curve_replicates", ">= 2"),
    ("area_curve_replicates = true", "report.area_curve_replicates", "expected an integer"),
    ('area_curve = "yes"', "report.area_curve", "expected true or false"),
    ("area_curve = 1", "report.area_curve", "expected true or false"),
    ("title = 2025", "report.title", "expected a string"),
    ('methods = ["kde", "convex"]', "report.methods", "not home-range methods"),
    ('methods = ["kdee"]', "report.methods", "did you mean 'kde'?"),
    ('methods = ["mcp", "mcp"]', "report.methods", "more than once"),
    ("methods = []", "report.methods", "at least 1 item"),
    ("method_options = 5", "report.method_options", "expected a table"),
    (
        "[report.method_options.kdee]\ngrid = 100",
        "report.method_options.kdee",
        "did you mean 'kde'?",
    ),
    (
        "[report.method_options.kde]\nbandwith = 500",
        "report.method_options.kde.bandwith",
        "did you mean 'bandwidth'?",
    ),
    (
        "[report.method_options.mcp]\nlevel = 0.9",
        "report.method_options.mcp.level",
        "valid options",
    ),
    (
        '[report.method_options.kde]\nbandwidth = "hrf"',
        "report.method_options.kde.bandwidth",
        "href",
    ),
    (
        "[report.method_options.kde]\nbandwidth = -5",
        "report.method_options.kde.bandwidth",
        "positive",
    ),
    (
        '[report.method_options.kde]\nbandwidth = "lscv"\nbandwidth_m = 500',
        "report.method_options.kde",
        "not both",
    ),
    ('[report.method_options.kde]\nextent = "1"', "report.method_options.kde.extent", "a number"),
    ("[report.method_options.kde]\nmargin = nan", "report.method_options.kde.margin", "finite"),
    ("[report.method_options.kde]\nhlim = [0.1]", "report.method_options.kde.hlim[1]", "too short"),
    ('[report.method_options.locoh]\nkind = "z"', "report.method_options.locoh.kind", "'k', 'a'"),
    ('[report.method_options.locoh]\nk = "ten"', "report.method_options.locoh.k", "an integer"),
    (
        "[report.method_options.bbmm]\nsteps_per_leg = 2.5",
        "report.method_options.bbmm.steps",
        "integer",
    ),
    ("levle = 0.9", "report.levle", "did you mean 'level'?"),
]


def _write(tmp_path, text: str):
    path = tmp_path / "season.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("table", "key", "expected"), BAD_REPORT)
def test_bad_report_values_are_refused_naming_file_key_and_expectation(
    tmp_path, table, key, expected
):
    # a [report.x] sub-table needs the [report] header first only when keys precede it
    text = table if table.startswith("[report.") else f"[report]\n{table}\n"
    path = _write(tmp_path, text)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert time.perf_counter() - start < 2  # up front: nothing read, nothing estimated
    message = str(info.value)
    assert f"config file '{path}'" in message
    assert key in message
    assert expected in message
    # a habitat error a caller can catch as a ValueError; no pydantic type leaks
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert info.value.__suppress_context__ and info.value.__cause__ is None
    assert "pydantic" not in message and "errors.pydantic.dev" not in message


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[reprot]\ntitle = 'x'", "reprot", "did you mean 'report'?"),
        ("report = 5", "report", "expected a table"),
        ('[input]\nrelocation = "a.csv"', "input.relocation", "did you mean 'relocations'?"),
        ('[input]\nrelocations = "a.csv"\nranges = "b.gpkg"', "input", "not both"),
        ("[input]\nrelocations = 5", "input.relocations", "expected a string"),
        ('[input]\nrelocations = ""', "input.relocations", "at least 1 character"),
        ('[layers]\n"../roads" = "r.gpkg"', "layers", "letters, digits and underscores"),
        ("[layers]\nroads = 3", "layers.roads", "expected a string"),
    ],
)
def test_bad_tables_are_refused(tmp_path, text, key, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and key in message and expected in message


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    path = _write(
        tmp_path,
        '[report]\nlevels = ["a"]\nmethods = "kde"\nmax_speed_kmh = "fast"\n'
        "max_fixes_on_map = -5\n[report.method_options.kde]\nbandwith = 500\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "5 problems" in message
    for key in (
        "report.levels[0]",
        "report.methods",
        "report.max_speed_kmh",
        "report.max_fixes_on_map",
        "report.method_options.kde.bandwith",
    ):
        assert f"  - {key}: " in message


def test_good_config_values_are_kept_and_normalised(tmp_path):
    path = _write(
        tmp_path,
        '[report]\nmethods = ["mcp", "locoh"]\nlevels = [0.5, 1]\nlevel = 1\n'
        'max_speed_kmh = "none"\nud_cell_size_m = 100\n'
        "[report.method_options.locoh]\nk = 12\n"
        '[report.method_options.kde]\nbandwidth = "lscv"\nhlim = [0.2, 1.2]\n',
    )
    options, _ = load_config(path)
    # MCP and LoCoH may report 100 % (every fix); ints are taken as numbers
    assert options.levels == (0.5, 1.0) and options.level == 1.0
    assert options.max_speed_kmh is None  # "none": no speed filter (TOML has no null)
    assert options.ud_cell_size_m == 100.0 and isinstance(options.ud_cell_size_m, float)
    # only the options given, not every default of the estimator
    assert options.method_options == {
        "locoh": {"k": 12},
        "kde": {"bandwidth": "lscv", "hlim": (0.2, 1.2)},
    }
    # keys left out keep the ReportOptions defaults
    assert options.title == ReportOptions().title


def test_unreadable_config_files_are_data_file_errors(tmp_path):
    with pytest.raises(DataFileError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(DataFileError, match="is a folder"):
        load_config(tmp_path)
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00title")
    with pytest.raises(DataFileError, match="cannot read"):
        load_config(tmp_path / "bin.toml")


# --------------------------------------------------------------------------- ReportOptions


@pytest.mark.parametrize(
    ("kwargs", "key", "expected"),
    [
        ({"levels": ["a"]}, "levels[0]", "expected a number"),
        ({"methods": "kde"}, "methods", "expected a list"),
        ({"max_speed_kmh": "fast"}, "max_speed_kmh", "expected a number"),
        ({"max_fixes_on_map": -5}, "max_fixes_on_map", ">= 1"),
        ({"levels": (0.5, 2.0), "level": 0.5}, "levels[1]", "<= 1"),
        ({"method_options": {"kdee": {}}}, "method_options.kdee", "did you mean 'kde'?"),
        ({"method_options": {"kde": {"bandwith": 500}}}, "kde.bandwith", "'bandwidth'?"),
        ({"area_curve_replicates": 1.5}, "area_curve_replicates", "an integer"),
        ({"title": 5}, "title", "expected a string"),  # None: from the study area
    ],
)
def test_report_options_made_in_python_are_checked_the_same_way(kwargs, key, expected):
    with pytest.raises(ConfigError) as info:
        ReportOptions(**kwargs)
    message = str(info.value)
    assert message.startswith("ReportOptions") and key in message and expected in message


def test_report_options_refuse_unknown_keywords_as_a_habitat_error():
    with pytest.raises(ConfigError, match=r"unknown option\(s\) \['methdos'\].*'methods'\?"):
        ReportOptions(methdos=("kde",))  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="positional"):
        ReportOptions(*range(11))  # type: ignore[arg-type]


def test_report_options_replace_revalidates_and_options_pickle():
    opts = ReportOptions(methods=["kde", "mcp"], levels=[0.5, 0.9], level=0.9)
    assert opts.methods == ("kde", "mcp") and opts.levels == (0.5, 0.9)
    with pytest.raises(ConfigError, match="level"):
        dataclasses.replace(opts, level=0.95)
    assert dataclasses.replace(opts, title="T").title == "T"
    # worker processes receive options pickled
    assert pickle.loads(pickle.dumps(opts)) == opts
    # numpy numbers are numbers
    np = pytest.importorskip("numpy")
    assert ReportOptions(max_fixes_on_map=np.int64(10)).max_fixes_on_map == 10


def test_errors_are_habitat_errors():
    assert issubclass(ConfigError, HabitatError) and issubclass(ConfigError, ValueError)


# --------------------------------------------------------------------------- estimator options


def _signature_options(method: str) -> dict[str, inspect.Parameter]:
    params = inspect.signature(ESTIMATORS[method].estimate).parameters
    return {
        n: p
        for n, p in params.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and n not in ("levels", "timestamps_ns")
    }


@pytest.mark.parametrize("method", list(METHODS))
def test_estimator_options_are_the_estimator_keywords(method):
    options = estimator_options(method)
    # every keyword of the estimator is an option, and levels is not (the report sets it)
    assert set(_signature_options(method)) <= set(options)
    assert "levels" not in options and "timestamps_ns" not in options and "method" not in options
    # home_range's own keywords pass through method_options too
    assert {"crs", "exclude_flagged"} <= set(options)


@pytest.mark.parametrize("method", list(METHODS))
def test_every_estimator_keyword_is_accepted_and_every_misspelling_refused(method):
    for name, param in _signature_options(method).items():
        value = param.default
        if value is inspect.Parameter.empty or value is None:
            continue
        opts = ReportOptions(method_options={method: {name: value}})
        assert opts.method_options[method] == {name: value}
        typo = name[:-1] if len(name) > 3 else name + "x"
        if typo in estimator_options(method):
            continue
        with pytest.raises(ConfigError, match=rf"{method}\.{typo}: .*valid options"):
            ReportOptions(method_options={method: {typo: value}})


def test_level_one_is_refused_for_every_ud_method_only():
    for method in METHODS:
        kwargs = {"methods": (method,), "levels": (0.5, 1.0), "level": 1.0}
        if method in UD_METHODS:
            with pytest.raises(ConfigError, match="level 1 cannot be reached"):
                ReportOptions(**kwargs)
        else:
            assert ReportOptions(**kwargs).level == 1.0


def test_input_paths_are_checked_by_key(tmp_path):
    (tmp_path / "fixes.csv").write_text("id,x,y\n")
    (tmp_path / "folder.csv").mkdir()
    check_input_paths({"relocations": tmp_path / "fixes.csv", "layers": {"roads": None}})
    with pytest.raises(DataFileError, match=r"key layers\.roads: .*does not exist"):
        check_input_paths({"layers": {"roads": tmp_path / "roads.gpkg"}}, config="c.toml")
    with pytest.raises(DataFileError, match=r"key input\.relocations: .*is a folder"):
        check_input_paths({"relocations": tmp_path / "folder.csv", "layers": {}})


@pytest.mark.parametrize("workers", [0, -1, "2", 1.5, True, None])
def test_run_report_refuses_bad_workers_before_any_work(tmp_path, workers):
    import geopandas as gpd
    import shapely

    from habitat.batch.runner import run_report

    fixes = gpd.GeoDataFrame(
        {"individual": ["A"] * 6}, geometry=shapely.points(range(6), range(6)), crs=32652
    )
    with pytest.raises(ConfigError, match=r"workers must be a whole number >= 1"):
        run_report(fixes, tmp_path / "rep", workers=workers, progress=False)
    assert not (tmp_path / "rep").exists()


def test_run_report_refuses_options_that_are_not_report_options(tmp_path):
    import geopandas as gpd
    import shapely

    from habitat.batch.runner import run_report
    from habitat.core.errors import SchedulerError

    fixes = gpd.GeoDataFrame(
        {"individual": ["A"] * 6}, geometry=shapely.points(range(6), range(6)), crs=32652
    )
    with pytest.raises(ConfigError, match="options must be a ReportOptions, not dict"):
        run_report(fixes, tmp_path / "rep", options={"methods": ["kde"]}, progress=False)
    with pytest.raises(SchedulerError, match="http:// is not a dask transport"):
        run_report(fixes, tmp_path / "rep", scheduler="http://host:8786", progress=False)
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize("method", list(METHODS))
def test_config_options_and_home_range_agree(method):
    """What a config accepts for a method, home_range takes; what it refuses, home_range refuses."""
    import warnings

    import habitat

    fixes, _ = habitat.simulate_relocations(n_females=1, n_males=0, days=10, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (_, default) in estimator_options(method).items():
            if default is None or default is inspect.Parameter.empty:
                continue
            ReportOptions(method_options={method: {name: default}})
            habitat.home_range(fixes, method=method, levels=0.95, **{name: default})
        with pytest.raises(ConfigError):
            ReportOptions(method_options={method: {"level": 0.9}})
        with pytest.raises(InputError, match="level"):
            habitat.home_range(fixes, method=method, levels=0.95, level=0.9)


@pytest.mark.parametrize(
    ("method_options", "key"),
    [
        ({"kde": {"grid": "abc"}}, "method_options.kde.grid"),
        ({"kde": {"grid": -5}}, "method_options.kde.grid"),
        ({"kde": {"bandwidth_m": -1}}, "method_options.kde.bandwidth_m"),
        ({"kde": {"extent": -3}}, "method_options.kde.extent"),
        ({"locoh": {"k": -3}}, "method_options.locoh.k"),
        ({"mcp": {"crs": "nonsense"}}, "method_options.mcp.crs"),
        ({"mcp": {"crs": "EPSG:4978"}}, "method_options.mcp.crs"),  # geocentric
        ({"bbmm": {"location_error_m": -1}}, "method_options.bbmm.location_error_m"),
    ],
)
def test_estimator_option_values_are_checked_before_any_work(method_options, key):
    """Out-of-range option values fail the config, not every animal at 'estimate'."""
    with pytest.raises(ConfigError, match=re.escape(key)):
        ReportOptions(method_options=method_options)
