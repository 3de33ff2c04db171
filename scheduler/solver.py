"""Orchestration: validation, counting diagnosis, workshops, programme, seating, solution.

Phases (see docs/scheduler.md for the reasoning):

1. cheap counting arguments; any hit is a proof of infeasibility and is returned at once;
2. workshops, solved exactly and apart (they do not interact with sessions in the objective);
3. programme mode only: the compact CP-SAT model places sessions and seats classes jointly;
4. seating on the (given or chosen) programme: on small fixed days the per-person MIP
   first, on larger ones up to 80,000 binaries its LP-guided variant
   (:mod:`scheduler.small_day`), else (or when it proves nothing) the path
   formulation (LP + MIP, with the per-person MIP beside it on days of many rounds);
5. a solution in the contract format, with metrics recomputed by :mod:`scheduler.checker`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from .checker import evaluate
from .compact import build_compact, make_solver
from .diagnosis import counting_reasons, relaxation_reasons
from .instance import SOLUTION_FORMAT, Instance, load_instance
from .joint import CUT_ROUNDS, JOINT_MAX_OPEN, joint_bound
from .paths import solve_seating
from .programme import (
    SECONDS_PER_EVAL,
    improve,
    initial_programme,
    placement_bound,
    programme_bound,
    virtual_day,
)
from .reasons import Reason
from .seatdata import Placement
from .small_day import better_of, solve_small
from .stopping import watch_stop
from .workshops import solve_workshops

Progress = Callable[[float, float | None, float | None], None]
HEARTBEAT_S = 2.0  # the longest silence between two progress calls
# Kept back from the phases' deadline, up to 5 % of the limit (short limits lose little of
# the clock-bounded programme search): the seating's last resort
# (a greedy with a 1 s grace past the deadline it is given) and the read-out (metrics
# recomputed by the checker) run after it. Without it a 2,000-person 4-round day answered
# 1.5 s after a 20 s limit, 2.6 s past it from the command line (Python and OR-Tools take
# about 1 s to start): over the wall of limit + 2 s.
RESERVE_S = 1.5


def phase_deadline(t0: float, limit: float) -> float:
    """The deadline handed to the phases: the limit less the reserve (see RESERVE_S)."""
    return t0 + limit - min(RESERVE_S, 0.05 * limit)


class Heartbeat:
    """Forwards progress reports, and repeats the last one when a phase has been silent for
    ``HEARTBEAT_S`` (a long MIP or search): whoever watches the solve (the CLI's stderr, the
    web app's job row) sees it is alive and what it has. Calls are serialised by a lock;
    the repeats come from a helper thread."""

    def __init__(self, progress: Progress | None, t0: float):
        self.progress = progress
        self.t0 = t0
        self.last: tuple[float | None, float | None] = (None, None)
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.said = time.monotonic()
        self.thread: threading.Thread | None = None

    def report(self, seconds: float, best: float | None, bound: float | None) -> None:
        with self.lock:
            # a phase that only tightens the bound (column generation) reports no schedule:
            # the best one found earlier still stands
            if best is None:
                best = self.last[0]
            self.last = (best, bound)
            self.said = time.monotonic()
            if self.progress is not None:
                self.progress(seconds, best, bound)

    def _run(self) -> None:
        while not self.done.wait(max(0.05, self.said + HEARTBEAT_S - 0.1 - time.monotonic())):
            if time.monotonic() - self.said >= HEARTBEAT_S - 0.1:
                best, bound = self.last
                self.report(round(time.monotonic() - self.t0, 3), best, bound)

    def __enter__(self) -> Heartbeat:
        if self.progress is not None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


def _empty_solution(inst: Instance, status: str, diagnosis: list[str], t0: float,
                    bound: float | None = None) -> dict[str, Any]:
    return {
        "format": SOLUTION_FORMAT,
        "status": status,
        "objective": None,
        "bound": bound,
        "solve_seconds": round(time.monotonic() - t0, 3),
        "programme": [{"session": s.id, "round": s.round, "room": s.room}
                      for s in inst.sessions],
        "assignments": [],
        "metrics": None,
        "diagnosis": diagnosis,
    }


def solve(data_or_instance: Any, *, time_limit_s: float | None = None,
          workers: int | None = None, seed: int | None = None,
          progress: Progress | None = None,
          stop: threading.Event | None = None) -> dict[str, Any]:
    """Solve an instance (dict or :class:`Instance`) and return a solution dict.

    Keyword arguments override the instance ``options``. ``progress(seconds, best_objective,
    bound)`` is called from the solving thread; ``stop`` (a ``threading.Event``) ends the search
    early and returns the best solution found so far (status FEASIBLE or UNKNOWN).
    Raises :class:`scheduler.InstanceError` for an invalid instance.
    """
    t0 = time.monotonic()
    inst = load_instance(data_or_instance)
    o = inst.options
    limit = time_limit_s if time_limit_s is not None else o.time_limit_s
    limit = float(limit) if limit else 3600.0
    workers = workers if workers is not None else o.workers
    seed = seed if seed is not None else o.seed

    # (the heartbeat from the start: the counting checks take seconds on 10,000 people
    # on a loaded machine, and the first progress line came after 6.9 s)
    with Heartbeat(progress, t0) as beat:
        reasons = counting_reasons(inst)
        if reasons:
            return _empty_solution(inst, "INFEASIBLE", reasons, t0)
        return _solve_phases(inst, t0, limit, workers, seed, beat, stop)


def _said(code: str) -> list[str]:
    """The diagnosis of the solver's own endings: the sentence of a structured reason
    (scheduler.reasons), which the app reads back as its code (read_diagnosis), never by
    parsing the words."""
    return [Reason.of(code).text()]


def _left(deadline: float) -> float:
    """Seconds left before the deadline (never negative)."""
    return max(0.0, deadline - time.monotonic())


def _solve_phases(inst: Instance, t0: float, limit: float, workers: int, seed: int,
                  beat: Heartbeat, stop: threading.Event | None) -> dict[str, Any]:
    """Workshops, programme, seating: every phase gets the time left before the phases'
    deadline (see RESERVE_S) and the stop event."""
    deadline = phase_deadline(t0, limit)
    ws = solve_workshops(inst, time_limit=_left(deadline), stop=stop)
    if ws.status == "UNKNOWN":
        return _empty_solution(inst, "UNKNOWN", _said("no_workshops_in_time"), t0)
    if ws.status != "OPTIMAL":
        return _empty_solution(inst, "INFEASIBLE", _said("workshops_infeasible"), t0)

    def report(seconds: float, best: float | None, bound: float | None) -> None:
        beat.report(round(seconds, 3),
                    None if best is None else best + ws.objective,
                    None if bound is None or not math.isfinite(bound) else
                    math.floor(bound + 1e-6) + ws.objective)

    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    if inst.programme_mode:
        try:
            place, prog_bound, seat = _choose_programme(inst, deadline, t0, limit, workers, seed,
                                                        report, stop)
        except TimeoutError:
            return _empty_solution(inst, "UNKNOWN", _said("no_programme_in_time"), t0)
        if place is None:
            # the placement model's rules (tables, rule 9, themes, seats) are necessary
            # conditions, so its infeasibility is a proof; say which group is responsible
            diag = relaxation_reasons(inst, _left(deadline), workers, seed, stop)
            return _empty_solution(inst, "INFEASIBLE", diag, t0)
    else:
        place = _fixed_placement(inst, ridx)
        # (small and many-round days of a few hundred people: a MIP first, see small_day)
        first = solve_small(inst, place, time_limit=_left(deadline), seed=seed, stop=stop)
        seat = first.seat
        if seat is None:
            seat = better_of(inst, place,
                             solve_seating(inst, place, time_limit=_left(deadline),
                                           seed=seed, workers=workers, always_held=False,
                                           progress=report, stop=stop, t0=t0),
                             first.outcome)
        prog_bound = seat.bound
    if seat.objective is None:
        # the restricted model found nothing: prove infeasibility (in the time left) or
        # admit ignorance
        from ortools.sat.python import cp_model  # (imports pandas: only when needed)

        st = cp_model.UNKNOWN
        # (building the model alone takes seconds on large days: only with time to spare)
        if (_left(deadline) > max(1.0, 0.25 * (deadline - t0))
                and not (stop is not None and stop.is_set())):
            cm = build_compact(inst)
            solver = make_solver(_left(deadline), workers, seed)
            with watch_stop(stop, solver.stop_search):
                st = solver.solve(cm.model)
        if st == cp_model.INFEASIBLE:
            diag = relaxation_reasons(inst, _left(deadline), workers, seed, stop)
            return _empty_solution(inst, "INFEASIBLE", diag, t0)
        return _empty_solution(inst, "UNKNOWN", _said("no_schedule_in_time"), t0)

    assignments = []
    for p in inst.participants:
        sess = seat.sessions.get(p.id, {})
        wk = ws.workshops.get(p.id, {})
        assignments.append({
            "participant": p.id,
            "sessions": {r: sess[r] for r in inst.round_ids if r in sess},
            "workshops": {s: wk[s] for s in inst.slot_ids if s in wk},
        })
    metrics = evaluate(inst, assignments)
    objective = metrics.pop("objective")
    bound = prog_bound + ws.objective
    bound_int = max(objective, math.floor(bound + 1e-6))
    status = "OPTIMAL" if objective >= bound_int else "FEASIBLE"
    if stop is not None and stop.is_set() and status != "OPTIMAL":
        status = "FEASIBLE"
    report(time.monotonic() - t0, objective - ws.objective, bound - ws.objective)
    return {
        "format": SOLUTION_FORMAT,
        "status": status,
        "objective": objective,
        "bound": bound_int,
        "solve_seconds": round(time.monotonic() - t0, 3),
        "programme": [{"session": s.id, "round": inst.round_ids[place.round_of[i]],
                       "room": place.room_of[i]} for i, s in enumerate(inst.sessions)],
        "assignments": assignments,
        "metrics": metrics,
        "diagnosis": [],
    }


def _choose_programme(inst: Instance, deadline: float, t0: float, limit: float, workers: int,
                      seed: int,
                      report, stop) -> tuple[Placement | None, float, Any]:
    """Initial conflict-minimising programme, then local search (see scheduler.programme)."""
    budget = limit  # the time limit itself: deterministic, unlike the time left
    # (any placement first, with up to a quarter of the limit: see initial_programme)
    place = initial_programme(inst, max(0.1, min(5.0, 0.15 * budget)), workers, seed, stop,
                              feasibility_limit=max(0.1, min(10.0, 0.25 * budget)))
    if place is None:
        return None, math.inf, None
    bound = programme_bound(inst)
    # the joint placement-and-seating LP with same-round cuts first (scheduler.joint: on the
    # 2016 day 59,922 in one LP, 59,837 after five rounds of cuts, where the seat-counting
    # relaxation below proves 60,480, 2.6 % above the best schedule); its number of cut
    # rounds comes from the limit (deterministic), the clock being a safety net
    relaxed = None
    if not (stop is not None and stop.is_set()):
        relaxed = _joint_bound(inst, budget, deadline, stop)
    # else the seat-counting relaxation's per-person MIP (10 % -> 2.6 % from the objective
    # on the 2016 day): its outcome is deterministic (proven, or stopped by its node limit)
    # and it is cheap where it applies (2016: 0.3 s quiet, 2.5 s at load 14). After the
    # search it got only what the search's safety net left: when one seating of the search
    # ran to its own limit (UNKNOWN after 8.7 s on the 2016 day, 20 s limit), less than the
    # 0.5 s it needed was left and the reported bound fell back to the per-person one
    # (65,680 instead of 60,480); so the bound depended on the clock.
    if relaxed is None and not (stop is not None and stop.is_set()):
        relaxed = placement_bound(inst, max(0.5, min(0.25 * budget,
                                                     0.5 * (deadline - time.monotonic()))),
                                  stop, path_lp=False)
    if relaxed is not None and math.isfinite(relaxed):
        bound = min(bound, math.floor(relaxed + 1e-6))
    # the local search's budget is a number of seating evaluations derived from the time
    # limit (deterministic); its deadline is only a safety net on slow machines
    ls_deadline = time.monotonic() + 0.9 * (deadline - time.monotonic())
    max_evals = max(2, int(budget / SECONDS_PER_EVAL))
    place, seat = improve(inst, place, ls_deadline, workers, seed,
                          lambda best: report(time.monotonic() - t0, best, bound), stop,
                          max_evals=max_evals)
    # then, when the MIP proved nothing, the path LP of the same relaxation with what is
    # left of the limit (at most a quarter of it): its column generation takes seconds, and
    # taken before the local search it shortened the search's safety net and the schedule
    # changed from run to run on a loaded machine
    # (a helper thread computing it beside the search, on the second worker, cost the
    # search its safety net under load: at load 17-21 and a 12 s limit the 2016 day's
    # schedule fell from 58,650 to 58,255, and to 58,520-58,640 with the thread at the
    # lowest priority, which then got no bound either)
    left = min(0.25 * budget, deadline - time.monotonic())
    if (relaxed is None or not math.isfinite(relaxed)) and left > 0.5 and not (
            stop is not None and stop.is_set()):
        relaxed = placement_bound(inst, left, stop, mip=False)
        if relaxed is not None and math.isfinite(relaxed):
            bound = min(bound, math.floor(relaxed + 1e-6))
    return place, bound, seat


def _joint_bound(inst: Instance, budget: float, deadline: float,
                 stop: threading.Event | None) -> float | None:
    """The joint LP's bound (scheduler.joint) with one round of cuts per 30 s of the limit
    (at most ``CUT_ROUNDS``; each costs an LP of 3-6 s on the 2016 day at load 10), in at
    most 75 % of the time left (a safety net: rounds and iterations are counted, so that the
    bound does not depend on the clock)."""
    if sum(1 for s in inst.sessions if s.round is None or s.room is None) > JOINT_MAX_OPEN:
        return None  # (before building the virtual day, which placement_bound builds again)
    day = virtual_day(inst)
    if day is None:
        return None
    rounds = min(CUT_ROUNDS, int(budget / 30))
    return joint_bound(inst, day, 0.75 * max(0.0, deadline - time.monotonic()), stop,
                       cut_rounds=rounds)


def _fixed_placement(inst: Instance, ridx: dict[str, int]) -> Placement:
    """The organisers' own programme (every session has its round and room)."""
    rounds, rooms = [], []
    for s in inst.sessions:
        if s.round is None or s.room is None:
            raise ValueError(f"session {s.id} has no round or room: not a fixed programme")
        rounds.append(ridx[s.round])
        rooms.append(s.room)
    return Placement(rounds, rooms)
