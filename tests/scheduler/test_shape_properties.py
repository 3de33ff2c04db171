"""Issue 13, item 5: random day shapes (1-8 rounds) solved by ``scheduler.solve``, every rule
and the reported objective checked by the independent checker of ``contract.py``; optima of
tiny 4-6 round days compared with brute force and with the plain MIP of
``benchmarks.plain_mip`` (run in its own process, see ``helpers.run_plain_mip``).

No timing is asserted; the solver gets a short limit so that each example stays small.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import solve

from . import contract
from .helpers import run_plain_mip

THEMES = ["a", "b", "c"]


@st.composite
def days(draw: Any, rounds: tuple[int, int] = (1, 8), people: tuple[int, int] = (3, 10),
         per_round: tuple[int, int] = (2, 3), workshops: bool = True,
         programme: bool = False) -> dict:
    """A small day: random rounds, sessions, capacities, min audiences, unavailability,
    step-free needs, presenters, fixed entries, previous schedule."""
    n_rounds = draw(st.integers(*rounds))
    round_ids = [f"r{i}" for i in range(n_rounds)]
    n_proj = draw(st.integers(per_round[1], n_rounds + per_round[1]))
    projects = [{"id": f"x{j}", "theme": draw(st.sampled_from(THEMES))} for j in range(n_proj)]
    rooms = [{"id": "m0", "capacity": draw(st.integers(6, 30)), "tables": 3},
             {"id": "m1", "capacity": draw(st.integers(3, 10)),
              "accessible": draw(st.booleans()), "themes": draw(st.sampled_from([[], ["a"]]))}]
    sessions = []
    for r in round_ids:
        k = draw(st.integers(*per_round))
        chosen = draw(st.lists(st.sampled_from(projects), min_size=k, max_size=k,
                               unique_by=lambda p: p["id"]))
        for i, pr in enumerate(chosen):
            room = "m1" if i == 0 and (not rooms[1]["themes"] or pr["theme"] == "a") else "m0"
            cap = draw(st.integers(1, 6))
            s = {"id": f"{pr['id']}-{r}", "project": pr["id"], "round": r, "room": room,
                 "capacity": cap, "min_audience": draw(st.sampled_from([0, 0, 1, 2]))}
            s["min_audience"] = min(s["min_audience"], cap)
            if programme and draw(st.booleans()):
                del s["round"], s["room"]
            sessions.append(s)
    n_people = draw(st.integers(*people))
    slots = ["ws"] if workshops and draw(st.booleans()) else []
    persons = []
    for i in range(n_people):
        p: dict[str, Any] = {
            "id": f"p{i}",
            "wishes": draw(st.lists(st.sampled_from([p["id"] for p in projects]), max_size=3,
                                    unique=True)),
            "themes": draw(st.lists(st.sampled_from(THEMES), max_size=1)),
            "needs_accessible": draw(st.integers(0, 4)) == 0,
            "workshop_wishes": draw(st.lists(st.sampled_from(["w0", "w1"]), unique=True))
            if slots else []}
        if draw(st.integers(0, 3)) == 0:
            p["unavailable"] = draw(st.lists(st.sampled_from(round_ids + slots), min_size=1,
                                             max_size=max(1, n_rounds // 2), unique=True))
        placed = [s for s in sessions if s.get("round") and s["round"] not in
                  p.get("unavailable", [])]
        if placed and draw(st.integers(0, 5)) == 0:
            s = draw(st.sampled_from(placed))
            p["fixed"] = {s["round"]: s["id"]}
        persons.append(p)
    if draw(st.booleans()):
        projects[0]["presenters"] = [persons[-1]["id"]]
        persons[-1].pop("fixed", None)
    options: dict[str, Any] = {"min_distinct_themes": draw(st.integers(1, 2)),
                               "allow_idle": draw(st.integers(0, 4)) == 0, "time_limit_s": 5}
    if draw(st.integers(0, 3)) == 0:
        options["previous"] = {persons[0]["id"]: {s["round"]: s["id"] for s in sessions[:2]
                                                  if s.get("round")}}
        options["change_penalty"] = draw(st.sampled_from([0, 30, 300]))
    data: dict[str, Any] = {
        "format": "speed-dating-instance/1", "themes": [{"id": t} for t in THEMES],
        "rooms": rooms, "rounds": [{"id": r} for r in round_ids], "projects": projects,
        "sessions": sessions, "participants": persons, "options": options}
    if slots:
        data["workshop_slots"] = [{"id": "ws"}]
        data["workshops"] = [{"id": "w0", "slot": "ws", "capacity": 4, "room": "m1"},
                             {"id": "w1", "slot": "ws", "capacity": n_people}]
    return data


def check_reported(data: dict, sol: dict) -> None:
    """The contract's promises about a returned solution, checked independently."""
    assert sol["status"] in ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN")
    if sol["status"] in ("OPTIMAL", "FEASIBLE"):
        assert contract.violations(data, sol) == []
        assert sol["objective"] == contract.objective(data, sol)
        assert sol["bound"] >= sol["objective"]
        if sol["status"] == "OPTIMAL":
            assert sol["bound"] == sol["objective"]
    else:
        assert sol["diagnosis"], "an INFEASIBLE or UNKNOWN answer must say why"


QUICK = settings(max_examples=25, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@QUICK
@given(days(rounds=(1, 3)))
def test_random_shapes_obey_every_rule_and_report_the_true_objective(data):
    check_reported(data, solve(data, time_limit_s=5, workers=1))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(4, 8)))
