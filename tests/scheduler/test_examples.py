"""The shared 2016 examples (skipped when the shared folder is absent; failed in CI)."""

from __future__ import annotations

import json

import pytest

from scheduler import check_solution, solve

from .helpers import objective, shared_example, violations


def test_2016_day_is_solved_to_the_proven_optimum():
    d = json.loads(shared_example("restitution-2016.json").read_text(encoding="utf-8"))
    sol = solve(d, workers=2)
    assert sol["status"] == "OPTIMAL"
    assert sol["objective"] == sol["bound"] == 58560
    assert violations(d, sol) == [] and check_solution(d, sol) == []
    assert objective(d, sol["assignments"]) == 58560
    m = sol["metrics"]
    assert m["unlucky"] == 0 and 0 < m["first_wish_share"] <= 1


# Must reach the optimum within a 12 s wall: failed on a loaded machine (3 passes, 2 cores).
@pytest.mark.alone
def test_2016_programme_mode_reaches_the_fixed_day_optimum():
    d = json.loads(shared_example("restitution-2016-programme.json").read_text(encoding="utf-8"))
    sol = solve(d, workers=2, time_limit_s=12)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert violations(d, sol) == [] and check_solution(d, sol) == []
    assert sol["objective"] >= 58560
    assert sol["bound"] >= sol["objective"]


# A 30 s wall (the benchmark row's limit), of which the bound needs well under a second quiet
# and 2.5 s at load 14: generous, but still a wall, so run alone.
@pytest.mark.alone
def test_2016_programme_mode_reports_the_joint_bound():
    """The bound is the joint placement-and-seating LP's with its same-round cuts
    (scheduler.joint: 59,875-60,013 on this day), neither the seat-counting relaxation's
    (60,480, 2.6 % above the best schedule known then) nor the per-person one (65,680, 10 %
    away): at most 2 % above the objective (issue 13's target). The seat-counting bound used
    to be computed after the local search with what the search left, and a seating that ran
    to its own limit left too little (scheduler.solver._choose_programme)."""
    d = json.loads(shared_example("restitution-2016-programme.json").read_text(encoding="utf-8"))
    sol = solve(d, workers=2, time_limit_s=30)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert check_solution(d, sol) == []
    assert sol["objective"] <= sol["bound"] <= 1.02 * sol["objective"]


@pytest.mark.alone
def test_the_programme_bound_survives_a_local_search_that_spends_its_time(monkeypatch):
    """The failure seen under load, made deterministic: the local search runs past its
    safety net (as when one seating ended UNKNOWN 1.2 s after its own limit, measured on
    this day); the seat-counting bound is still reported, since it no longer waits for
    what the search leaves."""
    import time

    import scheduler.solver as solver_mod

    real = solver_mod.improve

    def slow_improve(inst, place, deadline, *args, **kwargs):
        out = real(inst, place, deadline, *args, **kwargs)
        time.sleep(max(0.0, deadline + 1.5 - time.monotonic()))
        return out

    monkeypatch.setattr(solver_mod, "improve", slow_improve)
    d = json.loads(shared_example("restitution-2016-programme.json").read_text(encoding="utf-8"))
    sol = solve(d, workers=2, time_limit_s=20)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert sol["objective"] <= sol["bound"] <= 1.03 * sol["objective"]
