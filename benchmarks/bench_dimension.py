"""Speed of meanfield.dimension against baselines measured in the same run.

(1) Theory: ``mf.dimension.participation_ratio(sol, of)`` (PR/N of the two-site cavity theory,
    continuous time) at g = 2 for tanh and erf, of = "phi" and "x": the time per point given a
    solved ``sol``, and including the DMFT solve (a new gain every repeat, so no solve is a
    repeat of the previous one).  Accuracy: the relative difference from a much tighter
    evaluation (``solve(rtol=1e-13)``, ``participation_ratio(rtol=1e-10)``) and from the
    baseline on its finest grid.  Then a 200-point curve PR^phi/N(g), g in [1.1, 5], tanh,
    solve included.
    Baseline: the brute-force double frequency integral on a grid, in plain numpy -- the lag
    functions of ``sol`` interpolated (cubic spline) onto tau_k = k h, k <= T/h, transformed
    by a type-I DCT (the trapezoid rule, C(omega_j) at omega_j = j pi/T), and
    psi(omega_1, omega_2) summed over the square |omega| <= Omega in row chunks.  The
    grids tried are ``GRIDS`` (T from 25 to 1600, Omega from 4 to 10) with h = 0.1, coarse
    to fine; the coarsest reaching 1e-4 (and the coarsest reaching 1e-8) relative is timed.
    Near the onset the ridge of M (width 1 - (g<phi'>)^2) needs a finer frequency step; one
    point at g = 1.1 shows it.
(2) Data: ``mf.dimension.from_activity(X)`` (cross-block estimate, 10 blocks, jackknife
    error, naive plug-in beside it) on white Gaussian X of shapes (T, N) up to (1e5, 1e3),
    against the naive estimate ``np.cov(X, rowvar=False)`` + ``np.linalg.eigvalsh``,
    PR = (sum lam)^2 / sum lam^2: wall time and the peak of memory allocated beyond X
    (tracemalloc, in a separate run from the timed ones).

Every time is the minimum over ``--repeat`` runs (default 3): the machine is shared.  BLAS
is pinned to one thread (threadpoolctl).  Run:
``python benchmarks/bench_dimension.py [--quick] [--repeat 3] [--json out.json]``
(``--quick``: shapes up to (2e4, 1e3) and a 50-point curve).
"""

from __future__ import annotations

import argparse
import json
import math
import time
import tracemalloc

import numpy as np
from scipy import fft
from scipy.interpolate import CubicSpline
from threadpoolctl import threadpool_limits

import meanfield as mf

#: Baseline grids (T, Omega), coarse to fine, at h = 0.1.
GRIDS = ((25.0, 4.0), (50.0, 5.0), (75.0, 5.0), (75.0, 7.5), (100.0, 5.0), (100.0, 7.5),
         (100.0, 10.0), (150.0, 10.0), (200.0, 10.0), (300.0, 10.0), (400.0, 10.0),
         (800.0, 10.0), (1600.0, 10.0))
H = 0.1
SHAPES = ((10_000, 100), (100_000, 100), (2_000, 1_000), (10_000, 1_000), (100_000, 1_000))
QUICK_SHAPES = ((10_000, 100), (2_000, 1_000), (20_000, 1_000))


def _best(f, repeat):
    """(minimum wall time over ``repeat`` calls, the last value)."""
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _peak(f):
    """Peak memory (bytes) allocated during f() beyond what existed before, by tracemalloc."""
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- (1) theory

def _connected(sol):
    """(C^x(0), C^phi(0)) and the connected lag functions of a one-population solution."""
    mean2 = mf.gaussian.mean_phi(sol.phi, mu=float(sol.mu), delta0=float(sol.delta0)) ** 2
    cx = np.asarray(sol.delta_tau, dtype=float) - float(sol.delta_inf)
    cp = np.asarray(sol.c_phi_tau, dtype=float) - mean2
    return cx, cp


