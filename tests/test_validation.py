"""Tests of the validation suite (validation/): cheap quick cases, the report, a wrong theory."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import meanfield as mf  # noqa: E402
from meanfield.compare import QUANTITIES  # noqa: E402
from validation import CASES, run  # noqa: E402
from validation.cases import get  # noqa: E402

PAPER_MAP_NAMES = {
    "tanh_g1.2", "tanh_g1.5", "tanh_g2", "tanh_g3", "erf_g1.2", "erf_g1.5", "erf_g2", "erf_g3",
    "linear_noise", "noise_driven_chaos", "euler_coarse_dt", "lyapunov_g1.5", "lyapunov_g2",
    "relu_inhibitory", "two_population_ei",
}


def test_case_names_are_the_paper_map_names():
    assert {c.name for c in CASES} == PAPER_MAP_NAMES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cases_state_sizes_seeds_and_budget_source(case):
    for size in (case.quick, case.full):
        assert size.n >= 500 and len(size.seeds) >= 2 and size.t_max > size.t_transient
    assert case.quick.n <= case.full.n
    assert case.budget_source
    assert set(case.budget) <= set(QUANTITIES)
    assert all(lag <= case.max_lag for lag in case.lags)


def test_main_writes_report(tmp_path):
    status = run.main(["--quick", "--cases", "linear_noise", "--out", str(tmp_path),
                       "--no-progress"])
    assert status == 0
    text = (tmp_path / "report.md").read_text()
    assert "| linear_noise | delta0 |" in text and "**FAIL**" not in text
    assert "1/1 cases passed" in text
    assert (tmp_path / "linear_noise.png").stat().st_size > 1000
    assert (tmp_path / "results.json").exists()


def test_coarse_dt_case_discriminates():
    """The Euler-map theory passes at dt=0.5; the continuous-time theory fails the same test."""
    case = get("euler_coarse_dt")
    small = dataclasses.replace(case.quick, n=500, seeds=(1, 2, 3), t_max=400.0)
    res = run.run_case(case, size=small)
    assert res.error is None
    euler, cont = res.checks
    assert euler.outcome(res.budget) and not cont.outcome(res.budget)
    assert res.passed


def test_wrong_theory_fails(tmp_path):
    """A deliberately wrong theory (gain 10% too large) must fail the linear_noise case."""
    case = get("linear_noise")

    def wrong(case, dt):
        p = dict(case.params, g=case.params["g"] * 1.1)
        return mf.dmft.solve(**p, dt=dt)

    res = run.run_case(case, quick=True, theory=wrong)
    assert res.error is None and not res.passed
    path = run.write_report([res], tmp_path, quick=True)
    assert "**FAIL**" in path.read_text()


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
    assert case.budget_source and case.budget
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


def test_matrix_case_can_fail(monkeypatch):
    # matrices sampled with g = 1.5 against the theory of g = 1.3: the case must fail
    from validation.matrices import MatrixCase

    class Wrong(mf.ensembles.Gaussian):
        def sample(self, n, seed=None, dtype=None):
            return mf.ensembles.Gaussian(1.5, J0=self.J0).sample(n, seed=seed)

    monkeypatch.setattr(MatrixCase, "ensemble", lambda self: Wrong(1.3, J0=2.0))
    res = run_matrix_case(run.get("spectrum_gaussian"), size=MatrixSize(n=300, seeds=(1, 2)))
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
