r"""Measure the finite-size budgets of the validation cases on held-out seeds.

``python -m validation.finite_size [--cases NAME ...] [--sizes N1 N2 ...] [--jobs J]``

runs each case at two or more N on the seeds :data:`HELD_OUT_SEEDS`, which no
run of the suite uses (the suite's seeds, shifted or not, stay below 1000; see
:func:`validation.cases.suite_seeds`), with the case's *full* run lengths, and
fits every compared row's relative deviation :math:`(\bar y - \text{theory})/
\text{scale}` to :math:`a/N` (:func:`meanfield.validation.fit_inverse_n`). The
fit is checked against its own data (chi-square; a row whose deviation does not
shrink, or whose points reject the :math:`1/N` law, is flagged and gets the
envelope of its measured points instead). The results are *data*:
``validation/budgets.json`` holds, per case, the command that regenerates it,
the sizes, seeds, every row's points and fit, and the budget coefficient
:math:`c` per row that the suite reads (:func:`validation.cases.budgets`).

The random-matrix cases (:mod:`validation.matrices`) are measured the same way on
the same held-out seeds, each kind with its own law
(:func:`validation.matrices.matrix_points`): the spectra's CDF deviations fit
:math:`a/\sqrt N` (the case's budget is the largest :math:`c` of its CDF rows,
key ``"cdf"``), the effective rank :math:`a/N` relative, the squared norm
:math:`a(1 + t^2)/N` relative, the trained reservoirs' poles :math:`a|1 + s|/N`, at
the sizes of :data:`validation.matrices.MATRIX_BUDGET_SIZES`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from pathlib import Path

from meanfield.validation import fit_inverse_n

from .cases import BUDGET_FILE, CASES, HELD_OUT_SEEDS, get
from .matrices import (
    MATRIX_BUDGET_SIZES,
    MATRIX_CASES,
    MATRIX_HELD_OUT_SEEDS,
    MATRIX_LAWS,
    get_matrix_case,
    matrix_points,
)

__all__ = ["measure", "main", "DEFAULT_SIZES"]

#: Sizes at which budgets are measured, per case (default: 1000 and 2000).
DEFAULT_SIZES = {"relu_inhibitory": (2000, 4000)}


def _rows(result):
    """(check label, row) of every simulation row of a case result."""
    for check in result.checks:
        if check.comparison is None or not check.expect_pass:
            continue
        for row in check.comparison.rows:
            yield check.label, row


def _fits(points: dict) -> dict:
    rows = {}
    for key, d in points.items():
        fit = (fit_inverse_n(d["n"], d["dev"], d["se"], exponent=d.get("exponent", 1.0))
               if len(set(d["n"])) >= 2 else None)
        rows[key] = {"quantity": d["quantity"], "check": d["check"],
                     "fit": fit.to_dict() if fit else None,
                     "summary": fit.describe() if fit else "fewer than two sizes"}
    return rows


_MATRIX_LAW = {"spectrum": "c/sqrt(N) in CDF units, c the largest over the CDF rows; outliers "
                           "c/N relative per row",
               "effective_rank": "c/N relative per row",
               "squared_norm": "c (1 + t^2)/N relative per row",
               "trained_poles": "c |1 + s|/N per pole (the deviation of Re s)"}


def measure_matrix(name: str, sizes=None, seeds=None) -> dict:
    """Measure random-matrix case ``name`` at each n in ``sizes`` on ``seeds``.

    Default seeds: :data:`validation.matrices.MATRIX_HELD_OUT_SEEDS` of the case's
    kind, else :data:`validation.cases.HELD_OUT_SEEDS`.
    """
    case = get_matrix_case(name)
    sizes = tuple(sizes or MATRIX_BUDGET_SIZES[case.kind])
    seeds = seeds or MATRIX_HELD_OUT_SEEDS.get(case.kind, HELD_OUT_SEEDS)
    seeds = tuple(int(s) for s in seeds)
    points: dict = {}
    t0 = time.perf_counter()
    for n in sizes:
        for key, quantity, p, dev, se in matrix_points(case, int(n), seeds):
            d = points.setdefault(key, {"quantity": quantity, "check": case.kind, "n": [],
                                        "dev": [], "se": [], "exponent": p})
            d["n"].append(int(n))
            d["dev"].append(float(dev))
            d["se"].append(float(se))
    rows = _fits(points)
    budget_c = {k: r["fit"]["budget_c"] for k, r in rows.items() if r["fit"]}
    if case.kind == "spectrum" and budget_c:
        budget_c["cdf"] = max(c for k, c in budget_c.items() if rows[k]["quantity"] != "outlier")
    if case.kind == "squared_norm":      # one generator seed draws all the matrices of a size
        seeds = seeds[:1]
    return {
        "command": f"python -m validation.finite_size --cases {name} --sizes "
                   + " ".join(str(n) for n in sizes),
        "measured": datetime.date.today().isoformat(),
        "law": _MATRIX_LAW.get(case.kind) or MATRIX_LAWS[case.kind],
        "sizes": list(sizes), "seeds": list(seeds),
        "wall_time": time.perf_counter() - t0,
        "errors": [],
        "rows": rows,
        "budget_c": budget_c,
    }


def measure(name: str, sizes=None, seeds=None, jobs: int = 1) -> dict:
    """Run case ``name`` at each N in ``sizes`` on ``seeds``; per-row points and fits.

    Default seeds: the held-out ones (:data:`validation.cases.HELD_OUT_SEEDS`).
    """
    from .run import run_case
    if name in {c.name for c in MATRIX_CASES}:
        return measure_matrix(name, sizes, seeds)
    case = get(name)
    seeds = seeds or HELD_OUT_SEEDS
    sizes = tuple(sizes or DEFAULT_SIZES.get(name, (1000, 2000)))
    seeds = tuple(int(s) for s in seeds)
    points: dict = {}
    errors = []
    t0 = time.perf_counter()
    for n in sizes:
        size = dataclasses.replace(case.full, n=int(n), seeds=seeds)
        res = run_case(case, False, size=size, jobs=jobs, budgets={})
        if res.error:
            errors.append(f"N={n}: {res.error.splitlines()[0]}")
            continue
        for label, row in _rows(res):
            if not row.scale > 0:
                continue
            d = points.setdefault(row.name, {"quantity": row.quantity, "check": label,
                                             "n": [], "dev": [], "se": []})
            d["n"].append(int(n))
            d["dev"].append(row.deviation / row.scale)
            d["se"].append(float(row.simulation.stderr) / row.scale)
    rows = _fits(points)
    return {
        "command": f"python -m validation.finite_size --cases {name} --sizes "
                   + " ".join(str(n) for n in sizes),
        "measured": datetime.date.today().isoformat(),
        "sizes": list(sizes), "seeds": list(seeds),
        "run": {"t_max": case.full.t_max, "t_transient": case.full.t_transient,
                "batch": case.full.batch, "dt": case.dt},
        "wall_time": time.perf_counter() - t0,
        "errors": errors,
        "rows": rows,
        "budget_c": {k: r["fit"]["budget_c"] for k, r in rows.items() if r["fit"]},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation.finite_size", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    budgeted = [c.name for c in CASES] + [c.name for c in MATRIX_CASES
                                          if c.kind in MATRIX_BUDGET_SIZES]
    ap.add_argument("--cases", nargs="+", default=budgeted, choices=budgeted, metavar="CASE")
    ap.add_argument("--sizes", nargs="+", type=int, help="N values (default: 1000 2000; "
                    "relu_inhibitory 2000 4000; matrix cases: MATRIX_BUDGET_SIZES)")
    ap.add_argument("--jobs", type=int, default=1, help="seeds simulated in parallel")
    ap.add_argument("--out", type=Path, default=BUDGET_FILE,
                    help=f"budget file to update (default {BUDGET_FILE})")
    args = ap.parse_args(argv)
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    for name in args.cases:
        entry = measure(name, args.sizes, jobs=args.jobs)
        data[name] = entry
        print(f"\n## {name}  ({entry['command']}; {entry['wall_time']:.0f} s)", flush=True)
        for e in entry["errors"]:
            print("  ERROR", e)
        for key, r in entry["rows"].items():
            print(f"  {key:24s} {r['summary']}", flush=True)
        args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
