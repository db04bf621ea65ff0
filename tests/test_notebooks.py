"""Execute the notebooks (stored without outputs); each ends with an asserting cell."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_exist():
    assert any(p.name == "01_random_network_dmft.ipynb" for p in NOTEBOOKS)
    assert any(p.name == "02_random_matrices_and_transients.ipynb" for p in NOTEBOOKS)
    assert any(p.name == "03_trained_reservoir.ipynb" for p in NOTEBOOKS)
    assert any(p.name == "04_dimension.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_does_not_force_a_backend(path):
    """Regression: notebook 01 called matplotlib.use("Agg") and showed no figure in Jupyter.
    The headless backend is the test runner's business (MPLBACKEND below)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "matplotlib.use(" not in cell.source and "MPLBACKEND" not in cell.source, \
                path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    """About 25 s for 01_random_network_dmft on a 2-core machine (fast: not marked slow)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no 'python3' Jupyter kernel; run `python -m ipykernel install --user "
                    "--name python3`")
    # the kernel must import this checkout of meanfield, installed or not
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")     # the kernel inherits it: no window, no display
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "assert" in last.source          # the notebook ends by testing itself
