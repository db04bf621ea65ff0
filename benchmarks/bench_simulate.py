"""Speed of meanfield.simulate against baselines measured in the same run.

(a) Batch of 32 tanh trajectories, N = 2000, Euler, float64 and float32: achieved
    GFLOP/s of the ``J @ phi(X)`` products inside ``simulate`` (2 N^2 batch flops
    per step over the whole wall time, so phi, the update and the bookkeeping
    count against it) as a percentage of a bare ``J @ X`` loop of the same shapes.
(b) Per-trajectory throughput (unit-steps/s = N * steps * trajectories / s) of
    ``simulate`` with batch 1 and 32 against a plain numpy Euler loop and against
    ``scipy.integrate.solve_ivp`` (RK45, short t).

BLAS threads are pinned with threadpoolctl; the report covers 1 and 2 threads.
Run: ``python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp
from threadpoolctl import threadpool_info, threadpool_limits

import meanfield.simulate as sim


def _best(f, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def bare_gemm_rate(J, X, steps):
    out = np.empty_like(X)

    def run():
        for _ in range(steps):
            np.matmul(J, X, out=out)

    t = _best(run)
    return 2.0 * J.shape[0] ** 2 * X.shape[1] * steps / t / 1e9


def simulate_rate(J, batch, steps, dtype, dt=0.05):
    n = J.shape[0]
    kw = dict(batch=batch, dtype=dtype, record_every=0, max_lag=0.0, seed=0)
    t = _best(lambda: sim(J, "tanh", steps * dt, dt, **kw), repeat=2)
    return 2.0 * n * n * batch * steps / t / 1e9, n * batch * steps / t


def numpy_euler(J, steps, dt=0.05):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(J.shape[0])

    def run():
        y = x.copy()
        for _ in range(steps):
            y = (1 - dt) * y + dt * (J @ np.tanh(y))

    t = _best(run, repeat=2)
    return J.shape[0] * steps / t


def scipy_rk45(J, t_end=2.0):
    x0 = np.random.default_rng(0).standard_normal(J.shape[0])
    nfev = [0]

    def f(_t, x):
        nfev[0] += 1
        return -x + J @ np.tanh(x)

    t0 = time.perf_counter()
    sol = solve_ivp(f, (0.0, t_end), x0, method="RK45", rtol=1e-6, atol=1e-9)
    t = time.perf_counter() - t0
    # count unit-steps at the Euler step 0.05 covering the same simulated time
    return J.shape[0] * (t_end / 0.05) / t, sol.t.size - 1, nfev[0]


def main(quick=False):
    n, batch = 2000, 32
    steps_batch = 20 if quick else 100
    steps_single = 100 if quick else 400
    J64 = np.random.default_rng(1).normal(scale=1.5 / np.sqrt(n), size=(n, n))
    J32 = J64.astype(np.float32)
    blas = [(d["internal_api"], d.get("version"), d["num_threads"]) for d in threadpool_info()
            if d["user_api"] == "blas"]
    print(f"BLAS: {blas}")
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            print(f"\n=== {threads} BLAS thread(s), N={n} ===")
            print("(a) batch of 32 tanh trajectories, Euler: simulate vs bare J @ X")
            for J, dt_name in ((J64, "float64"), (J32, "float32")):
                X = np.random.default_rng(2).standard_normal((n, batch)).astype(J.dtype)
                bare = bare_gemm_rate(J, X, steps_batch)
                got, _ = simulate_rate(J, batch, steps_batch, J.dtype)
                print(f"    {dt_name}: simulate {got:7.2f} GFLOP/s, bare gemm {bare:7.2f} GFLOP/s "
                      f"-> {100 * got / bare:5.1f}%")
            print("(b) per-trajectory throughput (unit-steps/s), float64")
            base = numpy_euler(J64, steps_single)
            _, s1 = simulate_rate(J64, 1, steps_single, np.float64)
            _, s32 = simulate_rate(J64, batch, steps_batch, np.float64)
            _, s32f = simulate_rate(J32, batch, steps_batch, np.float32)
            rk, nsteps, nfev = scipy_rk45(J64, 1.0 if quick else 2.0)
            print(f"    numpy Euler loop (batch 1): {base:10.3g}")
            print(f"    solve_ivp RK45 (per 0.05 of simulated time; {nsteps} steps, {nfev} "
                  f"evals): {rk:10.3g}")
            for name, v in (("simulate batch=1 ", s1), ("simulate batch=32", s32),
                            ("simulate batch=32 float32", s32f)):
                print(f"    {name:26s}: {v:10.3g}  = {v / base:5.2f}x numpy loop, "
                      f"{v / rk:6.1f}x solve_ivp")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps")
    main(**vars(ap.parse_args()))
