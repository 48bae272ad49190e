r"""Compiled Kalman-filter kernels for IID/OU/OUF processes sampled at irregular times.

One spatial axis at a time. Each kernel filters ``m`` columns at once (the
data columns and the mean function, e.g. a column of ones): the gains depend
on the times, the model and the errors only, so every column sees the same
filter and the returned whitened cross products give the likelihood with the
mean profiled by generalised least squares (ctmm's ``kalman`` in ``kalman.R``).

Transition of the OUF state :math:`(x, v)` over a step :math:`\Delta t`
(Fleming et al. 2014, Appendix; ctmm's ``langevin``): with
:math:`e = e^{-\Delta t/\tau_p}`, :math:`\varphi(y) = (1-e^{-y})/y` and
:math:`D = e\,\Delta t\,\varphi(\Delta t(1/\tau_v - 1/\tau_p))/(\tau_p\tau_v)`
(the divided difference :math:`(e^{-\Delta t/\tau_p}-e^{-\Delta t/\tau_v})/(\tau_p-\tau_v)`,
stable at :math:`\tau_p = \tau_v`),

.. math::

    G = \begin{pmatrix} e + \tau_v D & \tau_p\tau_v D \\ -D & e - \tau_p D \end{pmatrix},
    \qquad Q = P_\infty - G P_\infty G^\top,\quad
    P_\infty = \sigma\,\mathrm{diag}(1, 1/(\tau_p\tau_v)).

For steps shorter than :math:`\tau_v/64`, :math:`Q` is instead integrated,
:math:`Q = q\int_0^{\Delta t} G(s) b b^\top G(s)^\top ds` with :math:`b = (0, 1)`
and :math:`q = 2\sigma(1/\tau_p + 1/\tau_v)/(\tau_p\tau_v)`, by 6-point
Gauss-Legendre quadrature (exact to rounding there; the closed form would lose
:math:`\sim\epsilon(\tau_v/\Delta t)^3` of it), avoiding the cancellation of
:math:`P_\infty - G P_\infty G^\top` when :math:`Q_{xx} \sim \Delta t^3`.
OU: :math:`G = e^{-\Delta t/\tau}`, :math:`Q = \sigma(1 - e^{-2\Delta t/\tau})`; IID: ``tau = 0``.
The observation is the position plus an error of variance ``error_var[i]``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["filter_ou", "filter_ouf", "ouf_transition", "simulate_unit"]


@numba.njit(cache=True, nogil=True)
def filter_ou(
    t: np.ndarray, z: np.ndarray, tau: float, sigma: float, error_var: np.ndarray
) -> tuple[float, np.ndarray]:  # pragma: no cover - numba
    """Filter the columns ``z`` (n, m) through an OU (``tau > 0``) or IID (``tau == 0``) process.

    Returns ``(sum_i log S_i, C)`` with ``S_i`` the innovation variances and
    ``C[j, k] = sum_i r_ij r_ik / S_i`` the whitened cross products of the
    innovations ``r``.
    """
    n, m = z.shape
    a = np.zeros(m)
    cross = np.zeros((m, m))
    res = np.zeros(m)
    p = sigma
    sumlog = 0.0
    last_dt = -1.0
    g = 0.0
    q = sigma
    for i in range(n):
        if i > 0:
            dt = t[i] - t[i - 1]
            if tau > 0.0 and dt != last_dt:  # regular sampling: computed once
                g = math.exp(-dt / tau)
                q = -sigma * math.expm1(-2.0 * dt / tau)
                last_dt = dt
            for j in range(m):
                a[j] *= g
            p = g * g * p + q
        s = p + error_var[i]
        if not s > 0.0:  # a repeated time without error: singular
            return math.inf, cross
        sumlog += math.log(s)
        for j in range(m):
            res[j] = z[i, j] - a[j]
        for j in range(m):
            rj = res[j] / s
            for k in range(m):
                cross[j, k] += rj * res[k]
        gain = p / s
        for j in range(m):
            a[j] += gain * res[j]
        p = p * (1.0 - gain)
        if p < 0.0:
            p = 0.0
    return sumlog, cross


#: steps shorter than this many tau_v integrate Q by quadrature: above it the
#: closed form loses at most ~1e-10 of Q_xx to cancellation (eps (tau_v/dt)^3)
_QUADRATURE_BELOW = 1.0 / 64.0

#: 6-point Gauss-Legendre nodes and weights on [-1, 1] (exact to degree 11)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)


@numba.njit(cache=True, nogil=True)
def _phi(y: float) -> float:  # pragma: no cover - numba
    """(1 - exp(-y)) / y, 1 at y = 0."""
    if abs(y) < 1e-8:
        return 1.0 - 0.5 * y
    return -math.expm1(-y) / y


@numba.njit(cache=True, nogil=True)
def ouf_transition(
    dt: float, tau_p: float, tau_v: float, sigma: float
) -> tuple[float, float, float, float, float, float, float]:  # pragma: no cover - numba
    """The OUF step over ``dt``: ``G`` (g11, g12, g21, g22) and ``Q`` (q11, q12, q22).

    See the module docstring; ``sigma`` is the position variance of one axis.
    """
    omega2 = 1.0 / (tau_p * tau_v)
    pv_stat = sigma * omega2
    noise = 2.0 * pv_stat * (1.0 / tau_p + 1.0 / tau_v)
    e = math.exp(-dt / tau_p)
    d = e * dt * _phi(dt * (1.0 / tau_v - 1.0 / tau_p)) * omega2
    g11 = e + tau_v * d
    g12 = tau_p * tau_v * d
    g21 = -d
    g22 = e - tau_p * d
    if dt >= _QUADRATURE_BELOW * tau_v:
        q11 = sigma - (g11 * g11 * sigma + g12 * g12 * pv_stat)
        q12 = -(g11 * g21 * sigma + g12 * g22 * pv_stat)
        q22 = pv_stat - (g21 * g21 * sigma + g22 * g22 * pv_stat)
    else:
        # short steps: Q = q int_0^dt G(s) b b' G(s)' ds by Gauss-Legendre,
        # free of the cancellation in P - G P G' (Q_xx ~ dt^3)
        q11 = q12 = q22 = 0.0
        for k in range(_GL_X.size):
            s_k = 0.5 * dt * (_GL_X[k] + 1.0)
            e_k = math.exp(-s_k / tau_p)
            d_k = e_k * s_k * _phi(s_k * (1.0 / tau_v - 1.0 / tau_p)) * omega2
            h12 = tau_p * tau_v * d_k
            h22 = e_k - tau_p * d_k
            w_k = 0.5 * dt * _GL_W[k] * noise
            q11 += w_k * h12 * h12
            q12 += w_k * h12 * h22
            q22 += w_k * h22 * h22
    if q11 < 0.0:
        q11 = 0.0
    if q22 < 0.0:
        q22 = 0.0
    return g11, g12, g21, g22, q11, q12, q22


@numba.njit(cache=True, nogil=True)
def filter_ouf(
    t: np.ndarray,
    z: np.ndarray,
    tau_p: float,
    tau_v: float,
    sigma: float,
    error_var: np.ndarray,
) -> tuple[float, np.ndarray]:  # pragma: no cover - numba
    """As :func:`filter_ou` for the OUF process (state: position and velocity)."""
    n, m = z.shape
    ax = np.zeros(m)
    av = np.zeros(m)
    cross = np.zeros((m, m))
    res = np.zeros(m)
    pv_stat = sigma / (tau_p * tau_v)
    pxx = sigma
    pxv = 0.0
    pvv = pv_stat
    sumlog = 0.0
    last_dt = -1.0
    g11 = g12 = g21 = g22 = 0.0
    q11 = q12 = q22 = 0.0
    for i in range(n):
        if i > 0:
            dt = t[i] - t[i - 1]
            if dt != last_dt:
                g11, g12, g21, g22, q11, q12, q22 = ouf_transition(dt, tau_p, tau_v, sigma)
                last_dt = dt
            for j in range(m):
                x0 = ax[j]
                v0 = av[j]
                ax[j] = g11 * x0 + g12 * v0
                av[j] = g21 * x0 + g22 * v0
            # P <- G P G' + Q
            b11 = g11 * pxx + g12 * pxv
            b12 = g11 * pxv + g12 * pvv
            b21 = g21 * pxx + g22 * pxv
            b22 = g21 * pxv + g22 * pvv
            pxx = b11 * g11 + b12 * g12 + q11
            pxv = b11 * g21 + b12 * g22 + q12
            pvv = b21 * g21 + b22 * g22 + q22
        s = pxx + error_var[i]
        if not s > 0.0:  # a repeated time without error: singular
            return math.inf, cross
        sumlog += math.log(s)
        for j in range(m):
            res[j] = z[i, j] - ax[j]
        for j in range(m):
            rj = res[j] / s
            for k in range(m):
                cross[j, k] += rj * res[k]
        kx = pxx / s
        kv = pxv / s
        for j in range(m):
            ax[j] += kx * res[j]
            av[j] += kv * res[j]
        # P <- P - k k' S
        nxx = pxx - kx * kx * s
        nxv = pxv - kx * kv * s
        nvv = pvv - kv * kv * s
        pxx = nxx if nxx > 0.0 else 0.0
        pxv = nxv
        pvv = nvv if nvv > 0.0 else 0.0
    return sumlog, cross


@numba.njit(cache=True, nogil=True)
def simulate_unit(
    t: np.ndarray, tau_p: float, tau_v: float, noise: np.ndarray
) -> np.ndarray:  # pragma: no cover - numba
    r"""Stationary unit-variance IID/OU/OUF paths at the times ``t``, exactly.

    ``noise`` (n, m, 2) holds standard normals; column ``j`` of the result
    (n, m) is one path: IID (``tau_p == 0``) takes ``noise[:, j, 0]``; OU
    (``tau_v == 0``) and OUF start from the stationary distribution and step
    by the transition of the module docstring, :math:`s' = G s + L\xi` with
    :math:`L L^\top = Q` (Cholesky of the 2 x 2 ``Q`` for OUF).
    """
    n, m = noise.shape[0], noise.shape[1]
    out = np.empty((n, m))
    if tau_p == 0.0:
        for i in range(n):
            for j in range(m):
                out[i, j] = noise[i, j, 0]
        return out
    x = np.empty(m)
    v = np.empty(m)
    sv = 0.0 if tau_v == 0.0 else 1.0 / math.sqrt(tau_p * tau_v)
    for j in range(m):
        x[j] = noise[0, j, 0]
        v[j] = sv * noise[0, j, 1]
        out[0, j] = x[j]
    last_dt = -1.0
    g11 = g12 = g21 = g22 = l11 = l21 = l22 = 0.0
    for i in range(1, n):
        dt = t[i] - t[i - 1]
        if dt != last_dt:
            if tau_v == 0.0:
                g11 = math.exp(-dt / tau_p)
                l11 = math.sqrt(-math.expm1(-2.0 * dt / tau_p))
            else:
                g11, g12, g21, g22, q11, q12, q22 = ouf_transition(dt, tau_p, tau_v, 1.0)
                l11 = math.sqrt(q11)
                l21 = q12 / l11 if l11 > 0.0 else 0.0
                l22 = math.sqrt(max(q22 - l21 * l21, 0.0))
            last_dt = dt
        for j in range(m):
            a, b = noise[i, j, 0], noise[i, j, 1]
            if tau_v == 0.0:
                x[j] = g11 * x[j] + l11 * a
            else:
                x0 = x[j]
                x[j] = g11 * x0 + g12 * v[j] + l11 * a
                v[j] = g21 * x0 + g22 * v[j] + l21 * a + l22 * b
            out[i, j] = x[j]
    return out
