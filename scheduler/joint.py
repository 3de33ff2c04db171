"""Programme mode's bound: a joint placement-and-seating LP with same-round cuts.

Why: the seat-counting relaxation (:func:`scheduler.programme.placement_bound`) lets every
open session be held a third in each round; each person then finds all their wishes
"somewhere", and on the 2016 day its optimum (60,480) stays 2.6 % above the best schedule
(58,945). Placement variables alone do not help: the joint LP (people's seats linked to a
session only in the round it is put in) has the same fractional optimum (60,430), and
fixing the rounds of the four most wanted sessions still left 60,410. What the fractional
programmes hide is the *conflict* between two wished sessions held in the same round. So:

* ``w[a, b]`` (continuous, 0-1) says "open sessions a and b are in the same round", tied to
  the placement (``w >= h[a,r] + h[b,r] - 1``, ``w <= 1 - h[a,r] + h[b,r]``);
* per person and pair of wished projects with one session each, the person attends at most
  one of them when they share a round: ``y(a) + y(b) + w[a, b] <= 2`` (with a fixed session,
  ``w`` is exactly the other's placement in its round);
* pigeonhole rows: ``k`` sessions in ``R`` rounds put at least ``pigeon(k, R)`` pairs in a
  shared round, for every set of sessions (the whole set from the start, then the most
  violated sets, found greedily), and the triangle rows ``w[a,b] + w[b,c] - w[a,c] <= 1``.

Every row holds for every real programme and seating (a session is always held in
programme mode, two sessions of one project never share a round), so each LP's optimum is a
valid bound. On the 2016 day: 60,430 without the cuts, 60,013 after one round of cuts and
59,840 after five (1.5 % above 58,945). The LP is continuous: its optimum, not a MIP's dual
bound, so the outcome depends on the number of cut rounds only (deterministic), the clock
being a safety net.

Built on the per-person MIP's rows of the virtual day (:func:`scheduler.programme.virtual_day`,
one copy of each open session per round it may be held in), through
:func:`scheduler.person_mip._build`, solved by OR-Tools' HiGHS through MathOpt (see
:mod:`scheduler.person_mip` on why not ``highspy``).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    parameters_pb2,
    result_pb2,
)
from ortools.math_opt.core.python import solver as mo_solver
from ortools.util.python.solve_interrupter import SolveInterrupter

from .compact import placement_options
from .instance import Instance
from .person_mip import INF, model_size
from .person_mip import _build as build_rows  # (private: its rows, not a drifting copy)
from .seatdata import SeatData
from .stopping import watch_stop

# people x legal session copies: 2016 (10,440) solves its first LP in 0.6 s at load 9; the
# 4-round 150-person day of the shapes benchmark (26,084) not in 120 s by the simplex, in
# 15 s by the interior point method, and its cuts then moved nothing (its projects have
# several sessions each): past this size the seat-counting relaxation is left to answer
JOINT_MAX_BINARIES = 15_000
JOINT_MAX_OPEN = 60  # open sessions (pairs grow with the square)
CUT_ROUNDS = 6  # separation rounds after the first LP (2016: 59,922 without, 59,837 after 5)
# the pigeonhole rows of every set of R + 1 open sessions are in the first LP up to this many
# open sessions (2016: 14 sessions, 870 rows of 4 sessions: 59,922 in one LP of 3.3 s at
# load 10, where the greedy cuts took a second LP for 60,013; with the 5-session sets and
# the triangles too, 59,861 in 6-17 s)
STATIC_MAX_OPEN = 20
IPM_ITERATIONS = 300  # the work limit of one LP (2016: 34 iterations)
EPS = 1e-6


def pigeon(k: int, rounds: int) -> int:
    """Fewest pairs sharing a round when ``k`` sessions are spread over ``rounds`` rounds."""
    q, rem = divmod(k, rounds)
    return rem * (q + 1) * q // 2 + (rounds - rem) * q * (q - 1) // 2


@dataclass
class _Joint:
    model: model_pb2.ModelProto
    w: dict[tuple[int, int], int]  # pair of open sessions (a < b) -> column
    opened: list[int]
    rounds: int


def joint_bound(inst: Instance, virtual_day_data: tuple, time_limit: float,
                stop: threading.Event | None = None,
                cut_rounds: int = CUT_ROUNDS) -> float | None:
    """The joint LP's bound on the session objective over every programme (see the module
    docstring); None when the day is too large for it or nothing is proven in time.

    ``virtual_day_data`` is :func:`scheduler.programme.virtual_day`'s answer."""
    t_end = time.monotonic() + time_limit
    _virtual, _place, d, limits = virtual_day_data
    opened = [i for i, s in enumerate(inst.sessions) if s.round is None or s.room is None]
    if (not opened or len(opened) > JOINT_MAX_OPEN
            or model_size(d) > JOINT_MAX_BINARIES):
        return None
    built = _build_joint(inst, d, limits)
    if built is None:
        return None
    best = INF
    for k in range(cut_rounds + 1):
        if stop is not None and stop.is_set():
            break
        out = _solve_lp(built.model, t_end, stop)
        if out is None:
            break
        value, values = out
        best = min(best, value)
        if k == cut_rounds:
            break
        if not _add_cuts(built, values):
            break
    return best if math.isfinite(best) else None


