r"""Trained reservoirs: predicted stability against closed-loop simulation (claim 2 of
Rivkind & Barak, PRL 118, 258101 (2017)).

Case ``trained_stability``.  Over settings of :math:`\phi` (tanh, relu), :math:`g`, the target
amplitudes, :math:`K` and the bias, and over seeds, a :class:`meanfield.trained.FeedbackReservoir`
is trained and every attractor is

* *predicted* by :func:`meanfield.trained.reservoir_theory`: ``stable``, ``marginal`` (relu
  without bias: the pole at 0) or unstable, with the *margin*
  :math:`m = \max(R_a - 1, \max\mathrm{Re}\,s_{\mathrm{visible}})`, the leading real part of the
  closed-loop Jacobian's spectrum in the limit :math:`N\to\infty`;
* *observed* by simulation: the closed loop (:meth:`FeedbackReservoir.simulate`) starts at the
  fixed point plus a small kick :math:`\delta(u + \xi)/\sqrt2` (:math:`\delta = 10^{-3}`,
  :math:`\xi` iid standard normal) and runs for :data:`T_OBSERVE`; with
  :math:`d(t) = \lVert x(t) - x_a\rVert`, the attractor is observed *unstable* if
  :math:`d(T)/d(0) > 10` (it left), *stable* if :math:`d(T)/d(0) < 10^{-3}` (it returned);
  in between, the rate :math:`r` (least-squares slope of :math:`\ln d` over the second half)
  decides: stable if :math:`r < -0.01`, unstable if :math:`r > 0.01`, *marginal* (relu's line
  attractor: the kick's component along it stays) otherwise.  A target without an open-loop fixed point is
  observed unstable: training failed.

Two checks:

1. **Leading eigenvalue** (graded, the quantitative side of the prediction): per attractor, the
   mean over seeds of :math:`1 + \max\mathrm{Re}\,\lambda` of the finite-N Jacobian against
   :math:`1 + m` (both the eigenvalue of :math:`(J + uw^\top)D`), with tolerance
   :math:`t_{n-1}\,\mathrm{se} + c|1 + m|/N^p` (:math:`p = 1` where a visible pole sets the margin,
   :math:`p = 1/2` where the bulk edge does: the rightmost eigenvalue of a random bulk converges
   like :math:`N^{-1/2}`); :math:`c` measured on held-out seeds.  Marginal attractors are checked
   exactly instead (relu: :math:`x_a` is a null vector of the Jacobian at every N).
2. **Stability: predicted against observed** (the table): per attractor, the observed classes over
   seeds against the predicted one.  Error model: per seed, the finite-N margin is
   :math:`m + \mu_N + \sigma_N\varepsilon`, with bias :math:`\mu_N` (the budget above) and spread
   :math:`\sigma_N = c_\sigma/\sqrt N` (key ``"spread: ..."``, the fitted upper bound of the
   per-seed standard deviation on held-out seeds).  A row is graded when
   :math:`|m| > |\mu_N| + 4\sigma_N`: then a flip in any seed has probability below
   :math:`\Phi(-4) \approx 3\times10^{-5}` and every seed must agree.  Rows nearer the boundary
   are reported (*near the boundary*) but not graded: there finite-N networks legitimately
   disagree with the :math:`N\to\infty` prediction.  The training-success rate (every attractor
   returns) per setting is reported beside.
"""

from __future__ import annotations

import math

import numpy as np

import meanfield as mf
from meanfield.estimate import Estimate

from .matrices import (
    FixedComparison,
    FixedRow,
    MatrixCase,
    MatrixSize,
    NotMeasured,
    graded_row,
)

__all__ = ["CASES", "RUNNERS", "POINTS", "BUDGET_SIZES", "HELD_OUT_SEEDS", "LAWS",
           "stability_table", "T_OBSERVE"]

#: Duration of the closed-loop run that observes stability (unit time constants).
T_OBSERVE = 100.0
_KICK = 1e-3
#: d(T)/d(0) below which the attractor returned, above which it left; between them the
#: rate of change of d over the second half of the run decides, against +-_RATE
_RETURNED, _LEAVES, _RATE = 1e-3, 10.0, 0.01
#: Standard deviations of the per-seed margin between a graded row and the boundary.
_Z_GRADED = 4.0
#: Fewest seeds with a fixed point for a leading-eigenvalue row (t_2 = 31.6 would make it noise).
_MIN_SEEDS = 4

