"""Whether the stationary DMFT has a bounded state: the private signal and the growth test."""

from __future__ import annotations

import contextlib
import contextvars
import math
import time

import numpy as np
from scipy import optimize, special


class _NoBoundedState(Exception):
    """Raised inside :mod:`meanfield.dmft` when a solver finds no bounded stationary state.

    A private control-flow signal, caught by the entry points and turned into the
    public error; a genuine ``OverflowError`` from the arithmetic is not caught.
    """


# --- growth of the activity at large amplitude ----------------------------------------
#
# At large amplitude a transfer function of linear growth acts as the positively
# homogeneous phi_inf(x) = a+ max(x, 0) + a- min(x, 0) (relu: a+ = 1, a- = 0; linear: 1, 1;
# bounded functions: 0, 0), and inputs and noise become negligible.  The homogeneous
# network has self-similar growing states x_i(t) = e^{gamma t} v_i with a static pattern v:
# (gamma + 1) v = J phi_inf(v).  Its mean field, with v ~ N(m, q) and z = m / sqrt(q)
# (phi_inf is homogeneous, so set q = 1), is
#
#     s z = J0 E phi_inf(h),   s^2 = g^2 E phi_inf(h)^2,   h ~ N(z, 1),   s = gamma + 1,
#
# i.e. g z = J0 rho(z) with rho = E phi_inf / sqrt(E phi_inf^2) in [-1, 1] (so |z| <= |J0|/g),
# and s = g sqrt(E phi_inf(h)^2).  (A fluctuating self-similar state with rate gamma is the
# stationary DMFT with gains g / s, J0 / s, time scaled by s; for relu its energy condition
# has no root before the static branch, measured over g, J0 in [0.8, 3] x {0, -1, -10}.)
# The activity grows without bound when the largest s exceeds 1; for relu with J0 = 0 this is
# g^2 / 2 > 1, for the linear network max(g, J0) > 1.  For the Euler map the same pattern
# grows by the factor 1 - dt + dt s per step: the criterion s > 1 does not depend on dt.

_SQ2 = math.sqrt(2.0)
_SQPI2 = math.sqrt(0.5 * math.pi)


def _relu_moments(z):
    """E max(h, 0) and E max(h, 0)^2 for h ~ N(z, 1) (no cancellation for z < 0)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(under="ignore", over="ignore"):
        pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        # Phi(z) / pdf(z) = sqrt(pi/2) erfcx(-z / sqrt 2): finite for z <= 0
        mills = _SQPI2 * special.erfcx(-np.minimum(z, 0.0) / _SQ2)
        neg = z < 0
        cdf = special.ndtr(z)
        f1 = np.where(neg, pdf * (1.0 + z * mills), z * cdf + pdf)
        f2 = np.where(neg, pdf * ((1.0 + z * z) * mills + z), (1.0 + z * z) * cdf + z * pdf)
    return np.maximum(f1, 0.0), np.maximum(f2, 0.0)


def _homogeneous_moments(a_plus, a_minus, z):
    """E phi_inf(h) and E phi_inf(h)^2 for h ~ N(z, 1)."""
    p1, p2 = _relu_moments(z)
    m1, m2 = _relu_moments(-np.asarray(z, dtype=float))     # min(h, 0) = -max(-h, 0)
    return a_plus * p1 - a_minus * m1, a_plus**2 * p2 + a_minus**2 * m2


def homogeneous_growth(a_plus, a_minus, g, J0):
    r"""Largest growth factor :math:`s = \gamma + 1` of the self-similar static states of
    the network with :math:`\phi(x) = a_+\max(x,0) + a_-\min(x,0)` (0 if there is none)."""
    if a_plus == 0.0 and a_minus == 0.0:
        return 0.0

    def gap(z):
        e1, e2 = _homogeneous_moments(a_plus, a_minus, z)
        rho = np.divide(e1, np.sqrt(e2), out=np.zeros_like(e1), where=e2 > 0.0)
        return g * z - J0 * rho

    zmax = abs(J0) / g * (1.0 + 1e-9) + 1e-9
    t = np.linspace(-math.asinh(zmax), math.asinh(zmax), 2001)
    zs = np.sinh(t)
    vals = gap(zs)
    roots = list(zs[vals == 0.0])
    for i in np.flatnonzero(vals[:-1] * vals[1:] < 0.0):
        roots.append(optimize.brentq(lambda z: float(gap(np.array(z))), zs[i], zs[i + 1],
                                     xtol=1e-14, rtol=1e-12))
    if not roots:
        return 0.0
    e2 = _homogeneous_moments(a_plus, a_minus, np.array(roots))[1]
    return float(g * np.sqrt(np.max(e2)))


def asymptotic_slopes(tf):
    """Slopes (a+, a-) of phi at +inf and -inf, or None when phi grows faster than linearly.

    Exact for the named functions; for others the secant slopes on [100, 200] and
    [-200, -100], accepted as linear growth when they agree within 1e-3 (relative) with
    those on [50, 100] and [-100, -50]."""
    from .. import transfer as _transfer
    exact = {"relu": (1.0, 0.0), "linear": (1.0, 1.0), "tanh": (0.0, 0.0), "erf": (0.0, 0.0),
             "sigmoid": (0.0, 0.0)}
    if tf is _transfer._NAMED.get(tf.name):
        return exact[tf.name]
    x = np.array([50.0, 100.0, 200.0, -50.0, -100.0, -200.0])
    with np.errstate(all="ignore"):
        f = np.asarray(tf.phi(x), dtype=float)
    if not np.all(np.isfinite(f)):
        return None
    out = []
    for near, far in (((f[1] - f[0]) / 50.0, (f[2] - f[1]) / 100.0),
                      ((f[4] - f[3]) / -50.0, (f[5] - f[4]) / -100.0)):
        if abs(far - near) > 1e-3 * max(abs(far), abs(near)) + 1e-9:
            return None
        out.append(float(far) if abs(far) > 1e-9 else 0.0)
    return tuple(out)


def local_slopes(tf, mu):
    """One-sided slopes of phi at mu, (b+, b-), when they differ (a kink at mu), else None."""
    eps = 1e-7 * max(1.0, abs(mu))
    f = np.asarray(tf.phi(np.array([mu - eps, mu, mu + eps])), dtype=float)
    bp, bm = (f[2] - f[1]) / eps, (f[1] - f[0]) / eps
    if abs(bp - bm) <= 1e-3 * max(abs(bp), abs(bm)) + 1e-9:
        return None
    return float(bp), float(bm)


# --- time budget -------------------------------------------------------------------------

class _OutOfTime(Exception):
    """Raised inside :mod:`meanfield.dmft` when a solve exceeds its CPU-time budget."""


_deadline: contextvars.ContextVar = contextvars.ContextVar("dmft_deadline", default=None)


@contextlib.contextmanager
def time_limit(seconds):
    """Bound the CPU time of the calling thread (``time.thread_time``) inside the block:
    :func:`check_time` raises :class:`_OutOfTime` past it.  Nested limits keep the earlier."""
    end = time.thread_time() + seconds
    outer = _deadline.get()
    token = _deadline.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time():
    """Raise :class:`_OutOfTime` when the current time budget is spent."""
    end = _deadline.get()
    if end is not None and time.thread_time() > end:
        raise _OutOfTime
