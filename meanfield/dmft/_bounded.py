"""Whether the stationary DMFT has a bounded state: the private signal and the growth test."""

from __future__ import annotations


class _NoBoundedState(Exception):
    """Raised inside :mod:`meanfield.dmft` when a solver finds no bounded stationary state.

    A private control-flow signal, caught by the entry points and turned into the
    public error; a genuine ``OverflowError`` from the arithmetic is not caught.
    """
