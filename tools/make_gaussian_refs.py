r"""Write ``tests/data/gaussian_refs.json``: 30-digit mpmath references for ``meanfield.gaussian``.

Usage::

    python tools/make_gaussian_refs.py            # full grid (about 25 min on one core)
    python tools/make_gaussian_refs.py --add      # only the grid points missing from the file
    python tools/make_gaussian_refs.py --check    # compare the rule with mpmath.quad at a few points

Every value is an average over standard normal variables computed at ``mp.dps = 30`` with
composite Gauss-Legendre panels of fixed degree (:data:`DEG` nodes, width at most :data:`WMAX`),
independently of the library:

* one-point averages :math:`\langle f(\mu + \sqrt{\Delta_0} z)\rangle_z` for
  :math:`f \in \{\phi, \phi^2, \phi', \phi'^2, h\phi\phi', \Phi\}`;
* pair functions :math:`F_f = \langle g(z)\, g(\pm z)\rangle_z` (sign of :math:`\Delta`) with
  :math:`g(z) = \langle f(\mu + \sqrt{\Delta_0 - |\Delta|}\,x + \sqrt{|\Delta|}\,z)\rangle_x`,
  :math:`f \in \{\phi, \Phi, \phi'\}`.  ``g`` is elementary for erf, relu and linear (evaluated
  with 40 extra digits: the relu form cancels far in the tail); for tanh, sigmoid and softsign
  it is itself a panel rule in :math:`x` (nested quadrature).

Panels (:func:`rule`): the truncated range is :math:`[-12, 12]`, widened to 11 beyond the
point where the integrand can peak (between 0 and the zero crossing of the argument of
:math:`\phi`, at most ``rate * scale`` from 0 for functions decaying like
:math:`e^{-\mathrm{rate}\,|y|}`); breakpoints at the kinks and geometrically graded towards the
zero crossing :math:`c` (:math:`c \pm \sigma 2^k`, :math:`\sigma` the distance of the nearest
complex singularity of the integrand in the integration variable), so that every panel sees its
nearest singularity at a distance of at least its own width.  ``--check`` compares with
``mpmath.quad`` (tanh-sinh, relative, from ``tests/test_gaussian_mpmath.py``) at a few points.

The grids are the module constants below; the test ``tests/test_gaussian_mpmath.py`` compares
the library with every stored value and recomputes a random sample with this module (slow).
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import sys
import time
from functools import cache
from pathlib import Path

import mpmath as mp

DPS = 30
DEG = 20          # Gauss-Legendre nodes per panel
WMAX = 2.0        # largest panel width (in the standard normal variable)
L = 12            # half-width of the default range
MARGIN = 11       # range extends this far beyond the possible peak of the integrand
TAIL = 10.0       # panels at most TAIL / |z| wide in the normal variable (see _breaks)
ZCAP = 30         # no peak further out than this is considered (weight exp(-450))

NAMES = ("tanh", "sigmoid", "erf", "relu", "linear", "softsign")
NESTED = ("tanh", "sigmoid", "softsign")
WHATS = ("phi", "phi2", "dphi", "dphi2", "xphidphi", "Phi")
WHICH = ("phi", "Phi", "dphi")
MEAN_D0 = (1e-6, 1e-3, 0.1, 1.3, 10.0, 100.0)
MEAN_MU = (-10.0, -3.0, -0.5, 0.0, 0.7, 3.0, 10.0)
PAIR_D0 = (1e-6, 1.3, 10.0, 100.0)
NESTED_PAIR_D0 = (1e-6, 1.3)   # nested pair rules (tanh, sigmoid, softsign): full fraction grid
PAIR_MU = (-10.0, 0.0, 0.7, 10.0)
# |Delta| / Delta0; both signs are stored (one inner average serves +f and -f)
PAIR_ABS_FRACTIONS = (0.0, 0.3, 0.6, 0.9, 1.0)
# nested pair rules at large Delta0 (tanh, sigmoid, softsign; every mu in PAIR_MU): these
# |fractions|, with 0.1 and 0.99 added (5-10 s per value at Delta0 = 100)
NESTED_LARGE_FRACTIONS = {10.0: (0.0, 0.1, 0.3, 0.6, 0.9, 0.99, 1.0),
                          100.0: (0.0, 0.1, 0.3, 0.6, 0.9, 0.99, 1.0)}

# half-width of the analyticity strip of phi (distance of the nearest complex singularity);
# for erf (entire) the scale on which it changes
STRIP = {"tanh": math.pi / 2, "sigmoid": math.pi, "erf": 1.0, "softsign": 1.0}
# exponential decay rate of phi'^2 (the fastest-decaying integrand) for the nested rules
RATE = 4.0

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "gaussian_refs.json"


# --- transfer functions in mpmath: (phi, phi', Phi) at once ------------------------------

def fns(name):
    """Return ``y -> (phi(y), phi'(y), Phi(y))`` in mpmath (``Phi(0) = 0``)."""
    one, two = mp.mpf(1), mp.mpf(2)
    log2 = mp.log(2)
    if name == "tanh":
        def f(y):
            if abs(y) < 1:
                ch = mp.cosh(y)
                return mp.tanh(y), 1 / (ch * ch), mp.log(ch)
            e = mp.exp(-2 * abs(y))
            t = (one - e) / (one + e)
            return (t if y > 0 else -t), 4 * e / ((one + e) ** 2), abs(y) + mp.log1p(e) - log2
    elif name == "sigmoid":
        def f(y):
            e = mp.exp(-abs(y))
            s = one / (one + e)
            phi = s if y >= 0 else e * s
            return phi, e * s * s, max(y, 0) + mp.log1p(e) - log2
    elif name == "softsign":
        def f(y):
            q = mp.sqrt(1 + y * y)
            return y / q, 1 / (q * q * q), y * y / (q + 1)
    elif name == "erf":
        c = mp.sqrt(mp.pi) / 2

        def f(y):
            e = mp.erf(c * y)
            return e, mp.exp(-mp.pi * y * y / 4), y * e + 2 / mp.pi * mp.expm1(-mp.pi * y * y / 4)
    elif name == "relu":
        def f(y):
            if y > 0:
                return y, one, y * y / two
            return mp.mpf(0), mp.mpf(0), mp.mpf(0)
    elif name == "linear":
        def f(y):
            return y, one, y * y / two
    else:
        raise KeyError(name)
    return f


# --- panel rule ----------------------------------------------------------------------

@cache
def _gl(n, dps):
    """Gauss-Legendre nodes and weights on [-1, 1] (Newton on the three-term recurrence)."""
    with mp.workdps(dps + 20):
        xs, ws = [], []
        for i in range(1, n + 1):
            x = mp.cos(mp.pi * (i - mp.mpf(1) / 4) / (n + mp.mpf(1) / 2))
            for _ in range(100):
                p0, p1 = mp.mpf(1), x
                for k in range(2, n + 1):
                    p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
                dp = n * (x * p1 - p0) / (x * x - 1)
                dx = p1 / dp
                x -= dx
                if abs(dx) < mp.mpf(10) ** (-dps - 15):
                    break
            xs.append(x)
            ws.append(2 / ((1 - x * x) * dp * dp))
    return tuple(+x for x in xs), tuple(+w for w in ws)


def _range_with_peak(center, scale, rate):
    """Range of z covering [-L, L] and MARGIN beyond where the integrand can peak."""
    lo, hi = -L, L
    if center is not None and abs(center) < math.inf:
        shift = min(abs(center), rate * scale, ZCAP)
        zs = math.copysign(shift, center)
        lo, hi = min(lo, zs - MARGIN), max(hi, zs + MARGIN)
    return lo, hi


def _breaks(lo, hi, centers, sigma, kinks, wmax, tail=False):
    """Sorted breakpoints on [lo, hi]: kinks, centres, c +- sigma 2^k; no panel wider than wmax.

    With ``tail``, panels are also at most ``10 / |z|`` wide: the normal weight falls by
    :math:`e^{-|z| w}` across a panel of width w, and an integrand cut off at a kink in the
    tail (relu) has all its mass there.  20-point Gauss-Legendre integrates
    :math:`e^{-k x}` on [-1, 1] to 3e-37 relative for k = 4, 2e-26 for k = 8.
    """
    pts = {mp.mpf(lo), mp.mpf(hi)}
    if tail and lo < 0 < hi:
        pts.add(mp.mpf(0))
    for k in kinks:
        if lo < k < hi:
            pts.add(mp.mpf(k))
    if sigma is not None and sigma < wmax:
        for c in centers:
            if lo < c < hi:
                pts.add(mp.mpf(c))
            d = mp.mpf(sigma) / 2
            while d < hi - lo + abs(c):
                for p in (c - d, c + d):
                    if lo < p < hi:
                        pts.add(mp.mpf(p))
                d *= 2
    pts = sorted(pts)
    out = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:]):
        if not tail:
            n = max(1, int(math.ceil(float(b - a) / wmax)))
            out.extend(a + (b - a) * j / n for j in range(1, n + 1))
            continue
        if a < 0 < b:
            raise AssertionError("tail panels need 0 as a breakpoint")
        # step away from 0 so that mirrored segments get mirrored points
        x, end, sgn = (a, b, 1) if a >= 0 else (b, a, -1)
        seg = []
        while True:
            w = min(wmax, TAIL / (abs(float(x)) + wmax))
            if abs(float(end - x)) <= 1.001 * w:
                break
            x = x + sgn * w
            seg.append(x)
        out.extend(seg if sgn > 0 else seg[::-1])
        out.append(b)
    return out


