"""Run the validation cases and write the report (``python -m validation``).

``main(argv)`` is the command line (also behind ``meanfield validate``):

    python -m validation [--quick] [--out DIR] [--no-progress] [--cases NAME ...] [--jobs J]

It writes ``DIR/report.md`` (one table row per compared quantity: theory,
simulation mean ± standard error, N, seeds, tolerance and its source,
pass/fail), ``DIR/results.json`` and one PNG per case, and returns 1 if any
case fails (0 otherwise).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import time
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import meanfield as mf
from meanfield._runtime import progress_bar
from meanfield.compare import Comparison, compare
from meanfield.estimate import Estimate
from meanfield.validation import (
    SMOKE_LIMIT,
    extrapolate,
    minimum_detectable_error,
    n_for_resolution,
    tolerance,
    verdict,
)

from .cases import CASES, Case, Size, budget_source, suite_seeds
from .cases import budgets as measured_budgets
from .matrices import MATRIX_CASES, FixedComparison, FixedRow, MatrixCase, run_matrix_case

#: Every case of the suite: the DMFT cases, then the random-matrix ones.
ALL_CASES = tuple(CASES) + tuple(MATRIX_CASES)


def get(name: str):
    """The case called ``name`` (DMFT or random-matrix)."""
    for c in ALL_CASES:
        if c.name == name:
            return c
    raise KeyError(f"no validation case {name!r}; known: {[c.name for c in ALL_CASES]}")

__all__ = ["main", "run_case", "ALL_CASES", "get", "run_cases", "write_report", "CaseResult",
           "DEFAULT_OUT"]

#: Report directory, relative to the current directory.
DEFAULT_OUT = Path("validation-report")
_THREADS = 1


#: Row kinds that are checks per seed, not estimates of a theory value: no minimum detectable
#: error (each such row has a graded companion, e.g. an outlier's mean over seeds, or a
#: trained attractor's leading eigenvalue beside its predicted stability class).
_UNGRADED = ("outlier_match", "stability")


@dataclass
class Check:
    """One comparison inside a case, with the outcome it is expected to have.

    ``expect_pass=False`` marks a deliberately wrong theory (the continuous-time
    theory of a coarse Euler map): the check succeeds when at least one row FAILs.
    """

    label: str
    comparison: Comparison | None
    expect_pass: bool = True
    extra_rows: list = field(default_factory=list)   # (quantity, theory, sim, tolerance, ok)

    def verdicts(self, budget_c: dict, n: int) -> list:
        """Per row: (tolerance, minimum detectable error, "pass" | "smoke" | "FAIL")."""
        if self.comparison is None:
            return []
        out = []
        for row in self.comparison.rows:
            if isinstance(row, FixedRow):
                tol = float(row.tolerance)
                if row.quantity == "exact":
                    mde = 0.0
                elif row.quantity in _UNGRADED:
                    mde = math.nan
                else:
                    mde = minimum_detectable_error(tol, row.scale)
                v = "FAIL" if not row.ok else ("smoke" if mde > SMOKE_LIMIT else "pass")
            else:
                b = float(budget_c.get(row.name, 0.0)) / n
                tol = tolerance(float(row.simulation.stderr), row.simulation.n, budget=b,
                                scale=row.scale)
                mde = minimum_detectable_error(tol, row.scale or self._reference(row))
                v = verdict(row.deviation, tol, mde)
            out.append((tol, mde, v))
        return out

    def detects(self, factor: float, budget_c: dict, n: int) -> bool:
        """Would a theory off by ``factor`` (every row's theory times it) FAIL this check?"""
        if self.comparison is None:
            return False
        rows = []
        for row in self.comparison.rows:
            if isinstance(row, FixedRow):
                if row.quantity == "exact" or row.quantity in _UNGRADED:
                    continue
                th = row.theory * factor
                rows.append(dataclasses.replace(
                    row, theory=th, ok=abs(float(row.simulation.mean) - th) < row.tolerance))
            else:
                rows.append(dataclasses.replace(row, theory=row.theory * factor))
        if not rows:
            return False
        shifted = Check(self.label, _Rows(tuple(rows)))
        return any(v == "FAIL" for _, _, v in shifted.verdicts(budget_c, n))

    def _reference(self, row) -> float:
        """Scale of a row whose theory is 0 (a mean zero by symmetry): the theory's sqrt(Delta0)."""
        for r in self.comparison.rows:
            if r.quantity == "delta0" and r.population == getattr(row, "population", None):
                return math.sqrt(abs(r.theory))
        return 0.0

    def outcome(self, budget_c: dict, n: int) -> bool:
        """True when the check came out as expected."""
        failed = any(v == "FAIL" for _, _, v in self.verdicts(budget_c, n))
        failed = failed or not all(r[4] for r in self.extra_rows)
        return not failed if self.expect_pass else failed


@dataclass(frozen=True)
class _Rows:
    rows: tuple


def detects_5_percent(result) -> bool | None:
    """Would a theory 5% too high, and one 5% too low, each fail the case's main check?"""
    checks = [c for c in result.checks if c.comparison is not None and c.expect_pass]
    if not checks or all(r.quantity == "exact" for r in checks[0].comparison.rows):
        return None
    return all(any(c.detects(f, result.budget, result.size.n) for c in checks)
               for f in (0.95, 1.05))


@dataclass
class CaseResult:
    """Outcome of one case."""

    case: Case
    size: Size
    quick: bool
    checks: list
    budget: dict          # budget coefficient c of each row, by row name (b(N) = c/N)
    passed: bool
    wall_time: float
    error: str | None = None
    figure: str | None = None


# ---------------------------------------------------------------------------
# building networks and running one seed
# ---------------------------------------------------------------------------

def _rngs(seed):
    return np.random.default_rng([seed, 0]), np.random.default_rng([seed, 1])


def _block_network(case: Case, n: int, gen):
    """J_ij ~ N(J0_ab/N, g_ab^2/N) for i in a, j in b; returns (J, index arrays, inputs)."""
    fr = np.asarray(case.populations, dtype=float)
    sizes = np.round(fr * n).astype(int)
    sizes[-1] = n - sizes[:-1].sum()
    edges = np.concatenate([[0], np.cumsum(sizes)])
    G = np.asarray(case.params["g"], dtype=float)
    J0 = np.asarray(case.params.get("J0", 0.0), dtype=float) * np.ones_like(G)
    I0 = np.asarray(case.params.get("I0", 0.0), dtype=float) * np.ones(len(fr))
    J = gen.standard_normal((n, n))
    inputs = np.empty(n)
    for a in range(len(fr)):
        ra = slice(edges[a], edges[a + 1])
        inputs[ra] = I0[a]
        for b in range(len(fr)):
            rb = slice(edges[b], edges[b + 1])
            J[ra, rb] = J[ra, rb] * (G[a, b] / math.sqrt(n)) + J0[a, b] / n
    pops = [np.arange(edges[a], edges[a + 1]) for a in range(len(fr))]
    return J, pops, inputs


def _one_seed(case: Case, size: Size, seed: int):
    """Simulate one realisation; returns a SimulationResult or LyapunovResult (and populations)."""
    gen_j, gen_s = _rngs(seed)
    p = case.params
    n = size.n
    if case.kind == "two_population":
        J, pops, inputs = _block_network(case, n, gen_j)
    else:
        J = mf.ensembles.Gaussian(g=p["g"], J0=p.get("J0", 0.0)).sample(n, seed=gen_j)
        pops = None
        inputs = p.get("I0", 0.0) or None
    if case.kind == "lyapunov":
        return mf.simulate.lyapunov(J, p["phi"], size.t_max, case.dt, t_transient=size.t_transient,
                                    noise=p.get("noise", 0.0), inputs=inputs, seed=gen_s,
                                    threads=_THREADS), None
    record = max(1, int(round(0.2 / case.dt))) if pops is not None else 0
    run = mf.simulate(J.astype(np.float32), p["phi"], size.t_max, case.dt,
                      noise=p.get("noise", 0.0), inputs=inputs, batch=size.batch,
                      blocks=size.blocks, t_transient=size.t_transient, max_lag=case.max_lag,
                      record_every=record, seed=gen_s, dtype=np.float32, threads=_THREADS)
    return run, pops


def _theory(case: Case, dt):
    p = dict(case.params)
    if case.kind == "two_population":
        p["g"] = np.asarray(p["g"], dtype=float)
        p["J0"] = np.asarray(p.get("J0", 0.0), dtype=float)
        p["I0"] = np.asarray(p.get("I0", 0.0), dtype=float)
        p["fractions"] = np.asarray(case.populations, dtype=float)
    return mf.dmft.solve(**p, dt=dt)


# ---------------------------------------------------------------------------
# one case
# ---------------------------------------------------------------------------

def run_case(case: Case, quick: bool = True, *, size: Size | None = None, theory=None,
             jobs: int = 1, budgets: dict | None = None, seed_shift: int = 0,
             extrapolate: bool | None = None) -> CaseResult:
    """Run one case.

    Parameters
    ----------
    case : Case
    quick : bool
        Use ``case.quick`` (else ``case.full``) unless ``size`` is given.
    size : Size, optional
        Override the size (used by :mod:`validation.finite_size`).
    theory : callable, optional
        ``theory(case, dt) -> DMFTResult`` replacing :func:`meanfield.dmft.solve`
        (the tests pass a deliberately wrong theory and check the case fails).
    jobs : int
        Seeds simulated in parallel (processes, one BLAS thread each).
    budgets : dict, optional
        Budget coefficient ``c`` per row name (default: the measured ones,
        :func:`validation.cases.budgets`; ``{}`` for none, as when measuring them).
    seed_shift : int
        Move the suite's seeds by ``100 * seed_shift`` (0-9): another realisation
        of every run, still disjoint from the held-out budget seeds.
    extrapolate : bool, optional
        Also run at the case's ``extrapolate`` sizes and extrapolate to
        :math:`N \\to \\infty` (default: for the full size of a case that has them).
    """
    if isinstance(case, MatrixCase):
        return run_matrix_case(case, quick, size=size, seed_shift=seed_shift)
    if extrapolate is None:
        extrapolate = size is None and not quick
    extrapolate = bool(extrapolate and case.extrapolate)
    size = size if size is not None else case.size(quick)
    if seed_shift:
        size = dataclasses.replace(size, seeds=suite_seeds(size.seeds, seed_shift))
    budget = measured_budgets(case) if budgets is None else dict(budgets)
    theory = theory or _theory
    t0 = time.perf_counter()
    checks = []
    try:
        sol = theory(case, case.dt)
        outs = _run_seeds(case, size, jobs)
        runs = [o[0] for o in outs]
        pops = outs[0][1]
        lags = case.lags or None
        if case.kind == "lyapunov":
            checks.append(Check(f"Euler-map theory (dt={case.dt:g})", compare(sol, runs)))
        else:
            checks.append(Check(f"Euler-map theory (dt={case.dt:g})",
                                compare(sol, runs, lags=lags, populations=pops)))
        if case.scale_free:
            checks.append(Check("scale-free ratios, per seed",
                                _scale_free(sol, checks[0].comparison, runs)))
        if case.kind == "coarse_dt":
            with warnings.catch_warnings():     # the mismatch of step sizes is the point here
                warnings.simplefilter("ignore")
                cont = compare(theory(case, None), runs, lags=lags)
            rows = cont.rows + _scale_free(cont.sol, cont, runs).rows
            checks.append(Check("continuous-time theory (expected to FAIL)",
                                Comparison(rows=rows, sol=cont.sol), expect_pass=False))
        if case.name == "linear_noise":
            checks[0].extra_rows.extend(_closed_form_rows(case))
        if extrapolate:
            checks.append(_extrapolation(case, size, sol, checks[0].comparison, jobs))
        passed = all(c.outcome(budget, size.n) for c in checks)
        error = None
    except Exception as exc:  # noqa: BLE001 - a failing case is reported, not raised
        passed = False
        error = f"{type(exc).__name__}: {exc}"
        checks.append(Check("error", None, extra_rows=[]))
        error += "\n" + traceback.format_exc(limit=3)
    return CaseResult(case=case, size=size, quick=quick, checks=checks, budget=budget,
                      passed=passed, wall_time=time.perf_counter() - t0, error=error)


def _run_seeds(case: Case, size: Size, jobs: int) -> list:
    """``_one_seed`` for every seed of ``size`` (in ``jobs`` processes)."""
    if jobs > 1 and len(size.seeds) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            return list(ex.map(_one_seed, [case] * len(size.seeds), [size] * len(size.seeds),
                               size.seeds))
    return [_one_seed(case, size, s) for s in size.seeds]


def _extrapolation(case: Case, size: Size, sol, main: Comparison, jobs: int) -> Check:
    r"""Rows of the main comparison, measured at all sizes, extrapolated to N -> infinity.

    The rows named in ``case.extrapolate_rows`` (every row when it is empty).

    The case is run again at each N of ``case.extrapolate`` (same seeds and run
    lengths; each N its own coupling matrices); per row the means over seeds are
    fitted to :math:`y_\infty + a/N` (:func:`meanfield.validation.extrapolate`) and
    the intercept is tested against the theory with no finite-size budget:
    :math:`|y_\infty - \text{theory}| < t_\nu(1 - \alpha/2)\,\sigma_{y_\infty}`
    (:math:`\nu = \min_i n_i - 1`).  A row whose points reject the law (chi-square
    :math:`p < 0.01`), or that has only two sizes to check it on, fails: its
    extrapolation is no evidence.
    """
    sizes = sorted(set(int(n) for n in case.extrapolate) | {size.n})
    comparisons = {size.n: main}
    for n in sizes:
        if n not in comparisons:
            outs = _run_seeds(case, dataclasses.replace(size, n=n), jobs)
            runs = [o[0] for o in outs]
            if case.kind == "lyapunov":
                comparisons[n] = compare(sol, runs)
            else:
                comparisons[n] = compare(sol, runs, lags=case.lags or None,
                                         populations=outs[0][1])
    rows, notes = [], []
    for row in main.rows:
        if case.extrapolate_rows and row.name not in case.extrapolate_rows:
            continue
        pts = [comparisons[n][row.name].simulation for n in sizes]
        ex = extrapolate(sizes, [float(e.mean) for e in pts], [float(e.stderr) for e in pts],
                         [int(e.n) for e in pts])
        tol = ex.tolerance()
        ok = bool(ex.consistent and abs(ex.value - row.theory) < tol)
        name = f"{row.name}, N -> inf"
        if not ex.consistent:
            name += (": 1/N law REJECTED" if ex.fit_dof else ": two sizes cannot check the 1/N law")
        rows.append(FixedRow(name, row.quantity, row.theory, row.theory_infinite,
                             Estimate(ex.value, ex.value_stderr, sum(ex.n_seeds)), tol, ok,
                             f"{tol:.3g}", scale=row.scale))
        notes.append(f"{row.name}: {ex.describe()}")
    label = f"extrapolated to N -> inf over N = {', '.join(str(n) for n in sizes)}"
    return Check(label, FixedComparison(tuple(rows), notes=tuple(notes)))


def _scale_free(sol, comparison: Comparison, runs) -> Comparison:
    r"""Scale-free rows: per seed, :math:`\hat\Delta(\tau)/\hat\Delta_0` and
    :math:`\hat\mu/\sqrt{\hat\Delta_0}`.

    For relu (positively homogeneous) the quenched disorder of a realisation moves
    its overall scale (``Delta0`` and ``mu`` together) far more than its shape, so
    the seed-to-seed spread of these ratios is a few percent where that of
    ``Delta0`` is about 15%: the ratios test the theory's shape much more
    sharply.  ``delta0`` here is the connected :math:`\Delta_0 - \Delta_\infty`
    of the simulator; the theory side uses the same window-corrected values as
    the main comparison (the ratio of expectations; the bias of a ratio of
    estimators is second order in their few-percent relative errors).  The
    scale of every ratio is 1: a lag ratio's value at lag 0 (as the scale of a
    :math:`\Delta(\tau)` row is :math:`\Delta_0`), and the unit of a mean
    measured in standard deviations.
    """
    from meanfield.compare import Row
    from meanfield.estimate import Estimate

    tau = comparison.tau
    lag_rows = [r for r in comparison.rows if r.quantity == "delta_tau"]
    th0 = comparison["delta0"].theory
    th0_inf = comparison["delta0"].theory_infinite
    rows = []

    def _row(name, quantity, theory, theory_inf, values, scale=1.0):
        v = np.asarray(values, dtype=float)
        est = Estimate(float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v))), len(v))
        rows.append(Row(name, quantity, float(theory), float(theory_inf), est, scale))

    for r in lag_rows:
        k = int(np.argmin(np.abs(tau - r.lag)))
        _row(f"delta(tau={r.lag:g})/delta0", "delta_tau", r.theory / th0,
             r.theory_infinite / th0_inf,
             [run.delta_tau.mean[k] / run.delta_tau.mean[0] for run in runs])
    mu = comparison["mu"]
    _row("mu/sqrt(delta0)", "mu", mu.theory / math.sqrt(th0), mu.theory / math.sqrt(th0_inf),
         [run.mu.mean / math.sqrt(run.delta_tau.mean[0]) for run in runs])
    return Comparison(rows=tuple(rows), sol=sol)


