"""Column contracts of the tables that analysis produces and presentation reads.

One definition of each table, in one place: the corridor analysis
(``habitat.corridors``, to come) produces :data:`CORRIDORS`, the fragmentation
metrics (``habitat.landscape``) produce :data:`LANDSCAPE_METRICS`, and the maps
and report import these definitions instead of spelling the column names
themselves. Every numeric column carries its unit in its name.

A contract is a :class:`TableSchema`: required and optional columns with their
meaning and unit. :meth:`TableSchema.validate` checks a table against it and
says which columns are missing, in which table, and how to fix it.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString
>>> links = gpd.GeoDataFrame(
...     {"from_id": ["Leo 1F"], "to_id": ["Leo 2M"], "cost_weighted_distance": [5400.0],
...      "length_m": [3000.0]},
...     geometry=[LineString([(0, 0), (3000, 0)])], crs="EPSG:32652")
>>> CORRIDORS.validate(links, name="corridors") is links
True
>>> CORRIDORS.label("cost_weighted_distance")
'cost-weighted distance'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from habitat.core.errors import ColumnError

__all__ = [
    "CORRIDORS",
    "LANDSCAPE_METRICS",
    "Column",
    "TableSchema",
]


@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    Attributes
    ----------
    name : str
        Column name (units in the name: ``length_m``, ``area_ha``).
    description : str
        What the column holds, for docs, popups and report labels.
    unit : str
        Unit as shown to people (``"m"``, ``"ha"``, ``""`` for counts and ids).
    required : bool
        Whether every table of this kind must have the column.

    Examples
    --------
    >>> col = Column("length_m", "path length", "m")
    >>> col.required, col.unit
    (False, 'm')
    """

    name: str
    description: str
    unit: str = ""
    required: bool = False


@dataclass(frozen=True)
class TableSchema:
    """A named set of columns that producers write and consumers read.

    Attributes
    ----------
    name : str
        Name of the table, used in error messages.
    columns : tuple of Column
        The columns, required ones first.
    renamed : mapping of str to str
        Old column names (of habitat 0.1 or earlier drafts) -> contract names;
        :meth:`validate` renames them with a :class:`DeprecationWarning`.

    Examples
    --------
    A two-column contract, and a table that still uses an old column name:

    >>> import pandas as pd
    >>> sightings = TableSchema(
    ...     "sightings",
    ...     (Column("site_id", "camera-trap site", required=True), Column("count", "leopards")),
    ...     renamed={"site": "site_id"},
    ... )
    >>> sightings.required, sightings.names
    (('site_id',), ('site_id', 'count'))
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fixed = sightings.validate(pd.DataFrame({"site": ["A"], "count": [2]}))
    >>> list(fixed.columns), caught[0].category.__name__
    (['site_id', 'count'], 'DeprecationWarning')
    >>> sightings.validate(pd.DataFrame({"count": [2]}))
    Traceback (most recent call last):
    ...
    habitat.core.errors.ColumnError: sightings lacks the column(s) ['site_id'] required of a ...
    """

    name: str
    columns: tuple[Column, ...]
    renamed: Mapping[str, str] = field(default_factory=dict)
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of all columns, in contract order."""
        return tuple(c.name for c in self.columns)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def column(self, name: str) -> Column:
        """The :class:`Column` called ``name`` (``KeyError`` if not in the contract)."""
        return self._by_name[name]

    def label(self, name: str) -> str:
        """Human label of a column (its description), or the name itself if not in the contract."""
        col = self._by_name.get(name)
        return col.description if col is not None else name

    def present(self, table: pd.DataFrame) -> list[str]:
        """The contract's columns that ``table`` has, in contract order."""
        return [c for c in self.names if c in table.columns]

    def validate(self, table: Any, *, name: str | None = None, stacklevel: int = 3) -> Any:
        """Check that ``table`` has every required column; return it.

        Old column names listed in :attr:`renamed` are renamed (on a copy) with a
        :class:`DeprecationWarning`; otherwise the table is returned unchanged.

        Parameters
        ----------
        table : DataFrame
            The table to check.
        name : str, optional
            What the table is called in messages (default: the contract's name).
        stacklevel : int
            Where a rename warning points (3: the caller of the function that
            validates).

        Raises
        ------
        habitat.errors.ColumnError
            Naming the table, the missing columns and what each should hold.
        """
        old = {
            o: n for o, n in self.renamed.items() if o in table.columns and n not in table.columns
        }
        if old:
            warnings.warn(
                f"{name or self.name}: column(s) {sorted(old)} are now called "
                f"{[old[o] for o in sorted(old)]}; rename them (habitat.core.tables)",
                DeprecationWarning,
                stacklevel=stacklevel,
            )
            table = table.rename(columns=old)
        missing = [c for c in self.required if c not in table.columns]
        if missing:
            what = "; ".join(f"{c}: {self._by_name[c].description}" for c in missing)
            raise ColumnError(
                f"{name or self.name} lacks the column(s) {missing} required of a "
                f"{self.name} table ({what}); it has {list(table.columns)}. "
                f"Rename or add them (see habitat.core.tables.{self.name.upper()})."
            )
        return table


