"""Orchestration: validation, counting diagnosis, workshops, programme, seating, solution.

Phases (see docs/scheduler.md for the reasoning):

1. cheap counting arguments; any hit is a proof of infeasibility and is returned at once;
2. workshops, solved exactly and apart (they do not interact with sessions in the objective);
3. programme mode only: the compact CP-SAT model places sessions and seats classes jointly;
4. seating on the (given or chosen) programme with the path formulation (LP + MIP);
5. a solution in the contract format, with metrics recomputed by :mod:`scheduler.checker`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from .checker import evaluate
from .compact import build_compact, make_solver
from .diagnosis import counting_reasons, relaxation_reasons
from .instance import SOLUTION_FORMAT, Instance, load_instance
from .paths import Placement, solve_seating
from .programme import SECONDS_PER_EVAL, improve, initial_programme, programme_bound
from .workshops import solve_workshops

Progress = Callable[[float, float | None, float | None], None]


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
    deadline = t0 + limit

    reasons = counting_reasons(inst)
    if reasons:
        return _empty_solution(inst, "INFEASIBLE", reasons, t0)

    ws = solve_workshops(inst)
    if ws.status != "OPTIMAL":
        return _empty_solution(inst, "INFEASIBLE", [
            "workshops: the workshops cannot seat everyone who must attend one (workshop or "
            "room capacities, accessibility or fixed workshop entries)"], t0)

    def report(seconds: float, best: float | None, bound: float | None) -> None:
        if progress is None:
            return
        progress(round(seconds, 3),
                 None if best is None else best + ws.objective,
                 None if bound is None or not math.isfinite(bound) else
                 math.floor(bound + 1e-6) + ws.objective)

    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    if inst.programme_mode:
        try:
            place, prog_bound, seat = _choose_programme(inst, deadline, t0, workers, seed,
                                                        report, stop)
        except TimeoutError as e:
            return _empty_solution(inst, "UNKNOWN", [str(e)], t0)
        if place is None:
            # the placement model's rules (tables, rule 9, themes, seats) are necessary
            # conditions, so its infeasibility is a proof; say which group is responsible
            diag = relaxation_reasons(inst, max(2.0, deadline - time.monotonic()), workers,
                                      seed)
            return _empty_solution(inst, "INFEASIBLE", diag, t0)
    else:
        place = Placement([ridx[s.round] for s in inst.sessions],
                          [s.room for s in inst.sessions])
        seat = solve_seating(inst, place, time_limit=max(1.0, deadline - time.monotonic()),
                             seed=seed, workers=workers, always_held=False,
                             progress=report, stop=stop, t0=t0)
        prog_bound = seat.bound
    if seat.objective is None:
        # the restricted model found nothing: prove infeasibility or admit ignorance
        cm = build_compact(inst)
        solver = make_solver(max(2.0, deadline - time.monotonic()), workers, seed)
        st = solver.Solve(cm.model)
        if st == cp_model.INFEASIBLE:
            diag = relaxation_reasons(inst, max(2.0, limit / 2), workers, seed)
            return _empty_solution(inst, "INFEASIBLE", diag, t0)
        return _empty_solution(inst, "UNKNOWN", [
            "no schedule was found within the time limit"], t0)

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


def _choose_programme(inst: Instance, deadline: float, t0: float, workers: int, seed: int,
                      report, stop) -> tuple[Placement | None, float, Any]:
    """Initial conflict-minimising programme, then local search (see scheduler.programme)."""
    budget = deadline - t0  # the time limit itself: deterministic, unlike the time left
    place = initial_programme(inst, max(1.0, min(5.0, 0.15 * budget)), workers, seed)
    if place is None:
        return None, math.inf, None
    bound = programme_bound(inst)
    # the local search's budget is a number of seating evaluations derived from the time
    # limit (deterministic); its deadline is only a safety net on slow machines
    ls_deadline = time.monotonic() + 0.9 * (deadline - time.monotonic())
    max_evals = max(2, int((deadline - t0) / SECONDS_PER_EVAL))
    place, seat = improve(inst, place, ls_deadline, workers, seed,
                          lambda best: report(time.monotonic() - t0, best, bound), stop,
                          max_evals=max_evals)
    return place, bound, seat
