r"""Gaussian averages and pair functions checked against mpmath at 30 digits.

Reference values are computed here, independently of the library, with
``mpmath.quad`` (tanh-sinh) over the standard normal variable, split at the
kinks of :math:`\phi` and around the point where the argument crosses zero:

* one-point averages :math:`\langle f(\mu + \sqrt{\Delta_0} z)\rangle_z`;
* pair functions :math:`F_f = \langle g(z)\, g(\pm z)\rangle_z` with
  :math:`g(z) = \langle f(\mu + \sqrt{\Delta_0 - |\Delta|}\,x + \sqrt{|\Delta|}\,z)\rangle_x`;
  ``g`` is elementary for erf, relu and linear (1-D quadrature), and a nested
  ``mpmath.quad`` for tanh and sigmoid (slow: those run mostly under ``-m slow``).

Tolerance: relative error ``RTOL = 1e-10``; an absolute floor only where the exact
value is zero (by symmetry, ``1e-14`` times the natural scale) or below ``1e-280``
(underflow).
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import pytest

import meanfield.gaussian as G
from meanfield import transfer

mp.mp.dps = 30

RTOL = 1e-10
TINY = 1e-280

# --- mpmath transfer functions ------------------------------------------------


def _mp_fns(name):
    """phi, phi', Phi as mpmath functions, and the kinks."""
    if name == "tanh":
        return {"phi": mp.tanh, "dphi": lambda x: mp.sech(x) ** 2,
                "Phi": lambda x: mp.log(mp.cosh(x))}, ()
    if name == "sigmoid":
        def s(x):
            return 1 / (1 + mp.exp(-x))
        return {"phi": s, "dphi": lambda x: s(x) * s(-x),
                "Phi": lambda x: mp.log((1 + mp.exp(x)) / 2)}, ()
    if name == "erf":
        c = mp.sqrt(mp.pi) / 2
        return {"phi": lambda x: mp.erf(c * x), "dphi": lambda x: mp.exp(-mp.pi * x * x / 4),
                "Phi": lambda x: x * mp.erf(c * x) + 2 / mp.pi * mp.expm1(-mp.pi * x * x / 4)}, ()
    if name == "relu":
        return {"phi": lambda x: x if x > 0 else mp.mpf(0),
                "dphi": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
                "Phi": lambda x: x * x / 2 if x > 0 else mp.mpf(0)}, (0,)
    if name == "linear":
        return {"phi": lambda x: x, "dphi": lambda x: mp.mpf(1), "Phi": lambda x: x * x / 2}, ()
    if name == "hardtanh":
        return {"phi": lambda x: max(min(x, mp.mpf(1)), -mp.mpf(1)),
                "dphi": lambda x: mp.mpf(1) if abs(x) < 1 else mp.mpf(0),
                "Phi": lambda x: x * x / 2 if abs(x) < 1 else abs(x) - mp.mpf(1) / 2}, (-1, 1)
    raise KeyError(name)


def _one_point_integrand(name, what):
    fs, kinks = _mp_fns(name)
    phi, dphi = fs["phi"], fs["dphi"]
    f = {"phi": phi, "phi2": lambda x: phi(x) ** 2, "dphi": dphi,
         "dphi2": lambda x: dphi(x) ** 2, "xphidphi": lambda x: x * phi(x) * dphi(x),
         "Phi": fs["Phi"]}[what]
    return f, kinks


def _breaks(centers, scale, kinks=()):
    """Breakpoints in z: a few fixed ones, and around each centre at the given scale."""
    pts = {mp.mpf(p) for p in (-6, 0, 6)}
    for c in centers:
        for j in (-3, -1, 0, 1, 3):
            p = c + j * scale
            if abs(p) < 40:
                pts.add(p)
    for p in kinks:
        if abs(p) < 40:
            pts.add(mp.mpf(p))
    return [mp.ninf, *sorted(pts), mp.inf]


