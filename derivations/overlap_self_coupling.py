r"""Random-mode couplings with left-right overlap: the self-coupling kernel of the single unit.

Model (``meanfield.ensembles.RandomMode``; the Euler map of ``meanfield.simulate``, step h):
:math:`x_{t+1} = (1-h)x_t + h J\phi(x_t) + \sqrt h\sigma\xi_t`, :math:`J = \sum_a D_a l_a r_a^T`,
:math:`E[l_{ai}r_{bj}] = \rho\,\delta_{ab}\delta_{ij}/N`, :math:`P = \alpha N` modes.

1. The mode feedback (derived for this project)
-----------------------------------------------
With :math:`\kappa_a = r_a\cdot\phi` the input of unit i is :math:`\sum_a D_a l_{ai}\kappa_a`.  A
change of :math:`\kappa_a` moves every unit j by :math:`D_a l_{aj}\kappa_a` at the input, so
:math:`\phi_j` by :math:`S * D_a l_{aj}\kappa_a` (S the mean response of a rate to its input,
the self-coupling loop of j included), which comes back into :math:`\kappa_a` with weight
:math:`\sum_j r_{aj} l_{aj} \to \rho`: the loop gain is :math:`D_a\rho S(\theta)` and the
geometric series (summed below with sympy) gives :math:`\kappa_a = \kappa^{(0)}_a/(1 - D_a\rho
S)`.  Unit i's own share of :math:`\kappa^{(0)}_a` is :math:`r_{ai}\phi_i`; summed over the
modes, :math:`\sum_a D_a l_{ai}r_{ai}/(1 - D_a\rho S) \to R(\theta) = \alpha\langle D\rho/(1 -
D\rho S)\rangle` (a law of large numbers over P modes), and the rest, :math:`\sum_a D_a l_{ai}
\kappa^{(\setminus i)}_a/(1 - D_a\rho S)`, is a Gaussian field with spectrum
:math:`\alpha\langle D^2/|1 - D\rho S|^2\rangle C^\phi`.

2. The symmetric two-valued spectrum D = +-d (the simulations' case)
--------------------------------------------------------------------
:math:`R = \alpha d^2\rho^2 S/(1 - d^2\rho^2 S^2)` and
:math:`Q = \alpha d^2 (1 + d^2\rho^2|S|^2)/|1 - d^2\rho^2S^2|^2`, both even in :math:`\rho`:
the single-unit statistics of this ensemble do not depend on the sign of the overlap
(:math:`\rho \to -\rho` is :math:`D \to -D`, the same law).  Derived with sympy below and
compared with ``meanfield.dmft.mode_kernel``.

3. Linear transfer function: an exact check of the whole structure
--------------------------------------------------------------------
With :math:`\phi(x) = x` the single unit is linear and Gaussian: per frequency
:math:`S = S^x/(1 - R(S)S^x)`, :math:`S^x = h/(e^{i\theta} - (1-h))`, and
:math:`C^x = |S|^2(\sigma^2/h)/(1 - |S|^2 Q)`.  The finite network is linear too, and its
stationary covariance solves the discrete Lyapunov equation
:math:`\Sigma = A\Sigma A^T + h\sigma^2 I`, :math:`A = (1-h)I + hJ`, exactly.  The mean
diagonal :math:`\mathrm{tr}\,\Sigma/N` over sampled J must approach ``solve_overlap(...,
phi="linear").delta0``; the iid theory at the same :math:`g_{\rm eff}` (no kernel) must be
rejected.  Two spectra: D = +-d (:math:`\langle D\rho\rangle = 0`) and a flat positive one
(:math:`\langle D\rho\rangle \ne 0`: the O(1) diagonal :math:`R_0 = \alpha\rho\langle D\rangle`).
"""

import math

import numpy as np
import sympy as sp
from scipy.linalg import solve_discrete_lyapunov

import meanfield as mf


def derive_mode_feedback():
    """kappa = kappa0 sum_n (D rho S)^n = kappa0 / (1 - D rho S) for |D rho S| < 1."""
    g, n = sp.symbols("g n")
    series = sp.summation(g ** n, (n, 0, sp.oo))
    closed = sp.Piecewise((1 / (1 - g), sp.Abs(g) < 1))
    assert sp.simplify(series.args[0][0] - closed.args[0][0]) == 0
    print("mode feedback: sum_n (D rho S)^n =", sp.simplify(series.args[0][0]))


