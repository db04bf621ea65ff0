"""Tests of the validation suite (validation/): cheap quick cases, the report, a wrong theory."""

import dataclasses
import json
import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import meanfield as mf  # noqa: E402
from meanfield.validation import FiniteSizeFit, fit_inverse_n  # noqa: E402
from validation import CASES, run  # noqa: E402
from validation.cases import (  # noqa: E402
    BUDGET_FILE,
    HELD_OUT_SEEDS,
    budget_source,
    budgets,
    get,
    suite_seeds,
)

PAPER_MAP_NAMES = {
    "tanh_g1.2", "tanh_g1.5", "tanh_g2", "tanh_g3", "erf_g1.2", "erf_g1.5", "erf_g2", "erf_g3",
    "linear_noise", "noise_driven_chaos", "euler_coarse_dt", "lyapunov_g1.5", "lyapunov_g2",
    "relu_inhibitory", "two_population_ei",
}


def test_case_names_are_the_paper_map_names():
    assert {c.name for c in CASES} == PAPER_MAP_NAMES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cases_state_sizes_and_seeds_disjoint_from_the_held_out_ones(case):
    for size in (case.quick, case.full):
        assert size.n >= 500 and len(size.seeds) >= 4 and size.t_max > size.t_transient
        for shift in range(10):
            assert not set(suite_seeds(size.seeds, shift)) & set(HELD_OUT_SEEDS)
    assert len(case.full.seeds) >= 8          # Student-t quantile 5.4 (alpha = 1e-3), not 12.9
    assert case.quick.n <= case.full.n
    assert all(lag <= case.max_lag for lag in case.lags)
    with pytest.raises(ValueError):
        suite_seeds(case.quick.seeds, 10)


def _budgeted_cases():
    from validation.matrices import MATRIX_BUDGET_SIZES, MATRIX_CASES
    return list(CASES) + [c for c in MATRIX_CASES if c.kind in MATRIX_BUDGET_SIZES]


@pytest.mark.parametrize("case", _budgeted_cases(), ids=lambda c: c.name)
def test_budgets_are_measured_data_on_held_out_seeds(case):
    """Every case with a finite-size budget (DMFT and random-matrix) has per-row budgets
    measured at >= 2 sizes on held-out seeds, with the command that regenerates them, and
    every fit checked against its own data."""
    data = json.loads(BUDGET_FILE.read_text())
    entry = data[case.name]
    # held out: above 1000, where no suite seed (shifted or not) ever is
    assert len(set(entry["sizes"])) >= 2 and min(entry["seeds"]) >= min(HELD_OUT_SEEDS) > 999
    assert entry["command"].startswith("python -m validation.finite_size --cases " + case.name)
    assert not entry["errors"]
    fitted = {k for k, r in entry["rows"].items() if r["fit"]}
    assert entry["rows"] and set(entry["budget_c"]) - {"cdf"} == fitted
    if case.kind == "spectrum":         # one budget for the CDF rows: the largest measured
        assert entry["budget_c"]["cdf"] == max(entry["budget_c"][k] for k in fitted
                                               if entry["rows"][k]["quantity"] != "outlier")
    for name, row in entry["rows"].items():
        fit = FiniteSizeFit(**{k: tuple(v) if isinstance(v, list) else v
                               for k, v in row["fit"].items()})
        refit = fit_inverse_n(fit.sizes, fit.deviation, fit.stderr, exponent=fit.exponent)
        assert refit.budget_c == pytest.approx(fit.budget_c, rel=1e-12), name
        assert budgets(case)[name] == fit.budget_c
    assert "held-out seed" in budget_source(case)


def test_main_writes_report(tmp_path):
    status = run.main(["--quick", "--cases", "linear_noise", "--out", str(tmp_path),
                       "--no-progress"])
    assert status == 0
    text = (tmp_path / "report.md").read_text()
    assert "| linear_noise | delta0 |" in text and "**FAIL**" not in text
    assert "tolerance (MDE)" in text and "1/1 cases passed" in text
    assert (tmp_path / "linear_noise.png").stat().st_size > 1000
    results = json.loads((tmp_path / "results.json").read_text())
    rows = results["cases"][0]["rows"]
    assert all(0 < r["mde"] < math.inf and r["verdict"] in ("pass", "smoke") for r in rows
               if r["scale"] > 0)


def test_report_default_is_the_current_directory():
    assert not run.DEFAULT_OUT.is_absolute()


