"""Speed of meanfield.simulate.squared_norm against a naive expm loop.

Task: ||x(t)||^2 for 1000 matrices of the balanced Rajan-Abbott ensemble at N = 500 (f = 0.5,
mu_E = 3, sigma_E = sigma_I = 0.8: <mu^2> = 9, r = 0.8) and 10 initial conditions each, on a
grid of 50 times in [0, 10].

- ours: ``mf.simulate.squared_norm`` with its default ``method="auto"``, which on this uniform grid
  (one distinct time step, no exact x0-average) chooses ``"expm"``: one expm of (W - 1) dt per
  matrix, then one product per time for all initial conditions.  Run on all matrices
  (``--quick``: 100 matrices, extrapolated linearly to 1000);
- ours, ``method="eig"`` (one eigendecomposition per matrix, conjugate pairs folded, all times
  and initial conditions in one real product; the path for non-uniform grids and for the exact
  x0-average), on ``--eig-matrices`` matrices (default 50), extrapolated linearly;
- naive: ``scipy.linalg.expm((W - 1) t) @ x0`` for every matrix and time, run on a subset of
  matrices (``--naive-matrices``, default 3) and extrapolated linearly to 1000 (the cost per
  matrix does not depend on the matrix).

The subset's results are compared between the three (max relative difference).  BLAS is pinned
to one thread (threadpoolctl).  Run: ``python benchmarks/bench_transient.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_info, threadpool_limits

import meanfield as mf
from meanfield import simulate as sim

N, N_MATRICES, N_T, N_X0, SEED = 500, 1000, 50, 10, 0
T = np.linspace(0.0, 10.0, N_T)
ENS = mf.ensembles.RajanAbbott(0.5, 3.0, 0.8, 0.8)


def naive(n_matrices):
    """Same matrices and x0 as simulate_squared_norm(seed=SEED): one expm per (matrix, t)."""
    gen = np.random.default_rng(SEED)
    out = np.empty((n_matrices, N_X0, N_T))
    eye = np.eye(N)
    for i in range(n_matrices):
        W = ENS.sample(N, seed=gen)
        X0 = gen.standard_normal((N, N_X0))
        X0 /= np.linalg.norm(X0, axis=0)
        for k, t in enumerate(T):
            Xt = scipy.linalg.expm((W - eye) * t) @ X0
            out[i, :, k] = np.einsum("ij,ij->j", Xt, Xt)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 matrices for our method")
    ap.add_argument("--naive-matrices", type=int, default=3)
    ap.add_argument("--eig-matrices", type=int, default=50)
    args = ap.parse_args(argv)
    n_ours = 100 if args.quick else N_MATRICES
    k = args.naive_matrices
    with threadpool_limits(1):
        blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
        print(f"BLAS: {blas}; N = {N}, {N_T} times, {N_X0} x0 per matrix, {ENS!r}")

        t0 = time.perf_counter()
        ours = sim.squared_norm(ENS, T, n=N, n_matrices=n_ours, n_x0=N_X0, seed=SEED,
                                        exact_average=False)
        per_ours = (time.perf_counter() - t0) / n_ours
        print(f"ours (method='auto' -> {ours.method!r}): {n_ours} matrices at {per_ours:.3f} "
              f"s/matrix -> {per_ours * N_MATRICES:.0f} s for {N_MATRICES}"
              + (" (extrapolated)" if n_ours < N_MATRICES else " (measured)"))

        ke = max(args.eig_matrices, k)
        t0 = time.perf_counter()
        eig = sim.squared_norm(ENS, T, n=N, n_matrices=ke, n_x0=N_X0, seed=SEED,
                                       method="eig", exact_average=False)
        per_eig = (time.perf_counter() - t0) / ke
        print(f"ours (method='eig'): {ke} matrices at {per_eig:.3f} s/matrix -> "
              f"{per_eig * N_MATRICES:.0f} s for {N_MATRICES} (extrapolated); fallbacks "
              f"{eig.n_fallback}, max condition {np.nanmax(eig.condition):.2g}")

        t0 = time.perf_counter()
        ref = naive(k)
        per_naive = (time.perf_counter() - t0) / k
        print(f"naive expm per (matrix, t): {k} matrices at {per_naive:.2f} s/matrix -> "
              f"{per_naive * N_MATRICES:.0f} s for {N_MATRICES} (extrapolated linearly from "
              f"{k} matrices)")

    d1 = np.max(np.abs(ours.samples[:k] - ref) / ref)
    d2 = np.max(np.abs(eig.samples[:k] - ref) / ref)
    print(f"agreement on the {k} shared matrices (max relative difference to naive): "
          f"auto {d1:.1e}, eig {d2:.1e}")
    print(f"speed-up over naive expm: ours (auto) {per_naive / per_ours:.1f}x, "
          f"eig {per_naive / per_eig:.1f}x")


if __name__ == "__main__":
    main()