def derive_two_valued():
    """R and Q for D = +-d with equal weights, as closed forms."""
    a, d, r = sp.symbols("alpha d rho", positive=True)
    S = sp.symbols("S")
    Sc = sp.symbols("Sbar")                       # the complex conjugate of S
    R = a / 2 * (d * r / (1 - d * r * S) + (-d) * r / (1 + d * r * S))
    R_claim = a * d ** 2 * r ** 2 * S / (1 - d ** 2 * r ** 2 * S ** 2)
    assert sp.simplify(R - R_claim) == 0
    Q = a / 2 * (d ** 2 / ((1 - d * r * S) * (1 - d * r * Sc))
                 + d ** 2 / ((1 + d * r * S) * (1 + d * r * Sc)))
    Q_claim = a * d ** 2 * (1 + d ** 2 * r ** 2 * S * Sc) / (
        (1 - d ** 2 * r ** 2 * S ** 2) * (1 - d ** 2 * r ** 2 * Sc ** 2))
    assert sp.simplify(Q - Q_claim) == 0
    print("D = +-d:  R =", R_claim, "   Q =", Q_claim)
    fR = sp.lambdify((a, d, r, S), R_claim, "numpy")
    fQ = sp.lambdify((a, d, r, S, Sc), Q_claim, "numpy")
    gen = np.random.default_rng(5)
    for _ in range(20):
        al, dd, rr = gen.uniform(0.2, 3), gen.uniform(0.1, 2), gen.uniform(-1, 1)
        s = complex(gen.uniform(-0.4, 0.4), gen.uniform(-0.4, 0.4)) / max(dd, 1.0)
        Rl, Ql = mf.dmft.mode_kernel(np.array([s]), [dd, -dd], [0.5, 0.5], rr, al)
        assert abs(Rl[0] - fR(al, dd, abs(rr), s)) < 1e-12 * (1 + abs(Rl[0]))
        assert abs(Ql[0] - fQ(al, dd, abs(rr), s, s.conjugate()).real) < 1e-12 * (1 + Ql[0])
    print("mode_kernel agrees with the closed forms (20 random points, 1e-12)")


def lyapunov_delta0(ens, n, h, sigma, seed):
    """tr Sigma / N of the linear Euler map with couplings from ``ens`` (exact for this J)."""
    J = ens.sample(n, seed=seed)
    A = (1.0 - h) * np.eye(n) + h * J
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1.0:
        raise AssertionError("the sampled linear network is unstable: choose a smaller gain")
    Sigma = solve_discrete_lyapunov(A, h * sigma ** 2 * np.eye(n))
    return float(np.trace(Sigma) / n)


def check_linear(seeds=(0, 1, 2, 3), h=0.2, sigma=1.0):
    # (ensemble, N, relative finite-size budget b(N)): budgets measured on seeds 5000-5005 (not
    # used here) at N = 250, 500, 1000: flat +0.6%, -0.1%, +0.1% (2/N covers it); +-d, close to
    # the edge of stability (largest Re eigenvalue of J ~ 0.93), +5.0 +- 2.8%, +1.6 +- 2.3%,
    # -0.6 +- 0.5% (12/N covers it)
    cases = [
        (mf.ensembles.RandomMode(0.5, spectrum="flat", scale=0.5, overlap=0.5), 400, 2.0 / 400),
        (mf.ensembles.RandomMode(0.5, spectrum="flat", scale=0.5, overlap=-0.5), 400, 2.0 / 400),
        (mf.ensembles.RandomMode(1.0, spectrum=(1.0, -1.0), scale=0.45, overlap=0.8), 600,
         12.0 / 600),
    ]
    for ens, n, budget in cases:
        theory = mf.dmft.solve_overlap(ens, "linear", dt=h, noise=sigma)
        g_eff = math.sqrt(ens.coupling_variance)
        # the same spectrum without overlap: the iid linear theory at g_eff
        iid = mf.dmft.solve_overlap(
            mf.ensembles.RandomMode(ens.n_modes_ratio, spectrum=ens.spectrum, scale=ens.scale),
            "linear", dt=h, noise=sigma)
        sims = np.array([lyapunov_delta0(ens, n, h, sigma, 100 + s) for s in seeds])
        mean, err = sims.mean(), sims.std(ddof=1) / math.sqrt(len(sims))
        # error model: J-to-J spread (stderr over 4 seeds, Student-t 99.5% quantile for 3 dof =
        # 5.84) plus the finite-size budget b(N) above
        tol = 5.84 * err + budget * theory.delta0
        print(f"linear, rho={ens.overlap:+.1f}, spectrum={ens.spectrum}, g_eff={g_eff:.3f}: "
              f"theory {theory.delta0:.5f}, exact network (N={n}, {len(seeds)} J) "
              f"{mean:.5f} +- {err:.5f} (tolerance {tol:.4f}); without the kernel {iid.delta0:.5f}")
        assert abs(mean - theory.delta0) < tol, (mean, theory.delta0, tol)
        assert abs(mean - iid.delta0) > tol, "the kernel's effect is not resolved"


def main():
    derive_mode_feedback()
    derive_two_valued()
    check_linear()


if __name__ == "__main__":
    main()
