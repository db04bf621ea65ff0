"""Shared machinery of result objects: repr, to_dict, save/load (.npz + JSON, no pickle)."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

__all__ = ["ResultMixin", "save_result", "load_fields"]


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, np.ndarray):
        if v.size <= 6:
            return np.array2string(v, precision=6, separator=", ")
        return f"array(shape={v.shape})"
    return repr(v)


class ResultMixin:
    """repr / to_dict / save for frozen result dataclasses."""

    _repr_fields: tuple = ()

    def __repr__(self) -> str:
        names = self._repr_fields or tuple(f.name for f in dataclasses.fields(self) if f.repr)
        body = ",\n".join(f"  {n}={_fmt(getattr(self, n))}" for n in names)
        return f"{type(self).__name__}(\n{body}\n)"

    def to_dict(self) -> dict:
        """All fields as a plain dict (arrays stay numpy arrays)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def save(self, path) -> Path:
        """Write the result to ``path`` (``.npz``; arrays as arrays, the rest as JSON)."""
        return save_result(self, path)

    @classmethod
    def load(cls, path):
        """Read a result written by :meth:`save`."""
        return cls(**load_fields(path))


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


def load_fields(path) -> dict:
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(str(data["__meta__"]))
        fields = {k: _decode(v) for k, v in meta["fields"].items()}
        for key in data.files:
            if key.startswith("a_"):
                fields[key[2:]] = data[key]
    return fields
