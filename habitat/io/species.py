"""Species profiles: what a plausible home range and a plausible movement look like.

A :class:`SpeciesProfile` is a small named record: the expected size of an
outer home range (level >= 0.9) by sex, the fastest plausible movement between
fixes, and optionally the cell size of utilisation-distribution figures. The
analyses use it for their checks and defaults:

* :func:`habitat.homerange.plausibility` flags ranges outside the expected
  size for their sex (``expected_area_sq_mi``);
* :func:`habitat.flag_relocations` flags fixes implying a speed above
  ``max_speed_kmh``;
* report figures use ``ud_cell_size_m`` when given (else a cell from the
  bandwidth);
* report corridors (``habitat report --corridors``) weigh links by the
  probability of dispersal, even odds at ``median_dispersal_m`` through the
  species' least resistant habitat (PC and ECA, Saura & Pascual-Hortal 2007),
  on the land cover through the example class and barrier tables named by
  ``resistance_tables`` (``"leopard"``: :mod:`habitat.corridors.tables`).

Profiles come from a bundled name (:func:`habitat.datasets.species_profile`,
e.g. ``"amur_leopard"``), a TOML file (:func:`read_species_profile`) or a
mapping (:meth:`SpeciesProfile.from_mapping`). "No profile" (``None``) is a
valid choice: no size check and no speed flag, said once in the log and in
reports.

A profile file::

    name = "fisher"                       # identifier (letters, digits, _)
    common_name = "Fisher"
    scientific_name = "Pekania pennanti"
    max_speed_kmh = 8                     # optional: fixes faster than this are flagged
    ud_cell_size_m = 50                   # optional: UD figure cells
    median_dispersal_m = 5000             # optional: connectivity of report corridors
    resistance_tables = "leopard"         # optional: example tables for the bundled classes
    source = "..."                        # optional: where the numbers come from

    [area_km2]                            # or [area_sq_mi]; low, high ("none" = no bound)
    F = [5, 40]
    M = [10, 120]
    any = [1, 300]                        # optional: for every animal, whatever its sex
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from habitat.core import units
from habitat.core.errors import ConfigError
from habitat.core.fs import read_toml

__all__ = ["SEX_KEYS", "SpeciesProfile", "read_species_profile"]

#: sexes a profile can bound: females, males, and ``any`` (every animal, known sex or not)
SEX_KEYS = ("F", "M", "any")
_AREA_TABLES = {"area_sq_mi": "sq_mi", "area_km2": "km2"}
_TOP_KEYS = (
    "name",
    "common_name",
    "scientific_name",
    "max_speed_kmh",
    "ud_cell_size_m",
    "median_dispersal_m",
    "resistance_tables",
    "source",
    *_AREA_TABLES,
)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

Bounds = tuple[float | None, float | None]


def _where(source: str | None) -> str:
    return f"species profile {source}" if source else "species profile"


def _bound(value: Any, *, key: str, source: str | None) -> float | None:
    """One side of a size bound: a positive finite number, or None / "none" for no bound."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(
            f'{_where(source)}, key {key}: expected a positive number or "none", got {value!r}.'
        )
    if value <= 0:
        raise ConfigError(f"{_where(source)}, key {key}: expected a value > 0, got {value!r}.")
    return float(value)


def _area_bounds(table: Any, *, unit: str, key: str, source: str | None) -> dict[str, Bounds]:
    """``{sex: (low, high)}`` in sq mi from a ``[area_<unit>]`` table."""
    if not isinstance(table, Mapping):
        raise ConfigError(
            f"{_where(source)}, key {key}: expected a table of sex -> [low, high], e.g. "
            f'{{F = [15, 38], M = ["none", 155]}}, got {table!r}.'
        )
    out: dict[str, Bounds] = {}
    for sex, pair in table.items():
        k = f"{key}.{sex}"
        if sex not in SEX_KEYS:
            raise ConfigError(
                f"{_where(source)}, key {k}: unknown sex {sex!r}; use F, M or any (any bounds "
                "every animal, whatever its sex)."
            )
        if isinstance(pair, str) or not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ConfigError(
                f'{_where(source)}, key {k}: expected [low, high] (use "none" for no bound), '
                f"got {pair!r}."
            )
        lo, hi = (_bound(v, key=k, source=source) for v in pair)
        if lo is not None and hi is not None and lo > hi:
            raise ConfigError(f"{_where(source)}, key {k}: low {lo:g} is above high {hi:g}.")
        if unit == "km2":
            lo, hi = (None if v is None else float(units.km2_to_sq_mi(v)) for v in (lo, hi))
        out[str(sex)] = (lo, hi)
    return out


