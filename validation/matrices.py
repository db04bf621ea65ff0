r"""Validation cases of the random-matrix and transient-amplification theory.

Each case meets a theory of :mod:`meanfield.ensembles` or :mod:`meanfield.transient`
with sampled matrices (one per seed) at stated ``n``:

``spectrum``
    :func:`meanfield.spectra.compare`: the fraction of eigenvalues inside several
    radii (and of singular values below several values) against the ensemble's
    limiting CDF, tolerance :math:`4\sigma_\text{binomial} + c/\sqrt n` (the edge
    budget, :math:`c` measured per case on held-out seeds: the largest over its CDF
    rows), plus the predicted outliers matched with the sampled ones.
``density_forms``
    Two closed forms of one density evaluated on a grid must agree to ``1e-10``
    (no sampling): Rajan-Abbott's closed form against its parametric form.
``effective_rank``
    A rank statistic of the random-mode model over seeds (mean ± stderr)
    against its formula, tolerance :math:`t_{S-1}\,\text{stderr} + c/n` relative.
``squared_norm``
    :math:`E\|x(t)\|^2` of :math:`\dot x = -x + Wx` from
    :func:`meanfield.transient.mean_squared_norm` against
    :func:`meanfield.simulate.squared_norm` on a grid of times at two
    sizes; the tolerance is :math:`t_{m-1}\,\text{stderr} + c(1 + t^2)/n\,\text{theory}`
    (:math:`m` matrices) and each row's label gives its relative deviation, so the
    report shows the deviation shrink from the smaller to the larger ``n``.

The finite-size coefficients :math:`c` are *data*, measured on held-out seeds
(:data:`validation.cases.HELD_OUT_SEEDS`) at several sizes by
``python -m validation.finite_size --cases NAME`` (:func:`matrix_points` gives the
measured points of each kind) and stored in ``validation/budgets.json``; a case
without a measured entry runs with no budget (sampling error only) and says so.
The rows are written into the same report as the DMFT cases
(:func:`validation.run.write_report`).
"""

from __future__ import annotations

import dataclasses
import math
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

import meanfield as mf
from meanfield.estimate import Estimate
from meanfield.validation import t_quantile

from .cases import budget_source, budgets, suite_seeds

__all__ = ["MatrixSize", "MatrixCase", "MATRIX_CASES", "FixedRow", "FixedComparison",
           "NotMeasured", "graded_row", "run_matrix_case", "matrix_points", "MATRIX_BUDGET_SIZES",
           "MATRIX_HELD_OUT_SEEDS"]


@dataclass(frozen=True)
class MatrixSize:
    """Sizes of a matrix case: n (a second, larger n for ``squared_norm``), seeds, options."""

    n: int
    seeds: tuple
    n_large: int | None = None
    options: dict = field(default_factory=dict)

    # the report prints these for every case
    batch: int = 1
    t_max: float = 0.0
    t_transient: float = 0.0


@dataclass(frozen=True)
class MatrixCase:
    """One random-matrix check (see the module docstring for the kinds)."""

    name: str
    kind: str
    description: str
    params: dict
    quick: MatrixSize
    full: MatrixSize
    exact_rtol: float = 0.0           # density_forms: the agreement required of two closed forms
    dt: float = 0.0

    def size(self, quick: bool) -> MatrixSize:
        return self.quick if quick else self.full

    @property
    def budget(self) -> dict:
        """The measured finite-size coefficients c by row key (``validation/budgets.json``)."""
        return budgets(self)

    @property
    def budget_source(self) -> str:
        """Where the budgets come from (held-out seeds, sizes, command), or that there are none."""
        if self.kind == "density_forms":
            return f"exact: two closed forms, rtol {self.exact_rtol:g}"
        return budget_source(self)

    def ensemble(self):
        """The ensemble object of the case."""
        return getattr(mf.ensembles, self.params["ensemble"])(**self.params["args"])

    def size_text(self, size: MatrixSize) -> str:
        big = f" and {size.n_large}" if size.n_large else ""
        opts = "".join(f", {k} {v}" for k, v in size.options.items())
        return f"n={size.n}{big}, seeds {list(size.seeds)}{opts}"


