"""Small fixed-programme days: the per-person MIP first, before the path formulation.

Why: on small days (a few thousand binaries: the 2016 day, 1-2 rounds of a hundred people)
the plain per-person model is tiny, its root LP is (near) integral and HiGHS proves it in
a fraction of a second, where the path pipeline pays fixed costs first (start columns,
pricing by enumeration, column generation, then a MIP on the paths): measured on the
shapes benchmark (issue 13) the plain HiGHS MIP was faster than the scheduler only on
such days. The per-person model of :mod:`scheduler.person_mip` is the same model on the
same solver, without the workshops (solved apart, exactly) and with the classes' legal
choices only, so it is never larger than the plain MIP.

The choice is by measured size and shape (:func:`person_first`), and the MIP runs with a
work limit (nodes) and a share of the limit: when it does not prove its optimum the path
pipeline runs as before, and the better of the two schedules is kept (the MIP's dual
bound is valid for the real seating, so it is kept too).
"""

from __future__ import annotations

import math
import threading
import time

from .instance import Instance
from .paths import SeatResult, seat_limits
from .person_mip import MipOutcome, Row, model_size, solve_person_mip
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
NODE_LIMIT = 500  # work limit: the outcome does not depend on the machine's speed
SHARE = 0.4  # of the time limit at most, so the path pipeline keeps the rest


def person_first(d: SeatData, always_held: bool) -> bool:
    """Whether the per-person MIP goes first on this day (see the module docstring)."""
    if always_held:
        return False
    size = model_size(d)
    return size <= SMALL_BINARIES or (d.R <= 3 and size <= SMALL_BINARIES_3_ROUNDS)


def solve_small(inst: Instance, place: Placement, *, time_limit: float, seed: int = 0,
                stop: threading.Event | None = None
                ) -> tuple[SeatResult | None, MipOutcome | None]:
    """The per-person MIP on a small day: ``(result, outcome)`` where ``result`` is the
    seating when the MIP proved it optimal (else None) and ``outcome`` what the MIP found
    (None when the day is not small)."""
    if len(inst.participants) * len(inst.sessions) > 4 * SMALL_BINARIES_3_ROUNDS:
        return None, None  # (large: not even the seat data, which costs seconds there)
    d = SeatData(inst, place)
    if not person_first(d, False):
        return None, None
    lim = seat_limits(inst, place)
    deadline = time.monotonic() + min(time_limit, max(0.5, SHARE * time_limit))
    out = solve_person_mip(d, lim.cap, lim.min_aud, lim.rows, False, deadline=deadline,
                           stop=stop, seed=seed, node_limit=NODE_LIMIT)
    if out.rows is None or not out.proven:
        return None, out
    return seat_result(inst, d, out), out


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

