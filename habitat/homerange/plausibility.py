"""Whether a home range is plausible: enough fixes, a big enough grid, an expected size.

Every home-range table (:func:`habitat.homerange.home_range`,
:func:`habitat.homerange.home_ranges_from_polygons`,
:func:`habitat.homerange.synthetic_ranges`) carries ``plausible`` and
``plausibility`` (why not) columns from :func:`plausibility`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from habitat.core.validation import require_columns

__all__ = ["DEFAULT_EXPECTED_AREA_SQ_MI", "RECOMMENDED_MIN_FIXES", "plausibility"]

#: Expected home-range size (sq mi) of the outer range (level >= 0.9) by sex:
#: Amur leopard females 15-38 sq mi, males up to 155 sq mi (WCS/WWF species
#: pages, see facts.md). ``None`` means no bound on that side.
DEFAULT_EXPECTED_AREA_SQ_MI: dict[str, tuple[float | None, float | None]] = {
    "F": (15.0, 38.0),
    "M": (None, 155.0),
}
#: Fewer fixes than this are flagged as too few for a reliable range
#: (Seaman et al. 1999 recommend at least 30, preferably 50 or more).
RECOMMENDED_MIN_FIXES = 30


def plausibility(
    table: pd.DataFrame,
    *,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Flag implausible home ranges, row by row, and say why.

    A row is implausible when it rests on fewer than
    :data:`RECOMMENDED_MIN_FIXES` fixes, its KDE grid was too small
    (``grid_warning``), or it is an outer range (level >= 0.9) whose area lies
    outside the expected range for the animal's sex.

    Parameters
    ----------
    table : pandas.DataFrame
        Home-range table with ``n_fixes``, ``level`` (fraction), ``area_sq_mi``,
        ``sex`` and optionally ``grid_warning``.
    expected_area_sq_mi : mapping, optional
        Expected outer-range size (sq mi) by sex, ``(low, high)`` with ``None``
        for no bound; default :data:`DEFAULT_EXPECTED_AREA_SQ_MI`.

    Returns
    -------
    plausible : numpy.ndarray of bool
    reasons : numpy.ndarray of str
        ``"; "``-joined reasons, ``""`` for a plausible row.

    Examples
    --------
    A 100 km² female range is 38.6 sq mi, just above the expected 15–38 sq mi;
    the same area is fine for a male, and a core area (level 0.5) is not checked
    against the expected size:

    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "sex": ["F", "M", "F", "M"],
    ...     "level": [0.95, 0.95, 0.5, 0.95],
    ...     "n_fixes": [500, 500, 500, 12],
    ...     "area_sq_mi": [38.61, 38.61, 38.61, 120.0],
    ... })
    >>> ok, why = plausibility(table)
    >>> ok.tolist()
    [False, True, True, False]
    >>> why.tolist()
    ['area 38.6 sq mi outside the expected 15–38 sq mi for sex F', '', '', 'few fixes (12 < 30)']
    >>> plausibility(table, expected_area_sq_mi={"F": (15, 40)})[0].tolist()
    [True, True, True, False]
    """
    require_columns(
        table,
        ["n_fixes", "level", "area_sq_mi", "sex"],
        name="home-range table",
        hint="pass a table from habitat.home_range.",
    )
    expected = expected_area_sq_mi or DEFAULT_EXPECTED_AREA_SQ_MI
    reasons: list[list[str]] = [[] for _ in range(len(table))]
    few = table["n_fixes"].to_numpy() < RECOMMENDED_MIN_FIXES
    for i in np.flatnonzero(few):
        reasons[i].append(f"few fixes ({table['n_fixes'].iat[int(i)]} < {RECOMMENDED_MIN_FIXES})")
    if "grid_warning" in table.columns:
        for i in np.flatnonzero(table["grid_warning"].fillna(False).to_numpy(dtype=bool)):
            reasons[i].append("grid too small for this level (see grid_warning)")
    outer = table["level"].to_numpy() >= 0.9
    area = table["area_sq_mi"].to_numpy()
    sex = table["sex"].astype(str).to_numpy()
    for s, (lo, hi) in expected.items():
        sel = outer & (sex == s)
        lo_v = -np.inf if lo is None else lo
        hi_v = np.inf if hi is None else hi
        out = sel & ((area < lo_v) | (area > hi_v))
        rng = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"
        for i in np.flatnonzero(out):
            reasons[i].append(
                f"area {area[i]:.1f} sq mi outside the expected {rng} sq mi for sex {s}"
            )
    text = np.array(["; ".join(r) for r in reasons], dtype=object)
    return text == "", text
