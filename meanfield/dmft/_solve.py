"""Entry points of the stationary DMFT: solve, fixed_point, critical_gain."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import fft
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

from .. import _checks
from .. import gaussian as _g
from .. import transfer as _transfer
from ..errors import ConvergenceError, ParameterError
from . import _bounded, _potential, _spectral, _static
from ._bounded import _NoBoundedState
from ._result import DMFTResult, FixedPointResult

_METHODS = ("auto", "potential", "spectral")
#: Largest magnitude accepted for gains, noise, inputs and mean couplings (the field
#: variance grows like their square; the Gaussian integrals support Delta0 <= 1e8).
_MAX = 1e3
#: Largest lag grid of the spectral method (memory ~ 100 arrays of this length, one
#: application of the map costs O(_MAX_LAGS log _MAX_LAGS) plus the pair tables; solve(2, dt)
#: takes about 3 s at 24577 lags, 6 s at 55297): the grid starts at _TAU_SPAN / dt lags
#: (rounded up to a power of 2) and is extended while the correlation has not decayed, never
#: beyond this.  The smallest step lets the grid reach tau = _TAU_REACH (g = 2 needs ~220).
_MAX_LAGS = 2**16 + 1
_TAU_SPAN = 100.0
_TAU_REACH = 250.0
_DT_MIN = _TAU_REACH / (_MAX_LAGS - 1)


# --- input validation -------------------------------------------------------

def _pop_param(name, value, P, *, nonneg=False, matrix=False):
    arr = _checks.real_array(name, value, finite=True)
    if nonneg and np.any(arr < 0):
        raise ParameterError(f"`{name}` must be non-negative; got {name}={value!r}")
    if np.any(np.abs(arr) > _MAX):
        raise ParameterError(f"`{name}` must have entries of magnitude at most {_MAX:g}; "
                             f"got {name}={value!r}")
    if arr.ndim == 0:
        return np.full((P, P) if matrix else (P,), float(arr))
    want = (P, P) if matrix else (P,)
    if arr.shape != want:
        raise ParameterError(f"`{name}` must be a scalar or have shape {want}; got shape {arr.shape}")
    return arr


def _solve_iv(g, phi, noise, J0, I0, input_std, dt, fractions, method, rtol, max_iter):
    method = _checks.choice("method", method, _METHODS)
    rtol = _checks.real("rtol", rtol, low=1e-14, high=1e-2,
                        allowed="a number in [1e-14, 1e-2]")
    max_iter = _checks.integer("max_iter", max_iter, low=1)
    if dt is not None:
        dt = _checks.real("dt", dt, low=_DT_MIN, high=1.0,
                          allowed=f"None (continuous time) or a step in (0, 1] no smaller than "
                                  f"{_DT_MIN:.6g} (the Euler-map theory resolves lags up to "
                                  f"{_TAU_REACH:g} on a grid of at most {_MAX_LAGS} lags)")
    multi = fractions is not None or np.ndim(g) > 0
    if not multi:
        if isinstance(phi, (list, tuple)):
            raise ParameterError("`phi` must be a single transfer function for one population")
        tf = _transfer.get(phi)
        g = _checks.real("g", g, low=0.0, high=_MAX, low_open=True,
                         allowed=f"positive and at most {_MAX:g}")
        J0 = _checks.real("J0", J0, low=-_MAX, high=_MAX)
        I0 = _checks.real("I0", I0, low=-_MAX, high=_MAX)
        if tf is _transfer.get("relu") and g * g / 2.0 > 1.0 and J0 >= 0.0 and I0 >= 0.0:
            # <relu(h)^2> = Delta0/2 at mu = 0: the variance grows as (g^2/2)^t without bound
            raise ParameterError(
                f"`g` must satisfy g**2/2 <= 1 for a relu network without a negative mean "
                f"coupling `J0` or negative mean input `I0` (otherwise the activity grows "
                f"without bound and no stationary state exists); got g={g!r}, J0={J0!r}, "
                f"I0={I0!r}")
        return dict(multi=False, tf=tf, g=g,
                    noise=_checks.real("noise", noise, low=0.0, high=_MAX),
                    J0=J0, I0=I0,
                    input_std=_checks.real("input_std", input_std, low=0.0, high=_MAX), dt=dt,
                    method=method, rtol=rtol, max_iter=max_iter)
    G = _checks.real_array("g", g, ndim=2)
    if np.any(np.abs(G) > _MAX):
        raise ParameterError(f"`g` must have entries of magnitude at most {_MAX:g}")
    if G.shape[0] != G.shape[1]:
        raise ParameterError(f"`g` must be a square (P, P) matrix of gains g_ab; got shape {G.shape}")
    if np.any(G < 0):
        raise ParameterError("`g` must have non-negative entries g_ab")
    if not np.any(G > 0):
        raise ParameterError("`g` must have at least one positive entry")
    P = G.shape[0]
    if fractions is None:
        raise ParameterError("`fractions` is required with a matrix `g` (population fractions "
                             "alpha_a, positive, summing to 1)")
    fr = _checks.real_array("fractions", fractions, shape=(P,))
    if np.any(fr <= 0) or abs(fr.sum() - 1.0) > 1e-9:
        raise ParameterError(f"`fractions` must be positive and sum to 1; got {fr.tolist()}")
    if isinstance(phi, (list, tuple)):
        if len(phi) != P:
            raise ParameterError(f"`phi` must be one transfer function or a list of {P}; "
                                 f"got {len(phi)}")
        tfs = [_transfer.get(p) for p in phi]
    else:
        tfs = [_transfer.get(phi)] * P
    if method == "potential":
        raise ParameterError("`method`='potential' applies to one population in continuous "
                             "time; use 'auto' or 'spectral'")
    return dict(multi=True, tfs=tfs, G=G, fractions=fr,
                noise=_pop_param("noise", noise, P, nonneg=True),
                J0=_pop_param("J0", J0, P, matrix=True), I0=_pop_param("I0", I0, P),
                input_std=_pop_param("input_std", input_std, P, nonneg=True), dt=dt,
                method=method, rtol=rtol, max_iter=max_iter)


# --- public entry points ----------------------------------------------------

def solve(g, phi="tanh", *, noise=0.0, J0=0.0, I0=0.0, input_std=0.0, dt=None,
          fractions=None, method: str = "auto", rtol: float = 1e-10, max_iter: int = 500,
          max_time: float = 20.0, check: bool = True) -> DMFTResult:
    r"""Stationary dynamic mean-field theory of a random rate network.

    Solves the self-consistency of the single-site process of

    .. math::

        \dot x_i = -x_i + \sum_j J_{ij}\phi(x_j) + I_i + \sigma\xi_i(t), \qquad
        J_{ij}\sim\mathcal N(J_0/N,\, g^2/N),\quad I_i \sim \mathcal N(I_0, \sigma_I^2),

    i.e. :math:`\mu = J_0\langle\phi\rangle + I_0` and

    .. math::

        (1 - \partial_\tau^2)\,\Delta(\tau) = g^2 C_\phi(\tau) + \sigma^2\delta(\tau) + \sigma_I^2,
        \qquad C_\phi(\tau) = F_\phi(\Delta(\tau);\Delta_0,\mu).

    Parameters
    ----------
    g : float or (P, P) array_like
        Gain :math:`0 < g \le 10^3` (coupling variance :math:`g^2/N`), or the matrix
        :math:`g_{ab}` for :math:`P` populations (then ``fractions`` is required).
    phi : str or TransferFunction or list
        Transfer function (one per population allowed).
    noise : float or (P,) array_like
        White-noise intensity :math:`\sigma \ge 0`.
    J0 : float or (P, P) array_like
        Mean coupling :math:`J_0` (:math:`J_{0,ab}`: mean of :math:`N J_{ij}`, j in b).
    I0, input_std : float or (P,) array_like
        Mean and standard deviation (across units) of the constant input.
    dt : float or None
        ``None``: continuous time.  ``dt`` in (0, 1]: the exact theory of the
        Euler map :math:`x \to (1-dt)x + dt(J\phi(x) + I) + \sqrt{dt}\,\sigma\xi`
        that :func:`meanfield.simulate` integrates; lags are then multiples of dt.
    fractions : (P,) array_like, optional
        Population fractions :math:`\alpha_a` (positive, summing to 1).
    method : {"auto", "potential", "spectral"}
        ``"potential"``: energy method (one population, continuous time).
        ``"spectral"``: frequency-domain iteration with Newton-Krylov polishing.
        ``"auto"``: potential where it applies, spectral otherwise.
    rtol : float
        Relative tolerance on :math:`\Delta_0` and the self-consistency residual.
    max_iter : int
        Largest number of iterations of the spectral method (damped fixed-point
        iterations plus Newton steps).
    max_time : float
        Budget in CPU seconds of the calling thread (default 20; a solve usually takes
        milliseconds to a few seconds).  Past it the solver stops with ``status`` 5.
    check : bool
        If True (default) raise :class:`ConvergenceError` when the solver fails;
        if False return the result with ``success=False``.

    Returns
    -------
    DMFTResult

    Raises
    ------
    ParameterError
        Bad input, or no bounded stationary state: relu with :math:`g^2/2 > 1` and no
        negative mean coupling or input; more generally, for :math:`\phi` of linear
        growth (slopes :math:`a_\pm` at :math:`\pm\infty`), when the only solution is
        an unstable static point and the self-similar growing pattern of the network with
        :math:`a_+\max(x,0) + a_-\min(x,0)`, :math:`s z = J_0 E\phi`,
        :math:`s^2 = g^2 E\phi^2` (:math:`h\sim\mathcal N(z,1)`), has :math:`s > 1`.
    ConvergenceError
        The solver did not converge, or the only solution found is an unstable static
        fixed point (with ``check=True``; ``status`` in :class:`DMFTResult` tells which).

    Notes
    -----
    Below the transition (and without noise) the result is the static fixed
    point with :math:`\Delta_0 = g^2\langle\phi^2\rangle + \sigma_I^2` and constant
    :math:`\Delta(\tau)`.  When several chaotic solutions exist the largest
    :math:`\Delta_0` is returned.  See ``meanfield/dmft/_potential.py`` and
    ``_spectral.py`` for the methods.

    Several populations without noise: the static state
    :math:`\mu_a = \sum_b J_{0,ab}\alpha_b\langle\phi\rangle_b + I_{0,a}`,
    :math:`\Delta_a = \sum_b g_{ab}^2\alpha_b\langle\phi^2\rangle_b + \sigma_{I,a}^2`
    is solved first and returned (``method="static"``, status 0) when it is linearly
    stable: bulk radius :math:`\sqrt{\rho(g_{ab}^2\alpha_b\langle\phi'^2\rangle_b)} < 1`
    and outliers (``_static.py``) with real part below 1 (Euler map: every multiplier
    :math:`|1 - dt + dt\,z| < 1`).  No chaotic state coexisting with a stable fixed point
    is sought then (one population rules it out with the energy method).  Otherwise
    the spectral solve runs; if its fluctuations die out the unstable static state is
    returned with status 4.

    References
    ----------
    Sompolinsky, Crisanti & Sommers, PRL 61, 259 (1988), doi:10.1103/PhysRevLett.61.259.
    Schuecker, Goedeke & Helias, PRX 8, 041029 (2018), doi:10.1103/PhysRevX.8.041029.
    Kadmon & Sompolinsky, PRX 5, 041030 (2015), doi:10.1103/PhysRevX.5.041030.

    Examples
    --------
    >>> import meanfield as mf
    >>> sol = mf.dmft.solve(g=0.5)            # below the transition: trivial fixed point
    >>> sol.delta0, sol.state
    (0.0, 'fixed-point')
    >>> round(mf.dmft.solve(g=2.0).delta0, 6)
    1.924805
    >>> sol = mf.dmft.solve([[1.125, 1.5], [0.75, 1.875]], J0=[[0.25, -0.5], [0.25, -0.5]],
    ...                     I0=[0.15, 0.05], fractions=[0.8, 0.2])   # E/I, below the onset
    >>> sol.method, sol.status, [round(float(d), 6) for d in sol.delta0]
    ('static', 0, [0.258888, 0.186872])
    >>> sol.outliers.size                     # no outlier outside the bulk disk
    0
    """
    p = _solve_iv(g, phi, noise, J0, I0, input_std, dt, fractions, method, rtol, max_iter)
    max_time = _max_time_iv(max_time)
    try:
        with _bounded.time_limit(max_time):
            if p["multi"]:
                res = _solve_multi(p)
            elif p["dt"] is None and p["method"] in ("auto", "potential"):
                res = _solve_potential(p)
            else:
                res = _solve_single_spectral(p)
    except _bounded._OutOfTime:
        res = _out_of_time_result(p, max_time)
    if check and not res.success:
        raise ConvergenceError(f"DMFT solver failed: {res.message}", res)
    return res


def _max_time_iv(max_time):
    return _checks.real("max_time", max_time, low=0.0, high=1e6, low_open=True,
                        allowed="a positive number of seconds, at most 1e6")


def _out_of_time_message(max_time):
    return (f"stopped after the CPU-time budget max_time={max_time:g} s; try increasing "
            f"`max_time` (parameters this costly are often near a singular point of the theory)")


def _out_of_time_result(p, max_time):
    """Status 5: the budget ran out; no partial solution is kept (all values NaN)."""
    P = len(p["fractions"]) if p["multi"] else None
    nan = math.nan if P is None else np.full(P, math.nan)
    curve = np.full((2,) if P is None else (P, 2), math.nan)
    return DMFTResult(
        delta0=nan, delta_inf=nan, mu=nan, tau=np.array([0.0, 1.0]), delta_tau=curve,
        c_phi_tau=curve.copy(), c_dphi_tau=curve.copy(), decay_rate=nan,
        correlation_time=nan, state="unknown", success=False, status=5,
        message=_out_of_time_message(max_time), nit=0, residual=math.inf, method="none",
        mean_dphi=nan, **_params(p))


def _params(p):
    if p["multi"]:
        return dict(g=p["G"], phi=",".join(t.name for t in p["tfs"]), noise=p["noise"],
                    J0=p["J0"], I0=p["I0"], input_std=p["input_std"], dt=p["dt"],
                    fractions=p["fractions"])
    return dict(g=p["g"], phi=p["tf"].name, noise=p["noise"], J0=p["J0"], I0=p["I0"],
                input_std=p["input_std"], dt=p["dt"], fractions=None)


def _no_bounded_state(p, reason=""):
    extra = f" {reason}" if reason else ""
    tf = p["tfs"][0] if p["multi"] else p["tf"]
    if tf.name in ("relu", "linear"):
        extra += (" For relu (and linear) networks a bounded state needs a negative mean coupling "
                 "`J0` or a negative input, or g small enough (relu: g**2/2 < 1 without them).")
    return ParameterError(f"no bounded stationary state exists for these parameters "
                          f"({_params(p)}).{extra}")


#: A static state counts as linearly unstable when its growth exponent exceeds this
#: (per unit time): marginal states (tanh at g = 1) stay a converged fixed point.
_UNSTABLE = 1e-9


def _static_exponent(static) -> float:
    """Largest growth exponent of perturbations of a static result (continuous time, or
    the Euler map's largest multiplier when ``dt`` is set): see ``_static.result_exponent``."""
    return _static.result_exponent(static)


def _growth_exponent_of(s, dt):
    """Exponent of a pattern growing by the factor s per unit time of the leak
    (x -> e^((s-1)t); Euler map: multiplier 1 - dt + dt s)."""
    if dt is None:
        return s - 1.0
    m = abs(1.0 - dt + dt * s)
    return math.log(m) / dt if m > 0.0 else -math.inf


def _static_result(p, model):
    try:
        d0, mu, nfev = _static.static_delta0(model)
    except _NoBoundedState:
        raise _no_bounded_state(p) from None
    res = float(abs(d0 - model.g2 * _g._mean(model.tf, "phi2", mu, d0) - model.sI2)) / max(d0, 1)
    tau = np.array([0.0, 1.0])
    c_phi = _g._mean(model.tf, "phi2", mu, d0)
    c_dphi = _g._mean(model.tf, "dphi2", mu, d0)
    kink = _bounded.local_slopes(model.tf, mu) if d0 == 0.0 else None
    # at a kink (every unit at mu, relu at mu = 0) there is no Jacobian: to first order
    # the perturbations follow the network with the one-sided slopes, positively
    # homogeneous, whose fastest self-similar growth factor gives the exponent (_bounded)
    outliers = None if kink is not None else \
        _static.single_spectrum(model.tf, p["g"], p["J0"], mu, d0)[1]
    out = DMFTResult(
        delta0=d0, delta_inf=d0, mu=mu, tau=tau, delta_tau=np.full(2, d0),
        c_phi_tau=np.full(2, c_phi), c_dphi_tau=np.full(2, c_dphi), decay_rate=0.0,
        correlation_time=0.0, state="fixed-point", success=True, status=0,
        message="static fixed point (no self-consistent fluctuating solution)", nit=nfev,
        residual=res, method="static", mean_dphi=_g._mean(model.tf, "dphi", mu, d0),
        outliers=outliers, kink_slopes=kink, **_params(p))
    lam = _static_exponent(out)
    if lam <= _UNSTABLE:
        if kink is not None:
            out = dataclasses.replace(out, message=(
                f"static fixed point (no self-consistent fluctuating solution); every unit "
                f"sits at a kink of phi (one-sided slopes {kink[0]:.6g}, {kink[1]:.6g}), where "
                f"perturbations decay as the fastest self-similar pattern of the network with "
                f"those slopes (growth exponent {lam:.6g})"))
        return out
    slopes = _bounded.asymptotic_slopes(model.tf)
    if slopes is not None:
        s_inf = _bounded.homogeneous_growth(*slopes, p["g"], p["J0"])
        if s_inf > 1.0 + 1e-9:
            raise _no_bounded_state(p, (
                f"The static fixed point (Delta0={d0:.3g}) is unstable (growth exponent "
                f"{lam:.3g}), no fluctuating solution was found, and at large amplitude phi "
                f"grows linearly (slopes {slopes[0]:.3g} at +inf, {slopes[1]:.3g} at -inf) so "
                f"that the activity grows by e^((s-1)t) with s = {s_inf:.4g} > 1."))
    where = "continuous time" if p["dt"] is None else f"the Euler map with dt={p['dt']:g}"
    return dataclasses.replace(out, success=False, status=4, message=(
        f"the only self-consistent solution found is a static fixed point that is linearly "
        f"unstable (largest growth exponent {lam:.3g} per unit time for {where}); the network "
        f"leaves it (for chaos, an oscillating mean or another fixed point), so it is not "
        f"the stationary state"))


def _solve_potential(p):
    model = _potential._Model(p["tf"], p["g"], p["noise"], p["J0"], p["I0"], p["input_std"])
    try:
        d0, nfev = _potential.solve_delta0(model, p["rtol"])
        if d0 is None and p["noise"] == 0:
            static = _static_result(p, model)
            if static.status == 0:
                return static
            # the static point is unstable: just above the onset of chaos Delta0 is of
            # the order of the growth exponent, below the grid's default start
            lam = _static_exponent(static)
            d0, more = _potential.solve_delta0(model, p["rtol"], start=max(1e-3 * lam, 1e-12))
            nfev += more
            if d0 is None:
                return static
    except _NoBoundedState:
        raise _no_bounded_state(p) from None
    if d0 is None:
        raise ConvergenceError("potential method found no root of the energy condition; "
                               "try method='spectral'")
    mu = model.mean(d0)
    dinf = model.delta_inf(d0, mu)
    tau, delta, c_phi, c_dphi, kappa, corr, check_val = _potential.trajectory(model, d0, mu, dinf)
    ok = check_val < 1e-8
    state = "fluctuating" if p["noise"] > 0 else "chaotic"
    return DMFTResult(
        delta0=d0, delta_inf=dinf, mu=mu, tau=tau, delta_tau=delta, c_phi_tau=c_phi,
        c_dphi_tau=c_dphi, decay_rate=kappa, correlation_time=corr, state=state, success=ok,
        status=0 if ok else 2,
        message="converged" if ok else f"energy check failed ({check_val:.1e})",
        nit=nfev, residual=check_val, method="potential",
        mean_dphi=_g._mean(p["tf"], "dphi", mu, d0), **_params(p))


def _initial_guess(prob, scale):
    t = prob.tau
    shape = 1.0 / np.cosh(t / 2.0) ** 2
    return np.outer(scale, shape)


def _spectral_core(p, tfs, fracs, G2, J0, I0, noise, sI2, dt):
    rtol = p["rtol"]
    if dt is None:
        h, M = 0.05, 2049
    else:
        h = dt
        M = int(2 ** math.ceil(math.log2(max(_TAU_SPAN / dt, 64)))) + 1
    g_eff = math.sqrt(float(np.max(np.abs(np.linalg.eigvals(G2 * fracs[None, :])))))
    scale = np.full(len(fracs), max(g_eff**2 - 1.0, 0.0) + 0.5 * float(np.max(noise)) ** 2 + 0.5)
    scale = scale + sI2
    delta = None
    for _ in range(5):
        prob = _spectral.SpectralProblem(tfs, fracs, G2, J0, I0, noise, sI2, h=h, M=M, dt=dt)
        if delta is None:
            init = _initial_guess(prob, scale)
        else:
            old_tau = h * np.arange(delta.shape[1])
            init = np.stack([np.interp(prob.tau, old_tau, d) for d in delta])
        try:
            delta, nit, res, ok, msg = _spectral.solve_spectral(prob, init, rtol=rtol,
                                                                max_iter=p["max_iter"])
        except _NoBoundedState:
            raise _no_bounded_state(p) from None
        if not ok:
            break                       # Newton failed: a longer lag range would not help
        y = delta - delta[:, -1:]
        if float(np.max(np.abs(delta[:, 0]))) <= 1e-12 * float(np.max(scale)):
            break                       # collapsed onto the trivial fixed point
        amp = np.maximum(np.abs(y[:, 0]), 1e-300)
        tail = float(np.max(np.abs(y[:, (M - 1) // 2]) / amp))
        if tail < max(rtol, 1e-12) or float(np.max(amp)) < 1e-12 * float(np.max(delta[:, 0])):
            break
        # the correlation has not decayed: extend the lag range from the fitted decay rate
        kappa = _decay_rate(prob.tau, delta)
        need = 2.0 * (math.log(1.0 / max(rtol, 1e-12)) + 2.0) / max(kappa, 1e-3)
        if M >= _MAX_LAGS:
            ok, msg = False, (f"Delta(tau) had not decayed within tau <= {prob.tau[-1]:.0f}, "
                              f"the largest lag grid ({_MAX_LAGS} lags); the state may be "
                              f"marginal (g near its critical value) or not stationary")
            break
        M = min(fft.next_fast_len(int(math.ceil(max(need / h, 1.5 * (M - 1)))), real=True) + 1,
                _MAX_LAGS)
    else:
        ok, msg = False, (f"Delta(tau) had not decayed within the largest lag range tried "
                          f"(tau <= {prob.tau[-1]:.0f}); the state may be marginal (g near "
                          f"its critical value) or not stationary")
    spec = prob.spectrum(delta)
    floor = 1e-12 * spec.shape[1] * float(np.max(np.abs(delta[:, 0])))   # DCT round-off
    if ok and np.min(spec) < -1e-8 * np.max(np.abs(spec)) - floor:
        ok, msg = False, "rejected: negative power spectrum (non-physical root)"
    C = prob.apply(delta)[1]
    tabs, d0 = prob.tables(delta)
    Cd = np.stack([tabs[b].deriv(np.clip(delta[b], -d0[b], d0[b])) for b in range(len(fracs))])
    return prob, delta, C, Cd, nit + prob.nfev, res, ok, msg


def _decay_rate(tau, delta):
    """Slowest exponential decay rate of Delta - Delta_inf seen in the second half of the grid."""
    rates = []
    n = len(tau)
    for d in np.atleast_2d(delta):
        y = np.abs(d - d[-1])
        i, j = n // 4, n // 2
        if y[i] > 0 and y[j] > 0:
            rates.append(max(math.log(y[i] / y[j]) / (tau[j] - tau[i]), 0.0))
    return min(rates) if rates else 1.0


def _decay_and_corr(tau, delta):
    """Exponential decay rate fitted to the tail and the correlation time, per population."""
    kappas, corrs = [], []
    for d in np.atleast_2d(delta):
        y = d - d[-1]
        y0 = y[0]
        if abs(y0) < 1e-300:
            kappas.append(0.0)
            corrs.append(0.0)
            continue
        # fit where y/y0 is in [1e-8, 1e-4], else use the last decade available
        r = np.abs(y / y0)
        sel = (r > 1e-8) & (r < 1e-4)
        if np.count_nonzero(sel) >= 3:
            slope = np.polyfit(tau[sel], np.log(r[sel]), 1)[0]
            kappas.append(max(-float(slope), 0.0))
        else:
            kappas.append(0.0)
        corrs.append(float(CubicSpline(tau, y / y0).integrate(0.0, tau[-1])))
    return np.array(kappas), np.array(corrs)


def _solve_single_spectral(p):
    tf = p["tf"]
    one = np.ones(1)
    prob, delta, C, Cd, nit, res, ok, msg = _spectral_core(
        p, [tf], one, np.array([[p["g"] ** 2]]), np.array([[p["J0"]]]), np.array([p["I0"]]),
        np.array([p["noise"]]), np.array([p["input_std"] ** 2]), p["dt"])
    kappa, corr = _decay_and_corr(prob.tau, delta)
    y0 = delta[0, 0] - delta[0, -1]
    if p["noise"] == 0 and y0 <= 1e-9 * max(delta[0, 0], 1e-12):
        # no fluctuations: the static fixed point, solved directly to full accuracy
        model = _potential._Model(tf, p["g"], 0.0, p["J0"], p["I0"], p["input_std"])
        return _static_result(p, model)
    if p["noise"] == 0 and not ok:
        # the fluctuating solve failed (typically just below the onset of chaos, where
        # the fluctuations vanish slowly): without noise a linearly stable fixed point is
        # the stationary state, so return it when it is stable
        model = _potential._Model(tf, p["g"], 0.0, p["J0"], p["I0"], p["input_std"])
        static = _static_result(p, model)
        if static.status == 0 and _static_exponent(static) < 0.0:
            fallback = _fallback(p, model, static, msg)
            if fallback is not None:
                return fallback
    state = "fluctuating" if p["noise"] > 0 else ("chaotic" if y0 > 0 else "fixed-point")
    return DMFTResult(
        delta0=float(delta[0, 0]), delta_inf=float(delta[0, -1]), mu=float(prob.mu[0]),
        tau=prob.tau, delta_tau=delta[0], c_phi_tau=C[0], c_dphi_tau=Cd[0],
        decay_rate=float(kappa[0]), correlation_time=float(corr[0]), state=state, success=ok,
        status=0 if ok else 2, message=msg, nit=nit, residual=res, method="spectral",
        mean_dphi=_g._mean(tf, "dphi", float(prob.mu[0]), max(float(delta[0, 0]), 0.0)),
        **_params(p))


def _fallback(p, model, static, msg):
    """Status 3: the spectral solve failed without noise; return the linearly stable static
    fixed point, with what confirms it.  In continuous time the energy method decides whether
    a chaotic solution coexists (then there is no fallback: None); for the Euler map nothing
    confirms it, and the message says so."""
    if p["dt"] is None:
        try:
            d0, _ = _potential.solve_delta0(model, p["rtol"])
        except _NoBoundedState:
            d0 = math.inf
        if d0 is not None:
            return None
        how = ("confirmed: the energy method finds no chaotic solution for these parameters")
    else:
        how = ("not confirmed: for the Euler map no independent method rules out a chaotic "
               "state coexisting with it")
    return dataclasses.replace(static, status=3, message=(
        f"spectral solve failed ({msg}); returned the linearly stable static fixed point "
        f"(chaos can coexist below the local instability; {how})"))


def _solve_multi(p):
    static = None
    if not np.any(p["noise"] > 0):
        # without noise, a linearly stable static state is the stationary state: solve it
        # first (the spectral iteration converges to it too slowly to decide)
        static = _static_multi_result(p)
        if static is not None and static.status == 0 and static.kink_slopes is None:
            return static
    G2 = p["G"] ** 2
    prob, delta, C, Cd, nit, res, ok, msg = _spectral_core(
        p, p["tfs"], p["fractions"], G2, p["J0"], p["I0"], p["noise"], p["input_std"] ** 2,
        p["dt"])
    kappa, corr = _decay_and_corr(prob.tau, delta)
    y0 = delta[:, 0] - delta[:, -1]
    fluct = np.any(y0 > 1e-9 * np.maximum(delta[:, 0], 1e-300))
    if static is not None and (not ok or not fluct) and \
            np.all(y0 <= 1e-5 * np.maximum(static.delta0, 1e-12)):
        # the fluctuations died out: the static state (unstable, status 4, or at a kink)
        if static.kink_slopes is not None:
            return dataclasses.replace(static, status=0, success=True, message=(
                f"{static.message}; the fluctuating iteration collapsed onto it ({msg})"))
        return static
    state = "fluctuating" if np.any(p["noise"] > 0) else ("chaotic" if fluct else "fixed-point")
    return DMFTResult(
        delta0=delta[:, 0].copy(), delta_inf=delta[:, -1].copy(), mu=prob.mu.copy(),
        tau=prob.tau, delta_tau=delta, c_phi_tau=C, c_dphi_tau=Cd, decay_rate=kappa,
        correlation_time=corr, state=state, success=ok, status=0 if ok else 2, message=msg,
        nit=nit, residual=res, method="spectral", mean_dphi=np.array(
            [_g._mean(t, "dphi", m, max(d, 0.0)) for t, m, d in zip(p["tfs"], prob.mu, delta[:, 0])]),
        **_params(p))


def _static_multi_result(p):
    r"""The static state of several populations (no noise) with its stability, or None when
    the static solver finds none (the spectral solve then decides, as before).

    Status 0 when linearly stable (bulk radius :math:`\sqrt{\rho(g^2\alpha\langle
    \phi'^2\rangle)}` and outliers, see ``_static``), 4 when unstable; a population with
    zero variance at a kink of its :math:`\phi` has no Jacobian: ``kink_slopes`` is set
    and the status is 4 with a message that says the stability was not assessed."""
    tfs, fr, G2, J0 = p["tfs"], p["fractions"], p["G"] ** 2, p["J0"]
    found = _static.static_populations(tfs, fr, G2, J0, p["I0"], p["input_std"] ** 2,
                                       rtol=min(p["rtol"], 1e-12))
    if found is None:
        return None
    delta, mu, nit, res, mom = found
    P = len(fr)
    kinks = tuple(_bounded.local_slopes(tfs[a], mu[a]) if delta[a] == 0.0 else None
                  for a in range(P))
    at_kink = any(k is not None for k in kinks)
    d2 = np.array([m.dphi2 for m in mom])
    tau = np.array([0.0, 1.0])
    out = DMFTResult(
        delta0=delta.copy(), delta_inf=delta.copy(), mu=mu.copy(), tau=tau,
        delta_tau=np.repeat(delta[:, None], 2, axis=1),
        c_phi_tau=np.repeat(np.array([m.phi2 for m in mom])[:, None], 2, axis=1),
        c_dphi_tau=np.repeat(d2[:, None], 2, axis=1), decay_rate=np.zeros(P),
        correlation_time=np.zeros(P), state="fixed-point", success=True, status=0,
        message="", nit=nit, residual=res, method="static",
        mean_dphi=np.array([m.dphi for m in mom]), kink_slopes=kinks if at_kink else None,
        **_params(p))
    if at_kink:
        at = [a for a in range(P) if kinks[a] is not None]
        return dataclasses.replace(out, success=False, status=4, message=(
            f"static fixed point in which every unit of population(s) {at} sits at a kink of "
            f"phi with zero variance: there is no Jacobian, and the growth of perturbations "
            f"(set by the one-sided slopes) is implemented for one population only, so its "
            f"stability was not assessed"))
    r, outliers = _static.spectrum(J0 * fr[None, :], G2 * fr[None, :], mom)
    out = dataclasses.replace(out, outliers=outliers)
    lam = _static.growth_exponent(r, outliers, p["dt"])
    top = "none" if outliers.size == 0 else f"{outliers[0]:.6g}"
    where = "continuous time" if p["dt"] is None else f"the Euler map with dt={p['dt']:g}"
    spec = (f"bulk radius {r:.6g}, outlier with the largest real part {top}; largest growth "
            f"exponent {lam:.6g} per unit time for {where}")
    if lam <= _UNSTABLE:
        return dataclasses.replace(out, message=(
            f"static fixed point, linearly stable ({spec}); with several populations no "
            f"method here rules out a chaotic state coexisting with it (a discontinuous "
            f"onset), so none was sought"))
    return dataclasses.replace(out, success=False, status=4, message=(
        f"the only self-consistent solution found is a static fixed point that is linearly "
        f"unstable ({spec}); the network leaves it (for chaos, an oscillating mean or "
        f"another fixed point), so it is not the stationary state"))


def fixed_point(g, phi="tanh", *, J0=0.0, I0=0.0, input_std=0.0,
                max_time: float = 20.0) -> FixedPointResult:
    r"""Static mean-field fixed point of the random network and its stability.

    Solves :math:`\Delta_0 = g^2\langle\phi^2\rangle + \sigma_I^2`,
    :math:`\mu = J_0\langle\phi\rangle + I_0` (averages over
    :math:`h\sim\mathcal N(\mu,\Delta_0)`; the branch continued from
    :math:`\Delta_0 = 0`) and reports the Jacobian spectrum of
    :math:`-1 + J\,\mathrm{diag}\,\phi'(x)`: a disc of radius
    :math:`r = g\sqrt{\langle\phi'^2\rangle}` around :math:`-1`, plus outliers at
    :math:`-1 + \lambda` for the eigenvalues :math:`|\lambda| > r` of the Jacobian of the
    static map in :math:`(\mu, \Delta_0)` (:class:`FixedPointResult`); without a mean
    this is the mean-mode eigenvalue :math:`J_0\langle\phi'\rangle`, with one the mean
    mode also moves the variance, which shifts it.

    Parameters
    ----------
    g : float
        Gain, positive.
    phi : str or TransferFunction
    J0, I0 : float
        Mean coupling and mean input.
    input_std : float
        Standard deviation of the constant inputs across units.
    max_time : float
        Budget in CPU seconds of the calling thread.

    Returns
    -------
    FixedPointResult

    Raises
    ------
    ParameterError
        Bad input, or no bounded static fixed point.
    ConvergenceError
        The CPU-time budget ran out.

    Examples
    --------
    >>> import meanfield as mf
    >>> fp = mf.dmft.fixed_point(g=0.5)         # trivial fixed point: Delta0 = 0, r = g
    >>> fp.delta0, fp.bulk_radius, fp.max_real_eigenvalue, fp.stable
    (0.0, 0.5, -0.5, True)
    >>> mf.dmft.fixed_point(g=1.5).stable       # beyond g = 1 it loses stability
    False
    >>> fp = mf.dmft.fixed_point(g=0.8, I0=0.5)  # a mean input moves it off the origin
    >>> round(fp.delta0, 6), fp.mu, round(fp.bulk_radius, 6), fp.stable
    (0.169604, 0.5, 0.61418, True)
    >>> fp = mf.dmft.fixed_point(g=0.5, J0=2.0, I0=0.2)   # strong mean coupling: an outlier
    >>> round(fp.mu, 6), round(fp.outlier, 6), round(fp.max_real_eigenvalue, 6)
    (2.11219, 0.13183, -0.86817)
    >>> fp = mf.dmft.fixed_point(g=1.2, phi="relu")   # all units at the kink: s = g / sqrt(2)
    >>> round(fp.bulk_radius, 6), round(fp.max_real_eigenvalue, 6), fp.stable
    (0.848528, -0.151472, True)
    """
    p = _solve_iv(g, phi, 0.0, J0, I0, input_std, None, None, "auto", 1e-10, 1)
    max_time = _max_time_iv(max_time)
    try:
        with _bounded.time_limit(max_time):
            return _fixed_point(p)
    except _bounded._OutOfTime:
        raise ConvergenceError(f"fixed_point: {_out_of_time_message(max_time)}") from None


def _fixed_point(p):
    model = _potential._Model(p["tf"], p["g"], 0.0, p["J0"], p["I0"], p["input_std"])
    try:
        d0, mu, nfev = _static.static_delta0(model)
    except _NoBoundedState:
        raise _no_bounded_state(p) from None
    kink = _bounded.local_slopes(p["tf"], mu) if d0 == 0.0 else None
    if kink is None:
        r, outliers = _static.single_spectrum(p["tf"], p["g"], p["J0"], mu, d0)
        edge = _static.growth_exponent(r, outliers, None)
        top = outliers[outliers.imag >= 0.0][:1]
        outlier = None if top.size == 0 else \
            (float(top[0].real) if top[0].imag == 0.0 else complex(top[0]))
        message = "converged"
    else:
        # no Jacobian at a kink: the one-sided (positively homogeneous) dynamics decides
        edge = _static.kink_exponent(kink, p["g"], p["J0"], None)
        r, outlier, outliers = edge + 1.0, None, None
        message = (f"converged; every unit sits at a kink of phi (one-sided slopes "
                   f"{kink[0]:.6g}, {kink[1]:.6g}): bulk_radius is the growth factor s of the "
                   f"fastest self-similar pattern of the network with those slopes, "
                   f"max_real_eigenvalue = s - 1")
    res = abs(d0 - model.g2 * _g._mean(p["tf"], "phi2", mu, d0) - model.sI2) / max(d0, 1.0)
    prm = _params(p)
    prm.pop("noise")
    prm.pop("dt")
    return FixedPointResult(delta0=d0, mu=mu, bulk_radius=r, outlier=outlier,
                            max_real_eigenvalue=edge, stable=edge < 0, success=True, status=0,
                            message=message, nit=nfev, residual=float(res), outliers=outliers,
                            **prm)


def critical_gain(phi="tanh", *, J0=0.0, I0=0.0, input_std=0.0, rtol=1e-10,
                  max_time: float = 20.0) -> float:
    r"""Gain at the edge of chaos without noise.

    The smallest :math:`g` at which either the static fixed point loses stability
    (:math:`g^2\langle\phi'^2\rangle = 1`, or the outlier crosses) or a
    chaotic (fluctuating) self-consistent solution appears.  For odd :math:`\phi`
    with :math:`\phi'''(0) < 0` and no mean coupling or input this is
    :math:`1/\phi'(0)` (1.0 for tanh and erf); when :math:`\phi'''(0) > 0` chaos
    can appear discontinuously before the fixed point destabilises, which this
    function detects by solving the energy condition below the local instability.

    Parameters
    ----------
    phi : str or TransferFunction
    J0, I0, input_std : float
        Mean coupling, mean input and its standard deviation across units.
    rtol : float
        Relative tolerance on the gain.
    max_time : float
        Budget in CPU seconds of the calling thread for the whole search.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Bad input, or a fixed point stable up to the largest gain.
    ConvergenceError
        The CPU-time budget ran out.

    Examples
    --------
    >>> import meanfield as mf
    >>> mf.dmft.critical_gain()                 # tanh: 1/phi'(0)
    1.0
    >>> mf.dmft.critical_gain("erf")            # erf is scaled to slope 1 at 0
    1.0
    >>> gc = mf.dmft.critical_gain()
    >>> mf.dmft.fixed_point(0.99 * gc).stable, mf.dmft.solve(1.1 * gc).state
    (True, 'chaotic')
    """
    _solve_iv(1.0, phi, 0.0, J0, I0, input_std, None, None, "auto", rtol, 1)
    max_time = _max_time_iv(max_time)
    try:
        with _bounded.time_limit(max_time):
            return _critical_gain(phi, J0, I0, input_std, rtol)
    except _bounded._OutOfTime:
        raise ConvergenceError(f"critical_gain: {_out_of_time_message(max_time)}") from None


def _critical_gain(phi, J0, I0, input_std, rtol):

    def edge(g):
        # largest real part of the fixed point's Jacobian spectrum: continuous in g
        try:
            p = _solve_iv(g, phi, 0.0, J0, I0, input_std, None, None, "auto", 1e-10, 1)
            return _fixed_point(p).max_real_eigenvalue
        except ParameterError as exc:   # e.g. no bounded state at a gain the search reached
            raise ParameterError(f"critical_gain: the search for the onset reached g={g:.6g}, "
                                 f"where {exc}") from None

    def chaotic(g):
        model = _potential._Model(_transfer.get(phi), g, 0.0, J0, I0, input_std)
        try:
            d0, _ = _potential.solve_delta0(model, 1e-8)
        except _NoBoundedState:
            return True
        return d0 is not None

    lo, hi = 1e-9, 1.0
    if edge(lo) >= 0:
        raise ParameterError(
            f"the fixed point is already unstable as g -> 0 (the mean mode J0 <phi'> >= 1 with "
            f"phi={_transfer.get(phi).name!r}, J0={J0}, I0={I0}): there is no onset of chaos "
            "from a stable fixed point to find")
    while edge(hi) < 0:
        lo, hi = hi, 2.0 * hi
        if hi > _MAX:
            raise ParameterError(f"the fixed point stays stable for all gains up to {_MAX:g} "
                                 f"(phi={_transfer.get(phi).name!r}, J0={J0}, I0={I0})")
    g_inst = brentq(edge, lo, hi, xtol=1e-14, rtol=rtol)
    # chaos before the local instability (discontinuous onset)?
    probes = np.linspace(0.3 * g_inst, g_inst * (1 - 1e-6), 12)
    found = [g for g in probes if chaotic(g)]
    if not found:
        return float(g_inst)
    hi = found[0]
    lo = max([g for g in probes if g < hi], default=0.0)
    return float(brentq(lambda g: 1.0 if chaotic(g) else -1.0, max(lo, 1e-9), hi,
                        xtol=1e-12, rtol=rtol))