def _copies(inst: Instance) -> dict[tuple[int, int], int]:
    """(session, round) -> its copy on the virtual day, in virtual_day's order."""
    out: dict[tuple[int, int], int] = {}
    for i, s in enumerate(inst.sessions):
        for r in sorted({r for r, _room in placement_options(inst, s)}):
            out[(i, r)] = len(out)
    return out


def _build_joint(inst: Instance, d: SeatData, limits) -> _Joint | None:
    """The virtual day's per-person rows, less its "held once" rows, plus placement,
    attendance per room, presenters' rounds and the same-round pairs."""
    copy_of = _copies(inst)
    if len(copy_of) != d.S:
        return None
    R = len(inst.round_ids)
    rows = {k: v for k, v in limits.rows.items() if k[0] != "held once"}
    b = build_rows(d, limits.cap, [0] * d.S, rows, False)
    lp = b.lp
    order = np.argsort(b.choice, kind="stable")
    edges = np.searchsorted(b.choice[order], np.arange(d.S + 1))
    by_copy = [order[edges[c]:edges[c + 1]] for c in range(d.S)]
    opts = {i: placement_options(inst, s) for i, s in enumerate(inst.sessions)}
    # placement x[i, r, room]: exactly one per session
    xcol: dict[tuple[int, int, str], int] = {}
    for i in range(len(inst.sessions)):
        cols = lp.cols(len(opts[i]), 0.0, 1.0, True)
        for k, (r, room) in enumerate(opts[i]):
            xcol[(i, r, room)] = int(cols[k])
        lp.rows(1, 1.0, 1.0, np.zeros(len(cols)), cols, 1.0)
    hcols: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_rt: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (i, r, room), c in xcol.items():
        hcols[(i, r)].append(c)
        by_rt[(r, room)].append(c)
    for (_r, room), cs in by_rt.items():  # tables
        if len(cs) > inst.rooms[room].tables:
            lp.rows(1, -INF, float(inst.rooms[room].tables), np.zeros(len(cs)),
                    np.array(cs), 1.0)
    by_pr: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (i, r), cs in hcols.items():
        by_pr[(inst.sessions[i].project, r)].extend(cs)
    for cs in by_pr.values():  # rule 9 (sums over one session are at most 1 anyway)
        lp.rows(1, -INF, 1.0, np.zeros(len(cs)), np.array(cs), 1.0)
    # attendance z[i, r, room]: the copy's people, in the room it is put in
    accessible_cls = np.array([any(inst.participant_by_id[m].needs_accessible for m in mem)
                               for mem in d.members], dtype=bool)
    load: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (i, r), c in copy_of.items():
        s = inst.sessions[i]
        ys = by_copy[c]
        rooms = [room for rr, room in opts[i] if rr == r]
        zs = lp.cols(len(rooms), 0.0, INF, False)
        lp.rows(1, 0.0, 0.0, np.zeros(len(ys) + len(rooms)), np.concatenate([ys, zs]),
                np.concatenate([np.ones(len(ys)), -np.ones(len(rooms))]))
        for k, room in enumerate(rooms):
            x = xcol[(i, r, room)]
            load[(r, room)].append(int(zs[k]))
            lp.rows(1, -INF, 0.0, np.zeros(2), np.array([zs[k], x]),
                    np.array([1.0, -float(inst.session_capacity(s, room))]))
            if s.min_audience:
                lp.rows(1, 0.0, INF, np.zeros(2), np.array([zs[k], x]),
                        np.array([1.0, -float(s.min_audience)]))
        step_free = [k for k, room in enumerate(rooms) if inst.rooms[room].accessible]
        if step_free and len(step_free) < len(rooms):
            acc = ys[accessible_cls[b.cls[b.person[ys]]]]
            if len(acc):
                lp.rows(1, -INF, 0.0, np.zeros(len(acc) + len(step_free)),
                        np.concatenate([acc, zs[step_free]]),
                        np.concatenate([np.ones(len(acc)), -np.ones(len(step_free))]))
    for (_r, room), zs_ in load.items():
        lp.rows(1, -INF, float(inst.rooms[room].capacity), np.zeros(len(zs_)),
                np.array(zs_), 1.0)
    people = [m for mem in d.members for m in mem]
    _presenter_rows(inst, lp, b, d, people, hcols)
    w, opened = _pair_rows(inst, lp, b, d, people, copy_of, hcols)
    lp.integer = [np.zeros(len(a), bool) for a in lp.integer]  # the LP relaxation
    return _Joint(lp.proto(), w, opened, R)


