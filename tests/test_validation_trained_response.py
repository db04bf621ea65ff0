"""Tests of the ``trained_response`` validation case (validation/trained_response.py).

The fits on synthetic signals are exact checks; the runs of the case draw trained networks and
are marked ``statistical`` (rerun under ``MEANFIELD_TEST_SEED_SHIFT``).
"""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import meanfield as mf  # noqa: E402
from validation import run  # noqa: E402
from validation import trained_response as tr  # noqa: E402
from validation.matrices import MatrixSize, run_matrix_case  # noqa: E402


def test_free_fit_and_predicted_ode_on_a_synthetic_output():
    # a damped oscillation plus a real mode, sampled as the case samples (dt = 0.25): the free
    # fit recovers both poles to round-off, the fit with the right poles leaves no residual
    t = np.arange(0.0, 25.0, 0.25)
    poles = [complex(-0.26, 0.43), complex(-0.5, 0.0)]
    y = 1.3 * np.exp(-0.26 * t) * np.cos(0.43 * t + 0.7) - 0.4 * np.exp(-0.5 * t)
    fitted, res = tr._free_fit(t, y, [complex(-0.3, 0.4), complex(-0.45, 0.0)])
    assert res < 1e-10
    assert np.allclose(fitted, poles, atol=1e-9)
    assert tr._ode_residual(t, y, poles) < 1e-12
    assert tr._ode_residual(t, y, [complex(-0.26 * 1.05, 0.43), poles[1]]) > 1e-3


def test_sine_fit_recovers_a_complex_transfer():
    # y = sum_j |T_j| sin(omega_j t + phi_j + arg T_j) + const on the case's window
    om, ph = np.array([0.1, 0.4, 1.0]), np.array([0.0, 2.0, 4.0])
    T = np.array([2.0 - 1.0j, -0.5 + 3.0j, 0.3 + 0.1j])
    t = 45.0 + np.arange(0.0, 64.0, 0.25)
    y = sum(abs(T[j]) * np.sin(om[j] * t + ph[j] + np.angle(T[j])) for j in range(3)) + 0.2
    assert np.allclose(tr._sine_fit(t, y, om, ph), T, rtol=1e-10, atol=1e-12)


@pytest.mark.statistical
def test_network_pole_is_a_closed_loop_eigenvalue():
    # the root of 1 - H_N(s) next to a rough guess is the Jacobian's eigenvalue there
    # (matrix determinant lemma; round-off only)
    net = mf.trained.FeedbackReservoir(200, 0.5, "tanh", targets=(0.3, 1.0, 2.0), bias=0.3,
                                       seed=4)
    ev = net.eigenvalues(2)
    guess = complex(-0.26, 0.0)
    s = tr._network_pole(net, 2, guess)
    nearest = ev[np.argmin(np.abs(ev - s))]
    assert abs(s - nearest) < 1e-9 and abs(s - guess) < 0.2


def test_a_failed_fit_fails_its_row_instead_of_raising(monkeypatch):
    # a per-seed error that is NaN (a fit or root search that failed) gives a failing row that
    # says so; the case reports, it does not raise
    pole = complex(-0.2, 0.0)
    fake = dict(poles=[("x", pole, [pole, complex(-0.21, 0.0)])], gains=[],
                exact=[("free fit of the kicked output, relative residual: x", 1e-3,
                        [1e-6, math.nan])],
                ode=[("x", (0.0, 1.0), [0.1, 0.2])], trace=[], curves=[])
    monkeypatch.setattr(tr, "_measure", lambda case, n, seeds: fake)
    res = run_matrix_case(run.get("trained_response"), size=MatrixSize(n=500, seeds=(1, 2)))
    assert res.error is None and not res.passed
    row = _check_rows(res, "kicked output").rows[-1]
    assert not row.ok and str(row.simulation) == "fit or root search failed in 1 of 2 seeds"


def _check_rows(res, label):
    (check,) = [c for c in res.checks if c.label.startswith(label)]
    return check.comparison


