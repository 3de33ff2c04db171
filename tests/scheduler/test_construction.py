"""The first schedule of large days (``scheduler.refine.construct``: round-by-round min-cost
flows) and the vectorised bounds (``scheduler.pricing.wish_bound``, the subgradient bound of
``scheduler.paths``), checked on random shapes (issue 13, item 1).

The construction may give up (it raises, and the seating falls back on other strategies),
but whatever it returns must obey every rule of the contract, checked by the independent
checker of ``contract.py``; the bounds must never be below the brute-force optimum."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.shapes import Shape, make_instance
from scheduler import load_instance, paths, pricing, refine
from scheduler.diagnosis import counting_reasons
from scheduler.seatdata import Placement, SeatData

from . import contract
from .test_shape_properties import days

PROPS = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def seat_data(data: dict) -> tuple[Any, SeatData, paths.SeatLimits]:
    inst = load_instance(data)
    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    place = Placement([ridx[s.round] for s in inst.sessions], [s.room for s in inst.sessions])
    return inst, SeatData(inst, place), paths.seat_limits(inst, place)


def as_solution(inst, d: SeatData, cls: np.ndarray, chosen: np.ndarray) -> dict:
    """A contract solution (sessions only) from person-level paths."""
    members = {c: iter(sorted(d.members[c])) for c in range(d.C)}
    assignments = []
    for c, path in zip(cls, chosen, strict=True):
        assignments.append({
            "participant": next(members[int(c)]),
            "sessions": {inst.round_ids[r]: inst.sessions[int(j)].id
                         for r, j in enumerate(path) if j < d.S},
            "workshops": {}})
    return {"status": "FEASIBLE", "programme": [], "assignments": assignments}


def constructed(data: dict, always_held: bool = False) -> tuple[dict, float] | None:
    """The construction's schedule as a solution and its value (None if it gave up)."""
    inst, d, lim = seat_data(data)
    try:
        cls, chosen = refine.construct(d, lim.cap, lim.min_aud, lim.rows, always_held)
    except RuntimeError:
        return None
    return as_solution(inst, d, cls, chosen), refine.person_value(d, cls, chosen)


@PROPS
@given(days(rounds=(1, 8), people=(3, 12), workshops=False))
def test_the_construction_obeys_every_rule_on_random_shapes(data):
    if counting_reasons(load_instance(data)):
        return
    got = constructed(data)
    if got is None:
        return  # allowed (the seating then tries its other strategies), never wrong
    sol, value = got
    assert contract.violations(data, sol) == []
    assert contract.objective(data, sol) == round(value)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(1, 8), st.integers(0, 10_000))
def test_the_construction_seats_every_generated_day(rounds: int, seed: int):
    """Generated days have seats, tables and themes for everyone (benchmarks.shapes): there
    the construction must not give up, whatever the number of rounds."""
    data = make_instance(Shape(rounds=rounds, participants=80, themes=3 + rounds % 4,
                               slots=0), seed)
    got = constructed(data)
    assert got is not None
    sol, value = got
    assert contract.violations(data, sol) == []
    assert contract.objective(data, sol) == round(value)


@PROPS
@given(days(rounds=(2, 4), people=(2, 3), per_round=(2, 2), workshops=False),
       st.integers(0, 2**31 - 1))
def test_the_wish_programme_bounds_every_class_at_any_prices(data, seed):
    """wish_bound relaxes rules, never values: at random prices it is at least each
    class's best legal path found by the exact search."""
    _inst, d, _lim = seat_data(data)
    rng = np.random.default_rng(seed)
    price = np.concatenate([rng.integers(0, 300, d.S).astype(float), np.zeros(d.R)])
    rules = paths._path_rules(d)
    red = paths._reduced_values(d, price)
    ub, _ = pricing.wish_bound(rules, paths._wish_table(d), red)
    for c in range(d.C):
        best, complete = pricing.search_class(rules, red[c], d.wished[c],
                                              bool(d.has_wishes[c]), None, None, -1e18, 1,
                                              budget=10**6)
        assert complete
        if best:
            assert ub[c] >= best[0][0] - 1e-6


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(days(rounds=(2, 4), people=(2, 3), per_round=(2, 2), workshops=False))
def test_the_subgradient_bound_is_never_below_the_optimum(data):
    best = contract.brute_force_optimum(data)
    if best is None:
        return
    _inst, d, lim = seat_data(data)
    bound = paths.subgradient_bound(d, lim.cap, lim.rows, float(best), float("inf"),
                                    max_iters=30)
    assert bound >= best - 1e-6
