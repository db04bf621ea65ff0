"""Trained reservoirs' output dynamics against simulation (claims 1 and 5 of Rivkind & Barak).

Being written: the kicked output against the predicted low-order ODE, and the closed-loop
frequency response against a small sinusoidal input.
"""

from __future__ import annotations

CASES: tuple = ()
RUNNERS: dict = {}
POINTS: dict = {}
BUDGET_SIZES: dict = {}
HELD_OUT_SEEDS: dict = {}
LAWS: dict = {}
