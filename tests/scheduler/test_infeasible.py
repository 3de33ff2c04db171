"""Infeasible instances come back INFEASIBLE with a diagnosis naming the culprit."""

from __future__ import annotations

from scheduler import solve

from .helpers import tiny


def diagnose(d) -> list[str]:
    sol = solve(d, time_limit_s=20)
    assert sol["status"] == "INFEASIBLE"
    assert sol["diagnosis"]
    return sol["diagnosis"]


def test_more_people_than_seats():
    d = tiny()
    for i in range(5, 9):
        d["participants"].append({"id": f"p{i}"})
    diag = diagnose(d)
    assert "round r1: 8 participants must be seated but the sessions hold 4" in diag


def test_unavailability_is_respected_in_seat_count():
    d = tiny()
    for i in range(5, 9):
        d["participants"].append({"id": f"p{i}", "unavailable": ["r1"]})
    diag = diagnose(d)
    assert not any(m.startswith("round r1:") for m in diag)
    assert "round r2: 8 participants must be seated but the sessions hold 4" in diag


def test_accessible_seats_short():
    d = tiny()
    for p in d["participants"]:
        p["needs_accessible"] = True
    diag = diagnose(d)
    assert ("round r1: 4 participants need an accessible room but accessible rooms hold 2 "
            "seats") in diag


def test_min_audience_cannot_be_met():
    d = tiny()
    d["sessions"][1]["min_audience"] = 2
    d["sessions"][1]["capacity"] = 4
    d["participants"][0]["fixed"] = {"r1": "y1"}
    for p in d["participants"][1:]:
        p["unavailable"] = ["r1"]
    diag = diagnose(d)
    assert any("session y1 has participants fixed to it and needs 2 participants, but at most 1"
               in m for m in diag)


def test_colliding_fixed_entries():
    d = tiny()
    d["participants"][0]["fixed"] = {"r1": "x1", "r2": "x2"}
    d["participants"][1]["fixed"] = {"r1": "x1"}
    d["participants"][1]["unavailable"] = ["r1"]
    d["projects"][1]["presenters"] = ["p3"]
    d["participants"][2]["fixed"] = {"r1": "y1"}
    diag = diagnose(d)
    assert "participant p1 is fixed to 2 sessions of project x" in diag
    assert "participant p2 is fixed to x1 in r1 but is unavailable then" in diag
    assert "participant p3 is fixed to y1 in round r1 while presenting there" in diag


def test_capacity_exceeded_by_fixed_participants():
    d = tiny()
    for p in d["participants"][:3]:
        p["fixed"] = {"r1": "x1"}
    diag = diagnose(d)
    assert "session x1: 3 participants are fixed to it but it has 2 seats" in diag


def test_theme_variety_impossible():
    d = tiny()
    d["options"]["min_distinct_themes"] = 2
    d["projects"][0]["theme"] = "b"  # every session is now of theme b
    diag = diagnose(d)
    assert ("theme variety: 4 participant(s) (p1, p2, p3, p4) can reach only 1 distinct "
            "theme(s) but min_distinct_themes requires 2") in diag


def test_fallback_names_the_responsible_rule_group():
    # nothing to count: the accessible participant would have to see project x twice
    d = tiny()
    d["participants"][3]["needs_accessible"] = True
    d["sessions"][0]["capacity"] = 4
    d["sessions"][2]["capacity"] = 4
    diag = diagnose(d)
    assert any("accessible rooms" in m for m in diag)
    assert any("same project twice" in m for m in diag)


def test_programme_mode_rule9_impossible():
    d = tiny()
    d["sessions"].append({"id": "x3", "project": "x", "capacity": 2})
    diag = diagnose(d)
    assert "project x has 3 sessions but there are only 2 rounds" in diag
