"""Small fixed-programme days: the per-person MIP first, before the path formulation.

Why: on small days (a few thousand binaries: the 2016 day, 1-2 rounds of a hundred people)
the plain per-person model is tiny, its root LP is (near) integral and HiGHS proves it in
a fraction of a second, where the path pipeline pays fixed costs first (start columns,
pricing by enumeration, column generation, then a MIP on the paths): measured on the
shapes benchmark (issue 13) the plain HiGHS MIP was faster than the scheduler only on
such days. The per-person model of :mod:`scheduler.person_mip` is the same model on the
same solver, without the workshops (solved apart, exactly) and with the classes' legal
choices only, so it is never larger than the plain MIP.

Larger days of more than 3 rounds, up to ``LP_GUIDED_MAX`` binaries (a few hundred people
on many rounds), take the same model guided by its LP (:func:`person_mip.solve_lp_guided`):
the LP relaxation, whose value is the bound, then the MIP restricted to what the LP's
solution and a first schedule (the round flows of :func:`refine.construct`) use. On those
days HiGHS on the whole MIP stalled in cuts at its root (10 rounds, 300 people: 37,000
points below the optimum after 30 s) and the paths' bound stayed above the optimum
(10 and 12 rounds: FEASIBLE at the limit, 0.2 % and 0.005 % from the optimum the plain
MIP proved in 4-5 s); the LP-guided MIP reached the LP's value, so proved the optimum, on
every fixed row of the shapes benchmark up to 80,000 binaries, in 0.3-1.9 s (load 3).
3-round days keep the paths (see ``LP_GUIDED_MAX``).

The choice is by measured size and shape (:func:`strategy`), and the MIPs run with a
work limit (nodes) and a share of the limit: when they do not prove their optimum the path
pipeline runs as before, and the better of the two schedules is kept (the MIP's dual
bound, or the LP's, is valid for the real seating, so it is kept too).
"""

from __future__ import annotations

import math
import threading
import time
from typing import NamedTuple

from . import refine
from .instance import Instance
from .paths import SeatLimits, SeatResult, seat_limits
from .person_mip import MipOutcome, Row, model_size, solve_lp_guided, solve_person_mip
from .seatdata import Placement, SeatData

# At most this many binaries x[p, i] (SeatData: one per participant and legal session):
# every day of the benchmark the plain MIP won had fewer than 4,000 (2016: 3,849; 2
# rounds, 120 people: 2,090; 1 round, 30 people: 105).
SMALL_BINARIES = 8_000
# ... or this many on days of at most 3 rounds: 3 rounds, 400 people and a previous
# schedule (20,111 binaries) were proven by the MIP alone in 4-5 s where the paths took
# 8-10 s (load 11). Days of more rounds keep the paths first (with the MIP beside them on
# two workers): on 5-10 rounds and 300 people (21,000-42,000 binaries) HiGHS's root
# sometimes stalls in cuts for the whole limit (10 rounds: 30 s), which the paths avoid.
# 1,000 people on 3 rounds (48,000-79,000 binaries) are the paths' (1.5 s proven).
SMALL_BINARIES_3_ROUNDS = 25_000
# Above the small days, on days of more than 3 rounds, and up to this many binaries: the
# LP-guided MIP first (see the module docstring). 5 rounds and 1,000 people (132,647
# binaries) took 10 s there, where the paths took 2-7 s, so they keep it. 3-round days keep
# the paths, which price them by enumeration and prove them fast: 3 rounds and 1,000
# people (78,567 binaries) took 1.9 s LP-guided at load 3 where the paths took 4.2 s quiet,
# but at load 12 the LP-guided MIP used its whole share (4 s of a 10 s limit) and the paths
# left in the rest ended FEASIBLE, 1.5 % from the optimum they prove alone in 8 s.
LP_GUIDED_MAX = 80_000
# People x sessions above which the day is not even looked at (the seat data costs seconds
# on large days); the number of binaries is never more than this product.
LOOK_MAX = 100_000
NODE_LIMIT = 500  # work limit: the outcome does not depend on the machine's speed
SHARE = 0.4  # of the time limit at most, so the path pipeline keeps the rest


def person_first(d: SeatData, always_held: bool) -> bool:
    """Whether the per-person MIP goes first on this day (see the module docstring)."""
    if always_held:
        return False
    size = model_size(d)
    return size <= SMALL_BINARIES or (d.R <= 3 and size <= SMALL_BINARIES_3_ROUNDS)


