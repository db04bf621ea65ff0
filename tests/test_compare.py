"""Tests of meanfield.compare (theory vs simulation) and meanfield.plotting."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import meanfield as mf  # noqa: E402
import meanfield.compare  # noqa: E402
from meanfield.compare import Comparison, compare, expected_connected_autocovariance  # noqa: E402
from meanfield.errors import ParameterError  # noqa: E402
from meanfield.estimate import Estimate  # noqa: E402

G, SIGMA, DT = 0.5, 1.0, 0.1


def _brute_expected(gamma, T, ks):
    """E[hat Delta(k)] from the covariance matrix: centring matrix A, Cov(Ay) = A C A."""
    t = np.arange(T)
    C = gamma[np.abs(t[:, None] - t[None, :])]
    A = np.eye(T) - np.ones((T, T)) / T
    M = A @ C @ A
    return np.array([np.mean(np.diagonal(M, offset=k)) for k in ks])


@pytest.mark.parametrize("T", [2, 7, 64])
@pytest.mark.parametrize("rate", [0.05, 0.5, 3.0])
def test_expected_estimator_matches_matrix_formula(T, rate):
    gamma = 1.3 * np.exp(-rate * np.arange(T)) * np.cos(0.2 * np.arange(T))
    ks = np.arange(T)
    got = expected_connected_autocovariance(gamma, T, ks)
    np.testing.assert_allclose(got, _brute_expected(gamma, T, ks), rtol=1e-12, atol=1e-13)


def test_expected_estimator_broadcasts_and_removes_constants():
    T = 50
    g = np.stack([np.ones(T), np.exp(-0.3 * np.arange(T))])
    out = expected_connected_autocovariance(g, T, [0, 5, 49])
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0], 0.0, atol=1e-14)
    np.testing.assert_allclose(out[1], _brute_expected(g[1], T, [0, 5, 49]), rtol=1e-12)


def test_expected_estimator_long_window_limit():
    """For T >> tau_c the bias is -2 tau_c gamma_0 / T (tau_c in samples, two-sided sum)."""
    T, rate = 20000, 0.1
    gamma = np.exp(-rate * np.arange(T))
    bias = expected_connected_autocovariance(gamma, T, [0])[0] - 1.0
    tau_c = 2 * gamma.sum() - 1.0          # sum over all integer lags
    assert bias == pytest.approx(-tau_c / T, rel=0.01)


def test_expected_estimator_errors():
    with pytest.raises(ParameterError, match="T"):
        expected_connected_autocovariance(np.ones(5), 4, [0])
    with pytest.raises(ParameterError, match="ks"):
        expected_connected_autocovariance(np.ones(5), 5, [5])


# ---------------------------------------------------------------------------
# compare against a real (small) simulation of the linear network with noise
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def linear_runs():
    runs = []
    for s in range(3):
        J = mf.ensembles.Gaussian(g=G).sample(200, seed=s)
        runs.append(mf.simulate(J, "linear", t_max=120.0, dt=DT, noise=SIGMA, batch=4, seed=10 + s,
                                t_transient=20.0, max_lag=4.0, record_every=1, threads=1))
    return runs


@pytest.fixture(scope="module")
def linear_sol():
    return mf.dmft.solve(G, "linear", noise=SIGMA, dt=DT)


def test_compare_linear_network_passes(linear_sol, linear_runs):
    cmp = compare(linear_sol, linear_runs)
    assert isinstance(cmp, Comparison)
    names = [r.name for r in cmp.rows]
    assert names[0] == "delta0" and names[-1] == "mu"
    assert sum(r.quantity == "delta_tau" for r in cmp.rows) == 8
    # finite-size correction of a linear network is O(1/N): 2% budget at N=200
    assert cmp.with_criterion(k=4, budget={"delta0": 0.02, "delta_tau": 0.02}).passed
    assert cmp.max_abs_z < 5
    r0 = cmp["delta0"]
    assert r0.simulation.n == 3                         # pooled over realisations
    assert r0.theory < r0.theory_infinite               # the window correction lowers Delta0


def test_window_correction_matters(linear_sol, linear_runs):
    """Without the exact window correction the short runs are visibly biased low."""
    raw = compare(linear_sol, linear_runs, window_correction=False)
    cor = compare(linear_sol, linear_runs)
    assert raw["delta0"].z < -4 and abs(cor["delta0"].z) < 4
    assert not raw.window_corrected


def test_wrong_theory_fails(linear_runs):
    wrong = mf.dmft.solve(0.6, "linear", noise=SIGMA, dt=DT)     # 0.6 instead of 0.5
    cmp = compare(wrong, linear_runs, k=4, budget=0.02)
    assert cmp.passed is False
    assert cmp.failures() and cmp.failures() == cmp.failures(k=4, budget=0.02)


def test_single_run_and_lags(linear_sol, linear_runs):
    run = linear_runs[0]
    cmp = compare(linear_sol, run, lags=[0.5, 2.0])
    assert [r.name for r in cmp.rows] == ["delta0", "delta(tau=0.5)", "delta(tau=2)", "mu"]
    assert cmp["delta(tau=2)"].lag == 2.0
    assert cmp["delta0"].simulation.n == run.delta0.n
    assert len([r for r in compare(linear_sol, run, lags="all").rows
                if r.quantity == "delta_tau"]) == len(run.tau) - 1
    with pytest.raises(ParameterError, match="lag grid"):
        compare(linear_sol, run, lags=[0.55])
    with pytest.raises(ParameterError, match="lags"):
        compare(linear_sol, run, lags="some")


def test_population_path_reproduces_simulator_estimator(linear_sol, linear_runs):
    """With all units as one population and record_every = stat_every = 1, the statistics
    computed from the recorded frames equal the simulator's running statistics."""
    run = linear_runs[0]
    a = compare(linear_sol, run, lags="all")
    b = compare(linear_sol, run, lags="all", populations=[np.arange(run.n)])
    for ra, rb in zip(a.rows, b.rows):
        assert ra.name == rb.name
        assert rb.simulation.mean == pytest.approx(ra.simulation.mean, rel=1e-9, abs=1e-12)
        assert rb.theory == pytest.approx(ra.theory, rel=1e-12)


