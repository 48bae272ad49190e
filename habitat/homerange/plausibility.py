"""Whether a home range is plausible: physical bounds, real geometry, a grid that holds it, sizes.

Every home-range table (:func:`habitat.homerange.home_range`,
:func:`habitat.homerange.home_ranges_from_polygons`,
:func:`habitat.homerange.synthetic_ranges`) carries ``plausible`` and
``plausibility`` (why not) columns from :func:`plausibility`. Every row is
judged, whatever the sex: against physical bounds that hold for any terrestrial
animal, for a degenerate geometry, for a UD grid that cannot hold the level, for
the fixes behind it (:func:`fix_problems`: too few distinct positions,
coordinates that look like degrees), for the movement model behind it (AKDE's
``model_notes``, :func:`model_problems`: a track that does not settle, gaps
covering most of the track) and, when a species profile is given
(:class:`habitat.io.species.SpeciesProfile`, e.g. the bundled
``amur_leopard``), against the expected size of the species for the animal's
sex (or for any animal, the profile's ``"any"`` bounds). Without a profile there
is no size check: habitat never assumes a species.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import units
from habitat.core.errors import ConfigError, InputError
from habitat.core.sex import sex_labels
from habitat.core.validation import look_like_degrees, require_columns
from habitat.datasets import primorsky, species_for, species_profile
from habitat.homerange.base import MIN_FIXES, grid_problems
from habitat.io.species import SpeciesProfile
from habitat.movement.fit import ADVISORY_PREFIX

__all__ = [
    "AUTO",
    "DEFAULT_EXPECTED_AREA_SQ_MI",
    "MAX_PLAUSIBLE_AREA_KM2",
    "MIN_DISTINCT_POSITIONS",
    "MIN_PLAUSIBLE_AREA_KM2",
    "MIN_ROUNDNESS",
    "RECOMMENDED_MIN_FIXES",
    "fix_problems",
    "max_area_km2",
    "model_problems",
    "physical_problems",
    "plausibility",
    "resolve_species",
]

Bounds = tuple[float | None, float | None]

#: Deprecated, and no longer a default (ranges get no size check without a
#: species profile): the Amur leopard's outer-range sizes (sq mi) by sex, as in
#: the bundled ``amur_leopard`` profile (a test checks they agree). Use
#: ``species="amur_leopard"`` or
#: ``habitat.datasets.species_profile("amur_leopard").expected_area_sq_mi``.
DEFAULT_EXPECTED_AREA_SQ_MI: dict[str, Bounds] = {"F": (15.0, 38.0), "M": (None, 155.0)}


#: Fewer fixes than this are flagged as too few for a reliable range
#: (Seaman et al. 1999 recommend at least 30, preferably 50 or more).
RECOMMENDED_MIN_FIXES = 30

#: Smallest area (km²) of any home range: 100 m², a 10 m square. A single GPS
#: fix is uncertain by about 5-30 m (a 95 % error circle of 100s to 1000s of
#: m²), and the smallest mammals tracked (shrews, voles) use hundreds of m²;
#: smaller "ranges" come from degenerate fixes (collinear, nearly all at one
#: place) or from coordinates in the wrong unit (degrees declared as metres
#: give areas near 1e-9 km²).
MIN_PLAUSIBLE_AREA_KM2 = 1e-4
#: Largest area (km²) of any terrestrial home range: 1e6 km², a tenth of Europe
#: and over a hundred times the largest male Amur leopard range (155 sq mi,
#: 400 km²). The largest terrestrial ranges on record (polar bears, caribou,
#: wolves in the Arctic) stay below it; larger "ranges" come from outlying fixes
#: (GPS errors thousands of km away) or coordinates in the wrong unit.
MAX_PLAUSIBLE_AREA_KM2 = 1e6
#: Smallest isoperimetric quotient ``4 pi A / P**2`` (1 for a disc, 0.785 for a
#: square) of a range polygon. A sliver ``w`` wide and ``L`` long has about
#: ``pi w / L``; below 1e-3 (3 m wide for 10 km long) the width is below the
#: error of the fixes, so the fixes are collinear, not a range.
MIN_ROUNDNESS = 1e-3
#: Fewer distinct positions than this (as the fewest fixes any estimator
#: accepts, :data:`habitat.homerange.base.MIN_FIXES`) leave no range to
#: estimate, however many fixes repeat them (a dropped collar, a dead animal, a
#: tag on the bench).
MIN_DISTINCT_POSITIONS = MIN_FIXES


def max_area_km2(bounds: Mapping[str, Bounds] | None) -> float:
    """The largest plausible range (km²): :data:`MAX_PLAUSIBLE_AREA_KM2`, or more for a species.

    A species whose expected sizes (sq mi by sex) go beyond the terrestrial
    bound (a seabird, a whale: 1e7 km² ranges) lifts it to its own largest
    upper bound; a bound without an upper side lifts nothing.

    Examples
    --------
    >>> max_area_km2(None), max_area_km2({"F": (15, 38)})
    (1000000.0, 1000000.0)
    >>> round(max_area_km2({"any": (1000, 3_000_000)}))  # sq mi
    7769964
    """
    highs = [hi for _, hi in (bounds or {}).values() if hi is not None]
    largest = float(units.sq_mi_to_km2(max(highs))) if highs else 0.0
    return max(MAX_PLAUSIBLE_AREA_KM2, largest)


def physical_problems(
    area_km2: Any, geometry: Any = None, *, max_area_km2: float = MAX_PLAUSIBLE_AREA_KM2
) -> np.ndarray:
    """Why ranges are physically impossible for any terrestrial animal, row by row.

    Parameters
    ----------
    area_km2 : array_like
        Areas in km².
    geometry : array_like of shapely geometries, optional
        The range polygons, in a planar CRS (the quotient
        ``4 pi area / perimeter**2`` is scale-free): slivers below
        :data:`MIN_ROUNDNESS` are degenerate.
    max_area_km2 : float
        Largest plausible area: :data:`MAX_PLAUSIBLE_AREA_KM2` (terrestrial), or
        that of a far-ranging species (:func:`max_area_km2`).

    Returns
    -------
    numpy.ndarray of str
        ``""`` for a row within the bounds.

    Examples
    --------
    A 10 km by 1 m sliver (fixes on a line), an empty range, degree coordinates
    declared as metres (1.9e-9 km²), raw GPS outliers (2.19e8 km²) and a
    leopard's 100 km²:

    >>> import shapely
    >>> geoms = [shapely.box(0, 0, 10_000, 1), shapely.Polygon(), None, None,
    ...          shapely.box(0, 0, 10_000, 10_000)]
    >>> for reason in physical_problems([0.01, 0.0, 1.9e-9, 2.19e8, 100.0], geoms):
    ...     print(reason or "-")
    degenerate range: a sliver (isoperimetric quotient 0.000314 < 0.001, width about 0.0001 ...
    area 0 km² below 0.0001 km² (100 m²), the smallest home range of any animal
    area 1.9e-09 km² below 0.0001 km² (100 m²), the smallest home range of any animal
    area 2.19e+08 km² above 1e+06 km², larger than any terrestrial home range (for a \
marine or far-ranging species, give a species profile whose range sizes allow it)
    -

    A seabird's 3e6 km² range is plausible for a profile allowing 1e7 km²:

    >>> physical_problems([3e6], max_area_km2=1e7).tolist()
    ['']
    """
    area = np.atleast_1d(np.asarray(area_km2, dtype=float))
    reasons: list[list[str]] = [[] for _ in range(area.size)]
    with np.errstate(invalid="ignore"):
        small = area < MIN_PLAUSIBLE_AREA_KM2
        large = area > max_area_km2
    for i in np.flatnonzero(small):
        reasons[i].append(
            f"area {area[i]:.3g} km² below {MIN_PLAUSIBLE_AREA_KM2:g} km² (100 m²), "
            "the smallest home range of any animal"
        )
    for i in np.flatnonzero(large):
        reasons[i].append(
            f"area {area[i]:.3g} km² above {max_area_km2:g} km², larger than any "
            + (
                "terrestrial home range (for a marine or far-ranging species, give a species "
                "profile whose range sizes allow it)"
                if max_area_km2 <= MAX_PLAUSIBLE_AREA_KM2
                else "range the species profile allows"
            )
        )
    if geometry is not None:
        geoms = np.asarray(geometry, dtype=object)
        a = shapely.area(geoms)
        perim = shapely.length(geoms)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = 4.0 * np.pi * a / perim**2
        thin = (a > 0) & (perim > 0) & (q < MIN_ROUNDNESS)
        for i in np.flatnonzero(thin):
            reasons[i].append(
                f"degenerate range: a sliver (isoperimetric quotient {q[i]:.3g} < "
                f"{MIN_ROUNDNESS:g}, width about {q[i] / np.pi:.2g} of its length): the "
                "fixes are (nearly) collinear"
            )
    return np.array(["; ".join(r) for r in reasons], dtype=object)


def fix_problems(xy: Any, groups: Any, *, crs: Any = None) -> np.ndarray:
    """Why each animal's fixes cannot give a trustworthy range (``""`` when they can).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        The fixes used, in the relocations' own CRS ``crs``.
    groups : array_like of int, shape (n,)
        Animal codes ``0..g-1``.
    crs : CRS-like, optional
        The CRS of ``xy``, for the "these coordinates look like degrees" check
        (:func:`habitat.core.validation.look_like_degrees`).

    Returns
    -------
    numpy.ndarray of str, shape (g,)
        Per animal: fewer than :data:`MIN_DISTINCT_POSITIONS` distinct
        positions, and/or every fix within ±180/±90 of a projected CRS.

    Examples
    --------
    Animal 0: 39 fixes at one place and one elsewhere; animal 1: leopard fixes
    in degrees declared as UTM metres; animal 2: a real spread in metres:

    >>> import numpy as np
    >>> a = np.vstack([np.zeros((39, 2)), [[500.0, 0.0]]]) + [640_000.0, 4_770_000.0]
    >>> b = np.column_stack([131.2 + np.arange(6) / 100, 43.1 + np.arange(6) % 2 / 100])
    >>> c = np.column_stack([640_000 + np.arange(6) * 900.0, 4_770_000 + np.arange(6) % 3 * 700.0])
    >>> groups = np.repeat([0, 1, 2], [40, 6, 6])
    >>> for reason in fix_problems(np.vstack([a, b, c]), groups, crs="EPSG:32652"):
    ...     print(reason or "-")
    only 2 distinct positions among 40 fixes (< 5): a dropped collar or a stationary tag?
    coordinates all within ±180/±90 look like degrees, but the CRS is projected ...
    -
    """
    arr = np.asarray(xy, dtype=float)
    codes = np.asarray(groups, dtype=np.int64)
    n_groups = int(codes.max()) + 1 if codes.size else 0
    counts = np.bincount(codes, minlength=n_groups)
    keys = np.column_stack([codes.astype(float), arr])
    distinct = np.bincount(np.unique(keys, axis=0)[:, 0].astype(np.int64), minlength=n_groups)
    degrees = look_like_degrees(arr[:, 0], arr[:, 1], crs)
    all_degrees = np.bincount(codes, weights=~degrees, minlength=n_groups) == 0
    reasons: list[list[str]] = [[] for _ in range(n_groups)]
    for i in np.flatnonzero(distinct < MIN_DISTINCT_POSITIONS):
        reasons[i].append(
            f"only {distinct[i]} distinct positions among {counts[i]} fixes "
            f"(< {MIN_DISTINCT_POSITIONS}): a dropped collar or a stationary tag?"
        )
    for i in np.flatnonzero(all_degrees & (counts > 0)):
        reasons[i].append(
            "coordinates all within ±180/±90 look like degrees, but the CRS is projected "
            "(metres), so squared degrees are read as m²; if they are longitude/latitude "
            "declare crs='EPSG:4326'"
        )
    return np.array(["; ".join(r) for r in reasons], dtype=object)


def model_problems(model_notes: Any) -> np.ndarray:
    """Why each row's movement model cannot give a trustworthy range (``""`` when it can).

    Parameters
    ----------
    model_notes : array_like of str
        Per row, the movement fit's data-quality notes joined by ``"; "`` (the
        ``model_notes`` column of AKDE rows, from
        :attr:`habitat.movement.MovementModel.notes`); missing values count as
        none.

    Returns
    -------
    numpy.ndarray of str
        ``"movement model: <notes>"`` with the notes that are not advice (those
        starting with :data:`habitat.movement.fit.ADVISORY_PREFIX`, e.g. a gap
        covering a quarter of the track, are left out: the range stands).

    Examples
    --------
    A track that does not settle is flagged; a row with only advice, or none, is not:

    >>> notes = ["the track does not settle (the variogram does not level off): ...",
    ...          "advisory: a 30-day gap without fixes ...", "", None]
    >>> for reason in model_problems(notes):
    ...     print(reason or "-")
    movement model: the track does not settle (the variogram does not level off): ...
    -
    -
    -
    """
    values = pd.Series(np.asarray(model_notes, dtype=object).ravel(), dtype=object)
    texts = values.where(values.notna(), "").astype(str).to_numpy()
    out = np.full(len(texts), "", dtype=object)
    for i, text in enumerate(texts):
        kept = [
            note
            for note in (part.strip() for part in text.split("; "))
            if note and not note.startswith(ADVISORY_PREFIX)
        ]
        if kept:
            out[i] = "movement model: " + "; ".join(kept)
    return out


#: ``species="auto"``: the profile of the study area the data lie in (the bundled
#: ``amur_leopard`` for data overlapping the bundled Primorsky area), else none
AUTO = "auto"

SpeciesArg = SpeciesProfile | str | os.PathLike[str] | Mapping[str, Any] | None


def _is_auto(species: Any) -> bool:
    return isinstance(species, str) and species.strip().lower() == AUTO


def resolve_species(
    data: gpd.GeoDataFrame | gpd.GeoSeries | None,
    species: SpeciesArg = AUTO,
    *,
    expected_area_sq_mi: Mapping[str, Bounds] | None = None,
    where: str = "home ranges",
) -> SpeciesProfile | None:
    """The species profile to judge the ranges of ``data`` by (``None``: no profile).

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries, optional
        The fixes (or ranges, or centres) the ranges come from, with a CRS.
    species : SpeciesProfile, str, path, mapping or None
        ``"auto"`` (default): :func:`habitat.datasets.species_for` of the
        study area :func:`habitat.datasets.study_area_for` would choose, i.e.
        the bundled ``amur_leopard`` profile where the data overlap the
        bundled Primorsky study area and no profile elsewhere (one log line,
        from ``species_for``). A profile,
        a bundled name (``"amur_leopard"``), a TOML file or a mapping
        (:func:`habitat.datasets.species_profile`); ``None`` or ``"none"``:
        no profile.
    expected_area_sq_mi : mapping, optional
        Explicit size bounds: then no profile is looked up (``None`` is
        returned and the bounds are used as given). Giving them together with
        a profile (not ``"auto"``) is an error.
    where : str
        What asks, for messages.

    Returns
    -------
    SpeciesProfile or None

    Raises
    ------
    InputError
        For both ``species`` and ``expected_area_sq_mi``.
    DatasetNotFoundError
        For an unknown profile name.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> primorye = gpd.GeoSeries(shapely.points([(131.2, 43.1), (131.3, 43.2)]), crs=4326)
    >>> new_york = gpd.GeoSeries(shapely.points([(-74.0, 42.5), (-73.9, 42.6)]), crs=4326)
    >>> resolve_species(primorye).name
    'amur_leopard'
    >>> resolve_species(new_york) is None
    True
    >>> resolve_species(new_york, "amur_leopard").max_speed_kmh
    20.0
    >>> resolve_species(primorye, "none") is None
    True
    """
    if expected_area_sq_mi is not None:
        if not (species is None or _is_auto(species)):
            raise InputError(
                f"{where}: give either species= (a profile with its size bounds) or "
                "expected_area_sq_mi= (the bounds themselves), not both."
            )
        return None
    if not _is_auto(species):
        return species_profile(species)
    # the rule of study_area_for(data): the bundled study area (and so its profile) only
    # for data that overlap it; asked directly, so that the log says only what this
    # call lacks (a profile), once, not also that no bundled layers are used
    bundled = primorsky()
    overlaps = data is not None and len(data) > 0 and bundled.overlaps(data)
    return species_for(bundled if overlaps else None)


def _size_bounds(
    species: Any, expected_area_sq_mi: Mapping[str, Bounds] | None
) -> tuple[dict[str, Bounds], SpeciesProfile | None]:
    """The bounds by sex key and the profile they come from (None for explicit bounds)."""
    if species is not None and expected_area_sq_mi is not None:
        raise InputError(
            "plausibility: give either species= (a profile with its size bounds) or "
            "expected_area_sq_mi= (the bounds themselves), not both."
        )
    if expected_area_sq_mi is None:
        profile = species_profile(species)
        return ({} if profile is None else dict(profile.expected_area_sq_mi)), profile
    if not isinstance(expected_area_sq_mi, Mapping):
        raise InputError(
            "expected_area_sq_mi must be a mapping of sex (F, M or any) to (low, high) in "
            f'sq mi, e.g. {{"F": (15, 38), "M": (None, 155)}}; got {expected_area_sq_mi!r}.'
        )
    for key, pair in expected_area_sq_mi.items():
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InputError(
                f"expected_area_sq_mi, key {key}: expected [low, high] in sq mi (None for no "
                f"bound), got {pair!r}."
            )
    try:
        checked = SpeciesProfile(name="given", expected_area_sq_mi=expected_area_sq_mi)
    except ConfigError as exc:
        raise InputError(
            f"expected_area_sq_mi: {str(exc).removeprefix('species profile given, ')}"
        ) from None
    return dict(checked.expected_area_sq_mi), None


def _whom(sex: str, profile: SpeciesProfile | None) -> str:
    """Who a size bound is for, as said in a reason."""
    if profile is None:
        return "any sex" if sex == "any" else f"sex {sex}"
    kind = {"F": "females", "M": "males"}.get(sex, "(any sex)")
    return f"{profile.common_name} {kind}"


def _area_interval_sq_mi(
    table: pd.DataFrame, area: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's area interval (sq mi) for the size check: its own, or the estimate itself.

    Rows with finite ``area_low_sq_mi`` and ``area_high_sq_mi`` (AKDE) have
    an interval (third array True); the others the degenerate interval of
    their estimate. An infinite upper bound (no area DOF) counts as given.
    """
    n = len(area)
    if "area_low_sq_mi" in table.columns and "area_high_sq_mi" in table.columns:
        low = table["area_low_sq_mi"].to_numpy(dtype=float)
        high = table["area_high_sq_mi"].to_numpy(dtype=float)
    else:
        low = high = np.full(n, np.nan)
    interval = np.isfinite(low) & ~np.isnan(high)
    return np.where(interval, low, area), np.where(interval, high, area), interval