def _gl_nodes(pts):
    """Composite Gauss-Legendre nodes and weights on the panels between the breakpoints."""
    xg, wg = _gl(DEG, DPS)
    zs, ws = [], []
    for a, b in zip(pts[:-1], pts[1:]):
        half = (b - a) / 2
        mid = a + half
        for x, w in zip(xg, wg):
            zs.append(mid + half * x)
            ws.append(half * w)
    return zs, ws


def rule(centers=(), sigma=None, kinks=(), scale=0.0, rate=math.inf, symmetric=False):
    """Nodes z and weights w (mpf) with sum w F(z) ~= E F(Z), Z standard normal.

    ``centers``: points where the integrand changes on the length ``sigma`` (its nearest
    complex singularity is about ``sigma`` away); ``kinks``: breakpoints; ``scale * rate``:
    bound on how far towards a centre the integrand's mass can move.  With ``symmetric`` the
    nodes are mirrored exactly (``zs[::-1] == -zs``), for averages of g(z) g(-z).
    """
    lo, hi = -L, L
    for c in (*centers, *kinks):
        a, b = _range_with_peak(float(c), scale, rate)
        lo, hi = min(lo, a), max(hi, b)
    if symmetric:
        hi = max(-lo, hi)
        pos = [abs(p) for p in (*centers, *kinks)]
        pts = _breaks(0, hi, pos, sigma, pos, WMAX, tail=True)
        zs, ws = _gl_nodes(pts)
        zs, ws = [-z for z in zs[::-1]] + zs, ws[::-1] + ws
    else:
        zs, ws = _gl_nodes(_breaks(lo, hi, centers, sigma, kinks, WMAX, tail=True))
    norm = 1 / mp.sqrt(2 * mp.pi)
    return zs, [w * mp.exp(-z * z / 2) * norm for z, w in zip(zs, ws)]


