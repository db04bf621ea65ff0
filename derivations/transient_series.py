r"""Transient amplification: the small-t series of E||x(t)||^2 from the moments of W, and the
thresholds of the average trajectory (Tarnowski 2020; derived for this project).

Setting
-------
:math:`\dot x = -x + Wx`, :math:`x(0)` uniform on the unit sphere, so
:math:`\mathrm E\|x(t)\|^2 = e^{-2t}\sum_{k,l\ge0} \frac{t^{k+l}}{k!\,l!}\,
\frac1N\mathrm E\,\mathrm{tr}\,W^k (W^T)^l`.  Balanced Rajan-Abbott with zero row sums:
:math:`W = M + Y`, :math:`M = \mathbf 1\mu^T/\sqrt N`, :math:`Y = XP`, with the exact identities
:math:`M^2 = 0` (:math:`\mu^T\mathbf 1 = 0`) and :math:`YM = 0` (:math:`P\mathbf 1 = 0`).

Step 1 (words).  Enumerating the :math:`2^k` words of :math:`(M+Y)^k` and deleting those that
contain :math:`MM` or :math:`YM` leaves exactly :math:`Y^k` and :math:`MY^{k-1}`, so
:math:`W^k = Y^k + MY^{k-1}` (checked for k <= 8).

Step 2 (large-N moments).  In :math:`\frac1N\mathrm{tr}\,W^k W^{T\,l}` the four products are
  * :math:`\frac1N\mathrm{tr}\,Y^kY^{T\,l} \to r^{2k}\delta_{kl}` (only the nested pairing of
    each :math:`Y` with a :math:`Y^T` survives; :math:`E\,YY^T = r^2 1` row-wise),
  * :math:`\frac1N\mathrm{tr}\,MY^{k-1}Y^{T\,(l-1)}M^T = \frac1N\mu^TY^{k-1}Y^{T\,(l-1)}\mu \to
    \langle\mu^2\rangle r^{2(k-1)}\delta_{kl}`,
  * the cross terms :math:`N^{-3/2}\mu^T Y^a Y^{T\,b}\mathbf 1 \to 0`.
The series built from these coefficients is compared term by term (to :math:`t^{12}`) with the
series of the closed form :math:`e^{-2t}[(1+m^2)I_0(2rt) - m^2]`, :math:`m^2 = \langle\mu^2\rangle/r^2`.

Step 3 (average trajectory).  :math:`E\,Y^k = O(1/N)` for :math:`k\ge1`, so
:math:`E\,e^{Wt} = 1 + tM` and :math:`\bar x(t) = e^{-t}(x_0 + tMx_0)`; with
:math:`\frac1N\mathrm{tr}M = 0` and :math:`\frac1N\mathrm{tr}M^TM = \langle\mu^2\rangle`,
:math:`E\|\bar x\|^2 = e^{-2t}(1 + \langle\mu^2\rangle t^2)`.  Its derivative vanishes where
:math:`at^2 - at + 1 = 0`: a local maximum iff :math:`a > 4`.  It exceeds 1 iff
:math:`a > \min_t (e^{2t}-1)/t^2`, reached where :math:`(1-t)e^{2t} = 1`, i.e.
:math:`t_c = 1 + W_0(-2e^{-2})/2`, :math:`a_c = 1/(t_c(1-t_c)) = e^{2t_c}/t_c \approx 6.1766`.

Step 4 (critical line near r = 0).  :math:`a_c(r) = \min_t \varphi(t;r)`,
:math:`\varphi = (1 - e^{-2t}I_0(2rt))/(e^{-2t}(I_0(2rt)-1)/r^2)`; by the envelope theorem
:math:`a_c(r) = a_c + r^2 \partial_{r^2}\varphi(t_c; 0) + O(r^4)`.

Checks against the library (``meanfield.transient``): ``mean_squared_norm`` against the closed
form (mpmath, 1e-12 relative) and against the series at small t; ``average_trajectory_squared_norm``;
the constants ``AVERAGE_LOCAL_MAX_THRESHOLD``, ``AVERAGE_AMPLIFICATION_TIME``,
``AVERAGE_AMPLIFICATION_THRESHOLD``; ``critical_line(0)`` for both kinds (1e-10); and
``critical_line(r)`` at r = 0.02, 0.05 against the r^2 expansion (within 5 r^4 a_c).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

K = 6          # orders k, l <= K: the series is exact through t^(2K) = t^12


def surviving_words(k):
    """Words of (M + Y)^k without the factors M M or Y M (which vanish exactly)."""
    out = []
    for w in itertools.product("MY", repeat=k):
        s = "".join(w)
        if "MM" not in s and "YM" not in s:
            out.append(s)
    return out


def derive_words():
    for k in range(1, 9):
        words = sorted(surviving_words(k))
        assert words == sorted(["Y" * k, "M" + "Y" * (k - 1)]), (k, words)
    return "W^k = Y^k + M Y^(k-1)"


def moment(left, right, r2, a):
    """Large-N (1/N) E tr[left right^T] for left, right in {Y^k, M Y^(k-1)} (as words)."""
    kl, kr = len(left), len(right)
    lm, rm = left.startswith("M"), right.startswith("M")
    if kl != kr:
        return 0                       # only nested Y-Y^T pairings survive
    if not lm and not rm:
        return r2 ** kl                # (1/N) tr Y^k Y^Tk
    if lm and rm:
        return a * r2 ** (kl - 1)      # (1/N) mu^T Y^(k-1) Y^T(k-1) mu
    return 0                           # N^(-3/2) mu^T Y^a Y^Tb 1 -> 0


def derive_series():
    t, r, a = sp.symbols("t r a", positive=True)
    r2 = r ** 2
    total = 0
    for k in range(K + 1):
        for l in range(K + 1):
            lw = ["I"] if k == 0 else surviving_words(k)
            rw = ["I"] if l == 0 else surviving_words(l)
            c = 0
            for x in lw:
                for y in rw:
                    if x == "I" or y == "I":
                        c += 1 if (x == "I" and y == "I") else 0   # (1/N) tr Y^k, tr M -> 0
                    else:
                        c += moment(x, y, r2, a)
            total += t ** (k + l) / (sp.factorial(k) * sp.factorial(l)) * c
    # compare r^2 * (series) so that every coefficient is a polynomial in (r, a)
    order = 2 * K + 1
    exp2 = sp.series(sp.exp(-2 * t), t, 0, order).removeO()
    i0 = sp.series(sp.besseli(0, 2 * r * t), t, 0, order).removeO()
    from_moments = sp.expand(exp2 * r2 * total)
    from_closed = sp.expand(exp2 * ((r2 + a) * i0 - a))
    for p in range(order):
        cm, cc = from_moments.coeff(t, p), from_closed.coeff(t, p)
        assert sp.expand(cm - cc) == 0, (p, cm, cc)
    m2 = a / r2
    closed = sp.exp(-2 * t) * ((1 + m2) * sp.besseli(0, 2 * r * t) - m2)
    series_closed = sp.expand(sum(from_closed.coeff(t, p) * t ** p for p in range(order)) / r2)
    low = [sp.factor(sp.expand(series_closed.coeff(t, p))) for p in range(4)]
    assert sp.simplify(low[1] + 2) == 0 and sp.simplify(low[2] - (2 + r2 + a)) == 0
    return closed, series_closed, (t, r, a), low


def derive_average():
    t, a = sp.symbols("t a", positive=True)
    # E e^{Wt} = 1 + tM:  (1/N) tr[(1 + tM)^T (1 + tM)] with tr M = 0, tr M^T M / N = a
    trM, trMtM = 0, a
    h = sp.exp(-2 * t) * (1 + 2 * t * trM + t ** 2 * trMtM)
    assert sp.simplify(h - sp.exp(-2 * t) * (1 + a * t ** 2)) == 0
    dh = sp.simplify(sp.diff(h, t) * sp.exp(2 * t))
    assert sp.simplify(dh + 2 * (a * t ** 2 - a * t + 1)) == 0
    disc = sp.discriminant(a * t ** 2 - a * t + 1, t)
    a_local = [s for s in sp.solve(sp.Eq(disc, 0), a) if s != 0]
    assert a_local == [4]
    # threshold: min_t (e^{2t} - 1)/t^2, stationary where (1 - t) e^{2t} = 1
    phi = (sp.exp(2 * t) - 1) / t ** 2
    stat = sp.simplify(sp.diff(phi, t) * t ** 3 / 2)
    assert sp.simplify(stat - ((t - 1) * sp.exp(2 * t) + 1)) == 0
    t_c = 1 + sp.LambertW(-2 * sp.exp(-2)) / 2
    assert abs(sp.N(stat.subs(t, t_c), 30)) < 1e-25
    a_c = sp.exp(2 * t_c) / t_c
    assert abs(sp.N(a_c - 1 / (t_c * (1 - t_c)), 30)) < 1e-25
    assert abs(sp.N(phi.subs(t, t_c) - a_c, 30)) < 1e-25
    return h, 4, t_c, a_c


def derive_line_expansion(t_c, a_c):
    t, r2 = sp.symbols("t r2", positive=True)
    # (I_0(2rt) - 1)/r^2 as its power series in r^2 (three terms are enough for d/dr^2 at 0)
    q = sum(r2 ** (j - 1) * t ** (2 * j) / sp.factorial(j) ** 2 for j in range(1, 4))
    phi = (1 - sp.exp(-2 * t) * (1 + r2 * q)) / (sp.exp(-2 * t) * q)
    phi1 = sp.simplify(sp.diff(phi, r2).subs(r2, 0))
    slope = sp.N(phi1.subs(t, t_c), 30)
    return float(slope)


def main():
    print(derive_words())
    closed, series, (t, r, a), low = derive_series()
    print(f"E||x(t)||^2 = {sp.simplify(closed)}")
    print(f"series through t^3: {low[0]} + ({low[1]}) t + ({low[2]}) t^2 + ({low[3]}) t^3")
    h, a_loc, t_c, a_c = derive_average()
    print(f"average trajectory: {h}; local max for a > {a_loc}; amplified for a > "
          f"{sp.N(a_c, 15)} (t_c = {sp.N(t_c, 15)})")

    tr = mf.transient
    # the constants and the r = 0 end of the critical lines
    assert tr.AVERAGE_LOCAL_MAX_THRESHOLD == a_loc
    assert abs(tr.AVERAGE_AMPLIFICATION_TIME - float(sp.N(t_c, 20))) < 1e-14
    assert abs(tr.AVERAGE_AMPLIFICATION_THRESHOLD - float(sp.N(a_c, 20))) < 1e-12
    lib_c = float(tr.critical_line(0.0, "amplified"))
    lib_l = float(tr.critical_line(0.0, "local_maximum"))
    print(f"critical_line(0): amplified {lib_c:.12f}, local maximum {lib_l:.12f}")
    assert abs(lib_c - float(sp.N(a_c, 20))) < 1e-10
    assert abs(lib_l - 4.0) < 1e-10

    # the library's closed form against sympy/mpmath at 30 digits, several ensembles
    f_closed = sp.lambdify((t, r, a), closed, "mpmath")
    f_series = sp.lambdify((t, r, a), series, "mpmath")
    cases = [mf.ensembles.RajanAbbott(0.5, 3.0, 0.8, 0.8),
             mf.ensembles.RajanAbbott(0.8, 1.0, 0.5, 1.2),
             mf.ensembles.RajanAbbott(0.3, 2.0, 1.0, 0.4, sparsity=0.5)]
    ts = np.array([1e-3, 0.05, 0.5, 1.0, 3.0, 10.0])
    import mpmath
    mpmath.mp.dps = 30
    worst, worst_series = 0.0, 0.0
    for ens in cases:
        rr, aa = ens.spectral_radius, ens.mean_square_weight
        lib = tr.mean_squared_norm(ens, ts)
        avg = tr.average_trajectory_squared_norm(ens, ts)
        for j, tj in enumerate(ts):
            ref = float(f_closed(mpmath.mpf(tj), mpmath.mpf(rr), mpmath.mpf(aa)))
            worst = max(worst, abs(lib[j] / ref - 1))
            ref_avg = float(mpmath.exp(-2 * mpmath.mpf(tj)) * (1 + aa * mpmath.mpf(tj) ** 2))
            assert abs(avg[j] / ref_avg - 1) < 1e-13
            if tj <= 0.05:     # series truncated after t^12: remainder ~ (c t)^13
                ser = float(f_series(mpmath.mpf(tj), mpmath.mpf(rr), mpmath.mpf(aa)))
                worst_series = max(worst_series, abs(lib[j] / ser - 1))
    print(f"mean_squared_norm vs mpmath closed form: max rel err {worst:.1e}; "
          f"vs the moment series at t <= 0.05: {worst_series:.1e}")
    assert worst < 1e-12
    assert worst_series < 1e-12

    # the critical line near r = 0 (envelope theorem, O(r^4) remainder)
    slope = derive_line_expansion(t_c, a_c)
    for rr in (0.02, 0.05):
        lib = float(tr.critical_line(rr, "amplified"))
        pred = float(sp.N(a_c, 20)) + slope * rr ** 2
        print(f"critical_line({rr}) = {lib:.10f}; a_c + {slope:.6f} r^2 = {pred:.10f}")
        assert abs(lib - pred) < 5 * rr ** 4 * float(sp.N(a_c))


if __name__ == "__main__":
    main()
