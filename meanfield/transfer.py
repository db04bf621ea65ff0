r"""Transfer functions :math:`\phi` with their derivatives and primitive.

A transfer function is a :class:`TransferFunction` holding vectorised callables
``phi``, ``dphi`` (:math:`\phi'`), ``d2phi`` (:math:`\phi''`) and ``primitive``
(:math:`\Phi`, with :math:`\Phi' = \phi` and :math:`\Phi(0) = 0`).

Named functions (``get("tanh")`` etc.):

=========== ============================== =====================================
name        :math:`\phi(x)`                 notes
=========== ============================== =====================================
``tanh``    :math:`\tanh x`                 odd, :math:`\phi'(0) = 1`, poles at :math:`\pm i\pi/2`
``erf``     :math:`\mathrm{erf}(\sqrt{\pi} x / 2)` odd, :math:`\phi'(0) = 1`, entire
``relu``    :math:`\max(x, 0)`               kink at 0; :math:`\phi'' = \delta(x)` (``d2phi`` returns 0)
``sigmoid`` :math:`1 / (1 + e^{-x})`        logistic, poles at :math:`\pm i\pi`
``linear``  :math:`x`                        :math:`\phi' = 1`
=========== ============================== =====================================

User-defined functions are built with :func:`custom`.  Missing derivatives are
computed by a Richardson-extrapolated central difference with step 1e-2 (error
about 1e-12 max|phi| for phi' and 1e-9 max|phi| for phi'' -- absolute, not
relative -- for functions smooth on that scale; measured on tanh and sigmoid in
``tests/test_transfer.py``), a missing primitive by
composite 16-point Gauss-Legendre quadrature from 0 on panels of width at most
1/2 up to :math:`|x| = 256` and growing geometrically (ratio 9/8) beyond
(accuracy near machine precision for functions analytic in a strip of
half-width >= 0.1, and, beyond 256, smooth on the scale of :math:`|x|` itself: the
saturating, polynomial and logarithmic growth of transfer functions).  Its work
and memory are bounded: at most about 6500 panels plus one per distinct argument,
evaluated 16384 panels at a time, for any arguments.

:func:`custom` probes a user function before accepting it: it must be finite on
:math:`|x| \le 10^6` (an ``exp`` overflowing at 710 is refused with a hint), and
without jumps there, unless the derivatives and primitive are given (numerical
derivatives of a step are meaningless).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from . import _checks
from .errors import ParameterError

__all__ = ["TransferFunction", "get", "custom", "NAMES"]

_SQPI2 = math.sqrt(math.pi) / 2.0


@dataclass(frozen=True)
class TransferFunction:
    r"""A transfer function :math:`\phi` and what the theory needs of it.

    Attributes
    ----------
    name : str
        Name (``"tanh"``, ``"erf"``, ... or the user's).
    phi, dphi, d2phi, primitive : callable
        Vectorised :math:`\phi`, :math:`\phi'`, :math:`\phi''`, :math:`\Phi` (with
        :math:`\Phi(0) = 0`).
    odd : bool
        Whether :math:`\phi(-x) = -\phi(x)`.
    strip : float
        Half-width of the strip around the real axis in which :math:`\phi` is
        analytic and bounded, used to choose quadrature node spacing; ``inf`` for
        entire functions of moderate growth, ``0`` for non-smooth functions.
    kinks : tuple of float
        Points where :math:`\phi` is not smooth (``(0.0,)`` for relu).
    exact_derivatives : bool
        False when derivatives or primitive were derived numerically.

    Examples
    --------
    >>> from meanfield.transfer import get
    >>> tanh = get("tanh")
    >>> tanh
    TransferFunction(name='tanh', odd=True, strip=1.5707963267948966, kinks=(), exact_derivatives=True)
    >>> round(float(tanh(0.5)), 6), round(float(tanh.dphi(0.5)), 6), tanh.slope0
    (0.462117, 0.786448, 1.0)
    >>> round(float(tanh.primitive(1.0)), 6)  # log cosh(1)
    0.433781
    """

    name: str
    phi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    dphi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    d2phi: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    primitive: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    odd: bool = False
    strip: float = 1.0
    kinks: tuple = ()
    exact_derivatives: bool = True

    def __call__(self, x):
        return self.phi(x)

    @property
    def slope0(self) -> float:
        r""":math:`\phi'(0)`."""
        return float(self.dphi(np.array(0.0)))


def _logcosh(x):
    # log cosh x = log1p(2 sinh^2(x/2)) (no cancellation near 0); |x| + log1p(e^{-2|x|}) - log 2 beyond
    a = np.abs(np.asarray(x, dtype=float))
    small = np.minimum(a, 1.0)
    sh = np.sinh(0.5 * small)
    return np.where(a < 1.0, np.log1p(2.0 * sh * sh),
                    a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0))


def _sech2(x):
    # 1 - tanh^2 cancels for large |x|; 4 e^{-2|x|} / (1 + e^{-2|x|})^2 does not
    e = np.exp(-2.0 * np.abs(np.asarray(x, dtype=float)))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _tanh_d1(x):
    return _sech2(x)


def _tanh_d2(x):
    return -2.0 * np.tanh(x) * _sech2(x)


def _erf(x):
    return special.erf(_SQPI2 * np.asarray(x, dtype=float))


def _erf_d1(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-0.25 * math.pi * x * x)


def _erf_d2(x):
    x = np.asarray(x, dtype=float)
    return -0.5 * math.pi * x * np.exp(-0.25 * math.pi * x * x)


def _erf_prim(x):
    x = np.asarray(x, dtype=float)
    return x * special.erf(_SQPI2 * x) + (2.0 / math.pi) * np.expm1(-0.25 * math.pi * x * x)


def _relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def _relu_d1(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


def _zeros(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def _ones(x):
    return np.ones_like(np.asarray(x, dtype=float))


def _relu_prim(x):
    r = np.maximum(np.asarray(x, dtype=float), 0.0)
    return 0.5 * r * r


def _sig_d1(x):
    # s (1 - s) with 1 - s = expit(-x): no cancellation for large x
    return special.expit(x) * special.expit(-x)


def _sig_d2(x):
    # 1 - 2 s = -tanh(x / 2)
    return -special.expit(x) * special.expit(-x) * np.tanh(0.5 * np.asarray(x, dtype=float))


def _softplus(x):
    # log((1 + e^x) / 2): log1p(expm1(x) / 2) is accurate near 0 (no cancellation against log 2)
    x = np.asarray(x, dtype=float)
    lo = np.minimum(x, 1.0)
    return np.where(x < 1.0, np.log1p(0.5 * np.expm1(lo)), np.logaddexp(0.0, x) - math.log(2.0))


def _identity(x):
    return np.asarray(x, dtype=float) * 1.0


def _half_square(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * x * x


_NAMED = {
    "tanh": TransferFunction("tanh", np.tanh, _tanh_d1, _tanh_d2, _logcosh,
                             odd=True, strip=math.pi / 2),
    "erf": TransferFunction("erf", _erf, _erf_d1, _erf_d2, _erf_prim, odd=True, strip=1.0),
    "relu": TransferFunction("relu", _relu, _relu_d1, _zeros, _relu_prim, odd=False,
                             strip=0.0, kinks=(0.0,)),
    "sigmoid": TransferFunction("sigmoid", special.expit, _sig_d1, _sig_d2, _softplus,
                                odd=False, strip=math.pi),
    "linear": TransferFunction("linear", _identity, _ones, _zeros, _half_square, odd=True,
                               strip=math.inf),
}

#: Names accepted by :func:`get`.
NAMES = tuple(_NAMED)


def get(phi) -> TransferFunction:
    """Return the :class:`TransferFunction` for a name or pass one through.

    Parameters
    ----------
    phi : str or TransferFunction
        One of :data:`NAMES` or a :class:`TransferFunction` (e.g. from :func:`custom`).

    Raises
    ------
    ParameterError
        For an unknown name or another type.

    Examples
    --------
    >>> from meanfield.transfer import NAMES, get
    >>> NAMES
    ('tanh', 'erf', 'relu', 'sigmoid', 'linear')
    >>> get("ReLU").name, get("relu").kinks
    ('relu', (0.0,))
    >>> get(get("erf")) is get("erf")
    True
    >>> get("tan")
    Traceback (most recent call last):
    ...
    meanfield.errors.ParameterError: `phi` must be one of ... got phi='tan'
    """
    if isinstance(phi, TransferFunction):
        return phi
    if isinstance(phi, str):
        key = phi.strip().lower()
        if key in _NAMED:
            return _NAMED[key]
        raise ParameterError(
            f"`phi` must be one of {', '.join(map(repr, NAMES))} or a TransferFunction "
            f"from meanfield.transfer.custom; got phi={phi!r}")
    raise ParameterError(
        f"`phi` must be a name ({', '.join(map(repr, NAMES))}) or a TransferFunction; "
        f"got {type(phi).__name__}. Wrap a plain callable with meanfield.transfer.custom(f).")


# --- numerical derivatives and primitive for user functions -----------------

def _num_derivative(f, order: int, h: float = 1e-2):
    """Richardson-extrapolated central difference of order 1 or 2 (error O(h^6))."""

    def d(x):
        x = np.asarray(x, dtype=float)

        def cd(hh):
            if order == 1:
                return (f(x + hh) - f(x - hh)) / (2 * hh)
            return (f(x + hh) - 2 * f(x) + f(x - hh)) / (hh * hh)

        d1, d2, d3 = cd(h), cd(h / 2), cd(h / 4)
        r1 = (4 * d2 - d1) / 3
        r2 = (4 * d3 - d2) / 3
        return (16 * r2 - r1) / 15

    return d


_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_PANEL = 0.5          # panel width of the primitive's quadrature up to _GRADED
_GRADED = 256.0       # beyond, panel edges grow geometrically by _RATIO
_RATIO = 1.125
_CHUNK = 1 << 14      # panels per call of f (16 nodes each: 2 MiB of float64)


def _breakpoints(top: float) -> np.ndarray:
    """Panel edges on [0, top]: spacing 1/2 up to 256, then ratio 9/8 (<= ~6500 edges)."""
    lin = np.arange(0.0, min(top, _GRADED) + _PANEL, _PANEL)
    if top <= _GRADED:
        return lin[lin < top]
    k = math.ceil(math.log(top / _GRADED) / math.log(_RATIO))
    geo = _GRADED * _RATIO ** np.arange(1, k + 1, dtype=float)
    return np.concatenate([lin[lin <= _GRADED], geo[geo < top]])


def _num_primitive(f):
    """Phi(x) = int_0^x f by composite 16-point Gauss-Legendre (bounded work, see module doc).

    The distinct |x| of each sign and the panel edges of :func:`_breakpoints` are merged
    into one sorted grid; the panel integrals are summed cumulatively, so every argument
    costs one extra panel at most.  Non-finite arguments give NaN.
    """

    def prim(x):
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1)
        out = np.full(flat.shape, np.nan)
        ok = np.isfinite(flat)
        out[ok & (flat == 0.0)] = 0.0
        for sign in (1.0, -1.0):
            sel = ok & (sign * flat > 0.0)
            if not np.any(sel):
                continue
            uniq, inv = np.unique(sign * flat[sel], return_inverse=True)
            nodes = np.union1d(_breakpoints(float(uniq[-1])), uniq)
            a, b = nodes[:-1], nodes[1:]
            seg = np.empty(a.size)
            for i in range(0, a.size, _CHUNK):
                half = 0.5 * (b[i:i + _CHUNK] - a[i:i + _CHUNK])
                mid = 0.5 * (b[i:i + _CHUNK] + a[i:i + _CHUNK])
                t = mid[:, None] + half[:, None] * _GL_X[None, :]
                seg[i:i + _CHUNK] = half * (np.asarray(f(sign * t), dtype=float) @ _GL_W)
            cum = np.concatenate([[0.0], np.cumsum(seg)])
            out[sel] = sign * cum[np.searchsorted(nodes, uniq)][inv.reshape(-1)]
        return out.reshape(x.shape)

    return prim


_PROBE = 1e6          # custom() checks phi for finiteness and jumps on |x| <= _PROBE


def _probe_grid() -> np.ndarray:
    lin = np.arange(-64.0, 64.0 + 1 / 128, 1 / 64)
    pos = np.geomspace(64.0, _PROBE, 89)[1:]
    return np.concatenate([-pos[::-1], lin, pos])


def _find_jump(phi, xs, vals):
    """A jump of phi in the probe grid, as (x, size, width), or None.

    The intervals with the largest increments (four in |x| <= 64, four beyond) are
    bisected 44 times, keeping the half with the larger increment: a continuous phi's
    increment shrinks with the width (by ~1e-13 here), a jump's stays its size.
    """
    d = np.abs(np.diff(vals))
    inner = np.abs(xs[:-1]) < 64.0
    picks = []
    for mask in (inner, ~inner):
        idx = np.flatnonzero(mask)
        picks.extend(idx[np.argsort(d[idx])[-4:]])
    picks = np.array([i for i in picks if d[i] > 0], dtype=int)
    if picks.size == 0:
        return None
    a, b = xs[picks].copy(), xs[picks + 1].copy()
    fa, fb = vals[picks].copy(), vals[picks + 1].copy()
    start = np.abs(fb - fa)
    for _ in range(44):
        m = 0.5 * (a + b)
        fm = np.asarray(phi(m), dtype=float)
        left = np.abs(fm - fa) >= np.abs(fb - fm)
        a, fa = np.where(left, a, m), np.where(left, fa, fm)
        b, fb = np.where(left, m, b), np.where(left, fm, fb)
    size = np.abs(fb - fa)
    jump = np.isfinite(size) & (size > 1e-3 * start)
    if not np.any(jump):
        return None
    k = int(np.argmax(np.where(jump, size, -1.0)))
    return float(0.5 * (a[k] + b[k])), float(size[k]), float(b[k] - a[k])


def custom(phi, dphi=None, d2phi=None, primitive=None, *, name: str = "custom",
           odd: bool = False, strip: float = 0.5, kinks=()) -> TransferFunction:
    r"""Build a :class:`TransferFunction` from user callables.

    Parameters
    ----------
    phi : callable
        Vectorised :math:`\phi(x)` (numpy array in, array of the same shape out).
    dphi, d2phi, primitive : callable, optional
        :math:`\phi'`, :math:`\phi''` and :math:`\Phi` with :math:`\Phi(0)=0`.  Missing
        ones are derived numerically: derivatives by Richardson-extrapolated
        central differences (step 1e-2; absolute error about 1e-12 max|phi| for
        phi' and 1e-9 max|phi| for phi''), the primitive by composite Gauss-Legendre
        quadrature (near machine precision for smooth functions).
    name : str
        Label used in results and reports.
    odd : bool
        Declare :math:`\phi` odd (enables symmetry shortcuts; checked at a few points).
    strip : float
        Half-width of the analyticity strip of :math:`\phi` (sets the quadrature
        node spacing; smaller is safer and slower).  Use 0 with ``kinks`` for a
        non-smooth function.
    kinks : sequence of float
        Points where :math:`\phi` is not smooth.

    Raises
    ------
    ParameterError
        If a callable is missing or returns non-finite or wrongly shaped values at
        test points, or if ``odd=True`` is contradicted by the values.

    Examples
    --------
    Missing derivatives and primitive are derived numerically:

    >>> import numpy as np
    >>> from meanfield.transfer import custom
    >>> phi = custom(np.tanh, name="my_tanh", odd=True)
    >>> phi.name, phi.exact_derivatives
    ('my_tanh', False)
    >>> round(float(phi.dphi(0.5)), 8), round(float(1 / np.cosh(0.5) ** 2), 8)
    (0.78644773, 0.78644773)
    >>> round(float(phi.primitive(1.0)), 8), round(float(np.log(np.cosh(1.0))), 8)
    (0.43378083, 0.43378083)
    """
    if not callable(phi):
        raise ParameterError(f"`phi` must be callable; got {type(phi).__name__}")
    for nm, fn in (("dphi", dphi), ("d2phi", d2phi), ("primitive", primitive)):
        if fn is not None and not callable(fn):
            raise ParameterError(f"`{nm}` must be callable or None; got {type(fn).__name__}")
    if not isinstance(name, str) or not name:
        raise ParameterError(f"`name` must be a non-empty string; got {name!r}")
    if isinstance(strip, (float, np.floating)) and strip == math.inf:
        strip = math.inf
    else:
        strip = _checks.real("strip", strip, low=0.0, allowed="a non-negative number or inf")
    if not isinstance(odd, (bool, np.bool_)):
        raise ParameterError(f"`odd` must be True or False; got odd={odd!r}")
    kinks = _checks.real_array("kinks", kinks, ndim=1)
    if kinks.size > 100:
        raise ParameterError(f"`kinks` may list at most 100 points; got {kinks.size}")
    xs = np.linspace(-3.0, 3.0, 13)
    try:
        with np.errstate(all="ignore"):
            vals = np.asarray(phi(xs), dtype=float)
    except Exception as exc:  # noqa: BLE001 - report any failure of the user callable
        raise ParameterError(f"`phi` could not be evaluated on a numpy array: {exc}") from exc
    if vals.shape != xs.shape or not np.all(np.isfinite(vals)):
        raise ParameterError("`phi` must map a float array to a finite array of the same shape")
    if odd and not np.allclose(vals, -vals[::-1], rtol=1e-12, atol=1e-12):
        raise ParameterError("`odd=True` but phi(-x) != -phi(x)")
    exact = dphi is not None and d2phi is not None and primitive is not None
    _probe(phi, exact)
    f = phi
    d1 = dphi if dphi is not None else _num_derivative(f, 1)
    d2 = d2phi if d2phi is not None else _num_derivative(f, 2)
    pr = primitive if primitive is not None else _num_primitive(f)
    return TransferFunction(name, f, d1, d2, pr, odd=bool(odd), strip=float(strip),
                            kinks=tuple(float(k) for k in kinks), exact_derivatives=exact)


def _probe(phi, exact: bool) -> None:
    """Refuse a phi that is not finite on |x| <= 1e6, or (without exact derivatives and
    primitive) that jumps there."""
    xs = _probe_grid()
    try:
        with np.errstate(all="ignore"):
            vals = np.asarray(phi(xs), dtype=float)
    except Exception as exc:  # noqa: BLE001 - report any failure of the user callable
        raise ParameterError(f"`phi` could not be evaluated on |x| <= {_PROBE:g}: {exc}") from exc
    if vals.shape != xs.shape:
        raise ParameterError("`phi` must map a float array to an array of the same shape")
    bad = ~np.isfinite(vals)
    if np.any(bad):
        x_bad = float(xs[bad][np.argmin(np.abs(xs[bad]))])
        raise ParameterError(
            f"`phi` must be finite on the real line; got phi({x_bad:g}) = "
            f"{vals[np.argmin(np.abs(xs - x_bad))]!r} (checked on |x| <= {_PROBE:g}; the theory "
            "and the simulator may evaluate phi anywhere). Write phi in an overflow-safe "
            "form, e.g. np.logaddexp(0, x) for log1p(exp(x))")
    if exact:
        return
    with np.errstate(all="ignore"):
        jump = _find_jump(phi, xs, vals)
    if jump is not None:
        x, size, width = jump
        raise ParameterError(
            f"`phi` appears discontinuous near x={x:.6g} (it changes by {size:.3g} over "
            f"{width:.2g}): the numerical phi', phi'' and primitive of a step are wrong and "
            "the mean-field theory assumes a continuous phi. Use a smooth version "
            "(e.g. np.tanh(x / 0.01) for np.sign(x)) or pass dphi, d2phi and primitive")
