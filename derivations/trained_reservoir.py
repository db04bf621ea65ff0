r"""Output poles of a reservoir with output feedback trained to K fixed points.

Setting (Rivkind & Barak 2017; the K-target result derived for this project)
----------------------------------------------------------------------------
:math:`\dot x = -x + J\phi(x) + uz + b_k`, :math:`z = w^\top\phi(x)`, :math:`J_{ij}\sim
\mathcal N(0, g^2/N)`, :math:`u_i\sim\mathcal N(0,1)`, :math:`b_k = b + \sigma_b\xi_k`.  Training
settles :math:`x_k = J\phi_k + uA_k + b_k` (:math:`\phi_k = \phi(x_k)`) and takes the
minimum-norm readout :math:`w = \Phi Q^{-1}A`, :math:`\Phi = [\phi_1\ldots\phi_K]`,
:math:`Q = \Phi^\top\Phi = NC`.

1. *Regression on the fields.*  Given the :math:`K` fields :math:`H = J\Phi`, the iid Gaussian
   :math:`J` is :math:`\tilde JP_\perp + HQ^{-1}\Phi^\top` with :math:`\tilde J` independent
   (conditional mean of a Gaussian row given linear constraints; checked below:
   :math:`(HQ^{-1}\Phi^\top)\Phi = H` and :math:`P_\perp\Phi = 0`).
2. *Closed-loop eigenvector* at attractor :math:`a`, :math:`D = \mathrm{diag}\,\phi'(x_a)`:
   :math:`(1+s)v = JDv + u\,w^\top Dv`.  With :math:`r_l = \phi_l^\top Dv/N`,
   :math:`w^\top Dv = A^\top C^{-1}r` and :math:`JDv = \tilde JP_\perp Dv + HC^{-1}r`.  For
   :math:`|1+s|` outside the bulk the independent part drops out of every average over units
   (each term of the Neumann series of :math:`[(1+s) - \tilde JD]^{-1}` beyond the first has
   zero mean), so projecting on :math:`\phi_l^\top D/N`:

   .. math:: (1+s)\,r = (B + \beta A^\top)\,C^{-1} r = E\,C^{-1}r,

   :math:`B_{lk} = \langle\phi_l\phi'_a h_k\rangle`, :math:`\beta_l = \langle\phi_l\phi'_a u
   \rangle`, :math:`E_{lk} = \langle\phi_l\phi'_a(x_k - b_k)\rangle`.
3. *Poles*: :math:`\det[(1+s)C - E] = 0`, a polynomial of degree K in s (the output ODE).
   Equivalently :math:`H(s) = 1` with :math:`H(s) = A^\top[(1+s)C - B]^{-1}\beta` (the
   open-loop transfer), since by the matrix determinant lemma

   .. math:: 1 - H(s) = \det[(1+s)C - E]\,/\,\det[(1+s)C - B].

   Verified below in sympy for K = 1, 2, 3 with all entries symbols.
4. *One target*: :math:`s^* = E/C - 1 = \langle(x-b)\phi\phi'\rangle/\langle\phi^2\rangle - 1`.
5. *relu, no bias, no inputs*: :math:`x\phi'(x) = \phi(x)`, so column :math:`a` of :math:`E` is
   column :math:`a` of :math:`C`, and :math:`\det[C - E] = 0`: :math:`s = 0` at every
   attractor (sympy, K = 2, 3); at finite N, :math:`x_a` is an exact null vector.
6. *Averages*: the :math:`x_k` are jointly Gaussian (mean :math:`b`, covariance
   :math:`g^2C_{kl} + A_kA_l + \sigma_b^2\delta_{kl}`), and :math:`y_k = x_k - b_k` has
   :math:`\mathrm{Cov}(y_k, x_j) = g^2C_{kj} + A_kA_j`; the library reduces
   :math:`\langle f(x_l, x_a)\,y_k\rangle` by the regression form of Stein's lemma.  Checked
   below against a direct 3-D Gauss-Hermite integral over :math:`(x_l, x_a, y_k)` (100 nodes
   per axis, itself converged to about 1e-7 here: 60 nodes differ by 1e-5, 150 by 1e-8).

Checks against the library (``meanfield.trained``): items 3-5 to 1e-10, item 6 to 1e-6, the open-loop
variances against an independent 1-D root solve, the one-target closed form against
``mf.gaussian``, and two exact finite-N identities (N = 300): :math:`H_N(s) = 1` at a
closed-loop outlier, and the relu zero mode.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import optimize

import meanfield as mf


def _symbolic_pole_equation(K: int) -> None:
    """1 - A^T [(1+s)C - B]^{-1} beta == det[(1+s)C - E] / det[(1+s)C - B], E = B + beta A^T."""
    s = sp.Symbol("s")
    C = sp.Matrix(K, K, lambda i, j: sp.Symbol(f"C{min(i, j)}{max(i, j)}"))
    B = sp.Matrix(K, K, lambda i, j: sp.Symbol(f"B{i}{j}"))
    beta = sp.Matrix(K, 1, lambda i, j: sp.Symbol(f"beta{i}"))
    A = sp.Matrix(K, 1, lambda i, j: sp.Symbol(f"A{i}"))
    M = (1 + s) * C - B
    E = B + beta * A.T
    lhs = (1 - (A.T * M.adjugate() * beta)[0, 0] / M.det())
    rhs = ((1 + s) * C - E).det() / M.det()
    assert sp.simplify(sp.together(lhs - rhs)) == 0, f"pole equation, K={K}"
    # the characteristic polynomial has degree K in s: a K-th order output ODE
    assert sp.degree(sp.expand(((1 + s) * C - E).det()), s) == K


def _symbolic_regression(K: int) -> None:
    """Conditional mean of J given J Phi = H is H Q^{-1} Phi^T; P_perp Phi = 0."""
    N = K + 2
    Phi = sp.Matrix(N, K, lambda i, j: sp.Symbol(f"p{i}_{j}"))
    H = sp.Matrix(N, K, lambda i, j: sp.Symbol(f"h{i}_{j}"))
    Q = Phi.T * Phi
    Qi = Q.inv()
    assert sp.simplify(H * Qi * Phi.T * Phi - H) == sp.zeros(N, K)
    P = sp.eye(N) - Phi * Qi * Phi.T
    assert sp.simplify(P * Phi) == sp.zeros(N, K)


def _symbolic_relu_zero_mode(K: int) -> None:
    """Column a of E equal to column a of C (x phi' = phi) => det(C - E) = 0 (s = 0)."""
    C = sp.Matrix(K, K, lambda i, j: sp.Symbol(f"C{min(i, j)}{max(i, j)}"))
    for a in range(K):
        E = sp.Matrix(K, K, lambda i, j, a=a: C[i, a] if j == a else sp.Symbol(f"E{i}{j}"))
        assert sp.expand((C - E).det()) == 0


def _stein_vs_direct(th, a: int, l: int, k: int) -> tuple[float, float]:
    """E^{(a)}_{lk} of the library vs a direct 3-D Gauss-Hermite integral (tanh)."""
    tf = mf.transfer.get(th.phi)
    A, Q, b = th.targets, th.covariance, th.bias
    sig2 = th.input_std ** 2
    Sh = Q - sig2 * np.eye(A.size)
    idx = [l, a]
    cov = np.empty((3, 3))
    cov[:2, :2] = Q[np.ix_(idx, idx)]
    cov[2, :2] = cov[:2, 2] = Sh[k, idx]
    cov[2, 2] = Sh[k, k]                      # Var(y_k) = g^2 C_kk + A_k^2
    lam, V = np.linalg.eigh(cov)             # x_l = x_a when l = a: a singular covariance
    L = V * np.sqrt(np.clip(lam, 0.0, None))
    z, w = np.polynomial.hermite_e.hermegauss(100)
    w = w / w.sum()
    Z = np.stack(np.meshgrid(z, z, z, indexing="ij")).reshape(3, -1)
    W = np.einsum("i,j,k->ijk", w, w, w).ravel()
    X = L @ Z
    xl, xa, y = X[0] + b, X[1] + b, X[2]
    direct = float(W @ (tf.phi(xl) * tf.dphi(xa) * y))
    return direct, float(th.feedback_moments[a, l, k])


def main() -> None:
    for K in (1, 2, 3):
        _symbolic_pole_equation(K)
    _symbolic_regression(2)
    for K in (2, 3):
        _symbolic_relu_zero_mode(K)
    print("sympy: 1 - H(s) = det[(1+s)C - E]/det[(1+s)C - B] for K = 1, 2, 3 (degree K in s); "
          "regression J = J~ P_perp + H Q^-1 Phi^T; relu zero mode det(C - E) = 0 for K = 2, 3")

    # one target: the closed form on the theory sheet, from mf.gaussian
    for g, phi, A, b in [(0.5, "tanh", 0.5, 0.0), (0.8, "tanh", 1.0, 0.3), (0.6, "relu", 1.0, 0.3),
                         (1.2, "relu", 1.0, -0.3), (1.0, "erf", 0.7, -0.2)]:
        th = mf.trained.reservoir_theory(g, phi, [A], bias=b)
        d0 = float(th.delta0[0])
        tf = mf.transfer.get(phi)
        num = mf.gaussian.expect(phi, lambda x, tf=tf, b=b: (x - b) * tf.phi(x) * tf.dphi(x),
                                 mu=b, delta0=d0)
        s_star = num / mf.gaussian.mean_phi2(phi, mu=b, delta0=d0) - 1.0
        assert abs(th.poles[0, 0] - s_star) < 1e-10, (phi, th.poles[0, 0], s_star)
        # the open-loop variance from an independent root solve of
        # Delta_h = g^2 <phi^2>(mu = b, Var = Delta_h + A^2)
        dh = optimize.brentq(lambda d, g=g, phi=phi, A=A, b=b:
                             g * g * mf.gaussian.mean_phi2(phi, mu=b, delta0=d + A * A) - d,
                             0.0, 100.0, xtol=1e-14)
        assert abs(th.delta_h[0] - dh) < 1e-9, (phi, th.delta_h[0], dh)
        if phi == "relu":
            closed = -b * mf.gaussian.mean_phi(phi, mu=b, delta0=d0) / \
                mf.gaussian.mean_phi2(phi, mu=b, delta0=d0)
            assert abs(th.poles[0, 0] - closed) < 1e-10, (th.poles[0, 0], closed)
    print("one target: s* = <(x-b) phi phi'>/<phi^2> - 1 and relu s* = -b<phi>/<phi^2> to 1e-10; "
          "open-loop Delta_h matches a direct root solve to 1e-9")

    # K targets: the Stein-regression averages against a direct 3-D integral
    th = mf.trained.reservoir_theory(1.0, "tanh", [0.4, 0.8, 1.2], bias=0.2, input_std=0.3)
    worst = 0.0
    for a in range(3):
        for l in range(3):
            for k in range(3):
                direct, lib = _stein_vs_direct(th, a, l, k)
                worst = max(worst, abs(direct - lib))
    assert worst < 1e-6, worst         # the 100-node product rule itself is good to ~1e-7 here
    # relu without bias: s = 0 at every attractor (targets of opposite signs)
    th0 = mf.trained.reservoir_theory(1.2, "relu", [1.0, -0.5])
    assert np.all(np.min(np.abs(th0.poles), axis=1) < 1e-10), th0.poles
    print(f"K = 3: E^(a)_lk from the Stein regression vs direct 3-D Gauss-Hermite, max |diff| = "
          f"{worst:.1e}; relu without bias: a pole at s = 0 at each attractor")

    # exact finite-N identities (no statistics): H_N = 1 at a closed-loop outlier; relu null vector
    net = mf.trained.FeedbackReservoir(300, 0.8, "tanh", targets=[0.5, 1.5], seed=3)
    ev = net.eigenvalues(0)
    top = ev[0]
    assert abs(1 + top) > 1.2 * net.bulk_radius(0), (top, net.bulk_radius(0))
    h = complex(net.transfer(top, 0, method="schur"))
    assert abs(h - 1) < 1e-8, h
    net = mf.trained.FeedbackReservoir(300, 1.2, "relu", targets=[1.0, -1.0], seed=3)
    for a in range(2):
        x = net.fixed_points[a]
        assert np.max(np.abs(net.jacobian(a) @ x)) < 1e-9 * np.max(np.abs(x))
    print(f"finite N = 300: H_N(s) = 1 at the outlier s = {top:.4f} (|H - 1| = {abs(h - 1):.1e}); "
          "relu: the fixed point is a null vector of the closed-loop Jacobian")


if __name__ == "__main__":
    main()