# --- one-point averages ----------------------------------------------------------------

def _combine(name, y, v):
    phi, dphi, Phi = v
    return {"phi": phi, "phi2": phi * phi, "dphi": dphi, "dphi2": dphi * dphi,
            "xphidphi": y * phi * dphi, "Phi": Phi}


def means(name, mu, delta0):
    """All six one-point averages at (mu, delta0) (floats, taken exactly), as a dict of mpf."""
    with mp.workdps(DPS):
        f = fns(name)
        mu, d0 = mp.mpf(mu), mp.mpf(delta0)
        s = mp.sqrt(d0)
        if s == 0:
            return _combine(name, mu, f(mu))
        c = -mu / s
        if name == "relu":
            zs, ws = rule(kinks=(c,))
        elif name == "linear":
            zs, ws = rule()
        else:
            zs, ws = rule(centers=(c,), sigma=STRIP[name] / s)
        acc = dict.fromkeys(WHATS, mp.mpf(0))
        for z, w in zip(zs, ws):
            y = mu + s * z
            for k, v in _combine(name, y, f(y)).items():
                acc[k] += w * v
        return acc


# --- pair functions ------------------------------------------------------------------

def _inner_closed(name, m, a):
    r""":math:`\langle f(m + a x)\rangle_x` for f = phi, Phi, phi' in closed form (erf, relu, linear)."""
    if name == "linear":
        return {"phi": m, "Phi": (m * m + a * a) / 2, "dphi": mp.mpf(1)}
    if name == "erf":
        c = mp.pi / 4
        d1 = 1 + 2 * c * a * a
        e_phi = mp.erf(mp.sqrt(c) * m / mp.sqrt(d1))
        e_dphi = mp.exp(-c * m * m / d1) / mp.sqrt(d1)
        # Phi = h phi + (2/pi)(phi' - 1) and Stein's lemma E[h phi] = m E phi + a^2 E phi'
        e_dphi_m1 = mp.expm1(-c * m * m / d1 - mp.log1p(2 * c * a * a) / 2)
        return {"phi": e_phi, "dphi": e_dphi,
                "Phi": m * e_phi + a * a * e_dphi + 2 / mp.pi * e_dphi_m1}
    if name == "relu":
        if a == 0:
            p, dp, pp = fns("relu")(m)
            return {"phi": p, "Phi": pp, "dphi": dp}
        with mp.workdps(DPS + 40):
            t = m / a
            P, pdf = mp.ncdf(t), mp.npdf(t)
            out = {"phi": a * (pdf + t * P), "Phi": a * a * ((1 + t * t) * P + t * pdf) / 2,
                   "dphi": P}
        return {k: +v for k, v in out.items()}
    raise KeyError(name)


