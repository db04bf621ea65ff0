"""Exceptions raised by meanfield.

Every public entry point validates its input in one place and raises
:class:`ParameterError` naming the parameter, the value received and what is
allowed.  Solvers that fail to converge raise :class:`ConvergenceError` with the
partial result attached (or, with ``check=False``, return a result whose
``success`` is ``False``); a simulation whose state grows without bound raises
:class:`DivergenceError`, a kind of ConvergenceError.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MeanFieldError", "ParameterError", "ConvergenceError", "DivergenceError"]


class MeanFieldError(Exception):
    """Base class of every exception raised by meanfield on purpose."""


class ParameterError(MeanFieldError, ValueError):
    """A parameter is outside the domain of the function or theory.

    The message names the parameter, the value received and the allowed range,
    e.g. ``"`g` must be positive and finite; got g=-0.5"``.
    """


class ConvergenceError(MeanFieldError, RuntimeError):
    """A solver did not reach its tolerance.

    Attributes
    ----------
    result : object or None
        The partial result (with ``success=False``) at the point the solver stopped.
    """

    def __init__(self, message: str, result: Any = None):
        super().__init__(message)
        self.result = result


class DivergenceError(ConvergenceError, FloatingPointError):
    """A simulation diverged: its state grew beyond the stated bound or became non-finite.

    A :class:`ConvergenceError` (so ``except ConvergenceError`` catches every failed run)
    and, as before, a ``FloatingPointError``.  ``result`` holds the failed result
    (``success=False``, the message says when and how far the state had grown) or None.
    """
