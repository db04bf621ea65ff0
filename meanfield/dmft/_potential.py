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
from scipy import integrate, optimize
from scipy.interpolate import CubicSpline
from scipy.special import roots_legendre

from .. import gaussian as _g

_GLV, _GLW = roots_legendre(40)
_GLV = 0.5 * (_GLV + 1.0)
_GLW = 0.5 * _GLW


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
                return optimize.brentq(h, lo, hi, xtol=1e-15, rtol=4e-16)
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
                               xtol=1e-15 * d0, rtol=4e-16)

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
    grid = np.geomspace(1e-5, 1e6, 38)          # factor 2 apart
    valid = []
    nfev = 0
    negatives = 0
    for d0 in grid:
        e = model.energy(d0)
        nfev += 1
        if e is None:
            continue
        valid.append((d0, e))
        negatives = negatives + 1 if e <= 0 else 0
        if negatives >= 6 and d0 > 1.0:
            break
    else:
        if valid and valid[-1][1] > 0:
            raise OverflowError("energy positive at Delta0 = 1e6")
    root = None
    for (d1, e1), (d2, e2) in zip(valid[:-1], valid[1:]):
        if e1 > 0 >= e2:
            root = (d1, d2)
    if root is None:
        return None, nfev

    def f(d0):
        e = model.energy(d0)
        return 1.0 if e is None else e

    d0, info = optimize.brentq(f, *root, xtol=1e-300, rtol=min(rtol, 1e-12) * 0.25,
                               full_output=True)
    return d0, nfev + info.function_calls


def trajectory(model, d0, mu, dinf, *, deg=48, tail=1e-11):
    """Delta(tau) from the turning point; returns (tau, delta, dfun, kappa, check)."""
    y0 = d0 - dinf
    cheb = np.polynomial.Chebyshev

    def wfun(u):
        return model.vp(u, d0, mu) / (u - dinf)

    for n in (deg, 2 * deg, 4 * deg):
        W = cheb.interpolate(wfun, n, domain=[dinf, d0])
        if np.max(np.abs(W.coef[-4:])) < 1e-14 * np.max(np.abs(W.coef)):
            break

    def R(u):
        y = u - dinf
        return -(W(dinf + np.multiply.outer(y, _GLV)) * _GLV) @ _GLW

    kappa = math.sqrt(max(-float(W(dinf)), 0.0))   # W(d_inf) = V''(d_inf) = -kappa^2
    sig2 = model.noise**2

    # phase 1: near the turning point, second-order form
    def rhs1(t, s):
        u = dinf + s[0]
        return [s[1], -s[0] * float(W(u))]

    def half(t, s):
        return s[0] - 0.5 * y0

    half.terminal, half.direction = True, -1
    t_guard = 50.0 / max(kappa, 1e-3) + 50.0
    p1 = integrate.solve_ivp(rhs1, (0.0, t_guard), [y0, -0.5 * sig2], method="DOP853",
                             rtol=1e-12, atol=1e-14 * y0, events=half, dense_output=True)
    if p1.status != 1:
        raise ArithmeticError("Delta(tau) did not leave the turning point")
    t1 = float(p1.t[-1])
    y1, yd1 = float(p1.y[0, -1]), float(p1.y[1, -1])
    # energy check at the switch: (dy/dtau)^2 / 2 = y^2 R
    check = abs(yd1 * yd1 / 2.0 - y1 * y1 * float(R(dinf + y1))) / max(y0 * y0, 1e-300)

    # phase 2: log form, stable towards the fixed point of the motion
    def rhs2(t, s):
        u = dinf + math.exp(s[0])
        return [-math.sqrt(max(2.0 * float(R(u)), 0.0))]

    logend = math.log(y0 * tail)

    def end(t, s):
        return s[0] - logend

    end.terminal, end.direction = True, -1
    t_max2 = t1 + 200.0 / max(kappa, 1e-4)
    p2 = integrate.solve_ivp(rhs2, (t1, t_max2), [math.log(y1)], method="DOP853", rtol=1e-12,
                             atol=1e-12, events=end, dense_output=True)
    t_end = float(p2.t[-1])
    # output grid: dense near the origin, geometric in the tail
    n1 = 1201
    ta = min(t_end, 24.0)
    grid = np.linspace(0.0, ta, n1)
    if t_end > ta:
        grid = np.concatenate([grid, np.geomspace(ta, t_end, 600)[1:]])
    y = np.where(grid <= t1, p1.sol(np.minimum(grid, t1))[0],
                 np.exp(p2.sol(np.clip(grid, t1, t_end))[0]))
    delta = dinf + y
    # Price: F_phi = (V' + u - sI2) / g2 and F_phi' = (V'' + 1) / g2, with V' = y W
    c_phi = (y * W(delta) + delta - model.sI2) / model.g2
    c_dphi = (1.0 + W.deriv()(delta) * y + W(delta)) / model.g2
    # correlation time: integral of y / y0 on the grid (spline) plus the exponential tail
    corr = float(CubicSpline(grid, y / y0).integrate(0.0, grid[-1]))
    if kappa > 0:
        corr += y[-1] / y0 / kappa
    return grid, delta, c_phi, c_dphi, kappa, corr, check, p1.nfev + p2.nfev