def pairs(name, mu, delta0, abs_fraction):
    """F_phi, F_Phi, F_phi' at Delta = +-abs_fraction * delta0.

    Returns ``{(sign, which): mpf}`` for sign in (+1, -1); Delta is formed in floating point
    (``sign * abs_fraction * delta0``) exactly as the test does, then taken exactly.
    """
    out = {}
    with mp.workdps(DPS):
        mu_, d0 = mp.mpf(mu), mp.mpf(delta0)
        dabs = mp.mpf(abs_fraction * delta0)
        a, b = mp.sqrt(max(d0 - dabs, 0)), mp.sqrt(dabs)
        f = fns(name)
        if b == 0:
            g0 = _g_values(name, f, [mu_], a)[0]
            for sign in (1, -1):
                for w in WHICH:
                    out[(sign, w)] = g0[w] ** 2
            return out
        z0 = -mu_ / b
        if name == "relu" and a == 0:
            zs, ws = rule(kinks=(z0, -z0), symmetric=True)
        elif name == "linear":
            zs, ws = rule(symmetric=True)
        else:
            sig = max(STRIP.get(name, 0.0), float(a)) / float(b)
            nested = name in NESTED
            zs, ws = rule(centers=(z0, -z0), sigma=sig, scale=float(b),
                          rate=RATE if nested else math.inf, symmetric=True)
        g = _g_values(name, f, [mu_ + b * z for z in zs], a)
        n = len(zs)
        for sign in (1, -1):
            for w in WHICH:
                acc = mp.mpf(0)
                for i in range(n):
                    j = i if sign > 0 else n - 1 - i
                    acc += ws[i] * g[i][w] * g[j][w]
                out[(sign, w)] = acc
    return out


def _g_values(name, f, ms, a):
    if name not in NESTED:
        return [_inner_closed(name, m, a) for m in ms]
    if a == 0:
        res = []
        for m in ms:
            p, dp, pp = f(m)
            res.append({"phi": p, "Phi": pp, "dphi": dp})
        return res
    return _g_nested(name, f, ms, a)


