r"""Potential (energy) method for one population in continuous time.

The stationary autocovariance obeys Newton's equation
:math:`\ddot\Delta = -V'(\Delta)` with

.. math::

    V(\Delta) = -\tfrac12\Delta^2 + g^2 F_\Phi(\Delta;\Delta_0,\mu) + \sigma_I^2\Delta,
    \qquad \dot\Delta(0^+) = -\sigma^2/2, \qquad \Delta(\infty) = \Delta_\infty,

:math:`V'(\Delta_\infty) = 0` with :math:`V''(\Delta_\infty) < 0`, and energy
conservation gives the self-consistency
:math:`\sigma^4/8 + V(\Delta_0) = V(\Delta_\infty)`, a one-dimensional root problem
for :math:`\Delta_0` (Sompolinsky, Crisanti & Sommers 1988; Schuecker, Goedeke &
Helias 2018).  :math:`\Delta(\tau)` is then integrated from the turning point:
near it as :math:`\ddot y = -y\,W(\Delta)` with :math:`y = \Delta-\Delta_\infty`,
:math:`W = V'/y`; afterwards in the stable first-order form
:math:`\frac{d}{d\tau}\log y = -\sqrt{2R}`, :math:`R = (V(\Delta_\infty)-V(\Delta))/y^2
= -\int_0^1 v\,W(\Delta_\infty + y v)\,dv`, which follows from energy conservation.
:math:`W` is a Chebyshev interpolant of :math:`V'(\Delta)/(\Delta - \Delta_\infty)`
on :math:`[\Delta_\infty, \Delta_0]`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy.interpolate import CubicSpline
from scipy.special import roots_legendre

from .. import gaussian as _g
from ._spectral import hermite_a2, use_mehler


def _gauss_legendre01(n):
    """n-point Gauss-Legendre rule on [0, 1] (exact for polynomials of degree < 2n)."""
    x, w = roots_legendre(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _pair_function(tf, d0, mu):
    """F_phi(u; d0, mu) for an array of u: Mehler series (64 terms, remainder below
    0.5^65 <phi^2>) where |u| <= d0/2, the pair quadrature elsewhere."""
    if not use_mehler(tf, d0):
        return lambda u: _g._pair(tf, "phi", np.asarray(u, dtype=float), d0, mu)
    a2 = hermite_a2(tf, d0, mu, 64)

    def F(u):
        u = np.asarray(u, dtype=float)
        out = np.empty_like(u)
        near = np.abs(u) <= 0.5 * d0
        out[near] = np.polynomial.polynomial.polyval(u[near] / d0, a2)
        out[~near] = _g._pair(tf, "phi", u[~near], d0, mu)
        return out

    return F


class _Model:
    """V, V', V'' and the mean as functions of (u, Delta0) for one population."""

    def __init__(self, tf, g, noise, J0, I0, input_std):
        self.tf, self.g2, self.noise = tf, g * g, noise
        self.J0, self.I0, self.sI2 = J0, I0, input_std**2
        self.symmetric = tf.odd and I0 == 0.0 and input_std == 0.0

    def mean(self, d0):
        """Self-consistent mean mu = J0 <phi> + I0 at variance d0."""
        if self.J0 == 0.0 or self.symmetric:
            return self.I0
        tf, J0, I0 = self.tf, self.J0, self.I0

        def h(m):
            return m - J0 * _g._mean(tf, "phi", m, d0) - I0

        lo = hi = I0
        step = max(1.0, abs(J0))
        for _ in range(200):
            lo, hi = lo - step, hi + step
            if h(lo) < 0 < h(hi):
                return optimize.brentq(h, lo, hi, xtol=1e-15, rtol=1e-15)
            step *= 2.0
        raise OverflowError("no bounded self-consistent mean")

    def vp(self, u, d0, mu):
        return -u + self.g2 * _g._pair(self.tf, "phi", np.atleast_1d(u), d0, mu) + self.sI2

    def v(self, u, d0, mu):
        u = np.atleast_1d(u)
        return -0.5 * u * u + self.g2 * _g._pair(self.tf, "Phi", u, d0, mu) + self.sI2 * u

    def vpp(self, u, d0, mu):
        return -1.0 + self.g2 * _g._pair(self.tf, "dphi", np.atleast_1d(u), d0, mu)

    def delta_inf(self, d0, mu):
        """Smallest root of V' in [0, d0] (a maximum of V), or None."""
        if self.symmetric:
            return 0.0
        v0 = float(self.vp(0.0, d0, mu)[0])
        if v0 <= 0.0:
            return 0.0
        if float(self.vpp(d0, d0, mu)[0]) <= 0.0:
            umin = d0
        elif float(self.vpp(0.0, d0, mu)[0]) >= 0.0:
            return None
        else:
            umin = optimize.brentq(lambda u: float(self.vpp(u, d0, mu)[0]), 0.0, d0,
                                   xtol=1e-14 * d0, rtol=1e-14)
        if float(self.vp(umin, d0, mu)[0]) > 0.0:
            return None
        return optimize.brentq(lambda u: float(self.vp(u, d0, mu)[0]), 0.0, umin,
                               xtol=1e-15 * d0, rtol=1e-15)

    def energy(self, d0):
        """sigma^4/8 + V(d0) - V(d_inf), scaled by d0^2; None where undefined."""
        mu = self.mean(d0)
        di = self.delta_inf(d0, mu)
        if di is None or di >= d0:
            return None
        val = self.noise**4 / 8.0 + float(self.v(d0, d0, mu)[0] - self.v(di, d0, mu)[0])
        return val / (d0 * d0)


