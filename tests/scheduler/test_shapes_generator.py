"""benchmarks.shapes: every benchmark shape, at a small size, is a valid and feasible day.

Feasible is shown, not assumed: the counting diagnosis finds nothing, and the plain MIP of
``benchmarks.plain_mip`` finds a schedule that ``scheduler.check_solution`` accepts (its
objective equal to ``scheduler.evaluate``'s).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks.shapes import ROWS, Shape, make_instance
from scheduler import check_solution, evaluate, load_instance
from scheduler.diagnosis import counting_reasons

from .helpers import run_plain_mip

SHAPES = {row.name: row.shape for row in ROWS if row.shape is not None}


def small(shape: Shape) -> Shape:
    return replace(shape, participants=min(shape.participants,
                                           30 if shape.programme_mode else 45))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_small_shape_is_valid_and_passes_the_counting_diagnosis(name):
    data = make_instance(small(SHAPES[name]), seed=3)
    inst = load_instance(data)
    assert counting_reasons(inst) == []
    assert len(inst.rounds) == SHAPES[name].rounds
    assert len(inst.workshop_slots) == SHAPES[name].slots
    assert inst.programme_mode == SHAPES[name].programme_mode


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_small_shape_has_a_schedule(name):
    """A checked schedule exists. In programme mode the witness is the fixed twin's
    programme (same shape and seed, every round and room given) seated with every session
    held, as programme mode requires."""
    shape = small(SHAPES[name])
    data = make_instance(shape, seed=3)
    twin = make_instance(replace(shape, programme_mode=False), seed=3)
    assert _without_placements(twin) == _without_placements(data)
    sol = run_plain_mip(twin, time_limit_s=60, hold_all=shape.programme_mode)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE"), sol["diagnosis"]
    assert check_solution(data, sol) == []
    assert sol["objective"] == evaluate(data, sol["assignments"])["objective"]


def _without_placements(data: dict) -> dict:
    return {**data, "sessions": [{k: v for k, v in s.items() if k not in ("round", "room")}
                                 for s in data["sessions"]]}


def test_same_seed_same_day_other_seed_other_day():
    shape = Shape(rounds=5, participants=80, themes=4, slots=2)
    assert make_instance(shape, 7) == make_instance(shape, 7)
    assert make_instance(shape, 7) != make_instance(shape, 8)


@pytest.mark.parametrize("rounds", [1, 2, 3, 4, 5, 6, 8, 10, 12])
def test_the_issue_features_are_present(rounds):
    shape = Shape(rounds=rounds, participants=400, themes=min(10, rounds + 1), slots=rounds % 5,
                  programme_mode=rounds in (4, 6))
    data = make_instance(shape, seed=1)
    people = data["participants"]
    rooms = data["rooms"]
    late = [p for p in people if set(p.get("unavailable", [])) & {r["id"] for r in data["rounds"]}]
    assert 0.10 <= len(late) / len(people) <= 0.20
    assert any(not p["wishes"] for p in people)
    presenters = {pid for pr in data["projects"] for pid in pr["presenters"]}
    assert any(p.get("needs_accessible") for p in people if p["id"] in presenters)
    assert any(p.get("needs_accessible") for p in people if p["id"] not in presenters)
    assert any(not r["accessible"] for r in rooms) and any(r["accessible"] for r in rooms)
    assert len({r["capacity"] for r in rooms}) > 1
    if rounds >= 3:
        assert len({r["tables"] for r in rooms}) > 1
    assert any(p.get("fixed") for p in people)
    unplaced = [s for s in data["sessions"] if "round" not in s]
    assert bool(unplaced) == shape.programme_mode
    assert counting_reasons(load_instance(data)) == []


def test_sizes_from_30_to_10000_participants():
    for n in (30, 10000):
        data = make_instance(Shape(rounds=6, participants=n, themes=10), seed=1)
        assert len(data["participants"]) == n
        assert counting_reasons(load_instance(data)) == []


def test_previous_schedule_and_change_penalty():
    data = make_instance(Shape(rounds=3, participants=60, previous_share=0.5,
                               change_penalty=30), seed=2)
    assert data["options"]["change_penalty"] == 30
    assert 15 <= len(data["options"]["previous"]) <= 45
    load_instance(data)