@pytest.mark.statistical
def test_trained_response_case_small_run(tmp_path):
    # N = 500 (the quick size), 3 seeds: t_2(1 - 5e-4) = 31.6 makes the graded rows smoke
    # tests here; what is asserted is that every row is finite and passes, that the numerical
    # per-seed checks hold (they do not depend on the number of seeds: integration error,
    # remaining bulk modes and nonlinear terms, measured < 1e-4), and the selectivity
    res = run_matrix_case(run.get("trained_response"), size=MatrixSize(n=500, seeds=(1, 2, 3)))
    assert res.error is None and res.passed
    kick, sine = _check_rows(res, "kicked output"), _check_rows(res, "frequency response")
    graded = [r for r in kick.rows + sine.rows if r.quantity != "exact"]
    exact = [r for r in kick.rows + sine.rows if r.quantity == "exact"]
    # poles: tanh attractor 0 (1 + Re s, Im s), attractor 2, relu; gains: 2 attractors x 3 omega
    assert [r.quantity for r in graded] == ["pole"] * 4 + ["gain"] * 6
    assert all(math.isfinite(r.theory) and math.isfinite(r.simulation.mean)
               and r.simulation.stderr > 0 and r.simulation.n == 3 for r in graded)
    assert len(exact) == 8 and all(r.ok and r.simulation.mean < 1e-4 for r in exact)
    # the state dependence: attractor 0 (visible pair -0.26 ± 0.43i) passes omega = 0.4 better
    # than 0.1, attractor 2 (one real pole) the reverse.  Error model: per network the ratio
    # |T(0.4)|/|T(0.1)| scatters by ~0.17 (attractor 0) and ~0.015 (attractor 2) at N = 500
    # (16 seeds), so the mean of 3 (theory 1.43 and 0.585) is > 4 standard deviations from 1.
    gains = {r.name: float(r.simulation.mean) for r in sine.rows if r.quantity == "gain"}
    a0 = [v for k, v in gains.items() if k.endswith("attractor 0")]
    a2 = [v for k, v in gains.items() if k.endswith("attractor 2")]
    assert a0[1] > a0[0] and a2[1] < a2[0]
    assert any("selectivity" in note for note in sine.notes)
    assert any("predicted ODE" in note for note in kick.notes)
    path = run.write_report([res], tmp_path, quick=True)
    assert "| trained_response | fitted pole 1 + Re s: tanh" in path.read_text()
    assert (tmp_path / "trained_response.png").stat().st_size > 1000


class _Off:
    """A reservoir theory whose poles (1 + s) and closed-loop T are off by given factors."""

    def __init__(self, th, pole_factor, t_factor):
        self._th, self._pf, self._tf = th, pole_factor, t_factor
        self.poles = (1.0 + th.poles) * pole_factor - 1.0

    def __getattr__(self, name):
        return getattr(self._th, name)

    def closed_loop_transfer(self, s, attractor=0):
        return self._tf * self._th.closed_loop_transfer(s, attractor)


@pytest.mark.statistical
@pytest.mark.slow   # ~9 s of simulations; the quick report states the 5% detection too
def test_trained_response_case_fails_a_theory_5_percent_off(monkeypatch):
    # At the quick size (N = 500, 16 seeds, the measured budgets).  Poles 5% off in 1 + s move
    # attractor 2's 1 + Re s by 0.037 (theory 0.739) against a tolerance of ~0.017 (per-network
    # spread 0.011, t_15 = 4.1, budget c|1 + s|/N): the kicked-output check fails, and the
    # case.  The gains alone resolve 3.9% at best at this size (attractor 2, omega = 1: spread
    # 3.8% per network), so a 5% error in T alone is only marginally caught here (the full run
    # resolves 1.8%); T 10% off moves that row by 0.072 against ~0.028 and must fail the
    # frequency-response check.  The simulations do not depend on the theory (fixed windows
    # and frequencies), so they are run once.
    runs = {}
    real_run = tr._run_seed

    def run_once(setting, n, seed, p):
        key = (setting["label"], n, seed)
        if key not in runs:
            runs[key] = real_run(setting, n, seed, p)
        return runs[key]

    monkeypatch.setattr(tr, "_run_seed", run_once)
    theory = mf.trained.reservoir_theory
    case = run.get("trained_response")
    for pole_factor, t_factor, label in ((0.95, 0.95, "kicked output"),
                                         (1.05, 1.05, "kicked output"),
                                         (1.0, 0.9, "frequency response"),
                                         (1.0, 1.1, "frequency response")):
        def wrong(*args, _pf=pole_factor, _tf=t_factor, **kwargs):
            return _Off(theory(*args, **kwargs), _pf, _tf)

        monkeypatch.setattr(mf.trained, "reservoir_theory", wrong)
        res = run_matrix_case(case, quick=True)
        assert res.error is None and not res.passed, (pole_factor, t_factor)
        rows = _check_rows(res, label).rows
        assert any(not r.ok for r in rows if r.quantity != "exact"), (pole_factor, t_factor)
        # the numerical per-seed checks do not involve the theory
        assert all(r.ok for c in res.checks for r in c.comparison.rows if r.quantity == "exact")
