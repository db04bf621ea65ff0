"""meanfield: mean-field theory of random recurrent networks, checked against simulation."""

from . import errors, transfer
from .errors import ConvergenceError, MeanFieldError, ParameterError

__version__ = "0.1.0"

__all__ = [
    "errors",
    "transfer",
    "MeanFieldError",
    "ParameterError",
    "ConvergenceError",
    "__version__",
]
