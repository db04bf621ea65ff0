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
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out.split()
    # the comment in the tour quotes these numbers
    assert [round(float(v), 4) for v in out[:3]] == [1.9248, 6.5121, 0.1125]
    assert (tmp_path / "docs" / "tour.png").stat().st_size > 10_000


def test_readme_commands_are_the_ci_commands():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    test_cmd = 'python -m pip install -e ".[test]" && python -m pytest'
    assert test_cmd in text and test_cmd in ci
    assert "python -m pip install -e . && python -m validation --quick" in text
