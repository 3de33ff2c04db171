"""The small-day strategy (scheduler.small_day): the per-person MIP first on small fixed
days, the path pipeline otherwise or when the MIP proves nothing.

Correctness only (no timing): the strategy is chosen where it should be, its schedules obey
every rule and report the true objective (the independent checker of ``contract``), it
reaches the same optimum as the path pipeline, and its fallbacks keep the better schedule
and a valid bound."""

from __future__ import annotations

import copy
import json
import math

import pytest

from benchmarks.shapes import Shape, make_instance
from scheduler import load_instance, solve
from scheduler import small_day as sd
from scheduler.paths import SeatResult, solve_seating
from scheduler.person_mip import MipOutcome
from scheduler.seatdata import Placement, SeatData

from . import contract
from .helpers import shared_example
from .test_shape_properties import check_reported


def _fixed(inst) -> Placement:
    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    return Placement([ridx[s.round] for s in inst.sessions], [s.room for s in inst.sessions])


def _day(rounds: int, people: int, **over) -> dict:
    return make_instance(Shape(rounds=rounds, participants=people, **{"themes": 3,
                                                                       "slots": 1, **over}),
                         seed=3)


def test_the_2016_day_is_small_and_proven_by_the_person_mip_alone():
    data = json.loads(shared_example("restitution-2016.json").read_text(encoding="utf-8"))
    inst = load_instance(data)
    place = _fixed(inst)
    assert sd.person_first(SeatData(inst, place), False)
    seat, out = sd.solve_small(inst, place, time_limit=20)
    assert out is not None and out.proven
    assert seat is not None and seat.status == "OPTIMAL"
    assert seat.objective == seat.bound
    # the path pipeline on the same programme reaches the same optimum
    paths = solve_seating(inst, place, time_limit=20, workers=1)
    assert paths.objective == seat.objective
    # every participant is seated and the whole answer passes the independent checker
    assert len(seat.sessions) == len(inst.participants)
    sol = solve(copy.deepcopy(data), time_limit_s=20, workers=1)
    check_reported(data, sol)
    assert sol["status"] == "OPTIMAL"


@pytest.mark.parametrize("rounds,people,over", [
    (1, 30, {}),
    (2, 60, {"slots": 2}),
    (3, 40, {"previous_share": 0.5, "change_penalty": 30}),
    (4, 25, {"unavailable_share": 0.2}),
])
def test_small_generated_days_are_optimal_and_obey_every_rule(rounds, people, over):
    data = _day(rounds, people, **over)
    inst = load_instance(data)
    place = _fixed(inst)
    seat, out = sd.solve_small(inst, place, time_limit=20)
    assert out is not None, "a day this small takes the person-first strategy"
    assert seat is not None and seat.status == "OPTIMAL"
    paths = solve_seating(inst, place, time_limit=20, workers=1)
    assert paths.status == "OPTIMAL" and paths.objective == seat.objective
    sol = solve(copy.deepcopy(data), time_limit_s=20, workers=1)
    check_reported(data, sol)
    assert sol["status"] == "OPTIMAL"
    assert contract.violations(data, sol) == []


def test_a_large_day_keeps_the_path_pipeline():
    data = make_instance(Shape(rounds=5, participants=1000, themes=6, slots=0), seed=1)
    inst = load_instance(data)
    assert sd.solve_small(inst, _fixed(inst), time_limit=5) == (None, None)


