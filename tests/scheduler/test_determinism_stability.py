"""Same input gives the same solution; a re-solve with ``previous`` moves few people."""

from __future__ import annotations

import copy

import pytest

from benchmarks.generate import generate
from scheduler import solve

from .helpers import violations

# The searches' budgets are work limits, but each seating solve also has a wall-clock
# safety net: on a loaded machine it can end a search first. Run alone (run_tests.py).
pytestmark = pytest.mark.alone


def strip(sol):
    return {k: v for k, v in sol.items() if k != "solve_seconds"}


def test_same_input_same_solution():
    d = generate(150, seed=3)
    a = solve(copy.deepcopy(d), time_limit_s=20, workers=2, seed=1)
    b = solve(copy.deepcopy(d), time_limit_s=20, workers=2, seed=1)
    assert a["status"] == "OPTIMAL"
    assert strip(a) == strip(b)
    assert violations(d, a) == []


def test_programme_mode_is_deterministic():
    d = generate(120, seed=4, programme_mode=True)
    a = solve(copy.deepcopy(d), time_limit_s=6, workers=2, seed=0)
    b = solve(copy.deepcopy(d), time_limit_s=6, workers=2, seed=0)
    assert strip(a) == strip(b)
    assert violations(d, a) == []


def test_1k_day_is_deterministic():
    d = generate(1000, seed=1)
    a = solve(copy.deepcopy(d), time_limit_s=20, workers=2, seed=0)
    b = solve(copy.deepcopy(d), time_limit_s=20, workers=2, seed=0)
    assert strip(a) == strip(b)
    assert violations(d, a) == []


def test_2016_programme_mode_is_deterministic():
    import json

    from .helpers import shared_example

    d = json.loads(shared_example("restitution-2016-programme.json").read_text(encoding="utf-8"))
    a = solve(copy.deepcopy(d), time_limit_s=12, workers=2, seed=0)
    b = solve(copy.deepcopy(d), time_limit_s=12, workers=2, seed=0)
    assert strip(a) == strip(b)


def test_resolve_with_one_more_participant_moves_few():
    d = generate(200, seed=5)
    first = solve(copy.deepcopy(d), time_limit_s=20)
    prev = {a["participant"]: {**a["sessions"], **a["workshops"]}
            for a in first["assignments"]}
    d2 = copy.deepcopy(d)
    d2["participants"].append({"id": "late", "wishes": [d["projects"][0]["id"]],
                               "themes": [d["themes"][0]["id"]]})
    d2["options"]["previous"] = prev
    d2["options"]["change_penalty"] = 50
    second = solve(d2, time_limit_s=20)
    assert violations(d2, second) == []
    assert second["metrics"]["changed"] <= 10
    # without the penalty the solver is free to reshuffle, and usually does more
    d3 = copy.deepcopy(d2)
    d3["options"]["change_penalty"] = 0
    third = solve(d3, time_limit_s=20)
    assert second["metrics"]["changed"] <= third["metrics"]["changed"]


def test_progress_callback_and_stop_from_another_thread():
    import threading
    import time

    d = generate(150, seed=6, programme_mode=True)
    calls = []
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    t = time.monotonic()
    sol = solve(d, time_limit_s=60, stop=stop, progress=lambda *a: calls.append(a))
    assert time.monotonic() - t < 30  # far less than the 60 s limit
    assert sol["status"] in ("FEASIBLE", "OPTIMAL", "UNKNOWN")
    if sol["status"] != "UNKNOWN":
        assert violations(d, sol) == []
    assert calls and all(len(c) == 3 for c in calls)
