"""Run the Examples sections of the public modules as doctests."""

import doctest
import importlib

import pytest

MODULES = ["meanfield.transfer", "meanfield.gaussian", "meanfield.dmft._solve",
           "meanfield.dmft._lyapunov", "meanfield.estimate", "meanfield.simulate",
           "meanfield.ensembles.gaussian", "meanfield.compare", "meanfield.ensembles.elliptic",
           "meanfield.ensembles.block", "meanfield.ensembles.rajan_abbott",
           "meanfield.ensembles.low_rank", "meanfield.ensembles.random_mode", "meanfield.spectra",
           "meanfield.transient"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0
