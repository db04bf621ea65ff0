"""Speed of meanfield.transient.simulate_squared_norm against a naive expm loop.

Task: ||x(t)||^2 for 1000 matrices of the balanced Rajan-Abbott ensemble at N = 500 (f = 0.5,
mu_E = 3, sigma_E = sigma_I = 0.8: <mu^2> = 9, r = 0.8) and 10 initial conditions each, on a
grid of 50 times in [0, 10].

- ours: ``simulate_squared_norm(method="eig")`` (one eigendecomposition per matrix, conjugate
  pairs folded, all times and initial conditions in one real product), run on all matrices
  (``--quick``: 100 matrices, extrapolated linearly to 1000);
- naive: ``scipy.linalg.expm((W - 1) t) @ x0`` for every matrix and time, run on a subset of
  matrices (``--naive-matrices``, default 3) and extrapolated linearly to 1000 (the cost per
  matrix does not depend on the matrix);
- for reference, our ``method="expm"`` path (stepping with the expm of the time increment) on
  the same subset.

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
from meanfield import transient as tr

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
    args = ap.parse_args(argv)
    n_ours = 100 if args.quick else N_MATRICES
    k = args.naive_matrices
    with threadpool_limits(1):
        blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
        print(f"BLAS: {blas}; N = {N}, {N_T} times, {N_X0} x0 per matrix, {ENS!r}")

        t0 = time.perf_counter()
        ours = tr.simulate_squared_norm(ENS, T, n=N, n_matrices=n_ours, n_x0=N_X0, seed=SEED,
                                        exact_average=False)
        t_ours = time.perf_counter() - t0
        per_ours = t_ours / n_ours
        print(f"ours (eig): {n_ours} matrices in {t_ours:.1f} s = {per_ours:.3f} s/matrix "
              f"-> {per_ours * N_MATRICES:.0f} s for {N_MATRICES}"
              + (" (extrapolated)" if n_ours < N_MATRICES else " (measured)")
              + f"; fallbacks {ours.n_fallback}, max condition {np.nanmax(ours.condition):.2g}")

        t0 = time.perf_counter()
        ref = naive(k)
        t_naive = time.perf_counter() - t0
        per_naive = t_naive / k
        print(f"naive expm per (matrix, t): {k} matrices in {t_naive:.1f} s = {per_naive:.2f} "
              f"s/matrix -> {per_naive * N_MATRICES:.0f} s for {N_MATRICES} (extrapolated "
              f"linearly from {k} matrices)")

        t0 = time.perf_counter()
        step = tr.simulate_squared_norm(ENS, T, n=N, n_matrices=k, n_x0=N_X0, seed=SEED,
                                        method="expm", exact_average=False)
        per_step = (time.perf_counter() - t0) / k
        print(f"ours, method='expm' (one expm per distinct increment): {per_step:.2f} s/matrix")

    d1 = np.max(np.abs(ours.samples[:k] - ref) / ref)
    d2 = np.max(np.abs(step.samples - ref) / ref)
    print(f"agreement on the {k} shared matrices: eig vs naive {d1:.1e}, expm-stepping vs "
          f"naive {d2:.1e} (max relative difference)")
    print(f"speed-up of ours over naive expm: {per_naive / per_ours:.1f}x "
          f"(over expm-stepping: {per_step / per_ours:.1f}x)")


if __name__ == "__main__":
    main()
