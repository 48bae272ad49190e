r"""Kernel bandwidths: the reference, LSCV and plug-in rules, and their resolution.

One place for turning a bandwidth choice into a number of metres, used by the
KDE home ranges (:mod:`habitat.homerange.kde`), the utilisation distributions
(:mod:`habitat.homerange.ud`) and the UD overlap indices
(:mod:`habitat.overlap.ud`): :func:`resolve_bandwidth_m`.

A bandwidth choice is a rule name (:data:`BANDWIDTH_METHODS`) or a positive
number of metres; the public estimators take the rule as ``bandwidth=`` and the
number as ``bandwidth_m=`` (:func:`bandwidth_choice` reconciles the two).

References
----------
Worton, B. J. (1989). Kernel methods for estimating the utilization
distribution in home-range studies. Ecology 70(1), 164-168.
Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
Chapman & Hall.
Wand, M. P. & Jones, M. C. (1995). Kernel Smoothing. Chapman & Hall.
Calenge, C. (2006). adehabitatHR 0.4.22 ``kernelUD`` (``h = "href"``, ``"LSCV"``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from habitat.core.deprecation import renamed_parameter
from habitat.core.errors import HabitatWarning, InputError, InsufficientDataError
from habitat.homerange.base import check_xy

__all__ = [
    "BANDWIDTH_METHODS",
    "DEFAULT_HLIM",
    "LSCVBoundaryWarning",
    "bandwidth_choice",
    "href",
    "lscv_bandwidth",
    "lscv_score",
    "plugin_bandwidth",
    "resolve_bandwidth_m",
]

#: Accepted bandwidth names (a positive number is a bandwidth in metres).
BANDWIDTH_METHODS = ("href", "lscv", "plugin", "pi")
#: Default LSCV search range, as factors of href (adehabitatHR ``hlim``).
DEFAULT_HLIM: tuple[float, float] = (0.1, 1.5)


class LSCVBoundaryWarning(HabitatWarning):
    """The LSCV minimum lies at an end of the searched bandwidth range.

    Examples
    --------
    Fixes piled on ten spots (e.g. dens revisited) drive LSCV to ever smaller
    bandwidths:

    >>> import warnings
    >>> rng = np.random.default_rng(1)
    >>> clumped = np.repeat(rng.normal(0, 1000, (10, 2)), 10, axis=0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     h, _, _ = lscv_bandwidth(clumped)
    >>> caught[0].category.__name__
    'LSCVBoundaryWarning'
    >>> print(caught[0].message)
    the LSCV minimum is at the lower end of the searched range hlim=(0.1, 1.5) x href \
(...): LSCV did not converge; widen hlim or use bandwidth='href' (...).
    """


def href(xy: Any) -> float:
    """Reference bandwidth of adehabitatHR (Worton 1989; Silverman 1986).

    ``h = sigma * n ** (-1/6)`` with ``sigma = sqrt((var(x) + var(y)) / 2)``, the
    sample variances with ``ddof=1``. This is the AMISE-optimal scalar
    bandwidth when the data are bivariate normal with covariance ``sigma**2 I``.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.

    Returns
    -------
    float
        Bandwidth in metres.

    Raises
    ------
    InsufficientDataError
        If all fixes are identical (zero variance gives ``h = 0``).

    Examples
    --------
    64 fixes with a standard deviation of exactly 1 km per axis:
    ``h = 1000 * 64 ** (-1/6) = 500`` m.

    >>> rng = np.random.default_rng(1)
    >>> xy = rng.standard_normal((64, 2))
    >>> xy = 1000 * xy / xy.std(axis=0, ddof=1)
    >>> round(href(xy), 6)
    500.0
    """
    arr = check_xy(xy, method="KDE")
    var = arr.var(axis=0, ddof=1)
    sigma = math.sqrt(0.5 * float(var[0] + var[1]))
    scale = max(float(np.abs(arr).max()), 1.0)
    if sigma <= 1e-9 * scale:
        raise InsufficientDataError(
            "all fixes are at the same place (zero variance), so the reference bandwidth "
            "href is 0 and no kernel home range can be estimated; check the coordinates."
        )
    return sigma * len(arr) ** (-1.0 / 6.0)


def _pair_sums(xy: np.ndarray, funcs: Any, pairs_per_block: int = 1_000_000) -> np.ndarray:
    """Sum ``funcs(d2)`` (a vector per block of squared distances) over pairs ``i != j``.

    Only pairs ``i < j`` are evaluated, about ``pairs_per_block`` at a time so
    memory stays bounded, and the result is doubled.
    """
    n = len(xy)
    total = np.asarray(funcs(np.zeros(0)), dtype=float) * 0.0
    rows = max(1, pairs_per_block // n)
    for start in range(0, n - 1, rows):
        a = xy[start : start + rows]
        b = xy[start + 1 :]
        d2 = (a[:, None, 0] - b[None, :, 0]) ** 2 + (a[:, None, 1] - b[None, :, 1]) ** 2
        # row r of the block is fix start+r, column c is fix start+1+c: keep c >= r
        keep = np.arange(len(b))[None, :] >= np.arange(len(a))[:, None]
        total = total + funcs(d2[keep])
    return 2.0 * total


def lscv_score(
    xy: Any, bandwidth_m: Any = None, *, exact: bool = False, h: Any = None
) -> np.ndarray:
    """Least-squares cross-validation score ``CV(h)`` of the bivariate normal KDE.

    By definition ``CV(h) = ∫ f̂_h² − (2/n) Σ_i f̂_{h,−i}(x_i)``. For the normal
    kernel, with ``d_ij`` the distance between fixes ``i`` and ``j``,

    * ``∫ f̂² = 1/(4π h² n) + 1/(4π h² n²) Σ_{i≠j} exp(−d²/(4h²))``
    * ``(2/n) Σ f̂_{−i}(x_i) = 1/(π h² n (n−1)) Σ_{i≠j} exp(−d²/(2h²))``

    adehabitatHR's C routine ``CVmise`` uses ``n²`` instead of ``n (n−1)`` in the
    second term, i.e. ``CV(h) = 1/(π h² n) + (Σ_{i≠j}[e^{−d²/4h²} −
    4 e^{−d²/2h²}] − 3n) / (4π h² n²)``; that is the default here
    (``exact=False``). ``exact=True`` gives the textbook criterion. Cost
    ``O(n² · len(h))``, blocked over pairs.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.
    bandwidth_m : float or array_like
        Bandwidth(s) in metres.
    exact : bool
        Use ``n (n−1)`` (textbook) instead of adehabitatHR's ``n²``.
    h : float or array_like
        Deprecated name of ``bandwidth_m``.

    Returns
    -------
    numpy.ndarray
        ``CV(h)`` for each ``h`` (units 1/m²).

    Examples
    --------
    500 fixes from a normal distribution with a 1 km standard deviation; the
    score is lowest near the best bandwidth (a few hundred metres here):

    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> cv = lscv_score(xy, [100.0, 300.0, 1000.0])
    >>> (cv * 1e8).round(2)  # in 1/km² x 100
    array([-6.65, -7.98, -6.8 ])
    >>> int(np.argmin(cv))
    1
    """
    hs = renamed_parameter(
        "h", "bandwidth_m", h, bandwidth_m, where="habitat.homerange.kde.lscv_score"
    )
    if hs is None:
        raise InputError(
            "lscv_score needs the bandwidth(s) in metres: lscv_score(xy, bandwidth_m)."
        )
    arr = check_xy(xy, method="KDE")
    hv = np.atleast_1d(np.asarray(hs, dtype=float))
    n = float(len(arr))
    inv4 = 1.0 / (4.0 * hv**2)

    def sums(d2: np.ndarray) -> np.ndarray:
        e4 = np.exp(-np.outer(d2, inv4))  # exp(-d²/4h²); its square is exp(-d²/2h²)
        return np.concatenate([e4.sum(axis=0), (e4 * e4).sum(axis=0)])

    s4, s2 = np.split(_pair_sums(arr, sums, pairs_per_block=max(1, 2_000_000 // len(hv))), 2)
    h2 = hv**2
    first = 1.0 / (4.0 * np.pi * h2 * n) + s4 / (4.0 * np.pi * h2 * n**2)
    second = s2 / (np.pi * h2 * n * ((n - 1.0) if exact else n))
    return first - second


def lscv_bandwidth(
    xy: Any, *, hlim: tuple[float, float] = DEFAULT_HLIM, n_h: int = 100, exact: bool = False
) -> tuple[float, np.ndarray, np.ndarray]:
    """LSCV bandwidth as adehabitatHR ``kernelUD(h = "LSCV")``.

    Evaluates :func:`lscv_score` at ``n_h`` equally spaced values from
    ``hlim[0] * href`` to ``hlim[1] * href`` and returns the minimiser (the first
    one if tied). Warns :class:`LSCVBoundaryWarning` if the minimum is at either
    end of the range ("the algorithm did not converge").

    Returns
    -------
    h : float
        Bandwidth in metres.
    h_values, cv : numpy.ndarray
        The searched bandwidths (m) and their scores.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))  # σ = 1 km
    >>> h, h_values, cv = lscv_bandwidth(xy)
    >>> round(h, 1), round(href(xy), 1)
    (371.6, 350.1)
    >>> len(h_values), (h_values[[0, -1]] / href(xy)).round(2).tolist()  # 0.1 to 1.5 href
    (100, [0.1, 1.5])
    """
    arr = check_xy(xy, method="KDE")
    lo, hi = (float(v) for v in hlim)
    if not (0 < lo < hi):
        raise InputError(f"hlim must be two increasing positive factors of href; got {hlim}.")
    h0 = href(arr)
    hv = np.linspace(lo * h0, hi * h0, int(n_h))
    cv = lscv_score(arr, hv, exact=exact)
    k = int(np.argmin(cv))
    if k in (0, len(hv) - 1):
        warnings.warn(
            f"the LSCV minimum is at the {'lower' if k == 0 else 'upper'} end of the searched "
            f"range hlim={hlim} x href ({hv[0]:.1f}-{hv[-1]:.1f} m): LSCV did not converge; "
            "widen hlim or use bandwidth='href' (common with clustered or duplicated fixes).",
            LSCVBoundaryWarning,
            stacklevel=2,
        )
    return float(hv[k]), hv, cv


def _lap2(t: np.ndarray, s: float) -> np.ndarray:
    """``(Δ²φ_s)/φ_s`` for the isotropic 2-D normal, variance ``s``; ``t = r²/(2s)``."""
    return 4.0 / s**2 * (t**2 - 4.0 * t + 2.0)


def _lap3(t: np.ndarray, s: float) -> np.ndarray:
    """``(Δ³φ_s)/φ_s`` for the isotropic 2-D normal, variance ``s``; ``t = r²/(2s)``."""
    return -8.0 / s**3 * (-(t**3) + 9.0 * t**2 - 18.0 * t + 6.0)


def _psi(arr: np.ndarray, g: float, order: int) -> float:
    """Kernel estimate ``n⁻² Σ_ij Δ^k φ_g(x_i − x_j)`` (k = 2 or 3), pilot ``g`` (m)."""
    s = g * g
    lap = _lap2 if order == 2 else _lap3
    n = len(arr)

    def f(d2: np.ndarray) -> np.ndarray:
        t = d2 / (2.0 * s)
        return np.array([np.sum(np.exp(-t) * lap(t, s))])

    off = float(_pair_sums(arr, f)[0])
    diag = n * float(lap(np.zeros(1), s)[0])
    return (off + diag) / (2.0 * np.pi * s * n * n)


def plugin_bandwidth(xy: Any) -> float:
    """Two-stage direct plug-in scalar bandwidth (Wand & Jones 1995, §3.6, §4.7).

    For ``H = h² I`` and the normal kernel the AMISE is
    ``1/(4π n h²) + (h⁴/4) Ψ₄`` with ``Ψ₄ = ∫ (∇²f)² = ∫ f Δ²f``, minimised by
    ``h = (1 / (2π n Ψ₄)) ** (1/6)``. ``Ψ₄`` is estimated by
    ``Ψ̂₄(g) = n⁻² Σ_ij Δ²φ_g(x_i − x_j)`` with the pilot ``g₄ = (−8 / (π n Ψ₆))
    ** (1/8)`` (which cancels the leading bias); ``Ψ₆ = ∫ f Δ³f`` is in turn
    estimated by ``Ψ̂₆(g₆)`` with the normal-reference pilot
    ``g₆ = σ (8/n) ** (1/10)`` (``σ`` as in :func:`href`). For bivariate normal
    data with covariance ``σ² I`` the target is ``σ n^(−1/6)`` (= href). Cost
    ``O(n²)``, blocked over pairs.

    Returns
    -------
    float
        Bandwidth in metres.

    Examples
    --------
    For normal data the plug-in bandwidth is close to href (here σ = 1 km,
    n = 500, so ``σ n^(-1/6)`` = 355.0 m):

    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> round(plugin_bandwidth(xy), 1), round(href(xy), 1), round(1000 * 500 ** (-1 / 6), 1)
    (345.6, 350.1, 355.0)
    """
    arr = check_xy(xy, method="KDE")
    n = len(arr)
    sigma = href(arr) * n ** (1.0 / 6.0)
    g6 = sigma * (8.0 / n) ** 0.1
    psi6 = _psi(arr, g6, 3)
    if not psi6 < 0:  # cannot happen for smooth data; fall back to the normal reference
        psi6 = -3.0 / (2.0 * np.pi * sigma**8)
    g4 = (-8.0 / (np.pi * n * psi6)) ** 0.125
    psi4 = _psi(arr, g4, 2)
    if not psi4 > 0:
        psi4 = 1.0 / (2.0 * np.pi * sigma**6)
    return float((1.0 / (2.0 * np.pi * n * psi4)) ** (1.0 / 6.0))


def resolve_bandwidth_m(
    xy: Any, bandwidth: str | float = "href", *, hlim: tuple[float, float] = DEFAULT_HLIM
) -> float:
    """The bandwidth in metres for one animal's fixes: a rule applied, or a number checked.

    The one place where a bandwidth choice becomes a number (used by KDE home
    ranges, utilisation distributions and UD overlap).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres (at least 5, not all identical).
    bandwidth : {"href", "lscv", "plugin", "pi"} or float
        The rule (:func:`href`, :func:`lscv_bandwidth`, :func:`plugin_bandwidth`;
        ``"pi"`` is ``"plugin"``), or a bandwidth in metres, returned as it is.
    hlim : (float, float)
        LSCV search range as factors of href.

    Returns
    -------
    float
        Bandwidth ``h`` in metres.

    Raises
    ------
    InputError
        For an unknown rule or a number that is not positive and finite.
    InsufficientDataError
        For fewer than 5 fixes, or all fixes at one place (also with a number).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.standard_normal((64, 2))
    >>> xy = 1000 * xy / xy.std(axis=0, ddof=1)  # σ exactly 1 km: href = 500 m
    >>> round(resolve_bandwidth_m(xy, "href"), 6), resolve_bandwidth_m(xy, 750.0)
    (500.0, 750.0)
    >>> resolve_bandwidth_m(xy, "silverman")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: unknown bandwidth 'silverman'; use one of href, lscv, \
