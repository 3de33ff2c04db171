"""The workshop phase's objective counts the change penalty of every previous workshop.

Regression: a renaming (``prev`` -> ``previous``) left one test on the old name, a tuple
of pairs, so ``slot in prev`` was always false and the constant ``-change_penalty`` of
each previous workshop entry was dropped: the workshops' optimum was over-counted by
``change_penalty`` per previous entry, the final bound (seating bound + workshops' optimum)
with it, and proven days came back FEASIBLE with a gap (3 rounds, 400 people, a previous
schedule: 77,960 against a bound of 83,060 instead of OPTIMAL).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scheduler import evaluate, load_instance, solve
from scheduler.workshops import solve_workshops

from . import contract
from .helpers import objective as independent_objective
from .helpers import tiny
from .test_brute_force_shapes import long_tiny_days
from .test_shape_properties import check_reported


def _day() -> dict:
    data = tiny()
    data["workshop_slots"] = [{"id": "ws", "start": "14:00", "end": "15:00"}]
    data["workshops"] = [{"id": "w1", "slot": "ws", "capacity": 2},
                         {"id": "w2", "slot": "ws", "capacity": 2}]
    people = data["participants"]
    people[0]["workshop_wishes"] = ["w2"]
    people[1]["workshop_wishes"] = ["w1"]
    data["options"].update({
        "change_penalty": 30,
        # p1 gains 100 by leaving w1 (a change), p2 and p3 keep theirs, p4 was away
        "previous": {"p1": {"ws": "w1"}, "p2": {"ws": "w1"}, "p3": {"ws": "w2"},
                     "p4": {"r1": "y1"}}})
    return data


def test_the_workshop_optimum_is_the_value_of_its_own_workshops():
    data = _day()
    inst = load_instance(data)
    ws = solve_workshops(inst)
    assert ws.status == "OPTIMAL"
    only = [{"participant": p.id, "sessions": {}, "workshops": ws.workshops[p.id]}
            for p in inst.participants]
    # without sessions, each round of p4's previous entry is a change too: count workshops
    # alone by leaving the session entries out of the previous schedule
    alone = {**data, "options": {**data["options"], "previous": {
        p: {k: v for k, v in e.items() if k == "ws"}
        for p, e in data["options"]["previous"].items()}}}
    # (the people, seatless here, are all unlucky: that constant is taken out)
    nothing = [{**a, "workshops": {}} for a in only]
    bare = {**data, "options": {**data["options"], "previous": {}}}
    unlucky = evaluate(bare, nothing)["objective"]
    value = evaluate(alone, only)["objective"] - unlucky
    assert ws.objective == value == 100 - 30 + 100  # p1's wish (a change), p2's kept
    assert value == independent_objective(alone, only) - independent_objective(bare, nothing)


def test_a_day_with_previous_workshops_is_proven_at_its_optimum():
    data = _day()
    best = contract.brute_force_optimum(data)
    sol = solve(data, time_limit_s=10, workers=1)
    assert sol["objective"] == best
    assert sol["status"] == "OPTIMAL" and sol["bound"] == best


@st.composite
def days_with_workshops(draw: Any) -> dict:
    """A tiny day of 4-6 rounds (test_brute_force_shapes) with a workshop slot of two or
    three workshops, workshop wishes, and a previous schedule that names workshops."""
    data = draw(long_tiny_days())
    data["workshop_slots"] = [{"id": "ws"}]
    n_w = draw(st.integers(2, 3))
    n_people = len(data["participants"])
    data["workshops"] = [{"id": f"w{k}", "slot": "ws",
                          "capacity": draw(st.integers(1, n_people))} for k in range(n_w)]
    ids = [w["id"] for w in data["workshops"]]
    previous: dict[str, dict[str, str]] = data["options"].get("previous", {})
    for p in data["participants"]:
        p["workshop_wishes"] = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
        if draw(st.booleans()):
            previous.setdefault(p["id"], {})["ws"] = draw(st.sampled_from(ids))
    data["options"]["previous"] = previous
    data["options"]["change_penalty"] = draw(st.sampled_from([30, 300]))
    return data


def _without_workshops(data: dict) -> dict:
    out = copy.deepcopy(data)
    out.pop("workshop_slots")
    out.pop("workshops")
    for p in out["participants"]:
        p.pop("workshop_wishes", None)
    out["options"]["previous"] = {p: {k: v for k, v in e.items() if k != "ws"}
                                  for p, e in out["options"]["previous"].items()}
    return out


# (no shrinking: see test_brute_force_shapes)
@settings(max_examples=20, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days_with_workshops())
def test_workshops_never_open_a_gap(data):
    """The workshops are solved exactly and apart, so they neither break the bound (never
    below the brute-force optimum) nor loosen it: a day whose sessions alone are proven
    optimal is proven optimal with its workshops too."""
    best = contract.brute_force_optimum(data)
    sol = solve(data, time_limit_s=5, workers=1)
    check_reported(data, sol)
    if best is None:
        return  # (the infeasible days are test_brute_force_shapes' business)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), (sol["status"], sol["diagnosis"])
    assert sol["objective"] <= best <= sol["bound"]
    if sol["status"] == "OPTIMAL":
        assert sol["objective"] == best
    alone = solve(_without_workshops(data), time_limit_s=5, workers=1)
    if alone["status"] == "OPTIMAL":
        assert sol["status"] == "OPTIMAL" and sol["bound"] == best, (sol, alone["objective"])
