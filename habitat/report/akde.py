r"""Tables of autocorrelated home ranges for the report: variogram, movement model, area interval.

No plotting here (figures are in :mod:`habitat.report.figures`), so pages can
use these without importing matplotlib.

* :func:`duration_text` - a time span in readable units (min, h, days, years);
* :func:`time_unit` - the unit a lag axis or column is shown in;
* :func:`variogram_table` - an empirical variogram
  (:func:`habitat.movement.variogram`) in km² and readable lags, with ctmm's
  chi-square intervals and the fitted model's semivariance;
* :func:`model_rows` - the fitted model's name, timescales with intervals and
  area DOF, as (label, value) rows;
* :func:`interval_text` - an area with its interval, in km² and sq mi;
* :func:`with_intervals` - the territory table with each reported range's
  interval, DOF and model, for the index.

The interval of the semivariance at a lag with :math:`\nu` degrees of freedom
(the variogram's ``dof``) is ctmm's (``plot.variogram``, ``CI.lower`` and
``CI.upper`` in ``stats.R``):
:math:`[\hat\gamma\,\chi^2_{\nu,\alpha/2}/\nu,\;\hat\gamma\,\chi^2_{\nu,1-\alpha/2}/\nu]`.

References
----------
Fleming, C. H. et al. (2014). From fine-scale foraging to home ranges: a
semivariance approach to identifying movement modes across spatiotemporal
scales. *The American Naturalist* 183(5), E154-E167.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from habitat.core import units
from habitat.core.errors import ColumnError, InputError
from habitat.movement.model import MovementModel

__all__ = [
    "INTERVAL_COLUMNS",
    "TIME_UNITS",
    "duration_text",
    "interval_text",
    "model_rows",
    "semivariance_ci",
    "time_unit",
    "variogram_table",
    "with_intervals",
]

#: columns of an AKDE range that :func:`with_intervals` copies to the territory table
INTERVAL_COLUMNS: tuple[str, ...] = (
    "area_low_km2",
    "area_high_km2",
    "area_low_sq_mi",
    "area_high_sq_mi",
    "dof_area",
    "model",
)

#: (name, seconds) of the units lags and timescales are shown in, smallest first
TIME_UNITS: tuple[tuple[str, float], ...] = (
    ("s", 1.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("days", 86400.0),
    ("years", 365.25 * 86400.0),
)


def time_unit(seconds: float) -> tuple[str, float]:
    """The unit a span of ``seconds`` reads best in: the largest with at least 2 of it.

    Examples
    --------
    >>> time_unit(90.0), time_unit(3000.0), time_unit(40 * 3600.0), time_unit(5 * 86400.0)
    (('s', 1.0), ('min', 60.0), ('h', 3600.0), ('days', 86400.0))
    """
    value = abs(float(seconds)) if math.isfinite(float(seconds)) else 0.0
    chosen = TIME_UNITS[0]
    for name, size in TIME_UNITS:
        if value >= 2.0 * size:
            chosen = (name, size)
    return chosen


def _sig(value: float) -> str:
    """Three significant figures at most, thousands separated, no exponent."""
    v = float(value)
    if v == 0.0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    text = f"{v:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration_text(seconds: float, *, unit: tuple[str, float] | None = None) -> str:
    """A time span in readable units (three significant figures); ``"∞"`` or ``"–"``.

    Parameters
    ----------
    seconds : float
        The span (s).
    unit : (name, seconds), optional
        Force a unit of :data:`TIME_UNITS` (e.g. to show an interval in one unit).

    Examples
    --------
    >>> duration_text(86400.0 * 2.345), duration_text(1500.0), duration_text(float("inf"))
    ('2.35 days', '25 min', '∞')
    >>> duration_text(7200.0, unit=("days", 86400.0))
    '0.0833 days'
    """
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(s):
        return "–"
    if math.isinf(s):
        return "∞"
    name, size = unit if unit is not None else time_unit(s)
    return f"{_sig(s / size)} {name}"


def interval_text(
    area_km2: float, low_km2: float, high_km2: float, *, level: float | None = None
) -> str:
    """An area with its interval, in km² and sq mi.

    Examples
    --------
    >>> interval_text(120.0, 100.0, 145.0, level=0.95)
    '120 km² (95 % CI 100–145) = 46.3 sq mi (38.6–56)'
    >>> interval_text(120.0, float("nan"), 145.0)
    '120 km² = 46.3 sq mi'
    """
    a = float(area_km2)
    if not math.isfinite(a):
        return "–"
    lo, hi = float(low_km2), float(high_km2)
    sq = units.km2_to_sq_mi
    text = f"{_sig(a)} km²"
    if not (math.isfinite(lo) and not math.isnan(hi)):
        return f"{text} = {_sig(float(sq(a)))} sq mi"
    what = f"{100 * level:g} % CI " if level is not None else "interval "
    hi_text = "∞" if math.isinf(hi) else _sig(hi)
    hi_sq = "∞" if math.isinf(hi) else _sig(float(sq(hi)))
    return (
        f"{text} ({what}{_sig(lo)}–{hi_text}) = {_sig(float(sq(a)))} sq mi "
        f"({_sig(float(sq(lo)))}–{hi_sq})"
    )


def semivariance_ci(
    semivariance: Any, dof: Any, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    r"""The chi-square interval of empirical semivariances with ``dof`` degrees of freedom (ctmm).

    :math:`\hat\gamma\,\chi^2_{\nu,\alpha/2}/\nu` and
    :math:`\hat\gamma\,\chi^2_{\nu,1-\alpha/2}/\nu` (``CI.lower``/``CI.upper``
    of ctmm's ``stats.R``, as ``plot.variogram`` draws them); an infinite
    ``dof`` gives the estimate, a ``dof`` of 0 or less ``nan``.

    Examples
    --------
    >>> low, high = semivariance_ci([1.0, 1.0], [2.0, np.inf])
    >>> low.round(4).tolist(), high.round(4).tolist()  # chi2(2)/2: 0.0253, 3.6889
    ([0.0253, 1.0], [3.6889, 1.0])
    """
    if not 0.0 < level < 1.0:
        raise InputError(f"level must be in (0, 1), e.g. 0.95; got {level!r}.")
    svf = np.asarray(semivariance, dtype=float)
    nu = np.asarray(dof, dtype=float)
    alpha = 1.0 - level
    ok = nu > 0
    finite = ok & np.isfinite(nu)
    safe = np.where(finite, nu, 1.0)
    low_q = np.where(finite, stats.chi2.ppf(alpha / 2.0, safe) / safe, 1.0)
    high_q = np.where(finite, stats.chi2.isf(alpha / 2.0, safe) / safe, 1.0)
    low = np.where(ok, svf * low_q, np.nan)
    high = np.where(ok, svf * high_q, np.nan)
    return low, high


def variogram_table(
    variogram: pd.DataFrame,
    model: MovementModel | None = None,
    *,
    level: float = 0.95,
    min_dof: float = 1.0,
) -> pd.DataFrame:
    """An empirical variogram with its intervals and the model's semivariance, in km².

    Parameters
    ----------
    variogram : pandas.DataFrame
        :func:`habitat.movement.variogram` (``lag_s``, ``semivariance_m2``,
        ``dof``, ``n_pairs``; ``model_semivariance_m2`` is used when present
        and no ``model`` is given).
    model : MovementModel, optional
        The fitted model, whose semivariance (without location error, as ctmm
        draws it) is added.
    level : float
        Confidence level of the intervals.
    min_dof : float
        Lags with fewer degrees of freedom are left out (ctmm plots ``DOF >= 1``).

    Returns
    -------
    pandas.DataFrame
        ``lag_s``, ``lag`` (text, in the unit of the largest lag),
        ``semivariance_km2``, ``semivariance_low_km2``,
        ``semivariance_high_km2``, ``dof``, ``n_pairs`` and
        ``model_semivariance_km2`` (with a model). ``attrs["lag_unit"]`` is
        the (name, seconds) of the lag text.

    Raises
    ------
    ColumnError
        For a table without ``lag_s``, ``semivariance_m2`` and ``dof``.

    Examples
    --------
    >>> v = pd.DataFrame({"lag_s": [0.0, 3600.0, 7200.0], "semivariance_m2": [0.0, 1e6, 2e6],
    ...                   "dof": [20.0, 18.0, 0.5], "n_pairs": [10, 9, 1]})
    >>> t = variogram_table(v)
    >>> t[["lag", "semivariance_km2", "dof"]].to_numpy().tolist()
    [['0 min', 0.0, 20.0], ['60 min', 1.0, 18.0]]
    >>> t["semivariance_low_km2"].round(3).tolist()
    [0.0, 0.457]
    """
    missing = [c for c in ("lag_s", "semivariance_m2", "dof") if c not in variogram.columns]
    if missing:
        raise ColumnError(
            f"the variogram has no column(s) {missing}; columns: {list(variogram.columns)}. "
            "Compute it with habitat.movement.variogram(times_s, xy_m)."
        )
    rows = variogram[variogram["dof"].to_numpy(dtype=float) >= min_dof]
    lag = rows["lag_s"].to_numpy(dtype=float)
    svf = rows["semivariance_m2"].to_numpy(dtype=float) / 1e6
    low, high = semivariance_ci(svf, rows["dof"].to_numpy(dtype=float), level=level)
    unit = time_unit(float(lag.max()) if lag.size else 0.0)
    out = pd.DataFrame(
        {
            "lag_s": lag,
            "lag": [duration_text(t, unit=unit) for t in lag],
            "semivariance_km2": svf,
            "semivariance_low_km2": low,
            "semivariance_high_km2": high,
            "dof": rows["dof"].to_numpy(dtype=float),
        }
    )
    if "n_pairs" in rows.columns:
        out["n_pairs"] = rows["n_pairs"].to_numpy()
    if model is not None:
        out["model_semivariance_km2"] = model.semivariance_m2(lag) / 1e6
    elif "model_semivariance_m2" in rows.columns:
        out["model_semivariance_km2"] = rows["model_semivariance_m2"].to_numpy(dtype=float) / 1e6
    out.attrs["lag_unit"] = unit
    out.attrs["level"] = level
    return out


_TAU_LABELS: Mapping[str, str] = {
    "tau_position_s": "τ position (range crossing time)",
    "tau_velocity_s": "τ velocity (directional persistence)",
}


def model_rows(model: MovementModel, *, level: float = 0.95) -> list[tuple[str, str]]:
    """(label, value) rows of a fitted movement model for a page.

    The model's name, its timescales with their intervals
    (:meth:`~habitat.movement.MovementModel.parameters`, ctmm's ``ci.tau``) in
    readable units, the effective sample size of the area (``dof_area``) and
    the number of fixes. Timescales the model does not have (IID: both; OU:
    τ velocity) are left out.

    Examples
    --------
    >>> import numpy as np
    >>> m = MovementModel(
    ...     name="OU", isotropic=True, mean_m=np.zeros(2), sigma_m2=np.eye(2) * 1e6,
    ...     tau_position_s=86400.0, tau_velocity_s=0.0, error_m=None,
    ...     log_likelihood=0.0, aicc=0.0, n_fixes=100, n_parameters=4,
    ...     parameter_names=("sigma_m2", "tau_position_s"),
    ...     estimates=np.array([1e6, 86400.0]),
    ...     covariance=np.diag([1e6**2 / 10, 86400.0**2 / 10]),
    ...     dof_area=10.0, reml=True, crs=None)
    >>> for label, value in model_rows(m):
    ...     print(f"{label}: {value}")
    Movement model: OU isotropic
    τ position (range crossing time): 24 h (95 % CI 11.5–50 h)
    Effective sample size of the area (DOF): 10
    Fixes: 100
    """
    params = model.parameters(level=level)
    pct = f"{100 * level:g} %"
    rows = [("Movement model", model.label)]
    for name, label in _TAU_LABELS.items():
        if name not in params.index:
            continue
        values = params.loc[name, ["estimate", "low", "high"]].to_numpy(dtype=float)
        est, lo, hi = (float(v) for v in values)
        if est <= 0.0:
            continue
        unit = time_unit(est)
        rows.append(
            (
                label,
                f"{duration_text(est, unit=unit)} ({pct} CI "
                f"{duration_text(lo, unit=unit).split()[0]}–{duration_text(hi, unit=unit)})",
            )
        )
    rows.append(("Effective sample size of the area (DOF)", _sig(model.dof_area)))
    rows.append(("Fixes", f"{int(model.n_fixes):,}"))
    if model.error_m is not None and math.isfinite(model.error_m):
        rows.append(("Location error (SD per coordinate)", f"{_sig(model.error_m)} m"))
    rows.extend(("Note", str(n)) for n in model.notes)
    return rows


def with_intervals(metrics: pd.DataFrame, ranges: pd.DataFrame) -> pd.DataFrame:
    """The territory table with each reported range's interval columns (AKDE), for the index.

    :func:`habitat.overlap.territory.territory_table` keeps the area but not
    its interval: this copies :data:`INTERVAL_COLUMNS` from the range of the
    same ``individual``, ``method`` and ``level``. Rows whose range has no
    interval (another method) get missing values; a table of ranges without
    interval columns returns ``metrics`` as it is.

    Parameters
    ----------
    metrics : pandas.DataFrame
        One row per animal, with ``individual``, ``method`` and ``level``.
    ranges : pandas.DataFrame
        :func:`habitat.home_range` rows (any geometry columns are ignored).

    Returns
    -------
    pandas.DataFrame
        ``metrics`` (same rows, order and index) plus the interval columns.

    Raises
    ------
    ColumnError
        When either table lacks ``individual``, ``method`` or ``level``.

    Examples
    --------
    >>> metrics = pd.DataFrame({"individual": ["a", "b"], "method": "akde", "level": 0.95,
    ...                         "area_km2": [100.0, 50.0]})
    >>> ranges = pd.DataFrame({"individual": ["a", "a", "b"], "method": "akde",
    ...     "level": [0.5, 0.95, 0.95], "area_low_km2": [20.0, 80.0, 40.0],
    ...     "area_high_km2": [30.0, 125.0, 65.0], "dof_area": [30.2, 30.2, 12.0],
    ...     "model": ["OU isotropic", "OU isotropic", "OUF anisotropic"]})
    >>> with_intervals(metrics, ranges)[["individual", "area_low_km2", "area_high_km2", "model"]]
      individual  area_low_km2  area_high_km2            model
    0          a          80.0          125.0     OU isotropic
    1          b          40.0           65.0  OUF anisotropic
    """
    keys = ["individual", "method", "level"]
    for name, table in (("metrics", metrics), ("ranges", ranges)):
        missing = [k for k in keys if k not in table.columns]
        if missing:
            raise ColumnError(
                f"with_intervals: the {name} have no column(s) {missing}; pass the territory "
                "table and the home_range rows it was made from."
            )
    cols = [c for c in INTERVAL_COLUMNS if c in ranges.columns]
    if not cols:
        return metrics
    left = metrics.drop(columns=[c for c in cols if c in metrics.columns])
    right = pd.DataFrame(ranges[keys + cols]).assign(
        individual=ranges["individual"].astype(str).to_numpy(),
        method=ranges["method"].astype(str).to_numpy(),
        level=ranges["level"].astype(float).round(9).to_numpy(),
    )
    right = right.drop_duplicates(keys)
    lookup = pd.DataFrame(
        {
            "individual": left["individual"].astype(str).to_numpy(),
            "method": left["method"].astype(str).to_numpy(),
            "level": left["level"].astype(float).round(9).to_numpy(),
        }
    )
    found = lookup.merge(right, on=keys, how="left")
    out = left.copy()
    for c in cols:
        out[c] = found[c].to_numpy()
    return out