@dataclass(frozen=True)
class NotMeasured:
    """Stands where an :class:`Estimate` would, for a statistic the seeds did not measure.

    A predicted outlier that no seed produced has no sample value, and one found in a
    single seed has no standard error: ``mean`` / ``stderr`` are then NaN, which means
    "not measured", never a value; ``str()`` says what happened (e.g. ``"not found in
    2 of 2 seeds"``).  ``n`` is the number of seeds that did measure it.
    """

    text: str
    n: int = 0
    mean: float = math.nan
    stderr: float = math.nan

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class FixedRow:
    """A report row whose tolerance and outcome were decided by the check itself."""

    name: str
    quantity: str
    theory: float
    theory_infinite: float
    simulation: Estimate | NotMeasured
    tolerance: float
    ok: bool
    tolerance_text: str = ""
    scale: float = 1.0
    n: int | None = None          # the size of this row, when a case runs several (else the case's)

    @property
    def z(self) -> float:
        """Standard score (:meth:`Estimate.z`, 0 for an exact match); nan if not measured."""
        if self.quantity == "exact" or isinstance(self.simulation, NotMeasured):
            return math.nan
        z = float(self.simulation.z(self.theory))
        return 0.0 if math.isnan(z) and float(self.simulation.mean) == self.theory else z


@dataclass(frozen=True, eq=False)
class FixedComparison:
    """Rows with fixed outcomes, and the object that can draw them (``.plot()``)."""

    rows: tuple
    source: object = None
    notes: tuple = ()

    @property
    def max_abs_z(self) -> float:
        zs = [abs(r.z) for r in self.rows if np.isfinite(r.z)]
        return max(zs) if zs else 0.0

    def row_passed(self, k=None, budget=None) -> list[bool]:
        return [r.ok for r in self.rows]

    def figure(self):
        """A Figure of the check (None if the source cannot draw)."""
        plot = getattr(self.source, "plot", None)
        return plot() if plot is not None else None


# ---------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------

_SEEDS = (1, 2, 3, 4)
_SEEDS_FULL = tuple(range(1, 9))      # t_7 = 5.4 instead of t_3 = 12.9 for the outliers' means
#: Sizes at which ``python -m validation.finite_size`` measures each kind's budget.
MATRIX_BUDGET_SIZES = {"spectrum": (1000, 2000), "effective_rank": (1000, 2000),
                       "squared_norm": (150, 250, 500, 1000, 2000),
                       "trained_poles": (500, 1000, 2000)}
#: Held-out seeds of a kind's budget measurement where the default 8 are too few: the rank of
#: a power-law mode spectrum varies 5% between matrices (all above 1000, like every held-out seed).
MATRIX_HELD_OUT_SEEDS = {"effective_rank": tuple(range(1001, 1033))}


def _spectrum(name, ensemble, args, description):
    return MatrixCase(
        name=name, kind="spectrum", description=description,
        params=dict(ensemble=ensemble, args=args),
        quick=MatrixSize(n=1000, seeds=_SEEDS), full=MatrixSize(n=2000, seeds=_SEEDS_FULL))


