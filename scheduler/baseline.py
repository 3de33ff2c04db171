"""First-come-first-served: what a self-service agenda tool produces.

Each participant, in registration (list) order, takes in every round their best-ranked
session that still has a seat (a wished project not taken yet, else a session of one of their
themes, else any session with a seat), and their best-ranked workshop with a seat. It ignores
min_audience, theme variety and room totals, as such tools do; the checker counts what it
breaks. Used by the benchmarks as the point of comparison.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import replace
from typing import Any

from .checker import evaluate, session_score, workshop_score
from .instance import SOLUTION_FORMAT, load_instance


def first_come_first_served(data_or_instance: Any,
                            programme: list[dict] | None = None) -> dict[str, Any]:
    """The baseline on the instance's programme, or on ``programme`` (entries ``session``,
    ``round``, ``room``, e.g. the one the solver chose in programme mode)."""
    inst = load_instance(data_or_instance)
    if programme is not None:
        inst = copy.copy(inst)  # never alter the caller's Instance
        placed = {e["session"]: (e["round"], e["room"]) for e in programme}
        inst.sessions = [replace(s, round=placed[s.id][0], room=placed[s.id][1])
                         if s.id in placed else s for s in inst.sessions]
        inst.__post_init__()
    taken: Counter = Counter()
    proj_rounds: dict[str, set[str]] = {}
    for s in inst.sessions:
        proj_rounds.setdefault(s.project, set()).add(s.round or "")
    assignments = []
    for p in inst.participants:
        busy = set()
        for pr in inst.presents.get(p.id, ()):
            busy |= proj_rounds.get(pr, set())
        fixed = p.fixed_map
        seen_projects: set[str] = set()
        sess: dict[str, str] = {}
        for r in inst.round_ids:
            if r in p.unavailable or r in busy:
                continue
            if r in fixed:
                sess[r] = fixed[r]
                taken[fixed[r]] += 1
                seen_projects.add(inst.session_by_id[fixed[r]].project)
                continue
            options = [s for s in inst.sessions if s.round == r and s.room is not None
                       and s.project not in seen_projects
                       and taken[s.id] < inst.session_capacity(s, s.room)
                       and (not p.needs_accessible or inst.rooms[s.room].accessible)]
            if not options:
                continue
            best = max(options, key=lambda s: (session_score(inst, p, s.project), -taken[s.id]))
            sess[r] = best.id
            taken[best.id] += 1
            seen_projects.add(best.project)
        works: dict[str, str] = {}
        for slot in inst.slot_ids:
            if slot in p.unavailable:
                continue
            if slot in fixed:
                works[slot] = fixed[slot]
                taken[fixed[slot]] += 1
                continue
            open_workshops = [w for w in inst.workshops
                              if w.slot == slot and taken[w.id] < w.capacity
                              and (not p.needs_accessible or not w.room
                                   or inst.rooms[w.room].accessible)]
            if open_workshops:
                chosen = max(open_workshops,
                             key=lambda w: (workshop_score(inst, p, w.id), -taken[w.id]))
                works[slot] = chosen.id
                taken[chosen.id] += 1
        assignments.append({"participant": p.id, "sessions": sess, "workshops": works})
    metrics = evaluate(inst, assignments)
    objective = metrics.pop("objective")
    return {
        "format": SOLUTION_FORMAT,
        "status": "FEASIBLE",
        "objective": objective,
        "bound": None,
        "solve_seconds": 0.0,
        "programme": [{"session": s.id, "round": s.round, "room": s.room}
                      for s in inst.sessions],
        "assignments": assignments,
        "metrics": metrics,
        "diagnosis": [],
    }
