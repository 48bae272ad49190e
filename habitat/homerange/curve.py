"""Area–sample-size curves: whether the home-range area levels off with more fixes.

For every individual, the home range is re-estimated on subsamples of ``m``
fixes for increasing ``m`` (the *area–observation curve* of Harris et al. 1990,
recommended by Laver & Kelly 2008 to judge whether enough fixes were
collected). Each sample size is bootstrapped ``n_boot`` times and summarised by
the mean, standard deviation and 5 / 95 % quantiles of the area (km²), and by
``share_of_full``, the mean area divided by the area estimated with all fixes.

Subsamples (``order``):

``"random"`` (default)
    ``m`` distinct fixes drawn at random **without replacement** from the
    animal's fixes (the fixes themselves are resampled, not new positions).
    With ``m = n`` every replicate is the full data set, so the curve ends at
    ``share_of_full == 1`` exactly. Because subsets of a fixed data set converge
    to it, a random-order curve always flattens near ``m = n``, even for an
    animal that is still expanding its range (e.g. dispersing): it measures
    how well the *observed* area is sampled, not whether the animal settled.
``"time"``
    ``m`` *consecutive* fixes in time order (``timestamp`` if present, else row
    order) starting at a random fix (a moving-block subsample). An animal
    still expanding its range covers less area in shorter periods, so its
    time-order curve keeps rising; use this order to detect dispersal.

Verdict rule (:func:`area_curve_verdict`): see its docstring.

References
----------
Harris, S., Cresswell, W. J., Forde, P. G., Trewhella, W. J., Woollard, T. &
Wray, S. (1990). Home-range analysis using radio-tracking data — a review of
problems and techniques particularly as applied to the study of mammals.
Mammal Review 20(2-3), 97-123.
Laver, P. N. & Kelly, M. J. (2008). A critical review of home range studies.
Journal of Wildlife Management 72(1), 290-298.
Seaman, D. E., Millspaugh, J. J., Kernohan, B. J., Brundige, G. C.,
Raedeke, K. J. & Gitzen, R. A. (1999). Effects of sample size on kernel home
range estimates. Journal of Wildlife Management 63(2), 739-747.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat.core.errors import InputError
from habitat.homerange import mcp
from habitat.homerange.base import MIN_FIXES, check_levels
from habitat.homerange.estimate import ESTIMATORS, METHODS
from habitat.homerange.fixes import prepare_fixes

__all__ = [
    "DEFAULT_N_SIZES",
    "TAIL_FRACTION",
    "area_curve",
    "area_curve_verdict",
    "default_sample_sizes",
]

#: Number of geometric steps of the default sample sizes (10 ... n).
DEFAULT_N_SIZES = 12
#: The verdict looks at the sample sizes covering the last 25 % of the fixes.
TAIL_FRACTION = 0.25
_ORDERS = ("random", "time")
_COLUMNS = [
    "individual",
    "n_fixes",
    "n_total",
    "area_km2_mean",
    "area_km2_sd",
    "area_km2_q05",
    "area_km2_q95",
    "share_of_full",
    "full_area_km2",
]


def default_sample_sizes(n: int) -> np.ndarray:
    """Default sample sizes for an animal with ``n`` fixes.

    A geometric sequence of :data:`DEFAULT_N_SIZES` values from 10 (or ``n``
    if smaller) to ``n``, rounded to integers, plus ``round(0.8 n)`` and
    ``round(0.9 n)`` so that the verdict's tail (the last 25 % of the fixes)
    always holds at least two sample sizes below ``n``.

    Parameters
    ----------
    n : int
        Number of fixes of the animal (at least 5).

    Returns
    -------
    numpy.ndarray of int
        Sorted, unique, always ending with ``n``.

    Examples
    --------
    >>> default_sample_sizes(180).tolist()  # 10 ... 180, plus 144 and 162 (80 and 90 %)
    [10, 13, 17, 22, 29, 37, 48, 63, 82, 106, 138, 144, 162, 180]
    >>> default_sample_sizes(8).tolist()
    [6, 7, 8]
    """
    n = int(n)
    lo = min(10, n)
    sizes = np.round(np.geomspace(lo, n, DEFAULT_N_SIZES)).astype(np.int64)
    extra = np.round(np.array([0.8, 0.9]) * n).astype(np.int64)
    sizes = np.concatenate([sizes, extra[extra >= MIN_FIXES], [n]])
    return np.unique(sizes[(sizes >= min(MIN_FIXES, n)) & (sizes <= n)])


def _check_sample_sizes(sample_sizes: Any) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(sample_sizes))
    if arr.size == 0:
        raise InputError(
            "sample_sizes is empty; pass numbers of fixes such as (10, 50, 100, 500), "
            "or sample_sizes=None for a geometric sequence from 10 to n."
        )
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise InputError(
            f"sample_sizes must be whole numbers of fixes; got {arr.tolist()}. "
            "Pass integers such as (10, 50, 100, 500)."
        )
    arr = arr.astype(np.int64)
    small = arr[arr < MIN_FIXES]
    if len(small):
        raise InputError(
            f"sample_sizes must be at least {MIN_FIXES} fixes (a home range needs "
            f"{MIN_FIXES}); got {sorted(set(small.tolist()))}. Remove them or use "
            "sample_sizes=None."
        )
    return np.unique(arr)


def _subsets(rng: np.random.Generator, n: int, m: int, n_boot: int, order: str) -> np.ndarray:
    """Indices (n_boot, m) of the subsamples, each row in increasing (time) order."""
    if order == "time":
        starts = rng.integers(0, n - m + 1, size=n_boot)
        return starts[:, None] + np.arange(m)[None, :]
    keys = rng.random((n_boot, n))
    idx = np.argpartition(keys, m - 1, axis=1)[:, :m] if m < n else np.argsort(keys, axis=1)
    return np.sort(idx, axis=1)


def area_curve(
    relocations: gpd.GeoDataFrame,
    *,
    method: str = "mcp",
    level: float = 0.95,
    sample_sizes: Sequence[int] | None = None,
    n_boot: int = 50,
    seed: int = 0,
    plateau_tolerance: float = 0.05,
    order: str = "random",
    crs: Any | None = None,
    exclude_flagged: bool = True,
    **options: Any,
) -> pd.DataFrame:
    """Bootstrap the home-range area over increasing numbers of fixes.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with an ``individual`` column (as for
        :func:`habitat.homerange.home_range`). They are projected once to
        :func:`habitat.homerange.estimation_crs`; areas are planar areas there.
    method : {"mcp", "kde", "locoh", "bbmm", "akde"}
        The estimator. MCP replicates of one sample size are computed in one
        vectorised call of :func:`habitat.homerange.mcp.estimate_many`; other
        methods are called once per replicate (slower: use a smaller
        ``n_boot``). ``"bbmm"`` needs ``order="time"`` (a trajectory).
    level : float
        Home-range level, a fraction in (0, 1] (0.95, not 95).
    sample_sizes : sequence of int, optional
        Numbers of fixes ``m`` (each at least 5 and at most the animal's number
        of fixes ``n``). Default :func:`default_sample_sizes` per individual.
        ``n`` itself is always added, since the curve is compared with the
        full-data area.
    n_boot : int
        Replicates per sample size (at least 2).
    seed : int
        Seed of :class:`numpy.random.Generator`; the same seed gives the same
        table. Each individual gets its own stream
        (:meth:`numpy.random.SeedSequence.spawn`).
    plateau_tolerance : float
        Relative tolerance of the verdict (0.05 = 5 %); only used to validate
        here, the verdict is :func:`area_curve_verdict`.
    order : {"random", "time"}
        ``"random"``: subsets of ``m`` fixes drawn without replacement;
        ``"time"``: ``m`` consecutive fixes from a random start (see the module
        docstring for when to use which).
    crs : CRS-like, optional
        Projected metric CRS to estimate in.
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.
    **options
        Estimator options (e.g. ``bandwidth``, ``grid`` for KDE).

    Returns
    -------
    pandas.DataFrame
        One row per individual and sample size, sorted: ``individual``,
        ``n_fixes`` (sample size ``m``), ``n_total`` (the animal's ``n``),
        ``area_km2_mean``, ``area_km2_sd`` (``ddof=1``), ``area_km2_q05``,
        ``area_km2_q95`` (km²), ``share_of_full`` (mean area / full-data area;
        exactly 1.0 at ``m = n``) and ``full_area_km2``. ``attrs`` record
        ``method``, ``level``, ``n_boot``, ``seed``, ``order`` and
        ``plateau_tolerance``.

    Raises
    ------
    InputError
        For ``n_boot < 2``, sample sizes below 5 or above an animal's number of
        fixes, an unknown method or order, or a bad level.
    InsufficientDataError
        For an individual with fewer than 5 usable fixes.

    References
    ----------
    Harris et al. (1990), Mammal Review 20, 97-123; Laver & Kelly (2008),
    J. Wildl. Manage. 72, 290-298.

    Examples
    --------
    A month of 4-hourly fixes of two simulated leopards (180 each), 95 % MCP:

    >>> import habitat
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=30, seed=1)
    >>> curve = area_curve(fixes, n_boot=20, sample_sizes=(10, 45, 90, 135))
    >>> curve[["individual", "n_fixes", "area_km2_mean", "share_of_full"]].round(2)
      individual  n_fixes  area_km2_mean  share_of_full
    0        F01       10           5.57           0.30
    1        F01       45          13.03           0.70
    2        F01       90          16.46           0.89
    3        F01      135          17.92           0.96
    4        F01      180          18.58           1.00
    5        M01       10          78.62           0.24
    6        M01       45         203.68           0.61
    7        M01       90         264.66           0.80
    8        M01      135         314.59           0.95
    9        M01      180         332.46           1.00
    >>> curve.attrs["method"], curve.attrs["level"], curve.attrs["order"]
    ('mcp', 0.95, 'random')
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}.")
    if order not in _ORDERS:
        raise InputError(f"unknown order {order!r}; use 'random' or 'time'.")
    if method == "bbmm" and order != "time":
        raise InputError(
            "method='bbmm' needs a trajectory, and random subsets break it; "
            "use order='time' (consecutive fixes)."
        )
    (lv,) = check_levels([level])
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise InputError(
            f"n_boot must be an integer of at least 2 (a spread needs two replicates); "
            f"got {n_boot!r}. Use e.g. n_boot=50 for MCP, n_boot=10 for KDE."
        )
    if not (isinstance(plateau_tolerance, int | float) and 0 < plateau_tolerance < 1):
        raise InputError(
            "plateau_tolerance must be a fraction in (0, 1) (0.05 = 5 %); "
            f"got {plateau_tolerance!r}."
        )
    user_sizes = None if sample_sizes is None else _check_sample_sizes(sample_sizes)
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="an area curve"
    )
    xy, codes, names, t_ns = prep.xy, prep.codes, prep.names, prep.timestamps_ns
    counts = np.bincount(codes, minlength=len(names))
    if user_sizes is not None:
        over = [(names[i], counts[i]) for i in range(len(names)) if user_sizes.max() > counts[i]]
        if over:
            detail = ", ".join(f"'{a}' has {c}" for a, c in over[:10])
            raise InputError(
                f"sample_sizes go up to {int(user_sizes.max())} fixes, more than some "
                f"individuals have ({detail}); subsets are drawn without replacement, so "
                "keep sample_sizes at most the smallest number of fixes, or use "
                "sample_sizes=None for per-individual defaults."
            )
    order_idx = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    streams = np.random.SeedSequence(seed).spawn(len(names))
    module = None if method == "mcp" else ESTIMATORS[method]

    rows: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        idx_i = order_idx[bounds[i] : bounds[i + 1]]
        xy_i = xy[idx_i]
        t_i = None if t_ns is None else t_ns[idx_i]
        n = int(counts[i])
        sizes = default_sample_sizes(n) if user_sizes is None else np.union1d(user_sizes, [n])
        rng = np.random.default_rng(streams[i])

        def areas(sub: np.ndarray, xy_i: np.ndarray = xy_i, t_i: Any = t_i) -> np.ndarray:
            """Areas (m²) of the subsets ``sub`` (n_sub, m) of this animal."""
            n_sub, m = sub.shape
            if module is None:
                groups = np.repeat(np.arange(n_sub), m)
                return mcp.estimate_many(xy_i[sub.ravel()], groups, levels=[lv])[1][:, 0]
            out = np.empty(n_sub)
            for r in range(n_sub):  # one estimator call per replicate
                est = module.estimate(
                    xy_i[sub[r]],
                    levels=[lv],
                    timestamps_ns=None if t_i is None else t_i[sub[r]],
                    **options,
                )
                out[r] = est[0].area_m2
            return out

        full = float(areas(np.arange(n)[None, :])[0]) / 1e6
        for m in sizes:
            m = int(m)
            if m == n:  # every subset is the full data set: exact, no sampling
                a = np.full(n_boot, full)
            else:
                a = areas(_subsets(rng, n, m, n_boot, order)) / 1e6
            q05, q95 = np.quantile(a, [0.05, 0.95])
            mean = full if m == n else float(a.mean())
            rows.append(
                {
                    "individual": name,
                    "n_fixes": m,
                    "n_total": n,
                    "area_km2_mean": mean,
                    "area_km2_sd": 0.0 if m == n else float(a.std(ddof=1)),
                    "area_km2_q05": float(q05),
                    "area_km2_q95": float(q95),
                    "share_of_full": 1.0 if m == n else (mean / full if full > 0 else np.nan),
                    "full_area_km2": full,
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out.attrs.update(
        method=method,
        level=lv,
        n_boot=int(n_boot),
        seed=seed,
        order=order,
        plateau_tolerance=float(plateau_tolerance),
    )
    return out


def area_curve_verdict(curve: pd.DataFrame, *, plateau_tolerance: float = 0.05) -> pd.DataFrame:
    """Say for each animal whether its area has levelled off.

    Rule, per individual with ``n`` fixes (the largest ``n_fixes`` of its curve,
    whose area is the full-data area ``A_n``):

    1. The *tail* is the sample sizes ``m`` with ``0.75 n <= m < n`` (the
       sizes covering the last 25 % of the fixes, :data:`TAIL_FRACTION`); if
       fewer than two lie there, the two largest sizes below ``n``.
    2. *Levelled off* when every tail mean area lies within
       ``plateau_tolerance`` of the full-data area:
       ``|mean(m) / A_n - 1| <= plateau_tolerance`` for all tail ``m``.
    3. The projected change for 50 % more fixes extrapolates the log-log slope
       between the smallest tail size ``m0`` and ``n``:
       ``b = ln(A_n / mean(m0)) / ln(n / m0)``, change ``= 1.5**b - 1``.

    Parameters
    ----------
    curve : pandas.DataFrame
        The output of :func:`area_curve`.
    plateau_tolerance : float
        Relative tolerance, a fraction (0.05 = 5 %).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``individual``: ``levelled_off`` (bool), ``tail_sizes``
        (list of int), ``max_tail_deviation`` (largest ``|mean/A_n - 1|``),
        ``projected_change_50pct`` (fraction) and ``verdict`` (plain text).

    References
    ----------
    Harris et al. (1990), Mammal Review 20, 97-123; Laver & Kelly (2008),
    J. Wildl. Manage. 72, 290-298.

    Examples
    --------
    Animal A's mean areas are within 3 % of its full-data area over the last
    25 % of fixes; B's area grows in proportion to the fixes (log-log slope 1),
    so 50 % more fixes would add 50 %:

    >>> import pandas as pd
    >>> curve = pd.DataFrame({
    ...     "individual": ["A"] * 4 + ["B"] * 4,
    ...     "n_fixes": [100, 800, 900, 1000] * 2,
    ...     "area_km2_mean": [50.0, 97.0, 99.0, 100.0, 10.0, 80.0, 90.0, 100.0],
    ... })
    >>> verdict = area_curve_verdict(curve)
    >>> verdict[["levelled_off", "tail_sizes", "max_tail_deviation"]].round(2)
                levelled_off  tail_sizes  max_tail_deviation
    individual
    A                   True  [800, 900]                0.03
    B                  False  [800, 900]                0.20
    >>> round(float(verdict.loc["B", "projected_change_50pct"]), 6)
    0.5
    >>> print(verdict.loc["B", "verdict"])
    still rising: 50 % more fixes would change the area by ~50 % (the mean at 800 of 1000 \
fixes is 20 % off the full-data area, tolerance 5 %)
    """
    missing = {"individual", "n_fixes", "area_km2_mean"} - set(curve.columns)
    if missing:
        raise InputError(
            f"curve lacks column(s) {sorted(missing)}; pass the table returned by area_curve."
        )
    if not (isinstance(plateau_tolerance, int | float) and 0 < plateau_tolerance < 1):
        raise InputError(
            "plateau_tolerance must be a fraction in (0, 1) (0.05 = 5 %); "
            f"got {plateau_tolerance!r}."
        )
    tol_pct = f"{100 * plateau_tolerance:g} %"
    records: list[dict[str, Any]] = []
    for name, g in curve.groupby("individual", sort=True):
        g = g.sort_values("n_fixes")
        m_all = g["n_fixes"].to_numpy(dtype=np.int64)
        mean = g["area_km2_mean"].to_numpy(dtype=float)
        n, full = int(m_all[-1]), float(mean[-1])
        below = m_all < n
        tail = below & (m_all >= (1 - TAIL_FRACTION) * n)
        if tail.sum() < 2:
            tail = np.zeros_like(below)
            tail[np.flatnonzero(below)[-2:]] = True
        if not tail.any() or full <= 0:
            records.append(
                {
                    "individual": name,
                    "levelled_off": False,
                    "tail_sizes": [],
                    "max_tail_deviation": np.nan,
                    "projected_change_50pct": np.nan,
                    "verdict": "undetermined: the curve needs sample sizes below the full "
                    "number of fixes and a positive full-data area",
                }
            )
            continue
        dev = np.abs(mean[tail] / full - 1)
        ok = bool(np.all(dev <= plateau_tolerance))
        m0, a0 = int(m_all[tail][0]), float(mean[tail][0])
        slope = np.log(full / a0) / np.log(n / m0) if a0 > 0 else np.inf
        change = float(1.5**slope - 1)
        k = int(tail.sum())
        if ok:
            text = (
                f"levelled off: the last {k} sample sizes ({m0}–{int(m_all[tail][-1])} of "
                f"{n} fixes) are within {tol_pct} of the full-data area"
            )
        else:
            text = (
                f"still rising: 50 % more fixes would change the area by ~{100 * change:.0f} % "
                f"(the mean at {m0} of {n} fixes is {100 * dev.max():.0f} % off the "
                f"full-data area, tolerance {tol_pct})"
            )
        records.append(
            {
                "individual": name,
                "levelled_off": ok,
                "tail_sizes": m_all[tail].tolist(),
                "max_tail_deviation": float(dev.max()),
                "projected_change_50pct": change,
                "verdict": text,
            }
        )
    return pd.DataFrame(records).set_index("individual")