def plausibility(
    table: pd.DataFrame,
    *,
    species: SpeciesArg = None,
    expected_area_sq_mi: Mapping[str, Bounds] | None = None,
    geometry: Any = None,
    fix_reasons: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Flag implausible home ranges, row by row, and say why.

    A row is implausible when

    * its area is outside the bounds of any terrestrial animal
      (:data:`MIN_PLAUSIBLE_AREA_KM2`, :data:`MAX_PLAUSIBLE_AREA_KM2`) or its
      polygon is a sliver (:func:`physical_problems`), whatever the sex;
    * its UD grid cannot hold the level (``grid_warning``, or a level above
      ``grid_volume``, or cells coarser than the bandwidth allows; see
      :func:`habitat.homerange.base.grid_problems`);
    * it rests on fewer than :data:`RECOMMENDED_MIN_FIXES` fixes, or on fixes
      with a problem (``fix_reasons``, see :func:`fix_problems`);
    * its movement model has a data-quality note that is not advice
      (``model_notes``, as AKDE rows carry, e.g. a track that does not settle;
      see :func:`model_problems`): the reason is ``"movement model: "`` and the note;
    * it is an outer range (level >= 0.9) whose area lies outside the expected
      size of the species: for its sex (``F``, ``M``; an animal of unknown sex
      is held to neither) and, under the key ``any``, for every animal. A row
      with an area interval (``area_low_sq_mi`` and ``area_high_sq_mi``, as
      AKDE's) is judged by the interval: implausible only when the whole
      interval lies outside the expected size, and the reason says so.

    Without ``species`` and ``expected_area_sq_mi`` there is no size check.

    Parameters
    ----------
    table : pandas.DataFrame
        Home-range table with ``n_fixes``, ``level`` (fraction), ``area_sq_mi``,
        ``sex`` and optionally ``area_km2``, ``area_low_sq_mi`` and
        ``area_high_sq_mi`` (an interval), ``grid_warning``, ``grid_volume``,
        ``cell_size_m``, ``bandwidth_m`` and ``model_notes``; a GeoDataFrame's geometry is used
        when ``geometry`` is not given.
    species : SpeciesProfile, str, path, mapping or None
        The species profile whose ``expected_area_sq_mi`` bound the outer
        ranges (a bundled name such as ``"amur_leopard"``, a TOML file or a
        mapping is read with :func:`habitat.datasets.species_profile`); the
        reasons name it ("... for Amur leopard females"). ``None``: no profile.
    expected_area_sq_mi : mapping, optional
        Or the bounds themselves, outer-range size (sq mi) by sex key (``F``,
        ``M``, ``any``), ``(low, high)`` with ``None`` for no bound. Not with
        ``species``.
    geometry : array_like of shapely geometries, optional
        The range polygons, one per row, in a planar CRS.
    fix_reasons : sequence of str, optional
        One per row: what is wrong with the fixes behind it (``""`` if nothing).

    Returns
    -------
    plausible : numpy.ndarray of bool
    reasons : numpy.ndarray of str
        ``"; "``-joined reasons, ``""`` for a plausible row.

    Raises
    ------
    InputError
        For both ``species`` and ``expected_area_sq_mi``, or bounds that are
        not ``(low, high)`` by ``F``, ``M`` or ``any``.

    Examples
    --------
    A 100 km² female range is 38.6 sq mi, just above the 15–38 sq mi expected
    of an Amur leopard female; the same area is fine for a male, and a core
    area (level 0.5) is not checked against the expected size:

    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "sex": ["F", "M", "F", "M"],
    ...     "level": [0.95, 0.95, 0.5, 0.95],
    ...     "n_fixes": [500, 500, 500, 12],
    ...     "area_sq_mi": [38.61, 38.61, 38.61, 120.0],
    ... })
    >>> ok, why = plausibility(table, species="amur_leopard")
    >>> ok.tolist()
    [False, True, True, False]
    >>> why.tolist()
    ['area 38.6 sq mi outside the expected 15–38 sq mi for Amur leopard females', '', '', \
'few fixes (12 < 30)']

    Without a profile there is no size check; explicit bounds are named by sex:

    >>> plausibility(table)[0].tolist()
    [True, True, True, False]
    >>> plausibility(table, expected_area_sq_mi={"F": (15, 40)})[0].tolist()
    [True, True, True, False]
    >>> plausibility(table, expected_area_sq_mi={"any": (50, None)})[1].tolist()[:2]
    ['area 38.6 sq mi outside the expected 50– sq mi for any sex', \
'area 38.6 sq mi outside the expected 50– sq mi for any sex']

    With an area interval (AKDE) the size is judged by the interval: a 41 sq mi
    female range whose interval reaches down to 30 sq mi may be a 15–38 sq mi
    range; one whose whole interval lies above 38 sq mi is not:

    >>> akde = pd.DataFrame({
    ...     "sex": ["F", "F"], "level": [0.95, 0.95], "n_fixes": [500, 500],
    ...     "area_sq_mi": [41.0, 52.0], "area_low_sq_mi": [30.0, 40.5],
    ...     "area_high_sq_mi": [55.0, 66.0],
    ... })
    >>> ok, why = plausibility(akde, species="amur_leopard")
    >>> ok.tolist()
    [True, False]
    >>> print(why[1])
    area 52.0 sq mi (interval 40.5–66.0 sq mi, all of it) outside the expected 15–38 sq mi \
