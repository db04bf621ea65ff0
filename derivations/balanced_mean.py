r"""Balanced E/I mean with zero row sums: nilpotent mean, powers of W, unchanged spectrum.

Setting (Rajan & Abbott 2006)
-----------------------------
:math:`W = M + XP`, :math:`M = \mathbf 1\mu^T/\sqrt n`, :math:`P = I - \mathbf 1\mathbf 1^T/n`,
column means :math:`\mu_j \in \{\mu_E, \mu_I\}` on :math:`n_E` and :math:`n_I` columns.

Derived here (sympy)
--------------------
1. Balance :math:`n_E\mu_E + n_I\mu_I = 0` is :math:`\mu^T\mathbf 1 = 0`; then
   :math:`M^2 = \mathbf 1(\mu^T\mathbf 1)\mu^T/n = 0` (block form with symbolic
   :math:`n_E, n_I`, and an explicit 5 x 5 matrix).  The finite-n inhibitory mean
   :math:`\mu_I = -n_E\mu_E/n_I` used by the library tends to :math:`-f\mu_E/(1-f)`.
2. :math:`P\mathbf 1 = 0` gives :math:`(XP)M = XP\mathbf 1\mu^T/\sqrt n = 0`.  With
   :math:`A = M`, :math:`B = XP` non-commuting and :math:`A^2 = BA = 0`, expanding
   :math:`(A + B)^k` leaves :math:`W^k = (XP)^k + M(XP)^{k-1}` (k = 1..7); the relations
   :math:`M^2 = (XP)M = 0` and :math:`W^2 = (XP)^2 + M(XP)` are checked again with a fully
   symbolic 3 x 3 :math:`X`.
3. Spectrum: :math:`\det(z - W) = \det(z - XP)\,(1 - \mu^T(z - XP)^{-1}\mathbf 1/\sqrt n)` and
   :math:`(z - XP)^{-1}\mathbf 1 = \mathbf 1/z`, so :math:`\det(z - W) = \det(z - XP)`: the
   mean moves no eigenvalue.  Equivalently :math:`\mathrm{tr}\,W^k = \mathrm{tr}(XP)^k`.

Against the library
-------------------
``RajanAbbott(...).sample`` (dense, and sparse with zero row sums over existing connections,
where :math:`R = W - pM` plays the role of :math:`XP`): :math:`R\mathbf 1 = 0`,
:math:`M^2 = 0`, :math:`W^k = R^k + pMR^{k-1}` and :math:`\mathrm{tr}\,W^k = \mathrm{tr}\,R^k`
for k = 2..5, to 1e-10 relative.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import sympy as sp
from threadpoolctl import threadpool_limits

try:
    import meanfield as mf
except ModuleNotFoundError:  # running from a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import meanfield as mf

RTOL = 1e-10


def derive_nilpotent():
    nE, nI = sp.symbols("n_E n_I", positive=True, integer=True)
    mu_e, mu_i = sp.symbols("mu_E mu_I", real=True)
    f, n = sp.symbols("f n", positive=True)
    # block form: 1 = (1_E; 1_I), mu = (mu_E 1_E; mu_I 1_I); 1_E^T 1_E = n_E, 1_I^T 1_I = n_I
    mu_dot_one = nE * mu_e + nI * mu_i
    balanced = sp.solve(sp.Eq(mu_dot_one, 0), mu_i)[0]
    assert sp.simplify(balanced + nE * mu_e / nI) == 0
    # M^2 = 1 (mu^T 1) mu^T / n: its scalar factor vanishes under balance
    assert sp.simplify(mu_dot_one.subs(mu_i, balanced)) == 0
    # large-n limit with n_E = f n: mu_I -> -f mu_E / (1 - f)
    lim = sp.limit(balanced.subs({nE: f * n, nI: n - f * n}), n, sp.oo)
    assert sp.simplify(lim + f * mu_e / (1 - f)) == 0
    # explicit 5 x 5 check, n_E = 3
    one = sp.ones(5, 1)
    mu = sp.Matrix([mu_e] * 3 + [-sp.Rational(3, 2) * mu_e] * 2)
    M = one * mu.T / sp.sqrt(5)
    assert (M * M).applyfunc(sp.simplify) == sp.zeros(5, 5)
    return balanced, lim


def derive_powers(kmax=7):
    A, B = sp.symbols("M XP", commutative=False)
    results = {}
    for k in range(1, kmax + 1):
        expanded = sp.expand((A + B) ** k)
        kept = []
        for term in sp.Add.make_args(expanded):
            factors = []
            for factor in sp.Mul.make_args(term):
                base, exp = factor.as_base_exp()
                factors += [base] * int(exp)
            # M M = 0 and (XP) M = 0: any word containing them vanishes
            if any((x, y) in ((A, A), (B, A)) for x, y in zip(factors, factors[1:])):
                continue
            kept.append(term)
        W_k = sp.Add(*kept)
        expected = B ** k + A * B ** (k - 1)
        assert sp.expand(W_k - expected) == 0, (k, W_k)
        results[k] = W_k
    # fully symbolic 3 x 3 check: X generic, mu balanced with n_E = 2
    X = sp.Matrix(3, 3, sp.symbols("x0:9", real=True))
    mu_e = sp.Symbol("mu_E", real=True)
    one = sp.ones(3, 1)
    P = sp.eye(3) - one * one.T / 3
    assert P * one == sp.zeros(3, 1)
    # (the factor 1/sqrt(n) of M is left out: every identity is homogeneous in M)
    M = one * sp.Matrix([mu_e, mu_e, -2 * mu_e]).T

    def mul(a, b):
        return (a * b).applyfunc(sp.expand)

    XP = mul(X, P)
    assert mul(XP, M) == sp.zeros(3, 3)
    W = M + XP
    # k = 2 explicitly (k = 3 costs seconds of expansion; the word argument above covers all k)
    assert (mul(W, W) - mul(XP, XP) - mul(M, XP)).applyfunc(sp.expand) == sp.zeros(3, 3)
    # spectrum: the characteristic polynomials agree
    z = sp.Symbol("z")
    assert sp.expand((z * sp.eye(3) - W).det(method="berkowitz")
                     - (z * sp.eye(3) - XP).det(method="berkowitz")) == 0
    return results


def check_library():
    worst = 0.0
    cases = [dict(f=0.8, mu_e=2.0, sigma_e=0.5, sigma_i=1.0),
             dict(f=0.5, mu_e=4.0, sigma_e=1.0, sigma_i=0.3),
             dict(f=0.8, mu_e=2.0, sigma_e=0.5, sigma_i=1.0, sparsity=0.3)]
    n = 150
    for kwargs in cases:
        ens = mf.ensembles.RajanAbbott(**kwargs)
        for seed in (0, 1):
            W = ens.sample(n, seed=seed)
            pM = ens.mean_matrix(n)
            R = W - pM
            scale = np.linalg.norm(W, 2)
            assert np.max(np.abs(R.sum(axis=1))) < RTOL * scale * np.sqrt(n)
            assert np.max(np.abs(pM @ pM)) < RTOL * scale ** 2
            Wk, Rk = W.copy(), R.copy()
            for k in range(2, 6):
                Rk_prev = Rk
                Wk, Rk = Wk @ W, Rk @ R
                err = np.max(np.abs(Wk - (Rk + pM @ Rk_prev))) / scale ** k
                trace_err = abs(np.trace(Wk) - np.trace(Rk)) / (n * scale ** k)
                worst = max(worst, err, trace_err)
                assert err < RTOL and trace_err < RTOL, (kwargs, seed, k, err, trace_err)
    return worst


def main():
    balanced, lim = derive_nilpotent()
    print(f"balance: mu_I = {balanced} (finite n) -> {lim}; M^2 = 1 (mu^T 1) mu^T / n = 0")
    powers = derive_powers()
    print(f"W^k with M^2 = (XP) M = 0: W^3 = {powers[3]}, ... (k = 1..7); "
          "det(z - W) = det(z - XP) for a symbolic 3 x 3 X")
    with threadpool_limits(1):
        worst = check_library()
    print(f"library samples (n = 150; dense and sparse p = 0.3; seeds 0, 1): R 1 = 0, (pM)^2 = 0, "
          f"W^k = R^k + pM R^(k-1) and tr W^k = tr R^k for k = 2..5, max rel. error {worst:.1e}")


if __name__ == "__main__":
    main()
