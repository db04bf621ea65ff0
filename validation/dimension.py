r"""Dimension of activity: the participation ratio of the theory against simulated networks.

Cases ``dimension_map`` and ``dimension_flow`` (issue 9; Clark, Abbott & Litwin-Kumar, PRL 131,
118401 (2023) for iid couplings; Clark, Marschall, van Meegen & Litwin-Kumar, PRX 15, 041019
(2025) for random-mode couplings and single-unit gains).

Per setting and seed, a network (its own couplings, initial states) runs ``batch``
trajectories of the Euler map :math:`x \to (1-dt)x + dt\,J\Phi(x)` (``meanfield.simulate``);
the recorded activity (frames of the trajectories one after the other, ``blocks_per_run``
contiguous blocks per trajectory, so that no block straddles two trajectories) goes to
:func:`meanfield.dimension.from_activity`, the cross-block estimator (unbiased for independent
blocks).  The per-seed :math:`\mathrm{PR}/N` estimates are averaged over seeds; the standard
error over seeds includes the quenched disorder.  Theory: :func:`meanfield.dimension
.participation_ratio` of the *exact* theory of the simulated map, ``solve(..., dt=dt)``, so
that there is no step-size bias.

* ``dimension_map``: :math:`dt = 1`, white activity, where :math:`\mathrm{PR}^\phi/N = 1 - r`
  and :math:`\mathrm{PR}^x/N = (1-r)/(2-r)`, :math:`r = (g\langle\phi'\rangle)^4`, hold exactly;
  iid tanh and erf, random-mode networks at :math:`\alpha\,\mathrm{PR}_D \in \{0.05, 0.2,
  1\}` (flat spectra: :math:`\mathrm{PR}_D = 1`, :math:`\alpha` modes per unit, scaled to
  :math:`g_{\rm eff}`), and two-valued single-unit gains :math:`G_i` with and without
  z-scoring.
* ``dimension_flow``: :math:`dt = 0.1` (the flow to within the map's exact theory), iid tanh and
  erf at :math:`g \in \{1.5, 2, 3\}`; also the collective timescale: the normalised two-lag
  function :math:`\Psi^\phi(\tau, 0)/\Psi^\phi(0, 0) = \mathrm{tr}\,C(\tau)C(0)/\mathrm{tr}\,
  C(0)^2` (:func:`meanfield.dimension.two_lag`) against its cross-block estimate, beside the
  single-unit :math:`C^\phi(\tau)/C^\phi(0)`.

Error model of every graded row: :math:`|\bar y - y| < t_{S-1}(1-\alpha/2)\,\mathrm{se} + b(N)`
(:func:`validation.matrices.graded_row`, :math:`S` seeds), :math:`b(N) = c\,|y|/N^p`
with :math:`c` measured on held-out seeds (``validation/budgets.json``) and :math:`p` the law
of the case (:data:`LAWS`).  The finite-size drift of :math:`\mathrm{PR}/N` is large where
:math:`\mathrm{PR}/N` is small (near onset, and in the flow): rows whose minimum detectable
error exceeds 10% are smoke tests, and the report says so.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import meanfield as mf
from meanfield.estimate import Estimate

from .matrices import FixedComparison, MatrixCase, MatrixSize, graded_row

__all__ = ["CASES", "RUNNERS", "POINTS", "BUDGET_SIZES", "HELD_OUT_SEEDS", "LAWS",
           "simulate_setting", "two_lag_estimate"]

KIND = "dimension"

#: Two-valued squared gains: half the units G^2 = 0.2, half 1.8 (<G^2> = 1 exactly for even N),
#: so that PR_G = <G^2>^2/<G^4> = 1/1.64 at every even N.
_GAIN_SQ = (0.2, 1.8)
GAIN_RATIO = 1.0 / (0.5 * (_GAIN_SQ[0] ** 2 + _GAIN_SQ[1] ** 2))

_MAP_SETTINGS = (
    dict(label="iid tanh g=2", phi="tanh", g=2.0),
    dict(label="iid erf g=2", phi="erf", g=2.0),
    dict(label="iid tanh g=3", phi="tanh", g=3.0),
    dict(label="random-mode erf g_eff=2 alpha PR_D=1", phi="erf", g=2.0, modes=1.0),
    dict(label="random-mode erf g_eff=2 alpha PR_D=0.2", phi="erf", g=2.0, modes=0.2),
    dict(label="random-mode erf g_eff=2 alpha PR_D=0.05", phi="erf", g=2.0, modes=0.05),
    dict(label="gains PR_G=0.61 erf g=2", phi="erf", g=2.0, gains=True),
)
_FLOW_SETTINGS = tuple(dict(label=f"iid {phi} g={g:g}", phi=phi, g=g)
                       for phi in ("tanh", "erf") for g in (1.5, 2.0, 3.0))

#: lags (time units) of the two-lag rows of the flow case
_TWO_LAGS = (1.0, 2.0, 4.0, 8.0)

CASES = (
    MatrixCase(
        name="dimension_map", kind=KIND,
        description=(
            "participation ratio PR/N of x and phi(x) (Clark, Abbott & Litwin-Kumar 2023; Clark "
            "et al. 2025), theory of the Euler map at dt = 1 (white activity, the closed form "
            "1 - (g<phi'>)^4) against simulation with the cross-block estimator: iid tanh and "
            "erf, random-mode couplings at alpha PR_D = 1, 0.2, 0.05, single-unit gains with "
            "and without z-scoring"),
        params=dict(settings=_MAP_SETTINGS, dt=1.0, t_run=2000.0, t_transient=100.0, batch=4,
                    blocks_per_run=8, record_every=1),
        # quick: three of the seven settings (one per kind: iid, random modes, gains with
        # z-scoring) to keep the main job under 5 minutes; the full run has all seven
        quick=MatrixSize(n=1000, seeds=tuple(range(1, 7)), batch=4, t_max=2000.0,
                         t_transient=100.0,
                         options=dict(settings=("iid tanh g=2",
                                                "random-mode erf g_eff=2 alpha PR_D=0.2",
                                                "gains PR_G=0.61 erf g=2"))),
        full=MatrixSize(n=2000, seeds=tuple(range(1, 9)), batch=4, t_max=2000.0,
                        t_transient=100.0)),
    MatrixCase(
        name="dimension_flow", kind=KIND,
        description=(
            "participation ratio PR/N of x and phi(x) of the flow (Euler dt = 0.1 against the "
            "exact theory of that map) for iid tanh and erf networks at g = 1.5, 2, 3 against "
            "simulation with the cross-block estimator; the collective timescale: the "
            "normalised two-lag function Psi(tau, 0)/Psi(0, 0) against its cross-block "
            "estimate"),
        params=dict(settings=_FLOW_SETTINGS, dt=0.1, t_run=1000.0, t_transient=100.0, batch=4,
                    blocks_per_run=8, record_every=5, two_lags=_TWO_LAGS),
        quick=MatrixSize(n=1000, seeds=tuple(range(1, 7)), batch=4, t_max=1000.0,
                         t_transient=100.0, options=dict(settings=("iid tanh g=3",))),
        full=MatrixSize(n=2000, seeds=tuple(range(1, 9)), batch=4, t_max=1000.0,
                        t_transient=100.0)),
)


# ---------------------------------------------------------------------------
# networks and simulations (theory-independent)
# ---------------------------------------------------------------------------

def _gains(n: int, rng) -> np.ndarray:
    """Single-unit gains: a random half of the units G^2 = 0.2, the other half 1.8."""
    g2 = np.where(rng.permutation(n) < n // 2, _GAIN_SQ[0], _GAIN_SQ[1])
    return np.sqrt(g2)


def _network(setting: dict, n: int, seed: int):
    """Couplings (with the gains folded in, J diag(G)) and gains (None) of one network."""
    rng = np.random.default_rng(seed)
    g = setting["g"]
    if "modes" in setting:
        alpha = setting["modes"]
        J = mf.ensembles.RandomMode(alpha, scale=g / math.sqrt(alpha)).sample(n, seed=rng)
    else:
        J = mf.ensembles.Gaussian(g=g).sample(n, seed=rng)
    G = _gains(n, rng) if setting.get("gains") else None
    if G is not None:
        J = J * G[None, :]
    return J, G, rng


def _centred_blocks(P: np.ndarray, bounds) -> list:
    """The blocks ``P[lo:hi]`` of ``bounds``, each centred on its own mean."""
    return [P[lo:hi] - P[lo:hi].mean(axis=0) for lo, hi in zip(bounds[:-1], bounds[1:])]


def two_lag_estimate(blocks: list, lags) -> np.ndarray:
    r"""Cross-block estimate of :math:`\Psi(\tau, 0)/\Psi(0, 0)` at integer frame lags.

    ``blocks``: the centred blocks (:func:`_centred_blocks`).  With :math:`C_a(\tau)` the
    lag-:math:`\tau` covariance of block :math:`a`, :math:`\sum_{a\ne b}\mathrm{tr}\,C_a(\tau)
    C_b(0)` is unbiased for :math:`B(B-1)\,\mathrm{tr}\,C(\tau)C(0)` when blocks are independent
    (the product of two blocks' sampling errors averages out); the ratio of that sum at
    :math:`\tau` and at 0.
    """
    C0 = [Y.T @ Y / Y.shape[0] for Y in blocks]
    S0 = sum(C0)

    def cross(Cs):
        S = sum(Cs)
        return float(np.sum(S * S0) - sum(np.sum(a * b) for a, b in zip(Cs, C0)))

    denom = cross(C0)
    return np.asarray([cross([Y[:-k].T @ Y[k:] / (Y.shape[0] - k) for Y in blocks]) / denom
                       for k in (int(k) for k in lags)])


def _unit_lag_estimate(blocks: list, lags) -> np.ndarray:
    """Mean single-unit autocorrelation C(tau)/C(0) at integer frame lags (centred blocks)."""
    den = sum(float(np.mean(Y * Y)) for Y in blocks)
    return np.array([sum(float(np.mean(Y[:-k] * Y[k:])) for Y in blocks) for k in lags]) / den


def simulate_setting(setting: dict, n: int, seed: int, p: dict) -> dict:
    r"""Simulate one network of a setting; per-seed PR/N estimates (and two-lag values).

    Returns a dict ``quantity -> value`` with ``"x"``, ``"phi"`` (PR/N of the preactivations and
    of :math:`\Phi = G\phi(x)`), ``"phi z-scored"`` for gain settings, and, if ``p`` has
    ``two_lags``, ``"psi(tau)"`` and ``"unit(tau)"`` arrays at those lags.
    """
    J, G, rng = _network(setting, n, seed)
    dt, B = p["dt"], p["batch"]
    run = mf.simulate.simulate(J, setting["phi"], p["t_run"] + p["t_transient"], dt,
                               t_transient=p["t_transient"], batch=B,
                               record_every=p["record_every"], max_lag=0.0, seed=rng)
    X = np.concatenate([run.x[:, :, b] for b in range(B)], axis=0)
    del run
    frames = X.shape[0] // B
    blocks = B * p["blocks_per_run"]
    P = mf.transfer.get(setting["phi"])(X)
    if G is not None:
        P *= G[None, :]
    out = {"x": mf.dimension.from_activity(X, blocks=blocks).pr_per_n,
           "phi": mf.dimension.from_activity(P, blocks=blocks).pr_per_n}
    if G is not None:
        out["phi z-scored"] = mf.dimension.from_activity(P, blocks=blocks, zscore=True).pr_per_n
    if p.get("two_lags"):
        # blocks inside each trajectory only (equal sizes, none straddling two runs)
        per = p["blocks_per_run"]
        edges = np.linspace(0, frames, per + 1).astype(int)
        bounds = np.unique(np.concatenate([b * frames + edges for b in range(B)]))
        step = dt * p["record_every"]
        lags = [int(round(t / step)) for t in p["two_lags"]]
        centred = _centred_blocks(P, bounds)
        out["psi(tau)"] = two_lag_estimate(centred, lags)
        out["unit(tau)"] = _unit_lag_estimate(centred, lags)
    return out


# ---------------------------------------------------------------------------
# theory
# ---------------------------------------------------------------------------

def _centred_weights(T: int, tau: int, K: int) -> np.ndarray:
    r"""Weights :math:`u_k`, :math:`|k| \le K`, of :math:`E\,\hat C(\tau) = \sum_k u_k C(k)`.

    :math:`\hat C(\tau) = \frac1{T-\tau}\sum_{t=0}^{T-\tau-1} y_{t+\tau}y_t^\top` of one block of
    :math:`T` frames, :math:`y_t = x_t - \bar x` centred on the block mean; :math:`C(k) =
    E\,x_{t+k}x_t^\top`.  At :math:`\tau = 0`, :math:`u_k = \delta_{k0} - (T-|k|)/T^2`.
    """
    k = np.arange(-K, K + 1)[:, None]
    t = np.arange(T - tau)[None, :]
    # E x_{t+tau} xbar^T = (1/T) sum_{r<T} C(t+tau-r): lags k in [t+tau-T+1, t+tau];
    # E xbar x_t^T = (1/T) sum_{r<T} C(r-t): lags k in [-t, T-1-t]
    a = (np.sum((k >= t + tau - T + 1) & (k <= t + tau), axis=1)
         + np.sum((k >= -t) & (k <= T - 1 - t), axis=1)).astype(float)
    k = k[:, 0]
    a /= T * (T - tau)
    w = np.where(np.abs(k) < T, (T - np.abs(k)) / T**2, 0.0)
    return (k == tau).astype(float) - a + w


@functools.lru_cache(maxsize=32)
def _solve(g: float, phi: str, dt: float):
    return mf.dmft.solve(g=g, phi=phi, dt=dt)


def _theory(setting: dict, dt: float, frame_dt: float, block: int, two_lags=()) -> dict:
    r"""Theory values of a setting: ``"<q>"`` the :math:`N\to\infty` value and ``"<q> est"`` the
    expectation of the estimator at blocks of ``block`` frames (``frame_dt`` apart).

    The estimator centres each block on its own mean, which biases every block covariance by
    :math:`-\sum_k (T-|k|)/T^2\,C(k)`; its cross-block products then have the expectation
    :math:`\frac1N E\,\mathrm{tr}\,\hat C_a(\tau)\hat C_b(0) = \sum_{kl} u_k(\tau)u_l(0)
    \Psi(k, l)` (independent blocks; :math:`\Psi` of :func:`meanfield.dimension.two_lag` at
    signed lags), and the traces :math:`\sum_k u_k(0) C(k)`.  To first order this raises
    :math:`\mathrm{PR}/N` by :math:`4(\tau_{\rm pop} - \tau_c)/T` (population timescale and
    single-unit correlation time): 12% at g = 3 for blocks of 125 time constants.
    """
    sol = _solve(setting["g"], setting["phi"], dt)
    if float(sol.mu) != 0.0:
        raise ValueError("the estimator's theory assumes zero-mean activity (odd phi, J0 = 0)")
    kw = {}
    if "modes" in setting:
        kw["effective_rank"] = setting["modes"]       # flat spectrum: PR_D = 1
    if setting.get("gains"):
        kw["gain_ratio"] = GAIN_RATIO
        quantities = (("phi", "phi", False), ("phi z-scored", "phi", True))
    else:
        quantities = (("x", "x", False), ("phi", "phi", False))
    step = int(round(frame_dt / dt))
    out = {}
    for q, of, z in quantities:
        res = mf.dimension.participation_ratio_result(sol, of, zscore=z, **kw)
        out[q] = float(res.pr)
        span = 12.0 * max(res.population_timescale, res.correlation_time)
        K = int(min(block - 1, math.ceil(span / frame_dt)))
        lags = frame_dt * np.arange(-K, K + 1)
        psi = mf.dimension.two_lag(sol, lags[:, None], lags[None, :], of=of, zscore=z, **kw)
        lag = (np.asarray(sol.delta_tau) - float(sol.delta_inf) if of == "x"
               else np.asarray(sol.c_phi_tau))[::step]
        c = np.zeros(K + 1)
        c[:min(K + 1, lag.size)] = lag[:K + 1]
        # C(k) = C(-k), k = -K..K (z-scored too: two_lag keeps the units of C(0)^2 then)
        c = np.concatenate([c[:0:-1], c])
        u0 = _centred_weights(block, 0, K)
        den = float(u0 @ psi @ u0)
        out[q + " est"] = float(u0 @ c) ** 2 / den
        if of == "phi" and not z and two_lags:
            taus = np.asarray(two_lags, dtype=float)
            psi0 = float(mf.dimension.two_lag(sol, 0.0, 0.0, of="phi", **kw))
            out["psi(tau)"] = mf.dimension.two_lag(sol, taus, 0.0, of="phi", **kw) / psi0
            out["psi(tau) est"] = np.array([
                float(_centred_weights(block, int(round(t / frame_dt)), K) @ psi @ u0) / den
                for t in taus])
            out["timescales"] = (res.population_timescale, res.correlation_time)
            out["unit(tau)"] = np.interp(taus, res.tau, res.c_tau)
    return out


def _settings(case: MatrixCase, size: MatrixSize) -> tuple:
    only = size.options.get("settings")
    return tuple(s for s in case.params["settings"] if only is None or s["label"] in only)


def _rows_of(setting, th, sims, p):
    """(key, theory of the estimator, N -> infinity theory, samples) of each graded quantity."""
    out = []
    for q in ("x", "phi", "phi z-scored"):
        if q in th:
            out.append((f"PR^{q}/N: {setting['label']}", th[q + " est"], th[q],
                        np.array([s[q] for s in sims])))
    for i, tau in enumerate(p.get("two_lags", ())):
        out.append((f"Psi(tau,0)/Psi(0,0) at tau={tau:g}: {setting['label']}",
                    th["psi(tau) est"][i], th["psi(tau)"][i],
                    np.array([s["psi(tau)"][i] for s in sims])))
    return out


def _block_frames(p: dict) -> int:
    """Frames per estimator block: each trajectory's recording split in ``blocks_per_run``."""
    frames = int(round(p["t_run"] / (p["dt"] * p["record_every"]))) + 1
    return frames // p["blocks_per_run"]


def _measure(case: MatrixCase, size: MatrixSize, n: int, seeds) -> list:
    p = case.params
    out = []
    for setting in _settings(case, size):
        th = _theory(setting, p["dt"], p["dt"] * p["record_every"], _block_frames(p),
                     p.get("two_lags", ()))
        sims = [simulate_setting(setting, n, int(s), p) for s in seeds]
        out.append((setting, th, sims))
    return out


def _dimension_check(case: MatrixCase, size: MatrixSize):
    from .run import Check
    budget = case.budget
    law = _EXPONENT
    rows, notes = [], []
    for setting, th, sims in _measure(case, size, size.n, size.seeds):
        for key, theory, infinite, vals in _rows_of(setting, th, sims, case.params):
            est = Estimate.from_samples(vals)
            scale = abs(theory)
            bias = budget.get(key, math.nan) * scale / size.n ** law
            if not np.isfinite(bias):
                bias = 0.0
                notes.append(f"{key}: no held-out budget measured; sampling error only")
            rows.append(graded_row(key, "PR", theory, est, bias, scale=scale, n=size.n,
                                   theory_infinite=infinite))
        if "timescales" in th:
            t_pop, t_c = th["timescales"]
            unit = np.mean([s["unit(tau)"] for s in sims], axis=0)
            notes.append(
                f"{setting['label']}: population timescale {t_pop:.3g} against the single-unit "
                f"correlation time {t_c:.3g} (theory); single-unit C^phi(tau)/C^phi(0), theory "
                "vs simulation, at tau = "
                + ", ".join(f"{t:g}: {a:.3f} vs {u:.3f}" for t, a, u in
                            zip(case.params["two_lags"], th["unit(tau)"], unit))
                + " (the two-lag rows above decay more slowly: collective fluctuations)")
    return [Check("participation ratio: theory vs simulation (cross-block estimator)",
                  FixedComparison(tuple(rows), notes=tuple(notes)))]


def _dimension_points(case: MatrixCase, n: int, seeds) -> list:
    """Budget points: relative deviation of each row's mean over seeds (law c |y|/N^p)."""
    size = MatrixSize(n=n, seeds=tuple(seeds))           # every setting
    out = []
    for setting, th, sims in _measure(case, size, n, seeds):
        for key, theory, _, vals in _rows_of(setting, th, sims, case.params):
            est = Estimate.from_samples(vals)
            out.append((key, "PR", _EXPONENT, (float(est.mean) - theory) / abs(theory),
                        float(est.stderr) / abs(theory)))
    return out


#: Exponent p of the budget law c |y| / N^p (measured: see LAWS).
_EXPONENT = 1.0

RUNNERS = {KIND: _dimension_check}
POINTS = {KIND: _dimension_points}
BUDGET_SIZES = {KIND: (500, 1000, 2000)}
HELD_OUT_SEEDS = {KIND: tuple(range(1001, 1009))}
LAWS = {KIND: "c |PR/N| / N per row (relative deviation of the mean over seeds)"}