def _closed_form_rows(case: Case):
    """The continuous-time solver against the closed form of the linear network with noise."""
    g, s = case.params["g"], case.params["noise"]
    sol = mf.dmft.solve(g, "linear", noise=s)
    k = math.sqrt(1.0 - g * g)
    tau = np.array([0.0, 0.5, 1.0, 2.0, 4.0])
    exact = s * s * np.exp(-k * tau) / (2.0 * k)
    err = float(np.max(np.abs(sol.delta(tau) - exact)) / exact[0])
    return [("closed form sigma^2 e^{-sqrt(1-g^2)tau}/(2 sqrt(1-g^2)) vs solve(dt=None), "
             "max rel. error", 0.0, err, 1e-6, err < 1e-6)]


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------

def _plot(result: CaseResult, path: Path):
    from meanfield.plotting import new_figure, plot_comparison
    comps = [c for c in result.checks if c.comparison is not None]
    if not comps:
        return None
    if isinstance(comps[0].comparison, FixedComparison):
        fig = comps[0].comparison.figure()
        if fig is None:
            return None
        fig.savefig(path, dpi=90)
        return path.name
    # the theory-vs-simulation panels (an extrapolation's rows are in the table, not drawn)
    comps = [c for c in comps if not isinstance(c.comparison, FixedComparison)]
    fig, ax = new_figure(figsize=(6.0 * len(comps), 4.0))
    fig.delaxes(ax)
    for i, c in enumerate(comps):
        ax = fig.add_subplot(1, len(comps), i + 1)
        plot_comparison(c.comparison, ax=ax,
                        title=f"{result.case.name}: {c.label}\nmax |z| = "
                              f"{c.comparison.max_abs_z:.2f}")
    fig.savefig(path, dpi=90)
    return path.name