def solve_delta0(model, rtol):
    """Largest root Delta0 > Delta_inf of the energy condition; None when there is none.

    Returns (delta0, nfev) or (None, nfev).  Raises OverflowError when the energy
    stays positive up to huge Delta0 (no bounded stationary state).
    """
    start = 1e-5 if model.noise == 0 else min(1e-5, 1e-3 * model.noise**2)
    grid = np.geomspace(start, 1e6, int(np.ceil(np.log(1e6 / start) / np.log(3.0))) + 1)  # ~x3
    vals = []                                      # (d0, energy); invalid points count as +1
    nfev = 0
    negatives = 0
    for d0 in grid:
        e = model.energy(d0)
        nfev += 1
        vals.append((d0, 1.0 if e is None else e, e is not None))
        if e is None:
            continue
        negatives = negatives + 1 if e <= 0 else 0
        if negatives >= 4 and d0 > 1.0:
            break
    else:
        if vals and vals[-1][2] and vals[-1][1] > 0:
            raise OverflowError("energy positive at Delta0 = 1e6")

    def f(d0):
        e = model.energy(d0)
        return 1.0 if e is None else e

    # sign changes from + to - (in increasing Delta0), largest first; a bracket whose left
    # end is invalid may hold only the jump at the edge of validity: check the root found
    brackets = [(a[0], b[0]) for a, b in zip(vals[:-1], vals[1:]) if a[1] > 0 >= b[1]]
    for lo, hi in reversed(brackets):
        d0, info = optimize.brentq(f, lo, hi, xtol=1e-16 * lo, rtol=min(rtol, 1e-12) * 0.25,
                                   maxiter=400, full_output=True, disp=False)
        nfev += info.function_calls
        e = model.energy(d0)
        if e is None or abs(e) >= 1e-9:
            continue                      # a jump at the edge of validity, not a root
        di = model.delta_inf(d0, model.mean(d0))
        if d0 - di > 1e-6 * d0:           # else: the static fixed point (Delta0 = Delta_inf)
            return d0, nfev
    return None, nfev