def _presenter_rows(inst: Instance, lp, b, d: SeatData, people: list[str],
                    hcols: dict) -> None:
    """A presenter of an open project attends no session in a round where one of their
    projects is held, and one in every other available round unless idling is allowed
    (the virtual day lets them idle in any)."""
    open_projects = {s.project for s in inst.sessions if s.round is None or s.room is None}
    by_proj: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(inst.sessions):
        by_proj[s.project].append(i)
    person_of = {pid: q for q, pid in enumerate(people)}
    for pid, prs in inst.presents.items():
        own = [pr for pr in prs if pr in open_projects]
        if not own or pid not in person_of:
            continue
        p = inst.participant_by_id[pid]
        mine = np.flatnonzero(b.person == person_of[pid])
        for r, rid in enumerate(inst.round_ids):
            if rid in p.unavailable or any(
                    inst.sessions[i].round == rid and inst.sessions[i].room is not None
                    for pr in prs for i in by_proj[pr]):
                continue  # unavailable, or presenting a fixed session: no session anyway
            ys = mine[d.round_of[b.choice[mine]] == r]
            held = [np.array(hcols.get((i, r), []), dtype=np.int64)
                    for pr in own for i in by_proj[pr]]
            held = [h for h in held if len(h)]
            if not inst.options.allow_idle:  # seated unless presenting
                cols = np.concatenate([ys, *held])
                lp.rows(1, 1.0, INF, np.zeros(len(cols)), cols, 1.0)
            for h in held:  # not seated while presenting (rows apart: two projects at once)
                cols = np.concatenate([ys, h])
                lp.rows(1, -INF, 1.0, np.zeros(len(cols)), cols, 1.0)