def _quad_scaled(fun, pts, coarse=False):
    """mpmath.quad of ``fun`` over ``pts`` after dividing by its largest sampled magnitude.

    mpmath.quad stops on an absolute error estimate, which is meaningless for integrands
    of size 1e-35 or 1e-220: we rescale so the integrand is of order one.
    """
    finite = [p for p in pts if mp.isfinite(p)]
    if coarse:   # for expensive integrands (nested quadrature)
        grid = set(finite) | {mp.mpf(k) / 2 for k in range(-16, 17)}
    else:
        grid = set(finite) | {mp.mpf(k) / 4 for k in range(-160, 161)}
        for a, b in zip(finite[:-1], finite[1:]):
            grid |= {a + (b - a) * j / 16 for j in range(1, 16)}
    scale = max(abs(fun(z)) for z in grid)
    if scale == 0:
        return mp.mpf(0)
    return scale * mp.quad(lambda z: fun(z) / scale, pts)


def _gauss(f, mu, s, kinks=()):
    r""":math:`\langle f(\mu + s z)\rangle_z` by mpmath.quad."""
    if s == 0:
        return f(mu)
    pts = _breaks([-mu / s], 1 / s, [(k - mu) / s for k in kinks])
    return _quad_scaled(lambda z: f(mu + s * z) * mp.exp(-z * z / 2), pts) / mp.sqrt(2 * mp.pi)


@functools.cache
def ref_mean(name, what, mu, delta0):
    """Reference one-point average (``mu`` and ``delta0`` are floats, taken exactly)."""
    f, kinks = _one_point_integrand(name, what)
    return _gauss(f, mp.mpf(mu), mp.sqrt(mp.mpf(delta0)), kinks)


def _inner_closed(name, which, m, a):
    r"""Closed form of :math:`\langle f(m + a x)\rangle_x` for erf, relu and linear."""
    if name == "linear":
        return {"phi": m, "dphi": mp.mpf(1), "Phi": (m * m + a * a) / 2}[which]
    if name == "erf":
        c = mp.pi / 4
        d1 = 1 + 2 * c * a * a
        e_phi = mp.erf(mp.sqrt(c) * m / mp.sqrt(d1))
        e_dphi = mp.exp(-c * m * m / d1) / mp.sqrt(d1)
        if which == "phi":
            return e_phi
        if which == "dphi":
            return e_dphi
        # Phi = h phi + (2/pi)(phi' - 1) and Stein's lemma
        return m * e_phi + a * a * e_dphi + 2 / mp.pi * (e_dphi - 1)
    if name == "relu":
        if a == 0:
            return _mp_fns("relu")[0][which](m)
        t = m / a
        P = mp.ncdf(t)
        pdf = mp.npdf(t)
        if which == "dphi":
            return P
        if which == "phi":
            return a * (pdf + t * P)
        return a * a * ((1 + t * t) * P + t * pdf) / 2
    raise KeyError(name)


@functools.cache
def _ref_pair_both(name, which, absdelta, delta0, mu):
    """(F(+|delta|), F(-|delta|)) sharing the inner averages g(z)."""
    d, d0, mu = mp.mpf(absdelta), mp.mpf(delta0), mp.mpf(mu)
    a, b = mp.sqrt(max(d0 - d, 0)), mp.sqrt(d)
    if name in ("erf", "relu", "linear"):
        def g(z):
            return _inner_closed(name, which, mu + b * z, a)
        kinks = (0,) if name == "relu" else ()
    else:
        fs, kinks = _mp_fns(name)
        f = fs[which]

        @functools.cache
        def g(z):
            return _gauss(f, mu + b * z, a, kinks)
    if b == 0:
        v = g(mp.mpf(0)) ** 2
        return v, v
    # g(z) varies on the scale max(a, 1)/b around z = -mu/b (and at the kinks when a == 0)
    centers = [-mu / b, mu / b]
    kz = [(k - mu) / b for k in kinks] + [-(k - mu) / b for k in kinks] if a == 0 else []
    pts = _breaks(centers, max(a, 1) / b, kz)
    norm = mp.sqrt(2 * mp.pi)
    coarse = name not in ("erf", "relu", "linear")
    fp = _quad_scaled(lambda z: g(z) * g(z) * mp.exp(-z * z / 2), pts, coarse) / norm
    fm = _quad_scaled(lambda z: g(z) * g(-z) * mp.exp(-z * z / 2), pts, coarse) / norm
    return fp, fm


def ref_pair(name, which, delta, delta0, mu):
    fp, fm = _ref_pair_both(name, which, abs(delta), delta0, mu)
    return fp if delta >= 0 else fm


# --- tests --------------------------------------------------------------------

