"""Compact CP-SAT feasibility model over participant classes, with the programme as variables.

Used to prove infeasibility and to find which group of rules is responsible when no counting
argument explains it. (As an optimisation model for programme mode it was measured too slow:
no first solution in 20 s on the 2016 day; see :mod:`scheduler.programme`.)

Variables are integer counts ``x[c, s, r]`` (members of class c in session s held in round r)
and placement booleans ``pl[s, r, room]``. For a class of one person the per-person rules
(distinct projects, theme variety, unlucky) are exact; for larger classes they are stated on
counts, which is a relaxation, so an INFEASIBLE answer of this model is always valid for
the real problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # CP-SAT's module imports pandas (seconds): only when used
    from ortools.sat.python import cp_model

from .instance import Instance, Participant

RELAXABLE = ("capacity", "tables", "min_audience", "accessibility", "fixed", "themes",
             "distinct", "presenters", "availability", "project_rounds")


@dataclass
class CompactModel:
    model: cp_model.CpModel
    placement: dict[tuple[int, int, str], cp_model.IntVar]


def compact_classes(inst: Instance) -> list[tuple[Participant, list[str]]]:
    o = inst.options
    groups: dict[tuple, list[str]] = {}
    reps: dict[tuple, Participant] = {}
    for p in inst.participants:
        prev: tuple[tuple[str, str], ...] = ()
        if o.change_penalty:
            prev = tuple(sorted((k, v) for k, v in o.previous.get(p.id, {}).items()
                                if k in inst.round_ids))
        key: tuple = (p.wishes, tuple(sorted(p.themes)),
               tuple(sorted(u for u in p.unavailable if u in inst.round_ids)),
               p.needs_accessible,
               tuple(sorted((k, v) for k, v in p.fixed if k in inst.round_ids)), prev,
               inst.presents.get(p.id, ()))
        if o.allow_idle:
            key = (p.id,)  # attendance varies per person: keep min(k, attended) exact
        if key not in groups:
            groups[key] = []
            reps[key] = p
        groups[key].append(p.id)
    return [(reps[k], groups[k]) for k in groups]


def forced_rounds(inst: Instance) -> dict[str, set[str]]:
    """Session -> rounds that participants' fixed entries pin it to (programme mode: a
    session without a round that someone is fixed to in round r must be held in r)."""
    return inst.forced_rounds


def placement_options(inst: Instance, s) -> list[tuple[int, str]]:
    if s.round:
        rounds = [inst.round_ids.index(s.round)]
    else:
        pinned = forced_rounds(inst).get(s.id)
        rounds = sorted(inst.round_ids.index(r) for r in pinned) if pinned else \
            list(range(len(inst.round_ids)))
        if len(rounds) > 1 and pinned:
            rounds = []  # pinned to two rounds at once: impossible (reported by diagnosis)
    theme = inst.theme_of(s)
    rooms = [s.room] if s.room else [m for m in inst.rooms if inst.rooms[m].admits(theme)]
    return [(r, m) for r in rounds for m in rooms]


def build_compact(inst: Instance, *, relax: frozenset[str] = frozenset(),
                  always_held: bool | None = None) -> CompactModel:
    """Build the feasibility model; ``relax`` drops whole rule groups (used by the
    diagnosis)."""
    from ortools.sat.python import cp_model

    o = inst.options
    m = cp_model.CpModel()
    always_held = inst.programme_mode if always_held is None else always_held
    R = len(inst.round_ids)
    S = len(inst.sessions)
    theme = [inst.theme_of(s) for s in inst.sessions]
    pl: dict[tuple[int, int, str], cp_model.IntVar] = {}
    held: dict[tuple[int, int], list] = {}
    att: dict[tuple[int, int, str], cp_model.IntVar] = {}
    for i, s in enumerate(inst.sessions):
        opts = placement_options(inst, s)
        for r, room in opts:
            v = m.new_bool_var(f"pl_{i}_{r}_{room}")
            pl[(i, r, room)] = v
            held.setdefault((i, r), []).append(v)
            cap = inst.session_capacity(s, room) if "capacity" not in relax else 10**6
            a = m.new_int_var(0, cap, f"att_{i}_{r}_{room}")
            m.add(a <= cap * v)
            att[(i, r, room)] = a
        m.add_exactly_one([pl[(i, r, room)] for r, room in opts])
    rooms_rt: dict[tuple[int, str], list[int]] = {}
    for (i, r, room) in pl:
        rooms_rt.setdefault((r, room), []).append(i)
    for (r, room), ss in rooms_rt.items():
        rm = inst.rooms[room]
        if "capacity" not in relax:
            m.add(sum(att[(i, r, room)] for i in ss) <= rm.capacity)
        if "tables" not in relax:
            m.add(sum(pl[(i, r, room)] for i in ss) <= rm.tables)
    by_proj: dict[str, list[int]] = {}
    for i, s in enumerate(inst.sessions):
        by_proj.setdefault(s.project, []).append(i)
    if "project_rounds" not in relax:
        for ss in by_proj.values():
            for r in range(R):
                hs = [v for i in ss for v in held.get((i, r), [])]
                if len(hs) > 1:
                    m.add(sum(hs) <= 1)

    def held_expr(i: int, r: int):
        return sum(held.get((i, r), []))

    # seating by class
    sidx = {s.id: i for i, s in enumerate(inst.sessions)}
    x_by_sr: dict[tuple[int, int], list] = {}
    acc_by_sr: dict[tuple[int, int], list] = {}
    for ci, (p, members) in enumerate(compact_classes(inst)):
        n = len(members)
        fixed = {inst.round_ids.index(k): sidx[v] for k, v in p.fixed
                 if k in inst.round_ids} if "fixed" not in relax else {}
        own = inst.presents.get(p.id, ()) if "presenters" not in relax else ()
        xs_c: dict[tuple[int, int], cp_model.IntVar] = {}
        rounds_total = []
        fixed_att = 0
        for r, rid in enumerate(inst.round_ids):
            if rid in p.unavailable and "availability" not in relax:
                continue
            cand = [fixed[r]] if r in fixed else [i for i in range(S) if (i, r) in held]
            row = []
            for i in cand:
                if (i, r) not in held:
                    continue
                if inst.sessions[i].project in own:
                    continue
                v = m.new_int_var(0, n, f"x_{ci}_{i}_{r}")
                xs_c[(i, r)] = v
                row.append(v)
                x_by_sr.setdefault((i, r), []).append(v)
                if p.needs_accessible and "accessibility" not in relax:
                    acc_by_sr.setdefault((i, r), []).append(v)
            pres = [held_expr(i, r) for j in own for i in by_proj.get(j, [])]
            total = sum(row) if row else 0
            for j in own:
                hj = sum(held_expr(i, r) for i in by_proj.get(j, []))
                m.add(total <= n - n * hj)
            if o.allow_idle:
                m.add(total <= n)
            elif pres:
                m.add(total >= n - n * sum(pres))
                m.add(total <= n)
            else:
                m.add(total == n)
                fixed_att += 1
            rounds_total.append(total)
        if "distinct" not in relax:
            for ss in by_proj.values():
                terms = [xs_c[(i, r)] for i in ss for r in range(R) if (i, r) in xs_c]
                if len(terms) > 1:
                    m.add(sum(terms) <= n)
        k = o.min_distinct_themes
        if k > 1 and "themes" not in relax:
            ys = []
            for t in inst.themes:
                terms = [v for (i, _r), v in xs_c.items() if theme[i] == t]
                if not terms:
                    continue
                y = m.new_int_var(0, n, "")
                m.add(y <= sum(terms))
                ys.append(y)
            variable = o.allow_idle or any(True for j in own)
            if variable:
                tot = m.new_int_var(0, n * R, "")
                m.add(tot == sum(rounds_total))
                need = m.new_int_var(0, n * k, "")
                m.add_min_equality(need, [tot, n * k])
                m.add(sum(ys) >= need)
            else:
                m.add(sum(ys) >= n * min(k, fixed_att))
    for i, s in enumerate(inst.sessions):
        for r in range(R):
            if (i, r) not in held:
                continue
            rooms = [room for (j, rr, room) in pl if j == i and rr == r]
            total = sum(att[(i, r, room)] for room in rooms)
            m.add(total == sum(x_by_sr.get((i, r), [])))
            if (i, r) in acc_by_sr:
                acc = [att[(i, r, room)] for room in rooms if inst.rooms[room].accessible]
                m.add(sum(acc_by_sr[(i, r)]) <= sum(acc))
            if s.min_audience and "min_audience" not in relax:
                if always_held:
                    m.add(total >= s.min_audience * held_expr(i, r))
                else:
                    op = m.new_bool_var("")
                    m.add(total >= s.min_audience * op)
                    m.add(total <= 10**6 * op)
    return CompactModel(m, pl)


def make_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """CP-SAT parameters chosen for reproducibility: interleaved search makes the result
    independent of thread timing for a given number of workers."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if workers > 1:
        solver.parameters.interleave_search = True
    return solver
