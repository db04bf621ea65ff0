"""Input validation shared by the public entry points.

Each public function has one private ``_<name>_iv`` routine that calls these
helpers; every helper raises :class:`~meanfield.errors.ParameterError` naming the
parameter, the value received and the allowed range.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

from .errors import ParameterError

__all__ = [
    "real",
    "positive",
    "nonnegative",
    "integer",
    "choice",
    "real_array",
    "float_dtype",
    "rng",
    "memory",
    "MAX_BYTES",
    "MAX_STEPS",
]


#: Largest magnitude a real parameter may have (its square and exponentials must stay finite).
HUGE = 1e100
#: Smallest non-zero gain or scale (its square must not underflow to 0).
TINY = 1e-100
#: Largest memory one call may allocate for its arrays (4 GiB): every allocation whose size
#: follows from the user's input (matrix sizes, batches, recorded frames, lag buffers) is
#: checked against it by :func:`memory` before it is made, so a typo in a size is a
#: ParameterError, not a MemoryError or a swapping machine.  A float64 matrix of N = 23170
#: units fits.  Raise it (``meanfield._checks.MAX_BYTES = ...``) on a larger machine.
MAX_BYTES = 2 ** 32
#: Default largest number of time steps of a simulation loop (1e6: about 17 s at the
#: ~17 us per step the simulator costs for a tiny network, t_max = 1e4 at dt = 0.01); a
#: longer run is refused with a message naming ``t_max`` and ``dt`` unless the caller
#: raises ``max_steps``.
MAX_STEPS = 10 ** 6

_NOT_NUMBERS = (bool, np.bool_, np.timedelta64, np.datetime64, np.complexfloating)


def _bytes(n) -> str:
    n = int(n)
    if n >= 1024 ** 7:
        return f"more than 1 ZiB (10^{len(str(n)) - 1} bytes)"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if n < 1024 or unit == "EiB":
            return f"{n:.3g} {unit}"
        n /= 1024


def memory(name: str, nbytes, what: str) -> None:
    """Raise ParameterError if an allocation of ``nbytes`` exceeds :data:`MAX_BYTES`.

    ``name`` is the parameter that sets the size (named in backticks in the message),
    ``what`` describes the arrays (``"a (100000, 100000) float64 matrix"``).
    """
    nbytes = int(nbytes)
    if nbytes > MAX_BYTES:
        raise ParameterError(
            f"`{name}` asks for too much memory: {what} needs {_bytes(nbytes)}, more than the "
            f"{_bytes(MAX_BYTES)} one call may allocate (meanfield._checks.MAX_BYTES)")


def real(name: str, value, *, low=None, high=None, low_open=False, high_open=False,
         allowed: str | None = None) -> float:
    """Return ``value`` as a finite float inside ``[low, high]`` or raise ParameterError.

    Accepted: Python ints and floats, numpy integer and floating scalars (float16 and
    float32 are widened to float64 exactly) and 0-d such arrays.  Refused, naming the
    parameter: bools, complex numbers, ``np.timedelta64`` / ``np.datetime64``, strings,
    sequences, and integers too large for a float.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
        value = value[()]
    if isinstance(value, _NOT_NUMBERS) or not isinstance(value, (numbers.Real, np.number)):
        raise ParameterError(
            f"`{name}` must be a real number; got {name}={value!r} ({type(value).__name__})")
    try:
        v = float(value)
    except (OverflowError, TypeError, ValueError):
        raise ParameterError(f"`{name}` must be a real number of magnitude at most {HUGE:g}; "
                             f"got {name}={_short(value)}") from None
    rng_txt = allowed
    if rng_txt is None:
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        rng_txt = f"a finite number in {'(' if low_open or low is None else '['}{lo}, " \
                  f"{hi}{')' if high_open or high is None else ']'}"
    if not np.isfinite(v):
        raise ParameterError(f"`{name}` must be {rng_txt}; got {name}={value!r}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ParameterError(f"`{name}` must be {rng_txt}; got {name}={value!r}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ParameterError(f"`{name}` must be {rng_txt}; got {name}={value!r}")
    if abs(v) > HUGE:
        raise ParameterError(f"`{name}` must be at most {HUGE:g} in magnitude (larger values "
                             f"overflow the theory); got {name}={value!r}")
    return v


def positive(name: str, value) -> float:
    """A finite float in ``[TINY, HUGE]`` (gains, scales: their squares must not underflow)."""
    v = real(name, value, low=0.0, low_open=True, allowed="positive and finite")
    if v < TINY:
        raise ParameterError(f"`{name}` must be at least {TINY:g} (smaller values underflow "
                             f"when squared); got {name}={value!r}")
    return v


def nonnegative(name: str, value) -> float:
    """A finite float, 0 or in ``[TINY, HUGE]``."""
    v = real(name, value, low=0.0, allowed="non-negative and finite")
    if 0.0 < v < TINY:
        raise ParameterError(f"`{name}` must be 0 or at least {TINY:g} (smaller values underflow "
                             f"when squared); got {name}={value!r}")
    return v


def integer(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (Python or numpy, not bool, not float, not timedelta) inside ``[low, high]``."""
    if isinstance(value, _NOT_NUMBERS):
        raise ParameterError(f"`{name}` must be an integer; got {name}={value!r} "
                             f"({type(value).__name__})")
    try:
        v = operator.index(value)
    except TypeError:
        raise ParameterError(
            f"`{name}` must be an integer; got {name}={_short(value)} ({type(value).__name__})"
        ) from None
    if (low is not None and v < low) or (high is not None and v > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ParameterError(f"`{name}` must be an integer in [{lo}, {hi}]; got {name}={_short(v)}")
    return v


def _short(value) -> str:
    """repr of a value, shortened (a 400-digit integer is not a useful message)."""
    r = repr(value)
    return r if len(r) <= 60 else r[:40] + f"... ({len(r)} characters)"


def choice(name: str, value, options) -> str:
    """One of a fixed set of option strings."""
    if not isinstance(value, str) or value not in options:
        opts = ", ".join(repr(o) for o in options)
        raise ParameterError(f"`{name}` must be one of {opts}; got {name}={value!r}")
    return value


def real_array(name: str, value, *, ndim=None, shape=None, finite=True, low=None,
               low_open=False) -> np.ndarray:
    """A float64 array with the given number of dimensions / shape, all finite.

    Integer and floating arrays (float16 and float32 widened to float64) and nested
    lists of such numbers are accepted; booleans, complex, timedelta/datetime, strings,
    objects (e.g. integers too large for int64) and ragged lists are refused.
    """
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like  # noqa: BLE001
        raise ParameterError(f"`{name}` must be an array of real numbers (not ragged); "
                             f"got {_short(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise ParameterError(
            f"`{name}` must be an array of real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim not in np.atleast_1d(ndim):
        raise ParameterError(
            f"`{name}` must have {ndim} dimension(s); got shape {arr.shape}")
    if shape is not None:
        if len(shape) != arr.ndim or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
            raise ParameterError(f"`{name}` must have shape {want}; got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ParameterError(f"`{name}` must contain only finite numbers")
    if finite and arr.size and float(np.max(np.abs(arr))) > HUGE:
        raise ParameterError(f"`{name}` must be at most {HUGE:g} in magnitude (larger values "
                             f"overflow the theory); got max |{name}| = {float(np.max(np.abs(arr)))!r}")
    if low is not None:
        bad = arr <= low if low_open else arr < low
        if np.any(bad):
            op = ">" if low_open else ">="
            raise ParameterError(f"`{name}` must be {op} {low} everywhere; got min {arr.min()!r}")
    return arr


def complex_array(name: str, value) -> np.ndarray:
    """A complex128 array (real input accepted), all finite; any shape."""
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and the like  # noqa: BLE001
        raise ParameterError(f"`{name}` must be an array of numbers (not ragged); "
                             f"got {_short(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "iufc":
        raise ParameterError(f"`{name}` must be an array of (complex) numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.complex128)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"`{name}` must contain only finite numbers")
    return arr


def float_dtype(name: str, dtype) -> np.dtype:
    """np.float64 or np.float32 (the dtypes the simulator and samplers support)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ParameterError(
            f"`{name}` must be np.float64 or np.float32; got {name}={dtype!r}") from None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ParameterError(f"`{name}` must be np.float64 or np.float32; got {name}={dt}")
    return dt


def rng(seed) -> np.random.Generator:
    """A numpy Generator from ``None``, an int or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool):
        raise ParameterError(f"`seed` must be None, a non-negative integer or a "
                             f"numpy.random.Generator; got seed={seed!r}")
    try:
        s = operator.index(seed)
    except TypeError:
        raise ParameterError(f"`seed` must be None, a non-negative integer or a "
                             f"numpy.random.Generator; got seed={seed!r}") from None
    if s < 0:
        raise ParameterError(f"`seed` must be a non-negative integer; got seed={s}")
    return np.random.default_rng(s)
