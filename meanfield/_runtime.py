"""Run-time helpers shared by the theory and the simulator: BLAS threads and progress bars.

One home for what was written in several modules: :func:`blas_threads` (pin the
BLAS/LAPACK thread count for a block, with threadpoolctl), :func:`progress_bar` (a
tqdm bar that can be turned off), :func:`seed_value` (the integer seed a result
echoes; :func:`meanfield._checks.rng` makes the generator) and :func:`chunks` (slices
bounding the size of work arrays).  Nothing here imports the library's theory or its simulator.

Examples
--------
>>> from meanfield._runtime import blas_threads, progress_bar, seed_value
>>> with blas_threads(None):          # None leaves the setting alone
...     pass
>>> progress_bar(10, False, "work") is None
True
>>> seed_value(3), seed_value(None)
(3, None)
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _checks

__all__ = ["blas_threads", "progress_bar", "seed_value", "chunks"]


def blas_threads(threads):
    """Context manager limiting the BLAS threads to ``threads`` (None: leave them alone).

    Parameters
    ----------
    threads : int or None
        Number of BLAS threads, >= 1 (validated: ``ParameterError`` naming ``threads``).

    Returns
    -------
    context manager
        ``threadpoolctl.threadpool_limits(threads, user_api="blas")``, or a null context.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.ones((2, 2)) @ np.ones(2) @ np.ones(2))
    4.0
    """
    if threads is None:
        return contextlib.nullcontext()
    threads = _checks.integer("threads", threads, low=1)
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=threads, user_api="blas")


def progress_bar(total: int, enabled: bool, desc: str, unit: str = "it"):
    """A tqdm bar of ``total`` steps, or None when ``enabled`` is false.

    Callers update it with ``bar.update(k)`` and close it with ``bar.close()``
    when it is not None.

    Examples
    --------
    >>> progress_bar(5, False, "steps") is None
    True
    """
    if not enabled:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit)


def seed_value(seed) -> int | None:
    """The integer a result records for ``seed`` (None for None or a Generator).

    Examples
    --------
    >>> import numpy as np
    >>> seed_value(np.int64(7)), seed_value(np.random.default_rng(0))
    (7, None)
    """
    return None if seed is None or isinstance(seed, np.random.Generator) else int(seed)


def chunks(total: int, size: int):
    """Consecutive slices of at most ``size`` items covering ``range(total)``.

    Examples
    --------
    >>> list(chunks(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    for start in range(0, total, size):
        yield slice(start, min(total, start + size))