_MEAN = {"phi": G.mean_phi, "phi2": G.mean_phi2, "dphi": G.mean_dphi, "dphi2": G.mean_dphi2,
         "xphidphi": G.mean_x_phi_dphi, "Phi": G.mean_primitive}
_ODD = {"tanh", "erf", "linear"}


def _check(value, ref, scale, zero_by_symmetry=False):
    ref = float(ref)
    if zero_by_symmetry:
        assert abs(value) <= 1e-14 * scale
    elif abs(ref) < TINY:
        assert abs(value) <= TINY
    else:
        assert abs(value - ref) <= RTOL * abs(ref), (value, ref, abs(value - ref) / abs(ref))


FAST_D0 = [1e-6, 0.1, 1.3, 100.0]
FAST_MU = [-10.0, 0.0, 0.7, 10.0]
SLOW_D0 = [1e-6, 1e-3, 0.1, 1.3, 10.0, 100.0]
SLOW_MU = [-10.0, -3.0, -0.5, 0.0, 0.7, 3.0, 10.0]
FRACTIONS = [-1.0, -0.6, 0.0, 0.3, 0.9, 1.0]


def _mean_case(name, what, mu, delta0, phi=None):
    ref = ref_mean(name, what, mu, delta0)
    value = _MEAN[what](phi or name, mu, delta0)
    zero = mu == 0.0 and name in _ODD and what == "phi"
    _check(value, ref, max(1.0, delta0), zero)


@pytest.mark.parametrize("what", list(_MEAN))
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "relu", "linear"])
def test_mean_fast(name, what):
    for delta0 in FAST_D0:
        for mu in FAST_MU:
            _mean_case(name, what, mu, delta0)


@pytest.mark.slow
@pytest.mark.parametrize("what", list(_MEAN))
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "relu", "linear"])
def test_mean_slow(name, what):
    for delta0 in SLOW_D0:
        for mu in SLOW_MU:
            _mean_case(name, what, mu, delta0)


def _pair_case(name, which, mu, delta0, fractions, phi=None):
    deltas = np.array([f * delta0 for f in fractions])
    values = G.pair(phi or name, deltas, delta0, mu, which)
    for f, d, v in zip(fractions, deltas, values):
        ref = ref_pair(name, which, float(d), delta0, mu)
        zero = mu == 0.0 and name in _ODD and which == "phi" and f == 0.0
        _check(v, ref, max(1.0, delta0) ** (2 if which == "Phi" else 1), zero)


@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", ["erf", "relu", "linear"])
def test_pair_closed_inner_fast(name, which):
    for delta0 in FAST_D0:
        for mu in FAST_MU:
            _pair_case(name, which, mu, delta0, FRACTIONS)


@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
def test_pair_custom_relu_fast(which):
    relu = transfer.custom(lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0,
                           lambda x: 0.0 * x, lambda x: 0.5 * np.maximum(x, 0.0) ** 2,
                           name="myrelu", strip=0.0, kinks=(0.0,))
    _pair_case("relu", which, 0.7, 1.3, [-0.6, 0.3, 1.0], phi=relu)


@pytest.mark.parametrize(("name", "which", "mu", "delta0"), [
    ("tanh", "phi", 0.0, 1.3), ("tanh", "dphi", 0.7, 1.3),
])
def test_pair_nested_fast(name, which, mu, delta0):
    _pair_case(name, which, mu, delta0, [-0.6, 0.3])


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", ["erf", "relu", "linear"])
def test_pair_closed_inner_slow(name, which):
    for delta0 in SLOW_D0:
        for mu in SLOW_MU:
            _pair_case(name, which, mu, delta0, FRACTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("delta0", [1e-6, 1.3, 100.0])
@pytest.mark.parametrize("mu", [0.0, 0.7, -10.0])
def test_pair_nested_slow(name, which, delta0, mu):
    _pair_case(name, which, mu, delta0, FRACTIONS)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_custom_exact_matches_reference(name):
    tf = transfer.get(name)
    c = transfer.custom(tf.phi, tf.dphi, tf.d2phi, tf.primitive, strip=tf.strip)
    for what in _MEAN:
        for delta0, mu in [(1e-6, 0.7), (1.3, -0.5), (100.0, 10.0)]:
            _mean_case(name, what, mu, delta0, phi=c)
