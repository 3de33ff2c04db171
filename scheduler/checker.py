"""Independent recomputation of the objective and of the nine hard rules.

The web app calls :func:`check_solution` to validate an organiser's manual move, and the
solver reuses :func:`evaluate` so that the reported metrics are computed by the same code
that checks them. Each rule has its own checker in :data:`RULE_CHECKS`, reading a
:class:`Seating` and yielding :class:`~scheduler.reasons.Reason` findings;
:func:`solution_findings` returns them structured, :func:`check_solution` in words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .instance import SOLUTION_FORMAT, Instance, load_instance
from .reasons import Reason, texts


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


class Seating(NamedTuple):
    """A solution read against its instance: the programme it implies, and each
    participant's entries with the malformed ones (unknown ids, wrong round) left out, so
    that every rule checker judges only what can be judged."""

    inst: Instance
    programme: dict[str, tuple[str, str]]  # placed session -> (round, room)
    sessions: dict[str, dict[str, str]]    # participant -> round -> session
    workshops: dict[str, dict[str, str]]   # participant -> slot -> workshop
    presenting: dict[str, set[str]]        # participant -> rounds where they present

    def attendance(self) -> Counter:
        """Session or workshop id -> number of participants seated in it."""
        count: Counter = Counter()
        for table in (self.sessions, self.workshops):
            for entries in table.values():
                count.update(entries.values())
        return count


RuleCheck = Callable[[Seating], Iterator[Reason]]


def check_solution(data_or_instance: Any, solution: dict) -> list[str]:
    """Every hard-rule violation of ``solution`` in words (empty list = valid), plus any
    mismatch between the reported objective/metrics and their recomputation."""
    return texts(solution_findings(data_or_instance, solution))


def solution_findings(data_or_instance: Any, solution: dict) -> list[Reason]:
    """What :func:`check_solution` says, as structured reasons (code and parameters): the
    document's own faults, then each rule's checker of :data:`RULE_CHECKS` in order, then the
    reported figures."""
    inst = load_instance(data_or_instance)
    if not isinstance(solution, dict):
        return [Reason.of("solution_not_object")]
    out: list[Reason] = []
    if solution.get("format") not in (None, SOLUTION_FORMAT):
        out.append(Reason.of("wrong_format", expected=SOLUTION_FORMAT))
    prog = programme_of(inst, solution)
    out += _programme_entries(inst, solution)
    placed = list(_session_placements(inst, prog))
    out += placed
    if any(r.code in ("session_without_round", "session_without_room") for r in placed):
        return out  # the rules cannot be judged on sessions held nowhere
    seating = _seating(inst, _placed(prog), _entries_by_participant(inst, solution, out), out)
    for rule_check in RULE_CHECKS:
        out += rule_check(seating)
    out += _reported_figures(inst, solution)
    return out


def seating_of(data_or_instance: Any, solution: dict) -> Seating:
    """The :class:`Seating` the rule checkers read, for callers that run one of them (the
    document's own faults are dropped: see :func:`solution_findings` for them)."""
    inst = load_instance(data_or_instance)
    prog = programme_of(inst, solution)
    ignored: list[Reason] = []
    return _seating(inst, _placed(prog), _entries_by_participant(inst, solution, ignored),
                    ignored)


def _placed(prog: dict[str, tuple[str | None, str | None]]) -> dict[str, tuple[str, str]]:
    """The sessions held somewhere (a round and a room): the only ones the rules judge
    (:func:`solution_findings` stops before the rules when any is held nowhere)."""
    return {sid: (rnd, room) for sid, (rnd, room) in prog.items()
            if rnd is not None and room is not None}


# --- the document --------------------------------------------------------------------------

def _programme_entries(inst: Instance, solution: dict) -> Iterator[Reason]:
    listed = Counter(e.get("session") for e in solution.get("programme") or []
                     if isinstance(e, dict))
    for sid, n in listed.items():
        if sid not in inst.session_by_id:
            yield Reason.of("programme_unknown_session", session=sid)
        elif n > 1:
            yield Reason.of("programme_session_repeated", session=sid, count=n)


def _session_placements(inst: Instance, prog: dict) -> Iterator[Reason]:
    """Each session somewhere that exists, where the organiser fixed it, in a room that
    admits its theme."""
    for s in inst.sessions:
        rnd, room = prog[s.id]
        if rnd not in inst.round_ids:
            yield Reason.of("session_without_round", session=s.id)
        if room not in inst.rooms:
            yield Reason.of("session_without_room", session=s.id)
        if s.round is not None and rnd != s.round:
            yield Reason.of("session_moved_from_fixed_round", session=s.id, fixed=s.round,
                            round=rnd)
        if s.room is not None and room != s.room:
            yield Reason.of("session_moved_from_fixed_room", session=s.id, fixed=s.room,
                            room=room)
        if s.room is None and room in inst.rooms and not inst.rooms[room].admits(inst.theme_of(s)):
            yield Reason.of("room_refuses_theme", session=s.id, room=room,
                            theme=inst.theme_of(s))


def _entries_by_participant(inst: Instance, solution: dict, out: list[Reason]) -> dict[str, dict]:
    """Participant id -> their entry (the last one when repeated); unknown, repeated and
    missing participants are added to ``out``."""
    seen: Counter = Counter()
    entries: dict[str, dict] = {}
    for a in solution.get("assignments") or []:
        pid = a.get("participant") if isinstance(a, dict) else None
        seen[pid] += 1
        if pid not in inst.participant_by_id:
            out.append(Reason.of("unknown_participant", participant=pid))
            continue
        entries[pid] = a
    out.extend(Reason.of("participant_repeated", participant=pid, count=n)
               for pid, n in seen.items() if n > 1)
    out.extend(Reason.of("participant_without_entry", participant=p.id)
               for p in inst.participants if p.id not in entries)
    return entries


def _seating(inst: Instance, prog: dict[str, tuple[str, str]], entries: dict[str, dict],
             out: list[Reason]) -> Seating:
    """The judgeable part of every entry; the faults of the rest are added to ``out``."""
    sessions: dict[str, dict[str, str]] = {}
    workshops: dict[str, dict[str, str]] = {}
    for p in inst.participants:
        entry = entries.get(p.id) or {}
        sessions[p.id] = {}
        for rnd, sid in (entry.get("sessions") or {}).items():
            if rnd not in inst.round_ids:
                out.append(Reason.of("unknown_round", participant=p.id, round=rnd))
            elif sid not in inst.session_by_id:
                out.append(Reason.of("unknown_session", participant=p.id, session=sid,
                                     round=rnd))
            elif sid not in prog or prog[sid][0] != rnd:
                out.append(Reason.of("session_not_in_round", participant=p.id, session=sid,
                                     round=rnd))
            else:
                sessions[p.id][rnd] = sid
        workshops[p.id] = {}
        for slot, wid in (entry.get("workshops") or {}).items():
            if slot not in inst.slot_ids:
                out.append(Reason.of("unknown_slot", participant=p.id, slot=slot))
            elif wid not in inst.workshop_by_id or inst.workshop_by_id[wid].slot != slot:
                out.append(Reason.of("workshop_not_in_slot", participant=p.id, workshop=wid,
                                     slot=slot))
            else:
                workshops[p.id][slot] = wid
    presenting: dict[str, set[str]] = defaultdict(set)
    for s in inst.sessions:
        if s.id not in prog:
            continue
        for pid in inst.projects[s.project].presenters:
            presenting[pid].add(prog[s.id][0])
    return Seating(inst, prog, sessions, workshops, presenting)


# --- the nine rules, one checker each --------------------------------------------------------

def rule1_one_place_per_round(st: Seating) -> Iterator[Reason]:
    """A session in every round (unless unavailable, presenting, or idling is allowed) and
    a workshop in every slot (unless unavailable)."""
    inst = st.inst
    for p in inst.participants:
        sess, works = st.sessions[p.id], st.workshops[p.id]
        if not inst.options.allow_idle:
            for rnd in inst.round_ids:
                if (rnd not in p.unavailable and rnd not in st.presenting.get(p.id, ())
                        and rnd not in sess):
                    yield Reason.of("round_without_session", participant=p.id, round=rnd)
        for slot in inst.slot_ids:
            if slot not in p.unavailable and slot not in works:
                yield Reason.of("slot_without_workshop", participant=p.id, slot=slot)


def rule2_unavailable_and_distinct(st: Seating) -> Iterator[Reason]:
    """Nothing while unavailable; never the same project twice."""
    inst = st.inst
    for p in inst.participants:
        sess, works = st.sessions[p.id], st.workshops[p.id]
        for rnd in inst.round_ids:
            if rnd in p.unavailable and rnd in sess:
                yield Reason.of("session_while_unavailable", participant=p.id, round=rnd,
                                session=sess[rnd])
        for slot in inst.slot_ids:
            if slot in p.unavailable and slot in works:
                yield Reason.of("workshop_while_unavailable", participant=p.id, slot=slot,
                                workshop=works[slot])
        projects = Counter(inst.session_by_id[s].project for s in sess.values())
        for pr, n in projects.items():
            if n > 1:
                yield Reason.of("project_attended_twice", participant=p.id, project=pr,
                                count=n)


def rule3_presenters_busy(st: Seating) -> Iterator[Reason]:
    """A presenter attends nothing in the rounds where their project presents (rule 2 alone
    is reported when they are also unavailable then)."""
    for p in st.inst.participants:
        sess = st.sessions[p.id]
        for rnd in st.inst.round_ids:
            if rnd not in p.unavailable and rnd in st.presenting.get(p.id, ()) and rnd in sess:
                yield Reason.of("session_while_presenting", participant=p.id, round=rnd,
                                session=sess[rnd])


def rule4_capacities(st: Seating) -> Iterator[Reason]:
    """Session, workshop and room seats; tables per room and round."""
    inst, prog = st.inst, st.programme
    tables = Counter(prog[s.id] for s in inst.sessions)
    for (rnd, room), n in sorted(tables.items()):
        if n > inst.rooms[room].tables:
            yield Reason.of("room_over_tables", room=room, count=n, round=rnd,
                            tables=inst.rooms[room].tables)
    attendance = st.attendance()
    room_load: Counter = Counter()
    for s in inst.sessions:
        rnd, room = prog[s.id]
        n = attendance[s.id]
        cap = inst.session_capacity(s, room)
        if n > cap:
            yield Reason.of("session_over_capacity", session=s.id, count=n, capacity=cap)
        room_load[(rnd, room)] += n
    for w in inst.workshops:
        n = attendance[w.id]
        if n > w.capacity:
            yield Reason.of("workshop_over_capacity", workshop=w.id, count=n,
                            capacity=w.capacity)
        if w.room:
            room_load[(w.slot, w.room)] += n
    for (when, room), n in sorted(room_load.items()):
        if n > inst.rooms[room].capacity:
            yield Reason.of("room_over_capacity", room=room, count=n, when=when,
                            capacity=inst.rooms[room].capacity)


def rule5_min_audience(st: Seating) -> Iterator[Reason]:
    """A session held (with anyone, or always in programme mode) has its minimum audience."""
    attendance = st.attendance()
    for s in st.inst.sessions:
        n = attendance[s.id]
        if (n > 0 or st.inst.programme_mode) and n < s.min_audience:
            yield Reason.of("session_under_min_audience", session=s.id, count=n,
                            min_audience=s.min_audience)


def rule6_step_free(st: Seating) -> Iterator[Reason]:
    """Participants who need step-free access only in accessible rooms."""
    inst = st.inst
    for p in inst.participants:
        if not p.needs_accessible:
            continue
        for sid in st.sessions[p.id].values():
            room = st.programme[sid][1]
            if not inst.rooms[room].accessible:
                yield Reason.of("session_not_step_free", participant=p.id, session=sid,
                                room=room)
        for wid in st.workshops[p.id].values():
            workshop_room = inst.workshop_by_id[wid].room
            if workshop_room and not inst.rooms[workshop_room].accessible:
                yield Reason.of("workshop_not_step_free", participant=p.id, workshop=wid,
                                room=workshop_room)


def rule7_fixed_entries(st: Seating) -> Iterator[Reason]:
    """Fixed entries kept."""
    inst = st.inst
    for p in inst.participants:
        for key, val in p.fixed:
            now = (st.sessions[p.id] if key in inst.round_ids else st.workshops[p.id]).get(key)
            if now != val:
                yield Reason.of("fixed_entry_not_kept", participant=p.id, fixed=val, when=key,
                                now=now)


def rule8_theme_variety(st: Seating) -> Iterator[Reason]:
    """min(min_distinct_themes, rounds attended) distinct themes."""
    inst = st.inst
    for p in inst.participants:
        sess = st.sessions[p.id]
        need = min(inst.options.min_distinct_themes, len(sess))
        got = len({inst.theme_of(inst.session_by_id[s]) for s in sess.values()})
        if got < need:
            yield Reason.of("too_few_themes", participant=p.id, count=got, needed=need)


def rule9_project_rounds(st: Seating) -> Iterator[Reason]:
    """Never two sessions of a project in the same round."""
    per_round = Counter((s.project, st.programme[s.id][0]) for s in st.inst.sessions)
    for (pr, rnd), n in sorted(per_round.items()):
        if n > 1:
            yield Reason.of("project_twice_in_round", project=pr, count=n, round=rnd)


RULE_CHECKS: tuple[RuleCheck, ...] = (
    rule1_one_place_per_round, rule2_unavailable_and_distinct, rule3_presenters_busy,
    rule4_capacities, rule5_min_audience, rule6_step_free, rule7_fixed_entries,
    rule8_theme_variety, rule9_project_rounds,
)


# --- the reported figures ----------------------------------------------------------------

def _reported_figures(inst: Instance, solution: dict) -> Iterator[Reason]:
    """The objective and metrics the solution reports, against their recomputation."""
    metrics = evaluate(inst, solution.get("assignments") or [])
    if "objective" in solution and solution["objective"] != metrics["objective"]:
        yield Reason.of("objective_misreported", reported=solution["objective"],
                        actual=metrics["objective"])
    rep = solution.get("metrics") or {}
    for key in ("satisfaction", "unlucky", "changed"):
        if key in rep and rep[key] != metrics[key]:
            yield Reason.of("metric_misreported", metric=key, reported=rep[key],
                            actual=metrics[key])
    for key in ("first_wish_share", "wishes_granted_share"):
        if key in rep and abs(float(rep[key]) - metrics[key]) > 0.005:
            yield Reason.of("metric_misreported", metric=key, reported=rep[key],
                            actual=metrics[key])


# --- why a participant got none of their wishes --------------------------------------------

def unlucky_findings(data_or_instance: Any, solution: dict) -> dict[str, list[Reason]]:
    """For each participant with project wishes who got none of them, one reason per wish:
    what kept them from every session of that project (all in rooms with steps while they
    need step-free access, all in rounds where they are away, present, or are fixed
    elsewhere, all full), or that a seat was possible and the schedule chose otherwise."""
    inst = load_instance(data_or_instance)
    seating = seating_of(inst, solution)
    attendance = seating.attendance()
    out: dict[str, list[Reason]] = {}
    for p in inst.participants:
        seen = {inst.session_by_id[s].project for s in seating.sessions[p.id].values()}
        if p.wishes and not seen & set(p.wishes):
            out[p.id] = [_wish_reason(seating, attendance, p, project) for project in p.wishes]
    return out


_WISH_OBSTACLES = (  # (obstacle, code when every session of the wish meets it)
    ("unavailable", "wish_only_while_unavailable"), ("presenting", "wish_only_while_presenting"),
    ("steps", "wish_only_with_steps"), ("pinned", "wish_only_when_pinned"),
    ("full", "wish_sessions_full"),
)


def _wish_reason(st: Seating, attendance: Counter, p, project: str) -> Reason:
    # sessions held somewhere (a programme-mode day may leave some unplaced)
    sessions = [s for s in st.inst.sessions if s.project == project and s.id in st.programme
                and st.programme[s.id][0] in st.inst.round_ids
                and st.programme[s.id][1] in st.inst.rooms]
    if not sessions:
        return Reason.of("wish_not_held", participant=p.id, project=project)
    obstacles = [_obstacle(st, attendance, p, s) for s in sessions]
    if None in obstacles:
        return Reason.of("wish_traded_off", participant=p.id, project=project)
    for obstacle, code in _WISH_OBSTACLES:
        if all(o == obstacle for o in obstacles):
            return Reason.of(code, participant=p.id, project=project)
    return Reason.of("wish_out_of_reach", participant=p.id, project=project,
                     obstacles=tuple(sorted(set(obstacles))))


def _obstacle(st: Seating, attendance: Counter, p, s) -> str | None:
    """The first thing that keeps ``p`` out of session ``s``, or None if nothing does."""
    inst = st.inst
    rnd, room = st.programme[s.id]
    fixed = p.fixed_map.get(rnd)
    if rnd in p.unavailable:
        return "unavailable"
    if rnd in st.presenting.get(p.id, ()):
        return "presenting"
    if p.needs_accessible and not inst.rooms[room].accessible:
        return "steps"
    if fixed is not None and fixed != s.id:
        return "pinned"
    if attendance[s.id] >= inst.session_capacity(s, room):
        return "full"
    return None
