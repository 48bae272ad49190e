"""Home ranges an analyst already has, and synthetic ranges for scenarios.

Both return the same table as :func:`habitat.home_range`, so given, synthetic
and estimated ranges can be used interchangeably downstream (overlap, maps,
reports); as there, ``species`` (default ``"auto"``, see
:func:`habitat.homerange.plausibility.resolve_species`) says which species'
expected sizes judge the ranges, and ``attrs["species"]`` names it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import DataQualityWarning, EmptyDataError, InputError, where
from habitat.core.validation import (
    repair_polygons,
    require_columns,
    require_geodataframe,
    require_geometry_type,
)
from habitat.homerange.plausibility import AUTO, Bounds, SpeciesArg, plausibility, resolve_species

__all__ = ["SYNTHETIC_AREA_SQ_MI", "home_ranges_from_polygons", "synthetic_ranges"]

#: Area ranges (sq mi) drawn by :func:`synthetic_ranges`: females 15-38 sq mi;
#: males 60-155 sq mi (the simulator's defaults; "up to 155 sq mi", facts.md).
SYNTHETIC_AREA_SQ_MI: dict[str, tuple[float, float]] = {"F": (15.0, 38.0), "M": (60.0, 155.0)}


#: largest relative difference between a table's own ``area_km2`` and its
#: polygon's area for the table's value to be kept (KDE areas are counted in grid
#: cells, a fraction of a percent off the isopleth polygon's area)
AREA_KEPT_RTOL = 0.05


def _finish(
    table: pd.DataFrame,
    geoms: gpd.GeoSeries,
    *,
    method: str | np.ndarray,
    source_crs: Any,
    area_m2: np.ndarray | None = None,
    species: SpeciesArg,
    expected_area_sq_mi: Mapping[str, Bounds] | None,
    where: str,
) -> gpd.GeoDataFrame:
    area = hcrs.area_m2(geoms, name="home ranges").to_numpy() if area_m2 is None else area_m2
    out = table.assign(method=method, **units.area_columns(area))
    out["crs_used"] = hcrs.describe_crs(hcrs.equal_area_crs(geoms))
    profile = resolve_species(geoms, species, expected_area_sq_mi=expected_area_sq_mi, where=where)
    ok, why = plausibility(
        out,
        species=profile,
        expected_area_sq_mi=expected_area_sq_mi,
        geometry=geoms.to_numpy(),
    )
    out["plausible"] = ok
    out["plausibility"] = why
    gdf = gpd.GeoDataFrame(out, geometry=geoms.to_numpy(), crs=geoms.crs, index=table.index)
    aligned = hcrs.align(gdf, source_crs, name="home ranges")
    aligned.attrs["species"] = None if profile is None else profile.name
    return aligned


def home_ranges_from_polygons(
    polygons: gpd.GeoDataFrame,
    *,
    individual: str = "individual",
    sex: str | None = "sex",
    level: float | str = 0.95,
    n_fixes: str | None = None,
    method: str | None = None,
    area_km2: str | None = None,
    species: SpeciesArg = AUTO,
    expected_area_sq_mi: Mapping[str, Bounds] | None = None,
) -> gpd.GeoDataFrame:
    """Validate and normalise given home-range polygons into the home-range table.

    Invalid polygons (self-intersections, bow-ties) are repaired with
    :func:`shapely.make_valid` (keeping the polygonal parts) and the reason is
    recorded in ``repaired``; areas are computed by the library in the local
    equal-area CRS.

    Parameters
    ----------
    polygons : GeoDataFrame
        (Multi)Polygons with a CRS, one row per range.
    individual : str
        Column naming the animal.
    sex : str, optional
        Column with the sex (``F``/``M``); missing -> ``"unknown"``.
    level : float or str
        The isopleth level of every polygon (fraction), or a column holding it.
    n_fixes : str, optional
        Column with the number of fixes behind each polygon, if known.
    method : str, optional
        Column with the method that drew each polygon (``"mcp"``, ``"kde"``...,
        as in the ``ranges.gpkg`` and ``metrics.parquet`` of a habitat report),
        kept as it is; rows without one (and every row when ``None``) are
        ``"given"``.
    area_km2 : str, optional
        Column with each range's area as its estimator reported it (km²), e.g.
        a KDE's area counted in grid cells, which differs from its isopleth
        polygon's area by a fraction of a percent. The value is kept where it
        is within :data:`AREA_KEPT_RTOL` of the polygon's own area; where it is
        not (the polygon was edited, or the column means something else), the
        polygon's area is used, said in ``repaired`` and in a
        :class:`~habitat.core.errors.DataQualityWarning` naming the rows.
        ``None``: areas are the polygons' own.
    species : SpeciesProfile, str, path, mapping or None
        The species whose expected sizes judge the ranges, as in
        :func:`habitat.home_range`: ``"auto"`` (default) is the bundled
        ``amur_leopard`` for ranges in the bundled Primorsky study area, else
        no size check; ``None``: no size check.
    expected_area_sq_mi : mapping, optional
        Or the bounds themselves (sq mi by ``F``, ``M``, ``any``); not with ``species``.

    Returns
    -------
    GeoDataFrame
        ``individual``, ``sex``, ``method`` (``"given"`` or the ``method``
        column's), ``level``, ``n_fixes``, ``area_km2``, ``area_sq_mi``,
        ``repaired``, ``crs_used``, ``plausible``, ``plausibility``, geometry
        (input CRS), input index kept; ``attrs["species"]`` is the profile's
        name (``None``: no size check).

    Raises
    ------
    MissingCRSError, ColumnError, GeometryTypeError, EmptyDataError, InputError

    Examples
    --------
    A 10 km UTM grid square, and a "bow tie" drawn over a 20 km square (invalid:
    it crosses itself; repaired into its two triangles, half the square):

    >>> import warnings
    >>> import geopandas as gpd
    >>> import shapely
    >>> drawn = gpd.GeoDataFrame(
    ...     {"individual": ["F1", "M1"], "sex": ["F", "M"]},
    ...     geometry=[
    ...         shapely.box(600_000, 4_750_000, 610_000, 4_760_000),
    ...         shapely.Polygon([(600_000, 4_750_000), (620_000, 4_770_000),
    ...                          (620_000, 4_750_000), (600_000, 4_770_000)]),
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the DataQualityWarning about the repair
    ...     ranges = home_ranges_from_polygons(drawn)
    >>> ranges[["individual", "method", "level", "area_km2", "area_sq_mi"]].round(2)
      individual method  level  area_km2  area_sq_mi
    0         F1  given   0.95    100.05       38.63
    1         M1  given   0.95    200.10       77.26
    >>> ranges.loc[1, "repaired"]
    'repaired: Self-intersection[610000 4760000]'

    Areas are measured in a local equal-area CRS, so the UTM grid square
    (100 km² on the map) shows its true area on the ground, 0.05 % more here.

    A report's own ``ranges.gpkg`` keeps its methods, levels and areas (a KDE
    area is counted in grid cells, not measured on the polygon):

    >>> own = drawn.iloc[:1].assign(method="kde", level=0.5, area_km2=100.2)
    >>> again = home_ranges_from_polygons(own, level="level", method="method", area_km2="area_km2")
    >>> again[["individual", "method", "level", "area_km2"]]
      individual method  level  area_km2
    0         F1    kde    0.5     100.2
    """
    require_geodataframe(polygons, name="polygons", hint="read them with geopandas.read_file.")
    hcrs.require_crs(polygons, name="home-range polygons")
    if len(polygons) == 0:
        raise EmptyDataError("home-range polygons hold no rows.")
    require_columns(
        polygons, [individual], name="home-range polygons", hint="Pass individual='your id column'."
    )
    geoms = polygons.geometry
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    if empty.any():
        raise EmptyDataError(
            f"home-range polygons have missing or empty geometries "
            f"({where(rows=list(polygons.index[empty]))}); drop or redraw them."
        )
    require_geometry_type(polygons, ("Polygon", "MultiPolygon"), name="home-range polygons")
    fixed, why = repair_polygons(
        geoms.to_numpy(), name="home-range polygons", labels=polygons.index
    )
    reasons = np.where(why == "", "", "repaired: " + why.astype(str)).astype(object)
    if isinstance(level, str):
        require_columns(polygons, [level], name="home-range polygons")
        lv = polygons[level].to_numpy(dtype=float)
    else:
        lv = np.full(len(polygons), float(level))
    if not ((lv > 0) & (lv <= 1)).all():
        raise InputError(f"levels must be fractions in (0, 1]; got {sorted(set(lv))[:5]}.")
    table = pd.DataFrame(
        {
            "individual": polygons[individual].astype(str).to_numpy(),
            "sex": (
                polygons[sex].fillna("unknown").astype(str).to_numpy()
                if sex is not None and sex in polygons.columns
                else "unknown"
            ),
            "level": lv,
            "n_fixes": (polygons[n_fixes].to_numpy() if n_fixes is not None else np.nan),
            "repaired": reasons,
        },
        index=polygons.index,
    )
    table["n_fixes"] = table["n_fixes"].astype(float)
    shapes = gpd.GeoSeries(fixed, crs=polygons.crs, index=polygons.index)
    area = hcrs.area_m2(shapes, name="home-range polygons").to_numpy()
    if area_km2 is not None:
        area, note = _kept_areas(polygons, area_km2, area)
        both = (table["repaired"] != "") & (note != "")
        table["repaired"] = np.where(both, table["repaired"] + "; ", table["repaired"]) + note
    # not a telemetry estimate: the "few fixes" check only applies when fixes are known
    out = _finish(
        table.fillna({"n_fixes": np.inf}),
        shapes,
        method=_methods(polygons, method),
        source_crs=polygons.crs,
        area_m2=area,
        species=species,
        expected_area_sq_mi=expected_area_sq_mi,
        where="home_ranges_from_polygons",
    )
    out["n_fixes"] = table["n_fixes"]
    species_name = out.attrs.get("species")
    out = out[
        [
            "individual",
            "sex",
            "method",
            "level",
            "n_fixes",
            "area_km2",
            "area_sq_mi",
            "repaired",
            "crs_used",
            "plausible",
            "plausibility",
            "geometry",
        ]
    ]
    out.attrs["species"] = species_name
    return out


def _methods(polygons: gpd.GeoDataFrame, column: str | None) -> np.ndarray:
    """The method of each polygon: the column's text, ``"given"`` where it has none."""
    if column is None:
        return np.full(len(polygons), "given", dtype=object)
    require_columns(polygons, [column], name="home-range polygons", hint="Pass method=None.")
    raw = polygons[column]
    text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip().to_numpy(dtype=object)
    text[text == ""] = "given"
    return text


def _kept_areas(
    polygons: gpd.GeoDataFrame, column: str, measured_m2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The column's areas (m²) where they agree with the polygons', else the polygons'.

    Also a note per row for ``repaired`` (empty where the column's area was kept
    or missing), so a disagreement is flagged in the table, not only warned.
    """
    require_columns(polygons, [column], name="home-range polygons", hint="Pass area_km2=None.")
    given = units.convert_area(
        pd.to_numeric(polygons[column], errors="coerce").to_numpy(dtype=float), "km2", "m2"
    )
    usable = np.isfinite(given) & (given > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.abs(given / measured_m2 - 1.0)
    agree = usable & (off <= AREA_KEPT_RTOL)
    disagree = usable & ~agree
    if disagree.any():
        rows = list(polygons.index[disagree])
        warnings.warn(
            f"home-range polygons: '{column}' differs from the polygon's own area by more "
            f"than {100 * AREA_KEPT_RTOL:g} % ({where(rows=rows)}); the polygon's area is "
            "used there. Were the polygons edited? Drop the column to measure every polygon.",
            DataQualityWarning,
            stacklevel=3,
        )
    note = np.full(len(given), "", dtype=object)
    note[disagree] = [
        f"area measured: '{column}' was {100 * d:.1f} % off the polygon's" for d in off[disagree]
    ]
    return np.where(agree, given, measured_m2), note


def synthetic_ranges(
    centres: gpd.GeoDataFrame,
    *,
    individual: str = "individual",
    sex: str = "sex",
    area_sq_mi: Mapping[str, tuple[float, float]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    species: SpeciesArg = AUTO,
    expected_area_sq_mi: Mapping[str, Bounds] | None = None,
) -> gpd.GeoDataFrame:
    """Circular home ranges around given centres, with sex-specific random areas.

    For scenario analyses when no telemetry exists: each range is a circle
    (256-gon) in the local equal-area CRS, scaled so that its area equals an
    area drawn uniformly from the sex's bounds.

    Parameters
    ----------
    centres : GeoDataFrame
        Points with ``individual`` and ``sex`` (``F``/``M``) columns.
    area_sq_mi : mapping, optional
        ``{"F": (15, 38), "M": (60, 155)}`` by default (:data:`SYNTHETIC_AREA_SQ_MI`).
    seed : int
        Random seed; the same seed gives the same ranges.
    level : float
        The level the ranges stand for (default 0.95).
    species : SpeciesProfile, str, path, mapping or None
        The species whose expected sizes judge the ranges (``plausible``), as
        in :func:`habitat.home_range`: ``"auto"`` (default) is the bundled
        ``amur_leopard`` for centres in the bundled Primorsky study area, else
        no size check. It does not change the areas drawn (``area_sq_mi``).
    expected_area_sq_mi : mapping, optional
        Or the bounds themselves (sq mi by ``F``, ``M``, ``any``); not with ``species``.

    Returns
    -------
    GeoDataFrame
        The home-range table with ``method="synthetic"`` and ``target_area_km2``;
        ``attrs["species"]`` names the profile (``None``: no size check).

    Examples
    --------
    >>> import geopandas as gpd
    >>> centres = gpd.GeoDataFrame(
    ...     {"individual": ["F1", "M1"], "sex": ["F", "M"]},
    ...     geometry=gpd.points_from_xy([131.0, 131.3], [43.0, 43.1]),
    ...     crs="EPSG:4326",
    ... )
    >>> ranges = synthetic_ranges(centres, seed=1)
    >>> ranges[["individual", "method", "target_area_km2", "area_km2", "area_sq_mi"]].round(2)
      individual     method  target_area_km2  area_km2  area_sq_mi
    0         F1  synthetic            69.34     69.34       26.77
    1         M1  synthetic           389.26    389.26      150.29
    >>> ranges.crs.to_epsg(), ranges.geom_type.tolist()
    (4326, ['Polygon', 'Polygon'])
    """
    require_geodataframe(
        centres,
        name="centres",
        what="of points",
        hint="make one with geopandas.GeoDataFrame(..., geometry=geopandas.points_from_xy(x, y), "
        "crs=...).",
    )
    hcrs.require_crs(centres, name="centres")
    require_columns(centres, [individual, sex], name="centres")
    require_geometry_type(centres, ("Point",), name="centres")
    bounds = dict(area_sq_mi or SYNTHETIC_AREA_SQ_MI)
    sexes = centres[sex].astype(str).to_numpy()
    unknown = sorted(set(sexes) - set(bounds))
    if unknown:
        raise InputError(
            f"no area range for sex {unknown} in centres; give area_sq_mi={{'F': (lo, hi), "
            "'M': (lo, hi), ...}} or set the sex column to F or M."
        )
    rng = np.random.default_rng(seed)
    lo = np.array([bounds[s][0] for s in sexes], dtype=float)
    hi = np.array([bounds[s][1] for s in sexes], dtype=float)
    target_km2 = units.convert_area(rng.uniform(lo, hi), "sq_mi", "km2")
    ea = hcrs.to_equal_area(centres, name="centres")
    radius_m = np.sqrt(target_km2 * 1e6 / np.pi)
    circles = shapely.buffer(ea.geometry.to_numpy(), radius_m, quad_segs=64)
    # a 256-gon is 0.01 % smaller than its circle: scale to the exact area
    factor = np.sqrt(target_km2 * 1e6 / shapely.area(circles))
    cx, cy = shapely.get_x(ea.geometry.to_numpy()), shapely.get_y(ea.geometry.to_numpy())
    coords = shapely.get_coordinates(circles)
    counts = shapely.get_num_coordinates(circles)
    f = np.repeat(factor, counts)
    ox, oy = np.repeat(cx, counts), np.repeat(cy, counts)
    scaled = np.column_stack([ox + (coords[:, 0] - ox) * f, oy + (coords[:, 1] - oy) * f])
    circles = shapely.set_coordinates(circles.copy(), scaled)
    table = pd.DataFrame(
        {
            "individual": centres[individual].astype(str).to_numpy(),
            "sex": sexes,
            "level": float(level),
            "n_fixes": np.inf,
            "target_area_km2": target_km2,
        },
        index=centres.index,
    )
    out = _finish(
        table,
        gpd.GeoSeries(circles, crs=ea.crs, index=centres.index),
        method="synthetic",
        source_crs=centres.crs,
        species=species,
        expected_area_sq_mi=expected_area_sq_mi,
        where="synthetic_ranges",
    )
    out["n_fixes"] = np.nan
    return out
