"""A report animal's movement model and variogram (AKDE), fitted once and cached.

:func:`habitat.batch.run_report` with ``methods`` including ``"akde"`` fits
each animal's movement model here, passes it to
``home_range(method="akde", model={individual: model})`` (so the range is
estimated from that model, fitted once) and shows it on the animal's page with
the empirical variogram (:func:`habitat.movement.variogram`).

* :func:`fit_for_report` - the model and the variogram of one animal's usable
  fixes, exactly those ``home_range`` estimates from;
* :func:`model_to_dict` / :func:`model_from_dict` - a
  :class:`~habitat.movement.MovementModel` as a JSON-ready dict and back
  (exact: floats round-trip through JSON), for the report's cache and for the
  page fingerprint;
* :func:`write_movement` / :func:`read_movement` - the model and the variogram
  in one JSON file, written atomically (no pickle: a report folder may be
  shared).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from habitat.core.errors import DataFileError
from habitat.core.fs import atomic_write_text
from habitat.movement import MovementModel, fit_movement, variogram

__all__ = [
    "fit_for_report",
    "model_from_dict",
    "model_to_dict",
    "read_movement",
    "write_movement",
]

#: the options of ``home_range(method="akde")`` that the model fit takes
FIT_OPTIONS = ("models", "error_m")


def fit_for_report(
    fixes: gpd.GeoDataFrame,
    *,
    crs: Any,
    options: Mapping[str, Any] | None = None,
    model: MovementModel | None = None,
) -> tuple[MovementModel, pd.DataFrame]:
    """The movement model (smallest AICc) and the empirical variogram of one animal's fixes.

    The fixes are prepared as :func:`habitat.home_range` prepares them
    (:func:`habitat.homerange.prepare_fixes`: flagged and position-less fixes
    left out, sorted by time, times in exact nanoseconds), so the model is the
    one ``home_range(method="akde", model={individual: model})`` would fit.

    Parameters
    ----------
    fixes : geopandas.GeoDataFrame
        One animal's relocations with a ``timestamp`` column.
    crs : CRS-like
        The estimation CRS (metres) the model is fitted in (its ``crs``).
    options : mapping, optional
        AKDE options of the report (``models``, ``error_m`` are used).
    model : MovementModel, optional
        A model the caller fitted for this animal: used as it is (only the
        variogram is computed).

    Returns
    -------
    (MovementModel, pandas.DataFrame)
        The model and :func:`habitat.movement.variogram` with the model's
        semivariance (``model_semivariance_m2``).

    Raises
    ------
    InsufficientDataError, TimestampError, InputError
        From :func:`habitat.homerange.prepare_fixes` and
        :func:`habitat.fit_movement` (too few fixes for any model, no times...).

    Examples
    --------
    >>> import habitat
    >>> from habitat.homerange import estimation_crs
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=0, days=30, seed=2)
    >>> model, v = fit_for_report(fixes, crs=estimation_crs(fixes))
    >>> model.name in ("IID", "OU", "OUF"), model.n_fixes == len(fixes)
    (True, True)
    >>> list(v.columns[:4])
    ['lag_s', 'semivariance_m2', 'dof', 'n_pairs']
    """
    from habitat.homerange import prepare_fixes
    from habitat.homerange.akde import gps_error_m
    from habitat.homerange.estimate import akde_fixes

    prep = prepare_fixes(fixes, crs=crs, purpose="a movement model")
    if prep.timestamps_ns is None:
        from habitat.core.errors import ColumnError

        raise ColumnError(
            "AKDE needs the time of every fix: the relocations have no 'timestamp' column "
            "(read them with habitat.read_relocations), or use another method."
        )
    t_ns = prep.timestamps_ns
    times_s = (t_ns - t_ns.min()).astype(float) / 1e9  # exact ns differences, then seconds
    if model is None:
        # as home_range: a column of per-fix errors or "gps" resolved, and simultaneous
        # fixes without an error refused naming the table's rows
        errors = akde_fixes(prep, fixes, (options or {}).get("error_m"))
        error_m = errors.per_row if errors.per_row is not None else errors.value
        if isinstance(error_m, str) and error_m == "gps":
            error_m = gps_error_m(1.0)
        kw = {k: v for k, v in (options or {}).items() if k in FIT_OPTIONS and k != "error_m"}
        model = fit_movement(times_s, prep.xy, crs=prep.crs, error_m=error_m, **kw)
    return model, variogram(times_s, prep.xy, model=model)


def model_to_dict(model: MovementModel) -> dict[str, Any]:
    """A movement model as a JSON-ready dict (arrays as nested lists, the CRS as WKT).

    Examples
    --------
    >>> import numpy as np
    >>> m = MovementModel(
    ...     name="OU", isotropic=True, mean_m=np.zeros(2), sigma_m2=np.eye(2) * 1e6,
    ...     tau_position_s=86400.0, tau_velocity_s=0.0, error_m=None,
    ...     log_likelihood=-1.5, aicc=11.0, n_fixes=100, n_parameters=4,
    ...     parameter_names=("sigma_m2", "tau_position_s"),
    ...     estimates=np.array([1e6, 86400.0]), covariance=np.diag([1e11, 7e8]),
    ...     dof_area=10.0, reml=True, crs="EPSG:32652")
    >>> d = model_to_dict(m)
    >>> d["name"], d["sigma_m2"], d["crs"][:6]
    ('OU', [[1000000.0, 0.0], [0.0, 1000000.0]], 'PROJCR')
    >>> back = model_from_dict(json.loads(json.dumps(d)))
    >>> back.label, back.crs.to_epsg(), json.dumps(model_to_dict(back)) == json.dumps(d)
    ('OU isotropic', 32652, True)
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        if f.name == "crs":
            value = None if value is None else CRS.from_user_input(value).to_wkt()
        elif isinstance(value, np.ndarray):
            value = value.astype(float).tolist()
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        elif isinstance(value, np.generic):
            value = value.item()
        out[f.name] = value
    return out


def model_from_dict(data: Mapping[str, Any]) -> MovementModel:
    """The movement model of :func:`model_to_dict`."""
    kw: dict[str, Any] = {}
    arrays = {"mean_m", "sigma_m2", "estimates", "covariance", "mean_covariance_m2"}
    names = {f.name for f in dataclasses.fields(MovementModel)}
    for name, value in data.items():
        if name not in names:
            continue  # a field of another habitat version
        if name == "crs":
            value = None if value is None else CRS.from_wkt(value)
        elif name in arrays:
            value = np.asarray(value, dtype=float)
        elif name in ("parameter_names", "notes"):
            value = tuple(value)
        kw[name] = value
    return MovementModel(**kw)


def write_movement(path: Path, model: MovementModel, table: pd.DataFrame) -> Path:
    """Write a model and its variogram to one JSON file, atomically."""
    doc = {
        "model": model_to_dict(model),
        "variogram": {
            "columns": [str(c) for c in table.columns],
            "dtypes": [str(t) for t in table.dtypes],
            "data": [table[c].tolist() for c in table.columns],
        },
    }
    return atomic_write_text(path, json.dumps(doc))


def read_movement(path: Path) -> tuple[MovementModel, pd.DataFrame]:
    """The model and variogram :func:`write_movement` wrote.

    Raises
    ------
    DataFileError
        When the file cannot be read as one.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        v = doc["variogram"]
        table = pd.DataFrame(
            {
                c: pd.Series(d, dtype=t)
                for c, d, t in zip(v["columns"], v["data"], v["dtypes"], strict=True)
            }
        )
        return model_from_dict(doc["model"]), table
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"cannot read the cached movement model {path}: {exc}") from exc