MATRIX_CASES: tuple[MatrixCase, ...] = (
    _spectrum("spectrum_gaussian", "Gaussian", dict(g=1.0, J0=2.0),
              "iid Gaussian g=1 with mean J0=2: circular law, quarter-circle singular values, "
              "outlier at J0"),
    _spectrum("spectrum_elliptic", "Elliptic", dict(g=1.0, tau=0.5),
              "elliptic g=1, tau=0.5: uniform ellipse with semi-axes 1.5 and 0.5"),
    _spectrum("spectrum_block", "BlockVariance",
              dict(fractions=(0.5, 0.3, 0.2), g_matrix=((0.5, 1.5, 1.0), (1.0, 0.8, 2.0),
                                                         (1.2, 0.4, 1.5))),
              "three cell types, variance profile g_ab^2/N: radius sqrt(lambda_max(M)), "
              "radial CDF from the hermitization equations"),
    _spectrum("spectrum_rajan_abbott", "RajanAbbott",
              dict(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.5),
              "Rajan-Abbott Dale/E-I network, balanced, zero row sums, f=0.8, sigma_E=0.5, "
              "sigma_I=1.5: non-uniform density (closed form), no outliers"),
    _spectrum("spectrum_rajan_abbott_sparse", "RajanAbbott",
              dict(f=0.8, mu_e=1.0, sigma_e=0.5, sigma_i=1.0, sparsity=0.3),
              "sparse Rajan-Abbott, connection probability 0.3: variances pick up the means"),
    _spectrum("low_rank_outliers", "LowRankPlusRandom",
              dict(g=1.0, overlap=((2.0, 0.5), (-0.5, 1.6))),
              "rank-2 plus random, g=1: outliers at the eigenvalues of the overlap matrix "
              "(1.8 ± 0.46i, outside the bulk)"),
    _spectrum("spectrum_random_mode", "RandomMode",
              dict(n_modes_ratio=2.0, spectrum="exponential"),
              "random-mode model, alpha=2, exponential mode spectrum: singular values by free "
              "multiplicative convolution, eigenvalues by Haagerup-Larsen"),
    MatrixCase(
        name="random_mode_rank", kind="effective_rank",
        description=("random-mode model: the effective rank of J, (tr JJ^T)^2 / tr (JJ^T)^2, of "
                     "sampled matrices against the large-n formula n/R_eff = n/PR^D + 2 "
                     "(rho = 0) and its overlap generalisation (rho = 0.5)"),
        params=dict(ensemble="RandomMode", settings=(
            dict(n_modes_ratio=1.0, spectrum="exponential", spectrum_exponent=1.0),
            dict(n_modes_ratio=0.5, spectrum="power", spectrum_exponent=0.5),
            dict(n_modes_ratio=1.0, spectrum="exponential", spectrum_exponent=1.0, overlap=0.5))),
        # the exact finite-n ratio of expectations (RandomMode.effective_rank_J(finite_size=True),
        # Wick) lies below the large-n formula by 1.09/n, 1.78/n, 1.24/n (the three settings):
        # the measured budget must cover at least that
        quick=MatrixSize(n=1000, seeds=tuple(range(1, 9))),
        full=MatrixSize(n=2000, seeds=tuple(range(1, 33)))),
    MatrixCase(
        name="squared_norm", kind="squared_norm",
        description=("transient amplification: E||x(t)||^2 of dx/dt = -x + W x, x(0) uniform on "
                     "the unit sphere, closed forms e^{-2t} I0(2rt) (iid) and "
                     "e^{-2t}[(1+m^2) I0(2rt) - m^2] (balanced Rajan-Abbott, zero row sums) "
                     "against sampled matrices (exact x0 average per matrix) at two n"),
        params=dict(times=(0.5, 1.0, 2.0, 3.0, 5.0), settings=(
            ("iid r=0.8", "Gaussian", dict(g=0.8)),
            ("E/I r=0.8, <mu^2>=9", "RajanAbbott",
             dict(f=0.8, mu_e=1.5, sigma_e=0.8, sigma_i=0.8)))),
        quick=MatrixSize(n=150, n_large=600, seeds=(1,), options=dict(n_matrices=16)),
        # the relative deviation grows with t (iid: about (1 + t^2)/n), so the budget of each
        # row is c (1 + t^2)/n with c measured per setting and time
        full=MatrixSize(n=500, n_large=2000, seeds=(1,), options=dict(n_matrices=24))),
    MatrixCase(
        name="trained_poles", kind="trained_poles",
        description=("reservoirs with output feedback trained to fixed points (Rivkind & Barak): "
                     "the visible output poles s of every attractor from "
                     "mf.trained.reservoir_theory (det[(1+s)C - E] = 0) against the outliers of "
                     "the trained finite-N network's closed-loop Jacobian (the nearest one per "
                     "seed), tanh and relu, one and two targets, stable and unstable attractors"),
        params=dict(settings=(
            ("tanh K=2", dict(g=0.8, phi="tanh", targets=(0.5, 1.5), bias=0.0)),
            ("relu K=1 b=+0.3", dict(g=1.0, phi="relu", targets=(1.0,), bias=0.3)),
            ("relu K=1 b=-0.3", dict(g=1.0, phi="relu", targets=(1.0,), bias=-0.3)),
            ("relu K=2 b=+0.3", dict(g=1.0, phi="relu", targets=(0.5, 1.5), bias=0.3)))),
        # 8 seeds also in the quick run: with 4 (t_3 = 12.9) a pole's per-seed spread of
        # ~0.5/sqrt(n) would leave it a smoke test
        quick=MatrixSize(n=1000, seeds=_SEEDS_FULL), full=MatrixSize(n=2000, seeds=_SEEDS_FULL)),
    MatrixCase(
        name="rajan_abbott_density_forms", kind="density_forms",
        description=("Rajan-Abbott density: the closed form (H_f) against the parametric form, "
                     "on a radial grid inside the bulk, for several (f, sigma_E, sigma_I)"),
        params=dict(settings=((0.8, 0.5, 1.5), (0.5, 1.0, 0.3), (0.2, 2.0, 1.0))),
        quick=MatrixSize(n=0, seeds=()), full=MatrixSize(n=0, seeds=()), exact_rtol=1e-10),
)


