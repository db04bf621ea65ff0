"""Shared machinery of result objects: repr, equality, to_dict, save/load (.npz + JSON, no pickle).

Every result class of the library is a frozen dataclass deriving from
:class:`ResultMixin`, and has ``success`` (bool), ``status`` (int) and ``message``
(str): fields where the computation can fail (a solver, a simulation, a fit),
read-only properties (always ``success=True``, ``status=0``) where it cannot and bad
input raises instead (a histogram, a closed-form law, a comparison; whether theory
and simulation agree is the comparison's ``passed``, not its ``success``).  The mixin
gives it

* a readable ``repr`` (scalars to 6 digits, small arrays in full, large ones by shape);
* ``==`` that compares field by field and returns one ``bool``: arrays by value and shape
  (:func:`numpy.array_equal`, NaN equal to NaN, so that a result equals itself and its
  saved-and-loaded copy), floats with NaN equal to NaN, nested tuples, lists, dicts and
  dataclasses (e.g. an :class:`~meanfield.estimate.Estimate`) element by element.
  Fields declared with ``field(compare=False)`` (a wall-clock time) are left out.
  Results of different types are never equal.  Results are not hashable (they hold
  arrays);
* ``to_dict()``: the fields (and ``success``, ``status``, ``message`` when they are
  properties) as JSON-ready Python values;
* ``save(path)`` and ``cls.load(path)``; :meth:`~ResultMixin.load` refuses a file
  written by another result type.  Fields may hold arrays, numbers, strings, None,
  tuples, lists and dicts of them, and dataclasses of the library (estimates, rows of
  a comparison, another result), nested to any depth.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from pathlib import Path

import numpy as np

from .errors import ParameterError

__all__ = ["ResultMixin", "AlwaysSucceeds", "save_result", "load_fields", "values_equal"]

#: The status vocabulary every result has, as fields or as properties.
_STANDARD = ("success", "status", "message")


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, np.ndarray):
        if v.size <= 6:
            return np.array2string(v, precision=6, separator=", ")
        return f"array(shape={v.shape})"
    return repr(v)


def _is_instance(v) -> bool:
    """Whether ``v`` is a dataclass instance (not a dataclass type)."""
    return dataclasses.is_dataclass(v) and not isinstance(v, type)


def values_equal(a, b) -> bool:
    """Whether two field values are equal, as one ``bool`` (arrays by value, NaN == NaN).

    Parameters
    ----------
    a, b : object
        Field values: arrays, numbers, strings, None, or tuples, lists, dicts and
        dataclasses of them (compared field by field, leaving out fields declared with
        ``compare=False``); other objects are compared with ``==``.

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
    >>> from meanfield.estimate import Estimate
    >>> a = Estimate([1.0, 2.0], [0.1, 0.1], 4)                 # a dataclass: field by field
    >>> values_equal(a, Estimate([1.0, 2.0], [0.1, 0.1], 4)), values_equal(a, Estimate(1.0, 0.1, 4))
    (True, False)
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
    if _is_instance(a) or _is_instance(b):
        return (type(a) is type(b)
                and all(values_equal(getattr(a, f.name), getattr(b, f.name))
                        for f in dataclasses.fields(a) if f.compare))
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


