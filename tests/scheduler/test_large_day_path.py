"""The very-large-day path (PDLP, per-person rounding, min-cost-flow local search by round),
exercised on a small day by lowering the class threshold."""

from __future__ import annotations

import copy

from benchmarks.generate import generate
from scheduler import paths, small_day, solve

from .helpers import violations


def strip(sol):
    return {k: v for k, v in sol.items() if k != "solve_seconds"}


def test_large_path_is_legal_close_and_deterministic(monkeypatch):
    d = generate(400, seed=7)
    exact = solve(copy.deepcopy(d), time_limit_s=30, workers=2, seed=0)
    monkeypatch.setattr(paths, "LARGE_CLASSES", 10)
    # (a day this small is otherwise seated by the per-person MIP first: scheduler.small_day)
    monkeypatch.setattr(small_day, "SMALL_BINARIES", 0)
    monkeypatch.setattr(small_day, "SMALL_BINARIES_3_ROUNDS", 0)
    a = solve(copy.deepcopy(d), time_limit_s=60, workers=2, seed=0)
    b = solve(copy.deepcopy(d), time_limit_s=60, workers=2, seed=0)
    assert violations(d, a) == []
    assert strip(a) == strip(b)
    assert a["bound"] >= exact["objective"] >= a["objective"]
    assert a["objective"] >= 0.98 * exact["objective"]
