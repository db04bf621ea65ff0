r"""The finite-size simulators: one place, used by everything that checks a theory.

- the rate network :math:`\dot x = -x + J\phi(x) + I(t) + \sigma\xi(t)`:
  :func:`simulate` (:class:`SimulationResult`) and its Lyapunov exponents
  :func:`lyapunov` (:class:`LyapunovResult`), in ``_rate``;
- linear dynamics :math:`\dot x = -x + Wx` over random matrices:
  :func:`squared_norm` (:class:`SquaredNormSamples`), samples of
  :math:`\|x(t)\|^2` for the transient-amplification checks, in ``_linear``.

The package is callable: ``meanfield.simulate(J, ...)`` is :func:`simulate`, and
``meanfield.simulate.lyapunov(...)``, ``meanfield.simulate.squared_norm(...)`` are
the other entry points.

It imports no theory (``gaussian``, ``dmft``, ``transient``): it uses ``transfer``
and numpy/scipy, and draws matrices through an ensemble's ``sample(n, seed=)``
method only.  It is the independent reference the theory is checked against; the
two meet in :mod:`meanfield.compare`, :mod:`meanfield.plotting` and ``validation/``.

Examples
--------
>>> import numpy as np
>>> import meanfield as mf
>>> run = mf.simulate(np.zeros((10, 10)), "linear", t_max=20.0, dt=0.1, noise=1.0, batch=4,
...                   seed=0)
>>> run.success
True
>>> s = mf.simulate.squared_norm(mf.ensembles.Gaussian(g=0.5), [0.0, 1.0], n=20,
...                              n_matrices=2, seed=0)
>>> float(s.mean.mean[0])
1.0
"""

from __future__ import annotations

from .._callable import make_callable
from ._linear import SAMPLER_METHODS, SquaredNormSamples, squared_norm
from ._rate import (
    DIVERGENCE_FACTOR,
    METHODS,
    STATUS_DIVERGED,
    STATUS_OK,
    STATUS_STATS_OVERFLOW,
    DivergenceError,
    LyapunovResult,
    SimulationResult,
    block_bounds,
    lyapunov,
    simulate,
)

__all__ = ["simulate", "lyapunov", "SimulationResult", "LyapunovResult", "DivergenceError",
           "METHODS", "block_bounds", "squared_norm", "SquaredNormSamples", "SAMPLER_METHODS",
           "DIVERGENCE_FACTOR", "STATUS_OK", "STATUS_DIVERGED", "STATUS_STATS_OVERFLOW"]

make_callable(__name__, "simulate")