def _g_nested(name, f, ms, a):
    r"""Inner averages :math:`\langle f(m + a x)\rangle_x` for all ``ms`` at once.

    Written as :math:`\int f(y)\, e^{-(y - m)^2 / 2a^2} dy / (a\sqrt{2\pi})` on one set of
    panels in :math:`y` (width at most ``WMAX * a``, graded towards :math:`y = 0` on the scale of
    the strip), so that :math:`f` is evaluated once for every ``m``.  For each ``m`` the sum runs
    over :math:`|y - m| \le 12 a`, widened towards 0 by :math:`\min(|m|, 2a^2)` (the peak of
    :math:`\phi'(y) e^{-(y-m)^2/2a^2}` for :math:`\phi' \sim e^{-2|y|}`) plus ``MARGIN * a``.
    """
    fa = float(a)

    def window(m):
        m = float(m)
        ext = min(abs(m), RATE / 2 * fa * fa) + MARGIN * fa
        lo, hi = m - L * fa, m + L * fa
        if m > 0:
            lo = min(lo, m - ext)
        else:
            hi = max(hi, m + ext)
        return lo, hi

    wins = [window(m) for m in ms]
    ylo, yhi = min(w[0] for w in wins), max(w[1] for w in wins)
    ys, wy = _gl_nodes(_breaks(ylo, yhi, (0.0,), STRIP[name], (), WMAX * fa))
    fy = [f(y) for y in ys]
    yf = [float(y) for y in ys]
    norm = 1 / (a * mp.sqrt(2 * mp.pi))
    two_a2 = 2 * a * a
    wphi = [w * v[0] for w, v in zip(wy, fy)]
    wdphi = [w * v[1] for w, v in zip(wy, fy)]
    wPhi = [w * v[2] for w, v in zip(wy, fy)]
    res = []
    for m, (lo, hi) in zip(ms, wins):
        i0, i1 = bisect.bisect_left(yf, lo), bisect.bisect_right(yf, hi)
        sp = sP = sd = mp.mpf(0)
        for i in range(i0, i1):
            d = ys[i] - m
            k = mp.exp(-d * d / two_a2)
            sp += k * wphi[i]
            sP += k * wPhi[i]
            sd += k * wdphi[i]
        res.append({"phi": sp * norm, "Phi": sP * norm, "dphi": sd * norm})
    return res


# --- driver --------------------------------------------------------------------------

def _s(v):
    return mp.nstr(v, DPS, strip_zeros=False, min_fixed=1, max_fixed=0)


def mean_records(name, mu, delta0):
    vals = means(name, mu, delta0)
    return [{"name": name, "what": w, "mu": mu, "delta0": delta0, "value": _s(vals[w])}
            for w in WHATS]


def pair_records(name, mu, delta0, abs_fraction):
    vals = pairs(name, mu, delta0, abs_fraction)
    recs = []
    for sign in ((1,) if abs_fraction == 0.0 else (1, -1)):
        frac = sign * abs_fraction
        for w in WHICH:
            recs.append({"name": name, "which": w, "mu": mu, "delta0": delta0,
                         "fraction": frac, "delta": frac * delta0, "value": _s(vals[(sign, w)])})
    return recs


def _write(path, data):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=0) + "\n")
    os.replace(tmp, path)


