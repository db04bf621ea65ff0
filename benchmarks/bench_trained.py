"""Speed of the trained-reservoir tools (issue 8).

Tasks (tanh, g = 0.8, five targets A = -1.5, -0.8, 0.4, 1.1, 1.7, bias 0.2, N = 2000):

- training: ``mf.trained.FeedbackReservoir(...)`` (sample J and u, settle the five
  teacher-forced open-loop fixed points, fit the min-norm readout);
- theory: ``mf.trained.reservoir_theory(...)`` for the same five targets (all K = 5 poles of every
  attractor from the 5 x 5 pole equation);
- the exact finite-N transfer function H_N(i omega) of one attractor on 1000 frequencies:
  ``net.transfer(s)`` (one eigendecomposition of J D, then O(N) per frequency; and the Schur
  path, O(N^2) per frequency) against a dense ``numpy.linalg.solve`` of
  ((1 + s) I - J D) x = u per frequency, run on ``--dense`` frequencies (default 20) and
  extrapolated linearly to 1000 (the cost per frequency does not depend on it).

The dense and decomposed values are compared on the common frequencies.  BLAS pinned to one
thread.  Run: ``python benchmarks/bench_trained.py [--n N] [--dense K]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import meanfield as mf

TARGETS = (-1.5, -0.8, 0.4, 1.1, 1.7)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--dense", type=int, default=20)
    ap.add_argument("--frequencies", type=int, default=1000)
    args = ap.parse_args(argv)
    omega = np.linspace(0.0, 5.0, args.frequencies)
    s = 1j * omega
    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        net = mf.trained.FeedbackReservoir(args.n, 0.8, "tanh", targets=TARGETS, bias=0.2, seed=0)
        t_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        th = mf.trained.reservoir_theory(0.8, "tanh", TARGETS, bias=0.2)
        t_theory = time.perf_counter() - t0

        t0 = time.perf_counter()
        h_eig = net.transfer(s, attractor=0)
        t_eig = time.perf_counter() - t0
        t0 = time.perf_counter()
        h_schur = net.transfer(s, attractor=0, method="schur")
        t_schur = time.perf_counter() - t0

        D = net.tf.dphi(net.fixed_points[0])
        M = net.J * D[None, :]
        left = net.w * D
        eye = np.eye(args.n)
        k = min(args.dense, args.frequencies)
        t0 = time.perf_counter()
        h_dense = np.array([left @ np.linalg.solve((1.0 + z) * eye - M, net.u.astype(complex))
                            for z in s[:k]])
        t_dense = (time.perf_counter() - t0) * args.frequencies / k
    err_eig = float(np.max(np.abs(h_eig[:k] - h_dense)) / np.max(np.abs(h_dense)))
    err_schur = float(np.max(np.abs(h_schur[:k] - h_dense)) / np.max(np.abs(h_dense)))
    print(f"N = {args.n}, K = {len(TARGETS)} targets, tanh g = 0.8, bias 0.2, 1 BLAS thread")
    print(f"training (settle {len(TARGETS)} fixed points + readout): {t_train:.2f} s")
    print(f"theory (all poles of {len(TARGETS)} attractors):           {t_theory:.3f} s "
          f"(stable: {[bool(x) for x in np.atleast_1d(th.stable)]})")
    print(f"H_N on {args.frequencies} frequencies: eig {t_eig:.2f} s, schur {t_schur:.2f} s, "
          f"dense solve per frequency {t_dense:.1f} s (extrapolated from {k})")
    print(f"ratio dense / eig = {t_dense / t_eig:.0f}x, dense / schur = {t_dense / t_schur:.1f}x; "
          f"max relative difference to dense: eig {err_eig:.1e}, schur {err_schur:.1e}")


if __name__ == "__main__":
    main()