def _plain(v):
    """``v`` as JSON-ready Python values (lists, dicts, str, int, float, bool, None)."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "c":
            return {"real": v.real.tolist(), "imag": v.imag.tolist()}
        return v.tolist()
    if isinstance(v, np.generic):
        return _plain(v.item())
    if isinstance(v, complex):
        return {"real": v.real, "imag": v.imag}
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if callable(getattr(v, "to_dict", None)):          # an Estimate, a nested result
        return v.to_dict()
    if _is_instance(v):
        return {f.name: _plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    return v


class ResultMixin:
    """repr / ``==`` / to_dict / save / load for frozen result dataclasses.

    A subclass may name properties that :meth:`to_dict` adds to the fields in
    ``_dict_properties`` (``success``, ``status`` and ``message`` are added whenever
    they are properties rather than fields).

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
    _dict_properties: tuple = ()

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
        """All fields as JSON-ready Python values (``json.dumps`` accepts the dict).

        Arrays become (nested) lists, complex ones ``{"real": [...], "imag": [...]}``;
        NumPy scalars become Python numbers, tuples lists; estimates and nested results
        their own ``to_dict()``, other dataclasses dicts of their fields.  ``success``,
        ``status`` and ``message`` are included also where they are properties, and so
        are the properties the class names in ``_dict_properties``.  Non-finite floats
        stay floats (``json.dumps`` writes ``NaN``/``Infinity``).  To keep arrays as
        arrays, read the attributes or :meth:`save` the result.

        Examples
        --------
        >>> import json
        >>> from dataclasses import dataclass
        >>> import numpy as np
        >>> @dataclass(frozen=True, repr=False)
        ... class Demo(ResultMixin):
        ...     success: bool
        ...     nit: int
        ...     x: np.ndarray
        >>> d = Demo(True, 3, np.array([0.5, 1.0])).to_dict()
        >>> d
        {'success': True, 'nit': 3, 'x': [0.5, 1.0]}
        >>> json.dumps(d)
        '{"success": true, "nit": 3, "x": [0.5, 1.0]}'
        """
        out = {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}
        for name in _STANDARD + tuple(self._dict_properties):
            if name not in out and hasattr(type(self), name):
                out[name] = _plain(getattr(self, name))
        return out

    def save(self, path) -> Path:
        """Write the result to ``path`` (``.npz``; arrays as arrays, the rest as JSON).

        Parameters
        ----------
        path : str or Path
            File name; ``.npz`` is appended when the name does not end with it.

        Returns
        -------
        Path
            The path written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True, repr=False)
        ... class Demo(ResultMixin):
        ...     nit: int
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = Demo(3).save(pathlib.Path(d) / "demo")
        ...     path.name, Demo.load(path).nit
        ('demo.npz', 3)
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


def _encode(v, arrays: dict):
    """``v`` as JSON values; arrays nested in it go to ``arrays`` (members ``n_<i>``)."""
    if isinstance(v, np.ndarray):
        if v.dtype.hasobject:
            raise TypeError("cannot save an array of Python objects without pickle")
        key = f"n_{sum(k.startswith('n_') for k in arrays)}"
        arrays[key] = v
        return {"__array__": key}
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else {"__float__": repr(v)}
    if isinstance(v, (complex, np.complexfloating)):
        return {"__complex__": [_encode(v.real, arrays), _encode(v.imag, arrays)]}
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, tuple):
        return {"__tuple__": [_encode(x, arrays) for x in v]}
    if isinstance(v, list):
        return [_encode(x, arrays) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise TypeError(f"cannot save a dict with non-string keys: {list(v)!r}")
        return {k: _encode(x, arrays) for k, x in v.items()}
    if _is_instance(v):
        cls = type(v)
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: _encode(getattr(v, f.name), arrays)
                           for f in dataclasses.fields(v) if f.init}}
    raise TypeError(f"cannot save a value of type {type(v).__name__}: {v!r}")


def _resolve(name: str) -> type:
    """The dataclass ``"module:qualname"`` of the library (only meanfield types are built)."""
    module, _, qualname = name.partition(":")
    if not (module == "meanfield" or module.startswith("meanfield.")):
        raise ParameterError(f"`path` holds a value of type {name}, not a meanfield type")
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise ParameterError(f"`path` holds a value of type {name}, which this version of "
                             "meanfield does not have") from None
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ParameterError(f"`path` holds a value of type {name}, which is not a dataclass")
    return obj


def _decode(v, data):
    if isinstance(v, dict):
        if "__float__" in v:
            return float(v["__float__"])
        if "__tuple__" in v:
            return tuple(_decode(x, data) for x in v["__tuple__"])
        if "__array__" in v:
            return data[v["__array__"]]
        if "__complex__" in v:
            re, im = (_decode(x, data) for x in v["__complex__"])
            return complex(re, im)
        if "__dataclass__" in v:
            cls = _resolve(v["__dataclass__"])
            return cls(**{k: _decode(x, data) for k, x in v["fields"].items()})
        return {k: _decode(x, data) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x, data) for x in v]
    return v


class AlwaysSucceeds(ResultMixin):
    """Base of results that exist only when their computation succeeded.

    Bad input raises before such a result is built, so ``success`` is always True and
    ``status`` always 0; the subclass gives ``message`` (and, where the result holds a
    verdict, ``passed``).

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Law(AlwaysSucceeds):
    ...     a: float
    ...     @property
    ...     def message(self):
    ...         return f"a = {self.a}"
    >>> law = Law(1.5)
    >>> law.success, law.status, law.message
    (True, 0, 'a = 1.5')
    """

    @property
    def success(self) -> bool:
        """Always True (bad input raises instead)."""
        return True

    @property
    def status(self) -> int:
        """Always 0."""
        return 0


def save_result(obj, path) -> Path:
    """Write the fields of result ``obj`` to ``path`` (``.npz`` appended when missing).

    Array fields are stored as ``.npy`` members ``a_<field>``, arrays nested in other
    fields (in a tuple, an estimate, a nested result) as members ``n_<i>``; everything
    else as one JSON string together with the result's type name (checked by
    :func:`load_fields`); nothing is pickled.  See :class:`ResultMixin` for an example.

    Raises
    ------
    TypeError
        For a field value that cannot be stored without pickle (a Python object, a dict
        with non-string keys, an object array).
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
    arrays, meta = {}, {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, np.ndarray) and not v.dtype.hasobject:
            arrays["a_" + f.name] = v
        else:
            meta[f.name] = _encode(v, arrays)
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
        fields = {k: _decode(v, data) for k, v in meta["fields"].items()}
        for key in data.files:
            if key.startswith("a_"):
                fields[key[2:]] = data[key]
    return fields
