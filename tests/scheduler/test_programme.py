"""Programme mode: the solver places sessions and seats people."""

from __future__ import annotations

import pytest

from scheduler import check_solution, solve
from scheduler.instance import load_instance
from scheduler.programme import initial_programme

from . import contract
from .helpers import objective, tiny, violations


def free(d):
    for s in d["sessions"]:
        s.pop("round", None)
        s.pop("room", None)
    return d


def test_programme_mode_places_every_session_legally():
    d = free(tiny())
    d["sessions"][0]["round"] = "r1"  # a partly fixed session stays put
    sol = solve(d, time_limit_s=10)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert violations(d, sol) == [] and check_solution(d, sol) == []
    prog = {e["session"]: e for e in sol["programme"]}
    assert set(prog) == {s["id"] for s in d["sessions"]}
    assert prog["x1"]["round"] == "r1"
    assert prog["x1"]["round"] != prog["x2"]["round"]  # rule 9
    assert sol["objective"] == objective(d, sol["assignments"])
    assert sol["bound"] >= sol["objective"]


def test_programme_mode_spreads_popular_projects():
    # everyone wants x and y first: they must not share a round
    d = free(tiny())
    d["sessions"] = [{"id": "x1", "project": "x", "capacity": 4},
                     {"id": "y1", "project": "y", "capacity": 4},
                     {"id": "z1", "project": "z", "capacity": 4},
                     {"id": "z2", "project": "z", "capacity": 4}]
    d["rooms"][0]["themes"] = []
    for p in d["participants"]:
        p["wishes"] = ["x", "y"]
    sol = solve(d, time_limit_s=10)
    assert violations(d, sol) == []
    prog = {e["session"]: e["round"] for e in sol["programme"]}
    assert prog["x1"] != prog["y1"]
    assert sol["objective"] == 4 * 160


def test_programme_mode_room_themes_and_min_audience():
    d = free(tiny())
    for s in d["sessions"]:
        s["min_audience"] = 1
    sol = solve(d, time_limit_s=10)
    assert violations(d, sol) == []
    for e in sol["programme"]:
        if e["session"].startswith(("y", "z")):
            assert e["room"] == "rb"  # ra only admits theme a


def test_fixed_entry_pins_a_free_session_to_its_round():
    d = free(tiny())
    d["participants"][0]["fixed"] = {"r2": "y1"}
    sol = solve(d, time_limit_s=10)
    assert violations(d, sol) == []
    prog = {e["session"]: e["round"] for e in sol["programme"]}
    assert prog["y1"] == "r2"
    d["participants"][1]["fixed"] = {"r1": "y1"}
    sol = solve(d, time_limit_s=10)
    assert sol["status"] == "INFEASIBLE"
    assert "session y1: participants are fixed to it in different rounds (r1, r2)" in \
        sol["diagnosis"]


def _shape_day(participants: int | None, seed: int) -> dict:
    """The shapes benchmark's 6-round programme-mode day (96 sessions, 84 to place)."""
    from dataclasses import replace

    from benchmarks.shapes import ROWS, make_instance
    shape = next(r.shape for r in ROWS if r.name == "r6-300-programme")
    if participants is not None:
        shape = replace(shape, participants=participants)
    return make_instance(shape, seed)


@pytest.mark.slow
@pytest.mark.alone  # a programme within a 20 s wall: timed out on a loaded machine
def test_initial_programme_leaves_seats_for_everyone_who_must_attend():
    """The placement model first minimised wish conflicts from scratch (no placement at all
    within its 3 s on this day: UNKNOWN), and its seat count excused every presenter in
    every round, so a placement could leave a round 17 seats short and the seating had no
    schedule. Now: any placement first, then the conflicts; presenters excused only in the
    rounds where they present."""
    inst = load_instance(_shape_day(None, 1))
    place = initial_programme(inst, 3.0, 2, 0, feasibility_limit=5.0)
    assert place is not None
    for r, rid in enumerate(inst.round_ids):
        presenting = {pid for pid, prs in inst.presents.items()
                      if any(s.project in prs and place.round_of[i] == r
                             for i, s in enumerate(inst.sessions))}
        need = sum(1 for p in inst.participants
                   if rid not in p.unavailable and p.id not in presenting)
        load: dict[str, int] = {}
        for i, s in enumerate(inst.sessions):
            if place.round_of[i] == r:
                room = place.room_of[i]
                load[room] = load.get(room, 0) + inst.session_capacity(s, room)
        seats = sum(min(v, inst.rooms[room].capacity) for room, v in load.items())
        assert seats >= need, (rid, seats, need)


@pytest.mark.slow
def test_small_six_round_programme_day_gets_a_schedule():
    """The repro of the UNKNOWN answers on feasible programme-mode days: 30 people on the
    6-round programme-mode shape (seed 3), 20 s."""
    data = _shape_day(30, 3)
    sol = solve(data, time_limit_s=20, workers=2)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), sol["diagnosis"]
    assert check_solution(data, sol) == [] and contract.violations(data, sol) == []
    assert contract.objective(data, sol) == sol["objective"] <= sol["bound"]


def test_the_virtual_days_mip_bounds_every_programme_of_the_2016_day():
    """The seat-counting relaxation's per-person MIP (programme.placement_bound, MIP only):
    a valid bound (at least the fixed 2016 programme's optimum, one of the programmes
    programme mode may choose) and no looser than the per-person one; proven (not cut by
    the clock), so the same on every machine."""
    import json

    from scheduler.programme import placement_bound, programme_bound
    from scheduler.workshops import solve_workshops

    from .helpers import shared_example

    data = json.loads(shared_example("restitution-2016-programme.json").read_text(
        encoding="utf-8"))
    inst = load_instance(data)
    ws = solve_workshops(inst, time_limit=20)
    relaxed = placement_bound(inst, 60, path_lp=False)
    assert relaxed is not None
    assert 58560 <= relaxed + ws.objective <= programme_bound(inst) + ws.objective
    assert placement_bound(inst, 60, path_lp=False) == relaxed
    # neither method asked for: nothing
    assert placement_bound(inst, 60, mip=False, path_lp=False) is None
