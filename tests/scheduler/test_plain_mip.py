"""benchmarks.plain_mip, the benchmark's yardstick: its schedules obey the contract and its
objective is the contract's (``scheduler.evaluate``, and brute force on tiny days)."""

from __future__ import annotations

import pytest

from scheduler import check_solution, evaluate

from .helpers import brute_force, run_plain_mip, tiny, violations


def variant(name: str) -> dict:
    d = tiny()
    o, people = d["options"], d["participants"]
    if name == "themes":
        o["min_distinct_themes"] = 2
    elif name == "idle":
        o["allow_idle"] = True
        o["unlucky_penalty"] = 0
    elif name == "unlucky":
        o["unlucky_penalty"] = 1000
        o["rank_weights"] = [10, 5]
    elif name == "changes":
        o["previous"] = {"p1": {"r1": "y1", "r2": "z1"}, "p3": {"r1": "x1"}}
        o["change_penalty"] = 70
    elif name == "presenter":
        d["projects"][0]["presenters"] = ["p2"]
    elif name == "availability":
        people[0]["unavailable"] = ["r2"]
        people[0]["needs_accessible"] = True  # then only x1 (room ra) is open to p1
    elif name == "fixed":
        people[1]["fixed"] = {"r1": "y1"}
    elif name == "min_audience":
        d["sessions"][1]["min_audience"] = 2
    return d


NAMES = ["plain", "themes", "idle", "unlucky", "changes", "presenter", "availability",
         "fixed", "min_audience"]


@pytest.mark.parametrize("name", NAMES)
def test_optimum_is_the_brute_force_optimum_and_checks(name):
    d = variant(name)
    sol = run_plain_mip(d)
    assert sol["status"] == "OPTIMAL"
    assert check_solution(d, sol) == []
    assert violations(d, sol) == []
    assert sol["objective"] == evaluate(d, sol["assignments"])["objective"]
    assert sol["objective"] == sol["bound"] == brute_force(d)


def test_workshops_and_programme_mode():
    d = tiny()
    d["workshop_slots"] = [{"id": "ws"}]
    d["workshops"] = [{"id": "w0", "slot": "ws", "capacity": 2, "room": "rb"},
                      {"id": "w1", "slot": "ws", "capacity": 3}]
    for p in d["participants"]:
        p["workshop_wishes"] = ["w0", "w1"]
    d["participants"][0]["needs_accessible"] = True  # not w0 (room rb), x1 in r1
    d["participants"][0]["unavailable"] = ["r2"]
    d["participants"][2]["unavailable"] = ["ws"]
    for s in d["sessions"][1:]:
        del s["round"], s["room"]
    d["sessions"][2]["min_audience"] = 1
    sol = run_plain_mip(d)
    assert sol["status"] == "OPTIMAL"
    assert check_solution(d, sol) == []
    assert violations(d, sol) == []
    assert sol["objective"] == evaluate(d, sol["assignments"])["objective"]


def test_infeasible_day_is_reported_as_such():
    d = tiny()
    d["sessions"] = d["sessions"][:2]  # r2 has no session: nobody can attend round 2
    sol = run_plain_mip(d)
    assert sol["status"] in ("INFEASIBLE", "UNKNOWN")
    assert sol["assignments"] == []


def test_fixed_entry_in_a_room_that_is_not_step_free_is_infeasible_for_who_needs_one():
    """Rule 6 over rule 7: p2 needs a step-free room and is fixed into y1, held in rb (not
    step-free). No schedule exists; the plain MIP used to force the fixed entry anyway and
    return a schedule that breaks rule 6 (seen once while hypothesis shrank a random day)."""
    d = tiny()
    d["participants"][1]["needs_accessible"] = True
    d["participants"][1]["fixed"] = {"r1": "y1"}
    for allow_idle in (False, True):  # idling instead would break rule 7
        d["options"]["allow_idle"] = allow_idle
        sol = run_plain_mip(d, time_limit_s=10)
        assert sol["status"] == "INFEASIBLE"
        assert sol["assignments"] == []
