r"""Random-mode model: effective rank of J (Wick, exact at finite n) and its free-probability spectra.

Model: :math:`J = \sum_{a=1}^P D_a l_a r_a^T` with jointly Gaussian vectors,
:math:`E[l_{ai} l_{bj}] = E[r_{ai} r_{bj}] = \delta_{ab}\delta_{ij}/n`,
:math:`E[l_{ai} r_{bj}] = \rho\,\delta_{ab}\delta_{ij}/n` (``meanfield.ensembles.RandomMode``).

1. Effective rank (Wick's theorem, derived for this project)
------------------------------------------------------------
With :math:`T_1 = \mathrm{tr}\,JJ^T = \sum_{ab} D_a D_b (l_a\cdot l_b)(r_a\cdot r_b)` and
:math:`T_2 = \mathrm{tr}(JJ^T)^2 = \sum_{abcd} D_aD_bD_cD_d (r_a\cdot r_b)(r_c\cdot r_d)(l_b\cdot l_c)
(l_d\cdot l_a)`, the expectations :math:`E[T_1]`, :math:`E[T_1^2]`, :math:`E[T_2]` are sums over
the perfect matchings of the 4 or 8 Gaussian factors (enumerated here): each pair gives
:math:`\delta`'s of the mode and coordinate labels and a factor :math:`\rho` for an l-r pair; a
coordinate class gives a factor n, a mode class with k factors of D gives :math:`S_k = \sum_a
D_a^k`.  The results are exact at finite n.  With :math:`S_k = \alpha n \mu_k`:

:math:`n E[T_2]/E[T_1^2] \to [\mu_4 + 2\alpha\mu_2^2 + 4\alpha\rho^2\mu_1\mu_3 + (4\rho^2 + 2\rho^4)
\alpha^2\mu_1^2\mu_2 + \alpha^3\rho^4\mu_1^4] / [\alpha(\mu_2 + \alpha\rho^2\mu_1^2)^2]`, which for
:math:`\rho = 0` is :math:`n/\mathrm{PR}^D + 2` (the sheet's formula), with the finite-n correction
:math:`+(1 + 2x)/n - (4x^2 + 7x + 4)/n^2 + O(n^{-3})`, :math:`x = n/\mathrm{PR}^D`.

2. Squared singular values (free probability, standard)
-------------------------------------------------------
The nonzero eigenvalues of :math:`A = JJ^T` are those of :math:`D (R^TR) D (L^TL)`, a product of
asymptotically free elements: the law of :math:`D^2` and two Marchenko-Pastur laws of ratio
:math:`\alpha` (S-transform :math:`1/(1+\alpha v)`).  S-transforms multiply; rescaling from
:math:`P\times P` to :math:`n\times n` (:math:`\psi_A(w) = \alpha\psi_M(w)`) gives
:math:`S_A(u) = S_{D^2}(u/\alpha)/((\alpha+u)(1+u))`.  Derived here: (a) the moments
:math:`m_1 = \alpha d_1`, :math:`m_2/m_1^2 = 2 + d_2/(\alpha d_1^2)` (:math:`d_k = \langle D^{2k}
\rangle`) by series inversion, equal to the Wick limit at :math:`\rho = 0` (two independent
routes); (b) the subordination equation :math:`\zeta h(\zeta)^2 = z`, :math:`h = 1 - \alpha +
\alpha\zeta G_{D^2}(\zeta)`, :math:`G_A = 1/(\zeta h)`, used by ``singular_value_density``.
Product of two Ginibre matrices (flat, :math:`\alpha = 1`): Fuss-Catalan moments 1, 3, 12.

3. Eigenvalues (Haagerup-Larsen, standard)
------------------------------------------
For :math:`\rho = 0` the fraction F(r) of eigenvalues in :math:`|z| \le r` solves
:math:`S_A(F-1) = 1/r^2`.  With :math:`u = F - 1 = \alpha v` and :math:`w = \chi_{D^2}(v)`
(:math:`S_{D^2}(v) = w(1+v)/v`): :math:`r^2 = \alpha v(1+\alpha v)/w` (Gaussian modes) and
:math:`r^2 = \alpha v/(w(1+\alpha v))` (orthogonal modes, no Marchenko-Pastur factors).  Flat
spectrum: :math:`F = r^2/g^2` in the iid limit (:math:`\alpha \to \infty`, :math:`D^2 = 1/\alpha`),
:math:`F = r` for :math:`\alpha = 1` (product of two Ginibre matrices), and for orthogonal modes
the truncated-Haar law :math:`F = (1-\alpha)/(1-r^2)` (Zyczkowski & Sommers 2000).

Checks against the library: ``_wick_trace_moments`` and ``effective_rank_J`` (exact and limit)
at random parameters (1e-12); ``radial_cdf`` against the three closed forms (1e-9); the moments
of ``singular_value_density`` against the S-transform moments (5e-4 relative: trapezoid rule on
1500 graded nodes, whose error at the square-root edges was measured at 2.6e-4, 5e-5 with 3000
nodes); Monte Carlo of :math:`E[T_2]` and :math:`E[T_1^2]` at n = 40 with 2500 seeds (unbiased:
no ratio is taken), within 4 standard errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import sympy as sp
from scipy.integrate import trapezoid  # numpy >= 2 only has np.trapezoid; the floor is 1.24

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

from meanfield.ensembles import random_mode as rm

N, RHO = sp.symbols("n rho", positive=True)
S = sp.symbols("S1:5")


def _matchings(items):
    if not items:
        yield []
        return
    first = items[0]
    for i in range(1, len(items)):
        for rest in _matchings(items[1:i] + items[i + 1:]):
            yield [(first, items[i])] + rest


def _find(parent, x):
    while parent.setdefault(x, x) != x:
        x = parent[x]
    return x


def wick(factors):
    """E[prod of factors]; a factor is (kind 'l'/'r', mode label, coordinate label), summed over labels."""
    total = sp.Integer(0)
    for match in _matchings(list(range(len(factors)))):
        modes, coords, weight = {}, {}, sp.Integer(1)
        for i, j in match:
            (ki, ai, ci), (kj, aj, cj) = factors[i], factors[j]
            if ki != kj:
                weight *= RHO
            modes[_find(modes, ai)] = _find(modes, aj)
            coords[_find(coords, ci)] = _find(coords, cj)
        n_dots = len(factors) // 2          # each dot product carries 1/n per pair
        term = weight * N ** len({_find(coords, c) for _, _, c in factors}) / N ** n_dots
        count = {}
        for a in {a for _, a, _ in factors}:  # one D per mode label
            root = _find(modes, a)
            count[root] = count.get(root, 0) + 1
        for k in count.values():
            term *= S[k - 1]
        total += term
    return sp.expand(total)


def derive_wick():
    T1 = wick([("l", "a", "i"), ("l", "b", "i"), ("r", "a", "j"), ("r", "b", "j")])
    T2 = wick([("r", "a", "i"), ("r", "b", "i"), ("r", "c", "j"), ("r", "d", "j"),
               ("l", "b", "k"), ("l", "c", "k"), ("l", "d", "m"), ("l", "a", "m")])
    T11 = wick([("l", "a", "i"), ("l", "b", "i"), ("r", "a", "j"), ("r", "b", "j"),
                ("l", "c", "k"), ("l", "d", "k"), ("r", "c", "m"), ("r", "d", "m")])
    # the rho = 0 forms quoted in the docstring of effective_rank_J
    assert sp.expand(T2.subs(RHO, 0) - (S[3] * (1 + 2 / N + 3 / N**2) + S[1]**2 * (2 / N + 1 / N**2))) == 0
    assert sp.expand(T11.subs(RHO, 0) - (S[1]**2 * (1 + 2 / N**2) + S[3] * (4 / N + 2 / N**2))) == 0
    assert sp.expand(T1 - (S[1] + RHO**2 * (S[0]**2 + S[1]) / N)) == 0
    return T1, T2, T11


def derive_limit(T2, T11):
    al, eps = sp.symbols("alpha epsilon", positive=True)
    mu = sp.symbols("mu1:5")
    sub = {S[k]: al * N * mu[k] for k in range(4)}
    # n T2 / T11 = num(eps) / den(eps) with eps = 1/n; both are polynomials in eps after
    # scaling by the leading power of n (T11 ~ n^2, n T2 ~ n^2), so expand to first order by hand
    num = sp.expand((N * T2).subs(sub).subs(N, 1 / eps) * eps**2)
    den = sp.expand(T11.subs(sub).subs(N, 1 / eps) * eps**2)
    n0, n1 = num.coeff(eps, 0), num.coeff(eps, 1)
    d0, d1 = den.coeff(eps, 0), den.coeff(eps, 1)
    assert sp.expand(num - sum(num.coeff(eps, k) * eps**k for k in range(6))) == 0
    lim, corr = sp.factor(n0 / d0), sp.factor((n1 * d0 - n0 * d1) / d0**2)
    m1, m2, m3, m4 = mu
    r = RHO
    claimed = (m4 + 2 * al * m2**2 + 4 * al * r**2 * m1 * m3 + (4 * r**2 + 2 * r**4) * al**2 * m1**2 * m2
               + al**3 * r**4 * m1**4) / (al * (m2 + al * r**2 * m1**2)**2)
    assert sp.simplify(lim - claimed) == 0, lim
    assert sp.simplify(lim.subs(RHO, 0) - (m4 / (al * m2**2) + 2)) == 0
    assert sp.simplify(corr.subs(RHO, 0) - (1 + 2 * m4 / (al * m2**2))) == 0
    # second order at rho = 0, in x = n / PR^D: exact ratio = (x + 2 + (2x + 1) eps + 3x eps^2)
    # / (1 + (4x + 2) eps^2) with eps = 1/n (from the rho = 0 forms above)
    x = sp.symbols("x", positive=True)
    exact0 = sp.expand((N * T2 / T11).subs(RHO, 0).subs({S[1]: 1, S[3]: x / N}))
    second = sp.series(exact0.subs(N, 1 / eps), eps, 0, 3).removeO().coeff(eps, 2)
    assert sp.simplify(second + 4 * x**2 + 7 * x + 4) == 0, second
    print(f"n/R_eff -> {claimed}\n  rho = 0, x = n/PR^D: x + 2 + (1 + 2x)/n - (4x^2 + 7x + 4)/n^2 + O(n^-3)")
    return claimed, (al, mu)


def derive_s_transform():
    """Moments of A from S_A(u) = S_{D^2}(u/alpha)/((alpha+u)(1+u)); subordination form."""
    u, v, w, al = sp.symbols("u v w alpha")
    d = sp.symbols("d1:4", positive=True)
    # psi_{D^2}(w) = sum_k d_k w^k; chi = inverse series; S = chi (1+v)/v
    psi_d = sum(d[k] * w**(k + 1) for k in range(3))
    chi = _series_inverse(psi_d, w, v, 3)
    S_d = sp.expand(sp.series(chi * (1 + v) / v, v, 0, 3).removeO())
    S_A = S_d.subs(v, u / al) / ((al + u) * (1 + u))
    chi_A = sp.series(u * S_A / (1 + u), u, 0, 4).removeO()
    psi_A = _series_inverse(chi_A, u, w, 3)             # psi_A(w) = sum_k m_k w^k
    m = [sp.simplify(psi_A.coeff(w, k)) for k in (1, 2, 3)]
    assert sp.simplify(m[0] - al * d[0]) == 0
    assert sp.simplify(m[1] / m[0]**2 - (2 + d[1] / (al * d[0]**2))) == 0
    # product of two Ginibre matrices: flat D = 1, alpha = 1 -> Fuss-Catalan 1, 3, 12
    fc = [sp.simplify(mk.subs({al: 1, d[0]: 1, d[1]: 1, d[2]: 1})) for mk in m]
    assert fc == [1, 3, 12], fc
    # subordination: with w' = chi_{D^2}(u/alpha), chi_A(u) = w' / (1+u)^2
    wp = sp.symbols("wprime")
    S_d_sym = wp * (1 + u / al) / (u / al)
    chi_A_sym = u * (S_d_sym / ((al + u) * (1 + u))) / (1 + u)
    assert sp.simplify(chi_A_sym - wp / (1 + u)**2) == 0
    print(f"S-transform moments of A: m1 = {m[0]}, m2 = {sp.factor(m[1])}; Fuss-Catalan {fc}")
    return sp.lambdify((al, *d), m)


def _series_inverse(f, x, y, order):
    """Series of x(y) with f(x(y)) = y, f = c1 x + c2 x^2 + ..., up to y^order."""
    cs = sp.symbols(f"c1:{order + 1}")
    trial = sum(cs[k] * y**(k + 1) for k in range(order))
    expr = sp.expand(sp.series(f.subs(x, trial), y, 0, order + 1).removeO())
    sol = {}
    for k in range(1, order + 1):
        eq = expr.coeff(y, k).subs(sol) - (1 if k == 1 else 0)
        sol[cs[k - 1]] = sp.solve(eq, cs[k - 1])[0]
    return sp.expand(trial.subs(sol))


def derive_haagerup_larsen():
    v, w, al = sp.symbols("v w alpha")
    u = al * v
    S_d = w * (1 + v) / v
    r2_gauss = sp.simplify(1 / (S_d / ((al + u) * (1 + u))))
    r2_orth = sp.simplify(1 / ((1 + u) * S_d / (al + u)))
    assert sp.simplify(r2_gauss - al * v * (1 + al * v) / w) == 0
    assert sp.simplify(r2_orth - al * v / (w * (1 + al * v))) == 0
    # flat spectrum D^2 = c: psi(w) = c w / (1 - c w); F = 1 + alpha v
    c, r, F = sp.symbols("c r F", positive=True)
    psi = c * w / (1 - c * w)
    wF = sp.solve(sp.Eq(1 + al * psi, F), w)[0]
    r2F_g = sp.simplify(r2_gauss.subs(v, (F - 1) / al).subs(w, wF))
    r2F_o = sp.simplify(r2_orth.subs(v, (F - 1) / al).subs(w, wF))
    assert sp.simplify(r2F_g - c * F * (al + F - 1)) == 0          # r^2 = c F (alpha + F - 1)
    assert sp.simplify(r2F_g.subs({al: 1, c: 1}) - F**2) == 0       # product of two Ginibre: F = r
    assert sp.limit(r2F_g.subs(c, 1 / al), al, sp.oo) == F          # iid limit: F = r^2
    F_zs = sp.solve(sp.Eq(r2F_o.subs(c, 1), r**2), F)
    assert any(sp.simplify(f - (1 - al) / (1 - r**2)) == 0 for f in F_zs), F_zs  # Zyczkowski-Sommers
    print("Haagerup-Larsen: r^2 = alpha v (1 + alpha v)/w (Gaussian), alpha v/(w (1 + alpha v)) (orthogonal);"
          " flat: r^2 = F (alpha + F - 1), truncated Haar F = (1-alpha)/(1-r^2)")


def check_library(T2, T11, claimed, syms, moments):
    rng = np.random.default_rng(0)
    al, mu = syms
    f_t2 = sp.lambdify((*S, N, RHO), T2)
    f_t11 = sp.lambdify((*S, N, RHO), T11)
    f_lim = sp.lambdify((al, *mu, RHO), claimed)
    worst = 0.0
    for _ in range(20):
        Svals = [float(x) for x in rng.normal(size=4) * [3, 5, 2, 7] + [0, 6, 0, 9]]
        n, rho = float(rng.integers(5, 500)), float(rng.uniform(-1, 1))
        t11, t2 = rm._wick_trace_moments(Svals, n, rho)
        worst = max(worst, abs(t2 / f_t2(*Svals, n, rho) - 1), abs(t11 / f_t11(*Svals, n, rho) - 1))
    assert worst < 1e-12, worst
    # effective_rank_J against the sympy expressions, through the public API
    for kw in (dict(n_modes_ratio=0.5, spectrum="exponential"), dict(n_modes_ratio=1.7, overlap=0.4),
               dict(n_modes_ratio=0.8, spectrum=[1.0, -2.0, 0.5], overlap=-0.7)):
        ens = mf.ensembles.RandomMode(**kw)
        n = 150
        D = ens.mode_spectrum(n)
        Sv = [float(np.sum(D**k)) for k in (1, 2, 3, 4)]
        exact = f_t11(*Sv, n, ens.overlap) / f_t2(*Sv, n, ens.overlap)
        mus = [s / D.size for s in Sv]
        limit = n / f_lim(D.size / n, *mus, ens.overlap)
        e1 = abs(ens.effective_rank_J(n, finite_size=True) / exact - 1)
        e2 = abs(ens.effective_rank_J(n) / limit - 1)
        assert e1 < 1e-12 and e2 < 1e-12, (kw, e1, e2)
    print(f"library Wick moments and effective_rank_J match sympy (max rel. diff {max(worst, e1, e2):.1e})")
    # Monte Carlo of the unbiased expectations E[T2], E[T1^2] at n = 40 (no ratio bias)
    n, seeds = 40, 2500
    for kw in (dict(n_modes_ratio=0.75, spectrum="exponential"), dict(n_modes_ratio=0.5, overlap=0.6)):
        ens = mf.ensembles.RandomMode(**kw)
        gen = np.random.default_rng(1)
        t2s, t11s = [], []
        for _ in range(seeds):
            J = ens.sample(n, seed=gen)
            A = J @ J.T
            t2s.append(np.sum(A * A))
            t11s.append(np.trace(A) ** 2)
        D = ens.mode_spectrum(n)
        Sv = [float(np.sum(D**k)) for k in (1, 2, 3, 4)]
        t11, t2 = rm._wick_trace_moments(Sv, float(n), ens.overlap)
        for name, xs, th in (("E[T2]", t2s, t2), ("E[T1^2]", t11s, t11)):
            m, se = np.mean(xs), np.std(xs, ddof=1) / np.sqrt(seeds)
            print(f"  MC n={n} {kw}: {name} = {m:.5f} ± {se:.5f}, exact {th:.5f} ({(m - th) / se:+.1f} se)")
            assert abs(m - th) < 4 * se
    # closed forms of the Haagerup-Larsen radial CDF (flat spectrum)
    r = np.linspace(0.02, 0.98, 25)
    F400 = (-399.0 + np.sqrt(399.0**2 + 4 * 400 * r**2)) / 2  # r^2 = F (alpha + F - 1)/alpha, alpha=400
    errs = [np.max(np.abs(mf.ensembles.RandomMode(1.0).radial_cdf(r) - r)),
            np.max(np.abs(mf.ensembles.RandomMode(400.0, scale=0.05).radial_cdf(r) - F400)),
            np.max(np.abs(mf.ensembles.RandomMode(0.6, orthogonal=True).radial_cdf(r * np.sqrt(0.6))
                          - 0.4 / (1 - 0.6 * r**2)))]
    assert max(errs) < 1e-9, errs
    print(f"radial_cdf: product of two Ginibre F=r, flat alpha=400, truncated Haar: max err {max(errs):.1e}"
          f" (alpha=400 vs uniform disk: {np.max(np.abs(F400 - r**2)):.1e})")
    # moments of the singular-value density against the S-transform series
    worst = 0.0
    for alpha, spec in ((0.5, "exponential"), (2.0, "exponential"), (1.0, "flat")):
        ens = mf.ensembles.RandomMode(alpha, spectrum=spec)
        d, p, _ = rm._d2_law(ens)
        dk = [float(np.dot(p, d**k)) for k in (1, 2, 3)]
        y = np.linspace(0, 1, 1501)[1:]
        s = np.sqrt(d.max()) * (1 + np.sqrt(alpha))**2 * y**3   # graded towards 0 (hard edge at alpha=1)
        dens = ens.singular_value_density(s)
        for k, mk in enumerate(moments(alpha, *dk), start=1):
            num = trapezoid(s**(2 * k) * dens, s)
            worst = max(worst, abs(num / float(mk) - 1))
            assert abs(num / float(mk) - 1) < 5e-4, (alpha, spec, k, num, mk)
    print(f"singular_value_density moments m1..m3 vs S-transform series: max rel. diff {worst:.1e}")


def main():
    T1, T2, T11 = derive_wick()
    claimed, syms = derive_limit(T2, T11)
    moments = derive_s_transform()
    derive_haagerup_larsen()
    check_library(T2, T11, claimed, syms, moments)


if __name__ == "__main__":
    main()
