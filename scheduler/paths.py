"""Seating for a fixed programme: a path (column) formulation over participant classes.

Why this formulation: participants with identical data are interchangeable, so they form one
*class* with an integer count. For a class, a *path* is one choice per round (a session or
idle) that already satisfies every per-person rule (distinct projects, theme variety,
unavailability, presenters, accessibility, fixed entries), and it carries the per-person
objective terms that are not linear in session counts (the unlucky penalty, changes). What
is left between classes is only seat counting, so the LP relaxation is very tight (often
integral) and a person-level solution is read off the integer path counts directly.

There are too many paths to list at 1,000+ participants, so the LP is solved by column
generation: start from paths over each class's scoring sessions plus a few fillers, price new
paths with the LP duals, and stop when no improving path is found or time runs out. With the
duals, ``LP(restricted) + sum_c n_c * max(0, relaxed best reduced cost of c)`` is a valid
upper bound of the full LP (Lagrangian / Farley bound), hence of the real problem.
The integer solution is then found on the generated paths with a MIP solver (HiGHS).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ortools.linear_solver import pywraplp

from .checker import session_score
from .instance import Instance, Participant

IDLE = -1  # "no session in this round" in a path
BIG = 10**6  # value of an artificial (unseated / under-audience) unit in the LP


@contextmanager
def watch_stop(stop: threading.Event | None, interrupt: Callable[[], Any]):
    """Call ``interrupt`` from a helper thread as soon as ``stop`` is set."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                interrupt()
                return

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


@dataclass
class SeatClass:
    """Participants indistinguishable for seating (same wishes, themes, constraints...)."""

    members: list[str]
    rep: Participant
    # per round: allowed session indices (IDLE included when the round may stay empty)
    allowed: list[list[int]] = field(default_factory=list)
    score: dict[int, int] = field(default_factory=dict)  # session index -> score
    wished: frozenset[int] = frozenset()
    previous: dict[int, int] = field(default_factory=dict)  # round index -> session index
    min_themes: int = 0  # k, before min(k, attended)

    @property
    def n(self) -> int:
        return len(self.members)


@dataclass
class Placement:
    """Round and room of every session (a complete programme)."""

    round_of: list[int]  # session index -> round index
    room_of: list[str]


@dataclass
class SeatResult:
    status: str  # OPTIMAL / FEASIBLE / INFEASIBLE / UNKNOWN
    objective: int | None
    bound: float
    sessions: dict[str, dict[str, str]]  # participant -> round id -> session id
    lp_bound: float
    artificial: bool = False  # True when the LP/MIP needed artificial (impossible) units


def seat_class_key(inst: Instance, p: Participant, presents_rounds: frozenset[int]) -> tuple:
    o = inst.options
    prev = ()
    if o.change_penalty:
        prev = tuple(sorted((k, v) for k, v in o.previous.get(p.id, {}).items()
                            if k in inst.round_ids))
    fixed = tuple(sorted((k, v) for k, v in p.fixed if k in inst.round_ids))
    unav = tuple(sorted(r for r in p.unavailable if r in inst.round_ids))
    return (p.wishes, tuple(sorted(p.themes)), unav, p.needs_accessible, fixed, prev,
            tuple(sorted(presents_rounds)))


def build_classes(inst: Instance, place: Placement) -> list[SeatClass]:
    """Group participants into seat classes and compute each class's allowed sessions."""
    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    sidx = {s.id: i for i, s in enumerate(inst.sessions)}
    proj_rounds: dict[str, set[int]] = {}
    for i, s in enumerate(inst.sessions):
        proj_rounds.setdefault(s.project, set()).add(place.round_of[i])
    by_round: list[list[int]] = [[] for _ in inst.round_ids]
    for i in range(len(inst.sessions)):
        by_round[place.round_of[i]].append(i)
    groups: dict[tuple, SeatClass] = {}
    order: list[tuple] = []
    o = inst.options
    for p in inst.participants:
        pres: set[int] = set()
        for pr in inst.presents.get(p.id, ()):
            pres |= proj_rounds.get(pr, set())
        key = seat_class_key(inst, p, frozenset(pres))
        if key in groups:
            groups[key].members.append(p.id)
            continue
        c = SeatClass([p.id], p)
        fixed = {ridx[k]: sidx[v] for k, v in p.fixed if k in ridx}
        for r, rid in enumerate(inst.round_ids):
            if rid in p.unavailable or r in pres:
                c.allowed.append([IDLE])
                continue
            if r in fixed:
                c.allowed.append([fixed[r]])
                continue
            opts = [i for i in by_round[r]
                    if not p.needs_accessible or inst.rooms[place.room_of[i]].accessible]
            if o.allow_idle:
                opts.append(IDLE)
            c.allowed.append(opts)
        for i, s in enumerate(inst.sessions):
            c.score[i] = session_score(inst, p, s.project)
        c.wished = frozenset(i for i, s in enumerate(inst.sessions) if s.project in p.wishes)
        if o.change_penalty:
            for k, v in o.previous.get(p.id, {}).items():
                if k in ridx:
                    c.previous[ridx[k]] = sidx[v]
        c.min_themes = o.min_distinct_themes
        groups[key] = c
        order.append(key)
    return [groups[k] for k in order]


