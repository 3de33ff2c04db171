"""Independent recomputation of the objective and of the nine hard rules.

The web app calls :func:`check_solution` to validate an organiser's manual move, and the
solver reuses :func:`evaluate` so that the reported metrics are computed by the same code
that checks them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .instance import SOLUTION_FORMAT, Instance, load_instance


def session_score(inst: Instance, participant, project: str) -> int:
    """Score of one session of ``project`` for ``participant`` (contract: rank, else theme)."""
    if project in participant.wishes:
        k = participant.wishes.index(project)
        w = inst.options.rank_weights
        return w[k] if k < len(w) else 0
    if inst.projects[project].theme in participant.themes:
        return inst.options.theme_weight
    return 0


def workshop_score(inst: Instance, participant, workshop: str) -> int:
    if workshop in participant.workshop_wishes:
        k = participant.workshop_wishes.index(workshop)
        w = inst.options.rank_weights
        return w[k] if k < len(w) else 0
    return 0


def programme_of(inst: Instance, solution: dict | None) -> dict[str, tuple[str | None, str | None]]:
    """Session id -> (round, room): the solution's programme overriding the instance's."""
    prog = {s.id: (s.round, s.room) for s in inst.sessions}
    if solution:
        for e in solution.get("programme") or []:
            if isinstance(e, dict) and e.get("session") in prog:
                prog[e["session"]] = (e.get("round"), e.get("room"))
    return prog


def evaluate(data_or_instance: Any, assignments: list[dict]) -> dict[str, Any]:
    """Metrics and objective of ``assignments`` exactly as the contract defines them."""
    inst = load_instance(data_or_instance)
    o = inst.options
    by_pid = {a.get("participant"): a for a in assignments if isinstance(a, dict)}
    satisfaction = unlucky = changed = 0
    with_wishes = first = 0
    granted = denom = 0
    for p in inst.participants:
        a = by_pid.get(p.id) or {}
        sess = a.get("sessions") or {}
        works = a.get("workshops") or {}
        projects = [inst.session_by_id[s].project for s in sess.values()
                    if s in inst.session_by_id]
        satisfaction += sum(session_score(inst, p, pr) for pr in projects)
        satisfaction += sum(workshop_score(inst, p, w) for w in works.values())
        if p.wishes:
            with_wishes += 1
            got = len(set(projects) & set(p.wishes))
            if got == 0:
                unlucky += 1
            if p.wishes[0] in projects:
                first += 1
            granted += got
            denom += min(len(p.wishes), len(projects))
        for key, val in (o.previous.get(p.id) or {}).items():
            now = sess.get(key) if key in inst.round_ids else works.get(key)
            if now != val:
                changed += 1
    objective = satisfaction - o.unlucky_penalty * unlucky - o.change_penalty * changed
    return {
        "objective": objective,
        "satisfaction": satisfaction,
        "unlucky": unlucky,
        "changed": changed,
        "first_wish_share": round(first / with_wishes, 4) if with_wishes else 0.0,
        "wishes_granted_share": round(granted / denom, 4) if denom else 0.0,
    }


def check_solution(data_or_instance: Any, solution: dict) -> list[str]:
    """Every hard-rule violation of ``solution`` in words (empty list = valid), plus any
    mismatch between the reported objective/metrics and their recomputation."""
    inst = load_instance(data_or_instance)
    o = inst.options
    out: list[str] = []
    if not isinstance(solution, dict):
        return ["the solution must be a JSON object"]
    if solution.get("format") not in (None, SOLUTION_FORMAT):
        out.append(f'format must be "{SOLUTION_FORMAT}"')
    # In programme mode every session is held, so every session needs its min_audience.
    always_held = inst.programme_mode
    prog = programme_of(inst, solution)
    listed = Counter(e.get("session") for e in solution.get("programme") or []
                     if isinstance(e, dict))
    for sid, n in listed.items():
        if sid not in inst.session_by_id:
            out.append(f'programme: unknown session "{sid}"')
        elif n > 1:
            out.append(f"programme: session {sid} is listed {n} times")
    for s in inst.sessions:
        rnd, room = prog[s.id]
        if rnd not in inst.round_ids:
            out.append(f"session {s.id} has no valid round")
        if room not in inst.rooms:
            out.append(f"session {s.id} has no valid room")
        if s.round is not None and rnd != s.round:
            out.append(f"session {s.id} was fixed in round {s.round} but is in {rnd}")
        if s.room is not None and room != s.room:
            out.append(f"session {s.id} was fixed in room {s.room} but is in {room}")
        if s.room is None and room in inst.rooms and not inst.rooms[room].admits(inst.theme_of(s)):
            out.append(f"session {s.id}: room {room} does not admit theme {inst.theme_of(s)}")
    if any(m.startswith("session ") and "no valid" in m for m in out):
        return out

    # rule 9 and tables, room capacity below
    proj_round = Counter((s.project, prog[s.id][0]) for s in inst.sessions)
    for (pr, rnd), n in sorted(proj_round.items()):
        if n > 1:
            out.append(f"rule 9: project {pr} has {n} sessions in round {rnd}")
    tables = Counter(prog[s.id] for s in inst.sessions)
    for (rnd, room), n in sorted(tables.items()):
        if n > inst.rooms[room].tables:
            out.append(f"rule 4: room {room} holds {n} sessions in round {rnd} but has "
                       f"{inst.rooms[room].tables} table(s)")

    presenting: dict[str, set[str]] = defaultdict(set)  # participant -> rounds presenting
    for s in inst.sessions:
        for pid in inst.projects[s.project].presenters:
            presenting[pid].add(prog[s.id][0])

    seen: Counter = Counter()
    attendance: Counter = Counter()
    w_attendance: Counter = Counter()
    by_pid = {}
    for a in solution.get("assignments") or []:
        pid = a.get("participant") if isinstance(a, dict) else None
        seen[pid] += 1
        if pid not in inst.participant_by_id:
            out.append(f'assignments: unknown participant "{pid}"')
            continue
        by_pid[pid] = a
    for pid, n in seen.items():
        if n > 1:
            out.append(f"participant {pid} has {n} assignment entries")
    k = o.min_distinct_themes
    for p in inst.participants:
        a = by_pid.get(p.id)
        if a is None:
            out.append(f"participant {p.id} has no assignment entry")
            a = {}
        sess = a.get("sessions") or {}
        works = a.get("workshops") or {}
        for rnd, sid in sess.items():
            if rnd not in inst.round_ids:
                out.append(f'participant {p.id}: unknown round "{rnd}"')
            elif sid not in inst.session_by_id:
                out.append(f'participant {p.id}: unknown session "{sid}" in round {rnd}')
            elif prog[sid][0] != rnd:
                out.append(f"participant {p.id}: session {sid} is not held in round {rnd}")
        for slot, wid in works.items():
            if slot not in inst.slot_ids:
                out.append(f'participant {p.id}: unknown workshop slot "{slot}"')
            elif wid not in inst.workshop_by_id or inst.workshop_by_id[wid].slot != slot:
                out.append(f'participant {p.id}: "{wid}" is not a workshop of slot {slot}')
        sess = {r: s for r, s in sess.items() if r in inst.round_ids and s in inst.session_by_id
                and prog[s][0] == r}
        works = {sl: w for sl, w in works.items() if w in inst.workshop_by_id
                 and inst.workshop_by_id[w].slot == sl}
        for rnd in inst.round_ids:
            if rnd in p.unavailable:
                if rnd in sess:
                    out.append(f"rule 2: participant {p.id} is unavailable in {rnd} but attends "
                               f"{sess[rnd]}")
            elif rnd in presenting.get(p.id, ()):
                if rnd in sess:
                    out.append(f"rule 3: participant {p.id} presents in {rnd} but attends "
                               f"{sess[rnd]}")
            elif rnd not in sess and not o.allow_idle:
                out.append(f"rule 1: participant {p.id} attends no session in round {rnd}")
        for slot in inst.slot_ids:
            if slot in p.unavailable and slot in works:
                out.append(f"rule 2: participant {p.id} is unavailable in {slot} but attends "
                           f"{works[slot]}")
            elif slot not in p.unavailable and slot not in works:
                out.append(f"rule 1: participant {p.id} attends no workshop in slot {slot}")
        projs = Counter(inst.session_by_id[s].project for s in sess.values())
        for pr, n in projs.items():
            if n > 1:
                out.append(f"rule 2: participant {p.id} attends project {pr} {n} times")
        for sid in sess.values():
            attendance[sid] += 1
            if p.needs_accessible and not inst.rooms[prog[sid][1]].accessible:
                out.append(f"rule 6: participant {p.id} needs an accessible room but attends "
                           f"{sid} in {prog[sid][1]}")
        for wid in works.values():
            w_attendance[wid] += 1
            room = inst.workshop_by_id[wid].room
            if p.needs_accessible and room and not inst.rooms[room].accessible:
                out.append(f"rule 6: participant {p.id} needs an accessible room but attends "
                           f"workshop {wid} in {room}")
        for key, val in p.fixed:
            now = sess.get(key) if key in inst.round_ids else works.get(key)
            if now != val:
                out.append(f"rule 7: participant {p.id} is fixed to {val} in {key} but has "
                           f"{now or 'nothing'}")
        need = min(k, len(sess))
        got = len({inst.theme_of(inst.session_by_id[s]) for s in sess.values()})
        if got < need:
            out.append(f"rule 8: participant {p.id} covers {got} theme(s), needs {need}")

    room_load: Counter = Counter()
    for s in inst.sessions:
        rnd, room = prog[s.id]
        n = attendance[s.id]
        cap = inst.session_capacity(s, room)
        if n > cap:
            out.append(f"rule 4: session {s.id} has {n} participants for {cap} seats")
        if (n > 0 or always_held) and n < s.min_audience:
            out.append(f"rule 5: session {s.id} has {n} participants, min_audience is "
                       f"{s.min_audience}")
        room_load[(rnd, room)] += n
    for w in inst.workshops:
        n = w_attendance[w.id]
        if n > w.capacity:
            out.append(f"rule 4: workshop {w.id} has {n} participants for {w.capacity} seats")
        if w.room:
            room_load[(w.slot, w.room)] += n
    for (t, room), n in sorted(room_load.items()):
        if n > inst.rooms[room].capacity:
            out.append(f"rule 4: room {room} holds {n} people in {t} for "
                       f"{inst.rooms[room].capacity} seats")

    metrics = evaluate(inst, solution.get("assignments") or [])
    if "objective" in solution and solution["objective"] != metrics["objective"]:
        out.append(f"reported objective {solution['objective']} but it is "
                   f"{metrics['objective']}")
    rep = solution.get("metrics") or {}
    for key in ("satisfaction", "unlucky", "changed"):
        if key in rep and rep[key] != metrics[key]:
            out.append(f"reported {key} {rep[key]} but it is {metrics[key]}")
    for key in ("first_wish_share", "wishes_granted_share"):
        if key in rep and abs(float(rep[key]) - metrics[key]) > 0.005:
            out.append(f"reported {key} {rep[key]} but it is {metrics[key]}")
    return out