plugin, pi or a positive number of metres (bandwidth_m=...).
    """
    arr = check_xy(xy, method="KDE")
    if isinstance(bandwidth, str):
        name = bandwidth.lower()
        if name == "href":
            return href(arr)
        if name == "lscv":
            return lscv_bandwidth(arr, hlim=hlim)[0]
        if name in ("plugin", "pi"):
            return plugin_bandwidth(arr)
        raise InputError(
            f"unknown bandwidth {bandwidth!r}; use one of {', '.join(BANDWIDTH_METHODS)} "
            "or a positive number of metres (bandwidth_m=...)."
        )
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, int | float | np.number):
        raise InputError(
            f"bandwidth must be one of {', '.join(BANDWIDTH_METHODS)} or a positive number of "
            f"metres (bandwidth_m=...); got {bandwidth!r}."
        )
    h = float(bandwidth)
    if not (math.isfinite(h) and h > 0):
        raise InputError(f"bandwidth must be a positive number of metres; got {bandwidth!r}.")
    href(arr)  # refuses identical fixes
    return h


def bandwidth_choice(
    bandwidth: Any = "href", bandwidth_m: float | None = None, *, where: str, stacklevel: int = 3
) -> str | float:
    """Reconcile ``bandwidth=`` (a rule) and ``bandwidth_m=`` (metres) into one choice.

    Parameters
    ----------
    bandwidth : {"href", "lscv", "plugin", "pi"} or float
        The rule. A number here still works as metres but is deprecated
        (:class:`DeprecationWarning`): pass it as ``bandwidth_m``.
    bandwidth_m : float, optional
        Bandwidth in metres for every animal; overrides the default rule.
    where : str
        The public function, for messages.
    stacklevel : int
        Of the DeprecationWarning (3 points at the caller of ``where``).

    Returns
    -------
    str or float
        What :func:`resolve_bandwidth_m` takes.

    Raises
    ------
    InputError
        If ``bandwidth_m`` is given together with a number or a rule other
        than the default ``"href"`` in ``bandwidth``.

    Examples
    --------
    >>> bandwidth_choice("lscv", where="my_function")
    'lscv'
    >>> bandwidth_choice("href", 750.0, where="my_function")
    750.0
    >>> bandwidth_choice("lscv", 750.0, where="my_function")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: my_function: give the bandwidth once, either \
bandwidth='lscv' (a rule) or bandwidth_m=750.0 (metres), not both.

    A number as ``bandwidth`` still works, with a :class:`DeprecationWarning`:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     bandwidth_choice(750.0, where="my_function")
    750.0
    >>> caught[0].category.__name__
    'DeprecationWarning'
    """
    if bandwidth_m is not None:
        if not (isinstance(bandwidth, str) and bandwidth.lower() == "href"):
            raise InputError(
                f"{where}: give the bandwidth once, either bandwidth={bandwidth!r} (a rule) or "
                f"bandwidth_m={bandwidth_m!r} (metres), not both."
            )
        return bandwidth_m
    if isinstance(bandwidth, int | float | np.number) and not isinstance(bandwidth, bool):
        warnings.warn(
            f"{where}: a number passed as bandwidth= is a bandwidth in metres; pass it as "
            f"bandwidth_m={bandwidth!r} (bandwidth= is for the rules "
            f"{', '.join(BANDWIDTH_METHODS)}; numbers there will stop working in a later release)",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
    return bandwidth
