"""Tests of the dimension validation cases (validation/dimension.py).

The estimator's theory (block centring) is checked exactly against brute force and its limits;
the runs of the cases simulate networks and are marked ``statistical`` and ``slow``.
"""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import meanfield as mf  # noqa: E402
from validation import dimension as vd  # noqa: E402
from validation import run  # noqa: E402
from validation.matrices import MatrixSize, run_matrix_case  # noqa: E402


@pytest.mark.parametrize("T,tau", [(7, 0), (7, 2), (12, 5), (5, 4)])
def test_centred_weights_match_brute_force(T, tau):
    # E C_hat(tau) = sum_k u_k C(k) for y = (I - 11^T/T) x: the coefficient of C(s - r) is
    # the sum over t of M[t + tau, s] M[t, r] / (T - tau), exactly
    K = T - 1
    M = np.eye(T) - np.ones((T, T)) / T
    brute = np.zeros(2 * K + 1)
    for t in range(T - tau):
        brute += np.array([sum(M[t + tau, s] * M[t, s - k] for s in range(T) if 0 <= s - k < T)
                           for k in range(-K, K + 1)]) / (T - tau)
    u = vd._centred_weights(T, tau, K)
    assert np.max(np.abs(u - brute)) < 1e-15
    # lags beyond the block carry no weight
    assert np.array_equal(vd._centred_weights(T, tau, K + 3)[3:-3], u)


def test_estimator_theory_tends_to_the_infinite_run_at_dt_1_like_one_over_the_block_squared():
    # the first-order block-centring bias 4 (tau_pop - tau_c)/T cancels for the white activity
    # of the map at dt = 1 (Psi(k, 0) = 0 for k != 0: only the equal-time cross-covariances
    # enter), so the expectation of the cross-block estimate approaches the N -> infinity
    # theory like 1/T^2: doubling the block quarters the deviation
    setting = dict(label="iid tanh g=2", phi="tanh", g=2.0)
    dev = []
    for block in (100, 200, 400):
        th = vd._theory(setting, 1.0, 1.0, block)
        assert math.isfinite(th["phi est"]) and th["phi"] == pytest.approx(
            1.0 - (2.0 * mf.dmft.solve(g=2.0, phi="tanh", dt=1.0).mean_dphi) ** 4, rel=1e-9)
        dev.append(th["phi est"] / th["phi"] - 1.0)
    assert abs(dev[0]) < 2e-3
    assert dev[0] / dev[1] == pytest.approx(4.0, rel=0.05)
    assert dev[1] / dev[2] == pytest.approx(4.0, rel=0.03)


def test_flow_estimator_theory_is_the_first_order_estimate():
    # the flow at g = 3, blocks of 125 time constants: the first-order bias of the block
    # centring is 4 (tau_pop - tau_c)/T of PR/N (see vd._theory); the exact expectation
    # agrees with it to second order (about (tau/T)^2 ~ 0.5% relative here)
    setting = dict(label="iid tanh g=3", phi="tanh", g=3.0)
    p = vd.CASES[1].params
    block = vd._block_frames(p)
    frame_dt = p["dt"] * p["record_every"]
    th = vd._theory(setting, p["dt"], frame_dt, block, p["two_lags"])
    t_pop, t_c = th["timescales"]
    first = 4.0 * (t_pop - t_c) / (block * frame_dt)
    assert th["phi est"] / th["phi"] - 1.0 == pytest.approx(first, abs=0.02)
    assert th["phi est"] > th["phi"] * 1.08
    # the normalised two-lag values of the estimator decay faster than the theory's (centring)
    assert np.all(th["psi(tau) est"] < th["psi(tau)"])
    # ... and the collective fluctuations decay more slowly than single units
    assert np.all(th["psi(tau)"] > th["unit(tau)"]) and t_pop > t_c


def test_cases_are_registered_with_their_laws():
    names = {c.name for c in run.ALL_CASES}
    assert {"dimension_map", "dimension_flow"} <= names
    assert vd.KIND in vd.LAWS and vd.KIND in vd.BUDGET_SIZES
    assert min(vd.HELD_OUT_SEEDS[vd.KIND]) > 1000


@pytest.mark.statistical
@pytest.mark.slow   # ~20 s of simulation
def test_dimension_map_small_run(tmp_path):
    # N = 400, 4 seeds, three settings: the rows are smoke tests at this size (t_3 = 12.9);
    # asserted: finite rows that pass, z-scoring raises the dimension of a network with
    # heterogeneous gains (theory 0.163 against 0.147), and the report
    case = run.get("dimension_map")
    size = MatrixSize(n=400, seeds=(1, 2, 3, 4),
                      options=dict(settings=("iid tanh g=2", "random-mode erf g_eff=2 alpha "
                                             "PR_D=0.2", "gains PR_G=0.61 erf g=2")))
    res = run_matrix_case(case, size=size)
    assert res.error is None and res.passed
    rows = res.checks[0].comparison.rows
    assert len(rows) == 6
    assert all(math.isfinite(r.theory) and r.simulation.n == 4 for r in rows)
    z = {r.name.split(":")[0]: r for r in rows if "gains" in r.name}
    assert z["PR^phi z-scored/N"].theory > z["PR^phi/N"].theory
    path = run.write_report([res], tmp_path, quick=True)
    assert "| dimension_map | PR^phi/N: iid tanh g=2" in path.read_text()


_RUNS: dict = {}


@pytest.mark.statistical
@pytest.mark.slow   # the quick dimension_map run (~1 min), simulated once for both factors (~2 min)
@pytest.mark.parametrize("factor", [0.95, 1.05])
def test_dimension_map_fails_a_theory_5_percent_off(monkeypatch, factor):
    # A theory whose PR/N is 5% off (Psi scaled by 1/factor: PR/N by factor, the normalised
    # two-lag values unchanged) must fail the quick dimension_map case: the rows' minimum
    # detectable error is below 5% there (the report states each row's)
    real, real_sim = mf.dimension.two_lag, vd.simulate_setting

    def wrong(*args, **kwargs):
        return real(*args, **kwargs) / factor

    def simulate_once(setting, n, seed, p):        # the simulations do not see the theory
        key = (setting["label"], n, seed)
        if key not in _RUNS:
            _RUNS[key] = real_sim(setting, n, seed, p)
        return _RUNS[key]

    monkeypatch.setattr(mf.dimension, "two_lag", wrong)
    monkeypatch.setattr(vd, "simulate_setting", simulate_once)
    res = run_matrix_case(run.get("dimension_map"), quick=True)
    assert res.error is None and not res.passed
