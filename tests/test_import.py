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


# -- theory and simulation in separate houses; theory never imports plotting at import ----------

THEORY = ("meanfield.transient", "meanfield.dmft", "meanfield.gaussian", "meanfield.ensembles",
          "meanfield.spectra", "meanfield.dimension")
_ROOT = __import__("pathlib").Path(__file__).resolve().parents[1] / "meanfield"


@pytest.mark.parametrize("module", THEORY)
def test_theory_module_imports_neither_simulator_nor_plotting(module):
    loaded = _modules_after(f"import {module}")
    assert not {m for m in loaded if m == "meanfield.simulate" or
                m.startswith("meanfield.simulate.")}, module
    assert not {m for m in loaded if m == "meanfield.plotting" or m.startswith("meanfield.plotting.")
                or m == "matplotlib" or m.startswith("matplotlib.")}, module


def _theory_files():
    for name in THEORY:
        path = _ROOT.joinpath(*name.split(".")[1:])
        yield from (sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")])


def _imported_names(tree, path):
    """(module name, at module level?) of every import statement in a parsed file."""
    package = ".".join(("meanfield",) + path.relative_to(_ROOT).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + "._"
    top = {id(node) for node in tree.body}
    for node in __import__("ast").walk(tree):
        if isinstance(node, __import__("ast").Import):
            for alias in node.names:
                yield alias.name, id(node) in top
        elif isinstance(node, __import__("ast").ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:-node.level]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                yield f"{base}.{alias.name}" if base else alias.name, id(node) in top
                yield base, id(node) in top


def test_no_theory_source_imports_the_simulator_even_lazily():
    # the subprocess test above sees only module-level imports: this one reads every import
    # statement, also those inside functions, of every theory source file
    import ast

    files = list(_theory_files())
    assert len(files) > 10
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for name, at_top in _imported_names(tree, path):
            assert not (name == "meanfield.simulate" or name.startswith("meanfield.simulate.")), \
                f"{path.relative_to(_ROOT.parent)} imports {name}"
            if at_top:
                assert not name.startswith("meanfield.plotting"), \
                    f"{path.relative_to(_ROOT.parent)} imports {name} at module level"


def test_simulator_imports_no_theory():
    loaded = _modules_after("import meanfield.simulate")
    theory = {m for m in loaded if any(m == t or m.startswith(t + ".") for t in THEORY)}
    assert theory == set()


def test_transient_sampler_moved_with_a_message():
    import meanfield as mf

    with pytest.raises(AttributeError, match="mf.simulate.squared_norm"):
        mf.transient.simulate_squared_norm  # noqa: B018
