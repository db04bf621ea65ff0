r"""Transient amplification in linear random networks (non-normal dynamics).

The dynamics is linear, :math:`\dot x = -x + W x` (time in units of the unit time
constant), started from :math:`x(0)` uniform on the unit sphere, so that
:math:`x(t) = e^{(W-1)t} x(0)` and

.. math::

    \mathrm E\,\|x(t)\|^2 = \frac1N\,\mathrm E\,\mathrm{tr}\,
    e^{(W-1)t}\, e^{(W-1)^T t} .

All eigenvalues of :math:`W - 1` may have negative real parts while
:math:`\|x(t)\|^2` still grows for a while: the non-normal (transient)
amplification studied by Tarnowski (2020) in the Rajan-Abbott ensemble of
excitatory/inhibitory networks.

Theory (large :math:`N`, derived for this project; see
``derivations/transient_series.py``)
-----------------------------------------------------------------------------
*iid couplings* of variance :math:`r^2/N`: only the nested ("ladder") pairings
of :math:`\frac1N\mathrm{tr}\,W^k W^{T\,l}` survive, giving
:math:`r^{2k}\delta_{kl}` and

.. math:: \mathrm E\|x(t)\|^2 = e^{-2t} I_0(2rt).

*Balanced Rajan-Abbott with zero row sums*, :math:`W = M + XP` with
:math:`M = \mathbf 1\mu^T/\sqrt N` (:math:`\mu^T\mathbf 1 = 0`, so
:math:`M^2 = 0`) and :math:`P = 1 - \mathbf 1\mathbf 1^T/N` (so
:math:`XP\,M = 0`): :math:`W^k = (XP)^k + M (XP)^{k-1}` and

.. math::

    \mathrm E\|x(t)\|^2 = e^{-2t}\left[(1+m^2) I_0(2rt) - m^2\right],
    \qquad m^2 = \langle\mu^2\rangle / r^2,

with :math:`r^2 = f\sigma_E^2 + (1-f)\sigma_I^2` and
:math:`\langle\mu^2\rangle = f\mu_E^2 + (1-f)\mu_I^2`.  The mean weights
amplify like extra variance without moving a single eigenvalue.

*The average trajectory* (over the random part, fixed :math:`x_0`) is
:math:`\bar x(t) = e^{-t}(x_0 + t M x_0)`, and over :math:`x_0`,
:math:`\mathrm E\|\bar x(t)\|^2 = e^{-2t}(1 + \langle\mu^2\rangle t^2)`.

*The distribution*: :math:`\mu^T G x_0` (with :math:`G = \int_0^t e^{XPs}ds`)
is a projection of :math:`x_0` on one fixed direction, so it stays an
:math:`O(1)` Gaussian variable as :math:`N \to \infty`, while the rest
self-averages.  Hence, at large :math:`N`,

.. math::

    \|x(t)\|^2 \to A(t) + B(t)\, z^2, \quad z \sim \mathcal N(0,1),\quad
    A = e^{-2t} I_0(2rt),\quad B = e^{-2t} m^2 \left[I_0(2rt) - 1\right],

a shifted, scaled :math:`\chi^2_1` law: mean :math:`A + B`, variance
:math:`2B^2`, exponential right tail of rate :math:`1/(2B)`.  At finite
:math:`N` a Gaussian part of width :math:`O(N^{-1/2})` is added; the tail is
Gaussian while :math:`B` is below that width and exponential above it
(:func:`tail_fit` measures which wins).

*Variance profiles* (``BlockVariance``): the ladder series
:math:`e^{-2t}\sum_k t^{2k}\alpha^T M^k\mathbf 1/(k!)^2`,
:math:`M_{ab} = \alpha_b g_{ab}^2`.

The transition
--------------
Tarnowski (2020; we had only the abstract) reports a second-order transition
from weak or no amplification to strong amplification, in which the average
trajectory is amplified.  Here the statement is made precise for
:math:`F(t) = \mathrm E\|x(t)\|^2` (:math:`F(0) = 1`, :math:`F'(0) = -2`):
the order parameter is :math:`G = \max_t F - 1` (0 when nothing beats the
initial norm) and the critical line :math:`\langle\mu^2\rangle_c(r)`
(:func:`critical_line`) runs from :math:`e^{2t_c}/t_c \approx 6.177` at
:math:`r = 0` (the average trajectory's own threshold) down to about 3.881 at
the edge of chaos :math:`r = 1`; a local maximum (below 1) appears earlier, on
a second line from 4 down to about 1.983.  :math:`G` rises linearly (fitted
exponent 1, :func:`critical_exponent`): continuous, with a jump of
:math:`dG/d\langle\mu^2\rangle` -- second order in the Ehrenfest sense --
while the time of the peak jumps from 0 to a finite :math:`t_c(r)`.  The
local maximum's height grows with exponent 3/2 (a saddle-node).  For
:math:`r < 1` the average trajectory is amplified exactly when
:math:`\langle\mu^2\rangle > 6.177`, above the line of the mean squared norm:
between the two lines the mean squared norm is amplified by the fluctuations
while the average trajectory is not.  Whether this matches the paper's own
order parameter we cannot tell from the abstract.

Public names
------------
:func:`mean_squared_norm`, :func:`average_trajectory_squared_norm`,
:func:`squared_norm_law` (:class:`ChiSquareLaw`), :func:`peak_amplification`,
:func:`critical_line`, :func:`critical_exponent` (:class:`ExponentFit`),
:func:`phase_diagram` (:class:`PhaseDiagram`), :func:`tail_fit`
(:class:`TailFit`), :data:`REGIONS`, and the constants
:data:`AVERAGE_LOCAL_MAX_THRESHOLD` (= 4), :data:`AVERAGE_AMPLIFICATION_TIME`
and :data:`AVERAGE_AMPLIFICATION_THRESHOLD` (about 6.177).

Layout: closed forms in ``_closed_forms``, the transition in ``_transition``, tail
statistics in ``_tails``.  This package is theory only: it imports neither the
simulator nor plotting (``.plot()`` methods import :mod:`meanfield.plotting` when
called).  Samples of :math:`\|x(t)\|^2` for the checks come from the simulator side,
:func:`meanfield.simulate.squared_norm` (:class:`~meanfield.simulate.SquaredNormSamples`);
they meet this theory in ``validation/`` and in the plots, e.g.
``samples.plot(theory=mean_squared_norm(ensemble, t))``.

References
----------
W. Tarnowski, *Transient amplification in balanced neural networks* (2020),
arXiv:2011.08215.  K. Rajan, L. F. Abbott, *Eigenvalue spectra of random
matrices for neural networks*, Phys. Rev. Lett. 97, 188104 (2006),
doi:10.1103/PhysRevLett.97.188104.
"""