def test_two_population_comparison():
    """Block network with two populations (noise-driven linear network, per-population rows)."""
    Gm = np.array([[0.4, 0.6], [0.3, 0.5]])
    fr = np.array([0.75, 0.25])
    sol = mf.dmft.solve(Gm, "linear", noise=[1.0, 0.5], fractions=fr, dt=DT)
    n = 200
    na = 150
    runs = []
    for s in range(3):
        rng = np.random.default_rng(s)
        J = rng.standard_normal((n, n)) / np.sqrt(n)
        J[:na, :na] *= Gm[0, 0]
        J[:na, na:] *= Gm[0, 1]
        J[na:, :na] *= Gm[1, 0]
        J[na:, na:] *= Gm[1, 1]
        # per-unit noise amplitude is not supported by the simulator: use noise 1 for both
        runs.append(mf.simulate(J, "linear", t_max=100.0, dt=DT, noise=1.0, batch=2, seed=s,
                                t_transient=20.0, max_lag=3.0, record_every=2, threads=1))
    pops = [np.arange(na), np.arange(na, n)]
    sol = mf.dmft.solve(Gm, "linear", noise=1.0, fractions=fr, dt=DT)
    cmp = compare(sol, runs, populations=pops)
    assert {r.population for r in cmp.rows} == {0, 1}
    assert cmp["delta0[0]"].theory != cmp["delta0[1]"].theory
    assert cmp.with_criterion(k=4, budget={"delta0": 0.03, "delta_tau": 0.03}).passed
    wrong = mf.dmft.solve(Gm * 1.3, "linear", noise=1.0, fractions=fr, dt=DT)
    assert not compare(wrong, runs, populations=pops, k=4, budget=0.03).passed
    with pytest.raises(ParameterError, match="populations"):
        compare(sol, runs)
    with pytest.raises(ParameterError, match="populations"):
        compare(sol, runs, populations=[np.arange(na)])