def brute_force_pr(sol, of="phi", *, T=400.0, omega_max=10.0, h=H, chunk=256):
    r"""PR^a/N by the double frequency integral on a grid (plain numpy).

    :math:`\Psi(0,0) = C(0)^2 + \iint \psi(\omega_1,\omega_2)\,d\omega_1 d\omega_2/(2\pi)^2`
    with :math:`\psi^\phi = (M - 1) C^\phi_1 C^\phi_2`, :math:`M = |1 - \rho^2 s_1 s_2|^{-2}`,
    :math:`\psi^x = |U|^2 C^\phi_1 C^\phi_2 + 2\,\mathrm{Re}\,U\,\langle\phi'\rangle^2 C^x_1 C^x_2`,
    :math:`U = g^2 s_1 s_2/(1 - \rho^2 s_1 s_2)`, :math:`s = 1/(1 + i\omega)`,
    :math:`\rho = g\langle\phi'\rangle` (``meanfield/dimension.py``, module docstring).
    Returns (PR/N, points per frequency axis).
    """
    K = int(round(T / h))
    tau = h * np.arange(K + 1)
    spectra = []
    for f in _connected(sol):
        spline = CubicSpline(sol.tau, f)
        v = np.where(tau <= sol.tau[-1], spline(np.minimum(tau, sol.tau[-1])), 0.0)
        spectra.append(h * fft.dct(v, type=1))          # C(omega_j), omega_j = j pi / (K h)
    dw = math.pi / (K * h)
    J = min(int(omega_max / dw), K)
    j = np.arange(-J, J + 1)
    w = j * dw
    cx, cp = spectra[0][np.abs(j)], spectra[1][np.abs(j)]
    dphi = float(sol.mean_dphi)
    rho2 = (float(sol.g) * dphi) ** 2
    s = 1.0 / (1.0 + 1j * w)
    total = 0.0
    for lo in range(0, w.size, chunk):
        ss = s[lo:lo + chunk, None] * s[None, :]
        den = 1.0 - rho2 * ss
        if of == "phi":
            psi = (1.0 / (den.real ** 2 + den.imag ** 2) - 1.0) * cp[lo:lo + chunk, None] * cp
        else:
            U = float(sol.g) ** 2 * ss / den
            psi = ((U.real ** 2 + U.imag ** 2) * cp[lo:lo + chunk, None] * cp
                   + 2.0 * dphi * dphi * U.real * cx[lo:lo + chunk, None] * cx)
        total += float(psi.sum())
    total *= (dw / (2.0 * math.pi)) ** 2
    c0 = float(_connected(sol)[0 if of == "x" else 1][0])
    return c0 * c0 / (c0 * c0 + total), w.size


def theory_point(phi, of, g, repeat):
    sol = mf.dmft.solve(g, phi)
    mf.dimension.participation_ratio(sol, of)                       # warm caches
    t_pr, pr = _best(lambda: mf.dimension.participation_ratio(sol, of), repeat)
    gains = iter(g + 1e-7 * np.arange(1, 100))

    def solve_and_pr():
        return mf.dimension.participation_ratio(mf.dmft.solve(next(gains), phi), of)

    t_total, _ = _best(solve_and_pr, repeat)
    tight = mf.dimension.participation_ratio(mf.dmft.solve(g, phi, rtol=1e-13), of, rtol=1e-10)
    rows = []
    for T, om in GRIDS:
        t_b, (val, n) = _best(lambda T=T, om=om: brute_force_pr(sol, of, T=T, omega_max=om),
                              1 if T > 400 else repeat)
        rows.append(dict(T=T, omega_max=om, n=n, time=t_b, pr=val,
                         rel_error=abs(val - tight) / tight))
        if rows[-1]["rel_error"] < 1e-8:
            break
    at = {}
    for level in (1e-4, 1e-8):
        ok = [r for r in rows if r["rel_error"] < level]
        at[level] = ok[0] if ok else None
    return dict(phi=phi, of=of, g=g, pr=pr, time_pr=t_pr, time_with_solve=t_total,
                rel_error_vs_tight=abs(pr - tight) / tight,
                rel_diff_vs_finest_grid=abs(pr - rows[-1]["pr"]) / pr,
                baseline_grids=rows,
                baseline_1e4=at[1e-4], baseline_1e8=at[1e-8])


def curve(n, repeat):
    gains = np.linspace(1.1, 5.0, n)

    def run():
        return [mf.dimension.participation_ratio(mf.dmft.solve(g, "tanh"), "phi") for g in gains]

    t, prs = _best(run, repeat)
    return dict(points=n, g_min=1.1, g_max=5.0, time=t, per_point=t / n,
                pr_min=float(min(prs)), pr_max=float(max(prs)))


