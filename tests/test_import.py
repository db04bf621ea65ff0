"""`import meanfield` is cheap: heavy dependencies load on first use of a submodule."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy.stats", "scipy.optimize", "scipy.linalg", "scipy.sparse", "scipy.interpolate",
         "matplotlib", "tqdm", "sympy", "mpmath")


def _modules_after(code: str) -> set[str]:
    """Names in sys.modules after running ``code`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_meanfield_does_not_import_heavy_dependencies():
    loaded = _modules_after("import meanfield")
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
    assert not any(m.startswith("meanfield.") and m not in
                   {"meanfield.errors", "meanfield.estimate", "meanfield._checks"} for m in loaded)


def test_top_level_names_still_there():
    import meanfield as mf

    for name in mf.__all__:
        assert getattr(mf, name) is not None
        assert name in dir(mf)
    assert mf.ParameterError is mf.errors.ParameterError
    assert callable(mf.simulate) and callable(mf.compare)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mf.nope  # noqa: B018


def test_submodule_loads_on_first_access():
    loaded = _modules_after("import meanfield as mf\nmf.dmft.solve")
    assert "meanfield.dmft" in loaded and "scipy.optimize" in loaded
    loaded = _modules_after("from meanfield import compare\nassert callable(compare)")
    assert "meanfield.compare" in loaded


def test_plotting_does_not_import_matplotlib_until_a_figure_is_drawn():
    loaded = _modules_after("import meanfield.plotting")
    assert not any(m == "matplotlib" or m.startswith("matplotlib.") for m in loaded)
