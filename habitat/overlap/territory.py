"""The territory report table: one row per range with protection, admin units and neighbours.

The table takes a :class:`~habitat.io.study_area.StudyArea` and reports the
protected areas, park zones and administrative units **found in its layers**,
named from the layers' own columns (``name``, ``zone``, ``category``; see
:func:`habitat.io.study_area.study_layer`). Nothing here knows a bundled layer
name: the bundled Primorsky set is one study area among others
(:func:`habitat.datasets.primorsky`).

Column names
------------
Every share is a fraction 0-1 of the range's area, measured in one local
equal-area CRS (:func:`habitat.core.crs.equal_area_crs`) chosen from the
extent of the ranges and of the study area's features near them: features far
from the ranges are dropped first (:meth:`~habitat.io.study_area.StudyArea.near`),
never reprojected across the globe, and a feature spanning more than
:data:`LARGE_FEATURE_DEG` degrees (a country or continent of a world layer)
counts in that extent only where it covers the ranges.

``share_protected``
    inside the union of **all** protected areas of the study area (present when
    the study area has a protected-area layer, 0 when none is near the ranges);
``share_pa_<name>``
    inside one protected area: the union of the features with that ``name``
    (a park's outline and its zones are one protected area);
``share_zone_<name>__<zone>``
    inside one zone of one protected area (features with that ``name`` and ``zone``);
``share_admin_<name>``
    inside one administrative unit (features with that ``name``).

``<name>`` and ``<zone>`` are slugs of the user's names
(:func:`habitat.core.names.slug`: ASCII, lower case, ``_`` for anything else,
never ``__``); protected areas, zones and admin units are taken in that order,
each sorted by name (then zone), and a slug already used gets ``_2``, ``_3``...
(:func:`habitat.core.names.unique_slugs`), so the names are deterministic and
never collide. :func:`area_shares` gives the same shares as a long table with
the user's own names, one row per range and area, and the column each share
went to.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import crs as hcrs
from habitat.core.errors import DataFileError, DataQualityWarning, InputError
from habitat.core.fs import atomic_path, atomic_write_text
from habitat.core.names import unique_slugs
from habitat.core.sex import sex_relation
from habitat.core.validation import (
    require_columns,
    require_fraction,
    require_geodataframe,
    require_layer_mapping,
    require_polygons,
)
from habitat.datasets import study_area_from_layers
from habitat.io.study_area import StudyArea
from habitat.overlap.vector import OUTSIDE, exclusivity, overlap_with, pairwise_overlap

__all__ = ["AREA_SHARE_COLUMNS", "area_shares", "territory_table", "write_territory_table"]

#: columns of :func:`area_shares`
AREA_SHARE_COLUMNS = (
    "range_id",
    "individual",
    "method",
    "level",
    "role",
    "layer",
    "name",
    "zone",
    "category",
    "column",
    "area_km2",
    "share",
)

#: roles the territory table measures
_MEASURED = ("protected_areas", "admin_units")
_STUDY_AREA_HINT = (
    "give a StudyArea (habitat.StudyArea([habitat.study_layer(gdf, 'protected_areas', "
    "name_column=...)]), habitat.read_study_area(...) or habitat.datasets.primorsky())"
)


def _study_area(study_area: object, *, where: str) -> StudyArea:
    """A StudyArea as given, or one made from a legacy mapping of layer names.

    A mapping is converted by :func:`habitat.datasets.study_area_from_layers`
    (bundled names keep their bundled roles; names that spell a role get it;
    the rest are context). What is specific to this table: an administrative
    unit layer needs a ``name`` column (each unit is a row), and a polygon
    layer that ends as context is named in a :class:`DataQualityWarning` (it
    gets no row).
    """
    if isinstance(study_area, StudyArea):
        return study_area
    if not isinstance(study_area, Mapping):
        raise InputError(
            f"study_area must be a StudyArea or a mapping of layer names to GeoDataFrames "
            f"(e.g. habitat.datasets.layers()), not {type(study_area).__name__}; "
            f"{_STUDY_AREA_HINT}."
        )
    layers = require_layer_mapping(study_area, name="study_area")
    area = study_area_from_layers(layers)
    for lyr in area.layers:  # every measured layer checked before any work
        if lyr.role not in _MEASURED or lyr.key not in layers:
            continue
        require_polygons(layers[lyr.key], name=lyr.key)  # e.g. a layer without rows
        if lyr.role == "admin_units":
            require_columns(
                layers[lyr.key],
                ["name"],
                name=lyr.key,
                hint="Each administrative unit is reported by its name; add a 'name' "
                f"column, or {_STUDY_AREA_HINT} with name_column=.",
            )
    ignored = [
        lyr.key
        for lyr in area.layers_of("context")
        if len(lyr.data) and lyr.data.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    ]
    if ignored:
        warnings.warn(
            f"{where}: polygon layer(s) {', '.join(map(repr, ignored))} have no role the table "
            "measures (their names are not a role such as 'protected_areas', 'parks' or "
            "'admin_units'), so they get no row; "
            f"{_STUDY_AREA_HINT} giving each its role.",
            DataQualityWarning,
            stacklevel=3,
        )
    return area


def _at_level(ranges: gpd.GeoDataFrame, level: float) -> gpd.GeoDataFrame:
    levels = pd.to_numeric(ranges["level"], errors="coerce").to_numpy(dtype=float)
    sel = ranges[np.isclose(levels, level)]
    if len(sel) == 0:
        present = sorted({f"{v:g}" for v in levels if np.isfinite(v)})
        raise InputError(
            f"no ranges at level {level:g}; levels present: [{', '.join(present)}]. Pass "
            "level= one of those, or estimate ranges at that level."
        )
    return sel


def _joined(values: Iterable[Any]) -> str | None:
    """Distinct non-missing values, sorted, joined by '; ' (None if there are none)."""
    distinct = sorted({str(v) for v in values if isinstance(v, str) and v})
    return "; ".join(distinct) if distinct else None


def _groups(area: StudyArea) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The areas to report (one row each) and their features, tagged with ``_group``.

    The last group is the union of every protected area (``share_protected``).
    Plain arrays throughout: one pass over the features, whatever the number of areas.
    """
    pa = area.features("protected_areas")
    adm = area.features("admin_units")
    rows: list[dict[str, Any]] = []
    geoms: list[np.ndarray] = []
    owners: list[np.ndarray] = []

    def add(table: gpd.GeoDataFrame, keys: list[Any], kind: str, role: str) -> None:
        """One group per distinct key (in sorted order), features tagged with it."""
        order = sorted(set(keys), key=lambda k: tuple(x for p in k for x in (p.casefold(), p)))
        first = len(rows)
        index = {k: first + n for n, k in enumerate(order)}
        ids = np.array([index[k] for k in keys], dtype=int)
        layer = table["layer"].to_numpy(dtype=object)
        category = table["category"].to_numpy(dtype=object)
        for k in order:
            mine = ids == index[k]
            rows.append(
                {
                    "role": role,
                    "name": k[0],
                    "zone": k[1] if len(k) > 1 else None,
                    "kind": kind,
                    "layer": _joined(layer[mine]),
                    "category": _joined(category[mine]),
                    "slug": k if len(k) > 1 else k[0],
                }
            )
        geoms.append(table.geometry.to_numpy())
        owners.append(ids)

    add(pa, [(str(n),) for n in pa["name"]], "pa", "protected_areas")
    zoned = pa[pa["zone"].notna()]
    add(zoned, [(str(n), str(z)) for n, z in zip(zoned["name"], zoned["zone"], strict=True)],
        "zone", "protected_areas")  # fmt: skip
    add(adm, [(str(n),) for n in adm["name"]], "admin", "admin_units")
    groups = pd.DataFrame(
        rows, columns=["role", "name", "zone", "kind", "layer", "category", "slug"]
    )
    columns: list[str] = []
    for kind in ("pa", "zone", "admin"):  # unique within each prefix, in group order
        mine = (groups["kind"] == kind).to_numpy()
        columns += [f"share_{kind}_{s}" for s in unique_slugs(list(groups["slug"][mine]))]
    groups["column"] = columns
    geoms.append(pa.geometry.to_numpy())  # every protected area: share_protected
    owners.append(np.full(len(pa), len(rows), dtype=int))
    features = gpd.GeoDataFrame(
        {"_group": np.concatenate(owners)},
        geometry=gpd.GeoSeries(np.concatenate(geoms), crs=4326),
        crs=4326,
    )
    return groups, features