# --------------------------------------------------------------------------- (2) data

def naive_pr(X):
    """PR of the whole-run covariance by its eigenvalues (np.cov + eigvalsh)."""
    lam = np.linalg.eigvalsh(np.cov(X, rowvar=False))
    return float(lam.sum() ** 2 / (lam ** 2).sum())


def estimator_row(T, N, repeat, seed=0):
    X = np.random.default_rng(seed).standard_normal((T, N))
    t_ours, res = _best(lambda: mf.dimension.from_activity(X), repeat)
    t_naive, pr_naive = _best(lambda: naive_pr(X), repeat)
    m_ours = _peak(lambda: mf.dimension.from_activity(X))
    m_naive = _peak(lambda: naive_pr(X))
    return dict(T=T, N=N, x_bytes=X.nbytes, method=res.method, time_ours=t_ours,
                time_naive=t_naive, time_ratio=t_naive / t_ours, peak_ours=m_ours,
                peak_naive=m_naive, memory_ratio=m_naive / m_ours, pr=res.pr, stderr=res.stderr,
                pr_plugin=res.naive, pr_naive=pr_naive)


# --------------------------------------------------------------------------- report

def _ms(t):
    return f"{t * 1e3:8.1f} ms"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller shapes, 50-point curve")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (minimum kept)")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    out = dict(theory=[], curve=None, data=[])
    with threadpool_limits(1):
        print("(1) PR/N from the theory, g = 2, continuous time (and g = 1.1, tanh, phi)")
        print("    phi  of   ours/pt   +solve/pt  rel.err(tight)  baseline@1e-4 (n, rel.err)"
              "          ratio   baseline@1e-8         ratio")
        cases = [(p, o, 2.0) for p in ("tanh", "erf") for o in ("phi", "x")] + \
            [("tanh", "phi", 1.1)]
        for phi, of, g in cases:
            r = theory_point(phi, of, g, args.repeat)
            out["theory"].append(r)
            b4, b8 = r["baseline_1e4"], r["baseline_1e8"]
            fin = r["baseline_grids"][-1]
            never = (f"not reached (finest grid n={fin['n']}: {fin['rel_error']:.1e} in "
                     f"{fin['time']:.1f} s)")
            s4 = (never if b4 is None else
                  f"{_ms(b4['time'])} ({b4['n']:5d}, {b4['rel_error']:.1e})  "
                  f"{b4['time'] / r['time_pr']:6.2f}x")
            s8 = ("" if b4 is None else "not reached" if b8 is None else
                  f"{_ms(b8['time'])} ({b8['n']:5d})  {b8['time'] / r['time_pr']:6.2f}x")
            print(f"    {phi:4s} {of:3s} {_ms(r['time_pr'])} {_ms(r['time_with_solve'])}  "
                  f"{r['rel_error_vs_tight']:.1e}  g={g:g}  {s4}  {s8}")
        n = 50 if args.quick else 200
        out["curve"] = c = curve(n, max(1, min(args.repeat, 2)))
        print(f"    {n}-point curve PR^phi/N(g), tanh, g in [1.1, 5], solve included: "
              f"{c['time']:.2f} s ({c['per_point'] * 1e3:.1f} ms per point)")
        print("(2) from_activity (10 blocks) against np.cov + eigvalsh, white X")
        print("          T      N  method       ours      naive  speed-up   peak ours  "
              "peak naive  mem ratio")
        for T, N in (QUICK_SHAPES if args.quick else SHAPES):
            r = estimator_row(T, N, args.repeat)
            out["data"].append(r)
            print(f"    {T:7d} {N:6d}  {r['method']:10s} {_ms(r['time_ours'])} "
                  f"{_ms(r['time_naive'])}  {r['time_ratio']:7.2f}x  "
                  f"{r['peak_ours'] / 2**20:8.1f} MB {r['peak_naive'] / 2**20:8.1f} MB  "
                  f"{r['memory_ratio']:7.2f}x   (X: {r['x_bytes'] / 2**20:.0f} MB)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=float)
    return out


if __name__ == "__main__":
    main()