def test_lyapunov_comparison():
    sol = mf.dmft.solve(0.5, "tanh", dt=DT)              # trivial fixed point
    lam = mf.dmft.lyapunov(sol)
    runs = [mf.simulate.lyapunov(mf.ensembles.Gaussian(g=0.5).sample(300, seed=s), "tanh",
                                 t_max=40.0, dt=DT, seed=s, threads=1) for s in range(2)]
    cmp = compare(sol, runs)
    assert [r.name for r in cmp.rows] == ["lambda_max"]
    assert cmp.rows[0].theory == pytest.approx(lam)
    # finite-N spectral radius fluctuates by O(N^{-1/2}) around g
    assert abs(cmp.rows[0].deviation) < 0.1
    assert isinstance(cmp.plot(), Figure)


def test_notes_flag_step_size_mismatch(linear_runs):
    cont = mf.dmft.solve(G, "linear", noise=SIGMA)
    assert any("continuous-time" in n for n in compare(cont, linear_runs).notes)
    other = mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.2)
    assert any("Euler map at dt=0.2" in n for n in compare(other, linear_runs).notes)


@pytest.fixture(scope="module")
def coarse_run():
    J = mf.ensembles.Gaussian(g=G).sample(60, seed=0)
    return mf.simulate(J, "linear", t_max=60.0, dt=0.5, noise=SIGMA, batch=2, seed=1,
                       t_transient=10.0, max_lag=3.0, threads=1)


def test_continuous_theory_against_coarse_euler_step_warns(coarse_run):
    """Regression (issue 7): continuous-time theory against a dt=0.5 simulation was silent."""
    cont = mf.dmft.solve(G, "linear", noise=SIGMA)
    with pytest.warns(meanfield.compare.StepSizeWarning,
                      match=r"sol.dt=None.*dt=0.5.*about 25%.*solve\(\.\.\., dt=run.dt\)"):
        cmp = compare(cont, coarse_run)
    # the warning is earned: the Euler map's Delta0 is ~1/(1 - dt/2) = 4/3 times the flow's
    matched = compare(mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.5), coarse_run)
    assert matched["delta0"].theory > 1.25 * cmp["delta0"].theory
    with pytest.warns(meanfield.compare.StepSizeWarning, match="sol.dt=0.1"):
        compare(mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.1), coarse_run)


def test_matched_or_small_step_differences_do_not_warn(linear_runs, coarse_run):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.5), coarse_run)
        compare(mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.2), linear_runs)   # 5%: at dt_rtol
        compare(mf.dmft.solve(G, "linear", noise=SIGMA), linear_runs, dt_rtol=0.06)
    with pytest.warns(meanfield.compare.StepSizeWarning):
        compare(mf.dmft.solve(G, "linear", noise=SIGMA), linear_runs, dt_rtol=0.01)
    with pytest.raises(ParameterError, match="dt_rtol"):
        compare(mf.dmft.solve(G, "linear", noise=SIGMA, dt=0.5), coarse_run, dt_rtol=-1.0)


def test_table_budget_and_repr(linear_sol, linear_runs):
    cmp = compare(linear_sol, linear_runs, lags=[1.0])
    t = cmp.table()
    assert t.count("\n") == 1 + len(cmp.rows)
    assert t.startswith("| quantity |")
    t2 = cmp.table(k=4, budget=0.02)
    assert "pass" in t2 and "tolerance" in t2
    assert "max |z|" in repr(cmp)
    with pytest.raises(ParameterError, match="budget"):
        cmp.with_criterion(budget={"delta": 0.1})
    with pytest.raises(ParameterError, match="budget"):
        compare(linear_sol, linear_runs, budget=-0.1)
    with pytest.raises(ParameterError, match="`k`"):
        compare(linear_sol, linear_runs, k=float("nan"))
    assert cmp.with_criterion(k=1e6).passed
    with pytest.raises(KeyError):
        cmp["nothing"]