def strategy(d: SeatData, always_held: bool) -> str | None:
    """What goes first on this day: ``"mip"`` (the whole per-person MIP, small days),
    ``"lp-guided"`` (:func:`solve_lp_guided`, more than 3 rounds and up to ``LP_GUIDED_MAX``
    binaries) or None
    (the path pipeline alone: large days, and programme mode, whose seatings are the
    programme search's)."""
    if always_held:
        return None
    if person_first(d, always_held):
        return "mip"
    if d.R <= 3:
        return None  # (the paths win there: see LP_GUIDED_MAX)
    return "lp-guided" if model_size(d) <= LP_GUIDED_MAX else None


class SmallDay(NamedTuple):
    """What :func:`solve_small` found: ``seat``, the seating when a MIP proved it optimal
    (else None), and ``outcome``, what the MIP found (None when no MIP ran: a large day,
    left to the paths)."""

    seat: SeatResult | None
    outcome: MipOutcome | None


NOTHING = SmallDay(None, None)


def solve_small(inst: Instance, place: Placement, *, time_limit: float, seed: int = 0,
                stop: threading.Event | None = None) -> SmallDay:
    """The per-person MIP (small days) or the LP-guided one (larger days of
    ``LP_GUIDED_MAX`` binaries at most) first, on a fixed programme; see :class:`SmallDay`."""
    if len(inst.participants) * len(inst.sessions) > LOOK_MAX:
        return NOTHING  # (large: not even the seat data, which costs seconds there)
    d = SeatData(inst, place)
    kind = strategy(d, False)
    if kind is None:
        return NOTHING
    lim = seat_limits(inst, place)
    deadline = time.monotonic() + min(time_limit, max(0.5, SHARE * time_limit))
    if kind == "mip":
        out = solve_person_mip(d, lim.cap, lim.min_aud, lim.rows, False, deadline=deadline,
                               stop=stop, seed=seed, node_limit=NODE_LIMIT)
    else:
        out = solve_lp_guided(d, lim.cap, lim.min_aud, lim.rows, False,
                              start=first_schedule(d, lim, stop), deadline=deadline,
                              stop=stop, seed=seed, node_limit=NODE_LIMIT)
    if out.rows is None or not out.proven:
        return SmallDay(None, out)
    return SmallDay(seat_result(inst, d, out), out)


def first_schedule(d: SeatData, lim: SeatLimits, stop=None) -> list[Row] | None:
    """The round flows' schedule (:func:`refine.construct`, a tenth of a second on 300
    people and 10 rounds) as path rows; None when the construction fails."""
    try:
        cls_p, paths_p = refine.construct(d, lim.cap, lim.min_aud, lim.rows, False, stop=stop)
    except RuntimeError:
        return None
    return refine.to_rows(d, cls_p, paths_p)


def seat_result(inst: Instance, d: SeatData, out: MipOutcome) -> SeatResult:
    """The MIP's schedule person by person: in each class, members in id order take the
    rows' paths in path order (as the path pipeline reads out its own, so that the same
    schedule gives the same persons the same seats)."""
    assert out.rows is not None and out.objective is not None
    sessions_of = person_sessions(inst, d, out.rows)
    bound = math.floor(out.bound + 1e-6)
    status = "OPTIMAL" if out.objective >= bound else "FEASIBLE"
    return SeatResult(status, out.objective, float(max(bound, out.objective)), sessions_of,
                      out.bound)


def person_sessions(inst: Instance, d: SeatData, rows: list[Row]) -> dict[str, dict[str, str]]:
    """participant -> round id -> session id for path rows ``(class, path, people, value)``."""
    per_class: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for c, path, k, _v in rows:
        per_class.setdefault(c, []).append((path, k))
    sessions_of: dict[str, dict[str, str]] = {}
    for c in range(d.C):
        members = sorted(d.members[c])
        pos = 0
        for path, k in sorted(per_class.get(c, [])):
            for m in members[pos:pos + k]:
                sessions_of[m] = {inst.round_ids[r]: inst.sessions[i].id
                                  for r, i in enumerate(path) if i < d.S}
            pos += k
    return sessions_of


def better_of(inst: Instance, place: Placement, paths: SeatResult,
              out: MipOutcome | None) -> SeatResult:
    """The path pipeline's result, with the small-day MIP's dual bound folded in and its
    schedule taken when strictly better (the MIP ran first and was not proven)."""
    if out is None:
        return paths
    bound = min(paths.lp_bound, out.bound)
    if out.rows is not None and out.objective is not None and (
            paths.objective is None or out.objective > paths.objective):
        d = SeatData(inst, place)
        best = MipOutcome(out.rows, out.objective, bound, False)
        return seat_result(inst, d, best)
    if paths.objective is None:
        return SeatResult(paths.status, None, bound, paths.sessions, bound)
    bound_int = math.floor(bound + 1e-6)
    status = "OPTIMAL" if paths.objective >= bound_int else "FEASIBLE"
    return SeatResult(status, paths.objective, float(max(bound_int, paths.objective)),
                      paths.sessions, bound)

