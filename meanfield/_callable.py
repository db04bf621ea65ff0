"""Modules that can be called like their main function (``mf.simulate(...)``, ``mf.compare(...)``).

The design wants both ``mf.simulate(J, ...)`` and ``mf.simulate.lyapunov(...)``: the
module object stays the module (so its other names and ``import meanfield.x`` keep
working) but gains a ``__call__`` that forwards to the named function.
"""

from __future__ import annotations

import sys
import types


def make_callable(module_name: str, function_name: str) -> None:
    """Make ``sys.modules[module_name]`` callable as ``module.<function_name>``."""
    module = sys.modules[module_name]

    class _CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return getattr(self, function_name)(*args, **kwargs)

    _CallableModule.__call__.__doc__ = getattr(module, function_name).__doc__
    module.__class__ = _CallableModule
