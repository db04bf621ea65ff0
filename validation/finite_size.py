r"""Measure the finite-size budgets of the DMFT validation cases on held-out seeds.

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
:math:`c` per row that the suite reads (:func:`validation.cases.budget`).
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


def measure(name: str, sizes=None, seeds=HELD_OUT_SEEDS, jobs: int = 1) -> dict:
    """Run case ``name`` at each N in ``sizes`` on ``seeds``; per-row points and fits."""
    from .run import run_case
    case = get(name)
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
    rows = {}
    for key, d in points.items():
        fit = fit_inverse_n(d["n"], d["dev"], d["se"]) if len(set(d["n"])) >= 2 else None
        rows[key] = {"quantity": d["quantity"], "check": d["check"],
                     "fit": fit.to_dict() if fit else None,
                     "summary": fit.describe() if fit else "fewer than two sizes"}
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
    ap.add_argument("--cases", nargs="+", default=[c.name for c in CASES])
    ap.add_argument("--sizes", nargs="+", type=int, help="N values (default: 1000 2000; "
                    "relu_inhibitory 2000 4000)")
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
