"""Static mean-field fixed points and their linear stability."""

from __future__ import annotations

import math

from scipy import optimize

from .. import gaussian as _g
from ._bounded import _NoBoundedState


def static_delta0(model, rtol=1e-13):
    """Smallest root of Delta0 = g^2 <phi^2> + sI^2 with the self-consistent mean.

    Returns (delta0, mu, nfev).  Raises _NoBoundedState if none exists below 1e12.
    """
    g2, sI2 = model.g2, model.sI2

    def h(d0):
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
