"""The territory report table: one row per range with protection, countries and neighbours."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat.core.errors import DataFileError, InputError
from habitat.core.fs import atomic_path, atomic_write_text
from habitat.core.sex import sex_relation
from habitat.core.validation import (
    require_columns,
    require_fraction,
    require_geodataframe,
    require_layer_mapping,
    require_polygons,
)
from habitat.overlap.vector import exclusivity, overlap_with, pairwise_overlap

__all__ = ["PROTECTED_LAYERS", "territory_table", "write_territory_table"]

#: protected-area layers reported as ``share_<name>``, by bundled layer name
PROTECTED_LAYERS: dict[str, str] = {
    "land_of_the_leopard": "park",
    "kedrovaya_pad": "reserve",
    "ne_china_tiger_leopard_np": "china_np",
}


def territory_table(
    ranges: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    level: float = 0.95,
) -> gpd.GeoDataFrame:
    """The table an analyst puts in a territory report, one row per range.

    Parameters
    ----------
    ranges : GeoDataFrame
        Home ranges (:func:`habitat.home_range` table); only rows at ``level``
        are reported.
    layers : mapping of str to GeoDataFrame
        Study-area layers, e.g. :func:`habitat.datasets.layers`; used when
        present: ``land_of_the_leopard``, ``park_zones`` (by ``zone``),
        ``kedrovaya_pad``, ``ne_china_tiger_leopard_np`` and ``countries`` (by
        ``name``).
    level : float
        Range level to report.

    Returns
    -------
    GeoDataFrame
        ``individual``, ``sex``, ``method``, ``level``, ``area_km2``,
        ``area_sq_mi``, ``plausible``, ``plausibility``; ``share_protected``
        (share inside the park or the reserve, 0-1); ``share_park``,
        ``share_reserve``, ``share_china_np``; ``share_zone_<zone>``;
        ``share_country_<name>``; ``n_same_sex_neighbours``,
        ``n_opposite_sex_neighbours``, ``n_unknown_sex_neighbours`` (ranges
        of other animals, of the same method and level, that overlap it with a
        positive area; a pair where either sex is unknown, e.g. ``"U"`` or
        missing, is neither same- nor opposite-sex, it is counted in
        ``n_unknown_sex_neighbours``); ``exclusive_share``; geometry.

    Examples
    --------
    A 10 km square park on the Russian side of a border, a female's range
    (10 km square) half in it, and a male's (20 km square) overlapping hers:

    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.homerange import home_ranges_from_polygons
    >>> utm = "EPSG:32652"
    >>> layers = {
    ...     "land_of_the_leopard": gpd.GeoDataFrame(
    ...         geometry=[shapely.box(600_000, 4_750_000, 610_000, 4_760_000)], crs=utm),
    ...     "countries": gpd.GeoDataFrame(
    ...         {"name": ["Russia", "China"]},
    ...         geometry=[shapely.box(590_000, 4_740_000, 610_000, 4_780_000),
    ...                   shapely.box(610_000, 4_740_000, 630_000, 4_780_000)],
    ...         crs=utm),
    ... }
    >>> ranges = home_ranges_from_polygons(gpd.GeoDataFrame(
    ...     {"individual": ["F1", "M1"], "sex": ["F", "M"]},
    ...     geometry=[shapely.box(605_000, 4_750_000, 615_000, 4_760_000),
    ...               shapely.box(600_000, 4_750_000, 620_000, 4_770_000)],
    ...     crs=utm,
    ... ))
    >>> table = territory_table(ranges, layers)
    >>> table[["individual", "area_km2", "share_park", "share_country_russia"]].round(2)
      individual  area_km2  share_park  share_country_russia
    0         F1    100.05        0.50                   0.50
    1         M1    400.20        0.25                   0.50
    >>> table["n_opposite_sex_neighbours"].tolist(), table["n_same_sex_neighbours"].tolist()
    ([1, 1], [0, 0])

    Every layer is checked by name before any work (a layer without rows, with
    NaN vertices or of the wrong type is refused naming it):

    >>> territory_table(ranges, {"countries": layers["countries"].iloc[:0]})
    Traceback (most recent call last):
    ...
    habitat.core.errors.EmptyDataError: countries holds no rows; ...
    """
    ranges = require_geodataframe(
        ranges, name="ranges", what="of home ranges", hint="make one with habitat.home_range."
    )
    layers = require_layer_mapping(layers)
    level = require_fraction(level, name="level")
    require_columns(
        ranges,
        ["individual", "level", "sex"],
        name="ranges",
        hint="The table counts same- and opposite-sex neighbours; add a 'sex' column "
        "('U' for unknown).",
    )
    require_polygons(ranges, name="ranges")
    for name, layer in layers.items():  # all layers checked before any work
        if name in PROTECTED_LAYERS or name in ("park_zones", "countries"):
            require_polygons(layer, name=name)
    for name, by in (("park_zones", "zone"), ("countries", "name")):
        if name in layers:
            require_columns(layers[name], [by], name=name)
    levels = pd.to_numeric(ranges["level"], errors="coerce").to_numpy(dtype=float)
    sel = ranges[np.isclose(levels, level)]
    if len(sel) == 0:
        present = sorted({f"{v:g}" for v in levels if np.isfinite(v)})
        raise InputError(
            f"no ranges at level {level:g}; levels present: [{', '.join(present)}]. Pass "
            "level= one of those, or estimate ranges at that level."
        )
    sel = sel.reset_index(drop=True)
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

    def shares(layer: gpd.GeoDataFrame, by: str | None, name: str) -> pd.DataFrame:
        o = overlap_with(sel, layer, by=by, layer_name=name)
        o = o[o["feature"] != "(outside)"]
        return o.pivot_table(
            index="range_id", columns="feature", values="share", aggfunc="sum", fill_value=0.0
        )

    protected = []
    for name, short in PROTECTED_LAYERS.items():
        if name in layers:
            s = shares(layers[name], None, name).sum(axis=1)
            out[f"share_{short}"] = s.reindex(out.index, fill_value=0.0).to_numpy()
            if name != "ne_china_tiger_leopard_np":
                protected.append(layers[name][["geometry"]].to_crs(4326))
    if protected:
        union = gpd.GeoDataFrame(
            {"name": ["protected"]},
            geometry=[pd.concat(protected).union_all()],
            crs=4326,
        )
        out["share_protected"] = (
            shares(union, "name", "protected areas")
            .sum(axis=1)
            .reindex(out.index, fill_value=0.0)
            .to_numpy()
        )
    if "park_zones" in layers:
        z = shares(layers["park_zones"], "zone", "park_zones")
        for col in z.columns:
            out[f"share_zone_{col}"] = z[col].reindex(out.index, fill_value=0.0).to_numpy()
    if "countries" in layers:
        c = shares(layers["countries"], "name", "countries")
        for col in c.columns:
            key = str(col).lower().replace(" ", "_")
            out[f"share_country_{key}"] = c[col].reindex(out.index, fill_value=0.0).to_numpy()

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
    ...     {"individual": ["F1"], "area_km2": [100.0], "share_park": [0.5]},
    ...     geometry=[shapely.box(605_000, 4_750_000, 615_000, 4_760_000)],
    ...     crs="EPSG:32652",
    ... )
    >>> folder = Path(tempfile.mkdtemp())
    >>> csv = write_territory_table(table, folder / "territories.csv")
    >>> csv.read_text().splitlines()
    ['individual,area_km2,share_park', 'F1,100.0,0.5']
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