def _cell(text: str) -> str:
    """A markdown table cell: a literal ``|`` (e.g. ``|m|``) escaped."""
    return str(text).replace("|", "\\|")


def _fmt_tol(tol, mde):
    return f"{tol:.3g} ({100 * mde:.2g}%)" if np.isfinite(mde) else f"{tol:.3g}"


def _resolution_needs(result: CaseResult) -> str:
    """'row: N ~ ...' for the simulation rows whose minimum detectable error exceeds 5%."""
    out = []
    for c in result.checks:
        if c.comparison is None or not c.expect_pass:
            continue
        for row, (_, mde, _) in zip(c.comparison.rows, c.verdicts(result.budget, result.size.n)):
            if isinstance(row, FixedRow) or not (row.scale > 0) or mde <= 0.05:
                continue
            need = n_for_resolution(0.05, float(row.simulation.stderr) / row.scale, result.size.n,
                                    float(result.budget.get(row.name, 0.0)), row.simulation.n)
            out.append(f"{row.name}: N ~ {need:.2g}" if math.isfinite(need) else
                       f"{row.name}: not with {row.simulation.n} seeds")
    return "; ".join(out)


def case_status(result: CaseResult) -> str:
    """``"PASS"``, ``"SMOKE"`` (nothing failed, but some row cannot resolve 10%) or ``"FAIL"``."""
    if not result.passed:
        return "FAIL"
    for c in result.checks:
        if c.expect_pass and any(v == "smoke" for _, _, v in c.verdicts(result.budget, result.size.n)):
            return "SMOKE"
    return "PASS"


