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
    """Base class of every exception raised by meanfield on purpose.

    Examples
    --------
    >>> import meanfield as mf
    >>> try:
    ...     mf.transfer.get("tan")
    ... except mf.errors.MeanFieldError as exc:
    ...     print(type(exc).__name__)
    ParameterError
    """


class ParameterError(MeanFieldError, ValueError):
    """A parameter is outside the domain of the function or theory.

    The message names the parameter, the value received and the allowed range,
    e.g. ``"`g` must be positive and finite; got g=-0.5"``.  A ``ValueError``, so
    code written for numpy and scipy catches it too.

    Examples
    --------
    >>> import meanfield as mf
    >>> try:
    ...     mf.dmft.solve(-0.5)
    ... except ValueError as exc:
    ...     print(type(exc).__name__, exc)
    ParameterError `g` must be positive and at most 1000; got g=-0.5
    """


class ConvergenceError(MeanFieldError, RuntimeError):
    """A solver did not reach its tolerance.

    Attributes
    ----------
    result : object or None
        The partial result (with ``success=False``) at the point the solver stopped.

    Examples
    --------
    A linear network with gain 3 has no bounded state; the simulator stops and
    attaches the failed result:

    >>> import numpy as np
    >>> import meanfield as mf
    >>> try:
    ...     mf.simulate(3.0 * np.eye(3), "linear", 20.0, 0.1, seed=0)
    ... except mf.errors.ConvergenceError as exc:
    ...     print(exc.result.success, exc.result.status)
    False 1
    """

    def __init__(self, message: str, result: Any = None):
        super().__init__(message)
        self.result = result


class DivergenceError(ConvergenceError, FloatingPointError):
    """A simulation diverged: its state grew beyond the stated bound or became non-finite.

    A :class:`ConvergenceError` (so ``except ConvergenceError`` catches every failed run)
    and, as before, a ``FloatingPointError``.  ``result`` holds the failed result
    (``success=False``, the message says when and how far the state had grown) or None.

    Examples
    --------
    >>> import numpy as np
    >>> import meanfield as mf
    >>> try:
    ...     mf.simulate(3.0 * np.eye(3), "linear", 20.0, 0.1, seed=0)
    ... except mf.errors.DivergenceError as exc:
    ...     print(str(exc)[:34])
    diverged at t=14.4 (step 144): max
    >>> res = mf.simulate(3.0 * np.eye(3), "linear", 20.0, 0.1, seed=0, check=False)
    >>> res.success
    False
    """