def get_matrix_case(name: str) -> MatrixCase:
    for c in MATRIX_CASES:
        if c.name == name:
            return c
    raise KeyError(name)


# ---------------------------------------------------------------------------
# runners
# ---------------------------------------------------------------------------

_CDF_KINDS = ("eigenvalue_cdf", "singular_cdf")


def _spectrum_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    ens = case.ensemble()
    budget = case.budget
    res = mf.spectra.compare(ens, n=size.n, seeds=size.seeds,
                             budget=budget.get("cdf", 0.0) / math.sqrt(size.n), threads=1)
    rows = spectrum_rows(res) + _outlier_mean_rows(res, budget, size.n)
    return [Check("sampled spectra against the theory", FixedComparison(rows, res, res.notes))]


def _outlier_mean_rows(res, budget: dict, n: int) -> tuple:
    r"""Each predicted outlier's part against the mean over the seeds that found it.

    The per-seed matching rows of :func:`meanfield.spectra.compare` accept any sampled
    outlier within :math:`O(1/\sqrt n)` of the prediction (a coarse check, every seed); this
    row is the sharp one: :math:`|\bar\theta - \theta| < t_{S-1}\,\text{stderr} +
    c\,|\theta|/n`, with :math:`c` measured on held-out seeds (row key = the spectra row's name).
    """
    rows = []
    for r in res.rows:
        if r.kind != "outlier" or r.simulation is None or r.theory == 0.0:
            continue
        est = r.simulation
        scale = abs(r.theory)
        tol = t_quantile(est.n) * float(est.stderr) + budget.get(r.name, 0.0) / n * scale
        rows.append(FixedRow(f"{r.name}, mean over {est.n} seeds", "outlier_mean", r.theory,
                             r.theory, est, tol, abs(float(est.mean) - r.theory) < tol,
                             f"{tol:.3g}", scale=scale))
    return tuple(rows)


def spectrum_rows(res) -> tuple:
    """The rows of a :class:`meanfield.spectra.SpectrumComparison` as :class:`FixedRow`.

    Outlier rows become ``"outlier_match"`` rows: each seed's outliers matched with the
    predictions within the spectra's per-seed tolerance; they carry no minimum
    detectable error (see :func:`_outlier_mean_rows` for the sharp test of the mean).
    """
    rows = []
    for r in res.rows:
        name = r.name
        if r.simulation is not None:
            sim = r.simulation
        else:
            # a predicted outlier found in no seed, or in one (no standard error): a row that
            # says so, with no value filled in; it fails unless the outlier is not resolvable
            sim = NotMeasured(r.samples_text, r.found,
                              math.nan if r.sample_mean is None else r.sample_mean)
        if r.missing:
            name = f"{name}: not found in {r.missing} of {r.n_seeds} seeds"
        kind = "outlier_match" if r.kind == "outlier" else r.kind
        rows.append(FixedRow(name, kind, r.theory, r.theory, sim, r.tolerance, r.passed,
                             f"{r.tolerance:.3g}"))
    return tuple(rows)


def _density_forms_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    rows = []
    rtol = case.exact_rtol
    for f, se, si in case.params["settings"]:
        ens = mf.ensembles.RajanAbbott(f=f, mu_e=1.0, sigma_e=se, sigma_i=si)
        R = ens.spectral_radius
        z = np.linspace(0.01, 0.99, 99) * R * np.exp(0.3j)
        a = ens.eigenvalue_density(z, form="closed")
        b = ens.eigenvalue_density(z, form="parametric")
        err = float(np.max(np.abs(a - b) / np.abs(b)))
        rows.append(FixedRow(f"max rel. diff (f={f:g}, sE={se:g}, sI={si:g})", "exact", 0.0, 0.0,
                             Estimate(err, 0.0, len(z)), rtol, err < rtol, f"{rtol:.0e}"))
    return [Check("closed vs parametric density", FixedComparison(tuple(rows)))]


