r"""Monte Carlo estimates: a mean with its standard error.

An :class:`Estimate` is what the simulator reports for every statistic: the mean
over independent samples (trajectories of a batch, or time blocks of one
trajectory), the standard error of that mean and the number of samples.  It
prints as ``mean ± stderr``.  The mean and standard error may be scalars
(floats) or arrays of the same shape (e.g. an autocovariance on a lag grid);
indexing an array-valued estimate gives the estimate of one element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _checks
from .errors import ParameterError

__all__ = ["Estimate"]


def _fmt(mean: float, stderr: float) -> str:
    """``mean ± stderr`` with the stderr to two significant digits."""
    if not (np.isfinite(stderr) and stderr > 0 and np.isfinite(mean)):
        return f"{mean:.6g} ± {stderr:.2g}"
    digits = 1 - int(math.floor(math.log10(stderr)))
    if digits > 8 or max(abs(mean), stderr) >= 1e6:
        return f"{mean:.4e} ± {stderr:.1e}"
    d = max(digits, 0)
    return f"{mean:.{d}f} ± {stderr:.{d}f}"


@dataclass(frozen=True, eq=False)
class Estimate:
    r"""A sample mean with the standard error of the mean.

    Parameters
    ----------
    mean : float or ndarray
        Sample mean :math:`\bar y = \frac{1}{n}\sum_s y_s`.
    stderr : float or ndarray
        Standard error of the mean, :math:`s/\sqrt{n}` with the ``ddof=1`` sample
        standard deviation :math:`s`; same shape as ``mean``.
    n : int
        Number of independent samples.

    Notes
    -----
    Scalars are stored as Python floats, arrays as read-only float64 arrays.
    ``z(value)`` is :math:`(\bar y - \mathrm{value}) / \mathrm{stderr}`, the
    number of standard errors by which the estimate misses ``value``.

    Examples
    --------
    >>> Estimate(1.2345, 0.0012, 8)
    1.2345 ± 0.0012 (n=8)
    >>> Estimate.from_samples([1.0, 2.0, 3.0]).mean
    2.0
    """

    mean: Any
    stderr: Any
    n: int

    def __post_init__(self):
        n = _checks.integer("n", self.n, low=1)
        m = _checks.real_array("mean", self.mean)
        s = _checks.real_array("stderr", self.stderr)
        if m.shape != s.shape:
            raise ParameterError(
                f"`stderr` must have the shape of `mean` {m.shape}; got shape {s.shape}")
        if np.any(s < 0):
            raise ParameterError("`stderr` must be non-negative")
        if m.ndim == 0:
            m, s = float(m), float(s)
        else:
            m, s = m.copy(), s.copy()
            m.flags.writeable = False
            s.flags.writeable = False
        object.__setattr__(self, "mean", m)
        object.__setattr__(self, "stderr", s)
        object.__setattr__(self, "n", n)

    # -- construction -------------------------------------------------------
    @classmethod
    def from_samples(cls, samples, axis: int = 0) -> Estimate:
        r"""Mean and standard error of the mean over independent samples.

        Parameters
        ----------
        samples : array_like
            Independent samples along ``axis`` (at least two).
        axis : int
            The sample axis.

        Returns
        -------
        Estimate
            ``mean = samples.mean(axis)``,
            ``stderr = samples.std(axis, ddof=1) / sqrt(n)``, ``n = samples.shape[axis]``.

        Raises
        ------
        ParameterError
            If there are fewer than two samples or non-finite values.

        Examples
        --------
        >>> Estimate.from_samples([1.0, 2.0, 3.0, 6.0])
        3.0 ± 1.1 (n=4)
        >>> Estimate.from_samples([[1.0, 10.0], [3.0, 14.0]]).mean      # one mean per column
        array([ 2., 12.])
        """
        arr = _checks.real_array("samples", samples)
        if arr.ndim == 0:
            raise ParameterError("`samples` must be an array with a sample axis; got a scalar")
        axis = _checks.integer("axis", axis, low=-arr.ndim, high=arr.ndim - 1)
        n = arr.shape[axis]
        if n < 2:
            raise ParameterError(
                f"`samples` must hold at least 2 samples along axis {axis} to estimate a "
                f"standard error; got {n}")
        mean = arr.mean(axis=axis)
        stderr = arr.std(axis=axis, ddof=1) / math.sqrt(n)
        return cls(mean, stderr, n)

    # -- use ----------------------------------------------------------------
    def z(self, value) -> float | np.ndarray:
        r"""Standard score :math:`(\bar y - \mathrm{value}) / \mathrm{stderr}`.

        Infinite when the standard error is 0 and the mean misses ``value``.

        Examples
        --------
        >>> round(Estimate(1.05, 0.01, 8).z(1.0), 9)
        5.0
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (np.asarray(self.mean) - np.asarray(value, dtype=np.float64)) / \
                np.asarray(self.stderr)
        return float(out) if np.ndim(out) == 0 else out

    @property
    def shape(self) -> tuple:
        """Shape of the mean (``()`` for a scalar estimate).

        Examples
        --------
        >>> Estimate([1.0, 2.0], [0.1, 0.1], 5).shape, Estimate(1.0, 0.1, 5).shape
        ((2,), ())
        """
        return np.shape(self.mean)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("a scalar Estimate has no len()")
        return self.shape[0]

    def __getitem__(self, index) -> Estimate:
        if not self.shape:
            raise TypeError("a scalar Estimate cannot be indexed")
        return Estimate(self.mean[index], self.stderr[index], self.n)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other) -> bool:
        if not isinstance(other, Estimate):
            return NotImplemented
        return (self.n == other.n and np.array_equal(self.mean, other.mean, equal_nan=True)
                and np.array_equal(self.stderr, other.stderr, equal_nan=True))

    def __hash__(self):
        if self.shape:
            raise TypeError("an array-valued Estimate is not hashable")
        return hash((self.mean, self.stderr, self.n))

    def to_dict(self) -> dict:
        """``{"mean", "stderr", "n"}`` with arrays as lists (JSON-ready).

        Examples
        --------
        >>> Estimate([1.0, 2.0], [0.1, 0.2], 5).to_dict()
        {'mean': [1.0, 2.0], 'stderr': [0.1, 0.2], 'n': 5}
        """
        if self.shape:
            return {"mean": self.mean.tolist(), "stderr": self.stderr.tolist(), "n": self.n}
        return {"mean": self.mean, "stderr": self.stderr, "n": self.n}

    def __str__(self) -> str:
        if not self.shape:
            return f"{_fmt(self.mean, self.stderr)} (n={self.n})"
        flat_m, flat_s = self.mean.ravel(), self.stderr.ravel()
        items = [_fmt(m, s) for m, s in zip(flat_m, flat_s)]
        if len(items) > 6:
            items = items[:3] + ["..."] + items[-2:]
        return f"[{', '.join(items)}] (n={self.n}, shape={self.shape})"

    __repr__ = __str__
