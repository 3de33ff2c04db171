"""The workshop phase's objective counts the change penalty of every previous workshop.

Regression: a renaming (``prev`` -> ``previous``) left one test on the old name, a tuple
of pairs, so ``slot in prev`` was always false and the constant ``-change_penalty`` of
each previous workshop entry was dropped: the workshops' optimum was over-counted by
``change_penalty`` per previous entry, the final bound (seating bound + workshops' optimum)
with it, and proven days came back FEASIBLE with a gap (3 rounds, 400 people, a previous
schedule: 77,960 against a bound of 83,060 instead of OPTIMAL).
"""

from __future__ import annotations

from scheduler import evaluate, load_instance, solve
from scheduler.workshops import solve_workshops

from . import contract
from .helpers import objective as independent_objective
from .helpers import tiny


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
