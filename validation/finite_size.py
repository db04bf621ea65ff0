r"""Measure the finite-size budgets of the validation cases.

``python -m validation.finite_size [--cases NAME ...] [--sizes 500 1000 2000]``
runs each case (quick run lengths and seeds) at several N and prints, for every
compared row, the relative deviation :math:`(\bar y - \text{theory})/\text{scale}`
at each N with its standard error, and the weighted least-squares fit of the
deviation to :math:`-c/N` (one parameter).  The budget coefficient ``c_q`` of a
case (``validation.cases``) is the largest fitted :math:`|c|` over its rows of
quantity ``q``, rounded up; the numbers are written next to it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

import numpy as np

from .cases import CASES, get
from .run import run_case

__all__ = ["measure", "fit_c", "main"]


def fit_c(ns, devs, ses) -> tuple[float, float]:
    r"""Weighted fit of ``dev = -c / N``: returns (c, stderr of c)."""
    x = -1.0 / np.asarray(ns, dtype=float)
    y = np.asarray(devs, dtype=float)
    w = 1.0 / np.maximum(np.asarray(ses, dtype=float), 1e-12) ** 2
    c = float(np.sum(w * x * y) / np.sum(w * x * x))
    return c, float(1.0 / math.sqrt(np.sum(w * x * x)))


def measure(name: str, sizes=(500, 1000, 2000), jobs: int = 1) -> dict:
    """Run case ``name`` at each N in ``sizes``; per-row deviations and fitted c."""
    case = get(name)
    table: dict = {}
    for n in sizes:
        res = run_case(case, True, size=dataclasses.replace(case.quick, n=int(n)), jobs=jobs)
        if res.error:
            table.setdefault("_errors", []).append(f"N={n}: {res.error.splitlines()[0]}")
            continue
        comp = res.checks[0].comparison
        for row in comp.rows:
            if row.scale <= 0:
                continue
            d = table.setdefault(row.name, {"quantity": row.quantity, "n": [], "dev": [], "se": []})
            d["n"].append(int(n))
            d["dev"].append(row.deviation / row.scale)
            d["se"].append(float(row.simulation.stderr) / row.scale)
    for key, d in table.items():
        if key.startswith("_") or len(d["n"]) < 1:
            continue
        d["c"], d["c_se"] = fit_c(d["n"], d["dev"], d["se"])
    return table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation.finite_size", description=__doc__)
    ap.add_argument("--cases", nargs="+", default=[c.name for c in CASES if c.kind != "coarse_dt"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[500, 1000, 2000])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the measurements here")
    args = ap.parse_args(argv)
    out = {}
    for name in args.cases:
        out[name] = t = measure(name, args.sizes, args.jobs)
        print(f"\n## {name} (current budget c: {get(name).budget})", flush=True)
        for e in t.get("_errors", []):
            print("  ERROR", e)
        for key, d in t.items():
            if key.startswith("_"):
                continue
            devs = ", ".join(f"N={n}: {100 * v:+.2f}% ± {100 * s:.2f}%"
                             for n, v, s in zip(d["n"], d["dev"], d["se"]))
            print(f"  {key:22s} {devs}; fit c = {d['c']:.1f} ± {d['c_se']:.1f}", flush=True)
        if args.json:
            args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
