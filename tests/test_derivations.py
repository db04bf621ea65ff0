"""Run every sympy derivation script in derivations/ (each derives a result and asserts
that meanfield computes the same), so that the derivations cannot rot."""

import runpy
from pathlib import Path

import pytest

DERIVATIONS = Path(__file__).resolve().parents[1] / "derivations"
SCRIPTS = sorted(p for p in DERIVATIONS.glob("*.py") if not p.name.startswith("_"))


def test_scripts_found():
    names = {p.stem for p in SCRIPTS}
    assert {"energy_condition", "linear_noise", "lyapunov_trivial", "lyapunov_euler"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_derivation(script, capsys):
    namespace = runpy.run_path(str(script), run_name="derivation")
    assert callable(namespace.get("main")), f"{script.name} defines no main()"
    namespace["main"]()
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed no summary"