def write_report(results, out, *, quick: bool, wall_time: float | None = None,
                 planned: int | None = None, interrupted: bool = False) -> Path:
    """Write ``report.md``, ``results.json`` and the PNGs into ``out``; return the report path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n_pass = sum(r.passed for r in results)
    n_smoke = sum(case_status(r) == "SMOKE" for r in results)
    state = ""
    if interrupted:
        state = f" (INTERRUPTED after {len(results)} of {planned} cases)"
    elif planned is not None and planned > len(results):
        state = f" (run in progress: {len(results)} of {planned} cases done)"
    lines = [
        f"# Validation report ({'quick' if quick else 'full'})",
        "",
        f"{n_pass}/{len(results)} cases passed ({n_smoke} of them only at smoke level)"
        + (f"; wall time {wall_time:.0f} s" if wall_time is not None else "") + state + ".",
        "",
        "A row passes when |simulation - theory| < t_{n-1}(1 - alpha/2) stderr + b(N) scale: "
        "Student-t quantile for n seeds, alpha = 1e-3 per row (the chance that a correct theory "
        "fails a row), b(N) = c/N the finite-size budget of that row measured on held-out seeds "
        "(validation/budgets.json; source in the case section), scale = |theory| (the theory's "
        "Delta0 for Delta(tau) rows). 'MDE' is the minimum detectable error, tolerance / scale: "
        "a row whose MDE exceeds 10% is reported as 'smoke', not 'pass'. Theory: exact DMFT of "
        "the Euler map at the simulator's dt; Delta rows carry the exact finite-window correction "
        "of the simulator's mean-subtracted estimator (column 'N=inf' gives the uncorrected "
        "value). Standard errors are over independent seeds (coupling matrix, initial states, "
        "noise). The random-matrix cases state their own tolerance (validation/matrices.py).",
        "",
        "| case | quantity | theory | N=inf | simulation | z | N | seeds | tolerance (MDE) | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    payload = []
    for r in results:
        seeds = ",".join(str(s) for s in r.size.seeds)
        if len(r.size.seeds) > 3 and list(r.size.seeds) == list(range(r.size.seeds[0],
                                                                          r.size.seeds[-1] + 1)):
            seeds = f"{r.size.seeds[0]}-{r.size.seeds[-1]}"
        # a case's figure is drawn once: the report is rewritten after every case
        if r.figure is None or (r.figure and not (out / r.figure).exists()):
            fig = ""                     # "" = tried and failed or nothing to draw: not again
            try:
                fig = _plot(r, out / f"{r.case.name}.png") or ""
            except Exception as exc:  # noqa: BLE001 - a plotting failure must not lose the report
                r.error = (r.error or "") + f" (plot failed: {exc})"
            r.figure = fig
        entry = {"case": r.case.name, "status": case_status(r), "passed": r.passed,
                 "detects_5_percent": detects_5_percent(r), "n": r.size.n,
                 "seeds": list(r.size.seeds), "wall_time": r.wall_time, "error": r.error,
                 "rows": []}
        if r.error and not any(c.comparison for c in r.checks):
            msg = r.error.splitlines()[0].replace("|", "/")
            lines.append(f"| {r.case.name} | ERROR | | | {msg[:200]} | | {r.size.n} | {seeds} | | "
                         "**FAIL** |")
        for c in r.checks:
            if c.comparison is None:
                continue
            prefix = "" if c.expect_pass else "[continuous theory] "
            for row, (tol, mde, v) in zip(c.comparison.rows, c.verdicts(r.budget, r.size.n)):
                if c.expect_pass:
                    res = "**FAIL**" if v == "FAIL" else v
                else:
                    res = "fail (expected)" if v == "FAIL" else "within tol. (row)"
                sim = (f"{row.simulation.mean:.5g} ± {row.simulation.stderr:.2g}"
                       if math.isfinite(row.simulation.mean) and math.isfinite(
                           row.simulation.stderr) else str(row.simulation))
                z = f"{row.z:+.1f}" if math.isfinite(row.z) else ""
                lines.append(
                    f"| {r.case.name} | {prefix}{_cell(row.name)} | {row.theory:.5g} | "
                    f"{row.theory_infinite:.5g} | {sim} | {z} | {getattr(row, 'n', None) or r.size.n} | "
                    f"{seeds} | "
                    f"{_fmt_tol(tol, mde)} | {res} |")
                entry["rows"].append({"check": c.label, "name": row.name, "theory": row.theory,
                                      "theory_infinite": row.theory_infinite,
                                      "mean": float(row.simulation.mean),
                                      "stderr": float(row.simulation.stderr), "z": row.z,
                                      "scale": row.scale, "tolerance": tol, "mde": mde,
                                      "verdict": v, "expect_pass": c.expect_pass})
            for q, th, val, tol, ok in c.extra_rows:
                lines.append(f"| {r.case.name} | {q} | {th:.3g} | | {val:.2g} | | | | {tol:.0e} | "
                             f"{'pass (exact)' if ok else '**FAIL**'} |")
        payload.append(entry)
    lines += ["", "## Cases", ""]
    for r in results:
        lines.append(f"### {r.case.name}: {case_status(r)}")
        lines.append("")
        d5 = detects_5_percent(r)
        if d5 is not None:
            lines.append(f"A theory 5% off (every theory value times 0.95, or 1.05) "
                         f"{'would FAIL this case' if d5 else 'would NOT be caught at this size'}.")
            lines.append("")
        if isinstance(r.case, MatrixCase):
            lines.append(f"{r.case.description}. {r.case.size_text(r.size)}; "
                         f"{r.wall_time:.1f} s. Tolerance: {r.case.budget_source}.")
        else:
            lines.append(f"{r.case.description}. N={r.size.n}, seeds {list(r.size.seeds)}, "
                         f"batch {r.size.batch}, t_max {r.size.t_max:g} (transient "
                         f"{r.size.t_transient:g}), dt {r.case.dt:g}; {r.wall_time:.1f} s. "
                         f"Budgets: {budget_source(r.case)}.")
        need = _resolution_needs(r)
        if need:
            lines.append("- rows that cannot resolve 5% at this size, and the N at which they would "
                         f"(same seeds and run length; s ~ N^-1/2, budget c/N): {need}")
        for c in r.checks:
            if c.comparison is not None:
                for note in getattr(c.comparison, "notes", ()):
                    lines.append(f"- note ({c.label}): {note}")
        if r.error:
            lines += ["", "```", r.error.strip(), "```"]
        if r.figure:
            lines += ["", f"![{r.case.name}]({r.figure})"]
        lines.append("")
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(json.dumps({"quick": quick, "cases": payload}, indent=1,
                                                 default=float))
    return path


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------

def run_cases(names=None, *, quick=True, progress=True, jobs=1, out=None, seed_shift=0):
    """Run the named cases (all by default); returns the list of CaseResult.

    With ``out`` given, the report is rewritten after every case, so that an
    interrupted run leaves the cases finished so far.  Ctrl-C stops the run: the
    report then says it was interrupted, and :class:`KeyboardInterrupt` propagates.
    """
    cases = [get(n) for n in names] if names else list(ALL_CASES)
    t0 = time.perf_counter()
    results = []
    bar = progress_bar(len(cases), progress, "validation", "case")
    try:
        for case in cases:
            if bar is not None:
                bar.set_postfix_str(case.name)
            results.append(run_case(case, quick, jobs=jobs, seed_shift=seed_shift))
            if out is not None:
                write_report(results, out, quick=quick, wall_time=time.perf_counter() - t0,
                             planned=len(cases))
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        if out is not None:
            write_report(results, out, quick=quick, wall_time=time.perf_counter() - t0,
                         planned=len(cases), interrupted=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    return results


def _default_jobs() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


def _parser(prog="python -m validation"):
    ap = argparse.ArgumentParser(prog=prog,
                                 description="Theory-vs-simulation validation suite of meanfield "
                                             "(run from the repository root).")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, smoke level for many rows (about 5 minutes on 2 cores)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"report directory (default ./{DEFAULT_OUT})")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    ap.add_argument("--cases", nargs="+", metavar="NAME", help="run only these cases")
    ap.add_argument("--jobs", type=int, default=_default_jobs(),
                    help="seeds simulated in parallel, one BLAS thread each (default: the "
                         f"available cores, at most 4; here {_default_jobs()})")
    ap.add_argument("--seed-shift", type=int, default=0, metavar="K",
                    help="move every seed by 100*K (0-9): another realisation of the suite")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    return ap


def main(argv=None, prog="python -m validation") -> int:
    """Command line; returns the exit status (1 if any case fails, 130 on Ctrl-C)."""
    ap = _parser(prog)
    args = ap.parse_args(argv)
    if args.list:
        for c in ALL_CASES:
            print(f"{c.name:28s} {c.description}")
        return 0
    if args.cases:
        known = {c.name for c in ALL_CASES}
        bad = [n for n in args.cases if n not in known]
        if bad:
            ap.error(f"unknown case(s) {bad}; known: {sorted(known)}")
    if not 0 <= args.seed_shift <= 9:
        ap.error(f"--seed-shift must lie in [0, 9]; got {args.seed_shift}")
    if args.jobs < 1:
        ap.error(f"--jobs must be >= 1; got {args.jobs}")
    t0 = time.perf_counter()
    try:
        results = run_cases(args.cases, quick=args.quick, progress=not args.no_progress,
                            jobs=args.jobs, out=args.out, seed_shift=args.seed_shift)
    except KeyboardInterrupt:
        print(f"\ninterrupted; the cases finished so far are in {args.out / 'report.md'}")
        return 130
    path = write_report(results, args.out, quick=args.quick, wall_time=time.perf_counter() - t0)
    n_fail = sum(not r.passed for r in results)
    n_smoke = sum(case_status(r) == "SMOKE" for r in results)
    print(f"{len(results) - n_fail}/{len(results)} cases passed ({n_smoke} at smoke level only); "
          f"report: {path}")
    return 1 if n_fail else 0
