"""FRAGSTATS landscape metrics from the engine's patch statistics.

:func:`metrics_from_stats` turns one :class:`~habitat.landscape.patches.PatchStats`
(per-patch cell counts and the class adjacency matrix of one landscape) into the
patch, class and landscape metrics of FRAGSTATS (McGarigal et al. 2023), named
as pylandstats names them, in FRAGSTATS units: areas in ha, lengths in m,
densities per 100 ha, edge density in m/ha, ENN in m, proportions and indices
in %. Every formula is vectorised over patches (``np.bincount`` by class), so a
landscape of millions of patches costs a few array passes.
:func:`landscape_metrics` is the public entry: raster (and zones) in, one tidy
block of rows per zone out, valid under
:data:`habitat.core.tables.LANDSCAPE_METRICS`.

Notation: ``a`` patch area (cells), ``p`` patch perimeter (cell sides, **every**
side of the patch: facing another class, nodata or the landscape edge), ``s`` cell
size (m), ``A`` landscape area (cells with data), ``n_i`` patches of class ``i``,
``g_ik`` rook adjacencies between classes ``i`` and ``k`` counted from both cells
(like adjacencies twice), ``P_i`` the area share of class ``i``.

Patch level: ``area`` = a s^2 / 10^4; ``perimeter`` = p s; ``perimeter_area_ratio``
= perimeter / area (m/ha); ``shape_index`` = p / min p(a), min p the perimeter of
the most compact raster shape of ``a`` cells (4n, 4n+2 or 4n+4 with
n = floor(sqrt(a))); ``fractal_dimension`` = 2 ln(0.25 p s) / ln(a s^2);
``euclidean_nearest_neighbor`` = centre-to-centre distance between the closest
cells of the patch and of another patch of its class (m, NaN for a class's only
patch); ``core_area`` = cells farther than the edge depth from the patch edge
(4-neighbour erosion, ha); ``core_area_index`` = core / area x 100.

Class (sums over the class's patches) and landscape (over all patches):
``total_area``; ``proportion_of_landscape`` = 100 sum(a)/A (class only);
``number_of_patches``; ``patch_density`` = n / A(ha) x 100; ``largest_patch_index``
= 100 max(a)/A; ``total_edge`` and ``edge_density`` (see *count_boundary*);
``landscape_shape_index`` = E*/min p(sum a), E* the edge sides including those on
the landscape boundary and nodata, each once (a class: its patches' perimeters);
``effective_mesh_size`` = sum(a^2)/A (ha, Jaeger 2000); ``area_mn``, ``area_am``
(area-weighted); ``*_mn`` means of the patch metrics
(``euclidean_nearest_neighbor_mn`` over the patches that have a neighbour);
``total_core_area``; ``core_area_index`` = 100 sum(core)/sum(a), i.e. the
area-weighted mean of the patch CAI (FRAGSTATS' CAI_AM; FRAGSTATS' class level
has only the distribution statistics CAI_MN, CAI_AM...);
``patch_cohesion_index`` = 100 [1 - sum p / sum(p sqrt a)] / [1 - 1/sqrt(A)]
(Schumaker 1996, FRAGSTATS COHESION, p and a in cells);
``landscape_division_index`` = 1 - sum (a/A)^2 (Jaeger 2000, a proportion 0-1
as in FRAGSTATS DIVISION); ``splitting_index`` = A^2 / sum(a^2) (Jaeger 2000,
FRAGSTATS SPLIT). So MESH = A (1 - DIVISION) = A / SPLIT.
Landscape only: ``contagion`` = 100 [1 + sum_i sum_k q_ik ln q_ik / (2 ln m)],
q_ik = g_ik / sum_ik g_ik the share of all (double-counted rook) adjacencies
between classes i and k (Riitters et al. 1996, as pylandstats and
landscapemetrics), m classes (NaN with a note when m < 2: FRAGSTATS leaves it
undefined); ``shannon_diversity_index`` = -sum P_i ln P_i (0 for one
class).

Where FRAGSTATS, pylandstats and landscapemetrics disagree
-----------------------------------------------------------

==================  ================  ================  ================  ================
topic               FRAGSTATS 4       pylandstats 3.1   landscapemetrics  habitat
==================  ================  ================  ================  ================
TE, ED boundary     option, off (1)   count_boundary=F  count_boundary=F  count_boundary=F
PERIM incl. edge    yes               yes               yes               yes
LSI edge E*         all edge (2)      all, / min p      all, / min p      all, / min p
core at boundary    edge unless       always edge (3)   edge (default)    edge (4)
                    a border
core, depth 0       all core          no core (5)       (not checked)     all core
core depth unit     m                 cells             cells             m, whole cells
ENN                 centre-centre     centre-centre     centre-centre     centre-centre
PARA unit           m/m2              m/ha              m/m2              m/ha
SHDI P_i            area share        adjacency (6)     area share        area share
SHDI, one class     0                 NaN               0                 0
CONTAG q_ik         P_i g_ik/g_i.     g_ik/g.. (6)      g_ik/g.. (6)      P_i g_ik/g_i.
CONTAG, one class   undefined         NaN               NaN               NaN + note
class CAI           CAI_MN, CAI_AM    CAI_MN, CAI_AM    CAI_MN, ...       CAI_AM (7)
COHESION, DIVISION  yes               absent            yes               FRAGSTATS
SPLIT               yes               absent            yes               FRAGSTATS
==================  ================  ================  ================  ================

(1) FRAGSTATS counts boundary and background edge only in the proportion the
user asks for (default none); ``count_boundary=True`` counts all of it, as
pylandstats and landscapemetrics do. (2) FRAGSTATS prints the landscape LSI as
0.25 E*/sqrt(A), the same as E*/min p for a square landscape of n x n cells; we
follow pylandstats and landscapemetrics (E*/min p at both levels). (3) pylandstats'
``count_boundary`` for core areas has no effect: scipy's ``binary_erosion``
treats the outside as background either way. (4) ``boundary_is_edge`` of the
engine (landscapemetrics ``consider_boundary=FALSE``); nodata cells erode core
areas too. (5) pylandstats passes ``iterations=0`` to ``binary_erosion``, which
erodes until nothing is left. (6) see below. (7) class and landscape
``core_area_index`` = 100 sum(core)/sum(area), the area-weighted mean.

Shannon's diversity and contagion: pylandstats takes a class's share P_i from
the column sums of its adjacency table (4 per cell, minus the cell's sides on
the landscape edge and nodata), not from its area as its own docstring, FRAGSTATS
and landscapemetrics do. For contagion, FRAGSTATS weighs the conditional
adjacency g_ik / g_i. (g_i. = sum_k g_ik) by the area share P_i, while pylandstats
and landscapemetrics (Riitters et al. 1996) use the joint share g_ik / g.. of all
adjacencies. Both readings agree when no cell side meets the landscape edge or
nodata and differ slightly otherwise (about 0.2 % of CONTAG on a 40 x 50 raster,
less on larger ones). For contagion we follow pylandstats and landscapemetrics
(the joint share of Riitters et al. 1996; equal to pylandstats to 1e-9 in the
tests); for Shannon's diversity FRAGSTATS and landscapemetrics (the area share,
the definition in pylandstats' own docstring; the tests rebuild it from
pylandstats' areas and assert that pylandstats' number differs).

References
----------
McGarigal K., Cushman S.A., Ene E. 2023. FRAGSTATS v4: Spatial Pattern Analysis
Program for Categorical Maps. University of Massachusetts, Amherst.
Jaeger J.A.G. 2000. Landscape division, splitting index, and effective mesh size.
Landscape Ecology 15: 115-130.
Schumaker N.H. 1996. Using landscape indices to predict habitat connectivity.
Ecology 77: 1210-1225.
Riitters K.H., O'Neill R.V., Wickham J.D., Jones K.B. 1996. A note on contagion
indices for landscape analysis. Landscape Ecology 11: 197-202.

Examples
--------
A 3 x 3 block of forest (1) in a 5 x 5 landscape of meadow (2), 30 m cells:

>>> import numpy as np
>>> from habitat.landscape.patches import patch_stats_array
>>> grid = np.full((5, 5), 2)
>>> grid[1:4, 1:4] = 1
>>> stats = patch_stats_array(grid, cell_size_m=30.0)
>>> cls = metrics_from_stats(stats, level="class", metrics=["number_of_patches", "total_edge"])
>>> cls[["class_value", "number_of_patches", "total_edge"]].values.tolist()
[[1, 1, 360.0], [2, 1, 360.0]]
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.landscape.patches import PatchStats, patch_stats
from habitat.landscape.sources import NOT_GIVEN, NotGiven, RasterSource, open_raster_source
from habitat.landscape.zones import zone_readers

__all__ = [
    "CLASS_METRICS",
    "ENN_METRICS",
    "LANDSCAPE_LEVEL_METRICS",
    "LEVELS",
    "PATCH_METRICS",
    "edge_depth_cells",
    "landscape_metrics",
    "metrics_from_stats",
    "minimum_perimeter_sides",
]

#: metric levels, in output order
LEVELS = ("landscape", "class", "patch")

#: patch-level metrics
PATCH_METRICS = (
    "area",
    "perimeter",
    "perimeter_area_ratio",
    "shape_index",
    "fractal_dimension",
    "euclidean_nearest_neighbor",
    "core_area",
    "core_area_index",
)
_SHARED = (
    "total_area",
    "number_of_patches",
    "patch_density",
    "largest_patch_index",
    "total_edge",
    "edge_density",
    "landscape_shape_index",
    "effective_mesh_size",
    "area_mn",
    "area_am",
    "perimeter_area_ratio_mn",
    "shape_index_mn",
    "fractal_dimension_mn",
    "euclidean_nearest_neighbor_mn",
    "total_core_area",
    "core_area_index",
    "patch_cohesion_index",
    "landscape_division_index",
    "splitting_index",
)
#: class-level metrics
CLASS_METRICS = ("total_area", "proportion_of_landscape", *_SHARED[1:])
#: landscape-level metrics
LANDSCAPE_LEVEL_METRICS = (*_SHARED, "contagion", "shannon_diversity_index")

_BY_LEVEL: dict[str, tuple[str, ...]] = {
    "patch": PATCH_METRICS,
    "class": CLASS_METRICS,
    "landscape": LANDSCAPE_LEVEL_METRICS,
}
_M2_PER_HA = 10_000.0


def _as_levels(level: str | Iterable[str]) -> tuple[str, ...]:
    """Validate ``level`` (one name or several) and return them in output order."""
    asked = (level,) if isinstance(level, str) else tuple(level)
    if not asked:
        raise InputError(f"level is empty; give one or more of {', '.join(LEVELS)}.")
    for name in asked:
        if name not in LEVELS:
            close = difflib.get_close_matches(str(name), LEVELS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise InputError(
                f"Unknown metric level {name!r}; valid levels are {', '.join(LEVELS)}.{hint}"
            )
    return tuple(name for name in LEVELS if name in asked)


def _as_metrics(metrics: str | Iterable[str] | None, levels: Sequence[str]) -> tuple[str, ...]:
    """The metric names to compute at ``levels``, in the table's order."""
    valid: list[str] = []
    for lvl in levels:
        valid += [m for m in _BY_LEVEL[lvl] if m not in valid]
    # columns in the order of the table's contract (habitat.core.tables)
    position = {name: i for i, name in enumerate(LANDSCAPE_METRICS.names)}
    valid.sort(key=lambda name: position.get(name, len(position)))
    if metrics is None:
        return tuple(valid)
    asked = [metrics] if isinstance(metrics, str) else list(metrics)
    every = {m for names in _BY_LEVEL.values() for m in names}
    for name in asked:
        if name in valid:
            continue
        if name in every:
            at = [lvl for lvl in LEVELS if name in _BY_LEVEL[lvl]]
            raise InputError(
                f"Metric {name!r} is not defined at level {'/'.join(levels)}; it is a "
                f"{' and '.join(at)}-level metric. Ask for level={at[0]!r} as well, "
                f"or drop it."
            )
        close = difflib.get_close_matches(str(name), valid, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(
            f"Unknown landscape metric {name!r} at level {'/'.join(levels)}.{hint} "
            f"Valid metrics: {', '.join(valid)}."
        )
    return tuple(m for m in valid if m in asked)


def minimum_perimeter_sides(area_cells: np.ndarray | int) -> np.ndarray:
    """Perimeter (cell sides) of the most compact raster shape of ``area_cells`` cells.

    ``4n`` for ``a = n^2``, ``4n + 2`` for ``n^2 < a <= n(n + 1)``, else ``4n + 4``,
    with ``n = floor(sqrt(a))`` (Milne 1991; FRAGSTATS SHAPE and LSI).

    Parameters
    ----------
    area_cells : int or array of int
        Areas, cells (>= 0; exact below 2^50 cells).

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> minimum_perimeter_sides(np.array([1, 2, 3, 4, 5, 6, 7, 9])).tolist()
    [4.0, 6.0, 8.0, 8.0, 10.0, 10.0, 12.0, 12.0]
    """
    a = np.asarray(area_cells, dtype=np.float64)
    # sqrt is correctly rounded: floor(sqrt(a)) is the integer root for a < 2^50
    n = np.floor(np.sqrt(a))
    min_p = 4.0 * n
    min_p += np.where(a == n * n, 0.0, np.where(a <= n * (n + 1.0), 2.0, 4.0))
    return min_p


class _Patches:
    """Per-patch arrays of one PatchStats, computed once and only when asked for."""

    def __init__(self, stats: PatchStats) -> None:
        self.stats = stats
        self.s = float(stats.cell_size_m)
        self.cell_ha = self.s * self.s / _M2_PER_HA
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = getattr(self, "_" + name)()
        return self._cache[name]

    # raw counts as float64
    def _a(self) -> np.ndarray:
        return self.stats.patch_area_cells.astype(np.float64)

    def _p(self) -> np.ndarray:
        return self.stats.patch_perimeter_sides.astype(np.float64)

    def _core(self) -> np.ndarray:
        return self.stats.patch_core_cells.astype(np.float64)

    # patch metrics (FRAGSTATS units)
    def _area(self) -> np.ndarray:
        return self["a"] * self.cell_ha

    def _perimeter(self) -> np.ndarray:
        return self["p"] * self.s

    def _perimeter_area_ratio(self) -> np.ndarray:
        return self["perimeter"] / self["area"]

    def _shape_index(self) -> np.ndarray:
        return self["p"] / minimum_perimeter_sides(self["a"])

    def _fractal_dimension(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 2.0 * np.log(0.25 * self["perimeter"]) / np.log(self["a"] * self.s * self.s)

    def _euclidean_nearest_neighbor(self) -> np.ndarray:
        return self.stats.patch_enn_cells.astype(np.float64) * self.s

    def _core_area(self) -> np.ndarray:
        return self["core"] * self.cell_ha

    def _core_area_index(self) -> np.ndarray:
        return 100.0 * self["core"] / self["a"]


def _grouped(
    patches: _Patches,
    names: Sequence[str],
    idx: np.ndarray | None,
    k: int,
    *,
    edges_sides: np.ndarray,
    lsi_sides: np.ndarray,
) -> dict[str, np.ndarray]:
    """Class- or landscape-level metrics ``names`` of ``k`` groups of patches.

    ``idx`` is the group of each patch (``None``: one group, the landscape).
    """
    stats = patches.stats
    s, cell_ha = patches.s, patches.cell_ha
    big_a = float(stats.n_cells)
    memo: dict[str, np.ndarray] = {}

    def total(key: str) -> np.ndarray:
        """Sum over each group of a per-patch array (``"n"``: the count, ``"a2"``: a^2)."""
        if key not in memo:
            if key == "n":
                if idx is None:
                    memo[key] = np.array([float(len(stats.patch_class))])
                else:
                    memo[key] = np.bincount(idx, minlength=k)[:k].astype(np.float64)
            else:
                if key == "a2":
                    w = patches["a"] * patches["a"]
                elif key == "p_sqrt_a":
                    w = patches["p"] * np.sqrt(patches["a"])
                else:
                    w = patches[key]
                memo[key] = (
                    np.array([w.sum()])
                    if idx is None
                    else np.bincount(idx, weights=w, minlength=k)[:k]
                )
        return memo[key]

    def largest() -> np.ndarray:
        a = patches["a"]
        if idx is None:
            return np.array([a.max() if a.size else np.nan])
        out = np.full(k, np.nan)
        if a.size:
            order = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])  # idx is sorted
            out[idx[order]] = np.maximum.reduceat(a, order)
        return out

    def enn_mean() -> np.ndarray:
        enn = patches["euclidean_nearest_neighbor"]
        has = np.isfinite(enn)
        if idx is None:
            return np.array([enn[has].mean() if has.any() else np.nan])
        n_enn = np.bincount(idx[has], minlength=k)[:k]
        return np.bincount(idx[has], weights=enn[has], minlength=k)[:k] / n_enn

    formulas: dict[str, Callable[[], np.ndarray]] = {
        "total_area": lambda: total("a") * cell_ha,
        "proportion_of_landscape": lambda: 100.0 * total("a") / big_a,
        "number_of_patches": lambda: total("n"),
        "patch_density": lambda: 100.0 * total("n") / (big_a * cell_ha),
        "largest_patch_index": lambda: 100.0 * largest() / big_a,
        "total_edge": lambda: edges_sides * s,
        "edge_density": lambda: edges_sides * s / (big_a * cell_ha),
        "landscape_shape_index": lambda: lsi_sides / minimum_perimeter_sides(total("a")),
        "effective_mesh_size": lambda: total("a2") / big_a * cell_ha,
        "area_mn": lambda: total("a") / total("n") * cell_ha,
        "area_am": lambda: total("a2") / total("a") * cell_ha,
        "perimeter_area_ratio_mn": lambda: total("perimeter_area_ratio") / total("n"),
        "shape_index_mn": lambda: total("shape_index") / total("n"),
        "fractal_dimension_mn": lambda: total("fractal_dimension") / total("n"),
        "euclidean_nearest_neighbor_mn": enn_mean,
        "total_core_area": lambda: total("core") * cell_ha,
        "core_area_index": lambda: 100.0 * total("core") / total("a"),
        "patch_cohesion_index": lambda: (
            100.0
            * (1.0 - total("p") / total("p_sqrt_a"))
            / (1.0 - 1.0 / np.sqrt(big_a))
            * (1.0 if big_a > 1 else np.nan)  # 1 - 1/sqrt(A) = 0: undefined
        ),
        "landscape_division_index": lambda: 1.0 - total("a2") / (big_a * big_a),
        "splitting_index": lambda: big_a * big_a / total("a2"),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        return {name: formulas[name]() for name in names if name in formulas}


def _edge_sides(stats: PatchStats, *, count_boundary: bool) -> tuple[np.ndarray, float]:
    """Edge sides per class and in the landscape (each side between two classes once).

    ``count_boundary`` adds the sides facing nodata and the landscape edge (once).
    """
    k = len(stats.classes)
    adj = np.asarray(stats.adjacency, dtype=np.float64)
    between = adj[:k, :k].copy()
    np.fill_diagonal(between, 0.0)
    per_class = between.sum(axis=1)
    landscape = between.sum() / 2.0
    if count_boundary:
        background = adj[:k, k]
        per_class = per_class + background
        landscape += background.sum()
    return per_class, float(landscape)


def _contagion_shdi(stats: PatchStats, idx: np.ndarray) -> tuple[float, float]:
    """CONTAG (%, joint adjacency shares) and SHDI (area shares) of a landscape."""
    k = len(stats.classes)
    if stats.n_cells == 0 or k == 0:
        return np.nan, np.nan
    areas = np.bincount(idx, weights=stats.patch_area_cells.astype(np.float64), minlength=k)
    share = areas[:k] / float(stats.n_cells)
    nz = share[share > 0]
    shdi = float(-(nz * np.log(nz)).sum()) + 0.0
    if k < 2:
        return np.nan, shdi
    g = np.asarray(stats.adjacency, dtype=np.float64)[:k, :k]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = g / g.sum()
        terms = np.where(q > 0, q * np.log(q), 0.0)
    contag = 100.0 * (1.0 + terms.sum() / (2.0 * np.log(k)))
    return float(contag), shdi


def metrics_from_stats(
    stats: PatchStats,
    *,
    level: str | Iterable[str],
    metrics: str | Iterable[str] | None = None,
    count_boundary: bool = False,
    class_names: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """FRAGSTATS metrics of one landscape from its patch statistics.

    Parameters
    ----------
    stats : habitat.landscape.patches.PatchStats
        Output of :func:`habitat.landscape.patches.patch_stats` (one landscape or
        zone).
    level : {"landscape", "class", "patch"} or several of them
        Metric level(s); rows come landscape first, then classes, then patches.
    metrics : str or list of str, optional
        Metric names (pylandstats' descriptive names, see the module docstring);
        ``None`` = every metric of the level(s). A metric defined at some of the
        levels only is NaN at the others.
    count_boundary : bool, default False
        Whether ``total_edge`` and ``edge_density`` count the sides facing nodata
        and the landscape edge (pylandstats' and landscapemetrics' option of the same
        name; FRAGSTATS "count boundary/background as edge"). Patch perimeters and
        the landscape shape index always include them, as in all three programs.
    class_names : mapping of int to str, optional
        Names of class values; adds a ``class_name`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``class_value`` (class and patch rows), ``class_name``
        (when ``class_names`` is given), ``patch_id`` (patch rows: position in
        ``stats``), the metrics (units as in
        :data:`habitat.core.tables.LANDSCAPE_METRICS`) and ``note`` (why a value is
        NaN or cannot be trusted; empty otherwise).

    Raises
    ------
    InputError
        Unknown level or metric name (the message lists the valid ones and the
        closest match).

    Examples
    --------
    Two equal patches of forest (1) in a 4 x 4 landscape: division is
    1 - 2 (4/16)^2 = 0.875 and the mesh is 2 x 4^2 / 16 = 2 cells.

    >>> import numpy as np
    >>> from habitat.landscape.patches import patch_stats_array
    >>> grid = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [2, 2, 1, 1], [2, 2, 1, 1]])
    >>> stats = patch_stats_array(grid, cell_size_m=100.0, neighbours=4)
    >>> row = metrics_from_stats(stats, level="class").iloc[0]
    >>> float(row["landscape_division_index"]), float(row["effective_mesh_size"])
    (0.875, 2.0)
    """
    levels = _as_levels(level)
    names = _as_metrics(metrics, levels)
    cols = _columns(stats, levels, names, count_boundary=count_boundary)
    if class_names is not None:
        cols["class_name"] = _labels(cols["class_value"], class_names)
    order = ["level", "class_value"]
    order += ["class_name"] if class_names is not None else []
    order += ["patch_id"] if "patch" in levels else []
    return _frame(cols, [*order, *names, "note"])


#: columns holding whole numbers (NaN = missing in the arrays, nullable Int64 in frames)
_INTEGER_COLUMNS = ("class_value", "patch_id", "number_of_patches")


def _frame(cols: Mapping[str, np.ndarray], order: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of the column arrays, whole-number columns as nullable Int64."""
    data: dict[str, Any] = {}
    for name in order:
        values = cols[name]
        if name in _INTEGER_COLUMNS:
            as_float = np.asarray(values, dtype=np.float64)
            missing = np.isnan(as_float)
            whole = np.where(missing, 0.0, as_float).astype(np.int64)
            data[name] = pd.arrays.IntegerArray(whole, missing)
        else:
            data[name] = values
    return pd.DataFrame(data, columns=list(order))


def _labels(class_value: np.ndarray, class_names: Mapping[int, str] | None) -> np.ndarray:
    """Object array of class names (the value as text when unnamed; None for no class)."""
    named = {int(key): str(val) for key, val in (class_names or {}).items()}
    out = np.full(class_value.shape, None, dtype=object)
    has = ~np.isnan(class_value)
    if has.any():
        uniq, inverse = np.unique(class_value[has], return_inverse=True)
        text = np.array([named.get(int(v), str(int(v))) for v in uniq], dtype=object)
        out[has] = text[inverse]
    return out


def _columns(
    stats: PatchStats, levels: Sequence[str], names: Sequence[str], *, count_boundary: bool
) -> dict[str, np.ndarray]:
    """Column arrays (level, class_value, patch_id, metrics, note) of one landscape."""
    k = len(stats.classes)
    n_patches = len(stats.patch_class)
    empty = stats.n_cells == 0
    patches = _Patches(stats)
    idx = np.searchsorted(stats.classes, stats.patch_class).astype(np.int64)
    if idx.size > 1 and np.any(idx[1:] < idx[:-1]):
        raise InputError("PatchStats patches must be ordered by class value (see patch_stats).")
    class_edges, landscape_edges = _edge_sides(stats, count_boundary=count_boundary)
    class_all_edges, landscape_all_edges = _edge_sides(stats, count_boundary=True)
    parts: list[dict[str, np.ndarray]] = []
    for lvl in levels:
        wanted = [m for m in names if m in _BY_LEVEL[lvl]]
        if lvl == "landscape":
            n_rows = 1
            values = _grouped(
                patches,
                wanted,
                None,
                1,
                edges_sides=np.array([landscape_edges]),
                lsi_sides=np.array([landscape_all_edges]),
            )
            if "contagion" in wanted or "shannon_diversity_index" in wanted:
                contag, shdi = _contagion_shdi(stats, idx)
                values["contagion"] = np.array([contag])
                values["shannon_diversity_index"] = np.array([shdi])
            note = np.array([""], dtype=object)
            if empty:
                values = {m: np.array([np.nan]) for m in values}
                note[0] = "no cells with data"
            elif k < 2 and "contagion" in wanted:
                note[0] = "contagion undefined for fewer than 2 classes"
            class_value = np.array([np.nan])
            patch_id = np.array([np.nan])
        elif lvl == "class":
            n_rows = k
            values = _grouped(
                patches, wanted, idx, k, edges_sides=class_edges, lsi_sides=class_all_edges
            )
            note = np.full(k, "", dtype=object)
            if "euclidean_nearest_neighbor_mn" in wanted and k:
                note[np.bincount(idx, minlength=k)[:k] < 2] = "one patch: no nearest neighbour"
            class_value = stats.classes.astype(np.float64)
            patch_id = np.full(k, np.nan)
        else:
            n_rows = n_patches
            values = {m: patches[m] for m in wanted}
            note = np.full(n_patches, "", dtype=object)
            class_value = stats.patch_class.astype(np.float64)
            patch_id = np.arange(n_patches, dtype=np.float64)
        part = {
            "level": np.full(n_rows, lvl, dtype=object),
            "class_value": class_value,
            "patch_id": patch_id,
            "note": note,
        }
        for name in names:
            part[name] = (
                np.asarray(values[name], dtype=np.float64)
                if name in values
                else np.full(n_rows, np.nan)
            )
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


# ----------------------------------------------------------------------------- public entry
#: metrics that need the nearest-neighbour search
ENN_METRICS = ("euclidean_nearest_neighbor", "euclidean_nearest_neighbor_mn")
#: metrics of a class absent from a zone that are exactly 0 (the others are undefined)
_ZERO_WHEN_ABSENT = (
    "total_area",
    "proportion_of_landscape",
    "number_of_patches",
    "patch_density",
    "largest_patch_index",
    "total_edge",
    "edge_density",
    "effective_mesh_size",
    "total_core_area",
)
_PROVENANCE = ("area_ha", "nodata_share", "cell_size_m", "edge_depth_m", "neighbours")


def edge_depth_cells(edge_depth_m: float | None, cell_size_m: float) -> int:
    """Edge depth in whole cells from a depth in metres (``None``: one cell).

    Parameters
    ----------
    edge_depth_m : float or None
        Edge depth of core areas, m; a whole number of cells (0 allowed).
    cell_size_m : float
        Cell side, m.

    Returns
    -------
    int

    Raises
    ------
    InputError
        For a negative or non-finite depth, or one that is not a whole number of
        cells (the message names the nearest valid depths).

    Examples
    --------
    >>> edge_depth_cells(None, 30.0), edge_depth_cells(90, 30.0), edge_depth_cells(0, 30.0)
    (1, 3, 0)
    """
    if edge_depth_m is None:
        return 1
    try:
        depth = float(edge_depth_m)
    except (TypeError, ValueError):
        raise InputError(
            f"edge_depth_m must be a number of metres, not {edge_depth_m!r}."
        ) from None
    if not np.isfinite(depth) or depth < 0:
        raise InputError(
            f"edge_depth_m must be a finite depth >= 0 m, not {edge_depth_m!r} "
            f"(e.g. {cell_size_m:g} m = one cell)."
        )
    cells = depth / cell_size_m
    nearest = round(cells)
    if abs(cells - nearest) > 1e-6 * max(1.0, cells):
        lo, hi = int(np.floor(cells)), int(np.ceil(cells))
        raise InputError(
            f"edge_depth_m={edge_depth_m:g} m is not a whole number of the raster's "
            f"{cell_size_m:g} m cells ({cells:.3g} cells); core areas are eroded cell by "
            f"cell. Use {lo * cell_size_m:g} m ({lo} cells) or {hi * cell_size_m:g} m "
            f"({hi} cells)."
        )
    return int(nearest)


def _check_neighbours(neighbours: Any) -> int:
    if isinstance(neighbours, bool) or neighbours not in (4, 8, "4", "8"):
        raise InputError(
            f"neighbours must be 8 (queen's case, FRAGSTATS' default) or 4 (rook's case), "
            f"not {neighbours!r}."
        )
    return int(neighbours)


def _check_classes(classes: Any) -> list[int] | None:
    if classes is None:
        return None
    listed: list[Any] = [classes] if np.isscalar(classes) else list(classes)
    out: list[int] = []
    for value in listed:
        try:
            as_float = float(value)
        except (TypeError, ValueError):
            as_float = np.nan
        if isinstance(value, bool) or not np.isfinite(as_float) or not as_float.is_integer():
            raise InputError(
                f"classes must be whole class values of the raster; {value!r} is not one."
            )
        out.append(int(as_float))
    if not out:
        raise InputError("classes is empty; give class values, or None for every class.")
    return sorted(set(out))


def _placeholder(
    levels: Sequence[str], names: Sequence[str], classes: list[int] | None
) -> dict[str, np.ndarray]:
    """Column arrays of NaN rows for a landscape without data (outside, all nodata)."""
    parts = []
    for lvl in levels:
        values = [np.nan]
        if lvl == "class" and classes is not None:
            values = [float(c) for c in classes]
        n = len(values)
        part = {
            "level": np.full(n, lvl, dtype=object),
            "class_value": np.array(values, dtype=np.float64),
            "patch_id": np.full(n, np.nan),
            "note": np.full(n, "", dtype=object),
        }
        part.update({name: np.full(n, np.nan) for name in names})
        parts.append(part)
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _absent_rows(names: Sequence[str], absent: list[int], note: str) -> dict[str, np.ndarray]:
    """Class rows of classes asked for but absent from a landscape: zero or NaN."""
    cols = _placeholder(["class"], names, absent)
    for name in _ZERO_WHEN_ABSENT:
        if name in cols:
            cols[name][:] = 0.0
    cols["note"][:] = note
    return cols


def landscape_metrics(
    raster: Any,
    *,
    level: str | Iterable[str] = "class",
    metrics: str | Iterable[str] | None = None,
    neighbours: int = 8,
    zones: Any = None,
    zone_id: str | None = None,
    classes: Iterable[int] | int | None = None,
    nodata: int | float | None | NotGiven = NOT_GIVEN,
    count_boundary: bool = False,
    edge_depth_m: float | None = None,
    transform: Any = None,
    crs: Any = None,
    reproject: bool = False,
    enn: bool = True,
    boundary_is_edge: bool = True,
) -> pd.DataFrame:
    """FRAGSTATS landscape metrics of a categorical raster, per zone, in one tidy table.

    Each landscape (the whole raster, or each zone's cells) is read once in
    strips and labelled once (:func:`habitat.landscape.patches.patch_stats`);
    the metrics are the formulas of :func:`metrics_from_stats` (see this module's
    docstring for every definition and where FRAGSTATS, pylandstats and
    landscapemetrics disagree).

    Parameters
    ----------
    raster : path, rasterio dataset, habitat.Raster, numpy.ndarray or RasterSource
        Categorical land cover in a projected CRS in metres with square cells
        (see :func:`habitat.landscape.sources.open_raster_source`; an array needs
        ``transform`` and ``crs``).
    level : {"class", "landscape", "patch"} or a tuple of them
        Metric level(s); ``("landscape", "class")`` gives both.
    metrics : str or list of str, optional
        Metric names (pylandstats' descriptive names); default every metric of the
        level(s). Unknown names raise :class:`~habitat.core.errors.InputError`
        listing the valid ones.
    neighbours : {8, 4}
        Patch rule: 8 (queen's case, FRAGSTATS' default) or 4 (rook's case).
    zones : GeoDataFrame or GeoSeries of polygons, optional
        Home ranges, park zones...: each zone's cells (centre inside the polygon)
        are measured as a landscape of their own; zones are reprojected to the
        raster's CRS (the raster is never resampled for them). Default: the whole
        raster, ``zone_id="landscape"``.
    zone_id : str, optional
        Column of ``zones`` with the zone ids (default: the index).
    classes : int or list of int, optional
        Class values whose class (and patch) rows to return; landscape-level
        metrics always use every class. A value in no measured landscape raises
        :class:`~habitat.core.errors.InputError` listing the values present; a
        value absent from some zones gives, in those zones, a row whose areas,
        counts and edges are 0, other metrics NaN, and a note.
    nodata : int, float or None, optional
        The nodata value; default the one the raster declares (none if it declares
        none: 0 is a class unless said otherwise). ``None``: no nodata.
    count_boundary : bool, default False
        Whether ``total_edge`` and ``edge_density`` count sides facing nodata and
        the landscape's (zone's) boundary, as pylandstats' and landscapemetrics'
        ``count_boundary``. Perimeters and LSI always include them.
    edge_depth_m : float, optional
        Edge depth of core areas, m: a whole number of cells (else InputError naming
        the nearest valid depths). Default one cell.
    transform, crs
        Affine transform and CRS of an array ``raster``.
    reproject : bool
        Warp a raster in degrees (or another non-metre unit) to a local equal-area
        CRS instead of refusing it; warns with the cell size chosen, and every row's
        ``note`` says so.
    enn : bool, default True
        Compute nearest-neighbour distances (``euclidean_nearest_neighbor*``);
        False drops those metrics (asking for them then is an error).
    boundary_is_edge : bool, default True
        Whether nodata and the landscape's (zone's) boundary erode core areas
        (FRAGSTATS, pylandstats, landscapemetrics' default). False keeps the core
        of a patch cut by a zone's outline.

    Returns
    -------
    pandas.DataFrame
        Valid under :data:`habitat.core.tables.LANDSCAPE_METRICS`: ``zone_id``,
        ``level``, ``class_value``, ``class_name``, ``patch_id`` (patch level),
        the provenance ``area_ha`` (cells with data), ``nodata_share`` (of the
        zone's cells, including any beyond the raster), ``cell_size_m``,
        ``edge_depth_m``, ``neighbours``, the metrics, and ``note`` (why a value is
        NaN or cannot be trusted; empty otherwise). One block of rows per zone, in
        the order of ``zones``: landscape row, class rows, patch rows. ``attrs``
        holds the parameters.

    Raises
    ------
    InputError
        Unknown level or metric, neighbours not 4/8, an edge depth that is not a
        whole number of cells, classes absent from every landscape, bad zones.
    ProjectedCRSRequiredError
        A raster in degrees without ``reproject=True``.

    Warns
    -----
    DataQualityWarning
        Once per call, naming the zones whose numbers cannot be trusted (outside
        the raster, without cells with data, partly beyond the raster, repaired).

    Examples
    --------
    Forest (1) and meadow (2) on 30 m cells, the whole raster as one landscape:

    >>> import numpy as np
    >>> grid = np.full((10, 10), 2, dtype="uint8")
    >>> grid[2:5, 2:5] = 1
    >>> grid[6:9, 6:9] = 1
    >>> table = landscape_metrics(grid, transform=(30.0, 0, 500_000, 0, -30.0, 4_800_000),
    ...                           crs="EPSG:32652", metrics=["number_of_patches",
    ...                           "landscape_division_index", "effective_mesh_size"])
    >>> table[["class_value", "number_of_patches", "landscape_division_index"]].values.tolist()
    [[1, 2, 0.9838], [2, 1, 0.3276]]
    >>> float(table["effective_mesh_size"].iloc[0])  # 2 x 0.81^2 / 9 ha
    0.1458
    """
    levels = _as_levels(level)
    n_rule = _check_neighbours(neighbours)
    wanted = _check_classes(classes)
    names = _as_metrics(metrics, levels)
    if not enn:
        asked_enn = [m for m in names if m in ENN_METRICS]
        if metrics is not None and asked_enn:
            raise InputError(
                f"{asked_enn} need the nearest-neighbour search; drop them or use enn=True."
            )
        names = tuple(m for m in names if m not in ENN_METRICS)
    need_enn = any(m in ENN_METRICS for m in names)
    own = not isinstance(raster, RasterSource)
    src = open_raster_source(
        raster, transform=transform, crs=crs, nodata=nodata, reproject=reproject
    )
    try:
        depth = edge_depth_cells(edge_depth_m, src.cell_size_m)
        cell = src.cell_size_m
        class_names = dict(src.classes) if src.classes else {}
        blocks: list[dict[str, np.ndarray]] = []
        present_any: set[int] = set()
        absent_notes: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if zones is None:
                rows, cols = src.shape
                landscapes: Iterable[Any] = [
                    _Whole(
                        "landscape",
                        src.shape,
                        lambda r0, r1: src.read(r0, r1, 0, cols),
                        rows * cols,
                        False,
                        "",
                    )
                ]
            else:
                landscapes = zone_readers(src, zones, zone_id=zone_id)
            for zone in landscapes:
                block, present, absent = _one_landscape(
                    zone,
                    src_note=src.note,
                    levels=levels,
                    names=names,
                    wanted=wanted,
                    cell=cell,
                    n_rule=n_rule,
                    depth=depth,
                    boundary_is_edge=boundary_is_edge,
                    need_enn=need_enn,
                    count_boundary=count_boundary,
                    class_names=class_names,
                )
                present_any |= present
                if absent:
                    absent_notes.append(absent)
                blocks.append(block)
    finally:
        if own:
            src.close()
    if wanted is not None:
        missing = [c for c in wanted if c not in present_any]
        if missing:
            where_ = "the raster" if zones is None else "any zone of the raster"
            raise InputError(
                f"class value(s) {missing} do not occur in {where_} '{src.name}'; values "
                f"present: {sorted(present_any)}. Check the class codes (and nodata=)."
            )
    _rewarn(caught, absent_notes)
    order = ["zone_id", "level", "class_value", "class_name"]
    if "patch" in levels:
        order.append("patch_id")
    order += [*_PROVENANCE, *names, "note"]
    table = _frame({key: np.concatenate([b[key] for b in blocks]) for key in order}, order)
    table.attrs.update(
        {
            "level": list(levels),
            "metrics": list(names),
            "neighbours": n_rule,
            "count_boundary": bool(count_boundary),
            "edge_depth_m": depth * cell,
            "edge_depth_cells": depth,
            "boundary_is_edge": bool(boundary_is_edge),
            "cell_size_m": cell,
            "raster": src.name,
            "crs": src.crs.to_string() if src.crs is not None else None,
            "nodata": src.nodata,
            "classes": wanted,
            "class_names": class_names,
            "zones": None if zones is None else len(blocks),
        }
    )
    return LANDSCAPE_METRICS.validate(table, name="landscape_metrics")


@dataclass(frozen=True)
class _Whole:
    """The whole raster as one landscape (the fields of a Zone that are used)."""

    id: Any
    shape: tuple[int, int]
    read: Callable[[int, int], tuple[np.ndarray, np.ndarray]]
    n_zone_cells: int
    outside: bool
    note: str


def _one_landscape(
    zone: Any,
    *,
    src_note: str,
    levels: Sequence[str],
    names: Sequence[str],
    wanted: list[int] | None,
    cell: float,
    n_rule: int,
    depth: int,
    boundary_is_edge: bool,
    need_enn: bool,
    count_boundary: bool,
    class_names: Mapping[int, str],
) -> tuple[dict[str, np.ndarray], set[int], str]:
    """Column arrays of one zone (or of the whole raster), its classes, a warning note."""
    n_zone = int(zone.n_zone_cells)
    stats = None
    if not zone.outside and zone.shape[0] > 0 and zone.shape[1] > 0:
        stats = patch_stats(
            zone.read,
            zone.shape,
            cell_size_m=cell,
            neighbours=n_rule,
            edge_depth_cells=depth,
            boundary_is_edge=boundary_is_edge,
            enn=need_enn,
        )
    present: set[int] = set()
    warn_note = ""
    if stats is None or stats.n_cells == 0:
        why = zone.note or "no cells with data"
        if stats is not None:  # zone_readers warned about zones outside the raster
            why = _join_notes(zone.note, "every cell of the landscape is nodata")
            warn_note = why if isinstance(zone, _Whole) else f"zone {zone.id!r}: {why}"
        cols = _placeholder(levels, names, wanted)
        cols["note"][:] = _join_notes(src_note, why)
        n_cells = 0
    else:
        n_cells = stats.n_cells
        present = set(stats.classes.tolist())
        cols = _columns(stats, levels, names, count_boundary=count_boundary)
        if wanted is not None:
            keep = (cols["level"] == "landscape") | np.isin(cols["class_value"], wanted)
            cols = {key: val[keep] for key, val in cols.items()}
            absent = [c for c in wanted if c not in present]
            if absent:
                note = f"class {', '.join(map(str, absent))} absent from this landscape"
                if "class" in levels:
                    extra = _absent_rows(names, absent, note)
                    cols = {key: np.concatenate([cols[key], extra[key]]) for key in cols}
                    rank = np.select(
                        [cols["level"] == "landscape", cols["level"] == "class"], [0, 1], 2
                    )
                    key = np.where(np.isnan(cols["class_value"]), -np.inf, cols["class_value"])
                    order = np.lexsort((np.arange(rank.size), key, rank))
                    cols = {name: val[order] for name, val in cols.items()}
                if not isinstance(zone, _Whole):
                    warn_note = f"zone {zone.id!r}: {note}"
        prefix = _join_notes(src_note, zone.note)
        if prefix:
            notes = cols["note"]
            cols["note"] = np.where(notes == "", prefix, prefix + "; " + notes.astype(str))
            cols["note"] = cols["note"].astype(object)
    n_rows = len(cols["level"])
    zone_ids = np.empty(n_rows, dtype=object)
    zone_ids.fill(zone.id)
    cols["zone_id"] = zone_ids
    cols["class_name"] = _labels(cols["class_value"], class_names)
    cols["area_ha"] = np.full(n_rows, n_cells * cell * cell / _M2_PER_HA)
    cols["nodata_share"] = np.full(n_rows, 1.0 - n_cells / n_zone if n_zone > 0 else np.nan)
    cols["cell_size_m"] = np.full(n_rows, cell)
    cols["edge_depth_m"] = np.full(n_rows, depth * cell)
    cols["neighbours"] = np.full(n_rows, n_rule, dtype=np.int64)
    return cols, present, warn_note


def _rewarn(caught: list[warnings.WarningMessage], notes: list[str]) -> None:
    """Re-emit recorded warnings: data-quality ones merged into one, with ``notes``."""
    quality = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    for w in caught:
        if not issubclass(w.category, DataQualityWarning):
            warnings.warn(w.message, w.category, stacklevel=3)
    quality += notes
    if quality:
        uniq = list(dict.fromkeys(quality))
        warnings.warn(
            "landscape metrics cannot all be trusted: " + "; ".join(uniq) + " (see the "
            "note column).",
            DataQualityWarning,
            stacklevel=3,
        )