_SEEDS = tuple(range(1, 9))

CASES = (
    MatrixCase(
        name="trained_stability", kind="trained_stability",
        description=("stability predicts training success (Rivkind & Barak): per attractor the "
                     "predicted stable / unstable / marginal (mf.trained.reservoir_theory) "
                     "against closed-loop simulation from a kicked fixed point of trained "
                     "finite-N reservoirs, tanh and relu, g, amplitudes, K = 1-3, bias; and "
                     "the leading eigenvalue of the Jacobian against the predicted margin"),
        params=dict(settings=(
            ("tanh g=0.8 A=1", dict(g=0.8, phi="tanh", targets=(1.0,), bias=0.0)),
            ("tanh g=1.5 A=1", dict(g=1.5, phi="tanh", targets=(1.0,), bias=0.0)),
            ("tanh g=2 A=2", dict(g=2.0, phi="tanh", targets=(2.0,), bias=0.0)),
            ("tanh g=2 A=1", dict(g=2.0, phi="tanh", targets=(1.0,), bias=0.0)),
            ("tanh g=2.5 A=1", dict(g=2.5, phi="tanh", targets=(1.0,), bias=0.0)),
            ("tanh g=1.2 K=2", dict(g=1.2, phi="tanh", targets=(0.5, 1.5), bias=0.0)),
            ("tanh g=1.2 K=3", dict(g=1.2, phi="tanh", targets=(0.3, 1.0, 2.0), bias=0.0)),
            ("tanh g=0.6 K=3", dict(g=0.6, phi="tanh", targets=(0.3, 1.0, 2.0), bias=0.0)),
            ("relu g=1 b=+0.3", dict(g=1.0, phi="relu", targets=(1.0,), bias=0.3)),
            ("relu g=1.3 b=+0.3", dict(g=1.3, phi="relu", targets=(1.0,), bias=0.3)),
            ("relu g=1 b=-0.3", dict(g=1.0, phi="relu", targets=(1.0,), bias=-0.3)),
            ("relu g=1 K=2 b=-0.3", dict(g=1.0, phi="relu", targets=(0.5, 1.5), bias=-0.3)),
            ("relu g=1.2 b=0", dict(g=1.2, phi="relu", targets=(1.0,), bias=0.0)),
            ("relu g=1 K=2 b=0", dict(g=1.0, phi="relu", targets=(-0.5, 1.0), bias=0.0)))),
        # quick: n = 300 (about 20 s); more rows are then near the boundary (sigma_N ~ n^-1/2)
        quick=MatrixSize(n=300, seeds=_SEEDS), full=MatrixSize(n=1000, seeds=_SEEDS)),
)

BUDGET_SIZES = {"trained_stability": (300, 1000)}
#: 16 held-out seeds: the spread sigma_N is a standard deviation, estimated from them.
HELD_OUT_SEEDS = {"trained_stability": tuple(range(1001, 1017))}
LAWS = {"trained_stability": ("leading eigenvalue: c |1 + m|/N (a visible pole sets m) or "
                              "c |1 + m|/sqrt(N) (the bulk edge does), relative mean deviation; "
                              "'spread: ...': the per-seed standard deviation, c/sqrt(N)")}


def _predicted(th, a) -> tuple:
    """(class, margin m, exponent of its finite-size law) of attractor ``a``."""
    vis = th.poles[a][th.visible[a]]
    bulk = float(th.bulk_radius[a]) - 1.0
    top = float(vis.real.max()) if vis.size else -math.inf
    m, p = (top, 1.0) if top >= bulk else (bulk, 0.5)
    cls = "stable" if th.stable[a] else ("marginal" if th.marginal[a] else "unstable")
    return cls, m, p


