"""Programme mode's bound (scheduler.joint) against the exact optimum of tiny days.

The optimum over every programme is found by enumeration, independent of ``scheduler``:
every placement of the sessions (room themes, tables, rule 9), each one's best seating by
``contract.brute_force_optimum``. The joint LP with its same-round cuts (pair rows,
pigeonhole and triangle rows) must never fall below it, and the solver's reported bound
neither. Days are drawn so that the cuts have something to cut: 2-3 rounds, 3-5 open
sessions of projects with one session each (wished in pairs), unavailability, step-free
needs, a presenter of an open project, minimum audiences and theme variety.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scheduler import solve
from scheduler.instance import load_instance
from scheduler.joint import joint_bound, pigeon
from scheduler.programme import placement_bound, virtual_day

from . import contract

THEMES = ["a", "b"]


@st.composite
def tiny_programme_days(draw: Any) -> dict:
    n_rounds = draw(st.integers(2, 3))
    rounds = [f"r{i}" for i in range(n_rounds)]
    rooms = [{"id": "m0", "capacity": draw(st.integers(2, 4)), "tables": draw(st.integers(1, 2)),
              "themes": draw(st.sampled_from([[], ["a"]]))},
             {"id": "m1", "capacity": draw(st.integers(1, 3)),
              "accessible": draw(st.booleans())}]
    n_projects = draw(st.integers(3, 4))
    projects = [{"id": f"x{j}", "theme": draw(st.sampled_from(THEMES))}
                for j in range(n_projects)]
    sessions = []
    for j, p in enumerate(projects):
        for k in range(2 if j == 0 and draw(st.booleans()) else 1):
            sessions.append({"id": f"{p['id']}-{k}", "project": p["id"],
                             "capacity": draw(st.integers(1, 3)),
                             "min_audience": draw(st.sampled_from([0, 0, 1]))})
    if draw(st.booleans()):  # one session placed by the organiser
        sessions[-1]["round"], sessions[-1]["room"] = rounds[0], "m1"
    n_people = draw(st.integers(2, 3))
    people = []
    for i in range(n_people):
        person: dict[str, Any] = {
            "id": f"p{i}",
            "wishes": draw(st.lists(st.sampled_from([p["id"] for p in projects]), min_size=1,
                                    max_size=3, unique=True)),
            "themes": draw(st.lists(st.sampled_from(THEMES), max_size=1)),
            "needs_accessible": draw(st.integers(0, 3)) == 0}
        if draw(st.integers(0, 3)) == 0:
            person["unavailable"] = [draw(st.sampled_from(rounds))]
        people.append(person)
    if draw(st.integers(0, 2)) == 0:
        projects[1]["presenters"] = [people[-1]["id"]]
    options = {"min_distinct_themes": draw(st.integers(1, 2)),
               "allow_idle": draw(st.integers(0, 3)) == 0,
               "unlucky_penalty": draw(st.sampled_from([0, 200])), "time_limit_s": 5}
    return {"format": "speed-dating-instance/1", "themes": [{"id": t} for t in THEMES],
            "rooms": rooms, "rounds": [{"id": r} for r in rounds], "projects": projects,
            "sessions": sessions, "participants": people, "options": options}


def programmes(data: dict) -> list[list[dict]]:
    """Every legal programme: each open session in a round and a room admitting its theme,
    at most ``tables`` sessions per room and round, two sessions of one project apart."""
    theme = {p["id"]: p["theme"] for p in data["projects"]}
    rounds = [r["id"] for r in data["rounds"]]
    rooms = {m["id"]: m for m in data["rooms"]}
    options = []
    for s in data["sessions"]:
        rs = [s["round"]] if s.get("round") else rounds
        ms = [s["room"]] if s.get("room") else [m for m, room in rooms.items()
                                                if not room.get("themes")
                                                or theme[s["project"]] in room["themes"]]
        options.append([(r, m) for r in rs for m in ms])
    out = []
    for combo in itertools.product(*options):
        tables: dict = {}
        seen: set = set()
        ok = True
        for s, (r, m) in zip(data["sessions"], combo, strict=True):
            tables[(r, m)] = tables.get((r, m), 0) + 1
            ok &= tables[(r, m)] <= rooms[m].get("tables", 1)
            ok &= (s["project"], r) not in seen
            seen.add((s["project"], r))
        if ok:
            out.append([{"session": s["id"], "round": r, "room": m}
                        for s, (r, m) in zip(data["sessions"], combo, strict=True)])
    return out


def programme_optimum(data: dict) -> int | None:
    best = None
    for prog in programmes(data):
        value = contract.brute_force_optimum(data, prog)
        if value is not None and (best is None or value > best):
            best = value
    return best


def test_pigeonhole_counts():
    assert [pigeon(k, 3) for k in range(8)] == [0, 0, 0, 0, 1, 2, 3, 5]
    assert pigeon(14, 3) == 26 and pigeon(5, 2) == 4


def test_three_people_three_wished_pairs_two_rounds():
    """Three sessions in two rounds: two of them share a round, so one of the three people
    (wanting x0+x1, x1+x2 and x0+x2) loses a wish (optimum 160 + 160 + 100 = 420). The
    seat-counting relaxation grants every wish (480); the same-round rows see the loss."""
    data = {"format": "speed-dating-instance/1", "themes": [{"id": "a"}],
            "rooms": [{"id": "m", "capacity": 9, "tables": 2}],
            "rounds": [{"id": "r0"}, {"id": "r1"}],
            "projects": [{"id": f"x{j}", "theme": "a"} for j in range(3)],
            "sessions": [{"id": f"x{j}-0", "project": f"x{j}", "capacity": 3}
                         for j in range(3)],
            "participants": [{"id": f"p{i}", "wishes": [f"x{i}", f"x{(i + 1) % 3}"]}
                             for i in range(3)],
            "options": {"unlucky_penalty": 200}}
    assert programme_optimum(data) == 420
    inst = load_instance(data)
    assert placement_bound(inst, 30, path_lp=False) == 480
    bound = joint_bound(inst, virtual_day(inst), 30)
    assert bound is not None and 420 <= bound < 421
    sol = solve(data, time_limit_s=5, workers=1)
    assert sol["objective"] == sol["bound"] == 420 and sol["status"] == "OPTIMAL"


# no shrinking (each example enumerates programmes); the failing day is printed as drawn
@settings(max_examples=40, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tiny_programme_days())
def test_the_joint_bound_is_never_below_the_optimum_of_every_programme(data):
    best = programme_optimum(data)
    inst = load_instance(data)
    day = virtual_day(inst)
    bound = None if day is None else joint_bound(inst, day, 30)
    if best is not None and bound is not None:
        assert math.floor(bound + 1e-6) >= best, (bound, best)
    sol = solve(data, time_limit_s=5, workers=1)
    if best is None:
        assert sol["status"] in ("INFEASIBLE", "UNKNOWN")
        return
    if sol["status"] in ("OPTIMAL", "FEASIBLE"):
        assert sol["objective"] <= best <= sol["bound"]


def test_the_2016_days_joint_bound_is_within_two_percent_of_its_best_schedules():
    """On the 2016 programme day the joint LP bounds every programme at 59,922 (workshops
    included) in one LP, where the seat-counting relaxation proved 60,480: 1.7 % above the
    58,900-58,945 schedules of a 20 s solve. No clock here: the LP is limited by its
    iterations only, and 58,945 (a schedule the solver found) must stay below it."""
    import json

    from scheduler.workshops import solve_workshops

    from .helpers import shared_example

    d = json.loads(shared_example("restitution-2016-programme.json").read_text(encoding="utf-8"))
    inst = load_instance(d)
    ws = solve_workshops(inst, time_limit=30).objective
    bound = joint_bound(inst, virtual_day(inst), 600, cut_rounds=0)
    assert bound is not None
    total = math.floor(bound + 1e-6) + ws
    assert 58945 <= total <= 59922
    assert total <= 1.02 * 58900