def test_a_thousand_people_on_three_rounds_keep_the_paths():
    """78,000 binaries on 3 rounds: the paths price them by enumeration and win there (the
    LP-guided MIP used its share of a 10 s limit at load 12 and the paths had too little
    left); the same day on 5 rounds and 300 people takes the LP-guided MIP."""
    data = make_instance(Shape(rounds=3, participants=1000, themes=6, slots=0), seed=1)
    inst = load_instance(data)
    place = _fixed(inst)
    assert sd.model_size(SeatData(inst, place)) <= sd.LP_GUIDED_MAX
    assert sd.strategy(SeatData(inst, place), False) is None
    assert sd.solve_small(inst, place, time_limit=5) == (None, None)
    data = make_instance(Shape(rounds=5, participants=300, themes=6, slots=0), seed=1)
    inst = load_instance(data)
    place = _fixed(inst)
    assert sd.strategy(SeatData(inst, place), False) == "lp-guided"
    seat, out = sd.solve_small(inst, place, time_limit=20)
    assert out is not None and out.proven
    assert seat is not None and seat.status == "OPTIMAL"
    paths = solve_seating(inst, place, time_limit=20, workers=1)
    assert paths.objective is not None and paths.objective <= seat.objective
    if paths.status == "OPTIMAL":
        assert paths.objective == seat.objective


def test_programme_mode_is_never_person_first():
    data = json.loads(shared_example("restitution-2016.json").read_text(encoding="utf-8"))
    inst = load_instance(data)
    assert not sd.person_first(SeatData(inst, _fixed(inst)), True)


def _paths_and_mip():
    """A small day's seating by the paths, and by the per-person MIP."""
    data = _day(2, 40)
    inst = load_instance(data)
    place = _fixed(inst)
    paths = solve_seating(inst, place, time_limit=20, workers=1)
    seat, out = sd.solve_small(inst, place, time_limit=20)
    assert out is not None and out.rows is not None
    return inst, place, paths, out


def test_an_unproven_mip_schedule_is_kept_only_when_better():
    inst, place, paths, out = _paths_and_mip()
    loose = paths.objective + 500
    # the MIP stopped early with a worse schedule: the paths' stays, the bound is the
    # smaller of the two (both valid)
    worse = MipOutcome(out.rows, paths.objective - 10, loose, False)
    kept = sd.better_of(inst, place, paths, worse)
    assert kept.objective == paths.objective and kept.sessions == paths.sessions
    assert kept.bound == max(paths.objective, math.floor(min(paths.lp_bound, loose) + 1e-6))
    # the paths found nothing: the MIP's schedule is read out person by person
    nothing = SeatResult("UNKNOWN", None, loose, {}, loose)
    taken = sd.better_of(inst, place, nothing, out)
    assert taken.objective == out.objective
    assert len(taken.sessions) == len(inst.participants)
    assert taken.status == ("OPTIMAL" if out.bound <= out.objective else "FEASIBLE")


def test_without_a_small_day_outcome_the_paths_answer_as_is():
    inst, place, paths, _out = _paths_and_mip()
    assert sd.better_of(inst, place, paths, None) is paths


@pytest.mark.parametrize("rounds,size,first", [
    (1, 100, True), (3, sd.SMALL_BINARIES, True), (8, sd.SMALL_BINARIES, True),
    (8, sd.SMALL_BINARIES + 1, False), (3, sd.SMALL_BINARIES_3_ROUNDS, True),
    (3, sd.SMALL_BINARIES_3_ROUNDS + 1, False), (4, sd.SMALL_BINARIES + 1, False),
])
def test_the_choice_is_by_size_and_rounds(monkeypatch, rounds, size, first):
    from types import SimpleNamespace

    monkeypatch.setattr(sd, "model_size", lambda d: size)
    assert sd.person_first(SimpleNamespace(R=rounds), False) is first
    assert sd.person_first(SimpleNamespace(R=rounds), True) is False
    assert sd.strategy(SimpleNamespace(R=rounds), False) == (
        "mip" if first else "lp-guided" if rounds > 3 else None)
    assert sd.strategy(SimpleNamespace(R=rounds), True) is None


@pytest.mark.parametrize("size,kind", [(sd.LP_GUIDED_MAX, "lp-guided"),
                                       (sd.LP_GUIDED_MAX + 1, None)])
def test_the_lp_guided_mip_stops_at_its_size(monkeypatch, size, kind):
    from types import SimpleNamespace

    monkeypatch.setattr(sd, "model_size", lambda d: size)
    assert sd.strategy(SimpleNamespace(R=6), False) == kind
