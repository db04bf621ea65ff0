"""Trained reservoirs: the predicted stability against closed-loop simulation (claim 2 of
Rivkind & Barak)."""

from __future__ import annotations

CASES: tuple = ()
RUNNERS: dict = {}
POINTS: dict = {}
BUDGET_SIZES: dict = {}
HELD_OUT_SEEDS: dict = {}
LAWS: dict = {}
