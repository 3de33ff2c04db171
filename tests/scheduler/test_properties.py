"""Hypothesis: random small instances; every rule and the objective checked independently."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import solve

from .helpers import brute_force, objective, violations


@st.composite
def instances(draw, programme: bool = False):
    n_rounds = draw(st.integers(1, 3))
    rounds = [{"id": f"r{i}"} for i in range(n_rounds)]
    themes = [{"id": t} for t in ("a", "b", "c")]
    n_proj = draw(st.integers(2, 4))
    projects = [{"id": f"x{j}", "theme": draw(st.sampled_from(["a", "b", "c"]))}
                for j in range(n_proj)]
    rooms = [{"id": "m0", "capacity": 12, "tables": 2, "accessible": True},
             {"id": "m1", "capacity": 8, "accessible": draw(st.booleans()),
              "themes": [draw(st.sampled_from(["a", "b", "c"]))]}]
    sessions = []
    for j, pr in enumerate(projects):
        for r in range(n_rounds):
            if len(sessions) >= 3 * n_rounds or not draw(st.booleans()) and r:
                continue
            room = "m0" if (j + r) % 2 == 0 else "m1"
            s = {"id": f"s{j}{r}", "project": pr["id"], "capacity": draw(st.integers(2, 5)),
                 "min_audience": draw(st.sampled_from([0, 0, 1, 2]))}
            if not programme or draw(st.booleans()):
                s["round"], s["room"] = f"r{r}", room
            sessions.append(s)
    n_people = draw(st.integers(1, 5))
    people = []
    for i in range(n_people):
        p = {"id": f"p{i}",
             "wishes": draw(st.lists(st.sampled_from([p["id"] for p in projects]),
                                     max_size=3, unique=True)),
             "themes": draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=1)),
             "needs_accessible": draw(st.booleans()),
             "workshop_wishes": draw(st.lists(st.sampled_from(["w0", "w1"]), unique=True))}
        if draw(st.booleans()):
            p["unavailable"] = [f"r{draw(st.integers(0, n_rounds - 1))}"]
        fixable = [s for s in sessions if s.get("round")]
        if fixable and draw(st.integers(0, 4)) == 0:
            s = draw(st.sampled_from(fixable))
            p["fixed"] = {s["round"]: s["id"]}
        people.append(p)
    if draw(st.booleans()):
        projects[0]["presenters"] = [people[-1]["id"]]
    return {
        "format": "speed-dating-instance/1",
        "themes": themes, "rooms": rooms, "rounds": rounds, "projects": projects,
        "sessions": sessions,
        "workshop_slots": [{"id": "ws"}],
        "workshops": [{"id": "w0", "slot": "ws", "capacity": 3, "room": "m1"},
                      {"id": "w1", "slot": "ws", "capacity": 4}],
        "participants": people,
        "options": {"min_distinct_themes": draw(st.integers(1, 2)),
                    "allow_idle": draw(st.booleans()), "time_limit_s": 10},
    }


def check(d, sol):
    assert sol["status"] in ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN")
    if sol["status"] in ("OPTIMAL", "FEASIBLE"):
        assert violations(d, sol) == []
        assert sol["objective"] == objective(d, sol["assignments"])
        assert sol["bound"] >= sol["objective"]
        assert len(sol["programme"]) == len(d["sessions"])
    else:
        assert sol["diagnosis"]


SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.slow  # 80 solves, some brute-forced twice: over ten seconds of CPU
@SETTINGS
@given(instances())
def test_fixed_programme_random(d):
    sol = solve(d, time_limit_s=10)
    check(d, sol)
    if len(d["participants"]) <= 4 and len(d["rounds"]) <= 2:
        # brute force over sessions only; workshops are independent and added separately
        nows = {**d, "workshop_slots": [], "workshops": [],
                "participants": [{**p, "workshop_wishes": [],
                                  "unavailable": [u for u in p.get("unavailable", []) if u != "ws"],
                                  "fixed": {k: v for k, v in (p.get("fixed") or {}).items()
                                            if k != "ws"}}
                                 for p in d["participants"]]}
        best = brute_force(nows)
        s2 = solve(nows, time_limit_s=10)
        if best is None:
            assert s2["status"] == "INFEASIBLE"
        else:
            assert s2["status"] == "OPTIMAL" and s2["objective"] == best


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(instances(programme=True))
def test_programme_mode_random(d):
    sol = solve(d, time_limit_s=3)
    check(d, sol)
