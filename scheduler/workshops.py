"""Workshop assignment, solved apart from the sessions.

Why apart: the objective has no term linking a participant's workshops to their sessions
(the unlucky penalty is about project wishes only), and workshops share only per-person data
(unavailable, fixed, previous, accessibility) with the sessions. So the joint optimum is the
sum of the two optima. Per slot it is a transportation problem whose constraint matrix is
totally unimodular (class rows against the laminar family workshop ⊂ room), so the simplex
optimum is integral and is also the proven bound.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp

from .checker import workshop_score
from .instance import Instance
from .stopping import watch_stop


@dataclass
class WorkshopResult:
    status: str  # OPTIMAL, INFEASIBLE or UNKNOWN (time limit or stop before the optimum)
    objective: int
    workshops: dict[str, dict[str, str]]  # participant -> slot -> workshop


def solve_workshops(inst: Instance, time_limit: float = math.inf,
                    stop: threading.Event | None = None) -> WorkshopResult:
    """Optimal workshops for everyone; the LP honours the solve's time left and its stop
    event (a huge day must not spend the whole limit here unseen)."""
    o = inst.options
    if not inst.workshop_slots:
        return WorkshopResult("OPTIMAL", 0, {p.id: {} for p in inst.participants})
    slot_ids = set(inst.slot_ids)
    groups: dict[tuple, list[str]] = {}
    reps = {}
    for p in inst.participants:
        prev: tuple[tuple[str, str], ...] = ()
        if o.change_penalty:
            prev = tuple(sorted((k, v) for k, v in o.previous.get(p.id, {}).items()
                                if k in slot_ids))
        key = (p.workshop_wishes, tuple(sorted(u for u in p.unavailable if u in slot_ids)),
               p.needs_accessible, tuple(sorted((k, v) for k, v in p.fixed if k in slot_ids)),
               prev)
        if key not in groups:
            groups[key] = []
            reps[key] = p
        groups[key].append(p.id)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    obj = solver.Objective()
    obj.SetMaximization()
    inf = solver.infinity()
    by_workshop: dict[str, list] = {w.id: [] for w in inst.workshops}
    xs = []  # (key, slot, workshop, var): seats on a workshop that scores for the class
    # Workshops that score nothing for a class are interchangeable for it, so instead of one
    # variable per (class, workshop) the class sends its other members to a per-slot "hub"
    # (one for anyone, one restricted to accessible rooms) that feeds every workshop. This
    # keeps the model linear in the number of wishes, and it is still a network flow.
    hubs: dict[tuple[str, bool], tuple[Any, list]] = {}
    for slot in inst.slot_ids:
        for acc in (False, True):
            row = solver.Constraint(0, 0)  # inflow from classes == outflow to workshops
            feeds = []
            for w in inst.workshops:
                if w.slot != slot or (acc and w.room and not inst.rooms[w.room].accessible):
                    continue
                v = solver.NumVar(0, inf, "")
                row.SetCoefficient(v, -1)
                by_workshop[w.id].append(v)
                feeds.append((w.id, v))
            hubs[(slot, acc)] = (row, feeds)
    hub_in = []  # (key, slot, acc, var)
    const = 0
    for key, members in groups.items():
        p = reps[key]
        n = len(members)
        fixed = dict(p.fixed)
        previous = dict(key[4])
        for slot in inst.slot_ids:
            if slot in p.unavailable:
                if slot in previous:  # absent: the previous workshop is lost (a change)
                    const -= o.change_penalty * n
                continue
            row = solver.Constraint(n, n)
            if slot in fixed:
                special = [fixed[slot]]
            else:
                special = [w for w in p.workshop_wishes if inst.workshop_by_id[w].slot == slot]
                if slot in previous and previous[slot] not in special:
                    special.append(previous[slot])
            for wid in special:
                w = inst.workshop_by_id[wid]
                if p.needs_accessible and w.room and not inst.rooms[w.room].accessible \
                        and slot not in fixed:
                    continue
                v = solver.NumVar(0, inf, "")
                row.SetCoefficient(v, 1)
                score = workshop_score(inst, p, w.id)
                if slot in previous and previous[slot] == w.id:
                    score += o.change_penalty  # constant -chg*n below, +chg per kept person
                obj.SetCoefficient(v, score)
                by_workshop[w.id].append(v)
                xs.append((key, slot, w.id, v))
            if slot not in fixed:
                v = solver.NumVar(0, inf, "")
                row.SetCoefficient(v, 1)
                hubs[(slot, p.needs_accessible)][0].SetCoefficient(v, 1)
                hub_in.append((key, slot, p.needs_accessible, v))
            if slot in previous:  # (a previous entry: -chg for each member, kept or not)
                const -= o.change_penalty * n
    room_rows: dict[tuple[str, str], list] = {}
    for w in inst.workshops:
        row = solver.Constraint(-inf, w.capacity)
        for v in by_workshop[w.id]:
            row.SetCoefficient(v, 1)
        if w.room:
            room_rows.setdefault((w.slot, w.room), []).extend(by_workshop[w.id])
    for (_slot, room), vs in room_rows.items():
        row = solver.Constraint(-inf, inst.rooms[room].capacity)
        for v in vs:
            row.SetCoefficient(v, 1)
    if math.isfinite(time_limit):
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    with watch_stop(stop, solver.InterruptSolve):
        st = solver.Solve()
    if st == pywraplp.Solver.INFEASIBLE:
        return WorkshopResult("INFEASIBLE", 0, {})
    if st != pywraplp.Solver.OPTIMAL:
        return WorkshopResult("UNKNOWN", 0, {})
    out: dict[str, dict[str, str]] = {p.id: {} for p in inst.participants}
    # members in id order take workshops in id order: deterministic read-out
    queues: dict[tuple[tuple, str], list[tuple[str, int]]] = {}
    def count(v) -> int:
        k = int(round(v.solution_value()))
        if abs(v.solution_value() - k) > 1e-6:
            raise RuntimeError("workshop LP returned a fractional vertex")  # network: integral
        return k

    for key, slot, wid, v in xs:
        k = count(v)
        if k:
            queues.setdefault((key, slot), []).append((wid, k))
    # hub members: classes in order take the hub's seats workshop by workshop
    for (slot, acc), (_row, feeds) in hubs.items():
        seats: list[list[Any]] = [[wid, count(v)]  # [workshop, seats left]
                                  for wid, v in sorted(feeds, key=lambda t: t[0])]
        pos = 0
        for key, sl, a, v in hub_in:
            if sl != slot or a != acc:
                continue
            need = count(v)
            while need:
                while seats[pos][1] == 0:
                    pos += 1
                take = min(need, seats[pos][1])
                seats[pos][1] -= take
                need -= take
                queues.setdefault((key, slot), []).append((seats[pos][0], take))
    for (key, slot), lst in queues.items():
        members = sorted(groups[key])
        pos = 0
        merged: dict[str, int] = {}
        for wid, k in lst:
            merged[wid] = merged.get(wid, 0) + k
        for wid, k in sorted(merged.items()):
            for m in members[pos:pos + k]:
                out[m][slot] = wid
            pos += k
    value = round(solver.Objective().Value()) + const
    return WorkshopResult("OPTIMAL", value, out)
