r"""The validation cases: each one theory result against the finite-size simulator.

Every case states its sizes (``quick`` and ``full``: N, seeds, run length), the
quantities compared and its tolerance

.. math::

    |\bar y - \text{theory}| < 4\,\text{stderr} + b(N)\,\text{scale},
    \qquad b(N) = c_q / N ,

with ``c_q`` (per quantity q) a finite-size bias coefficient *measured* by
running the case at two or three sizes (``python -m validation.finite_size``)
and fitting the relative deviation to ``c/N``; the comment next to each
``budget`` gives the measured deviations.  ``scale`` is |theory| for scalars
and the theory's :math:`\Delta_0` for :math:`\Delta(\tau)` rows (see
:class:`meanfield.compare.Row`).  The standard error is over independent
realisations (seeds: each its own coupling matrix, initial states and noise),
so it includes the quenched disorder.

The simulator is the Euler map; every case compares it with the *exact theory of
that map*, ``solve(..., dt=dt)``, so there is no step-size bias, and the
theory of :math:`\Delta(\tau)` carries the exact finite-window correction of the
simulator's mean-subtracted estimator (:func:`meanfield.compare.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Size", "Case", "CASES", "get"]


@dataclass(frozen=True)
class Size:
    """Run size of a case: N units, seeds (one coupling matrix each), run lengths."""

    n: int
    seeds: tuple
    t_max: float
    t_transient: float
    batch: int = 4
    blocks: int = 1


@dataclass(frozen=True)
class Case:
    """One theory-vs-simulation check.

    ``kind``: ``"stats"`` (mu, Delta0, Delta(tau)), ``"lyapunov"`` (lambda_max),
    ``"coarse_dt"`` (stats at a coarse Euler step, also asserting that the
    continuous-time theory *fails*), ``"two_population"`` (per-population stats
    of a block network).  ``params`` go to :func:`meanfield.dmft.solve` (plus
    ``dt``).  ``budget`` maps a quantity to ``c_q`` with :math:`b(N) = c_q/N`.
    """

    name: str
    kind: str
    description: str
    params: dict
    dt: float
    quick: Size
    full: Size
    budget: dict = field(default_factory=dict)
    budget_source: str = "none (sampling error only)"
    lags: tuple = ()
    max_lag: float = 20.0
    populations: tuple = ()           # fractions, for two_population
    scale_free: bool = False          # also compare per-seed ratios (see run._scale_free)

    def size(self, quick: bool) -> Size:
        return self.quick if quick else self.full


_SEEDS_Q = (1, 2, 3, 4)
_SEEDS_F = (1, 2, 3, 4)


def _chaos(phi, g, budget, src, lags):
    gname = f"{g:g}"
    return Case(
        name=f"{phi}_g{gname}", kind="stats",
        description=f"chaotic {phi} network, g={gname}: Delta0, Delta(tau), mu",
        params=dict(g=g, phi=phi), dt=0.1,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=450.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=450.0, t_transient=50.0),
        budget=budget, budget_source=src, lags=lags, max_lag=max(lags))


# Budgets: relative finite-size deviation (sim - theory)/scale, measured with
# validation.finite_size at N = 500, 1000, 2000 (seeds 1-4, t_max = 450, dt = 0.1),
# fitted to -c/N on the sizes the suite uses (N = 1000, 2000); c_q = the largest
# fitted c over the rows of quantity q, rounded up.  At N = 500 (and for g = 1.2
# also N = 1000) some realisations sit on non-chaotic attractors (limit cycles:
# e.g. J seed 0 at N = 1000, g = 1.5 gives Delta0 = 0.05 instead of 0.70), so
# the deviation there is not a 1/N correction; those points are reported, not fitted.
_TANH12 = ("measured Delta0: -69% (N=500), -37 ± 22% (N=1000), -3.7 ± 4.7% (N=2000); "
           "Delta(tau=10): -51 ± 11% (N=1000), -17 ± 8% (N=2000); fit c/N on N=1000, 2000: "
           "c = 119 (Delta0), 452 (Delta(tau))")
_TANH15 = ("measured Delta0: -49% (N=500), -8.9 ± 7.6% (N=1000), -1.5 ± 1.8% (N=2000); "
           "fit c/N on N=1000, 2000: c = 41 (Delta0), 58 (Delta(tau))")
_TANH2 = ("measured Delta0: -9.3% (N=500), -2.6 ± 1.5% (N=1000), -0.9 ± 0.8% (N=2000); "
          "fit c/N on N=1000, 2000: c = 22 (Delta0 and Delta(tau))")
# relu networks are positively homogeneous: J0 and I0 only set the scale of the state,
# s = I0 / (z - J0 a) with scale-free z = mu/sqrt(Delta0), a = <phi>/sqrt(Delta0), so a
# realisation's scale fluctuates with its quenched disorder (seed-to-seed spread of
# Delta0 - Delta_inf about 15% at N = 2000) and the case needs more seeds than tanh.
# g = 3 (lambda_max = 0.23) rather than the weakly chaotic g = 2, J0 = -5 (lambda_max = 0.095)
# used before: there the simulated Delta0 - Delta_inf stayed 27% (N = 1000) and 9 ± 1.5%
# (N = 4000) below the theory, a slow near-onset finite-size effect like tanh_g1.2's (see
# the README), too slow to validate the theory at the sizes the suite can afford.
_SEEDS_RELU = (1, 2, 3, 4, 5, 6, 7, 8)
_RELU = ("measured (seeds 1-8): Delta0 +35 ± 29% (N=1000: one seed of 8 sits at twice the scale), "
         "-3.4 ± 5.5% (N=2000), -1.8 ± 2.5% (N=4000); mu -13 ± 13%, +4.1 ± 3.3%, +2.6 ± 1.8%; "
         "Delta(8) +0.7 ± 0.8%, +0.5 ± 0.4% (N=2000, 4000): consistent with 0 at N >= 2000, "
         "so c = 25 (tanh_g2's) is kept; N=1000 is too heavy-tailed for the suite")
CASES: tuple[Case, ...] = (
    _chaos("tanh", 1.2, {"delta0": 120.0, "delta_tau": 460.0}, _TANH12, (2.0, 5.0, 10.0, 20.0)),
    _chaos("tanh", 1.5, {"delta0": 45.0, "delta_tau": 60.0}, _TANH15, (2.0, 5.0, 10.0, 20.0)),
    _chaos("tanh", 2.0, {"delta0": 25.0, "delta_tau": 25.0}, _TANH2, (1.0, 3.0, 6.0, 12.0)),
    _chaos("tanh", 3.0, {"delta0": 25.0, "delta_tau": 25.0},
           "not measured separately: tanh_g2's c = 25 (the deficit decreases with g)",
           (1.0, 2.0, 5.0, 10.0)),
    _chaos("erf", 1.2, {"delta0": 120.0, "delta_tau": 460.0},
           "not measured separately: tanh_g1.2's c (same onset g_c = 1)", (2.0, 5.0, 10.0, 20.0)),
    _chaos("erf", 1.5, {"delta0": 45.0, "delta_tau": 60.0},
           "not measured separately: tanh_g1.5's c", (2.0, 5.0, 10.0, 20.0)),
    _chaos("erf", 2.0, {"delta0": 25.0, "delta_tau": 25.0},
           "not measured separately: tanh_g2's c", (1.0, 3.0, 6.0, 12.0)),
    _chaos("erf", 3.0, {"delta0": 25.0, "delta_tau": 25.0},
           "not measured separately: tanh_g2's c", (1.0, 2.0, 5.0, 10.0)),
    Case(
        name="linear_noise", kind="stats",
        description=("linear phi, g=0.5, noise sigma=1: Delta(tau) = sigma^2 exp(-sqrt(1-g^2)|tau|)"
                     "/(2 sqrt(1-g^2)) in continuous time; compared with the exact Euler-map theory"),
        params=dict(g=0.5, phi="linear", noise=1.0), dt=0.1,
        quick=Size(n=500, seeds=_SEEDS_Q, t_max=220.0, t_transient=20.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=220.0, t_transient=20.0),
        budget={"delta0": 1.0, "delta_tau": 1.0},
        budget_source=("linear network, finite-N correction O(g^2/N): measured Delta0 "
                       "-0.01 ± 0.1% at N=500; c = 1"),
        lags=(0.5, 1.0, 2.0, 4.0), max_lag=4.0),
    Case(
        name="noise_driven_chaos", kind="stats",
        description="tanh, g=1.5 with white noise sigma=0.5: Delta0, Delta(tau), mu",
        params=dict(g=1.5, phi="tanh", noise=0.5), dt=0.1,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=350.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=350.0, t_transient=50.0),
        budget={"delta0": 45.0, "delta_tau": 60.0},
        budget_source="not measured separately: tanh_g1.5's c (noise only stabilises chaos)",
        lags=(1.0, 3.0, 6.0, 12.0), max_lag=12.0),
    Case(
        name="euler_coarse_dt", kind="coarse_dt",
        description=("tanh g=2 at Euler step dt=0.5: solve(g, dt=0.5) matches the simulator (no "
                     "step-size bias); the continuous-time theory must FAIL the same test"),
        params=dict(g=2.0, phi="tanh"), dt=0.5,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=600.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=600.0, t_transient=50.0),
        budget={"delta0": 25.0, "delta_tau": 25.0},
        budget_source="tanh_g2's c = 25 (same g; step size does not change the 1/N deficit)",
        lags=(1.0, 2.0, 4.0, 8.0), max_lag=8.0),
    Case(
        name="lyapunov_g1.5", kind="lyapunov",
        description="largest Lyapunov exponent, tanh g=1.5: DMFT (Euler map) vs QR method",
        params=dict(g=1.5, phi="tanh"), dt=0.1,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=400.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=400.0, t_transient=50.0),
        budget={"lambda_max": 245.0},
        budget_source=("measured lambda_max: -74 ± 20% (N=500), -31 ± 8% (N=1000), -2 ± 7% "
                       "(N=2000); fit c/N on N=1000, 2000: c = 241 ± 72")),
    Case(
        name="lyapunov_g2", kind="lyapunov",
        description="largest Lyapunov exponent, tanh g=2: DMFT (Euler map) vs QR method",
        params=dict(g=2.0, phi="tanh"), dt=0.1,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=400.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=400.0, t_transient=50.0),
        budget={"lambda_max": 110.0},
        budget_source=("measured lambda_max: -21 ± 5% (N=500), -5 ± 5% (N=1000), -7.3 ± 2.1% "
                       "(N=2000); fit c/N on N=1000, 2000: c = 108 ± 32")),
    Case(
        name="relu_inhibitory", kind="stats",
        description=("relu, g=3, mean coupling J0=-10, input I0=1: bounded chaotic state "
                     "(lambda_max = 0.23 from the theory); mu, Delta0 - Delta_inf, Delta(tau)"),
        params=dict(g=3.0, phi="relu", J0=-10.0, I0=1.0), dt=0.1,
        quick=Size(n=2000, seeds=_SEEDS_RELU, t_max=350.0, t_transient=50.0),
        full=Size(n=4000, seeds=_SEEDS_RELU, t_max=350.0, t_transient=50.0),
        budget={"delta0": 25.0, "delta_tau": 25.0, "mu": 25.0},
        budget_source=_RELU,
        lags=(1.0, 2.0, 4.0, 8.0), max_lag=12.0, scale_free=True),
    Case(
        name="two_population_ei", kind="two_population",
        description=("two populations (fractions 0.8/0.2), tanh, g_ab = [[2.25, 3.0], [1.5, 3.75]], "
                     "J0_ab = [[0.5, -1], [0.5, -1]], I0 = [0.3, 0.1]: per-population mu, Delta0, "
                     "Delta(tau); block network J_ij ~ N(J0_ab/N, g_ab^2/N)"),
        params=dict(g=((2.25, 3.0), (1.5, 3.75)), phi="tanh", J0=((0.5, -1.0), (0.5, -1.0)),
                    I0=(0.3, 0.1)), dt=0.1,
        quick=Size(n=1000, seeds=_SEEDS_Q, t_max=450.0, t_transient=50.0),
        full=Size(n=2000, seeds=_SEEDS_F, t_max=450.0, t_transient=50.0),
        # The gains used before, [[1.5, 2.0], [1.0, 2.5]], sit only 10% above the onset of chaos
        # (fixed-point edge 1.041; onset at 0.91x those gains): there realisations end on limit
        # cycles or fixed points (N=1000: 4 of 8 seeds), Delta0[0] was -57 ± 11% (N=1000),
        # -30 ± 11% (N=2000), -9 ± 10% (N=4000), 8 seeds, c ~ 570, so the case had no teeth.
        # The theory itself checks out (independent lag-space residual 5e-13, one-population
        # reduction and decoupled populations exact); at 1.5x the gains (onset at 0.61x,
        # lambda_max ~ 0.13) the deviations below are consistent with c/N.
        budget={"delta0": 45.0, "delta_tau": 40.0, "mu": 25.0},
        budget_source=("measured (8 seeds): Delta0[0] -8.9 ± 2.7% (N=1000), -0.5 ± 1.4% (N=2000), "
                       "+1.4 ± 1.5% (N=4000); Delta(10)[0] -3.1 ± 1.9%, -1.1 ± 0.9%, -0.2 ± 0.6%; "
                       "population 1 alike; fit c/N on N=1000-4000: 40 ± 18 (Delta0), 36 ± 16 "
                       "(Delta(tau)); mu: no measurable bias, provisional c = 25"),
        lags=(2.0, 5.0, 10.0, 20.0), max_lag=20.0, populations=(0.8, 0.2)),
)


def get(name: str) -> Case:
    """The case called ``name``."""
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(f"no validation case {name!r}; known: {[c.name for c in CASES]}")