#: Corridors between two nodes (animals, parks, core areas): least-cost paths
#: as lines or corridor polygons, one row per link.
CORRIDORS = TableSchema(
    "corridors",
    (
        Column("from_id", "from (animal, park or core area)", required=True),
        Column("to_id", "to (animal, park or core area)", required=True),
        Column("cost_weighted_distance", "cost-weighted distance", "resistance × m"),
        Column("length_m", "path length", "m"),
        Column("euclidean_distance_m", "straight-line distance", "m"),
        Column("cwd_to_path_length_ratio", "cost-weighted distance / path length"),
        Column("width_m", "corridor width", "m"),
        Column("min_width_m", "narrowest corridor width", "m"),
        Column("effective_resistance", "effective resistance (circuit)", "ohm"),
        Column("current_flow", "current through the link", "A"),
    ),
    renamed={
        "from_individual": "from_id",
        "to_individual": "to_id",
        "cost": "cost_weighted_distance",
    },
)

#: Landscape (fragmentation) metrics, one row per zone and level and, at class and
#: patch levels, per class or patch; names as pylandstats' descriptive names, units
#: as FRAGSTATS states them (ha, m, per 100 ha, m/ha, %). See docs/landscape_metrics.md.
LANDSCAPE_METRICS = TableSchema(
    "landscape_metrics",
    (
        Column("zone_id", "zone (home range, park zone, park)", required=True),
        Column("level", "metric level: landscape, class or patch", required=True),
        Column("class_value", "land-cover class (class and patch levels)"),
        Column("class_name", "land-cover class name"),
        Column("patch_id", "patch number within the zone (patch level)"),
        Column("area_ha", "area of the zone measured (cells with data)", "ha"),
        Column("nodata_share", "share of the zone's cells without data", "0-1"),
        Column("cell_size_m", "cell size", "m"),
        Column("edge_depth_m", "edge depth of core areas", "m"),
        Column("neighbours", "patch neighbourhood rule (4 or 8 cells)"),
        Column("note", "why a value cannot be trusted (empty when it can)"),
        # patch level
        Column("area", "patch area", "ha"),
        Column("perimeter", "patch perimeter", "m"),
        Column("perimeter_area_ratio", "perimeter-area ratio", "m/ha"),
        Column("shape_index", "shape index"),
        Column("fractal_dimension", "fractal dimension"),
        Column("euclidean_nearest_neighbor", "nearest-neighbour distance", "m"),
        Column("core_area", "core area", "ha"),
        # class and landscape levels
        Column("total_area", "total area", "ha"),
        Column("proportion_of_landscape", "proportion of landscape", "%"),
        Column("number_of_patches", "number of patches"),
        Column("patch_density", "patches per 100 ha", "per 100 ha"),
        Column("largest_patch_index", "largest patch index", "%"),
        Column("total_edge", "total edge", "m"),
        Column("edge_density", "edge density", "m/ha"),
        Column("landscape_shape_index", "landscape shape index"),
        Column("effective_mesh_size", "effective mesh size", "ha"),
        Column("area_mn", "mean patch area", "ha"),
        Column("area_am", "area-weighted mean patch area", "ha"),
        Column("perimeter_area_ratio_mn", "mean perimeter-area ratio", "m/ha"),
        Column("shape_index_mn", "mean shape index"),
        Column("fractal_dimension_mn", "mean fractal dimension"),
        Column("euclidean_nearest_neighbor_mn", "mean nearest-neighbour distance", "m"),
        Column("total_core_area", "total core area", "ha"),
        Column("core_area_index", "core area index", "%"),
        Column("patch_cohesion_index", "patch cohesion index"),
        Column("landscape_division_index", "landscape division index"),
        Column("splitting_index", "splitting index"),
        Column("contagion", "contagion", "%"),
        Column("shannon_diversity_index", "Shannon's diversity index"),
    ),
)