#: a feature wider or taller than this (degrees) counts in the CRS extent only where
#: it covers the ranges (a country or continent must not move the projection centre)
LARGE_FEATURE_DEG = 10.0


def _extent(sel: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the ranges and the features near them, in degrees.

    A feature spanning more than :data:`LARGE_FEATURE_DEG` (a country, a
    continent, anything across the antimeridian) adds only the part of its
    bounding box over the ranges' own.
    """
    ranges_box = np.array(hcrs.lonlat_bounds(sel), dtype=float)
    boxes = np.asarray(shapely.bounds(features.geometry.to_numpy()), dtype=float).reshape(-1, 4)
    large = ((boxes[:, 2] - boxes[:, 0]) > LARGE_FEATURE_DEG) | (
        (boxes[:, 3] - boxes[:, 1]) > LARGE_FEATURE_DEG
    )
    boxes[large, :2] = np.maximum(boxes[large, :2], ranges_box[:2])
    boxes[large, 2:] = np.minimum(boxes[large, 2:], ranges_box[2:])
    keep = (boxes[:, 0] <= boxes[:, 2]) & (boxes[:, 1] <= boxes[:, 3])
    b = np.vstack([ranges_box, boxes[keep]])
    return (
        float(b[:, 0].min()),
        float(b[:, 1].min()),
        float(b[:, 2].max()),
        float(b[:, 3].max()),
    )


def _measure(sel: gpd.GeoDataFrame, area: StudyArea) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Long table of shares (range_id = ``sel``'s index) and the shares protected.

    ``None`` for the shares protected when the study area has no protected area.
    """
    has_protected = len(area.features("protected_areas")) > 0
    near = area.near(sel)
    groups, features = _groups(near)
    n_r, n_g = len(sel), len(groups)
    share = np.zeros((n_r, n_g + 1))
    area_km2 = np.zeros((n_r, n_g + 1))
    if len(features):
        target = hcrs.equal_area_crs(_extent(sel, features))
        table = overlap_with(
            sel.reset_index(drop=True),
            features,
            by="_group",
            crs=target,
            layer_name="protected areas and admin units",
        )
        table = table[table["feature"] != OUTSIDE]
        r = table["range_id"].to_numpy(dtype=int)
        g = table["feature"].to_numpy(dtype=int)
        share[r, g] = table["share"].to_numpy(dtype=float)
        area_km2[r, g] = table["area_km2"].to_numpy(dtype=float)
    protected = share[:, n_g] if has_protected else None
    each_r = np.repeat(np.arange(n_r), n_g)
    each_g = np.tile(np.arange(n_g), n_r)
    long = pd.DataFrame({"range_id": sel.index.to_numpy()[each_r]})
    for col in ("individual", "method", "level"):
        long[col] = sel[col].to_numpy()[each_r] if col in sel.columns else None
    for col in ("role", "layer", "name", "zone", "category", "column"):
        values = groups[col].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None  # missing text is None, never NaN
        long[col] = pd.Series(values[each_g], dtype=object)
    long["area_km2"] = area_km2[each_r, each_g]
    long["share"] = share[each_r, each_g]
    return long[list(AREA_SHARE_COLUMNS)], protected


def _check_ranges(ranges: object, level: object, *, sex: bool) -> tuple[gpd.GeoDataFrame, float]:
    checked = require_geodataframe(
        ranges, name="ranges", what="of home ranges", hint="make one with habitat.home_range."
    )
    fraction = require_fraction(level, name="level")
    required = ["individual", "level", "sex"] if sex else ["individual", "level"]
    require_columns(
        checked,
        required,
        name="ranges",
        hint="The table counts same- and opposite-sex neighbours; add a 'sex' column "
        "('U' for unknown)."
        if sex
        else "",
    )
    require_polygons(checked, name="ranges")
    return checked, fraction


def area_shares(
    ranges: gpd.GeoDataFrame,
    study_area: StudyArea | Mapping[str, gpd.GeoDataFrame],
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of each range inside each protected area, zone and admin unit (long table).

    Parameters
    ----------
    ranges : GeoDataFrame
        Home ranges (:func:`habitat.home_range` table) with ``individual`` and
        ``level``; only rows at ``level`` are measured.
    study_area : StudyArea or mapping of str to GeoDataFrame
        The layers (:class:`~habitat.io.study_area.StudyArea`); a legacy mapping
        of layer names is read as :func:`territory_table` says.
    level : float
        Range level to measure.

    Returns
    -------
    pandas.DataFrame
        One row per range and area (ranges in their order, areas in the order
        of the table's columns), with :data:`AREA_SHARE_COLUMNS`:

        ``range_id``
            The range's index value in ``ranges``.
        ``individual``, ``method``, ``level``
            From the range (None when ``ranges`` has no such column).
        ``role``
            ``"protected_areas"`` (a protected area, or one of its zones when
            ``zone`` is set) or ``"admin_units"``.
        ``layer``
            Label(s) of the layer(s) its features come from (``"; "``-joined).
        ``name``, ``zone``, ``category``
            The user's names (``category``: the distinct categories, e.g. IUCN,
            ``"; "``-joined; None when unknown).
        ``column``
            The :func:`territory_table` column holding this share.
        ``area_km2``
            Area of the range inside it (km², equal-area CRS).
        ``share``
            That area over the range's area (0-1).

        Areas far from the ranges (:meth:`~habitat.io.study_area.StudyArea.near`)
        have no rows.

    Examples
    --------
    A 10 km square range half inside a zoned park in New York (UTM 18N):

    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.homerange import home_ranges_from_polygons
    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> utm = "EPSG:32618"
    >>> parks = gpd.GeoDataFrame(
    ...     {"PARK": ["Catskill Park", "Catskill Park"], "ZONE": ["wild forest", "intensive use"]},
    ...     geometry=[shapely.box(560_000, 4_660_000, 570_000, 4_665_000),
    ...               shapely.box(560_000, 4_665_000, 570_000, 4_670_000)], crs=utm)
    >>> area = StudyArea([study_layer(parks, "parks", name_column="PARK", zone_column="ZONE")])
    >>> ranges = home_ranges_from_polygons(gpd.GeoDataFrame(
    ...     {"individual": ["F1"], "sex": ["F"]},
    ...     geometry=[shapely.box(565_000, 4_660_000, 575_000, 4_670_000)], crs=utm))
    >>> shares = area_shares(ranges, area)
    >>> shares[["individual", "name", "zone", "share"]].round(2)
      individual           name           zone  share
    0         F1  Catskill Park           None   0.50
    1         F1  Catskill Park  intensive use   0.25
    2         F1  Catskill Park    wild forest   0.25
    >>> shares["column"].tolist()
    ['share_pa_catskill_park', 'share_zone_catskill_park__intensive_use', \
'share_zone_catskill_park__wild_forest']
    """
    ranges, level = _check_ranges(ranges, level, sex=False)
    area = _study_area(study_area, where="area_shares")
    long, _ = _measure(_at_level(ranges, level), area)
    return long


def territory_table(
    ranges: gpd.GeoDataFrame,
    study_area: StudyArea | Mapping[str, gpd.GeoDataFrame],
    *,
    level: float = 0.95,
) -> gpd.GeoDataFrame:
    """The table an analyst puts in a territory report, one row per range.

    Parameters
    ----------
    ranges : GeoDataFrame
        Home ranges (:func:`habitat.home_range` table) with ``individual``,
        ``level`` and ``sex``; only rows at ``level`` are reported.
    study_area : StudyArea or mapping of str to GeoDataFrame
        The study area (:class:`~habitat.io.study_area.StudyArea`,
        e.g. :func:`habitat.datasets.primorsky` or your own layers); its
        protected areas and admin units are measured. A legacy mapping of
        layer names to GeoDataFrames is still read
        (:func:`habitat.datasets.study_area_from_layers`): bundled layer names
        keep their bundled roles (:data:`habitat.datasets.PRIMORSKY_ROLES`),
        names that spell a role (``"parks"``, ``"protected_areas"``,
        ``"countries"``, ``"admin_units"``...) get it, and features are named
        from the layer's ``name`` column, else by its key (the bundled names
        only for the bundled data themselves); a polygon layer with any other
        name gets no row, with a :class:`~habitat.core.errors.DataQualityWarning`
        naming it.
    level : float
        Range level to report.

    Returns
    -------
    GeoDataFrame
        ``individual``, ``sex``, ``method``, ``level``, ``area_km2``,
        ``area_sq_mi``, ``plausible``, ``plausibility`` (those present in
        ``ranges``); ``share_protected``, ``share_pa_<name>``,
        ``share_zone_<name>__<zone>``, ``share_admin_<name>`` (0-1, see the
        module docstring for the names; :func:`area_shares` has them with the
        user's names); ``n_same_sex_neighbours``,
        ``n_opposite_sex_neighbours``, ``n_unknown_sex_neighbours`` (ranges
        of other animals, of the same method and level, that overlap it with a
        positive area; a pair where either sex is unknown, e.g. ``"U"`` or
        missing, is neither same- nor opposite-sex, it is counted in
        ``n_unknown_sex_neighbours``); ``exclusive_share``; geometry.

    Examples
    --------
    Two parks and two counties in New York (UTM 18N); F1's 10 km square range
    is half in Catskill Park, M1's 20 km × 10 km range half in Mohonk Preserve
    and overlaps F1's:

    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.homerange import home_ranges_from_polygons
    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> utm = "EPSG:32618"
    >>> parks = gpd.GeoDataFrame(
    ...     {"PARK": ["Catskill Park", "Mohonk Preserve"]},
    ...     geometry=[shapely.box(560_000, 4_660_000, 570_000, 4_670_000),
    ...               shapely.box(580_000, 4_660_000, 590_000, 4_670_000)], crs=utm)
    >>> counties = gpd.GeoDataFrame(
    ...     {"COUNTY": ["Ulster", "Greene"]},
    ...     geometry=[shapely.box(550_000, 4_640_000, 575_000, 4_690_000),
    ...               shapely.box(575_000, 4_640_000, 600_000, 4_690_000)], crs=utm)
    >>> area = StudyArea([study_layer(parks, "parks", name_column="PARK"),
    ...                   study_layer(counties, "admin_units", name_column="COUNTY")])
    >>> ranges = home_ranges_from_polygons(gpd.GeoDataFrame(
    ...     {"individual": ["F1", "M1"], "sex": ["F", "M"]},
    ...     geometry=[shapely.box(565_000, 4_660_000, 575_000, 4_670_000),
    ...               shapely.box(570_000, 4_660_000, 590_000, 4_670_000)], crs=utm))
    >>> table = territory_table(ranges, area).set_index("individual")
    >>> table.filter(like="share_p").round(2)
                share_protected  share_pa_catskill_park  share_pa_mohonk_preserve
    individual
    F1                      0.5                     0.5                       0.0
    M1                      0.5                     0.0                       0.5
    >>> table.filter(like="share_admin").round(2)
                share_admin_greene  share_admin_ulster
    individual
    F1                        0.00                1.00
    M1                        0.75                0.25
    >>> table["n_opposite_sex_neighbours"].tolist(), table["n_same_sex_neighbours"].tolist()
    ([1, 1], [0, 0])

    Every measured layer of a mapping is checked by name before any work (a
    layer without rows or with NaN vertices is refused naming it; one whose
    geometries its role cannot take is context, with a warning naming it):

    >>> territory_table(ranges, {"countries": counties.iloc[:0]})
    Traceback (most recent call last):
    ...
    habitat.core.errors.EmptyDataError: countries holds no rows; ...
    """
    ranges, level = _check_ranges(ranges, level, sex=True)
    area = _study_area(study_area, where="territory_table")
    sel = _at_level(ranges, level).reset_index(drop=True)
    keep = [
        c
        for c in (
            "individual",
            "sex",
            "method",
            "level",
            "area_km2",
            "area_sq_mi",
            "plausible",
            "plausibility",
        )
        if c in sel.columns
    ]
    out = sel[keep].copy()
    long, protected = _measure(sel, area)
    if protected is not None:
        out["share_protected"] = protected
    if len(long):
        columns = list(dict.fromkeys(long["column"]))
        wide = np.zeros((len(sel), len(columns)))
        rows = long["range_id"].to_numpy(dtype=int)
        cols = pd.Index(columns).get_indexer(long["column"])
        wide[rows, cols] = long["share"].to_numpy(dtype=float)
        for k, col in enumerate(columns):
            out[col] = wide[:, k]

    pairs = pairwise_overlap(sel)
    pairs = pairs[(pairs["area_km2"] > 0) & (pairs["individual_a"] != pairs["individual_b"])]
    # unknown sex (U, blank, NaN...) is neither same nor opposite sex: counted apart
    relation = sex_relation(pairs["sex_a"], pairs["sex_b"])
    ends = np.concatenate([pairs["range_id_a"].to_numpy(), pairs["range_id_b"].to_numpy()])
    kind = np.concatenate([relation, relation])
    n = len(out)
    for col, rel in (
        ("n_same_sex_neighbours", "same"),
        ("n_opposite_sex_neighbours", "opposite"),
        ("n_unknown_sex_neighbours", "unknown"),
    ):
        out[col] = np.bincount(ends[kind == rel].astype(int), minlength=n)[:n]
    ex = exclusivity(sel, level=level).set_index("range_id")["exclusive_share"]
    out["exclusive_share"] = ex.reindex(out.index).to_numpy()
    return gpd.GeoDataFrame(out, geometry=sel.geometry.to_numpy(), crs=sel.crs)


def write_territory_table(table: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the table atomically: ``.csv`` (no geometry) or ``.gpkg`` (with ranges).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> import shapely
    >>> table = gpd.GeoDataFrame(
    ...     {"individual": ["F1"], "area_km2": [100.0], "share_pa_catskill_park": [0.5]},
    ...     geometry=[shapely.box(605_000, 4_750_000, 615_000, 4_760_000)],
    ...     crs="EPSG:32652",
    ... )
    >>> folder = Path(tempfile.mkdtemp())
    >>> csv = write_territory_table(table, folder / "territories.csv")
    >>> csv.read_text().splitlines()
    ['individual,area_km2,share_pa_catskill_park', 'F1,100.0,0.5']
    >>> gpkg = write_territory_table(table, folder / "territories.gpkg")
    >>> gpd.read_file(gpkg).crs.to_epsg()
    32652
    >>> write_territory_table(table, folder / "territories.xlsx")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: unknown output format for '...territories.xlsx'; use a \
.csv or .gpkg file name.
    """
    table = require_geodataframe(table, name="table", hint="make it with territory_table.")
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise InputError(f"path must be a .csv or .gpkg file name, not {path!r}.")
    p = Path(path)
    if p.is_dir():
        raise DataFileError(
            f"'{p}' is a folder; give a file name inside it, e.g. '{p / 'territories.csv'}'."
        )
    if p.suffix == ".csv":
        atomic_write_text(p, table.drop(columns="geometry").to_csv(index=False))
    elif p.suffix == ".gpkg":
        with atomic_path(p) as tmp:
            table.to_file(tmp, driver="GPKG", layer="territories")
    else:
        raise InputError(f"unknown output format for '{p}'; use a .csv or .gpkg file name.")
    return p
