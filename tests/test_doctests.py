"""Run the Examples sections of every module of the package as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import meanfield

MODULES = sorted(m.name for m in pkgutil.walk_packages(meanfield.__path__, "meanfield.")
                 if not m.name.endswith("__main__"))


def test_every_module_is_collected():
    assert {"meanfield.dmft._solve", "meanfield.transient", "meanfield.validation._stats"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