def _rank_label(args) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items() if k != "spectrum_exponent")


def _effective_ranks(case: MatrixCase, n: int, seeds):
    """Per setting: (label, theory, Estimate of the sampled R_eff over ``seeds``)."""
    out = []
    for args in case.params["settings"]:
        ens = mf.ensembles.RandomMode(**args)
        vals = []
        for seed in seeds:
            J = ens.sample(n, seed=seed)
            C = J @ J.T
            vals.append(np.trace(C) ** 2 / np.sum(C * C))
        v = np.asarray(vals)
        est = Estimate(float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v))), len(v))
        out.append((_rank_label(args), float(ens.effective_rank_J(n)), est))
    return out


def _effective_rank_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    rows = []
    budget = case.budget
    for label, th, est in _effective_ranks(case, size.n, size.seeds):
        c = budget.get(label, 0.0)
        tol = t_quantile(est.n) * float(est.stderr) + c / size.n * th
        rows.append(FixedRow(f"R_eff ({label})", "effective_rank", th, th, est, tol,
                             abs(float(est.mean) - th) < tol, f"{tol:.3g}", scale=th))
    return [Check("effective rank of J", FixedComparison(tuple(rows)))]


def _squared_norms(case: MatrixCase, n: int, seed: int, n_matrices: int):
    """Per setting: (label, ensemble, times, theory, SquaredNormSamples) at one ``n``."""
    t = np.asarray(case.params["times"], dtype=float)
    out = []
    for label, name, args in case.params["settings"]:
        ens = getattr(mf.ensembles, name)(**args)
        theory = mf.transient.mean_squared_norm(ens, t)
        # rtol: round-off up to 1e-6 of the exact x0-average is far below the sampling
        # error over matrices (>= 1e-3 relative), so the eig path need not fall back to
        # expm at the full sizes (estimates grow with the condition number: 4e-9 at
        # n = 1000, t = 0.5, measured)
        sim = mf.simulate.squared_norm(ens, t, n=n, n_matrices=n_matrices, n_x0=4,
                                       seed=np.random.default_rng([seed, n]), rtol=1e-6,
                                       threads=1)
        out.append((label, ens, t, theory, sim))
    return out


def _norm_key(label: str, t: float) -> str:
    return f"{label}, t={t:g}"


def _squared_norm_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    budget = case.budget
    by_setting: dict = {}
    for n in (size.n, size.n_large):
        for label, ens, t, theory, sim in _squared_norms(case, n, size.seeds[0],
                                                         size.options["n_matrices"]):
            rows, runs, _ = by_setting.setdefault(label, ([], [], ens))
            runs.append(sim)
            est = sim.mean
            tq = t_quantile(est.n)
            for k in range(len(t)):
                e = Estimate(float(est.mean[k]), float(est.stderr[k]), est.n)
                c = budget.get(_norm_key(label, t[k]), 0.0)
                tol = tq * float(est.stderr[k]) + c * (1.0 + t[k] ** 2) / n * theory[k]
                dev = (float(est.mean[k]) - theory[k]) / theory[k]
                rows.append(FixedRow(f"E|x({t[k]:g})|^2, n={n} (dev {100 * dev:+.1f}%)",
                                     "squared_norm", float(theory[k]), float(theory[k]), e, tol,
                                     abs(float(est.mean[k]) - theory[k]) < tol, f"{tol:.3g}",
                                     scale=float(theory[k]), n=n))
    figure = _SquaredNormFigure([(runs, ens) for _, runs, ens in by_setting.values()])
    return [Check(label, FixedComparison(tuple(rows), figure))
            for label, (rows, _, _) in by_setting.items()]


def _trained_poles(case: MatrixCase, n: int, seeds):
    """Per setting, attractor and visible pole: (key, theory s, sampled outliers per seed).

    Per seed the finite-N outlier nearest to the theory's pole (None when the trained
    network has no outlier there: a row that then fails).
    """
    out = []
    for label, args in case.params["settings"]:
        th = mf.trained.reservoir_theory(args["g"], args["phi"], args["targets"],
                                         bias=args["bias"])
        nets = [mf.trained.FeedbackReservoir(n, args["g"], args["phi"], targets=args["targets"],
                                             bias=args["bias"], seed=seed) for seed in seeds]
        for a in range(len(args["targets"])):
            found = [net.outliers(a) for net in nets]
            for p in np.ravel(th.poles[a])[np.ravel(th.visible[a])]:
                near = [o[np.argmin(np.abs(o - p))] if o.size else None for o in found]
                out.append((f"{label}, attractor {a}, s = {p.real:.3f}", complex(p), near))
    return out