def test_row_tolerance_arithmetic():
    row = meanfield.compare.Row("delta0", "delta0", 1.0, 1.1, Estimate(1.05, 0.01, 4), 1.0,
                                budget=0.02)
    assert row.z == pytest.approx(5.0)
    assert row.tolerance == pytest.approx(0.06)
    assert row.passed is True
    assert Comparison(rows=(row,), sol=None, budget=0.0).rows[0].passed is False
    assert row.relative_deviation == pytest.approx(0.05)


def test_passed_is_a_bool_property_like_every_result():
    """Regression (issue 7): ``Comparison.passed`` was a method while SpectrumComparison's
    and the validation results' ``passed`` are bools."""
    rows = (meanfield.compare.Row("mu", "mu", 0.0, 0.0, Estimate(0.05, 0.01, 4), 0.0),
            meanfield.compare.Row("delta0", "delta0", 1.0, 1.0, Estimate(1.0, 0.01, 4), 1.0))
    cmp = Comparison(rows=rows, sol=None)
    assert cmp.passed is False and cmp.k == 4.0 and cmp.budget == 0.0
    assert [r.passed for r in cmp.rows] == [False, True] == cmp.row_passed()
    loose = cmp.with_criterion(k=6)
    assert loose.passed is True and cmp.passed is False        # a copy; cmp unchanged
    assert cmp.row_passed(6, 0.0) == [True, True]              # validation's call form
    by_quantity = Comparison(rows=rows, sol=None, k=0, budget={"mu": 0.0, "delta0": 0.1})
    assert [r.budget for r in by_quantity.rows] == [0.0, 0.1]
    assert "| pass |" in cmp.table(k=6) and "FAIL" in cmp.table(budget=0.0)


def test_bad_inputs(linear_sol, linear_runs):
    with pytest.raises(ParameterError, match="sol"):
        compare("theory", linear_runs)
    with pytest.raises(ParameterError, match="run"):
        compare(linear_sol, [])
    with pytest.raises(ParameterError, match="run"):
        compare(linear_sol, [linear_runs[0], "x"])


def test_plot_returns_figure_without_pyplot(linear_sol, linear_runs):
    cmp = compare(linear_sol, linear_runs)
    fig = cmp.plot()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) >= 2                    # theory curves
    assert ax.get_xlabel().startswith("lag")
    fig2 = Figure()
    ax2 = fig2.add_subplot()
    assert cmp.plot(ax=ax2) is fig2


@pytest.mark.parametrize("name", ["meanfield", "meanfield.plotting._comparison",
                                  "meanfield.plotting._spectra", "meanfield.plotting._transient"])
def test_doctests_of_plotting_and_package(name):
    """The Examples of modules tests/test_doctests.py does not list."""
    import doctest
    import importlib

    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_compare_refuses_a_failed_run_naming_it():
    # regression: a diverged run (statistics None) was read as if it had statistics
    sol = mf.dmft.solve(g=0.5, phi="linear", noise=1.0)
    J = np.diag(np.full(4, 3.0))
    bad = mf.simulate(J, "linear", 100.0, 0.5, x0=np.ones(4), max_lag=0.0, max_state=1e10,
                      check=False, seed=0)
    assert not bad.success and bad.delta0 is None
    with pytest.raises(ParameterError, match=r"`run` failed .*diverged"):
        compare(sol, bad)
    good = mf.simulate(np.zeros((4, 4)), "linear", 40.0, 0.1, noise=1.0, seed=1)
    with pytest.raises(ParameterError, match=r"`run\[1\]` failed"):
        compare(sol, [good, bad])


def test_block_lengths_are_the_simulators_split():
    # compare reads the split from the run instead of re-deriving it
    from meanfield.simulate import block_bounds
    run = mf.simulate(np.zeros((4, 4)), "linear", 30.0, 0.1, noise=1.0, blocks=3, seed=2,
                      t_transient=1.0)
    lengths = run.block_lengths
    assert lengths.size == run.n_samples // run.batch == 3
    n_samp = (run.n_steps - round(run.t_transient / run.dt)) // run.stat_every + 1
    assert lengths.sum() == n_samp
    np.testing.assert_array_equal(lengths, np.diff(block_bounds(n_samp, 3)))
