r"""Participation ratio of random networks: the one-step closed forms, the exact inner integral,
the linear network in closed form, the random-mode limits, and the linear-surrogate pitfall.

Notation: :math:`\rho = g\langle\phi'\rangle < 1`, :math:`s = S^x`, :math:`a = \rho^2 s_1 s_2`,
:math:`M = 1/|1-a|^2`; :math:`\mathrm{PR}^a/N = C^a(0)^2/\Psi^a(0,0)` (``meanfield.dimension``).

1. Euler map with dt = 1 (sympy, residues)
------------------------------------------
:math:`s = e^{-i\theta}`, the activity is white (:math:`C^\phi = c`, :math:`C^x = g^2 c`), and
:math:`M` depends on :math:`\theta_1 + \theta_2` only; its average over the Brillouin zone is
:math:`1/(1-\rho^4)` and that of :math:`U = g^2 s_1 s_2/(1-a)` is 0.  Hence, with
:math:`r = (g\langle\phi'\rangle)^4`,
:math:`\psi^\phi = c^2 r/(1-r)`, :math:`\mathrm{PR}^\phi/N = 1 - r`;
:math:`\psi^x = g^4c^2/(1-r)`, :math:`\mathrm{PR}^x/N = (1-r)/(2-r)`; with the random-mode and gain
factors :math:`\mathrm{PR}^\phi/N = (1-r)/(A + Br)`, :math:`\mathrm{PR}^x/N = (1-r)/(2-r+1/R)`,
and at low rank :math:`\mathrm{PR} = K R` with :math:`K^\phi = (1-r)/r`, :math:`K^x = 1-r`.

The theory sheet's pitfall ("linear plus independent noise gives :math:`r^2/(1-r)^2` instead of
:math:`r^2/(1-r^2)` at dt = 1") reads correctly with its :math:`r` = :math:`\rho^2` (not the
:math:`\rho^4` of the closed form): :math:`\psi^\phi/c^2 = \rho^4/(1-\rho^4)`.  But a linear
network driven by independent white noise does *not* give :math:`\rho^4/(1-\rho)^2` at dt = 1:
the network :math:`x \to \rho\tilde J x + \xi` is white too and gives the same
:math:`\psi/C(0)^2 = \rho^4/(1-\rho^4)`, i.e. :math:`\mathrm{PR}^\phi` exactly, while its
:math:`\mathrm{PR}^x = 1 - r` misses the factor :math:`1/(2-r)` (the shared input
:math:`\sum_k J_{ik}J_{jk}C^\phi_{kk}` of x, a non-Gaussian term of the rates' network).  The value
:math:`\rho^4/(1-\rho^2)^2` is :math:`|a|^2 M` at :math:`\theta_1 = \theta_2 = 0`: treating all the
fluctuations as static (zero frequency).  Checked below; the test suite shows the
continuous-time difference (the surrogate's :math:`\mathrm{PR}^x` is about twice the theory's).

2. The inner integral is exact (sympy, residues)
------------------------------------------------
For fixed :math:`\omega_1`, :math:`b = \rho^2 s_1`, :math:`q = 1 - b`:
:math:`\int \frac{d\omega_2}{2\pi} C(\omega_2)(M-1) = 2\,\mathrm{Re}[b L(q)] + |b|^2\,
\mathrm{Re}\,L(q)/\mathrm{Re}\,q`, :math:`L(q) = \int_0^\infty C(t)e^{-qt}dt`, and
:math:`|b|^2/\mathrm{Re}\,q = \rho^4/(1-\rho^2+\omega_1^2)`; checked exactly for
:math:`C(t) = e^{-\lambda|t|}` at rational parameters.  Euler map:
:math:`|\beta|^2/(1-|p|^2) = dt\,\rho^4|S|^2/((2 - dt(1-\rho^2))(1 - \rho^2|S|^2))`,
:math:`\beta = dt\,\rho^2 S_1`, :math:`p = 1 - dt + \beta`.

3. Linear network with white noise, continuous time (sympy)
-----------------------------------------------------------
:math:`C(t) = A e^{-\kappa|t|}`, :math:`\kappa = \sqrt{1-g^2}`: the moments are
:math:`\tilde\mu_k = A/(1+\kappa)^k`, :math:`D = C * e^{-\kappa|t|}/2\kappa =
A(1+\kappa|t|)e^{-\kappa|t|}/(2\kappa^2)`, and the series sum to

.. math:: \frac{\mathrm{PR}}{N} = \frac{8\kappa^3}{8\kappa^2 + (1-\kappa)^2(1+\kappa)(3+\kappa)}
          \;\xrightarrow{g\to1}\; \tfrac83 (1-g^2)^{3/2}

(:math:`g = 0.8`: 5/11).  The library reproduces it (and ``tests/test_dimension.py`` checks it
against the exact covariance of sampled networks).

4. Random-mode limits (sympy)
-----------------------------
:math:`\Psi^\phi = [1 + |a|^2/R]\,M C_1C_2 \to M C_1 C_2 = C_1C_2 + \psi^\phi` and
:math:`\Psi^x \to C^x_1C^x_2 + |U|^2C^\phi_1C^\phi_2 + 2\mathrm{Re}\,U\,C^{x\phi}_1C^{x\phi}_2`
as :math:`R = \alpha\,\mathrm{PR}_D \to \infty`: the two-site cavity result with the diagonal,
measure :math:`d\omega/2\pi`.  With :math:`T_2 = \iint|a|^2MC_1C_2`,
:math:`\mathrm{PR}(R)/\mathrm{PR}_{\rm iid} = 1/(1 + \tau/R)`, :math:`\tau = T_2/\Psi_{\rm iid}(0,0)
\to 1` at onset (where :math:`M` concentrates on :math:`|a| = 1`): the near-onset law
:math:`\mathrm{PR}_{\rm iid}/(1 + 1/R)`; the library's :math:`\tau` is checked to approach 1.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf


def _circle_average(expr, z):
    """(1/2 pi) int_0^{2pi} expr(z = e^{-i phi}) d phi, by residues inside |z| = 1 (expr
    rational in z with the parameter 0 < a < 1)."""
    integrand = sp.together(expr / z)
    num, den = sp.fraction(integrand)
    total = 0
    for pole in sp.roots(sp.Poly(den, z)):
        inside = sp.simplify(sp.Abs(pole.subs(sp.Symbol("a", positive=True), sp.Rational(1, 2))) < 1)
        if inside:
            total += sp.residue(integrand, z, pole)
    return sp.simplify(total)


def derive_one_step():
    a, c, g = sp.symbols("a c g", positive=True)           # a = rho^2 < 1
    z = sp.symbols("z")                                     # z = e^{-i(theta1 + theta2)}
    M = 1 / ((1 - a * z) * (1 - a / z))                     # |1 - a z|^2 on |z| = 1
    avg_M = _circle_average(M, z)
    assert sp.simplify(avg_M - 1 / (1 - a**2)) == 0, avg_M
    U = g**2 * z / (1 - a * z)
    assert _circle_average(U, z) == 0
    avg_U2 = _circle_average(g**4 / ((1 - a * z) * (1 - a / z)), z)
    psi_phi = c**2 * (avg_M - 1)
    psi_x = c**2 * avg_U2                                    # + 2 Re<U> ... = 0
    r = sp.symbols("r", positive=True)                      # r = rho^4 = a^2
    pr_phi = sp.simplify((c**2 / (c**2 + psi_phi)).subs(a, sp.sqrt(r)))
    pr_x = sp.simplify(((g**2 * c) ** 2 / ((g**2 * c) ** 2 + psi_x)).subs(a, sp.sqrt(r)))
    assert sp.simplify(pr_phi - (1 - r)) == 0 and sp.simplify(pr_x - (1 - r) / (2 - r)) == 0
    # the sheet's correct psi: rho^4/(1-rho^4) = rs^2/(1-rs^2) with rs = rho^2 = a
    assert sp.simplify(psi_phi / c**2 - a**2 / (1 - a**2)) == 0
    # random modes (R) and gains (A, B): Psi = A (c^2 + psi) + B T2, T2 = c^2 <|a|^2 M>
    A, B, R = sp.symbols("A B R", positive=True)
    t2 = c**2 * _circle_average(a**2 * M, z)
    pr_gain = sp.simplify((c**2 / (A * (c**2 + psi_phi) + B * t2)).subs(a, sp.sqrt(r)))
    assert sp.simplify(pr_gain - (1 - r) / (A + B * r)) == 0
    pr_x_rank = sp.simplify(((g**2 * c) ** 2 / ((g**2 * c) ** 2 + (1 + 1 / R) * psi_x)).subs(
        a, sp.sqrt(r)))
    assert sp.simplify(pr_x_rank - (1 - r) / (2 - r + 1 / R)) == 0
    k_phi = sp.limit(pr_gain.subs({A: 1, B: 1 / R}) / R, R, 0)
    k_x = sp.limit(pr_x_rank / R, R, 0)
    assert sp.simplify(k_phi - (1 - r) / r) == 0 and sp.simplify(k_x - (1 - r)) == 0
    # the pitfall value: |a|^2 M at zero frequency (z = 1), not the zone average
    static = (a**2 * M).subs(z, 1)
    assert sp.simplify(static - a**2 / (1 - a) ** 2) == 0
    assert sp.simplify(static - t2 / c**2) != 0
    # a linear network with gain rho and independent white noise is white at dt = 1 too, with
    # <phi'> = 1: its x is its phi, so PR = 1 - r (the rates' value, not (1-r)/(2-r))
    return dict(r=r, pr_phi=pr_phi, pr_x=pr_x, pr_gain=pr_gain, pr_x_rank=pr_x_rank,
                symbols=(A, B, R))


def derive_inner_integral():
    """Exact inner integral against C(w) = 2 lam/(lam^2 + w^2) at rational parameters."""
    w = sp.symbols("w", real=True)
    checks = 0
    for rho2, lam, w1 in ((sp.Rational(9, 10), sp.Rational(1, 3), sp.Rational(1, 2)),
                          (sp.Rational(1, 2), sp.Rational(2, 1), sp.Rational(-3, 2)),
                          (sp.Rational(99, 100), sp.Rational(1, 10), sp.Rational(0))):
        b = rho2 / (1 + sp.I * w1)
        q = 1 - b
        C = 2 * lam / (lam**2 + w**2)
        K = (1 + w**2) / ((q + sp.I * w) * (sp.conjugate(q) - sp.I * w))   # = |1+iw|^2/|q+iw|^2
        integrand = sp.together(C * (K - 1) / (2 * sp.pi))
        num, den = sp.fraction(integrand)
        upper = [p for p in sp.roots(sp.Poly(den, w)) if sp.im(p) > 0]
        value = sp.nsimplify(sp.simplify(2 * sp.pi * sp.I * sum(sp.residue(integrand, w, p)
                                                                for p in upper)))
        L = 1 / (q + lam)                                   # int_0^inf e^{-lam t} e^{-q t} dt
        formula = 2 * sp.re(b * L) + sp.Abs(b) ** 2 * sp.re(L) / sp.re(q)
        assert sp.simplify(sp.expand_complex(value - formula)) == 0, (value, formula)
        assert sp.simplify(sp.Abs(b) ** 2 / sp.re(q) - rho2**2 / (1 - rho2 + w1**2)) == 0
        checks += 1
    # Euler map: |beta|^2/(1 - |p|^2) in terms of |S|^2
    dt, rho, th = sp.symbols("dt rho theta", positive=True)
    S = dt / (sp.exp(sp.I * th) - (1 - dt))
    S2 = sp.simplify(sp.expand_complex(S * sp.conjugate(S)))
    beta = dt * rho**2 * S
    p = 1 - dt + beta
    lhs = sp.expand_complex(beta * sp.conjugate(beta)) / (1 - sp.expand_complex(p * sp.conjugate(p)))
    rhs = dt * rho**4 * S2 / ((2 - dt * (1 - rho**2)) * (1 - rho**2 * S2))
    for vals in ({dt: sp.Rational(1, 3), rho: sp.Rational(4, 5), th: sp.Rational(1, 7)},
                 {dt: sp.Rational(3, 4), rho: sp.Rational(1, 2), th: sp.Rational(2, 1)}):
        assert abs(complex(sp.N((lhs - rhs).subs(vals), 30))) < 1e-25
    return checks


def derive_linear_network():
    """PR/N of dx/dt = -x + J x + noise in closed form, from the moment series."""
    t, k = sp.symbols("t kappa", positive=True)
    n = sp.symbols("n", integer=True, nonnegative=True)
    Asym = sp.symbols("A", positive=True)
    C = Asym * sp.exp(-k * t)
    # moments against Gamma kernels t^(n-1) e^(-t) / (n-1)!, n >= 1
    mu = sp.simplify(sp.integrate(C * t ** (n - 1) * sp.exp(-t) / sp.factorial(n - 1), (t, 0, sp.oo),
                                  conds="none"))
    assert sp.simplify(mu - Asym / (1 + k) ** n) == 0, mu
    # D = C * e^{-kappa|u|}/(2 kappa) at t > 0 (C even)
    u = sp.symbols("u", real=True)
    D = (sp.integrate(Asym * sp.exp(k * u) * sp.exp(-k * (t - u)), (u, -sp.oo, 0), conds="none")
         + sp.integrate(Asym * sp.exp(-k * u) * sp.exp(-k * (t - u)), (u, 0, t))
         + sp.integrate(Asym * sp.exp(-k * u) * sp.exp(-k * (u - t)), (u, t, sp.oo), conds="none")
         ) / (2 * k)
    D = sp.simplify(D)
    assert sp.simplify(D - Asym * (1 + k * t) * sp.exp(-k * t) / (2 * k**2)) == 0, D
    nu = sp.simplify(sp.integrate(D * t ** (n - 1) * sp.exp(-t) / sp.factorial(n - 1),
                                  (t, 0, sp.oo), conds="none"))
    D0 = D.subs(t, 0)
    g2 = 1 - k**2
    x = sp.symbols("x", positive=True)                     # x = g^2/(1+kappa)^2 < 1
    # T1 = 2 sum_{k>=1} rho^{2k} mu_k^2 with rho^2 = g^2: geometric in x
    T1 = 2 * Asym**2 * x / (1 - x)
    # T2 = rho^4 [mu_1 D(0) + sum_{n>=1} rho^{2n} mu_{n+1} nu_n]; the summand is
    # A^2/(2 kappa^2 (1+kappa)^2) x^n (kappa n + kappa + 1)
    summand = g2**n * mu.subs(n, n + 1) * nu
    pref = Asym**2 / (2 * k**2 * (1 + k) ** 2)
    assert sp.simplify(summand / (pref * (g2 / (1 + k) ** 2) ** n) - (k * n + k + 1)) == 0
    series = k * x / (1 - x) ** 2 + (k + 1) * x / (1 - x)  # sum_{n>=1} x^n (kappa n + kappa + 1)
    n_, xs = sp.symbols("n_", integer=True, positive=True), sp.Rational(1, 3)
    assert sp.simplify(sp.summation(xs**n_ * (k * n_ + k + 1), (n_, 1, sp.oo)) - series.subs(x, xs)) == 0
    T2 = g2**2 * (mu.subs(n, 1) * D0 + pref * series)
    pr = (Asym**2 / (Asym**2 + T1 + T2)).subs(x, g2 / (1 + k) ** 2)
    closed = 8 * k**3 / (8 * k**2 + (1 - k) ** 2 * (1 + k) * (3 + k))
    for kv in (sp.Rational(1, 5), sp.Rational(3, 5), sp.Rational(9, 10)):
        assert abs(float(sp.N((pr - closed).subs(k, kv), 30))) < 1e-25, (kv, pr)
    assert sp.simplify(closed.subs(k, sp.Rational(3, 5))) == sp.Rational(5, 11)
    assert sp.limit(closed / k**3, k, 0) == sp.Rational(8, 3)
    return closed, k


def derive_random_mode_limits():
    R, M, C1, C2 = sp.symbols("R M C1 C2", positive=True)
    a2 = sp.symbols("a2", positive=True)                   # |a|^2
    psi_phi = (1 + a2 / R) * M * C1 * C2
    assert sp.simplify(sp.limit(psi_phi, R, sp.oo) - (C1 * C2 + (M - 1) * C1 * C2)) == 0
    U, Ub, Cx1, Cx2, Cxp1, Cxp2 = sp.symbols("U Ubar Cx1 Cx2 Cxp1 Cxp2")
    psi_x = Cx1 * Cx2 + (1 + 1 / R) * U * Ub * C1 * C2 + U * Cxp1 * Cxp2 + Ub * Cxp1 * Cxp2
    iid = Cx1 * Cx2 + U * Ub * C1 * C2 + (U + Ub) * Cxp1 * Cxp2       # 2 Re U = U + conj U
    assert sp.simplify(sp.limit(psi_x, R, sp.oo) - iid) == 0
    # PR(R)/PR_iid = 1/(1 + tau/R) with tau = T2/Psi_iid; tau -> 1 gives the near-onset law
    tau = sp.symbols("tau", positive=True)
    ratio = 1 / (1 + tau / R)
    assert sp.simplify(ratio.subs(tau, 1) - 1 / (1 + 1 / R)) == 0
    # gains, z-scored: B = 1/PR_G + 1/R - 1 -- effective rank and gains combine harmonically,
    # and without gains (PR_G = 1) both forms reduce to the random-mode one
    G = sp.symbols("G", positive=True)
    z_b = 1 / G + 1 / R - 1
    assert sp.simplify(z_b.subs(G, 1) - 1 / R) == 0
    return tau


def check_library(one_step, linear, k_sym):
    dim = mf.dimension
    r_s, (A_s, B_s, R_s) = one_step["r"], one_step["symbols"]
    f_phi = sp.lambdify(r_s, one_step["pr_phi"])
    f_x = sp.lambdify(r_s, one_step["pr_x"])
    f_gain = sp.lambdify((r_s, A_s, B_s), one_step["pr_gain"])
    f_xr = sp.lambdify((r_s, R_s), one_step["pr_x_rank"])
    worst = 0.0
    for phi, g in (("tanh", 1.5), ("erf", 2.0)):
        sol = mf.dmft.solve(g, phi, dt=1.0)
        r = (g * sol.mean_dphi) ** 4
        tol = 1e-12 + 10 * sol.residual
        pairs = [(dim.participation_ratio(sol), f_phi(r)), (dim.participation_ratio(sol, "x"), f_x(r)),
                 (dim.participation_ratio(sol, effective_rank=0.3, gain_ratio=0.6),
                  f_gain(r, 1 / 0.6, 1 / 0.3)),
                 (dim.participation_ratio(sol, effective_rank=0.3, gain_ratio=0.6, zscore=True),
                  f_gain(r, 1.0, 1 / 0.6 + 1 / 0.3 - 1)),
                 (dim.participation_ratio(sol, "x", effective_rank=0.3), f_xr(r, 0.3))]
        for lib, ref in pairs:
            worst = max(worst, abs(lib / ref - 1))
            assert abs(lib / ref - 1) < tol, (phi, g, lib, ref)
        # the surrogate: a linear map with gain rho and independent white noise
        lin = mf.dmft.solve(g * sol.mean_dphi, "linear", noise=1.0, dt=1.0)
        assert abs(dim.participation_ratio(lin, "x") / (1 - r) - 1) < 1e-12
        surrogate_ratio = dim.participation_ratio(lin, "x") / dim.participation_ratio(sol, "x")
        assert abs(surrogate_ratio / (2 - r) - 1) < tol, surrogate_ratio
    print(f"  dt = 1 closed forms (tanh g = 1.5, erf g = 2; iid, random modes, gains, z-scored): "
          f"max rel. error {worst:.1e}")
    f_lin = sp.lambdify(k_sym, linear)
    worst = 0.0
    for g in (0.3, 0.6, 0.8, 0.95):
        lib = dim.participation_ratio(mf.dmft.solve(g, "linear", noise=1.0), "x")
        ref = f_lin(math.sqrt(1 - g * g))
        worst = max(worst, abs(lib / ref - 1))
        assert abs(lib / ref - 1) < 1e-9, (g, lib, ref)
    print(f"  linear network, continuous time, g in (0.3, 0.6, 0.8, 0.95): max rel. error {worst:.1e}")
    taus = []
    for g in (2.0, 1.2, 1.05):
        sol = mf.dmft.solve(g, "erf")
        res = dim.participation_ratio_result(sol, effective_rank=1.0)
        taus.append((res.tr_c2 - res.c0**2 - res.psi0) / (res.c0**2 + res.psi0))
    assert taus[0] < taus[1] < taus[2] < 1 and taus[2] > 0.97, taus
    print(f"  T2 / Psi_iid(0,0) at g = 2, 1.2, 1.05 (erf): {', '.join(f'{t:.4f}' for t in taus)} -> 1")
    iid = dim.participation_ratio(sol)
    assert abs(dim.participation_ratio(sol, effective_rank=1e12) / iid - 1) < 1e-10


def main():
    one_step = derive_one_step()
    print("dt = 1: PR^phi/N =", one_step["pr_phi"], "; PR^x/N =", one_step["pr_x"],
          "; random modes / gains: PR^phi/N =", one_step["pr_gain"], "; PR^x/N =",
          one_step["pr_x_rank"])
    print("  sheet's pitfall value rho^4/(1-rho^2)^2 = |a|^2 M at zero frequency; a linear network "
          "with white noise gives PR = 1 - r at dt = 1")
    n = derive_inner_integral()
    print(f"inner integral = 2 Re[b L(q)] + |b|^2 Re L(q)/Re q: exact at {n} parameter sets; "
          "Euler-map identity checked")
    closed, k = derive_linear_network()
    print(f"linear network, continuous time: PR/N = {closed}, kappa = sqrt(1 - g^2)")
    derive_random_mode_limits()
    print("random modes: iid limit R -> oo (phi and x), near-onset law PR_iid/(1 + 1/R) when "
          "T2/Psi_iid -> 1")
    check_library(one_step, closed, k)


if __name__ == "__main__":
    main()
