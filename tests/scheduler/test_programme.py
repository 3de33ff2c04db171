"""Programme mode: the solver places sessions and seats people."""

from __future__ import annotations

from scheduler import check_solution, solve

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
