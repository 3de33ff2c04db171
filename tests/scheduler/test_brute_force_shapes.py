"""Issue 13 item 5: exact optima of tiny days of 4 to 6 rounds, by exhaustive enumeration
(``contract.brute_force_optimum``, independent of ``scheduler``), against the solver's
reported objective and bound; and small 4-8 round days checked rule by rule.

The days are drawn to be mostly feasible (enough projects for everyone to see distinct
ones) while exercising every rule: unavailability, step-free needs, a presenter, fixed
entries, minimum audiences, theme variety, idling and a previous schedule. They stay small
enough for the enumeration to take milliseconds (2 people, 3 on 4-round days), so this
runs with the fast tests; no timing is asserted.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scheduler import solve

from . import contract
from .test_shape_properties import check_reported, days

THEMES = ["a", "b", "c"]
DATA = Path(__file__).parent / "data"


@st.composite
def long_tiny_days(draw: Any) -> dict:
    n_rounds = draw(st.integers(4, 6))
    rounds = [f"r{i}" for i in range(n_rounds)]
    n_people = draw(st.integers(2, 3)) if n_rounds == 4 else 2
    projects = [{"id": f"x{j}", "theme": draw(st.sampled_from(THEMES))}
                for j in range(2 * n_rounds)]
    rooms = [{"id": "m0", "capacity": draw(st.integers(2, 3)), "tables": 2},
             {"id": "m1", "capacity": draw(st.integers(1, 3)), "accessible": draw(st.booleans())}]
    sessions = []
    for k, r in enumerate(rounds):
        # a project of its own, and either another or one seen in an earlier round (rule 2)
        pair = [projects[2 * k], draw(st.sampled_from(projects[:2 * k] + [projects[2 * k + 1]]))]
        for i, project in enumerate(pair):
            capacity = draw(st.integers(1, rooms[i]["capacity"]))
            sessions.append({"id": f"{project['id']}-{r}", "project": project["id"], "round": r,
                             "room": f"m{i}", "capacity": capacity,
                             "min_audience": min(capacity, draw(st.sampled_from([0, 0, 0, 2])))})
    people = []
    for i in range(n_people):
        person: dict[str, Any] = {
            "id": f"p{i}",
            "wishes": draw(st.lists(st.sampled_from([p["id"] for p in projects]), max_size=3,
                                    unique=True)),
            "themes": draw(st.lists(st.sampled_from(THEMES), max_size=1)),
            "needs_accessible": draw(st.integers(0, 3)) == 0}
        if draw(st.integers(0, 3)) == 0:
            person["unavailable"] = [draw(st.sampled_from(rounds))]
        held = [s for s in sessions if s["round"] not in person.get("unavailable", [])]
        if draw(st.integers(0, 5)) == 0:
            fixed = draw(st.sampled_from(held))
            person["fixed"] = {fixed["round"]: fixed["id"]}
        people.append(person)
    if draw(st.integers(0, 2)) == 0:
        presented = next(p for p in projects if p["id"] == sessions[0]["project"])
        presented["presenters"] = [people[-1]["id"]]
        people[-1].pop("fixed", None)
    options: dict[str, Any] = {
        "min_distinct_themes": draw(st.integers(1, 2)),
        # idling multiplies each person's choices by 2^rounds: only on the smallest days
        "allow_idle": n_rounds == 4 and n_people == 2 and draw(st.integers(0, 3)) == 0,
        "time_limit_s": 5}
    if draw(st.integers(0, 2)) == 0:
        options["previous"] = {"p0": {s["round"]: s["id"] for s in sessions[:3:2]}}
        options["change_penalty"] = draw(st.sampled_from([30, 300]))
    return {"format": "speed-dating-instance/1", "themes": [{"id": t} for t in THEMES],
            "rooms": rooms, "rounds": [{"id": r} for r in rounds], "projects": projects,
            "sessions": sessions, "participants": people, "options": options}


def test_a_change_forced_by_absence_does_not_hide_a_better_schedule():
    """p0 was in x0-r0 and x2-r1 in the previous schedule and is now away in r0 (one change
    is forced); keeping x2-r1 is possible (-300). Regression: the workshop phase left the
    change penalty of an absent person out of the bound, and the solver proved -600."""
    data = json.loads((DATA / "six-rounds-previous-while-away.json").read_text(encoding="utf-8"))
    assert contract.brute_force_optimum(data) == -300
    sol = solve(data, time_limit_s=5, workers=1)
    check_reported(data, sol)
    assert sol["objective"] <= -300 <= sol["bound"]


# no shrinking: each try solves a day, and a shrink of a failure took over five minutes;
# the failing day is printed as drawn
@settings(max_examples=30, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(long_tiny_days())
def test_four_to_six_round_days_reach_the_brute_force_optimum(data):
    best = contract.brute_force_optimum(data)
    sol = solve(data, time_limit_s=5, workers=1)
    check_reported(data, sol)
    if best is None:
        assert sol["status"] == "INFEASIBLE", sol["status"]
        return
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), (sol["status"], sol["diagnosis"])
    assert sol["objective"] <= best <= sol["bound"]
    if sol["status"] == "OPTIMAL":
        assert sol["objective"] == best


def test_the_drawn_days_are_mostly_feasible_and_cover_the_rules():
    """The strategy is worth its name: most days have a schedule, and the rules it draws
    appear (a strategy drawing only impossible days would test nothing)."""
    seen: dict[str, int] = {"feasible": 0, "idle": 0, "presenter": 0, "fixed": 0,
                            "previous": 0, "minimum": 0, "steps": 0, "unavailable": 0}

    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(long_tiny_days())
    def count(data):
        seen["feasible"] += contract.brute_force_optimum(data) is not None
        seen["idle"] += data["options"]["allow_idle"]
        seen["presenter"] += any(p.get("presenters") for p in data["projects"])
        seen["fixed"] += any(p.get("fixed") for p in data["participants"])
        seen["previous"] += "previous" in data["options"]
        seen["minimum"] += any(s["min_audience"] for s in data["sessions"])
        seen["steps"] += any(p["needs_accessible"] for p in data["participants"])
        seen["unavailable"] += any(p.get("unavailable") for p in data["participants"])

    count()
    assert seen["feasible"] >= 10, seen
    assert all(n > 0 for n in seen.values()), seen


@settings(max_examples=12, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(4, 8), people=(3, 6)))
def test_four_to_eight_round_days_obey_every_rule_within_their_limit(data):
    """The fast companion of test_shape_properties' slow 4-8 round test: fewer and smaller
    days, a 3 s limit, every rule and the reported objective checked independently. The
    clock is only a hang guard (the limit plus 10 s), never a measure."""
    started = time.monotonic()
    sol = solve(data, time_limit_s=3, workers=1)
    assert time.monotonic() - started < 3 + 10
    check_reported(data, sol)
