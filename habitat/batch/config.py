"""Report configuration: :class:`ReportOptions` and TOML configs, checked before any work.

One typed schema (pydantic) holds every key of a report configuration and what
it may be:

* ``[input]``: ``relocations`` *or* ``ranges``, and ``reference``, as paths;
* ``[layers]``: layer name (letters, digits, ``_``) -> path, or ``"none"``;
* ``[report]``: every field of :class:`ReportOptions`, with its type and range;
* ``[report.method_options.<method>]``: the options of that home-range
  estimator, read from the estimator's own signature
  (:func:`estimator_options`), so the schema never drifts from the code.

Wrong types (``levels = ["a"]``, ``methods = "kde"``), out-of-range numbers
(``max_fixes_on_map = -5``, levels outside (0, 1)) and unknown keys
(``[report.method_options.kdee]``, ``bandwith = 500``) raise one
:class:`~habitat.core.errors.ConfigError` listing every problem by file and key
path (``report.method_options.kde.bandwith``), with what is expected and the
closest valid key, before a single animal is estimated. Strings are never
taken as numbers, nor numbers as strings or booleans.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import difflib
import functools
import inspect
import math
import operator
import os
import re
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from habitat.batch.cluster import parse_scheduler_address
from habitat.core.crs import as_crs
from habitat.core.errors import ConfigError, DataFileError, HabitatError
from habitat.core.fs import read_toml
from habitat.homerange import ESTIMATORS, METHODS, home_range
from habitat.homerange.bandwidth import BANDWIDTH_METHODS, bandwidth_choice

__all__ = [
    "UD_METHODS",
    "ReportOptions",
    "check_input_paths",
    "check_run_arguments",
    "estimator_options",
    "load_config",
    "safe_layer_name",
]

#: Methods whose ranges are isopleths of a utilisation distribution: their
#: level 1 is the whole plane (the UD never reaches 0), so it is refused.
UD_METHODS = ("kde", "bbmm", "akde")

#: Keywords :func:`habitat.home_range` passes to every estimator itself.
_SET_BY_HOME_RANGE = ("levels", "timestamps_ns")
#: Keywords of :func:`habitat.home_range` that are not options of a method.
_NOT_OPTIONS = ("method", "levels")

_TABLES = {
    "input": "[input]",
    "layers": "[layers]",
    "study_area": "[study_area]",
    "species": "species = ...",
    "report": "[report]",
}

# Strict: a string is never a number, a number never a string or a boolean;
# NaN and infinity are refused. Lists are turned into tuples first (_plain).
_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, arbitrary_types_allowed=True)


# --------------------------------------------------------------------------- values


def _plain(value: Any) -> Any:
    """Lists as tuples and numpy scalars as Python ones, recursively (before strict checks)."""
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _closest(name: object, valid: typing.Iterable[str]) -> str:
    match = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _check_methods(methods: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"{unknown} are not home-range methods; use some of {', '.join(METHODS)}"
            + _closest(unknown[0], METHODS)
        )
    twice = sorted({m for m in methods if methods.count(m) > 1})
    if twice:
        raise ValueError(f"{twice} listed more than once; list each method once")
    return methods


#: ``ReportOptions.max_speed_kmh`` default: the species profile's speed limit
SPEED_FROM_SPECIES = "species"


def _speed(value: Any) -> Any:
    """``"none"`` turns the speed filter off (TOML has no null); ``"species"`` takes the profile's.

    Any case; ``"auto"`` is taken as ``"species"``.
    """
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "none":
            return None
        if word in (SPEED_FROM_SPECIES, "auto"):
            return SPEED_FROM_SPECIES
        raise ValueError(
            f'expected a number, got {value!r} (km/h > 0; or "species" for the species '
            'profile\'s limit, "none" for no speed check)'
        )
    return value


def _ud_cell(value: Any) -> Any:
    """``"auto"`` (any case) means cells from the bandwidth: TOML has no null."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return None
    return value


