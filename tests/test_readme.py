"""The README's tour runs as written and its printed numbers are the library's."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_tour_runs(tmp_path, monkeypatch, capsys):
    blocks = _python_blocks()
    assert blocks, "README has no python block"
    monkeypatch.chdir(tmp_path)          # the tour writes where the user is
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out.split()
    # the comment in the tour quotes these numbers
    assert [round(float(v), 4) for v in out[:3]] == [1.9248, 6.1776, 0.1115]
    assert (tmp_path / "tour.png").stat().st_size > 10_000
    # the second block: spectra pass, radius 0.8, <mu^2> = 9, and the closed form it quotes
    i = out.index("True")
    assert [round(float(v), 6) for v in out[i + 1:i + 3]] == [0.8, 9.0]
    assert [float(v.strip("[]")) for v in out[i + 3:i + 7]] == [1.291, 1.664, 1.328, 0.485]
    assert any(v.startswith("4.812") for v in out[i + 7:])
    assert (tmp_path / "tour_matrices.png").stat().st_size > 10_000


def test_figures_script_runs_the_readme_blocks():
    text = (README.parent / "docs" / "make_figures.py").read_text()
    assert "README.md" in text and "os.chdir(HERE)" in text


def test_readme_commands_are_the_ci_commands():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    test_cmd = 'python -m pip install -e ".[test]" && python -m pytest'
    assert test_cmd in text and test_cmd in ci
    assert "python -m pip install -e . && python -m validation --quick" in text
