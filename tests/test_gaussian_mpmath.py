r"""Gaussian averages and pair functions checked against mpmath at 30 digits.

Stored references (fast)
    ``tests/data/gaussian_refs.json`` holds 30-digit values written by
    ``tools/make_gaussian_refs.py`` (mpmath, composite Gauss-Legendre panels; nested for the pair
    functions of tanh, sigmoid and softsign) for tanh, sigmoid, erf, relu, linear and the custom
    function softsign :math:`x/\sqrt{1+x^2}`: all six one-point averages on
    :math:`\Delta_0 \in \{10^{-6}, 10^{-3}, 0.1, 1.3, 10, 100\}`,
    :math:`\mu \in \{-10, -3, -0.5, 0, 0.7, 3, 10\}`, and ``pair(which=phi|Phi|dphi)`` on
    :math:`\Delta_0 \in \{10^{-6}, 1.3, 10, 100\}`, :math:`\mu \in \{-10, 0, 0.7, 10\}`,
    :math:`\Delta/\Delta_0 \in \{0, \pm 0.3, \pm 0.6, \pm 0.9, \pm 1\}`; for the nested
    tanh, sigmoid, softsign at :math:`\Delta_0 \in \{10, 100\}` also
    :math:`\Delta/\Delta_0 = \pm 0.1, \pm 0.99` (``NESTED_LARGE_FRACTIONS`` of the generator).
    :func:`test_stored_references` compares the library with every one of them.

Live references (``pytest -m slow``)
    Computed here, independently of the library and of the generator, with ``mpmath.quad``
    (tanh-sinh) over the standard normal variable at ``mp.dps = 30``, split at fixed points, at
    the kinks of :math:`\phi` and around the point where the argument of :math:`\phi` crosses zero:

    * one-point averages :math:`\langle f(\mu + \sqrt{\Delta_0} z)\rangle_z`;
    * pair functions :math:`F_f = \langle g(z)\, g(\pm z)\rangle_z` with
      :math:`g(z) = \langle f(\mu + \sqrt{\Delta_0 - |\Delta|}\,x + \sqrt{|\Delta|}\,z)\rangle_x`.
      ``g`` is elementary for erf (:math:`\langle \mathrm{erf}(c(m + a x))\rangle_x =
      \mathrm{erf}(c m / \sqrt{1 + 2 c^2 a^2})`), relu (normal cdf and pdf) and linear, so
      these references are one 1-D quadrature.  For tanh, sigmoid and the user
      function ``g`` is itself an ``mpmath.quad`` (nested, minutes per value).

    ``mpmath.quad`` stops on an *absolute* error estimate; :func:`_quad_rel` makes it
    relative by dividing the integrand by a first estimate of the integral and repeating
    until the estimate is stable, so tiny values (1e-30, 1e-200) are referenced to full
    relative accuracy.  :func:`test_stored_references_reproducible` recomputes a random
    sample of stored values with the generator (the file cannot rot).

Measured (library against the stored file): worst relative error over the one-point averages
6e-13 (sigmoid ``x phi phi'``, mu = -0.5, Delta0 = 1.3); over the pair functions 7e-12 (relu
``Phi``, mu = 0.7, Delta0 = 100, Delta/Delta0 = -0.3); tanh, erf, softsign, linear at most 3e-13.

Tolerance: relative error ``RTOL = 1e-10``.  Absolute floors only where the exact
value is zero by symmetry (``1e-14`` times the natural scale) or below ``1e-280``
(underflow of the double result).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import random
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from _functions import softsign

import meanfield.gaussian as G
from meanfield import transfer

DPS = 30
RTOL = 1e-10
TINY = 1e-280

# --- mpmath transfer functions ------------------------------------------------


def _softsign(x):
    return x / mp.sqrt(1 + x * x)


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
    if name == "softsign":   # the custom function below: algebraic tails, branch points at +-i
        return {"phi": _softsign, "dphi": lambda x: (1 + x * x) ** mp.mpf(-1.5),
                "Phi": lambda x: mp.sqrt(1 + x * x) - 1}, ()
    raise KeyError(name)




def _one_point_integrand(name, what):
    fs, kinks = _mp_fns(name)
    phi, dphi = fs["phi"], fs["dphi"]
    f = {"phi": phi, "phi2": lambda x: phi(x) ** 2, "dphi": dphi,
         "dphi2": lambda x: dphi(x) ** 2, "xphidphi": lambda x: x * phi(x) * dphi(x),
         "Phi": fs["Phi"]}[what]
    return f, kinks


_FIXED = (-12, -6, -3, 0, 3, 6, 12)


def _breaks(centers, scale, kinks=()):
    """Breakpoints in z: fixed ones, and around each centre at the given scale."""
    pts = {mp.mpf(p) for p in _FIXED}
    for c in centers:
        for j in (-2, 0, 2):
            p = c + j * scale
            if abs(p) < 40:
                pts.add(p)
    for p in kinks:
        if abs(p) < 40:
            pts.add(mp.mpf(p))
    return [mp.ninf, *sorted(pts), mp.inf]


def _quad_rel(fun, pts):
    """``mpmath.quad`` to a relative accuracy: rescale by the estimate until it is stable."""
    est = mp.quad(fun, pts)
    for _ in range(4):
        if est == 0 or abs(est) > 1e-6:
            return est
        new = est * mp.quad(lambda z, e=est: fun(z) / e, pts)
        if abs(new - est) <= 1e-20 * abs(new):
            return new
        est = new
    return est


def _gauss(f, mu, s, kinks=()):
    r""":math:`\langle f(\mu + s z)\rangle_z` by mpmath.quad."""
    if s == 0:
        return f(mu)
    pts = _breaks([-mu / s], 1 / s, [(k - mu) / s for k in kinks])
    return _quad_rel(lambda z: f(mu + s * z) * mp.exp(-z * z / 2), pts) / mp.sqrt(2 * mp.pi)


@functools.cache
def ref_mean(name, what, mu, delta0):
    """Reference one-point average (``mu`` and ``delta0`` are floats, taken exactly)."""
    with mp.workdps(DPS):
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


_CLOSED = ("erf", "relu", "linear")


@functools.cache
def _ref_pair(name, which, delta, delta0, mu):
    d, d0, mu = mp.mpf(abs(delta)), mp.mpf(delta0), mp.mpf(mu)
    a, b = mp.sqrt(max(d0 - d, 0)), mp.sqrt(d)
    if name in _CLOSED:
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
        return g(mp.mpf(0)) ** 2
    # g(z) varies on the scale max(a, 1)/b around z = -mu/b (and at the kinks when a == 0)
    sign = 1 if delta >= 0 else -1
    centers = [-mu / b, mu / b]
    kz = [(k - mu) / b for k in kinks] + [-(k - mu) / b for k in kinks] if a == 0 else []
    pts = _breaks(centers, max(a, 1) / b, kz)
    return _quad_rel(lambda z: g(z) * g(sign * z) * mp.exp(-z * z / 2), pts) / mp.sqrt(2 * mp.pi)


def ref_pair(name, which, delta, delta0, mu):
    """Reference pair function (floats in, taken exactly)."""
    with mp.workdps(DPS):
        return _ref_pair(name, which, delta, delta0, mu)


# --- comparison ------------------------------------------------------------------

_MEAN = {"phi": G.mean_phi, "phi2": G.mean_phi2, "dphi": G.mean_dphi, "dphi2": G.mean_dphi2,
         "xphidphi": G.mean_x_phi_dphi, "Phi": G.mean_primitive}
_ODD = {"tanh", "erf", "linear", "softsign"}


def _rel_err(value, ref, scale, zero_by_symmetry=False):
    """Error in units of RTOL (<= 1 passes)."""
    ref = float(ref)
    if zero_by_symmetry:
        return abs(value) / (1e-14 * scale) * 1e-10 / RTOL
    if abs(ref) < TINY:
        return 0.0 if abs(value) <= TINY else math.inf
    return abs(value - ref) / abs(ref) / RTOL


def _check(value, ref, scale, zero_by_symmetry=False, what=""):
    err = _rel_err(value, ref, scale, zero_by_symmetry)
    assert err <= 1.0, (what, value, float(ref), f"{err * RTOL:.2e} relative")


def _lib(name):
    return softsign() if name == "softsign" else name


def _mean_case(name, what, mu, delta0, phi=None):
    ref = ref_mean(name, what, mu, delta0)
    value = _MEAN[what](phi or _lib(name), mu, delta0)
    zero = mu == 0.0 and name in _ODD and what == "phi"
    _check(value, ref, max(1.0, delta0), zero, (name, what, mu, delta0))


def _pair_case(name, which, mu, delta0, fractions, phi=None):
    deltas = np.array([f * delta0 for f in fractions])
    values = G.pair(phi or _lib(name), deltas, delta0, mu, which)
    for f, d, v in zip(fractions, deltas, values):
        ref = ref_pair(name, which, float(d), delta0, mu)
        zero = mu == 0.0 and name in _ODD and which == "phi" and f == 0.0
        _check(v, ref, max(1.0, delta0) ** (2 if which == "Phi" else 1), zero,
               (name, which, mu, delta0, f))


# --- grids -----------------------------------------------------------------------

CORNER_POINTS = [(1e-6, -10.0), (1.3, 0.7), (1.3, 10.0), (100.0, 0.0)]
SLOW_D0 = [1e-6, 1e-3, 0.1, 1.3, 10.0, 100.0]
SLOW_MU = [-10.0, -3.0, -0.5, 0.0, 0.7, 3.0, 10.0]
FRACTIONS = [-1.0, -0.6, 0.0, 0.3, 0.9, 1.0]
NAMES = ["tanh", "sigmoid", "erf", "relu", "linear", "softsign"]


# --- one-point averages ------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("what", list(_MEAN))
@pytest.mark.parametrize("name", NAMES)
def test_mean_live_corners(name, what):
    for delta0, mu in CORNER_POINTS:
        _mean_case(name, what, mu, delta0)


@pytest.mark.slow
@pytest.mark.parametrize("what", list(_MEAN))
@pytest.mark.parametrize("name", NAMES)
def test_mean_slow(name, what):
    for delta0 in SLOW_D0:
        for mu in SLOW_MU:
            _mean_case(name, what, mu, delta0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_custom_exact_matches_reference(name):
    """custom() with the exact derivatives takes the generic path: same accuracy."""
    tf = transfer.get(name)
    c = transfer.custom(tf.phi, tf.dphi, tf.d2phi, tf.primitive, strip=tf.strip)
    for what in _MEAN:
        for delta0, mu in [(1e-6, 0.7), (1.3, -0.5), (100.0, 10.0)]:
            _mean_case(name, what, mu, delta0, phi=c)


# --- pair functions: elementary inner average ----------------------------------------

CORNER_PAIR_POINTS = [(1e-6, 0.7), (1.3, -10.0), (100.0, 0.0)]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", _CLOSED)
def test_pair_closed_inner_live_corners(name, which):
    for delta0, mu in CORNER_PAIR_POINTS:
        _pair_case(name, which, mu, delta0, [-1.0, -0.6, 0.9])


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", _CLOSED)
def test_pair_closed_inner_slow(name, which):
    for delta0 in SLOW_D0:
        for mu in SLOW_MU:
            _pair_case(name, which, mu, delta0, FRACTIONS)


def _custom_relu():
    return transfer.custom(lambda x: np.maximum(x, 0.0), lambda x: (x > 0) * 1.0,
                           lambda x: 0.0 * x, lambda x: 0.5 * np.maximum(x, 0.0) ** 2,
                           name="myrelu", strip=0.0, kinks=(0.0,))


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
def test_pair_custom_relu_live(which):
    """The generic kinked path (GL panels split at the kink) against the relu reference."""
    _pair_case("relu", which, 0.7, 1.3, [-0.6, 0.3], phi=_custom_relu())


@pytest.mark.slow
def test_custom_kink_far_in_tail():
    """Regression: a kink beyond z = 9.5 gave 0 instead of the tiny value."""
    c = _custom_relu()
    _mean_case("relu", "phi", -10.0, 1.0, phi=c)
    _pair_case("relu", "phi", -10.0, 1.0, [0.5], phi=c)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize(("delta0", "mu"), [(1e-6, 0.7), (1.3, 0.0), (1.3, -3.0),
                                             (100.0, 10.0), (100.0, -10.0)])
def test_pair_custom_relu_slow(which, delta0, mu):
    _pair_case("relu", which, mu, delta0, [-1.0, -0.6, 0.3, 0.9, 1.0], phi=_custom_relu())


# --- pair functions: nested reference --------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("name", "which", "mu", "delta0", "fraction"), [
    ("tanh", "phi", 0.0, 1.3, -0.6),
    ("sigmoid", "dphi", 10.0, 1.3, 0.3),
    ("softsign", "Phi", -10.0, 1.3, 0.9),
])
def test_pair_nested_live_sample(name, which, mu, delta0, fraction):
    _pair_case(name, which, mu, delta0, [fraction])


@pytest.mark.slow
@pytest.mark.parametrize("which", ["phi", "Phi", "dphi"])
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softsign"])
@pytest.mark.parametrize("delta0", [1e-6, 1.3, 100.0])
@pytest.mark.parametrize("mu", [0.0, 0.7, -10.0, 10.0])
def test_pair_nested_slow(name, which, delta0, mu):
    _pair_case(name, which, mu, delta0, [-1.0, -0.6, 0.3, 1.0])


# --- stored references (fast) ----------------------------------------------------------------

_ROOT = Path(__file__).resolve().parent.parent
_REFS = Path(__file__).resolve().parent / "data" / "gaussian_refs.json"
_PAIR_FNS = {"phi", "Phi", "dphi"}


@functools.cache
def _stored():
    return json.loads(_REFS.read_text())


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_gaussian_refs", _ROOT / "tools" / "make_gaussian_refs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _stored_errors(records, phi=None):
    """Errors in units of RTOL of the library against stored records (one dict per record)."""
    out = []
    groups = {}
    for r in records:
        if "what" in r:
            value = _MEAN[r["what"]](phi or _lib(r["name"]), r["mu"], r["delta0"])
            zero = r["mu"] == 0.0 and r["name"] in _ODD and r["what"] == "phi"
            scale = max(1.0, r["delta0"])
            out.append((_rel_err(value, mp.mpf(r["value"]), scale, zero), r, value))
        else:
            groups.setdefault((r["name"], r["which"], r["mu"], r["delta0"]), []).append(r)
    for (name, which, mu, delta0), recs in groups.items():
        values = G.pair(phi or _lib(name), np.array([r["delta"] for r in recs]), delta0, mu, which)
        for r, v in zip(recs, values):
            zero = mu == 0.0 and name in _ODD and which == "phi" and r["fraction"] == 0.0
            scale = max(1.0, delta0) ** (2 if which == "Phi" else 1)
            if name == "linear" and which == "phi" and mu * mu + r["delta"] == 0.0:
                # F = mu^2 + Delta = 0 exactly (mu = -10, Delta = -100): h2 = 2 mu - h1
                zero, scale = True, mu * mu + delta0
            out.append((_rel_err(float(v), mp.mpf(r["value"]), scale, zero), r, float(v)))
    return out


def _assert_all(errors):
    bad = [(f"{e * RTOL:.2e}", r, v) for e, r, v in errors if not e <= 1.0]
    assert not bad, f"{len(bad)} of {len(errors)} beyond rtol {RTOL}: {bad[:5]}"


def test_stored_grid_complete():
    data = _stored()
    meta = data["meta"]
    assert meta["dps"] >= 30
    assert {r["name"] for r in data["mean"]} == set(NAMES)
    assert len(data["mean"]) == len(NAMES) * len(SLOW_D0) * len(SLOW_MU) * len(_MEAN)
    assert min(meta["mean_delta0"]) <= 1e-6 and max(meta["mean_delta0"]) >= 100
    assert min(meta["pair_mu"]) <= -10 and max(meta["pair_mu"]) >= 10
    pair_keys = {(r["name"], r["which"], r["mu"], r["delta0"], r["fraction"]) for r in data["pair"]}
    for name in NAMES:
        for which in _PAIR_FNS:
            for delta0 in (1e-6, 1.3, 10.0, 100.0):
                nested = name in ("tanh", "sigmoid", "softsign") and delta0 >= 10.0
                for mu in (-10.0, 0.0, 0.7, 10.0):
                    fractions = (0.0, 0.1, 0.3, 0.6, 0.9, 0.99, 1.0) if nested else (
                        0.0, 0.3, 0.6, 0.9, 1.0)
                    for f in {s * f for f in fractions for s in (1.0, -1.0)}:
                        assert (name, which, mu, delta0, f) in pair_keys
    # the file holds exactly the generator's grid
    assert {(r["name"], r["delta0"], r["mu"], abs(r["fraction"])) for r in data["pair"]} == set(
        _generator().pair_grid())
    assert len(pair_keys) == len(data["pair"])
    assert all(len(r["value"].replace("-", "").replace(".", "").split("e")[0]) >= 30
               for r in data["mean"][:20])


@pytest.mark.parametrize("name", NAMES)
def test_stored_references(name):
    """The library against every stored 30-digit reference: rtol 1e-10."""
    data = _stored()
    records = [r for r in data["mean"] + data["pair"] if r["name"] == name]
    _assert_all(_stored_errors(records))


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_stored_custom_generic_path(name):
    """custom() with the exact derivatives of a named function takes the generic path."""
    tf = transfer.get(name)
    c = transfer.custom(tf.phi, tf.dphi, tf.d2phi, tf.primitive, strip=tf.strip)
    data = _stored()
    records = [r for r in data["mean"] + data["pair"] if r["name"] == name
               and r["delta0"] in (1e-6, 1.3, 10.0, 100.0)]
    _assert_all(_stored_errors(records, phi=c))


def test_stored_custom_kinked_path():
    """A user relu (GL panels split at the kink) against the stored relu references."""
    data = _stored()
    records = [r for r in data["mean"] if r["name"] == "relu"]
    # the nested kinked pair rule costs ~0.1 s per value: a sample of the corners
    records += [r for r in data["pair"] if r["name"] == "relu" and r["mu"] in (-10.0, 0.7)
                and r["delta0"] in (1e-6, 100.0) and r["fraction"] in (-0.6, 1.0)]
    _assert_all(_stored_errors(records, phi=_custom_relu()))


@pytest.mark.slow
def test_stored_references_reproducible():
    """A random sample of stored values, recomputed with the generator, agrees to 1e-20."""
    gen = _generator()
    data = _stored()
    rng = random.Random(20240611)
    sample = rng.sample(data["mean"], 2) + rng.sample(
        [r for r in data["pair"] if r["name"] in gen.NESTED and 0 < abs(r["fraction"]) < 1], 2)
    sample += rng.sample([r for r in data["pair"] if r["name"] not in gen.NESTED], 1)
    for r in sample:
        if "what" in r:
            with mp.workdps(DPS):
                new = gen.means(r["name"], r["mu"], r["delta0"])[r["what"]]
        else:
            sign = 1 if r["fraction"] >= 0 else -1
            with mp.workdps(DPS):
                new = gen.pairs(r["name"], r["mu"], r["delta0"], abs(r["fraction"]))[
                    (sign, r["which"])]
        with mp.workdps(DPS):
            old = mp.mpf(r["value"])
            assert abs(new - old) <= 1e-20 * abs(old) + mp.mpf(10) ** -300, (r, new)
