"""Units of length and area: the one place where conversions live.

Unit names used throughout habitat (and in column and parameter suffixes):

========  ===================  ==========================
kind      name                 size
========  ===================  ==========================
length    ``m``                metre
length    ``km``               1,000 m
length    ``mi``               international mile, 1,609.344 m
area      ``m2``               square metre
area      ``ha``               hectare, 10,000 m²
area      ``km2``              square kilometre, 1,000,000 m²
area      ``sq_mi``            square mile, 2.589988110336 km² (exact)
========  ===================  ==========================

All conversions are exact multiplications by the factors below.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from habitat.core.errors import UnitError

__all__ = [
    "AREA_UNITS",
    "KM2_PER_SQ_MI",
    "LENGTH_UNITS",
    "M2_PER_HA",
    "M2_PER_KM2",
    "M2_PER_SQ_MI",
    "M_PER_KM",
    "M_PER_MI",
    "area_columns",
    "convert_area",
    "convert_length",
    "km2_to_sq_mi",
    "m2_to_km2",
    "sq_mi_to_km2",
]

#: metres per kilometre
M_PER_KM = 1_000.0
#: metres per international mile (exact by definition, 1959)
M_PER_MI = 1_609.344
#: square metres per hectare
M2_PER_HA = 10_000.0
#: square metres per square kilometre
M2_PER_KM2 = 1_000_000.0
#: square metres per square mile (= 1,609.344², exact)
M2_PER_SQ_MI = M_PER_MI**2
#: square kilometres per square mile (2.589988110336, exact)
KM2_PER_SQ_MI = M2_PER_SQ_MI / M2_PER_KM2

#: size of each length unit in metres
LENGTH_UNITS: dict[str, float] = {"m": 1.0, "km": M_PER_KM, "mi": M_PER_MI}
#: size of each area unit in square metres
AREA_UNITS: dict[str, float] = {
    "m2": 1.0,
    "ha": M2_PER_HA,
    "km2": M2_PER_KM2,
    "sq_mi": M2_PER_SQ_MI,
}


def _factor(table: dict[str, float], unit: str, kind: str) -> float:
    try:
        return table[unit]
    except KeyError:
        raise UnitError(
            f"unknown {kind} unit {unit!r}; use one of {', '.join(map(repr, table))}"
        ) from None


def convert_length(value: Any, from_unit: str, to_unit: str) -> Any:
    """Convert a length (scalar, array or Series) between ``m``, ``km`` and ``mi``.

    Parameters
    ----------
    value : float, array-like or pandas.Series
        Length(s) in ``from_unit``.
    from_unit, to_unit : {"m", "km", "mi"}
        Unit names.

    Returns
    -------
    Same type as ``value``, in ``to_unit``.

    Examples
    --------
    >>> convert_length(1.0, "mi", "m")
    1609.344
    """
    return value * (
        _factor(LENGTH_UNITS, from_unit, "length") / _factor(LENGTH_UNITS, to_unit, "length")
    )


def convert_area(value: Any, from_unit: str, to_unit: str) -> Any:
    """Convert an area (scalar, array or Series) between ``m2``, ``ha``, ``km2``, ``sq_mi``.

    Parameters
    ----------
    value : float, array-like or pandas.Series
        Area(s) in ``from_unit``.
    from_unit, to_unit : {"m2", "ha", "km2", "sq_mi"}
        Unit names.

    Returns
    -------
    Same type as ``value``, in ``to_unit``.

    Examples
    --------
    >>> round(convert_area(1.0, "sq_mi", "km2"), 12)
    2.589988110336
    """
    if from_unit == to_unit:
        return value
    return value * (_factor(AREA_UNITS, from_unit, "area") / _factor(AREA_UNITS, to_unit, "area"))


def m2_to_km2(value: Any) -> Any:
    """Square metres to square kilometres.

    Examples
    --------
    A 10 km × 10 km square holds 100 km²:

    >>> m2_to_km2(10_000.0 * 10_000.0)
    100.0
    """
    return convert_area(value, "m2", "km2")


def km2_to_sq_mi(value: Any) -> Any:
    """Square kilometres to square miles.

    Examples
    --------
    >>> round(km2_to_sq_mi(100.0), 4)
    38.6102
    >>> round(km2_to_sq_mi(2.589988110336), 12)
    1.0
    """
    return convert_area(value, "km2", "sq_mi")


def sq_mi_to_km2(value: Any) -> Any:
    """Square miles to square kilometres.

    Examples
    --------
    One square mile is exactly 2.589988110336 km²:

    >>> round(sq_mi_to_km2(1.0), 12)
    2.589988110336
    """
    return convert_area(value, "sq_mi", "km2")


def area_columns(area_m2: Any) -> dict[str, Any]:
    """The standard area columns for areas given in square metres.

    Parameters
    ----------
    area_m2 : float, array-like or pandas.Series
        Area(s) in m².

    Returns
    -------
    dict
        ``{"area_km2": ..., "area_sq_mi": ...}``, ready for ``DataFrame.assign``.

    Examples
    --------
    >>> import pandas as pd
    >>> ranges = pd.DataFrame({"area_m2": [100e6, 2.589988110336e6]}, index=["F1", "M1"])
    >>> ranges.assign(**area_columns(ranges["area_m2"]))[["area_km2", "area_sq_mi"]].round(2)
        area_km2  area_sq_mi
    F1    100.00       38.61
    M1      2.59        1.00
    >>> {k: v.round(2).tolist() for k, v in area_columns([1e6, 1e8]).items()}
    {'area_km2': [1.0, 100.0], 'area_sq_mi': [0.39, 38.61]}
    """
    # a Series keeps its index; anything else (a list, a tuple, a scalar) becomes floats
    area = area_m2 if isinstance(area_m2, pd.Series) else np.asarray(area_m2, dtype=float)
    return {
        "area_km2": convert_area(area, "m2", "km2"),
        "area_sq_mi": convert_area(area, "m2", "sq_mi"),
    }