def test_random_shapes_of_four_to_eight_rounds_obey_every_rule(data):
    """Slow on today's solver: its pricing is exponential in the rounds and it overruns its
    limit (a 7-round, 5-person day took 444 s to answer INFEASIBLE with a 5 s limit)."""
    check_reported(data, solve(data, time_limit_s=5, workers=1))


@pytest.mark.slow
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(2, 6), programme=True))
def test_random_programme_mode_days_obey_every_rule(data):
    check_reported(data, solve(data, time_limit_s=5, workers=1))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(4, 4), people=(2, 3), per_round=(2, 2), workshops=False))
def test_tiny_four_round_days_reach_the_brute_force_optimum(data):
    best = contract.brute_force_optimum(data)
    sol = solve(data, time_limit_s=10, workers=1)
    check_reported(data, sol)
    if best is None:
        assert sol["status"] == "INFEASIBLE"
        return
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert sol["objective"] <= best <= sol["bound"]
    if sol["status"] == "OPTIMAL":
        assert sol["objective"] == best


@pytest.mark.slow
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(4, 6), people=(3, 8)))
def test_four_to_six_round_days_reach_the_plain_mip_optimum(data):
    ref = run_plain_mip(data, time_limit_s=30)
    sol = solve(data, time_limit_s=10, workers=1)
    check_reported(data, sol)
    if ref["status"] == "INFEASIBLE":
        assert sol["status"] == "INFEASIBLE"
        return
    assert ref["status"] == "OPTIMAL", "the reference must be exact on a tiny day"
    assert contract.violations(data, ref) == []
    optimum = ref["objective"]
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), sol["diagnosis"]
    assert sol["objective"] <= optimum <= sol["bound"]
    if sol["status"] == "OPTIMAL":
        assert sol["objective"] == optimum


def test_the_independent_checker_catches_broken_schedules():
    """The checker can fail: each mutation of a valid schedule breaks the rule it names."""
    from .helpers import tiny

    data = tiny()
    data["participants"][0]["needs_accessible"] = True
    data["participants"][0]["unavailable"] = ["r2"]
    sol = solve(data, time_limit_s=10, workers=1)
    assert contract.violations(data, sol) == []
    by = {a["participant"]: a for a in sol["assignments"]}

    def broken(mutate) -> list[str]:
        import copy

        bad = copy.deepcopy(sol)
        mutate({a["participant"]: a for a in bad["assignments"]}, bad)
        return contract.violations(data, bad)

    assert any(v.startswith("rule 1") for v in broken(lambda b, s: b["p2"]["sessions"].pop("r2")))
    assert any(v.startswith("rule 2") for v in broken(
        lambda b, s: b["p1"]["sessions"].update(r2="x2")))
    assert any(v.startswith("rule 6") for v in broken(
        lambda b, s: b["p1"]["sessions"].update(r1="y1")))
    other = "y1" if by["p2"]["sessions"]["r1"] == "x1" else "x1"
    assert any(v.startswith("rule 4") for v in broken(
        lambda b, s: [b[p]["sessions"].update(r1=other) for p in ("p2", "p3", "p4")]))
    data["participants"][1]["fixed"] = {"r1": by["p2"]["sessions"]["r1"]}
    assert any(v.startswith("rule 7") for v in broken(
        lambda b, s: b["p2"]["sessions"].update(r1=other)))
    assert contract.objective(data, sol) == sol["objective"]
    moved = {**sol, "assignments": [{**a, "sessions": {}} for a in sol["assignments"]]}
    assert contract.objective(data, moved) < sol["objective"]


DATA = Path(__file__).parent / "data"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "optimum"), [("seven-rounds-three-people", 420),
                                               ("seven-rounds-infeasible", None)])
def test_seven_round_days_found_by_the_properties(name, optimum):
    """Two days drawn by the property tests (hypothesis, derandomised). With a 5 s limit,
    today's solver answered the first in 29-91 s (OPTIMAL 420) and the second in 103-444 s
    (INFEASIBLE), depending on machine load; the plain MIP proves both in 0.2 s. Kept for
    their answers; the clock is only a hang guard (limit + 15 s)."""
    data = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    t = time.monotonic()
    sol = solve(data, time_limit_s=5, workers=1)
    wall = time.monotonic() - t
    assert wall < 5 + 15, f"answered after {wall:.1f} s (hang guard)"
    check_reported(data, sol)
    if optimum is None:
        assert sol["status"] == "INFEASIBLE"
    else:
        assert sol["status"] in ("OPTIMAL", "FEASIBLE")
        assert sol["objective"] <= optimum <= sol["bound"]


def test_a_class_without_any_legal_path_is_not_left_out_of_the_flow_start():
    """A 5-round, 3-person day drawn by the properties: one class has no legal path at all
    (too few distinct projects open to it). The flow start seated the other classes only,
    and the LP rounding then crashed (KeyError) looking up that class's favourite path;
    now the flow start is skipped and the infeasibility is proven, like the plain MIP."""
    data = json.loads((DATA / "five-rounds-no-legal-path.json").read_text(encoding="utf-8"))
    sol = solve(data, time_limit_s=5, workers=1)
    check_reported(data, sol)
    assert sol["status"] == "INFEASIBLE"
    assert run_plain_mip(data, time_limit_s=20)["status"] == "INFEASIBLE"