def _check_bandwidth(value: Any) -> Any:
    """A KDE bandwidth rule (:data:`habitat.homerange.bandwidth.BANDWIDTH_METHODS`) or metres."""
    if isinstance(value, str):
        if value.lower() in BANDWIDTH_METHODS:
            return value
        raise ValueError(
            f"expected one of {', '.join(BANDWIDTH_METHODS)} (or a number of metres as "
            f"bandwidth_m), got {value!r}" + _closest(value.lower(), BANDWIDTH_METHODS)
        )
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(
            f"expected one of {', '.join(BANDWIDTH_METHODS)} or a positive number of metres, "
            f"got {value!r}"
        )
    return value


def _positive(value: Any) -> Any:
    """A finite number above 0 (metres, fractions of a range, counts), or None."""
    if value is None:
        return value
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(f"expected a finite number above 0, got {value!r}")
    return value


def _location_error(value: Any) -> Any:
    """BBMM location error: metres >= 0, one number or one per fix."""
    values = value if isinstance(value, list | tuple) else [value]
    for v in values:
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not (math.isfinite(v) and v >= 0)
        ):
            raise ValueError(f"expected metres >= 0 (a number or a list of numbers), got {v!r}")
    return value


def _positive_int(value: Any) -> Any:
    """A whole number >= 1, or None."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"expected a whole number >= 1, got {value!r}")
    return value


def _check_grid(value: Any) -> Any:
    """AdehabitatHR's grid: a whole number of nodes >= 2 (a raster template is Python-only)."""
    if hasattr(value, "transform"):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValueError(f"expected a whole number of grid nodes >= 2, got {value!r}")
    return value


def _check_crs(value: Any) -> Any:
    """A CRS that habitat accepts (:func:`habitat.core.crs.as_crs`), or None."""
    if value is None:
        return value
    try:
        as_crs(value, name="crs")
    except HabitatError as exc:
        raise ValueError(str(exc)) from None
    return value


#: Checks of estimator option values beyond their type hints, by option name.
_OPTION_VALUE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "bandwidth": _check_bandwidth,
    "bandwidth_m": _positive,
    "grid": _check_grid,
    "extent": _positive,
    "cell_size_m": _positive,
    "margin": _positive,
    "max_grow": _positive_int,
    "k": _positive_int,
    "a_m": _positive,
    "r_m": _positive,
    "a": _positive,
    "r": _positive,
    "location_error_m": _location_error,
    "motion_variance_m2_per_h": _positive,
    "margin_m": _positive,
    "steps_per_leg": _positive_int,
    "crs": _check_crs,
}

_Fraction = Annotated[float, Field(gt=0, le=1)]


# --------------------------------------------------------------------------- estimator options


def _keyword_options(func: Callable[..., Any], skip: typing.Iterable[str]) -> dict[str, Any]:
    """Keyword-only parameters of ``func`` (after its decorators) as ``{name: (hint, default)}``."""
    params = inspect.signature(func).parameters
    try:
        hints = typing.get_type_hints(inspect.unwrap(func))
    except Exception:  # an annotation that cannot be resolved at run time: check names only
        hints = {}
    return {
        name: (hints.get(name, Any), p.default)
        for name, p in params.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in skip
    }


@cache
def estimator_options(method: str) -> dict[str, Any]:
    """The options ``home_range(method=method, ...)`` takes, with their types and defaults.

    Read from the signatures of the estimator (``estimate`` in the method's
    module, :data:`habitat.homerange.ESTIMATORS`) and of
    :func:`habitat.home_range` itself (``crs``, ``exclude_flagged``,
    ``expected_area_sq_mi``), so configs accept exactly what the code takes.

    Parameters
    ----------
    method : str
        A key of :data:`habitat.homerange.METHODS`.

    Returns
    -------
    dict
        Option name -> ``(type hint, default)``.

    Examples
    --------
    >>> {"a", "a_m", "crs", "exclude_flagged"} <= set(estimator_options("locoh"))
    True
    >>> estimator_options("akde")["ci_level"]  # (type hint, default)
    (<class 'float'>, 0.95)
    >>> "bandwidth" in estimator_options("kde"), "levels" in estimator_options("kde")
    (True, False)
    """
    if method not in ESTIMATORS:
        raise ConfigError(f"unknown method {method!r}; use one of {', '.join(METHODS)}.")
    options = _keyword_options(ESTIMATORS[method].estimate, _SET_BY_HOME_RANGE)
    options.update(_keyword_options(home_range, _NOT_OPTIONS))
    return options


