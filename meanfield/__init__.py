"""meanfield: mean-field theory of random recurrent networks, checked against simulation.

Public modules: :mod:`~meanfield.transfer` (transfer functions),
:mod:`~meanfield.gaussian` (Gaussian averages), :mod:`~meanfield.dmft` (dynamic
mean-field theory), :mod:`~meanfield.ensembles` (random connectivity),
:mod:`~meanfield.simulate` (the finite-size simulator; the module is callable:
``mf.simulate(J, ...)``, with ``mf.simulate.lyapunov``), :mod:`~meanfield.compare`
(theory against simulation, also callable: ``mf.compare(sol, run)``),
:mod:`~meanfield.plotting` and :class:`~meanfield.estimate.Estimate`.
"""

from . import (
    compare,
    dmft,
    ensembles,
    errors,
    estimate,
    gaussian,
    plotting,
    simulate,
    spectra,
    transfer,
    transient,
)
from .errors import ConvergenceError, MeanFieldError, ParameterError
from .estimate import Estimate

__version__ = "0.1.0"

__all__ = [
    "compare",
    "dmft",
    "ensembles",
    "errors",
    "estimate",
    "gaussian",
    "plotting",
    "simulate",
    "spectra",
    "transfer",
    "transient",
    "Estimate",
    "MeanFieldError",
    "ParameterError",
    "ConvergenceError",
    "__version__",
]