def _observe(net, a, seed: int) -> tuple:
    """(observed class, leading Re eigenvalue or nan, d(T)/d(0)) of attractor ``a``."""
    if net.training.target_status[a] == 2:         # no open-loop fixed point: training failed
        return "unstable", math.nan, math.nan
    lead = float(net.eigenvalues(a)[0].real)
    rng = np.random.default_rng(seed)
    kick = _KICK * (net.u + rng.standard_normal(net.n)) / math.sqrt(2.0)
    res = net.simulate(a, t_max=T_OBSERVE, dt=0.1, x0=net.fixed_points[a] + kick,
                       record_every=int(T_OBSERVE / 2.0))     # 21 frames, every T/20
    d = np.linalg.norm(res.x[:, :, 0] - net.fixed_points[a], axis=1)
    if not np.all(np.isfinite(d)) or d[-1] > _LEAVES * d[0]:
        return "unstable", lead, math.inf if not np.isfinite(d[-1]) else float(d[-1] / d[0])
    ratio = float(d[-1] / d[0])
    if ratio < _RETURNED:
        return "stable", lead, ratio
    # still within a factor 1e3 of the kick: the trend over the second half decides (the bulk
    # transients, rate >= 1 - R, are gone by then; d stays 1e3 above the round-off floor): the
    # least-squares slope of log d over its 11 frames, robust to the ripple of a complex pair
    half = len(d) // 2
    rate = float(np.polyfit(res.t[half:], np.log(d[half:]), 1)[0])
    cls = "stable" if rate < -_RATE else ("unstable" if rate > _RATE else "marginal")
    return cls, lead, ratio


def stability_table(case: MatrixCase, n: int, seeds) -> list:
    """Per setting and attractor: label, predicted (class, m, p), observed per seed.

    Observed: ``(class, leading Re eigenvalue, d(T)/d(0))`` per seed (see the module
    docstring).  Returns a list of dicts with keys ``key, setting, attractor, predicted,
    margin, exponent, observed`` (and ``success``: per seed, every attractor of the network
    returned).
    """
    out = []
    for label, args in case.params["settings"]:
        th = mf.trained.reservoir_theory(args["g"], args["phi"], args["targets"],
                                         bias=args["bias"])
        K = len(args["targets"])
        obs = [[None] * len(seeds) for _ in range(K)]
        for j, seed in enumerate(seeds):
            net = mf.trained.FeedbackReservoir(n, args["g"], args["phi"],
                                               targets=args["targets"], bias=args["bias"],
                                               seed=seed, check=False)
            for a in range(K):
                obs[a][j] = _observe(net, a, 10_000 + seed)
        success = [all(obs[a][j][0] == "stable" for a in range(K)) for j in range(len(seeds))]
        for a in range(K):
            cls, m, p = _predicted(th, a)
            out.append(dict(key=f"{label}, attractor {a}", setting=label, attractor=a,
                            predicted=cls, margin=m, exponent=p, observed=obs[a],
                            success=success, predicted_success=bool(np.all(th.stable))))
    return out


def _lead_estimate(row):
    vals = np.array([o[1] for o in row["observed"] if np.isfinite(o[1])])
    if vals.size < _MIN_SEEDS:
        return None, vals
    return Estimate.from_samples(1.0 + vals), vals


def _spread_key(key: str) -> str:
    return f"spread: {key}"