class _OptionsBase(BaseModel):
    model_config = _STRICT

    @model_validator(mode="after")
    def _one_bandwidth(self) -> Self:
        """``bandwidth`` (a rule) with ``bandwidth_m`` (metres): the estimator's own rule."""
        given = self.model_fields_set
        if {"bandwidth", "bandwidth_m"} <= given:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    bandwidth_choice(
                        getattr(self, "bandwidth"),  # noqa: B009 - fields made by create_model
                        getattr(self, "bandwidth_m"),  # noqa: B009
                        where="the KDE options",
                    )
                except HabitatError as exc:
                    raise ValueError(str(exc)) from None
        return self


def _stored(hint: Any) -> Any:
    """A type hint as a config value is kept: an iterable as a tuple, so every animal gets it.

    (pydantic validates ``Iterable[str]`` lazily, into a one-pass iterator that
    the first animal would use up.)

    >>> from collections.abc import Iterable
    >>> _stored(Iterable[str] | None)
    tuple[str, ...] | None
    >>> _stored(float | None)
    float | None
    """
    origin = typing.get_origin(hint)
    if origin is typing.Union or isinstance(hint, types.UnionType):
        return functools.reduce(operator.or_, [_stored(a) for a in typing.get_args(hint)])
    if origin is collections.abc.Iterable:
        (item,) = typing.get_args(hint) or (Any,)
        return tuple[item, ...]  # type: ignore[valid-type]
    return hint