def _pole_estimate(near):
    """Mean over seeds of Re(1 + s) of the matched outliers: the eigenvalue of J D they are."""
    vals = np.array([v for v in near if v is not None])
    if vals.size < 2:
        return None, vals
    return Estimate.from_samples(1.0 + vals.real), vals


def graded_row(name, quantity, theory, est, bias, *, scale, n=None,
               theory_infinite=None) -> FixedRow:
    r"""A mean-over-seeds row: passes when :math:`|\bar y - y| < t_{S-1}(1 - \alpha/2)\,
    \mathrm{se} + b`.

    Error model of the matrix and trained cases: one value per seed (independent samples,
    so the standard error includes the quenched disorder), the Student-t quantile for the
    sampling error, and ``bias`` :math:`b` the row's finite-size budget at this size,
    measured on held-out seeds.  ``theory_infinite``: the :math:`N\to\infty` value reported
    beside ``theory`` when the two differ (e.g. ``theory`` is the expectation of a finite-run
    estimator); default ``theory``.
    """
    tol = t_quantile(est.n) * float(est.stderr) + bias
    infinite = theory if theory_infinite is None else theory_infinite
    return FixedRow(name, quantity, theory, infinite, est, tol,
                    abs(float(est.mean) - theory) < tol, f"{tol:.3g}", scale=scale, n=n)


def _trained_poles_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    budget = case.budget
    rows = []
    for key, p, near in _trained_poles(case, size.n, size.seeds):
        scale = abs(1.0 + p)
        est, vals = _pole_estimate(near)
        # rows hold Re(1 + s), the outlier of J D (scale |1 + s|), so that "a theory 5% off"
        # means that eigenvalue 5% off, also for a pole s near 0
        th = 1.0 + p.real
        if est is None:
            rows.append(FixedRow(f"{key}: outlier found in {vals.size} of {len(near)} seeds",
                                 "pole", th, th, NotMeasured("not found", vals.size),
                                 0.0, False, "-", scale=scale))
            continue
        rows.append(graded_row(f"1 + Re s: {key}", "pole", th, est,
                               budget.get(key, 0.0) / size.n * scale, scale=scale))
    return [Check("output poles: theory vs trained finite-N networks", FixedComparison(tuple(rows)))]


def matrix_points(case: MatrixCase, n: int, seeds) -> list:
    r"""The finite-size points of a matrix case at one ``n`` on ``seeds`` (budget measurement).

    Returns ``(key, quantity, exponent, deviation, stderr)`` per budgeted row: the
    deviation of the sampled statistic from the theory in the units of the case's
    budget law, which ``validation.finite_size`` fits to :math:`a/n^p` (``exponent``
    :math:`p`):

    * ``spectrum``: CDF rows, deviation in CDF units, :math:`p = 1/2` (the edge);
      standard errors over seeds (one matrix each), at least the CDF's step
      :math:`1/(nS)`; outlier rows (real and imaginary parts), relative deviation of the
      mean over seeds, :math:`p = 1`;
    * ``effective_rank``: relative deviation, :math:`p = 1`;
    * ``squared_norm``: relative deviation divided by :math:`1 + t^2`, :math:`p = 1`
      (``n_matrices`` of the full size, generator seeded with the first seed).
    """
    if case.kind in _POINTS:
        return _POINTS[case.kind](case, n, seeds)
    out = []
    if case.kind == "spectrum":
        res = mf.spectra.compare(case.ensemble(), n=n, seeds=seeds, budget=0.0, error="seeds",
                                 threads=1)
        # a CDF pooled over the seeds moves in steps of 1/(n S): the floor of its standard
        # error (a row beyond the edge can be the same in every seed)
        floor = 1.0 / (n * len(seeds))
        for r in res.rows:
            if r.kind in _CDF_KINDS:
                out.append((r.name, r.kind, 0.5, r.deviation,
                            max(float(r.simulation.stderr), floor)))
            elif r.kind == "outlier" and r.simulation is not None and r.theory != 0.0:
                out.append((r.name, r.kind, 1.0, r.deviation / abs(r.theory),
                            float(r.simulation.stderr) / abs(r.theory)))
    elif case.kind == "trained_poles":
        for key, p, near in _trained_poles(case, n, seeds):
            est, _ = _pole_estimate(near)
            if est is not None:
                scale = abs(1.0 + p)
                out.append((key, "pole", 1.0, (float(est.mean) - 1.0 - p.real) / scale,
                            float(est.stderr) / scale))
    elif case.kind == "effective_rank":
        for label, th, est in _effective_ranks(case, n, seeds):
            out.append((label, "effective_rank", 1.0, (float(est.mean) - th) / th,
                        float(est.stderr) / th))
    elif case.kind == "squared_norm":
        for label, _, t, theory, sim in _squared_norms(case, n, seeds[0],
                                                       case.full.options["n_matrices"]):
            for k in range(len(t)):
                w = theory[k] * (1.0 + t[k] ** 2)
                out.append((_norm_key(label, t[k]), "squared_norm", 1.0,
                            (float(sim.mean.mean[k]) - theory[k]) / w,
                            float(sim.mean.stderr[k]) / w))
    return out


