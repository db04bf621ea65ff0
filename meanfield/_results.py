"""Shared machinery of result objects: repr, equality, to_dict, save/load (.npz + JSON, no pickle).

Every result class of the library is a frozen dataclass deriving from
:class:`ResultMixin`.  The mixin gives it

* a readable ``repr`` (scalars to 6 digits, small arrays in full, large ones by shape);
* ``==`` that compares field by field and returns one ``bool``: arrays by value and shape
  (:func:`numpy.array_equal`, NaN equal to NaN, so that a result equals itself and its
  saved-and-loaded copy), floats with NaN equal to NaN, nested tuples, lists and dicts
  element by element.  Results of different types are never equal.  Results are not
  hashable (they hold arrays);
* ``to_dict()``, ``save(path)`` and ``cls.load(path)``; :meth:`~ResultMixin.load`
  refuses a file written by another result type.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from .errors import ParameterError

__all__ = ["ResultMixin", "save_result", "load_fields", "values_equal"]


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, np.ndarray):
        if v.size <= 6:
            return np.array2string(v, precision=6, separator=", ")
        return f"array(shape={v.shape})"
    return repr(v)


def values_equal(a, b) -> bool:
    """Whether two field values are equal, as one ``bool`` (arrays by value, NaN == NaN).

    Parameters
    ----------
    a, b : object
        Field values: arrays, numbers, strings, None, or tuples, lists and dicts of them;
        other objects are compared with ``==``.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> values_equal(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    True
    >>> values_equal((1, np.zeros(2)), (1, np.zeros(3)))      # shapes differ
    False
    >>> values_equal(float("nan"), np.nan)
    True
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape:
            return False
        nan_aware = a.dtype.kind in "fc" and b.dtype.kind in "fc"
        return bool(np.array_equal(a, b, equal_nan=nan_aware))
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(values_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(values_equal(a[k], b[k]) for k in a))
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return bool(a == b or (math.isnan(a) and math.isnan(b)))
    out = a == b
    if out is NotImplemented:
        return False
    try:
        return bool(out)
    except (TypeError, ValueError):       # an object whose == is elementwise
        return False


def _result_eq(self, other):
    if type(other) is not type(self):
        return NotImplemented
    return all(values_equal(getattr(self, f.name), getattr(other, f.name))
               for f in dataclasses.fields(self) if f.compare)


def _result_unhashable(self):
    raise TypeError(f"unhashable type: {type(self).__name__!r} (results hold arrays; "
                    "compare them with ==)")


class ResultMixin:
    """repr / ``==`` / to_dict / save / load for frozen result dataclasses.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from dataclasses import dataclass
    >>> import numpy as np
    >>> @dataclass(frozen=True, repr=False)
    ... class Demo(ResultMixin):
    ...     x: np.ndarray
    ...     residual: float
    >>> a = Demo(np.array([1.0, np.nan]), 1e-12)
    >>> a == Demo(np.array([1.0, np.nan]), 1e-12), a == Demo(np.zeros(2), 1e-12)
    (True, False)
    >>> a
    Demo(
      x=[ 1., nan],
      residual=1e-12
    )
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = a.save(pathlib.Path(d) / "demo")
    ...     Demo.load(path) == a
    True
    """

    _repr_fields: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # @dataclass(eq=True) only writes __eq__/__hash__ into a class that does not define
        # them itself; a mixin method would be shadowed, so put them in the subclass' own
        # namespace (before the decorator runs).  A subclass defining its own keeps it.
        if "__eq__" not in cls.__dict__:
            cls.__eq__ = _result_eq
            if "__hash__" not in cls.__dict__:
                cls.__hash__ = _result_unhashable

    def __repr__(self) -> str:
        names = self._repr_fields or tuple(f.name for f in dataclasses.fields(self) if f.repr)
        body = ",\n".join(f"  {n}={_fmt(getattr(self, n))}" for n in names)
        return f"{type(self).__name__}(\n{body}\n)"

    def to_dict(self) -> dict:
        """All fields as a plain dict (arrays stay numpy arrays).

        Examples
        --------
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True, repr=False)
        ... class Demo(ResultMixin):
        ...     success: bool
        ...     nit: int
        >>> Demo(True, 3).to_dict()
        {'success': True, 'nit': 3}
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def save(self, path) -> Path:
        """Write the result to ``path`` (``.npz``; arrays as arrays, the rest as JSON).

        Returns the path written (``.npz`` appended when missing).  See the class
        Examples.
        """
        return save_result(self, path)

    @classmethod
    def load(cls, path):
        """Read a result written by :meth:`save` of the same result type.

        Raises
        ------
        ParameterError
            If ``path`` is not a saved meanfield result, or was saved from another
            result type (the message names both).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True, repr=False)
        ... class A(ResultMixin):
        ...     nit: int
        >>> @dataclass(frozen=True, repr=False)
        ... class B(ResultMixin):
        ...     nit: int
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = A(3).save(pathlib.Path(d) / "a.npz")
        ...     B.load(path)
        Traceback (most recent call last):
        ...
        meanfield.errors.ParameterError: `path` holds a saved A, not a B: read it with A.load
        """
        return cls(**load_fields(path, expected=cls.__name__))


def _encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return {"__float__": repr(v)}
    if isinstance(v, (np.floating,)):
        return _encode(float(v))
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, tuple):
        return {"__tuple__": [_encode(x) for x in v]}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    return v


def _decode(v):
    if isinstance(v, dict):
        if "__float__" in v:
            return float(v["__float__"])
        if "__tuple__" in v:
            return tuple(_decode(x) for x in v["__tuple__"])
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def save_result(obj, path) -> Path:
    """Write the fields of result ``obj`` to ``path`` (``.npz`` appended when missing).

    Arrays are stored as ``.npy`` members, everything else as one JSON string together
    with the result's type name (checked by :func:`load_fields`); nothing is pickled.
    See :class:`ResultMixin` for an example.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
    arrays, meta = {}, {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, np.ndarray):
            arrays["a_" + f.name] = v
        else:
            meta[f.name] = _encode(v)
    arrays["__meta__"] = np.array(json.dumps({"type": type(obj).__name__, "fields": meta}))
    np.savez(path, **arrays)
    return path


def load_fields(path, expected: str | None = None) -> dict:
    """The fields stored by :func:`save_result`, as keyword arguments of the result class.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_result`.
    expected : str, optional
        The result type the caller constructs; a file saved from another type raises.

    Raises
    ------
    ParameterError
        If the file holds no meanfield result or (with ``expected``) another type.

    Examples
    --------
    See :meth:`ResultMixin.load`.
    """
    with np.load(Path(path), allow_pickle=False) as data:
        if "__meta__" not in data.files:
            raise ParameterError(f"`path` is not a saved meanfield result (no metadata): {path}")
        meta = json.loads(str(data["__meta__"]))
        stored = meta.get("type") if isinstance(meta, dict) else None
        if not isinstance(stored, str) or "fields" not in meta:
            raise ParameterError(f"`path` is not a saved meanfield result (no result type): "
                                 f"{path}")
        if expected is not None and stored != expected:
            raise ParameterError(f"`path` holds a saved {stored}, not a {expected}: read it "
                                 f"with {stored}.load")
        fields = {k: _decode(v) for k, v in meta["fields"].items()}
        for key in data.files:
            if key.startswith("a_"):
                fields[key[2:]] = data[key]
    return fields