@cache
def _options_model(method: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, (hint, default) in estimator_options(method).items():
        check = _OPTION_VALUE_CHECKS.get(name)
        hint = _stored(hint)
        typed = Annotated[hint, AfterValidator(check)] if check else hint
        fields[name] = (typed, default)
    return create_model(f"{method}_options", __base__=_OptionsBase, **fields)


@cache
def _method_options_model() -> type[BaseModel]:
    fields: dict[str, Any] = {m: (_options_model(m) | None, None) for m in METHODS}
    return create_model("method_options", __config__=_STRICT, **fields)


# --------------------------------------------------------------------------- schema


class _ReportFields(BaseModel):
    """The fields of :class:`ReportOptions` and what each may be (order matters: checks use it)."""

    model_config = _STRICT

    methods: Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_check_methods)]
    levels: Annotated[tuple[_Fraction, ...], Field(min_length=1)]
    level: _Fraction
    method_options: Any  # typed by the estimators' signatures in _report_schema
    area_curve: bool
    area_curve_replicates: Annotated[int, Field(ge=2)]
    ud_cell_size_m: Annotated[Annotated[float, Field(gt=0)] | None, BeforeValidator(_ud_cell)]
    max_fixes_on_map: Annotated[int, Field(ge=1)]
    max_speed_kmh: Annotated[
        Annotated[float, Field(gt=0)] | Literal["species"] | None, BeforeValidator(_speed)
    ]
    title: str | None

    @field_validator("levels")
    @classmethod
    def _levels(cls, levels: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        twice = sorted({v for v in levels if levels.count(v) > 1})
        if twice:
            raise ValueError(f"{twice} listed more than once; list each level once")
        ud = [m for m in info.data.get("methods", ()) if m in UD_METHODS]
        if ud and 1.0 in levels:
            raise ValueError(
                f"level 1 cannot be reached by {', '.join(ud)} (a utilisation distribution "
                "covers the whole plane); use levels below 1, e.g. 0.99"
            )
        return levels

    @field_validator("level")
    @classmethod
    def _level_estimated(cls, level: float, info: ValidationInfo) -> float:
        levels = info.data.get("levels")
        if levels is not None and not any(np.isclose(level, levels)):
            raise ValueError(
                f"the reported level {level} is not among the estimated levels "
                f"{tuple(levels)}; add it to `levels`"
            )
        return level


@cache
def _report_schema() -> type[BaseModel]:
    """:class:`_ReportFields` with ``method_options`` typed by the estimators' signatures."""
    return create_model(
        "report",
        __base__=_ReportFields,
        method_options=(_method_options_model(), ...),
    )


def _check_layer_name(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"layer name {name!r} must be letters, digits and underscores")
    return name


_Path = Annotated[str, Field(min_length=1)]


class _InputTable(BaseModel):
    model_config = _STRICT

    relocations: _Path | None = None
    ranges: _Path | None = None
    reference: _Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.relocations is not None and self.ranges is not None:
            raise ValueError(
                "give either relocations (fixes) or ranges (polygons) as the input, not both"
            )
        return self


@cache
def _config_schema() -> type[BaseModel]:
    return create_model(
        "config",
        __config__=_STRICT,
        input=(_InputTable, _InputTable()),
        layers=(dict[Annotated[str, AfterValidator(_check_layer_name)], _Path], {}),
        study_area=(dict[str, Any] | None, None),
        species=(_Path | None, None),
        report=(_report_schema(), ...),
    )


# --------------------------------------------------------------------------- messages


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The (nested) model that holds the key at ``loc``, or None."""
    for key in loc:
        field = model.model_fields.get(str(key))
        if field is None:
            return None
        hint = field.annotation
        found = [
            t
            for t in (hint, *typing.get_args(hint))
            if isinstance(t, type) and issubclass(t, BaseModel)
        ]
        if not found:
            return None
        model = found[0]
    return model


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for key in loc:
        if key == "[key]":
            continue
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + str(key)
    return out or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_COMPARISONS = (
    ("greater than or equal to", ">="),
    ("less than or equal to", "<="),
    ("greater than", ">"),
    ("less than", "<"),
)


def _end(text: str) -> str:
    return text if text.endswith((".", "?")) else text + "."


def _explain(err: Mapping[str, Any], root: type[BaseModel], prefix: tuple[str, ...]) -> str:
    """One line: key path, what is wrong, what is expected."""
    loc = tuple(err["loc"])
    path = _key_path(prefix + loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        valid = list(parent.model_fields) if parent is not None else []
        name = loc[-1]
        if loc[:-1] and loc[-2:-1] == ("method_options",):
            what = f"{name!r} is not a home-range method; use one of {', '.join(valid)}"
        elif len(loc) >= 2 and "method_options" in loc[:-2]:
            method = loc[loc.index("method_options") + 1]
            what = (
                f"{name!r} is not an option of the {method} estimator; valid options: "
                f"{', '.join(valid) or 'none'}"
            )
        elif not loc[:-1] and not prefix and set(valid) == set(_TABLES):
            what = f"unknown table [{name}]; use {', '.join(_TABLES.values())}"
        else:
            what = f"unknown key {name!r}; valid keys: {', '.join(valid)}"
        return _end(f"{path}: {what}{_closest(name, valid)}")
    if kind == "missing":
        if loc and isinstance(loc[-1], int):
            return f"{path}: missing: the list is too short (it needs {loc[-1] + 1} or more items)."
        return f"{path}: missing; give a value."
    if kind == "value_error":
        error = err.get("ctx", {}).get("error")
        return _end(f"{path}: {error}")
    msg = str(err["msg"])
    msg = re.sub(r"^Input should be ", "expected ", msg)
    msg = re.sub(r"a valid dictionary( or instance of \w+)?", "a table", msg)
    msg = msg.replace("a valid tuple", "a list")
    for words, sign in _COMPARISONS:
        msg = msg.replace(f"expected {words} ", f"expected a value {sign} ")
    msg = msg.replace("a valid number", "a number").replace("a valid integer", "an integer")
    msg = msg.replace("a valid string", "a string").replace("a valid boolean", "true or false")
    msg = msg.replace("Tuple should have", "expected a list with")
    if "input" in err:
        msg += f", got {_short(err['input'])}"
    return _end(f"{path}: {msg}")


def _config_error(
    exc: ValidationError, *, source: str, root: type[BaseModel], prefix: tuple[str, ...] = ()
) -> ConfigError:
    lines: list[str] = []
    errors = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs):
            continue  # e.g. "too short" after its items were refused: the items say why
        line = _explain(err, root, prefix)
        if line not in lines:
            lines.append(line)
    if len(lines) == 1:
        return ConfigError(f"{source}, key {lines[0]}")
    listed = "\n".join(f"  - {line}" for line in lines)
    return ConfigError(f"{source}: {len(lines)} problems\n{listed}")


# --------------------------------------------------------------------------- ReportOptions


@dataclasses.dataclass(frozen=True)
class ReportOptions:
    """What a report computes; every field can be set in the ``[report]`` table of a config.

    Every value is checked when the options are made (by Python or from a
    config file): a wrong type, a number out of range or an unknown key or
    estimator option raises :class:`~habitat.core.errors.ConfigError` naming
    the key, before any animal is estimated.

    Attributes
    ----------
    methods : tuple of str
        Home-range estimators (see :data:`habitat.homerange.METHODS`); the first
        is the reported one (territory table, neighbours, maps).
    levels : tuple of float
        Isopleth levels estimated (fractions in (0, 1]; 1 only for MCP and
        LoCoH, whose 100 % ranges hold every fix).
    level : float
        Reported level (must be in ``levels``).
    method_options : dict
        Per-method estimator options, e.g. ``{"kde": {"bandwidth": "href", "grid": 200}}``;
        the valid ones are the keywords of that estimator
        (:func:`estimator_options`).
    area_curve : bool
        Draw each animal's bootstrap area curve (MCP at ``level``).
    area_curve_replicates : int
        Bootstrap replicates per sample size, at least 2 (10 for a figure in a
        batch of many animals; use :func:`habitat.homerange.curve.area_curve`
        with more for a verdict you will publish).
    ud_cell_size_m : float or None
        Cell size of each animal's UD figure, metres (> 0). None (``"auto"``
        in a config), the default: from the animal's href bandwidth, a sixth
        of it rounded down to a readable size
        (:func:`habitat.homerange.grid.default_cell_size_m`; about 100 m for a
        leopard, km for an albatross). A grid that would have more than
        :data:`habitat.homerange.grid.UD_MAX_CELLS` cells is coarsened; each
        figure's caption states the cells used.
    max_fixes_on_map : int
        Fixes shown per animal on its map (evenly thinned), at least 1.
    max_speed_kmh : float, "species" or None
        Speed limit (km/h, > 0) for flagging fixes when the report reads
        relocations from a file (:func:`habitat.batch.prepare_report_input`,
        ``habitat report``). ``"species"``, the default: the species profile's
        limit (``amur_leopard``: 20 km/h; no profile: no speed check); a number
        wins over the profile; None (``"none"`` in a config): no speed check.
    title : str or None
        Report title; None (the default): from the study area or the species,
        e.g. ``"Territory report: SW Primorsky Krai (schematic)"``,
        ``"Territory report: Fisher"``, else ``"Territory report"``.

    Examples
    --------
    >>> ReportOptions(methods=["kde", "mcp"], levels=[0.5, 0.95]).methods
    ('kde', 'mcp')
    >>> ReportOptions(max_fixes_on_map=-5)
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: ReportOptions, key max_fixes_on_map: expected a \
value >= 1, got -5.
    >>> ReportOptions(method_options={"kde": {"bandwith": 500}})
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: ReportOptions, key method_options.kde.bandwith: \
'bandwith' is not an option of the kde estimator; valid options: ...; did you mean 'bandwidth'?
    """

    methods: tuple[str, ...] = ("mcp", "kde")
    levels: tuple[float, ...] = (0.5, 0.95)
    level: float = 0.95
    method_options: dict[str, dict[str, Any]] = dataclasses.field(
        default_factory=lambda: {"kde": {"bandwidth": "href", "grid": 200}}
    )
    area_curve: bool = True
    area_curve_replicates: int = 10
    ud_cell_size_m: float | None = None
    max_fixes_on_map: int = 750
    max_speed_kmh: float | str | None = SPEED_FROM_SPECIES
    title: str | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Refuse unknown keywords with a ConfigError (Python would raise a bare TypeError)."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in kwargs if k not in names]
        if unknown or len(args) > len(names):
            what = (
                f"unknown option(s) {unknown}"
                if unknown
                else f"{len(args)} positional values for {len(names)} options"
            )
            raise ConfigError(
                _end(
                    f"ReportOptions: {what}; valid options: {', '.join(names)}"
                    + (_closest(unknown[0], names) if unknown else "")
                )
            )
        return super().__new__(cls)

    def __post_init__(self) -> None:
        values = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
        checked = _validate_report(values, source="ReportOptions")
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def method(self) -> str:
        """The reported method."""
        return self.methods[0]


def _report_values(model: BaseModel) -> dict[str, Any]:
    """A validated ``[report]`` model as ReportOptions values (options given, not defaults)."""
    values = {name: getattr(model, name) for name in type(model).model_fields}
    mo = values["method_options"]
    values["method_options"] = {
        m: opts.model_dump(exclude_unset=True)
        for m in mo.model_fields_set
        if (opts := getattr(mo, m)) is not None
    }
    return values


def _validate_report(
    values: Mapping[str, Any], *, source: str, prefix: tuple[str, ...] = ()
) -> dict[str, Any]:
    schema = _report_schema()
    try:
        model = schema.model_validate(dict(values))
    except ValidationError as exc:
        raise _config_error(exc, source=source, root=schema, prefix=prefix) from None
    return _report_values(model)


# --------------------------------------------------------------------------- files


def safe_layer_name(name: str, source: Path) -> str:
    """Check a layer name from a config file (letters, digits, ``_``)."""
    try:
        return _check_layer_name(name)
    except ValueError as exc:
        raise ConfigError(f"config file '{source}', key layers.{name}: {exc}.") from None


def load_config(path: str | os.PathLike[str]) -> tuple[ReportOptions, dict[str, Any]]:
    """Read and check a TOML report configuration.

    The file may hold these tables and keys (all optional)::

        species = "fisher.toml"        # species profile: bundled name, TOML file or "none"
                                       # (also accepted inside [report])
        [input]
        relocations = "fixes.csv"      # or: ranges = "ranges.gpkg"
        reference = "reference.csv"    # Movebank reference table (sex, deployments)

        [study_area]                   # your own layers by role; replaces the bundled set
        path = "area.toml"             # a study-area file (habitat.io.read_study_area), or
                                       # its keys inline: name = ..., [[study_area.layers]]
                                       # role = "parks", path = ..., name_column = ...

        [layers]                       # legacy: replace or add bundled layers by name
        land_of_the_leopard = "park.gpkg"
        land_cover = "land_cover.tif"  # a GeoTIFF; "none" to leave it out

        [report]                       # any field of ReportOptions
        methods = ["kde", "mcp"]
        levels = [0.5, 0.95]
        title = "Season 2025"

        [report.method_options.kde]    # options of habitat.homerange.kde.estimate
        bandwidth = "href"
        grid = 200

    Relative paths are relative to the config file's folder. Every key and
    value is checked against one schema (see the module docstring) before
    anything is read or estimated; whether the files exist is checked by
    :func:`check_input_paths`.

    Returns
    -------
    (ReportOptions, dict)
        The options and ``{"relocations"|"ranges"|"reference": Path, "layers": {name: Path},
        "study_area": {"path": Path} or {"table": dict, "base": Path, "where": str},
        "species": str}`` (the last two only when given; read them with
        :func:`habitat.batch.runner.config_study_area`).

    Raises
    ------
    DataFileError
        If the file cannot be read or is not valid TOML.
    ConfigError
        Listing every unknown table, key or estimator option, wrong type and
        out-of-range value, by key path, with what is expected.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> config = folder / "report.toml"
    >>> _ = config.write_text('''
    ... [input]
    ... relocations = "fixes.csv"
    ... [layers]
    ... land_cover = "none"
    ... [report]
    ... methods = ["kde", "mcp"]
    ... levels = [0.5, 0.95]
    ... title = "Season 2025"
    ... ''')
    >>> options, inputs = load_config(config)
    >>> options.methods, options.levels, options.title
    (('kde', 'mcp'), (0.5, 0.95), 'Season 2025')
    >>> inputs["relocations"] == folder / "fixes.csv", inputs["layers"]
    (True, {'land_cover': None})

    Misspelt keys and wrong types are refused, all at once, by key path:

    >>> _ = config.write_text('''
    ... [report]
    ... method = ["kde"]
    ... levels = ["a"]
    ... [report.method_options.kde]
    ... bandwith = 500
    ... ''')
    >>> load_config(config)
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: config file '...report.toml': 3 problems
      - report.levels[0]: expected a number, got 'a'.
      - report.method_options.kde.bandwith: 'bandwith' is not an option of the kde \