@dataclass(frozen=True, eq=False)
class _SquaredNormFigure:
    """One panel per setting: the sampled squared norms of both sizes over the theory."""

    panels: list          # (runs, ensemble) per setting

    def plot(self):
        from meanfield.plotting import new_figure
        fig, ax = new_figure(figsize=(6.0 * len(self.panels), 4.0))
        fig.delaxes(ax)
        for i, (runs, ens) in enumerate(self.panels):
            ax = fig.add_subplot(1, len(self.panels), i + 1)
            for sim in runs:
                sim.plot(ens if sim is runs[-1] else None, ax=ax)
        return fig


_RUNNERS = {"spectrum": _spectrum_check, "density_forms": _density_forms_check,
            "effective_rank": _effective_rank_check, "squared_norm": _squared_norm_check,
            "trained_poles": _trained_poles_check}


def run_matrix_case(case: MatrixCase, quick: bool = True, *, size: MatrixSize | None = None,
                    seed_shift: int = 0):
    """Run one matrix case; returns a :class:`validation.run.CaseResult`.

    ``seed_shift`` moves the seeds by ``100 * seed_shift``
    (:func:`validation.cases.suite_seeds`), never onto the held-out budget seeds.
    """
    from .run import CaseResult, Check
    size = size if size is not None else case.size(quick)
    if seed_shift:
        size = dataclasses.replace(size, seeds=suite_seeds(size.seeds, seed_shift))
    t0 = time.perf_counter()
    try:
        checks = _RUNNERS[case.kind](case, size)
        passed = all(all(c.comparison.row_passed()) for c in checks)
        error = None
    except Exception as exc:  # noqa: BLE001 - a failing case is reported, not raised
        checks = [Check("error", None, extra_rows=[])]
        passed = False
        error = f"{type(exc).__name__}: {exc}\n" + traceback.format_exc(limit=3)
    return CaseResult(case=case, size=size, quick=quick, checks=checks, budget=dict(case.budget),
                      passed=passed, wall_time=time.perf_counter() - t0, error=error)


# ---------------------------------------------------------------------------
# the trained-network cases live in their own modules, built on the classes above; each
# exports CASES, RUNNERS (kind -> check), POINTS (kind -> budget points), BUDGET_SIZES,
# HELD_OUT_SEEDS and LAWS (kind -> budget law, for validation.finite_size)
# ---------------------------------------------------------------------------

#: Budget law of the plug-in kinds (text for ``budgets.json``).
MATRIX_LAWS: dict = {}
_POINTS: dict = {}

from . import dimension as _dimension  # noqa: E402  (needs the classes above)
from . import trained as _trained  # noqa: E402
from . import trained_response as _trained_response  # noqa: E402

for _mod in (_trained, _trained_response, _dimension):
    MATRIX_CASES = MATRIX_CASES + tuple(_mod.CASES)
    _RUNNERS.update(_mod.RUNNERS)
    _POINTS.update(_mod.POINTS)
    MATRIX_BUDGET_SIZES.update(_mod.BUDGET_SIZES)
    MATRIX_HELD_OUT_SEEDS.update(_mod.HELD_OUT_SEEDS)
    MATRIX_LAWS.update(_mod.LAWS)
del _mod