def _pair_rows(inst: Instance, lp, b, d: SeatData, people: list[str],
               copy_of: dict, hcols: dict) -> tuple[dict[tuple[int, int], int], list[int]]:
    """Same-round indicators of open sessions, the people's pair rows and the whole-set
    pigeonhole row (see the module docstring)."""
    R = len(inst.round_ids)
    S = len(inst.sessions)
    is_open = [s.round is None or s.room is None for s in inst.sessions]
    opened = [i for i in range(S) if is_open[i]]
    w: dict[tuple[int, int], int] = {}
    for a, c in itertools.combinations(opened, 2):
        if inst.sessions[a].project == inst.sessions[c].project:
            continue  # never in one round (rule 9)
        col = int(lp.cols(1, 0.0, 1.0, False)[0])
        w[(a, c)] = col
        for r in range(R):
            ha, hc = hcols.get((a, r), []), hcols.get((c, r), [])
            cols = np.array([col] + ha + hc, dtype=np.int64)
            na, nc = len(ha), len(hc)
            lp.rows(3, np.array([-1.0, -INF, -INF]), np.array([INF, 1.0, 1.0]),
                    np.repeat(np.arange(3), len(cols)), np.tile(cols, 3),
                    np.concatenate([[1.0] + [-1.0] * (na + nc),
                                    [1.0] + [1.0] * na + [-1.0] * nc,
                                    [1.0] + [-1.0] * na + [1.0] * nc]))
    if w:
        lp.rows(1, float(pigeon(len(opened), R)), INF, np.zeros(len(w)),
                np.array(list(w.values())), 1.0)
    if len(opened) <= STATIC_MAX_OPEN:  # every set of R + 1 sessions shares a round
        for group in itertools.combinations(opened, R + 1):
            pairs = list(itertools.combinations(group, 2))
            if all(pq in w for pq in pairs):
                lp.rows(1, 1.0, INF, np.zeros(len(pairs)), np.array([w[pq] for pq in pairs]),
                        1.0)
    n_sessions: dict[str, int] = defaultdict(int)
    for s in inst.sessions:
        n_sessions[s.project] += 1
    single = {s.project: i for i, s in enumerate(inst.sessions) if n_sessions[s.project] == 1}
    session_of_copy = np.zeros(d.S, np.int64)
    for (i, _r), c in copy_of.items():
        session_of_copy[c] = i
    y_session = session_of_copy[b.choice]
    order = np.argsort(b.person, kind="stable")
    edges = np.searchsorted(b.person[order], np.arange(len(people) + 1))
    for q, pid in enumerate(people):
        p = inst.participant_by_id[pid]
        wanted = [single[pr] for pr in p.wishes if pr in single]
        if len(wanted) < 2:
            continue
        ks = order[edges[q]:edges[q + 1]]
        for a, c in itertools.combinations(sorted(wanted), 2):
            ya, yc = ks[y_session[ks] == a], ks[y_session[ks] == c]
            if not len(ya) or not len(yc):
                continue
            if (a, c) in w:
                same = [w[(a, c)]]
            elif is_open[a] != is_open[c]:
                fixed, other = (a, c) if not is_open[a] else (c, a)
                held_in = inst.round_ids.index(str(inst.sessions[fixed].round))
                same = hcols.get((other, held_in), [])
            else:
                continue  # both fixed: the seating rows already know
            cols = np.concatenate([ya, yc, np.array(same, dtype=np.int64)])
            lp.rows(1, -INF, 2.0, np.zeros(len(cols)), cols, 1.0)
    return w, opened


