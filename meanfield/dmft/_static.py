"""Static mean-field fixed points and their linear stability."""

from __future__ import annotations

import math

from scipy import optimize

from .. import gaussian as _g
from ._bounded import _NoBoundedState, check_time


def static_delta0(model, rtol=1e-13):
    """Smallest root of Delta0 = g^2 <phi^2> + sI^2 with the self-consistent mean.

    Returns (delta0, mu, nfev).  Raises _NoBoundedState if none exists below 1e12.
    """
    g2, sI2 = model.g2, model.sI2

    def h(d0):
        check_time()
        mu = model.mean(d0)
        return d0 - g2 * _g._mean(model.tf, "phi2", mu, d0) - sI2

    h0 = h(0.0)
    if h0 >= 0.0:
        return 0.0, model.mean(0.0), 1
    lo, hi, nfev = 0.0, 1e-6, 1
    while True:
        nfev += 1
        if h(hi) > 0.0:
            break
        lo, hi = hi, hi * 4.0
        if hi > 1e12:
            raise _NoBoundedState("no bounded static fixed point")
    d0, info = optimize.brentq(h, lo, hi, xtol=1e-300, rtol=rtol, full_output=True)
    return d0, model.mean(d0), nfev + info.function_calls


def growth_exponent(g, J0, c_dphi0, mean_dphi, dt):
    r"""Largest growth exponent of perturbations of a static state (per unit time).

    The Jacobian :math:`J\,\mathrm{diag}\,\phi'(x)` has a bulk in the disk
    :math:`|z| \le r = g\sqrt{\langle\phi'^2\rangle}` (``c_dphi0`` is
    :math:`\langle\phi'^2\rangle`) and the mean-mode eigenvalue
    :math:`\lambda_0 = J_0\langle\phi'\rangle` (``mean_dphi``).  Continuous time:
    :math:`-1 + \max(r, \lambda_0)` (largest real part).  Euler map with step ``dt``:
    :math:`\log(m)/dt` with the largest multiplier
    :math:`m = \max(|1-dt| + dt\,r,\ |1 - dt + dt\,\lambda_0|)` of
    :math:`1 - dt + dt\,z` (the first term is the maximum over the disk);
    :math:`-\infty` when :math:`m = 0` (every perturbation vanishes in one step).
    """
    r = math.sqrt(g * g * c_dphi0)
    lam = J0 * mean_dphi
    if dt is None:
        return -1.0 + max(r, lam)
    m = max(abs(1.0 - dt) + dt * r, abs(1.0 - dt + dt * lam))
    return math.log(m) / dt if m > 0.0 else -math.inf


def stability(tf, g2, J0, mu, d0):
    """(bulk radius, outlier or None, max real part of the Jacobian spectrum)."""
    r = math.sqrt(g2 * _g._mean(tf, "dphi2", mu, d0))
    outlier = None
    edge = -1.0 + r
    if J0 != 0.0:
        lam = J0 * _g._mean(tf, "dphi", mu, d0)
        if abs(lam) > r:
            outlier = lam
            edge = max(edge, -1.0 + lam)
    return r, outlier, edge