from __future__ import annotations

from ._closed_forms import (
    AVERAGE_AMPLIFICATION_THRESHOLD,
    AVERAGE_AMPLIFICATION_TIME,
    AVERAGE_LOCAL_MAX_THRESHOLD,
    ChiSquareLaw,
    average_trajectory_squared_norm,
    mean_squared_norm,
    squared_norm_law,
)
from ._tails import TailFit, tail_fit
from ._transition import (
    REGIONS,
    ExponentFit,
    PhaseDiagram,
    critical_exponent,
    critical_line,
    peak_amplification,
    phase_diagram,
)

__all__ = [
    "mean_squared_norm",
    "average_trajectory_squared_norm",
    "squared_norm_law",
    "ChiSquareLaw",
    "peak_amplification",
    "critical_line",
    "critical_exponent",
    "ExponentFit",
    "phase_diagram",
    "PhaseDiagram",
    "tail_fit",
    "TailFit",
    "AVERAGE_LOCAL_MAX_THRESHOLD",
    "AVERAGE_AMPLIFICATION_THRESHOLD",
    "AVERAGE_AMPLIFICATION_TIME",
    "REGIONS",
]

_MOVED = {"simulate_squared_norm": "mf.simulate.squared_norm",
          "SquaredNormSamples": "mf.simulate.SquaredNormSamples"}


def __getattr__(name: str):
    # The sampler moved to the simulator; say where instead of a bare AttributeError
    # (importing it from here would make the theory depend on the simulator).
    if name in _MOVED:
        raise AttributeError(
            f"meanfield.transient.{name} moved to {_MOVED[name]} (theory and simulation live "
            "in separate modules; compare them with "
            "samples.plot(theory=mf.transient.mean_squared_norm(ensemble, t)))")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
