"""The search pricer (scheduler/pricing.py) against brute force on small many-round days.

Pricing must be exact where its search completes (else column generation stops early and
the reported bound is wrong), and its relaxed bound must never be below the true best path
(else the bound reported as proven is not one)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from scheduler import paths
from scheduler.instance import load_instance
from scheduler.pricing import relaxed_best, search_class, suffix_bounds

from .test_time_wall import many_rounds_day


def _seat_data(seed: int, rounds: int) -> paths.SeatData:
    data = many_rounds_day(seed)
    keep = {f"r{r}" for r in range(rounds)}
    data["rounds"] = [r for r in data["rounds"] if r["id"] in keep]
    data["sessions"] = [s for s in data["sessions"] if s["round"] in keep]
    data["participants"] = data["participants"][:15]
    for p in data["participants"]:
        p["unavailable"] = [u for u in p.get("unavailable", []) if u in keep]
    data["options"]["unlucky_penalty"] = 150
    inst = load_instance(data)
    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    place = paths.Placement([ridx[s.round] for s in inst.sessions],
                            [s.room for s in inst.sessions])
    return paths.SeatData(inst, place)


@pytest.mark.parametrize("seed,rounds", [(1, 3), (2, 4), (3, 5)])
def test_search_finds_the_brute_force_best_path_and_the_bound_holds(seed: int,
                                                                      rounds: int) -> None:
    d = _seat_data(seed, rounds)
    rng = random.Random(seed)
    price = np.array([rng.choice([0.0, 0.0, 7.5, 30.0, 120.0]) for _ in range(d.S)]
                     + [0.0] * d.R)
    rules = paths._path_rules(d)
    red = paths._reduced_values(d, price)
    every = np.arange(d.C)
    A, B = suffix_bounds(rules, red, every)
    relaxed = relaxed_best(rules, A, B, every)
    for c in range(d.C):
        opts = [[int(i) for i in d.choices_of_round[r] if d.score[c, i] > paths.NEG / 2]
                for r in range(d.R)]
        combos, val, legal = paths._class_combos(d, c, opts)
        reduced = val - np.array([price[list(p)].sum() for p in combos])
        brute = max((reduced[k] for k in range(len(combos)) if legal[k]), default=None)
        found, complete = search_class(rules, red[c], d.wished[c], bool(d.has_wishes[c]),
                                       A[c], B[c], -np.inf, 1, budget=10**6)
        assert complete
        if brute is None:
            assert found == []
            continue
        assert found[0][0] == pytest.approx(brute)
        assert relaxed[c] >= brute - 1e-6
        k = combos.index(found[0][1])
        assert legal[k]


def test_price_search_returns_legal_improving_columns_and_a_valid_bound() -> None:
    d = _seat_data(4, 4)
    price = np.zeros(d.S + d.R)
    mu = np.full(d.C, 50.0)
    cols, ub = paths._price_search(d, price, mu, want=2, deadline=float("inf"))
    for c, _path, rc, value in cols:
        assert rc > 0
        assert value == pytest.approx(rc + mu[c])
    for c in range(d.C):
        opts = [[int(i) for i in d.choices_of_round[r] if d.score[c, i] > paths.NEG / 2]
                for r in range(d.R)]
        _combos, val, legal = paths._class_combos(d, c, opts)
        assert ub[c] + mu[c] >= val[legal].max() - 1e-6
    assert cols  # something improves at these prices


def test_hungarian_matches_brute_force_assignments() -> None:
    from scheduler.pricing import _hungarian

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 5))
        m = int(rng.integers(n, 7))
        a = rng.integers(0, 20, (n, m)).astype(float)
        best = min(sum(a[i, c[i]] for i in range(n))
                   for c in itertools.permutations(range(m), n))
        assert _hungarian(a) == pytest.approx(best)


@pytest.mark.parametrize("seed,rounds", [(5, 4), (6, 5)])
def test_assignment_bound_is_never_below_the_best_path(seed: int, rounds: int) -> None:
    from scheduler.pricing import assignment_bound

    d = _seat_data(seed, rounds)
    rules = paths._path_rules(d)
    red = paths._reduced_values(d, np.zeros(d.S + d.R))
    for c in range(d.C):
        opts = [[int(i) for i in d.choices_of_round[r] if d.score[c, i] > paths.NEG / 2]
                for r in range(d.R)]
        _combos, val, legal = paths._class_combos(d, c, opts)
        if legal.any():
            assert assignment_bound(rules, red[c]) >= val[legal].max() - 1e-6