class PathEvaluator:
    """Feasibility and value of a path for a class (the per-person rules live here)."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.proj = [s.project for s in inst.sessions]
        self.theme = [inst.projects[s.project].theme for s in inst.sessions]
        o = inst.options
        self.pen = o.unlucky_penalty
        self.chg = o.change_penalty

    def value(self, c: SeatClass, path: tuple[int, ...]) -> int | None:
        """Objective contribution of one member taking ``path``; None if the path is illegal."""
        used = [s for s in path if s != IDLE]
        projs = {self.proj[s] for s in used}
        if len(projs) != len(used):
            return None
        need = min(c.min_themes, len(used))
        if need > 1 and len({self.theme[s] for s in used}) < need:
            return None
        v = sum(c.score[s] for s in used)
        if c.rep.wishes and not any(s in c.wished for s in used):
            v -= self.pen
        if c.previous:
            v -= self.chg * sum(1 for r, s in c.previous.items() if path[r] != s)
        return v


def _candidates(c: SeatClass, r: int, extra_fill: int, spare: dict[int, float]) -> list[int]:
    """Initial per-round candidates: scoring sessions plus a few zero-score fillers."""
    opts = c.allowed[r]
    if len(opts) <= 8:
        return list(opts)
    scoring = [s for s in opts if s != IDLE and c.score[s] > 0]
    scoring.sort(key=lambda s: (-c.score[s], -spare.get(s, 0), s))
    scoring = scoring[:6]
    rest = [s for s in opts if s not in scoring]
    rest.sort(key=lambda s: (s != IDLE, -spare.get(s, 0), s))
    return scoring + rest[:extra_fill]


def solve_seating(inst: Instance, place: Placement, *, time_limit: float, seed: int = 0,
                  workers: int = 1, always_held: bool = False,
                  progress: Callable[[float, float | None, float | None], None] | None = None,
                  stop=None, t0: float | None = None) -> SeatResult:
    """Seat everyone for the programme ``place``; see the module docstring."""
    t0 = t0 if t0 is not None else time.monotonic()
    deadline = t0 + time_limit
    classes = build_classes(inst, place)
    ev = PathEvaluator(inst)
    S = len(inst.sessions)
    R = len(inst.round_ids)
    cap = [inst.session_capacity(s, place.room_of[i]) for i, s in enumerate(inst.sessions)]
    min_aud = [s.min_audience for s in inst.sessions]
    # room rows only where they can bind
    room_rows: dict[tuple[int, str], list[int]] = {}
    for i in range(S):
        room_rows.setdefault((place.round_of[i], place.room_of[i]), []).append(i)
    room_rows = {k: v for k, v in room_rows.items()
                 if sum(cap[i] for i in v) > inst.rooms[k[1]].capacity}

    demand = [0.0] * S
    for c in classes:
        for r in range(R):
            opts = [s for s in c.allowed[r] if s != IDLE]
            for s in opts:
                demand[s] += c.n / max(1, len(opts))
    spare = {s: cap[s] - demand[s] for s in range(S)}

    # ---- initial columns
    cols: list[tuple[int, tuple[int, ...], int]] = []  # (class, path, value)
    seen: set[tuple[int, tuple[int, ...]]] = set()

    def add(ci: int, path: tuple[int, ...]) -> bool:
        if (ci, path) in seen:
            return False
        v = ev.value(classes[ci], path)
        if v is None:
            return False
        seen.add((ci, path))
        cols.append((ci, path, v))
        return True

    for ci, c in enumerate(classes):
        cands = [_candidates(c, r, 3, spare) for r in range(R)]
        for path in itertools.product(*cands):
            add(ci, path)

    lp_value, bound, x_lp, lp_art = _column_generation(inst, classes, cols, add, cap, min_aud,
                                                       room_rows, ev, deadline, always_held,
                                                       progress, t0, stop)
    if progress:
        progress(time.monotonic() - t0, None, bound)
    # ---- integer solution on the generated columns: the LP optimum itself when it is
    # integral and respects every min_audience (frequent), else a MIP on the columns.
    res = None
    if not lp_art and all(abs(v - round(v)) < 1e-6 for v in x_lp.values()):
        counts = {j: int(round(v)) for j, v in x_lp.items() if v > 0.5}
        att = [0] * S
        for j, k in counts.items():
            for s in cols[j][1]:
                if s != IDLE:
                    att[s] += k
        if all(att[s] == 0 and not always_held or att[s] >= min_aud[s] for s in range(S)):
            res = (sum(cols[j][2] * k for j, k in counts.items()), counts, False)
    if res is None:
        remaining = max(1.0, deadline - time.monotonic())
        res = _solve_mip(inst, classes, cols, cap, min_aud, room_rows, always_held,
                         remaining, stop)
    if res is None:
        return SeatResult("UNKNOWN", None, bound, {}, bound)
    obj, counts, artificial = res
    bound_int = math.floor(bound + 1e-6)
    if artificial:
        return SeatResult("UNKNOWN", None, bound, {}, bound, artificial=True)
    # ---- canonical person-level read-out: members in id order take paths in path order
    sessions_of: dict[str, dict[str, str]] = {}
    per_class: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for j, k in counts.items():
        ci, path, _ = cols[j]
        per_class.setdefault(ci, []).append((path, k))
    for ci, c in enumerate(classes):
        plist = sorted(per_class.get(ci, []))
        members = sorted(c.members)
        pos = 0
        for path, k in plist:
            for m in members[pos:pos + k]:
                sessions_of[m] = {inst.round_ids[r]: inst.sessions[s].id
                                  for r, s in enumerate(path) if s != IDLE}
            pos += k
    status = "OPTIMAL" if obj >= bound_int else "FEASIBLE"
    return SeatResult(status, obj, min(bound, float(max(bound_int, obj))), sessions_of, bound)


def _column_generation(inst, classes, cols, add, cap, min_aud, room_rows, ev, deadline,
                       always_held, progress, t0, stop):
    """Solve the path LP by column generation; return (LP value, valid bound, duals, x)."""
    R = len(inst.round_ids)
    S = len(cap)
    best_bound = math.inf
    lp_value = -math.inf
    x_lp: dict[int, float] = {}
    duals = None
    for _it in range(60):
        lp = _build_master(inst, classes, cols, cap, min_aud, room_rows, always_held,
                           integer=False)
        solver, xs, rows_cap, rows_min, rows_room, rows_cls, arts = lp
        st = solver.Solve()
        if st != pywraplp.Solver.OPTIMAL:
            break
        lp_value = solver.Objective().Value()
        x_lp = {j: v.solution_value() for j, v in enumerate(xs) if v.solution_value() > 1e-9}
        lp_art = any(v.solution_value() > 1e-9 for v in arts)
        # Duals (pywraplp reports duals in the objective's sense for a maximisation).
        pi = [rows_cap[s].dual_value() if rows_cap[s] is not None else 0.0 for s in range(S)]
        rho = [rows_min[s].dual_value() if rows_min[s] is not None else 0.0 for s in range(S)]
        room_pi = {k: row.dual_value() for k, row in rows_room.items()}
        mu = [row.dual_value() for row in rows_cls]
        price = [pi[s] + rho[s] for s in range(S)]
        for (r, room), ss in room_rows.items():
            for s in ss:
                price[s] += room_pi[(r, room)]
        duals = price
        gap_sum = 0.0
        added = 0
        for ci, c in enumerate(classes):
            # relaxed best reduced cost: per round best (score - price), ignoring coupling
            relaxed = 0.0
            per_round: list[list[tuple[float, int]]] = []
            for r in range(R):
                vals = [((c.score[s] - price[s]) if s != IDLE else 0.0, s)
                        for s in c.allowed[r]]
                vals.sort(key=lambda t: (-t[0], t[1]))
                relaxed += vals[0][0]
                per_round.append(vals)
            ub = relaxed - mu[ci]
            if ub <= 1e-7:
                continue
            # Exact pricing over candidate sets per round (top values + wished + previous +
            # one per theme). A path leaving the candidate set of round r is worth at most
            # relaxed - best_r + (best value not in the set), which keeps the bound valid.
            best: list[tuple[float, tuple[int, ...]]] = []
            cand = []
            outside = -math.inf
            for r in range(R):
                top = [s for _, s in per_round[r][:4 if len(per_round[r]) > 8 else 8]]
                wished = [s for _, s in per_round[r] if s in c.wished][:2]
                prev = [c.previous[r]] if r in c.previous else []
                themes_seen: set[str] = set()
                th = []
                if c.min_themes > 1:
                    for _, s in per_round[r]:
                        if s != IDLE and ev.theme[s] not in themes_seen:
                            themes_seen.add(ev.theme[s])
                            th.append(s)
                cs = list(dict.fromkeys(top + wished + prev + th[:4]))
                cand.append(cs)
                css = set(cs)
                excluded = next((v for v, s in per_round[r] if s not in css), None)
                if excluded is not None:
                    outside = max(outside, relaxed - per_round[r][0][0] + excluded)
            exact = -math.inf
            for path in itertools.product(*cand):
                v = ev.value(c, path)
                if v is None:
                    continue
                rc = v - sum(price[s] for s in path if s != IDLE) - mu[ci]
                exact = max(exact, rc)
                if rc > 1e-6:
                    best.append((rc, path))
            best.sort(key=lambda t: (-t[0], t[1]))
            for _, path in best[:3]:
                if add(ci, path):
                    added += 1
            ub = max(exact, outside - mu[ci])
            if ub > 0:
                gap_sum += c.n * ub
        bound = lp_value + gap_sum
        best_bound = min(best_bound, bound)
        if progress:
            progress(time.monotonic() - t0, None, best_bound)
        if added == 0 or time.monotonic() > deadline - 0.3 * max(0.0, deadline - t0) \
                or (stop is not None and stop.is_set()):
            break
    if duals is None:
        return -math.inf, math.inf, {}, True
    return lp_value, best_bound, x_lp, lp_art


def _build_master(inst, classes, cols, cap, min_aud, room_rows, always_held, integer):
    """The path master problem: LP (GLOP) or MIP (HiGHS) with artificial units."""
    solver = pywraplp.Solver.CreateSolver("SCIP" if integer else "GLOP")
    S = len(cap)
    infinity = solver.infinity()
    xs = []
    obj = solver.Objective()
    obj.SetMaximization()
    by_session: list[list[int]] = [[] for _ in range(S)]
    by_class: list[list[int]] = [[] for _ in classes]
    for j, (ci, path, v) in enumerate(cols):
        ub = classes[ci].n
        # no upper bound in the LP: the class row implies it, and a bound's own dual would
        # make the reduced costs used for pricing and for the bound inconsistent
        var = solver.IntVar(0, ub, "") if integer else solver.NumVar(0, infinity, "")
        xs.append(var)
        obj.SetCoefficient(var, v)
        by_class[ci].append(j)
        for s in path:
            if s != IDLE:
                by_session[s].append(j)
    rows_cap = [None] * S
    rows_min = [None] * S
    opens = {}
    for s in range(S):
        rows_cap[s] = solver.Constraint(-infinity, cap[s])
        for j in by_session[s]:
            rows_cap[s].SetCoefficient(xs[j], 1)
        if min_aud[s] > 0:
            # at least min_audience when held; an artificial "missing audience" variable keeps
            # the restricted master feasible while columns are still missing.
            short = solver.NumVar(0, min_aud[s], "")
            obj.SetCoefficient(short, -BIG)
            if always_held:
                rows_min[s] = solver.Constraint(min_aud[s], infinity)
                rows_min[s].SetCoefficient(short, 1)
            elif integer:
                op = solver.BoolVar("")
                opens[s] = op
                rows_min[s] = solver.Constraint(0, infinity)
                rows_min[s].SetCoefficient(op, -min_aud[s])
                rows_min[s].SetCoefficient(short, 1)
                rows_cap[s].SetCoefficient(op, -cap[s])
                rows_cap[s].SetBounds(-infinity, 0)
            else:
                rows_min[s] = None  # relaxed: open = att / cap makes the row vacuous
                continue
            for j in by_session[s]:
                rows_min[s].SetCoefficient(xs[j], 1)
    rows_room = {}
    for (r, room), ss in room_rows.items():
        row = solver.Constraint(-infinity, inst.rooms[room].capacity)
        for s in ss:
            for j in by_session[s]:
                row.SetCoefficient(xs[j], 1)
        rows_room[(r, room)] = row
    rows_cls = []
    for ci, c in enumerate(classes):
        row = solver.Constraint(c.n, c.n)
        art = solver.NumVar(0, c.n, "")
        obj.SetCoefficient(art, -BIG)
        row.SetCoefficient(art, 1)
        for j in by_class[ci]:
            row.SetCoefficient(xs[j], 1)
        rows_cls.append(row)
    arts = [v for v in solver.variables() if obj.GetCoefficient(v) == -BIG]
    return solver, xs, rows_cap, rows_min, rows_room, rows_cls, arts


def _solve_mip(inst, classes, cols, cap, min_aud, room_rows, always_held, time_limit, stop):
    """Integer path counts on the generated columns; returns (objective, counts, artificial)."""
    solver, xs, *_, arts = _build_master(inst, classes, cols, cap, min_aud, room_rows, always_held,
                                   integer=True)
    solver.SetTimeLimit(int(time_limit * 1000))
    solver.SuppressOutput()
    with watch_stop(stop, solver.InterruptSolve):
        st = solver.Solve()
    if st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    counts = {j: int(round(v.solution_value())) for j, v in enumerate(xs)
              if v.solution_value() > 0.5}
    artificial = any(v.solution_value() > 1e-6 for v in arts)
    obj = sum(cols[j][2] * k for j, k in counts.items())
    return obj, counts, artificial