def _stability_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    budget = case.budget
    n = size.n
    lead_rows, class_rows, notes = [], [], []
    table = stability_table(case, n, size.seeds)
    for row in table:
        key, m, p = row["key"], row["margin"], row["exponent"]
        th = 1.0 + m
        scale = abs(th)
        bias = budget.get(key, 0.0) * scale / n ** p     # finite-size bias of the margin
        est, vals = _lead_estimate(row)
        classes = [o[0] for o in row["observed"]]
        if row["predicted"] == "marginal":
            # exact at every N: x_a is a null vector of the Jacobian (relu, no bias)
            worst = float(np.max(np.abs(vals))) if vals.size else math.inf
            lead_rows.append(FixedRow(f"max Re eigenvalue (exactly 0): {key}", "exact", 0.0,
                                      0.0, Estimate(worst, 0.0, vals.size), 1e-8, worst < 1e-8,
                                      "1e-8", scale=1.0, n=n))
        elif est is None:
            lead_rows.append(FixedRow(f"1 + max Re lambda: {key}", "pole", th, th,
                                      NotMeasured(f"fixed point in {vals.size} of "
                                                  f"{len(classes)} seeds", vals.size),
                                      0.0, True, "-", scale=scale, n=n))
            notes.append(f"{key}: a fixed point in {vals.size} of {len(classes)} seeds only "
                         f"(fewer than {_MIN_SEEDS}): the leading eigenvalue is not graded")
        else:
            lead_rows.append(graded_row(f"1 + max Re lambda: {key}", "pole", th, est, bias,
                                        scale=scale, n=n))
        # the classification row
        agree = sum(c == row["predicted"] for c in classes)
        sigma = budget.get(_spread_key(key), math.nan) / math.sqrt(n)
        margin_needed = bias + _Z_GRADED * sigma
        graded = row["predicted"] == "marginal" or (np.isfinite(margin_needed)
                                                    and abs(m) > margin_needed)
        counts = ", ".join(f"{c} {classes.count(c)}" for c in ("stable", "unstable", "marginal")
                           if classes.count(c))
        # (no "|" in row names: they are cells of the report's markdown table)
        where = ("exact (s = 0)" if row["predicted"] == "marginal" else
                 "no held-out budget (too few fixed points there), not graded"
                 if not np.isfinite(margin_needed) else
                 f"m = {m:+.3f}, beyond bias + 4 sigma = {margin_needed:.3f}" if graded else
                 f"near the boundary: m = {m:+.3f}, bias + 4 sigma = {margin_needed:.3f}, "
                 "not graded")
        class_rows.append(FixedRow(
            f"predicted {row['predicted']}, observed {counts}: {key} ({where})", "stability",
            1.0, 1.0, Estimate(agree / len(classes), 0.0, len(classes)), 0.0,
            (agree == len(classes)) if graded else True, "all seeds" if graded else "-",
            scale=1.0, n=n))
    # summary: agreement over everything, and over the graded rows; success per setting
    n_all = sum(len(r["observed"]) for r in table)
    n_agree = sum(sum(o[0] == r["predicted"] for o in r["observed"]) for r in table)
    notes.append(f"agreement of predicted and observed stability: {n_agree}/{n_all} "
                 f"attractor-seed pairs ({100 * n_agree / n_all:.1f}%)")
    # the observation itself against the finite-N Jacobian (no theory): returned <-> every
    # eigenvalue in the left half-plane (the marginal relu's zero mode aside)
    pairs = [(o[0], o[1]) for r in table if r["predicted"] != "marginal" for o in r["observed"]
             if np.isfinite(o[1]) and o[0] != "marginal"]
    same = sum((c == "stable") == (lead < 0) for c, lead in pairs)
    notes.append(f"simulation against the sign of the finite-N Jacobian's leading eigenvalue: "
                 f"{same}/{len(pairs)} agree")
    seen = {}
    for r in table:
        seen.setdefault(r["setting"], (r["predicted_success"], r["success"]))
    ok_s = sum(sum(s == pred for s in succ) for pred, succ in seen.values())
    tot_s = sum(len(succ) for _, succ in seen.values())
    notes.append(f"training success (every attractor returns) predicted correctly in {ok_s}/"
                 f"{tot_s} trained networks ({100 * ok_s / tot_s:.1f}%)")
    return [Check("leading eigenvalue: theory margin vs trained finite-N networks",
                  FixedComparison(tuple(lead_rows))),
            Check("stability: predicted vs observed (closed-loop simulation)",
                  FixedComparison(tuple(class_rows), notes=tuple(notes)))]


def _stability_points(case: MatrixCase, n: int, seeds) -> list:
    """Budget points: the leading eigenvalue's mean deviation and its per-seed spread."""
    out = []
    for row in stability_table(case, n, seeds):
        if row["predicted"] == "marginal":
            continue
        est, vals = _lead_estimate(row)
        if est is None:
            continue
        th = 1.0 + row["margin"]
        scale = abs(th)
        out.append((row["key"], "pole", row["exponent"], (float(est.mean) - th) / scale,
                    float(est.stderr) / scale))
        sd = float(np.std(1.0 + vals, ddof=1))
        # standard error of a sample standard deviation (normal samples): sd / sqrt(2(n-1))
        out.append((_spread_key(row["key"]), "spread", 0.5, sd,
                    sd / math.sqrt(2.0 * (vals.size - 1))))
    return out


RUNNERS = {"trained_stability": _stability_check}
POINTS = {"trained_stability": _stability_points}
