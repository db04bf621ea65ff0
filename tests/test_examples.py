"""Every public function, class and public method has a numpydoc Examples section.

The doctests themselves run in ``test_doctests.py``; this test makes sure there
is one to run.  Public: the names in a public module's ``__all__``, and the
methods and classmethods defined on a public class (not properties, not dunders).
"""

import importlib
import inspect

import pytest

MODULES = ("dmft", "gaussian", "transfer", "estimate", "compare", "simulate", "spectra",
           "transient", "ensembles", "plotting", "validation", "errors", "trained")

# Public names still without Examples.  Remove an entry when its Examples land
# (test_known_missing_is_current lists such entries as a skip).  Empty: every public
# name has Examples; keep it so, and add here only temporarily.
KNOWN_MISSING: set[str] = set()


def _public():
    """``(qualified name, object)`` for every public function, class and method."""
    out = {}
    for mod_name in MODULES:
        module = importlib.import_module(f"meanfield.{mod_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants, tuples of names
            out[f"{mod_name}.{name}"] = obj
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(value, (classmethod, staticmethod)):
                        value = value.__func__
                    if inspect.isfunction(value):  # properties are not functions
                        out[f"{mod_name}.{name}.{attr}"] = value
    return out


PUBLIC = _public()


def _has_examples(obj) -> bool:
    doc = inspect.getdoc(obj) or ""
    return "\nExamples\n--------\n" in f"\n{doc}\n" and ">>>" in doc.split("Examples\n--------")[-1]


def test_walk_finds_the_public_api():
    assert {"spectra.compare", "dmft.solve", "spectra.SpectrumComparison.table",
            "simulate.SimulationResult.load", "errors.ParameterError"} <= set(PUBLIC)
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in PUBLIC)


def test_known_missing_is_current():
    """Every entry names a public object that still lacks Examples (the set only shrinks)."""
    assert KNOWN_MISSING <= set(PUBLIC), sorted(KNOWN_MISSING - set(PUBLIC))
    fixed = sorted(name for name in KNOWN_MISSING if _has_examples(PUBLIC[name]))
    if fixed:  # not a failure: their files are edited concurrently by others
        pytest.skip(f"remove from KNOWN_MISSING (they have Examples now): {fixed}")


@pytest.mark.parametrize("name", sorted(set(PUBLIC) - KNOWN_MISSING))
def test_has_examples(name):
    assert _has_examples(PUBLIC[name]), f"{name} has no numpydoc Examples section with a doctest"