def _solve_lp(model: model_pb2.ModelProto, t_end: float, stop: threading.Event | None
              ) -> tuple[float, dict[int, float]] | None:
    """The LP's optimum and values, or None when it is not solved to optimality within its
    iteration limit (work: the outcome does not depend on the machine's load) or in time
    (a safety net)."""
    left = t_end - time.monotonic()
    if left <= 0.05:
        return None
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromNanoseconds(int(left * 1e9))
    # The interior point method (with its crossover to a vertex): on the 2016 day at load
    # 14, 34 iterations and 3.4 s, the simplex 9,855 iterations and 5.5 s; after a round of
    # greedy cuts (load 11) 2.9 s against 5.8 s
    params.highs.string_options["solver"] = "ipm"
    params.highs.int_options["ipm_iteration_limit"] = IPM_ITERATIONS
    interrupter = SolveInterrupter()
    with watch_stop(stop, interrupter.interrupt):
        res = mo_solver.solve(model, parameters_pb2.SOLVER_TYPE_HIGHS,
                              parameters_pb2.SolverInitializerProto(), params,
                              model_parameters_pb2.ModelSolveParametersProto(), None,
                              callback_pb2.CallbackRegistrationProto(), None,
                              interrupter.pybind_interrupter)
    if res.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL:
        return None
    dual = res.termination.objective_bounds.dual_bound
    if not math.isfinite(dual) or not res.solutions:
        return None
    sol = res.solutions[0].primal_solution.variable_values
    # (the LP optimum within HiGHS's tolerances: the larger of primal and dual, plus a
    # margin, so that an LP whose optimum is an integer programme's value is not floored
    # one below it)
    value = max(dual, res.termination.objective_bounds.primal_bound)
    value += 1e-6 * max(1.0, abs(value))
    return value, dict(zip(sol.ids, sol.values, strict=True))


def _add_cuts(j: _Joint, values: dict[int, float]) -> bool:
    """Append the violated pigeonhole rows (sets grown greedily from each open session by the
    session sharing the least with the set) and triangle rows; False when none is found."""
    def wv(a: int, c: int) -> float | None:
        key = (a, c) if a < c else (c, a)
        col = j.w.get(key)
        return None if col is None else values.get(col, 0.0)

    sets: set[tuple[int, ...]] = set()
    for seed in j.opened:
        chosen, total = [seed], 0.0
        while True:
            best: tuple[float, int] | None = None
            for c in j.opened:
                if c in chosen:
                    continue
                shares = [wv(c, q) for q in chosen]
                if any(v is None for v in shares):
                    continue
                add = sum(v for v in shares if v is not None)
                if best is None or add < best[0]:
                    best = (add, c)
            if best is None:
                break
            chosen.append(best[1])
            total += best[0]
            if len(chosen) > j.rounds and total < pigeon(len(chosen), j.rounds) - 1e-4:
                sets.add(tuple(sorted(chosen)))
    new: list[tuple[list[int], list[float], float]] = []
    for q in sorted(sets):
        cols = [j.w[(a, c)] for a, c in itertools.combinations(q, 2)]
        new.append((cols, [1.0] * len(cols), float(pigeon(len(q), j.rounds))))
    for a, b, c in itertools.combinations(j.opened, 3):
        for x, y, z in ((a, b, c), (b, a, c), (a, c, b)):  # middle one shared
            v1, v2, v3 = wv(x, y), wv(y, z), wv(x, z)
            if v1 is None or v2 is None or v3 is None or v1 + v2 - v3 <= 1 + 1e-4:
                continue
            k1, k2, k3 = (j.w[(min(x, y), max(x, y))], j.w[(min(y, z), max(y, z))],
                          j.w[(min(x, z), max(x, z))])
            new.append(([k1, k2, k3], [-1.0, -1.0, 1.0], -1.0))
    m = j.model
    for cols, coefs, lo in new:
        row = len(m.linear_constraints.ids)
        m.linear_constraints.ids.append(row)
        m.linear_constraints.lower_bounds.append(lo)
        m.linear_constraints.upper_bounds.append(INF)
        for col, coef in sorted(zip(cols, coefs, strict=True)):
            m.linear_constraint_matrix.row_ids.append(row)
            m.linear_constraint_matrix.column_ids.append(col)
            m.linear_constraint_matrix.coefficients.append(coef)
    return bool(new)
