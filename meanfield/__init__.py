"""meanfield: mean-field theory of random recurrent networks, checked against simulation.

Public modules: :mod:`~meanfield.transfer` (transfer functions),
:mod:`~meanfield.gaussian` (Gaussian averages), :mod:`~meanfield.dmft` (dynamic
mean-field theory), :mod:`~meanfield.ensembles` (random connectivity),
:mod:`~meanfield.simulate` (the finite-size simulator; the module is callable:
``mf.simulate(J, ...)``, with ``mf.simulate.lyapunov``), :mod:`~meanfield.compare`
(theory against simulation, also callable: ``mf.compare(sol, run)``),
:mod:`~meanfield.trained` (networks trained to fixed points), :mod:`~meanfield.dimension`
(dimension of activity: the participation ratio), :mod:`~meanfield.plotting`
and :class:`~meanfield.estimate.Estimate`.

The submodules are imported on first use (PEP 562 module ``__getattr__``), so that
``import meanfield`` does not pay for scipy's optimizers and statistics or for
matplotlib: ``mf.dmft`` imports :mod:`meanfield.dmft` the first time it is touched.

Examples
--------
>>> import meanfield as mf
>>> mf.gaussian.mean_phi("linear", mu=0.5, delta0=2.0)    # imported here, on first use
0.5
>>> "transient" in dir(mf)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .errors import ConvergenceError, MeanFieldError, ParameterError
from .estimate import Estimate

if TYPE_CHECKING:                       # static analysers see the eager imports
    from . import (  # noqa: F401
        compare,
        dimension,
        dmft,
        ensembles,
        errors,
        estimate,
        gaussian,
        plotting,
        simulate,
        spectra,
        trained,
        transfer,
        transient,
    )

__version__ = "0.1.0"

#: Submodules loaded on first attribute access.
_SUBMODULES = frozenset({
    "compare", "dimension", "dmft", "ensembles", "errors", "estimate", "gaussian", "plotting",
    "simulate", "spectra", "trained", "transfer", "transient",
})

__all__ = [
    "compare",
    "dimension",
    "dmft",
    "ensembles",
    "errors",
    "estimate",
    "gaussian",
    "plotting",
    "simulate",
    "spectra",
    "trained",
    "transfer",
    "transient",
    "Estimate",
    "MeanFieldError",
    "ParameterError",
    "ConvergenceError",
    "__version__",
]


def __getattr__(name: str):
    # PEP 562: only called when `name` is not (yet) a module attribute.  Importing the
    # submodule also binds it as an attribute of this package, so this runs once per name.
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