@dataclasses.dataclass(frozen=True)
class SpeciesProfile:
    """What a plausible range and movement of one species look like.

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"amur_leopard"`` (letters, digits, ``_``).
    common_name : str
        For titles and logs, e.g. ``"Amur leopard"``.
    scientific_name : str or None
    expected_area_sq_mi : dict
        Expected outer-range (level >= 0.9) area by sex, ``{"F": (low, high)}``
        in square miles; ``None`` for no bound on a side; the key ``"any"``
        bounds every animal whatever its sex. Empty: no size check.
    max_speed_kmh : float or None
        Fixes implying a faster movement are flagged; ``None``: no speed flag.
    ud_cell_size_m : float or None
        Cell size of utilisation-distribution figures; ``None``: from the bandwidth.
    median_dispersal_m : float or None
        Median dispersal distance (m) through the species' least resistant
        habitat: the dispersal kernel of report corridors' PC and ECA (there
        scaled by the surface's least resistance into resistance × m);
        ``None``: no PC/ECA in reports unless given.
    resistance_tables : str or None
        Name of the example class -> resistance and barrier tables that report
        corridors use on the bundled land-cover classes (``"leopard"``:
        :func:`habitat.corridors.tables.leopard_resistance_table` and
        :func:`~habitat.corridors.tables.leopard_barrier_table`); ``None``: the
        species has none, and reports on a classed land cover compute no
        corridors rather than guess a table.
    source : str or None
        Where the numbers come from.

    Examples
    --------
    >>> fisher = SpeciesProfile.from_mapping({
    ...     "name": "fisher", "common_name": "Fisher", "max_speed_kmh": 8,
    ...     "area_km2": {"F": [5, 40], "M": [10, 120]},
    ... })
    >>> fisher.max_speed_kmh, [round(v, 2) for v in fisher.expected_area_sq_mi["F"]]
    (8.0, [1.93, 15.44])
    >>> [round(v, 1) for v in fisher.expected_area_km2["M"]]
    [10.0, 120.0]
    >>> fisher.describe()
    'Fisher: outer ranges F 1.93–15.4 sq mi (5–40 km²), M 3.86–46.3 sq mi (10–120 km²); \
fixes faster than 8 km/h flagged'
    >>> SpeciesProfile.from_mapping({"name": "fisher", "area_km2": {"female": [5, 40]}})
    Traceback (most recent call last):
    ...
    habitat.core.errors.ConfigError: species profile, key area_km2.female: unknown sex \
'female'; use F, M or any (any bounds every animal, whatever its sex).
    """

    name: str
    common_name: str = ""
    scientific_name: str | None = None
    expected_area_sq_mi: Mapping[str, Bounds] = dataclasses.field(default_factory=dict)
    max_speed_kmh: float | None = None
    ud_cell_size_m: float | None = None
    median_dispersal_m: float | None = None
    resistance_tables: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ConfigError(
                f"species profile name must be letters, digits and _ starting with a letter "
                f"(e.g. 'amur_leopard'), got {self.name!r}."
            )
        where = self.name
        given = self.expected_area_sq_mi
        if not isinstance(given, Mapping):
            raise ConfigError(
                f"species profile {where}, key expected_area_sq_mi: expected a mapping of sex -> "
                f"(low, high), got {given!r}."
            )
        checked = _area_bounds(
            {k: list(v) if isinstance(v, list | tuple) else v for k, v in given.items()},
            unit="sq_mi",
            key="expected_area_sq_mi",
            source=where,
        )
        object.__setattr__(self, "expected_area_sq_mi", checked)
        for key in ("max_speed_kmh", "ud_cell_size_m", "median_dispersal_m"):
            object.__setattr__(self, key, _bound(getattr(self, key), key=key, source=where))
        if not self.common_name:
            object.__setattr__(self, "common_name", self.name.replace("_", " ").capitalize())

    @property
    def expected_area_km2(self) -> dict[str, Bounds]:
        """:attr:`expected_area_sq_mi` in km²."""
        return {
            sex: tuple(None if v is None else float(units.sq_mi_to_km2(v)) for v in pair)  # type: ignore[misc]
            for sex, pair in self.expected_area_sq_mi.items()
        }

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], *, source: str | None = None
    ) -> SpeciesProfile:
        """A profile from a mapping with the keys of a profile file (see the module docstring).

        Raises
        ------
        ConfigError
            For an unknown key, a missing name, both ``area_km2`` and
            ``area_sq_mi``, or a value of the wrong type or range, naming the key.
        """
        if not isinstance(values, Mapping):
            raise ConfigError(f"{_where(source)}: expected a table of keys, got {values!r}.")
        unknown = [k for k in values if k not in _TOP_KEYS]
        if unknown:
            raise ConfigError(
                f"{_where(source)}: unknown key(s) {unknown}; valid keys: {', '.join(_TOP_KEYS)}."
            )
        if "name" not in values:
            raise ConfigError(f"{_where(source)}: no 'name'; add e.g. name = \"fisher\".")
        areas = [k for k in _AREA_TABLES if k in values]
        if len(areas) > 1:
            raise ConfigError(
                f"{_where(source)}: give sizes in one unit, [area_km2] or [area_sq_mi], not both."
            )
        expected: dict[str, Bounds] = {}
        if areas:
            key = areas[0]
            expected = _area_bounds(values[key], unit=_AREA_TABLES[key], key=key, source=source)
        for key in ("common_name", "scientific_name", "resistance_tables", "source"):
            if key in values and not isinstance(values[key], str):
                raise ConfigError(
                    f"{_where(source)}, key {key}: expected text, got {values[key]!r}."
                )
        return cls(
            name=values["name"],
            common_name=values.get("common_name", ""),
            scientific_name=values.get("scientific_name"),
            expected_area_sq_mi=expected,
            max_speed_kmh=_bound(values.get("max_speed_kmh"), key="max_speed_kmh", source=source),
            ud_cell_size_m=_bound(
                values.get("ud_cell_size_m"), key="ud_cell_size_m", source=source
            ),
            median_dispersal_m=_bound(
                values.get("median_dispersal_m"), key="median_dispersal_m", source=source
            ),
            resistance_tables=values.get("resistance_tables"),
            source=values.get("source"),
        )

    def describe(self) -> str:
        """One line for logs and reports: the size bounds and the speed limit."""
        parts = []
        km2 = self.expected_area_km2
        for sex, (lo, hi) in self.expected_area_sq_mi.items():
            klo, khi = km2[sex]
            mi = f"{'' if lo is None else f'{lo:.3g}'}–{'' if hi is None else f'{hi:.3g}'}"
            km = f"{'' if klo is None else f'{klo:.3g}'}–{'' if khi is None else f'{khi:.3g}'}"
            parts.append(f"{sex} {mi} sq mi ({km} km²)")
        size = f"outer ranges {', '.join(parts)}" if parts else "no range-size check"
        speed = (
            f"fixes faster than {self.max_speed_kmh:g} km/h flagged"
            if self.max_speed_kmh is not None
            else "no speed flag"
        )
        return f"{self.common_name}: {size}; {speed}"


def read_species_profile(path: str | os.PathLike[str]) -> SpeciesProfile:
    r"""Read a species profile from a TOML file (see the module docstring for its keys).

    Raises
    ------
    DataFileError
        If the file is missing or not TOML.
    ConfigError
        For a wrong key or value, naming the file and the key.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "albatross.toml"
    >>> _ = path.write_text('name = "waved_albatross"\nmax_speed_kmh = 90\n'
    ...                     '[area_km2]\nany = [1000, 2000000]\n')
    >>> profile = read_species_profile(path)
    >>> profile.common_name, profile.max_speed_kmh, profile.expected_area_km2["any"]
    ('Waved albatross', 90.0, (1000.0, 2000000.0))
    """
    p = Path(path)
    values = read_toml(p, what="species profile file")
    return SpeciesProfile.from_mapping(values, source=f"'{p}'")
