"""The time limit is a wall on days of many rounds (issue 13, item 1).

Before path pricing by search (``scheduler/pricing.py``), pricing enumerated K choices per
round together (K^R paths per class), so a 10-round day ran for many minutes whatever the
limit. The wall-clock assertion below is only a hang guard with a generous allowance; the
schedule itself is checked by the independent checker and ``check_solution``."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

import scheduler
from scheduler import solver as solver_module

from .helpers import objective, tiny, violations

# Answers within the limit plus an allowance: measured on a machine not shared with
# another test pass (run_tests.py runs these alone).
pytestmark = pytest.mark.alone

ROUNDS = 10
PROJECTS = 20
PER_ROUND = 8
PEOPLE = 150


def many_rounds_day(seed: int = 3) -> dict[str, Any]:
    """A job-dating-like day: 10 short rotations, every project presenting in 4 of them."""
    rng = random.Random(seed)
    themes = [{"id": f"t{i}"} for i in range(4)]
    rooms = [{"id": f"room{j}", "capacity": 25, "accessible": j != 3} for j in range(PER_ROUND)]
    rounds = [{"id": f"r{r}", "start": f"{9 + r // 3:02d}:{(r % 3) * 20:02d}",
               "end": f"{9 + r // 3:02d}:{(r % 3) * 20 + 15:02d}"} for r in range(ROUNDS)]
    projects = [{"id": f"p{k}", "theme": f"t{k % 4}"} for k in range(PROJECTS)]
    sessions = [{"id": f"p{(r * PER_ROUND + j) % PROJECTS}-r{r}",
                 "project": f"p{(r * PER_ROUND + j) % PROJECTS}", "round": f"r{r}",
                 "room": f"room{j}", "min_audience": 3}
                for r in range(ROUNDS) for j in range(PER_ROUND)]
    people = []
    for i in range(PEOPLE):
        person: dict[str, Any] = {
            "id": f"u{i:03d}",
            "wishes": rng.sample([p["id"] for p in projects], rng.choice([0, 2, 3, 4])),
            "themes": [f"t{rng.randrange(4)}"],
        }
        if rng.random() < 0.15:  # arrives late or leaves early
            person["unavailable"] = [f"r{r}" for r in (range(2) if rng.random() < 0.5
                                                       else range(ROUNDS - 2, ROUNDS))]
        people.append(person)
    return {"format": "speed-dating-instance/1", "themes": themes, "rooms": rooms,
            "rounds": rounds, "projects": projects, "sessions": sessions,
            "participants": people, "options": {"min_distinct_themes": 2, "workers": 2}}


# The command line's wall is limit + 2 s (issue 13); ``solve`` itself must return well
# inside it. The extra slack only keeps a loaded shared machine from failing the test: it is
# a hang guard (before pricing by search this day ran for many minutes), not a timing.
ALLOWANCE_S = 2.0
LOADED_MACHINE_SLACK_S = 6.0


@pytest.mark.parametrize("limit", [10.0, 3.0])
def test_ten_round_day_answers_within_its_limit_with_a_valid_schedule(limit: float) -> None:
    """Also with a short limit: every phase (pricing, flows, the path MIP, the per-person
    MIP in its helper thread) watches the deadline, and a first schedule comes early."""
    data = many_rounds_day()
    t = time.monotonic()
    sol = scheduler.solve(data, time_limit_s=limit, workers=2)
    wall = time.monotonic() - t
    assert wall < limit + ALLOWANCE_S + LOADED_MACHINE_SLACK_S, (
        f"answered after {wall:.1f} s (hang guard)")
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), sol["diagnosis"]
    assert scheduler.check_solution(data, sol) == []
    assert violations(data, sol) == []
    assert objective(data, sol["assignments"]) == sol["objective"]


def test_heartbeat_repeats_the_last_report_while_a_phase_is_silent(monkeypatch) -> None:
    """A long silent phase (a MIP) must not leave the CLI or the app without news."""
    from scheduler import solver

    monkeypatch.setattr(solver, "HEARTBEAT_S", 0.2)
    heard: list[tuple[float, float | None, float | None]] = []
    repeated = threading.Event()

    def progress(seconds: float, best: float | None, bound: float | None) -> None:
        heard.append((seconds, best, bound))
        if len(heard) >= 3:
            repeated.set()

    with solver.Heartbeat(progress, time.monotonic()) as beat:
        beat.report(0.0, 10.0, 12.0)
        assert repeated.wait(30), "no repeated progress report (hang guard)"
    assert [(b, d) for _s, b, d in heard[:3]] == [(10.0, 12.0)] * 3


def test_the_phases_leave_a_reserve_for_the_last_resort_and_the_read_out(monkeypatch) -> None:
    """The seating used to get the whole limit, then its last-resort greedy (1 s grace) and
    the read-out ran past it: a 2,000-person 4-round day answered 2.6 s after a 20 s limit
    from the command line. The phases now get the limit less ``RESERVE_S``."""
    seen: list[float] = []

    def spy(real):
        def call(inst, place, *, time_limit, **kw):
            seen.append(time_limit)
            return real(inst, place, time_limit=time_limit, **kw)
        return call

    # (small days are seated by the per-person MIP first: scheduler.small_day)
    for name in ("solve_seating", "solve_small"):
        monkeypatch.setattr(solver_module, name, spy(getattr(solver_module, name)))
    sol = scheduler.solve(tiny(), time_limit_s=20)
    assert sol["status"] == "OPTIMAL"
    reserve = 20 - solver_module.phase_deadline(0.0, 20.0)
    assert reserve >= 1.0
    assert seen and max(seen) <= 20 - reserve


def test_a_ten_round_day_from_the_command_line_answers_within_the_wall(tmp_path) -> None:
    """The issue's wall is for the whole command, start-up included: ``python -m scheduler
    solve --time-limit T`` answers within T + 2 s (the start-up already spent comes off the
    solver's limit), with a schedule obeying every rule and a progress line at least every
    2 s. Generous slack for a loaded machine: a hang guard, not a timing."""
    import json
    import re
    import subprocess
    import sys
    from pathlib import Path

    from benchmarks.shapes import Shape, make_instance

    from . import contract

    data = make_instance(Shape(rounds=10, participants=300, themes=4, slots=3), 1)
    day, out = tmp_path / "day.json", tmp_path / "solution.json"
    day.write_text(json.dumps(data), encoding="utf-8")
    limit = 4.0
    t = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "scheduler", "solve", str(day),
                           "--time-limit", str(limit), "-o", str(out)],
                          capture_output=True, text=True, timeout=limit + 120,
                          cwd=Path(__file__).resolve().parents[2])
    wall = time.monotonic() - t
    assert wall < limit + ALLOWANCE_S + LOADED_MACHINE_SLACK_S, (
        f"answered after {wall:.1f} s (hang guard)")
    assert proc.returncode == 0, proc.stderr
    sol = json.loads(out.read_text(encoding="utf-8"))
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), sol["diagnosis"]
    assert contract.violations(data, sol) == []
    assert contract.objective(data, sol) == sol["objective"]
    said = [float(s) for s in re.findall(r"^\[\s*([0-9.]+)s\]", proc.stderr, re.M)]
    assert said, proc.stderr
    gaps = [b - a for a, b in zip([0.0, *said], said, strict=False)]
    assert max(gaps) <= solver_module.HEARTBEAT_S + LOADED_MACHINE_SLACK_S / 2, said