estimator; valid options: ...; did you mean 'bandwidth'?
      - report.method: unknown key 'method'; valid keys: methods, ...; did you mean 'methods'?
    """
    path = Path(path)
    source = f"config file '{path}'"
    raw = read_toml(path, what="config file")
    raw = _plain(raw)
    report = raw.get("report", {})
    if isinstance(report, dict) and "species" in report:  # [report] species = ... too
        if "species" in raw:
            raise ConfigError(
                f"{source}: species is given twice (top level and [report]); keep one."
            )
        report = dict(report)
        raw["species"] = report.pop("species")
    if isinstance(report, dict):  # keys not given take the ReportOptions defaults
        defaults = {
            f.name: _plain(getattr(_DEFAULTS, f.name)) for f in dataclasses.fields(_DEFAULTS)
        }
        if "method_options" in report:
            defaults["method_options"] = {}
        raw["report"] = {**defaults, **report}
    schema = _config_schema()
    try:
        model = schema.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, source=source, root=schema) from None
    options = ReportOptions(**_report_values(getattr(model, "report")))  # noqa: B009
    base = path.parent
    inputs: dict[str, Any] = {"layers": {}}
    table = getattr(model, "input")  # noqa: B009 - made by create_model
    for key in ("relocations", "ranges", "reference"):
        if (value := getattr(table, key)) is not None:
            inputs[key] = base / value
    for name, value in getattr(model, "layers").items():  # noqa: B009
        inputs["layers"][name] = None if value.strip().lower() == "none" else base / value
    area = getattr(model, "study_area")  # noqa: B009
    if area is not None and inputs["layers"]:
        raise ConfigError(
            f"{source}: give your layers either as [study_area] (layers by role, replacing the "
            "bundled set) or as the legacy [layers] table (bundled layers replaced by name), "
            "not both."
        )
    if area is not None:
        inputs["study_area"] = _study_area_entry(area, base=base, source=source)
    species = getattr(model, "species")  # noqa: B009
    if species is not None:
        # a profile file relative to the config's folder, else a bundled name (or "none")
        inputs["species"] = str(base / species) if (base / species).is_file() else species
    return options, inputs


def _study_area_entry(table: Mapping[str, Any], *, base: Path, source: str) -> dict[str, Any]:
    """``[study_area]``: ``path = "area.toml"`` alone, or the keys of a study-area file inline."""
    if "path" in table:
        extra = sorted(set(table) - {"path"})
        if extra:
            raise ConfigError(
                f'{source}, key study_area: give either path = "area.toml" or the study '
                f"area's keys inline (name, species, [[study_area.layers]], "
                f"[study_area.land_cover]), not both (also got {extra})."
            )
        if not isinstance(table["path"], str) or not table["path"].strip():
            raise ConfigError(f"{source}, key study_area.path: expected a file path.")
        return {"path": base / table["path"]}
    return {"table": _as_toml(table), "base": base, "where": f"{source}, table [study_area]"}


def _as_toml(value: Any) -> Any:
    """Undo :func:`_plain` (tuples back to the lists TOML reads) for a table read elsewhere."""
    if isinstance(value, tuple | list):
        return [_as_toml(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _as_toml(v) for k, v in value.items()}
    return value


def check_run_arguments(
    options: Any = None, *, workers: Any = 1, scheduler: Any = None
) -> ReportOptions:
    """Check the arguments of :func:`habitat.batch.run_report` that say how it runs.

    Parameters
    ----------
    options : ReportOptions or None
        None for the defaults.
    workers : int
        Local processes, a whole number >= 1.
    scheduler : str, distributed.Client or None
        An address is checked for its form here (see
        :func:`habitat.batch.cluster.parse_scheduler_address`); whether it
        answers is checked when the report connects.

    Returns
    -------
    ReportOptions

    Raises
    ------
    ConfigError
        For options that are not ReportOptions, or a bad ``workers``.
    SchedulerError
        For a malformed scheduler address.

    Examples
    --------
    >>> check_run_arguments(None, workers=2).methods
    ('mcp', 'kde')
    >>> check_run_arguments(workers="2")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: workers must be a whole number >= 1 (local processes), \