def test_interrupted_run_says_so(tmp_path, monkeypatch):
    calls = []
    real = run.run_case

    def interrupt_second(case, quick, **kw):
        calls.append(case.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(case, quick, **kw)

    monkeypatch.setattr(run, "run_case", interrupt_second)
    code = run.main(["--quick", "--cases", "linear_noise", "linear_noise", "--out", str(tmp_path),
                     "--no-progress"])
    assert code == 130
    text = (tmp_path / "report.md").read_text()
    assert "INTERRUPTED after 1 of 2 cases" in text and "in progress" not in text


def test_coarse_dt_case_discriminates():
    """The Euler-map theory passes at dt=0.5; the continuous-time theory fails the same test.

    Error model: both theories meet the same 16 runs (N = 1000, a size the budgets were measured
    at; one trajectory each, two time blocks) with the suite's tolerance t_15(1 - 5e-4) stderr
    + c/N per row.  The per-seed ratio Delta(tau)/Delta0 separates the theories by 0.03 (tau = 1)
    to 0.18 (tau = 4) in units of its lag-0 value.  With 8 seeds one realisation in a slow,
    near-periodic state widened the spread enough to hide it (seed shift 4); with 16 seeds the
    largest |deviation|/tolerance of the continuous theory was 2.1-3.9 over seed shifts 0-7, and
    the Euler theory fails a row with probability <= 1e-3 per row when its budget holds.
    """
    case = get("euler_coarse_dt")
    small = dataclasses.replace(case.quick, n=1000, seeds=tuple(range(1, 17)), t_max=600.0,
                                batch=1, blocks=2)
    res = run.run_case(case, size=small, jobs=1)
    assert res.error is None
    euler, scale_free, cont = res.checks
    assert euler.outcome(res.budget, small.n) and scale_free.outcome(res.budget, small.n)
    assert cont.outcome(res.budget, small.n)          # i.e. the continuous theory FAILED
    assert not cont.expect_pass and res.passed


def test_wrong_theory_fails(tmp_path):
    """A theory 5% off in every Delta (noise scaled by sqrt(1.05) in a linear network: exactly
    5%) must fail the linear_noise case at its quick size, and so must one 5% low."""
    case = get("linear_noise")
    for factor in (1.05, 0.95):
        def wrong(case, dt, factor=factor):
            p = dict(case.params, noise=case.params["noise"] * math.sqrt(factor))
            return mf.dmft.solve(**p, dt=dt)

        res = run.run_case(case, quick=True, theory=wrong)
        assert res.error is None and not res.passed
    path = run.write_report([res], tmp_path, quick=True)
    assert "**FAIL**" in path.read_text()
    # the same runs against the right theory detect a 5% error on their own
    good = run.run_case(case, quick=True)
    assert good.passed and run.detects_5_percent(good)


def test_unknown_case_is_an_error(capsys):
    with pytest.raises(SystemExit):
        run.main(["--cases", "no_such_case", "--no-progress"])
    assert run.main(["--list"]) == 0
    assert "tanh_g1.5" in capsys.readouterr().out


@pytest.mark.slow
def test_quick_suite_passes(tmp_path):
    assert run.main(["--quick", "--out", str(tmp_path), "--no-progress", "--jobs", "2"]) == 0


# ---------------------------------------------------------------------------
# random-matrix cases (validation/matrices.py)
# ---------------------------------------------------------------------------

from validation.matrices import MATRIX_CASES, MatrixSize, run_matrix_case  # noqa: E402


@pytest.mark.parametrize("case", MATRIX_CASES, ids=lambda c: c.name)
def test_matrix_cases_state_sizes_and_budget_source(case):
    assert case.budget_source
    if case.kind == "density_forms":
        assert case.exact_rtol == 1e-10 and not case.budget
    else:
        assert case.budget and "held-out seed" in case.budget_source
    if case.kind in ("spectrum", "effective_rank"):
        for size in (case.quick, case.full):
            assert size.n >= 500 and len(size.seeds) >= 2
        assert case.quick.n <= case.full.n
    if case.kind == "spectrum":
        case.ensemble()          # the parameters build a valid ensemble
    if case.kind == "squared_norm":      # two sizes, enough matrices for a standard error
        for size in (case.quick, case.full):
            assert size.n_large >= 4 * size.n and size.options["n_matrices"] >= 8


def test_all_cases_listed_once():
    names = [c.name for c in run.ALL_CASES]
    assert len(names) == len(set(names))
    assert {c.name for c in MATRIX_CASES} <= set(names)


def test_matrix_case_small_run_and_report(tmp_path):
    case = run.get("spectrum_rajan_abbott")
    res = run_matrix_case(case, size=MatrixSize(n=300, seeds=(1, 2)))
    assert res.passed and res.error is None
    names = [r.name for r in res.checks[0].comparison.rows]
    assert "F(0.5R)" in names and "outliers" in names
    path = run.write_report([res], tmp_path, quick=True)
    text = path.read_text()
    assert "| spectrum_rajan_abbott | F(0.5R) |" in text and "**FAIL**" not in text
    assert (tmp_path / "spectrum_rajan_abbott.png").stat().st_size > 1000


@pytest.mark.parametrize("factor", [0.95, 1.05])
def test_matrix_case_fails_a_theory_5_percent_off(monkeypatch, factor):
    # matrices sampled with g = 1 against the theory of g = 1 * factor, at the quick size
    # (n = 1000, 4 seeds) with the measured budgets: the eigenvalue CDF at 0.75 R moves by
    # ~0.05 (0.5625 -> 0.51 / 0.62), against a tolerance of 0.036 (4 binomial se + c/sqrt(n))
    from validation.matrices import MatrixCase

    class Wrong(mf.ensembles.Gaussian):
        def sample(self, n, seed=None, dtype=None):
            return mf.ensembles.Gaussian(1.0, J0=self.J0).sample(n, seed=seed)

    monkeypatch.setattr(MatrixCase, "ensemble", lambda self: Wrong(factor, J0=2.0))
    case = run.get("spectrum_gaussian")
    res = run_matrix_case(case, quick=True)     # the right theory passes: the main job
    assert not res.passed and res.error is None


def test_squared_norm_case_small_run():
    case = run.get("squared_norm")
    res = run_matrix_case(case, size=MatrixSize(n=60, n_large=120, seeds=(3,),
                                                options=dict(n_matrices=6)))
    assert res.error is None and len(res.checks) == 2
    rows = res.checks[1].comparison.rows
    assert len(rows) == 2 * len(case.params["times"])
    assert all(r.theory > 0 and r.simulation.stderr > 0 for r in rows)


def test_density_forms_case_is_exact():
    res = run_matrix_case(run.get("rajan_abbott_density_forms"))
    assert res.passed
    assert all(r.simulation.mean < 1e-12 for r in res.checks[0].comparison.rows)


def test_extrapolation_check_runs_every_size_and_tests_the_intercept(tmp_path):
    # mechanics only (tiny networks, short runs): the full suite runs lyapunov_g2 this way at
    # N = 1000, 2000, 4000; here N = 150 and 300 with 3 seeds
    from validation.cases import Size
    case = dataclasses.replace(get("lyapunov_g2"), extrapolate=(150,))
    size = Size(n=300, seeds=(1, 2, 3), t_max=40.0, t_transient=10.0, batch=1)
    res = run.run_case(case, False, size=size, extrapolate=True)
    assert res.error is None, res.error
    check = res.checks[-1]
    assert check.label == "extrapolated to N -> inf over N = 150, 300"
    (row,) = check.comparison.rows
    assert row.name == "lambda_max, N -> inf: two sizes cannot check the 1/N law"
    assert not row.ok and row.simulation.n == 6
    assert "(N=150)" in check.comparison.notes[0] and "(N=300)" in check.comparison.notes[0]
    assert run._plot(res, tmp_path / "case.png") == "case.png"     # the table holds its rows
    # no extrapolation unless asked for (the budget measurement runs sizes one by one)
    assert len(run.run_case(case, False, size=size).checks) == 1


def test_trained_poles_case_small_run():
    res = run_matrix_case(run.get("trained_poles"), size=MatrixSize(n=300, seeds=(1, 2, 3)))
    assert res.passed and res.error is None
    rows = res.checks[0].comparison.rows
    assert len(rows) == 6 and all(r.name.startswith("1 + Re s: ") for r in rows)
    # attractors predicted clearly unstable / stable (|Re s| > 0.1: six standard errors of a
    # mean over 3 seeds at n = 300, per-seed spread ~0.5/sqrt(n)) are found as such; the
    # near-marginal relu poles (|s| ~ 0.04) are not asked to keep their sign at this size
    clear = [r for r in rows if abs(r.theory - 1.0) > 0.1]
    assert len(clear) == 4
    assert all((r.theory > 1.0) == (float(r.simulation.mean) > 1.0) for r in clear)


def _same_trained_networks(monkeypatch):
    """Make every FeedbackReservoir with the same arguments one object (both wrong theories
    meet the same networks); returns the true reservoir_theory."""
    network = mf.trained.FeedbackReservoir
    nets = {}

    def same_networks(n, g, phi, **kwargs):
        key = (n, g, phi, tuple(kwargs["targets"]), kwargs["bias"], kwargs["seed"])
        if key not in nets:
            nets[key] = network(n, g, phi, **kwargs)
        return nets[key]

    monkeypatch.setattr(mf.trained, "FeedbackReservoir", same_networks)
    return mf.trained.reservoir_theory


@pytest.mark.slow   # ~6-24 s (N = 1000 eigendecompositions); the quick report also states
#                    per case whether a theory 5% off fails it
def test_trained_poles_case_fails_a_theory_5_percent_off(monkeypatch):
    # the theory's J D outliers 1 + s moved by 5% either way, tanh with two targets at the
    # quick size (n = 1000, 8 seeds): per-seed spread ~0.5/sqrt(n) = 0.016, t_7 stderr = 0.03,
    # against a shift of 0.07 (attractor 0, 1 + s = 1.41) and 0.032 (attractor 1, 0.64)
    theory = _same_trained_networks(monkeypatch)
    case = run.get("trained_poles")
    case = dataclasses.replace(case, params=dict(settings=case.params["settings"][:1]))
    for factor in (0.95, 1.05):
        def wrong(*args, _f=factor, **kwargs):
            th = theory(*args, **kwargs)
            return dataclasses.replace(th, poles=(1.0 + th.poles) * _f - 1.0)

        monkeypatch.setattr(mf.trained, "reservoir_theory", wrong)
        res = run_matrix_case(case, quick=True)
        assert res.error is None and not res.passed, factor


def _stability_case(*labels):
    case = run.get("trained_stability")
    settings = tuple(s for s in case.params["settings"] if s[0] in labels)
    assert len(settings) == len(labels)
    return dataclasses.replace(case, params=dict(settings=settings))


def test_trained_stability_case_small_run():
    case = _stability_case("tanh g=0.8 A=1", "tanh g=1.2 K=2", "relu g=1 b=-0.3",
                           "relu g=1.2 b=0")
    res = run_matrix_case(case, size=MatrixSize(n=300, seeds=(1, 2, 3)))
    assert res.passed and res.error is None
    lead, classes = res.checks[0].comparison.rows, res.checks[1].comparison.rows
    assert len(lead) == len(classes) == 5
    # relu without bias: the zero mode is exact at every n (x_a is a null vector)
    assert lead[-1].quantity == "exact" and lead[-1].ok
    # the four attractors with |m| >= 0.2 are far from the boundary at n = 300 (per-seed
    # spread of the leading eigenvalue 0.01-0.05 on held-out seeds): every seed agrees, and the
    # marginal relu stays (its kick neither decays nor grows)
    assert all(r.simulation.mean == 1.0 for r in classes), [r.name for r in classes]
    assert "predicted marginal, observed marginal 3" in classes[-1].name
    assert any("agreement of predicted and observed stability: 15/15" in t
               for t in res.checks[1].comparison.notes)


def test_trained_stability_case_fails_a_theory_5_percent_off(monkeypatch):
    # the predicted margin 1 + m (a J D eigenvalue: the visible pole or the bulk edge R) moved
    # by 5% either way, at the quick size (n = 300, 8 seeds): tanh g = 0.6, K = 3 and relu
    # b = -0.3 have rows resolving 4.1-4.7% there (t_7 stderr 0.015-0.04 plus the held-out
    # budget), against shifts of 0.04-0.06
    theory = _same_trained_networks(monkeypatch)
    case = _stability_case("tanh g=0.6 K=3", "relu g=1 b=-0.3")
    assert run_matrix_case(case, quick=True).passed
    for factor in (0.95, 1.05):
        def wrong(*args, _f=factor, **kwargs):
            th = theory(*args, **kwargs)
            return dataclasses.replace(th, poles=(1.0 + th.poles) * _f - 1.0,
                                       bulk_radius=th.bulk_radius * _f)

        monkeypatch.setattr(mf.trained, "reservoir_theory", wrong)
        res = run_matrix_case(case, quick=True)
        assert res.error is None and not res.passed, factor