for Amur leopard females

    An animal of unknown sex is still held to the physical bounds, and a KDE
    row whose grid holds only 91.7 % of the UD cannot have a 95 % range:

    >>> odd = pd.DataFrame({
    ...     "sex": ["unknown", "unknown"], "level": [0.95, 0.95], "n_fixes": [500, 2355],
    ...     "area_sq_mi": [7.3e-10, 8.45e7], "grid_volume": [float("nan"), 0.917],
    ... })
    >>> for reason in plausibility(odd, species="amur_leopard")[1]:
    ...     print(reason)
    area 1.89e-09 km² below 0.0001 km² (100 m²), the smallest home range of any animal
    area 2.19e+08 km² above 1e+06 km², ...; grid too small for this level (see grid_warning): \
level 0.95 above the UD volume on the grid (0.917)
    """
    require_columns(
        table,
        ["n_fixes", "level", "area_sq_mi", "sex"],
        name="home-range table",
        hint="pass a table from habitat.home_range.",
    )
    expected, profile = _size_bounds(species, expected_area_sq_mi)
    n_rows = len(table)
    reasons: list[list[str]] = [[] for _ in range(n_rows)]
    area_km2 = (
        table["area_km2"].to_numpy(dtype=float)
        if "area_km2" in table.columns
        else units.sq_mi_to_km2(table["area_sq_mi"].to_numpy(dtype=float))
    )
    if geometry is None and isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        geometry = table.geometry.to_numpy()
    largest = max_area_km2(expected)
    for row, text in enumerate(physical_problems(area_km2, geometry, max_area_km2=largest)):
        if text:
            reasons[row].append(text)
    if fix_reasons is not None:
        for row, text in enumerate(fix_reasons):
            if text:
                reasons[row].append(str(text))
    if "model_notes" in table.columns:
        for row, text in enumerate(model_problems(table["model_notes"].to_numpy())):
            if text:
                reasons[row].append(text)
    few = table["n_fixes"].to_numpy() < RECOMMENDED_MIN_FIXES
    for i in np.flatnonzero(few):
        reasons[i].append(f"few fixes ({table['n_fixes'].iat[int(i)]} < {RECOMMENDED_MIN_FIXES})")
    flagged = (
        table["grid_warning"].fillna(False).to_numpy(dtype=bool)
        if "grid_warning" in table.columns
        else np.zeros(n_rows, dtype=bool)
    )
    if "grid_volume" in table.columns:
        grid = grid_problems(
            table["level"].to_numpy(dtype=float),
            table["grid_volume"].to_numpy(dtype=float),
            cell_size_m=table["cell_size_m"] if "cell_size_m" in table.columns else None,
            bandwidth_m=table["bandwidth_m"] if "bandwidth_m" in table.columns else None,
        )
    else:
        grid = np.full(n_rows, "", dtype=object)
    for i in np.flatnonzero(flagged | (grid != "")):
        detail = grid[i] or "the range reaches the grid border"
        reasons[i].append(f"grid too small for this level (see grid_warning): {detail}")
    outer = table["level"].to_numpy() >= 0.9
    area = table["area_sq_mi"].to_numpy(dtype=float)
    low, high, interval = _area_interval_sq_mi(table, area)
    sex = sex_labels(table["sex"].to_numpy(dtype=object)) if expected else np.array([])
    for key, (lo, hi) in expected.items():
        # "any" bounds every animal; F and M only animals known to be of that sex
        sel = outer if key == "any" else outer & (sex == key)
        lo_v = -np.inf if lo is None else lo
        hi_v = np.inf if hi is None else hi
        # with an interval, only when all of it lies outside (below or above)
        out = sel & ((high < lo_v) | (low > hi_v))
        rng = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"
        for i in np.flatnonzero(out):
            what = (
                f"area {area[i]:.1f} sq mi (interval {low[i]:.1f}–{high[i]:.1f} sq mi, "
                "all of it) outside"
                if interval[i]
                else f"area {area[i]:.1f} sq mi outside"
            )
            reasons[i].append(f"{what} the expected {rng} sq mi for {_whom(key, profile)}")
    text = np.array(["; ".join(r) for r in reasons], dtype=object)
    return text == "", text
