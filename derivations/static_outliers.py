r"""Outliers of the Jacobian at a static fixed point, one and several populations.

Setting (derived for this project)
----------------------------------
At a static fixed point :math:`x = J\phi(x) + I` of :math:`J = Z + U K V^\top`
(:math:`Z_{ij} \sim \mathcal N(0, g_{ab}^2/N)`, :math:`K_{ab} = J_{0,ab}`, :math:`U_{ia} =
1[i\in a]`, :math:`V_{jb} = 1[j\in b]/N`), an eigenvalue :math:`\lambda` of
:math:`J D`, :math:`D = \mathrm{diag}\,\phi'(x)`, outside the bulk of :math:`Z D` solves
:math:`\det(1 - K V^\top D (\lambda - Z D)^{-1} U) = 0`.  :math:`D` depends on :math:`Z`
through :math:`x`, so :math:`(\lambda - ZD)^{-1}` is not :math:`1/\lambda` on these
vectors.  For :math:`w = (\lambda - ZD)^{-1} U c` the cavity method gives, for unit
:math:`i` of population :math:`a`, :math:`\lambda w_i = c_a + \xi_i` with
:math:`\xi_i = \sum_j Z_{ij}\phi'(x_j) w_j` Gaussian, of zero mean, and correlated with
the field :math:`h_i - \mu_a` (iid couplings: no reaction term) with covariance
:math:`\sum_b g_{ab}^2\alpha_b B_b`, :math:`B_b = \langle\phi\phi' w\rangle_b`.  Stein's
lemma, :math:`\langle f(h)\xi\rangle = \mathrm{cov}(\xi, h)\langle f'\rangle`, closes the
equations for :math:`A_b = \langle\phi' w\rangle_b` and :math:`B_b`:

.. math::

    \lambda A = D_1 c + D_2 W B, \qquad \lambda B = D_3 c + D_4 W B, \qquad c = K F A,

:math:`F = \mathrm{diag}\,\alpha`, :math:`W_{ab} = g_{ab}^2\alpha_b`,
:math:`D_1 = \mathrm{diag}\langle\phi'\rangle`, :math:`D_2 = \mathrm{diag}\langle\phi''\rangle`,
:math:`D_3 = \mathrm{diag}\langle\phi\phi'\rangle`, :math:`D_4 = \mathrm{diag}
\langle\phi'^2 + \phi\phi''\rangle`.  In the unknowns :math:`(c, B)` this is the eigenproblem
of :math:`N = \begin{pmatrix} KFD_1 & KFD_2W \\ D_3 & D_4W\end{pmatrix}`.

What this script derives (sympy)
--------------------------------
1. One population: eliminating :math:`A, B` from the cavity equations, the outlier
   condition :math:`1 = J_0 A(\lambda)` is :math:`\det(\lambda - \mathcal J) = 0` with
   :math:`\mathcal J = \begin{pmatrix} J_0\langle\phi'\rangle & \frac12 J_0\langle\phi''
   \rangle\\ 2g^2\langle\phi\phi'\rangle & g^2\langle\phi'^2+\phi\phi''\rangle\end{pmatrix}`,
   the Jacobian of the static map :math:`(\mu, \Delta) \mapsto (J_0\langle\phi\rangle + I_0,
   g^2\langle\phi^2\rangle + \sigma_I^2)`.
2. Two populations (all entries symbols): :math:`N` and the Jacobian of the static map,
   :math:`\mathcal J = \begin{pmatrix} KFD_1 & \frac12 KFD_2 \\ 2WD_3 & WD_4\end{pmatrix}`,
   have the same characteristic polynomial (:math:`\mathcal J = S\,\mathrm{diag}(1, W)\,X\,
   S^{-1}` and :math:`N = X\,\mathrm{diag}(1, W)` with :math:`S = \mathrm{diag}(1, 2)`).
3. The derivatives that make :math:`\mathcal J` the Jacobian of the static map:
   :math:`\partial_\Delta\langle\phi\rangle = \frac12\langle\phi''\rangle` and
   :math:`\partial_\Delta\langle\phi^2\rangle = \langle\phi'^2 + \phi\phi''\rangle` (checked
   on :math:`\phi = h^3 + h^2` by exact Gaussian integration).

Checks against the library: ``mf.dmft.fixed_point(0.5, J0=2, I0=0.2).outlier`` and the
outliers of a two-population ``mf.dmft.solve`` equal the eigenvalues of :math:`\mathcal J`
built here from independent Gauss-Hermite averages (1e-9).  The sampled networks (N =
1500) are in ``tests/test_dmft_static_regressions.py``: the outlier is 0.1318 where
:math:`J_0\langle\phi'\rangle = 0.1671`, and the samples give 0.129-0.132.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import sympy as sp

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

TOL = 1e-9


def one_population():
    lam, J0, g2, d1, d2, d3, d4, A, B = sp.symbols("lambda J0 g2 d1 d2 d3 d4 A B")
    # cavity equations with the source c = 1 (A and B per unit source)
    sol = sp.solve([sp.Eq(lam * A, d1 + d2 * g2 * B), sp.Eq(lam * B, d3 + d4 * g2 * B)],
                   [A, B], dict=True)[0]
    condition = sp.together(1 - J0 * sol[A])          # zero at an outlier
    numerator = sp.numer(condition)
    jac = sp.Matrix([[J0 * d1, J0 * d2 / 2], [2 * g2 * d3, g2 * d4]])
    charpoly = (lam * sp.eye(2) - jac).det()
    # numerator = lam (lam - g2 d4) - J0 (d1 (lam - g2 d4) + g2 d2 d3), up to its sign
    ratio = sp.simplify(numerator / sp.expand(charpoly))
    assert ratio.free_symbols == set() and ratio != 0, ratio
    return jac


def two_populations():
    def diag(name):
        return sp.diag(*sp.symbols(f"{name}1 {name}2"))

    K = sp.Matrix(2, 2, sp.symbols("k11 k12 k21 k22"))
    W = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22"))
    F = diag("f")
    D1, D2, D3, D4 = diag("a"), diag("b"), diag("c"), diag("d")
    N = sp.BlockMatrix([[K * F * D1, K * F * D2 * W], [D3, D4 * W]]).as_explicit()
    jac = sp.BlockMatrix([[K * F * D1, K * F * D2 / 2], [2 * W * D3, W * D4]]).as_explicit()
    lam = sp.Symbol("lambda")
    diff = sp.expand(N.charpoly(lam).as_expr() - jac.charpoly(lam).as_expr())
    assert diff == 0, diff


def stein_derivatives():
    h, mu = sp.symbols("h mu", real=True)
    delta = sp.Symbol("Delta", positive=True)
    phi = h**3 + h**2

    def E(f):
        # exact Gaussian average of a polynomial: E z^k = (k - 1)!! for even k, 0 for odd
        z = sp.Symbol("z")
        poly = sp.Poly(sp.expand(f.subs(h, mu + sp.sqrt(delta) * z)), z)
        return sum(c * (sp.factorial2(k - 1) if k % 2 == 0 else 0)
                   for (k,), c in poly.terms())

    d1, d2 = sp.diff(phi, h), sp.diff(phi, h, 2)
    assert sp.simplify(sp.diff(E(phi), delta) - E(d2) / 2) == 0
    assert sp.simplify(sp.diff(E(phi**2), delta) - E(d1**2 + phi * d2)) == 0


def _averages(mu, d0):
    z, w = np.polynomial.hermite_e.hermegauss(160)
    w = w / w.sum()
    x = mu + np.sqrt(d0) * z
    t = np.tanh(x)
    d1 = 1 - t**2
    d2 = -2 * t * d1
    return w @ d1, w @ d2, w @ (t * d1), w @ (d1**2 + t * d2), w @ d1**2


def library_checks():
    # one population: tanh, g = 0.5, J0 = 2, I0 = 0.2
    fp = mf.dmft.fixed_point(0.5, "tanh", J0=2.0, I0=0.2)
    d1, d2, d3, d4, _ = _averages(fp.mu, fp.delta0)
    jac = np.array([[2.0 * d1, d2], [2 * 0.25 * d3, 0.25 * d4]])
    ev = np.linalg.eigvals(jac)
    ev = ev[np.abs(ev) > fp.bulk_radius]
    assert ev.size == 1 and abs(fp.outlier - ev[0]) < TOL, (fp.outlier, ev)
    assert abs(fp.outlier - 2.0 * d1) > 0.03          # the mean-mode value alone is off
    # two populations
    G = np.array([[0.5, 0.4], [0.3, 0.6]])
    J0 = np.array([[2.0, 0.5], [1.0, 1.0]])
    fr = np.array([0.6, 0.4])
    sol = mf.dmft.solve(G, "tanh", J0=J0, I0=[0.2, 0.1], fractions=fr)
    av = np.array([_averages(m, d) for m, d in zip(sol.mu, sol.delta0)]).T
    K, W = J0 * fr, G**2 * fr
    jac = np.block([[K * av[0], K * av[1] / 2], [W * 2 * av[2], W * av[3]]])
    r = np.sqrt(np.max(np.abs(np.linalg.eigvals(W * av[4]))))
    ev = np.linalg.eigvals(jac)
    ev = np.sort_complex(ev[np.abs(ev) > r])[::-1]
    assert sol.method == "static" and sol.outliers.size == ev.size == 1
    assert np.max(np.abs(sol.outliers - ev)) < TOL, (sol.outliers, ev)
    return fp.outlier, sol.outliers[0].real


def main():
    one_population()
    two_populations()
    stein_derivatives()
    o1, o2 = library_checks()
    print("static_outliers: cavity outlier condition = det(lambda - Jacobian of the static map) "
          f"(1 and 2 populations); library outliers {o1:.6f} (tanh g=0.5 J0=2 I0=0.2), "
          f"{o2:.6f} (two populations) agree to {TOL:g}")


if __name__ == "__main__":
    main()