def trajectory(model, d0, mu, dinf, *, deg=48, tail=1e-11):
    """Delta(tau) from the turning point.

    Returns (tau, delta, c_phi, c_dphi, kappa, correlation_time, check) with ``check``
    the relative mismatch of the two energy forms at the switch between the phases.
    """
    y0 = d0 - dinf
    cheb = np.polynomial.Chebyshev

    F = _pair_function(model.tf, d0, mu)

    def wfun(u):
        return (-u + model.g2 * F(u) + model.sI2) / (u - dinf)

    for n in (deg, 2 * deg, 4 * deg):
        W = cheb.interpolate(wfun, n, domain=[dinf, d0])
        if np.max(np.abs(W.coef[-4:])) < 1e-14 * np.max(np.abs(W.coef)):
            break

    kappa = math.sqrt(max(-float(W(dinf)), 0.0))   # W(d_inf) = V''(d_inf) = -kappa^2
    sig2 = model.noise**2
    gv, gw = _gauss_legendre01(W.degree() // 2 + 2)   # exact for v * W(...)

    def R(u):
        # R = (V(d_inf) - V(u)) / y^2 = -int_0^1 v W(d_inf + y v) dv  (exact for polynomial W)
        y = np.asarray(u, dtype=float) - dinf
        return -(W(dinf + np.multiply.outer(y, gv)) * gv) @ gw

    # phase 1 (y from y0 to y0/2): energy conservation gives (dy/dtau)^2 / 2 = K(y) with
    # K = sigma^4/8 + (y0 - y) M(y), M(y) = int_0^1 y_v W(d_inf + y_v) dv, y_v = y + (y0-y) v.
    # With y = y0 - w^2: dtau/dw = 2 w / sqrt(2 K), smooth at the turning point w = 0.
    def M(y):
        y = np.asarray(y, dtype=float)[..., None]
        yv = y + (y0 - y) * gv
        return (yv * W(dinf + yv)) @ gw

    def dtau_dw(w):
        k = sig2 * sig2 / 8.0 + w * w * M(y0 - w * w)
        return 2.0 * w / np.sqrt(2.0 * np.maximum(k, 1e-300)) if sig2 > 0 else \
            2.0 / np.sqrt(2.0 * np.maximum(M(y0 - w * w), 1e-300))

    w1 = math.sqrt(0.5 * y0)
    for n in (24, 48, 96, 192):
        p1 = cheb.interpolate(dtau_dw, n, domain=[0.0, w1])
        if np.max(np.abs(p1.coef[-3:])) < 1e-13 * np.max(np.abs(p1.coef)):
            break
    T1 = p1.integ(lbnd=0.0)                  # tau(w)
    t1 = float(T1(w1))
    y1 = y0 - w1 * w1
    # energy check at the switch: both forms of K must agree
    k_a = sig2 * sig2 / 8.0 + (y0 - y1) * float(M(np.array([y1]))[0])
    check = abs(k_a - y1 * y1 * float(R(dinf + y1))) / max(y0 * y0, 1e-300)

    # phase 2: with s = log y, dtau/ds = -1/sqrt(2 R), a smooth quadrature in s
    s1, s_end = math.log(y1), math.log(y0 * tail)
    for n in (32, 64, 128, 256):
        q = cheb.interpolate(lambda s: 1.0 / np.sqrt(2.0 * np.maximum(R(dinf + np.exp(s)), 1e-300)),
                             n, domain=[s_end, s1])
        if np.max(np.abs(q.coef[-3:])) < 1e-13 * np.max(np.abs(q.coef)):
            break
    Q = q.integ(lbnd=s1)                 # tau(s) = t1 - Q(s)
    # output grid, uniform in w before the switch and in s = log y after it (so tau needs
    # no inversion): tau spacing ~ 0.005-0.01 near the origin, relative change of y per
    # step <= 2.5% in the tail (cubic-spline interpolation error ~ 1e-9 relative)
    w_grid = np.linspace(0.0, w1, 401)
    s_grid = np.linspace(s1, s_end, 1001)[1:]
    grid = np.concatenate([T1(w_grid), t1 - Q(s_grid)])
    y = np.concatenate([y0 - w_grid * w_grid, np.exp(s_grid)])
    delta = dinf + y
    # Price: F_phi = (V' + u - sI2) / g2 and F_phi' = (V'' + 1) / g2, with V' = y W
    c_phi = (y * W(delta) + delta - model.sI2) / model.g2
    c_dphi = (1.0 + W.deriv()(delta) * y + W(delta)) / model.g2
    # correlation time: integral of y / y0 on the grid (spline) plus the exponential tail
    corr = float(CubicSpline(grid, y / y0).integrate(0.0, grid[-1]))
    if kappa > 0:
        corr += y[-1] / y0 / kappa
    return grid, delta, c_phi, c_dphi, kappa, corr, check
