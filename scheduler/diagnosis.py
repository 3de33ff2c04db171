"""Why an instance is infeasible, in words an organiser can act on.

``counting_reasons`` runs cheap, sound counting arguments first (each message is a proof of
infeasibility on its own, naming the round, room, session or participants concerned).
``relaxation_reasons`` is the honest fallback when CP-SAT proves infeasibility that no
counting argument explains: it drops one group of rules at a time and reports the groups
whose removal makes the instance feasible.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

from .compact import RELAXABLE, build_compact, forced_rounds, make_solver, placement_options
from .instance import Instance

_GROUP_WORDS = {
    "capacity": "session and room capacities",
    "tables": "the number of tables per room",
    "min_audience": "the minimum audiences of sessions",
    "accessibility": "accessible rooms for participants who need them",
    "fixed": "participants' fixed entries",
    "themes": "the theme variety rule (min_distinct_themes)",
    "distinct": "never attending the same project twice",
    "presenters": "presenters being busy while their project presents",
    "availability": "participants' unavailable rounds",
    "project_rounds": "never holding two sessions of a project in the same round",
}


def _names(ids: list[str], limit: int = 5) -> str:
    ids = sorted(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def counting_reasons(inst: Instance) -> list[str]:
    """Sound counting arguments (each returned message proves infeasibility)."""
    o = inst.options
    out: list[str] = []
    R = inst.round_ids
    fixed_prog = not inst.programme_mode
    proj_rounds: dict[str, set[str]] = defaultdict(set)
    for s in inst.sessions:
        if s.round:
            proj_rounds[s.project].add(s.round)

    # --- the programme itself
    per_pr = Counter((s.project, s.round) for s in inst.sessions if s.round)
    for (pr, r), n in sorted(per_pr.items()):
        if n > 1:
            out.append(f"round {r}: project {pr} has {n} sessions in the same round")
    nsess = Counter(s.project for s in inst.sessions)
    for pr, n in sorted(nsess.items()):
        if n > len(R):
            out.append(f"project {pr} has {n} sessions but there are only {len(R)} rounds")
    per_rt = Counter((s.round, s.room) for s in inst.sessions if s.round and s.room)
    for (r, room), n in sorted(per_rt.items()):
        if n > inst.rooms[room].tables:
            out.append(f"round {r}, room {room}: {n} sessions but only "
                       f"{inst.rooms[room].tables} table(s)")
    pinned = forced_rounds(inst)
    for s in inst.sessions:
        if s.round is None and len(pinned.get(s.id, ())) > 1:
            out.append(f"session {s.id}: participants are fixed to it in different rounds "
                       f"({', '.join(sorted(pinned[s.id]))})")
        elif not placement_options(inst, s):
            out.append(f"session {s.id}: no room admits theme {inst.theme_of(s)}")
    total_tables = sum(rm.tables for rm in inst.rooms.values()) * len(R)
    if len(inst.sessions) > total_tables:
        out.append(f"{len(inst.sessions)} sessions but only {total_tables} tables over all "
                   f"rounds")

    # --- who must be seated where
    def presenting(pid: str) -> set[str]:
        rounds: set[str] = set()
        for pr in inst.presents.get(pid, ()):
            rounds |= proj_rounds.get(pr, set())
        return rounds

    fixed_count: Counter = Counter()
    for p in inst.participants:
        fx = p.fixed_map
        pres = presenting(p.id)
        projs = Counter(inst.session_by_id[v].project for k, v in fx.items() if k in R)
        for pr, n in projs.items():
            if n > 1:
                out.append(f"participant {p.id} is fixed to {n} sessions of project {pr}")
        for k, v in sorted(fx.items()):
            fixed_count[v] += 1
            if k in p.unavailable:
                out.append(f"participant {p.id} is fixed to {v} in {k} but is unavailable then")
            if k in pres:
                out.append(f"participant {p.id} is fixed to {v} in round {k} while presenting "
                           f"there")
            if k in R and inst.session_by_id[v].project in inst.presents.get(p.id, ()):
                out.append(f"participant {p.id} is fixed to {v}, a session of a project they "
                           f"present")
            room = (inst.session_by_id[v].room if k in R else inst.workshop_by_id[v].room)
            if p.needs_accessible and room and not inst.rooms[room].accessible:
                out.append(f"participant {p.id} needs an accessible room but is fixed to {v} "
                           f"in room {room}")
    for sid, n in sorted(fixed_count.items()):
        if sid in inst.session_by_id:
            s = inst.session_by_id[sid]
            caps = [inst.session_capacity(s, m) for _, m in placement_options(inst, s)]
            if caps and n > max(caps):
                out.append(f"session {sid}: {n} participants are fixed to it but it has "
                           f"{max(caps)} seats")
        else:
            w = inst.workshop_by_id[sid]
            if n > w.capacity:
                out.append(f"workshop {sid}: {n} participants are fixed to it but it has "
                           f"{w.capacity} seats")

    # presenters of a project whose rounds are still open may be excused in any round
    maybe_presenting = {pid for pid, prs in inst.presents.items()
                        if any(s.round is None for s in inst.sessions if s.project in prs)}
    for r in R:
        if o.allow_idle:
            break
        must = [p for p in inst.participants if r not in p.unavailable
                and r not in presenting(p.id) and p.id not in maybe_presenting]
        if fixed_prog:
            seats = 0
            acc_seats = 0
            for room_id, rm in inst.rooms.items():
                ss = [s for s in inst.sessions if s.round == r and s.room == room_id]
                if not ss:
                    continue
                c = min(rm.capacity, sum(inst.session_capacity(s, room_id) for s in ss))
                seats += c
                if rm.accessible:
                    acc_seats += c
            where = "the sessions hold"
        else:
            seats = sum(rm.capacity for rm in inst.rooms.values())
            acc_seats = sum(rm.capacity for rm in inst.rooms.values() if rm.accessible)
            where = "the rooms hold at most"
        if len(must) > seats:
            out.append(f"round {r}: {len(must)} participants must be seated but {where} "
                       f"{seats}")
        acc = [p for p in must if p.needs_accessible]
        if len(acc) > acc_seats:
            out.append(f"round {r}: {len(acc)} participants need an accessible room but "
                       f"accessible rooms hold {acc_seats} seats")
    for slot in inst.slot_ids:
        must = [p for p in inst.participants if slot not in p.unavailable]
        ws = [w for w in inst.workshops if w.slot == slot]
        by_room: dict[str | None, int] = defaultdict(int)
        for w in ws:
            by_room[w.room] += w.capacity
        seats = sum(min(c, inst.rooms[rm].capacity) if rm else c for rm, c in by_room.items())
        if len(must) > seats:
            out.append(f"workshop slot {slot}: {len(must)} participants must attend a workshop "
                       f"but the workshops hold {seats}")
        acc_seats = sum(min(c, inst.rooms[rm].capacity) if rm else c
                        for rm, c in by_room.items() if rm is None or inst.rooms[rm].accessible)
        acc = [p for p in must if p.needs_accessible]
        if len(acc) > acc_seats:
            out.append(f"workshop slot {slot}: {len(acc)} participants need an accessible room "
                       f"but accessible workshops hold {acc_seats} seats")

    # --- minimum audiences
    for s in inst.sessions:
        if not s.min_audience:
            continue
        forced = fixed_count.get(s.id, 0) > 0 or inst.programme_mode
        if not forced:
            continue
        rounds = [s.round] if s.round else list(R)
        best = 0
        for r in rounds:
            cand = 0
            for p in inst.participants:
                if r in p.unavailable or (s.round and r in presenting(p.id)):
                    continue
                if s.project in inst.presents.get(p.id, ()):
                    continue
                fv = p.fixed_map.get(r)
                if fv is not None and fv != s.id:
                    continue
                if p.needs_accessible and s.room and not inst.rooms[s.room].accessible:
                    continue
                cand += 1
            best = max(best, cand)
        if best < s.min_audience:
            why = "is always held in programme mode" if inst.programme_mode else \
                "has participants fixed to it"
            out.append(f"session {s.id} {why} and needs {s.min_audience} participants, but at "
                       f"most {best} can attend it")

    # --- theme variety: a matching of attended rounds onto distinct themes
    k = o.min_distinct_themes
    if k > 1 and not o.allow_idle:
        themes_by_round: dict[str, set[str]] = defaultdict(set)
        for s in inst.sessions:
            for r in ([s.round] if s.round else R):
                themes_by_round[r].add(inst.theme_of(s))
        bad: dict[str, list[str]] = defaultdict(list)
        for p in inst.participants:
            if p.id in maybe_presenting:
                continue
            rounds = [r for r in R if r not in p.unavailable and r not in presenting(p.id)]
            need = min(k, len(rounds))
            if need <= 1:
                continue
            options = []
            fx = p.fixed_map
            for r in rounds:
                if r in fx:
                    options.append({inst.theme_of(inst.session_by_id[fx[r]])})
                else:
                    options.append(set(themes_by_round[r]))
            got = _max_matching(options)
            if got < need:
                bad[f"{got}/{need}"].append(p.id)
        for key, pids in sorted(bad.items()):
            got, need = key.split("/")
            out.append(f"theme variety: {len(pids)} participant(s) ({_names(pids)}) can reach "
                       f"only {got} distinct theme(s) but min_distinct_themes requires {need}")
    return out


def _max_matching(options: list[set[str]]) -> int:
    """Maximum number of rounds that can get pairwise distinct themes (bipartite matching)."""
    match: dict[str, int] = {}

    def augment(i: int, seen: set[str]) -> bool:
        for t in sorted(options[i]):
            if t in seen:
                continue
            seen.add(t)
            if t not in match or augment(match[t], seen):
                match[t] = i
                return True
        return False

    return sum(1 for i in range(len(options)) if augment(i, set()))


def relaxation_reasons(inst: Instance, time_limit: float, workers: int, seed: int,
                       stop: threading.Event | None = None) -> list[str]:
    """Drop one rule group at a time; report those whose removal restores feasibility.

    The groups share ``time_limit`` (what is left of the solve's): a group whose model is
    not solved in its share is simply not named, so the diagnosis never overruns the solve's
    deadline."""
    from .paths import watch_stop
    culprits = []
    tried_all = False
    deadline = time.monotonic() + time_limit
    for n_left, group in zip(range(len(RELAXABLE), 0, -1), RELAXABLE, strict=True):
        per = (deadline - time.monotonic()) / n_left
        if per < 0.05 or (stop is not None and stop.is_set()):
            break
        cm = build_compact(inst, relax=frozenset([group]))
        solver = make_solver(per, workers, seed)
        with watch_stop(stop, solver.stop_search):
            st = solver.solve(cm.model)
        if st in (2, 4):  # FEASIBLE, OPTIMAL
            culprits.append(group)
    else:
        tried_all = True
    if not culprits and not tried_all:
        return ["the rules cannot all be met together (the time limit ended before the "
                "conflicting rules could be named)"]
    if not culprits:
        return ["the rules cannot all be met together, and no single group of rules alone is "
                "responsible (several conflict at once)"]
    return [f"the rules cannot all be met together; the conflict involves "
            f"{_GROUP_WORDS[g]} (dropping that rule alone would make a schedule possible)"
            for g in culprits]
