"""Base class shared by the random-matrix ensembles."""

from __future__ import annotations

import abc

import numpy as np

from .. import _checks

__all__ = ["Ensemble"]


class Ensemble(abc.ABC):
    """A distribution of ``(n, n)`` coupling matrices.

    Subclasses implement :meth:`sample`; they should also expose what the theory
    knows of the spectrum (``spectral_radius``, ``outliers()``, ...).
    """

    @abc.abstractmethod
    def sample(self, n: int, seed=None, dtype=np.float64) -> np.ndarray:
        """Draw one ``(n, n)`` matrix.

        Parameters
        ----------
        n : int
            Number of units, ``n >= 1``.
        seed : None, int or numpy.random.Generator
            Source of randomness (the global numpy state is never used).
        dtype : numpy float dtype
            ``np.float64`` or ``np.float32``.
        """

    @staticmethod
    def _sample_iv(n, seed, dtype):
        n = _checks.integer("n", n, low=1)
        gen = _checks.rng(seed)
        return n, gen, _checks.float_dtype("dtype", dtype)
