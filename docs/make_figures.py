"""Regenerate the figures of the README (docs/tour.png, docs/tour_matrices.png).

``python docs/make_figures.py`` runs the README's Python blocks, as written, with this
folder as the current directory, so the figures they save land here.
"""

import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"


def main() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    os.chdir(HERE)
    for code in blocks:
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})


if __name__ == "__main__":
    main()