not '2'.
    """
    if options is None:
        options = ReportOptions()
    elif not isinstance(options, ReportOptions):
        raise ConfigError(
            f"options must be a ReportOptions, not {type(options).__name__}; make them with "
            "ReportOptions(methods=..., levels=...) or read them with load_config."
        )
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ConfigError(
            f"workers must be a whole number >= 1 (local processes), not {workers!r}."
        )
    if scheduler is not None and isinstance(scheduler, str):
        parse_scheduler_address(scheduler)
    return options


def check_input_paths(
    inputs: Mapping[str, Any], *, config: str | os.PathLike[str] | None = None
) -> None:
    """Check that the files a config names exist, before any of them is read.

    Parameters
    ----------
    inputs : mapping
        The second value returned by :func:`load_config`.
    config : path, optional
        The config file, for messages.

    Raises
    ------
    DataFileError
        Naming the key (``input.relocations``, ``layers.roads``), the path it
        resolved to and how paths are resolved.

    Examples
    --------
    >>> check_input_paths({"relocations": Path("no/such/fixes.csv"), "layers": {}})
    Traceback (most recent call last):
    ...
    habitat.core.errors.DataFileError: key input.relocations: 'no/such/fixes.csv' does not \
exist; relative paths in a config are relative to the config file's folder.
    """
    keys: list[tuple[str, Path, bool]] = [
        (f"input.{k}", Path(inputs[k]), True)
        for k in ("relocations", "ranges", "reference")
        if inputs.get(k) is not None
    ]
    keys += [  # a layer may be a folder (a File Geodatabase)
        (f"layers.{k}", Path(v), False)
        for k, v in inputs.get("layers", {}).items()
        if v is not None
    ]
    area = inputs.get("study_area")
    if isinstance(area, Mapping) and area.get("path") is not None:
        keys.append(("study_area.path", Path(area["path"]), True))
    where = f"config file '{config}', " if config is not None else ""
    for key, p, must_be_file in keys:
        if not p.exists():
            raise DataFileError(
                f"{where}key {key}: '{p}' does not exist; relative paths in a config are "
                "relative to the config file's folder."
            )
        if must_be_file and p.is_dir():
            raise DataFileError(f"{where}key {key}: '{p}' is a folder; give the path of a file.")


_DEFAULTS = ReportOptions()