def generate(path=OUT):
    t0 = time.time()
    data = {
        "meta": {
            "generator": "tools/make_gaussian_refs.py",
            "dps": DPS, "gl_degree": DEG, "panel_width_max": WMAX, "range_half_width": L,
            "names": list(NAMES),
            "softsign": "custom function x / sqrt(1 + x^2) (strip 1), Phi = sqrt(1 + x^2) - 1",
            "erf": "erf(sqrt(pi) x / 2)",
            "mean_delta0": list(MEAN_D0), "mean_mu": list(MEAN_MU),
            "pair_delta0": list(PAIR_D0), "nested_pair_delta0": list(NESTED_PAIR_D0),
            "pair_mu": list(PAIR_MU),
            "pair_fractions": sorted({s * f for f in PAIR_ABS_FRACTIONS for s in (1, -1)}),
            "complete": False,
        },
        "mean": [], "pair": [],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        for d0 in MEAN_D0:
            for mu in MEAN_MU:
                data["mean"].extend(mean_records(name, mu, d0))
    print(f"one-point: {len(data['mean'])} values, {time.time() - t0:.0f} s", flush=True)
    _write(path, data)
    data["meta"]["seconds"] = round(time.time() - t0, 1)
    _pairs_into(path, data, pair_grid(), t0)


def pair_grid():
    """All pair points (name, delta0, mu, |fraction|), cheapest first.

    The nested rules at large delta0 come last, block by block (name in NESTED order, then
    delta0 ascending), so that an interrupted run leaves whole blocks.
    """
    base = sorted([(name, d0, mu, fr) for name in NAMES
                   for d0 in (NESTED_PAIR_D0 if name in NESTED else PAIR_D0)
                   for mu in PAIR_MU for fr in PAIR_ABS_FRACTIONS],
                  key=lambda c: (c[0] in NESTED, c[1] == 10.0, c[0], c[1], c[2], c[3]))
    large = [(name, d0, mu, fr) for name in NESTED for d0 in sorted(NESTED_LARGE_FRACTIONS)
             for mu in PAIR_MU for fr in NESTED_LARGE_FRACTIONS[d0]]
    key = {(n, d): i for i, (n, d) in enumerate((n, d) for n in NESTED
                                                  for d in sorted(NESTED_LARGE_FRACTIONS))}
    # within a block: the cheap corners (|fraction| 0 and 1) first
    large.sort(key=lambda c: (key[(c[0], c[1])], 0 < c[3] < 1, c[2], c[3]))
    return base + large


def _meta_grid(meta):
    meta.update({"pair_delta0": list(PAIR_D0), "nested_pair_delta0": list(NESTED_PAIR_D0),
                 "nested_large_fractions": {str(k): list(v)
                                            for k, v in NESTED_LARGE_FRACTIONS.items()}})
    meta.pop("nested_pair_note", None)
    meta.pop("nested_extra", None)


def _pairs_into(path, data, order, t0):
    """Compute the pair points ``order`` missing from ``data``; write after each one."""
    _meta_grid(data["meta"])
    have = {(r["name"], r["delta0"], r["mu"], abs(r["fraction"])) for r in data["pair"]}
    todo = [c for c in order if c not in have]
    data["meta"]["complete"] = False
    for k, (name, d0, mu, fr) in enumerate(todo):
        t1 = time.time()
        data["pair"].extend(pair_records(name, mu, d0, fr))
        data["meta"]["seconds"] = round(data["meta"].get("seconds", 0.0) + time.time() - t1, 1)
        _write(path, data)
        print(f"[{k + 1}/{len(todo)}] {name} delta0={d0} mu={mu} |f|={fr}: "
              f"{time.time() - t1:.1f} s (total {time.time() - t0:.0f} s)", flush=True)
    data["meta"]["complete"] = True
    _write(path, data)


def add(path=OUT):
    """Add the points of the current grid missing from an existing file (incrementally)."""
    data = json.loads(path.read_text())
    _pairs_into(path, data, pair_grid(), time.time())


def check():
    """Compare the panel rule with the mpmath.quad references of the test module."""
    sys.path.insert(0, str(OUT.parent.parent.parent))
    sys.path.insert(0, str(OUT.parent.parent))
    import test_gaussian_mpmath as T

    worst = 0.0
    for name, mu, d0 in [("tanh", 10.0, 1.3), ("sigmoid", -10.0, 100.0), ("relu", -3.0, 0.1),
                         ("erf", 10.0, 0.1), ("softsign", 0.7, 1e-3), ("tanh", -0.5, 100.0)]:
        vals = means(name, mu, d0)
        for w in WHATS:
            ref = T.ref_mean(name, w, mu, d0)
            err = abs(vals[w] - ref) / abs(ref) if ref != 0 else abs(vals[w])
            worst = max(worst, float(err))
            print(f"mean {name} {w} mu={mu} d0={d0}: {mp.nstr(err, 3)}", flush=True)
    for name, mu, d0, fr in [("tanh", 0.7, 1.3, 0.6), ("sigmoid", 10.0, 100.0, 0.3),
                             ("softsign", -10.0, 1.3, 0.9), ("relu", 0.7, 1.3, 1.0),
                             ("erf", 10.0, 1.3, 1.0)]:
        t1 = time.time()
        vals = pairs(name, mu, d0, fr)
        tr = time.time() - t1
        for sign in (1, -1):
            for w in WHICH:
                t1 = time.time()
                ref = T.ref_pair(name, w, sign * fr * d0, d0, mu)
                err = abs(vals[(sign, w)] - ref) / abs(ref)
                worst = max(worst, float(err))
                print(f"pair {name} {w} mu={mu} d0={d0} f={sign * fr}: {mp.nstr(err, 3)} "
                      f"(rule {tr:.1f} s, quad {time.time() - t1:.1f} s)", flush=True)
    print(f"worst relative difference: {worst:.2e}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--check", action="store_true", help="compare the rule with mpmath.quad")
    p.add_argument("--add", action="store_true",
                   help="only compute the grid points missing from the existing file")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    os.nice(10)
    if args.check:
        check()
    elif args.add:
        add(args.out)
    else:
        generate(args.out)


if __name__ == "__main__":
    main()
