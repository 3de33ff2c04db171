"""Why an instance is infeasible, in words an organiser can act on.

``counting_reasons`` runs cheap, sound counting arguments first (each message is a proof of
infeasibility on its own, naming the round, room, session or participants concerned).
``relaxation_reasons`` is the honest fallback when CP-SAT proves infeasibility that no
counting argument explains: it drops one group of rules at a time and reports the groups
whose removal makes the instance feasible.

Each counting argument is one function of :data:`COUNTING_ARGUMENTS`, reading the
:class:`Facts` computed once and yielding :class:`~scheduler.reasons.Reason` objects (a code
and its parameters); the ``*_reasons`` functions render them in the contract's words and
the ``*_findings`` functions return them structured, for callers that translate them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .compact import RELAXABLE, build_compact, forced_rounds, make_solver, placement_options
from .instance import Instance, load_instance
from .reasons import GROUP_WORDS, Reason, texts


class Facts(NamedTuple):
    """What several counting arguments need, computed once per instance."""

    inst: Instance
    rounds: list[str]
    project_rounds: dict[str, set[str]]  # project -> rounds its placed sessions are in
    presenting: dict[str, set[str]]      # participant -> rounds where they surely present
    maybe_presenting: set[str]           # presenters of a project with a session to place
    fixed_count: Counter                 # session or workshop id -> participants fixed to it

    def presents_in(self, pid: str) -> set[str]:
        return self.presenting.get(pid, set())


def facts_of(inst: Instance) -> Facts:
    project_rounds: dict[str, set[str]] = defaultdict(set)
    for s in inst.sessions:
        if s.round:
            project_rounds[s.project].add(s.round)
    presenting = {pid: set().union(*(project_rounds.get(pr, set()) for pr in prs))
                  for pid, prs in inst.presents.items()}
    # presenters of a project whose rounds are still open may be excused in any round
    maybe = {pid for pid, prs in inst.presents.items()
             if any(s.round is None for s in inst.sessions if s.project in prs)}
    fixed_count: Counter = Counter(v for p in inst.participants for v in p.fixed_map.values())
    return Facts(inst, inst.round_ids, project_rounds, presenting, maybe, fixed_count)


CountingArgument = Callable[[Facts], Iterator[Reason]]


def counting_reasons(inst: Instance) -> list[str]:
    """Sound counting arguments (each returned message proves infeasibility)."""
    return texts(counting_findings(inst))


def counting_findings(inst: Instance) -> list[Reason]:
    """The reasons of :func:`counting_reasons`, structured: every argument of
    :data:`COUNTING_ARGUMENTS` in order."""
    facts = facts_of(inst)
    return [reason for argument in COUNTING_ARGUMENTS for reason in argument(facts)]


# --- the programme itself --------------------------------------------------------------------

def project_rounds_clash(f: Facts) -> Iterator[Reason]:
    """Rule 9 on the organiser's own placement."""
    per_pr = Counter((s.project, s.round) for s in f.inst.sessions if s.round)
    for (pr, r), n in sorted(per_pr.items()):
        if n > 1:
            yield Reason.of("project_sessions_share_round", round=r, project=pr, count=n)


def projects_exceed_rounds(f: Facts) -> Iterator[Reason]:
    """Rule 9: a project cannot have more sessions than there are rounds."""
    for pr, n in sorted(Counter(s.project for s in f.inst.sessions).items()):
        if n > len(f.rounds):
            yield Reason.of("project_sessions_exceed_rounds", project=pr, count=n,
                            round_count=len(f.rounds))


def room_tables(f: Facts) -> Iterator[Reason]:
    """Rule 4 (tables) on the organiser's own placement."""
    inst = f.inst
    per_rt = Counter((s.round, s.room) for s in inst.sessions if s.round and s.room)
    for (r, room), n in sorted(per_rt.items()):
        if n > inst.rooms[room].tables:
            yield Reason.of("room_tables_short", round=r, room=room, count=n,
                            tables=inst.rooms[room].tables)


def session_placements(f: Facts) -> Iterator[Reason]:
    """A session to place needs one round for everyone fixed to it, and a room for its theme."""
    inst = f.inst
    pinned = forced_rounds(inst)
    for s in inst.sessions:
        if s.round is None and len(pinned.get(s.id, ())) > 1:
            yield Reason.of("session_pinned_to_several_rounds", session=s.id,
                            rounds=tuple(sorted(pinned[s.id])))
        elif not placement_options(inst, s):
            yield Reason.of("no_room_admits_theme", session=s.id, theme=inst.theme_of(s))


def tables_overall(f: Facts) -> Iterator[Reason]:
    """Every session needs a table in some round."""
    total = sum(rm.tables for rm in f.inst.rooms.values()) * len(f.rounds)
    if len(f.inst.sessions) > total:
        yield Reason.of("tables_short_overall", count=len(f.inst.sessions), tables=total)


# --- who must be seated where --------------------------------------------------------------

def fixed_entries(f: Facts) -> Iterator[Reason]:
    """Each participant's fixed entries against rules 2, 3 and 6."""
    inst, rounds = f.inst, f.rounds
    for p in inst.participants:
        fx = p.fixed_map
        pres = f.presents_in(p.id)
        projs = Counter(inst.session_by_id[v].project for k, v in fx.items() if k in rounds)
        for pr, n in projs.items():
            if n > 1:
                yield Reason.of("fixed_to_project_twice", participant=p.id, count=n, project=pr)
        for k, v in sorted(fx.items()):
            if k in p.unavailable:
                yield Reason.of("fixed_while_unavailable", participant=p.id, target=v, when=k)
            if k in pres:
                yield Reason.of("fixed_while_presenting", participant=p.id, session=v, round=k)
            if k in rounds and inst.session_by_id[v].project in inst.presents.get(p.id, ()):
                yield Reason.of("fixed_to_own_project", participant=p.id, session=v)
            room = (inst.session_by_id[v].room if k in rounds else inst.workshop_by_id[v].room)
            if p.needs_accessible and room and not inst.rooms[room].accessible:
                yield Reason.of("fixed_not_step_free", participant=p.id, target=v, room=room)


def fixed_capacities(f: Facts) -> Iterator[Reason]:
    """Rule 4 against rule 7: more people fixed to a session or workshop than its seats."""
    inst = f.inst
    for sid, n in sorted(f.fixed_count.items()):
        if sid in inst.session_by_id:
            s = inst.session_by_id[sid]
            caps = [inst.session_capacity(s, m) for _, m in placement_options(inst, s)]
            if caps and n > max(caps):
                yield Reason.of("session_fixed_over_capacity", session=sid, count=n,
                                seats=max(caps))
        else:
            w = inst.workshop_by_id[sid]
            if n > w.capacity:
                yield Reason.of("workshop_fixed_over_capacity", workshop=sid, count=n,
                                seats=w.capacity)


def round_seats(f: Facts) -> Iterator[Reason]:
    """Rule 1 against rule 4 (and rule 6): the seats of a round, all and step-free."""
    inst = f.inst
    if inst.options.allow_idle:
        return
    for r in f.rounds:
        must = [p for p in inst.participants if r not in p.unavailable
                and r not in f.presents_in(p.id) and p.id not in f.maybe_presenting]
        if inst.programme_mode:
            seats = sum(rm.capacity for rm in inst.rooms.values())
            acc_seats = sum(rm.capacity for rm in inst.rooms.values() if rm.accessible)
            code = "round_rooms_short"
        else:
            seats, acc_seats = _placed_seats(inst, r)
            code = "round_sessions_short"
        if len(must) > seats:
            yield Reason.of(code, round=r, count=len(must), seats=seats)
        acc = [p for p in must if p.needs_accessible]
        if len(acc) > acc_seats:
            yield Reason.of("round_step_free_short", round=r, count=len(acc), seats=acc_seats)


def _placed_seats(inst: Instance, r: str) -> tuple[int, int]:
    """Seats of the sessions of round ``r`` (capped by their rooms): all, step-free."""
    seats = acc_seats = 0
    for room_id, rm in inst.rooms.items():
        ss = [s for s in inst.sessions if s.round == r and s.room == room_id]
        if not ss:
            continue
        c = min(rm.capacity, sum(inst.session_capacity(s, room_id) for s in ss))
        seats += c
        if rm.accessible:
            acc_seats += c
    return seats, acc_seats


def slot_seats(f: Facts) -> Iterator[Reason]:
    """Rule 1 against rule 4 (and rule 6) for the workshops of a slot."""
    inst = f.inst
    for slot in inst.slot_ids:
        must = [p for p in inst.participants if slot not in p.unavailable]
        by_room: dict[str | None, int] = defaultdict(int)
        for w in inst.workshops:
            if w.slot == slot:
                by_room[w.room] += w.capacity
        seats = sum(min(c, inst.rooms[rm].capacity) if rm else c for rm, c in by_room.items())
        if len(must) > seats:
            yield Reason.of("slot_workshops_short", slot=slot, count=len(must), seats=seats)
        acc_seats = sum(min(c, inst.rooms[rm].capacity) if rm else c
                        for rm, c in by_room.items() if rm is None or inst.rooms[rm].accessible)
        acc = [p for p in must if p.needs_accessible]
        if len(acc) > acc_seats:
            yield Reason.of("slot_step_free_short", slot=slot, count=len(acc), seats=acc_seats)


# --- minimum audiences -----------------------------------------------------------------------

def min_audiences(f: Facts) -> Iterator[Reason]:
    """Rule 5 on a session that must be held (people fixed to it, or programme mode): in its
    best round, can enough people attend it at all?"""
    inst = f.inst
    for s in inst.sessions:
        if not s.min_audience or not (f.fixed_count.get(s.id, 0) > 0 or inst.programme_mode):
            continue
        best = max(_possible_audience(f, s, r) for r in ([s.round] if s.round else f.rounds))
        if best < s.min_audience:
            code = ("min_audience_unreachable_programme" if inst.programme_mode
                    else "min_audience_unreachable_fixed")
            yield Reason.of(code, session=s.id, needed=s.min_audience, best=best)


def _possible_audience(f: Facts, s, r: str) -> int:
    """How many participants could attend session ``s`` if it were held in round ``r``."""
    inst = f.inst
    count = 0
    for p in inst.participants:
        if r in p.unavailable or (s.round and r in f.presents_in(p.id)):
            continue
        if s.project in inst.presents.get(p.id, ()):
            continue
        fv = p.fixed_map.get(r)
        if fv is not None and fv != s.id:
            continue
        if p.needs_accessible and s.room and not inst.rooms[s.room].accessible:
            continue
        count += 1
    return count


# --- theme variety: a matching of attended rounds onto distinct themes ------------------------

def theme_variety(f: Facts) -> Iterator[Reason]:
    """Rule 8: can each participant's rounds get pairwise distinct themes (a matching)?"""
    inst = f.inst
    k = inst.options.min_distinct_themes
    if k <= 1 or inst.options.allow_idle:
        return
    themes_by_round: dict[str, set[str]] = defaultdict(set)
    for s in inst.sessions:
        for r in ([s.round] if s.round else f.rounds):
            themes_by_round[r].add(inst.theme_of(s))
    short: dict[tuple[int, int], list[str]] = defaultdict(list)
    for p in inst.participants:
        if p.id in f.maybe_presenting:
            continue
        rounds = [r for r in f.rounds if r not in p.unavailable and r not in f.presents_in(p.id)]
        need = min(k, len(rounds))
        if need <= 1:
            continue
        fx = p.fixed_map
        options = [{inst.theme_of(inst.session_by_id[fx[r]])} if r in fx
                   else set(themes_by_round[r]) for r in rounds]
        got = _max_matching(options)
        if got < need:
            short[(got, need)].append(p.id)
    for (got, need), pids in sorted(short.items()):
        yield Reason.of("theme_variety_unreachable", count=len(pids),
                        participants=tuple(sorted(pids)), got=got, needed=need)


COUNTING_ARGUMENTS: tuple[CountingArgument, ...] = (
    project_rounds_clash, projects_exceed_rounds, room_tables, session_placements,
    tables_overall, fixed_entries, fixed_capacities, round_seats, slot_seats, min_audiences,
    theme_variety,
)


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
    return texts(relaxation_findings(inst, time_limit, workers, seed, stop))


def relaxation_findings(inst: Instance, time_limit: float, workers: int, seed: int,
                        stop: threading.Event | None = None) -> list[Reason]:
    """The reasons of :func:`relaxation_reasons`, structured (the group's key as parameter)."""
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
        return [Reason.of("rules_conflict_unnamed")]
    if not culprits:
        return [Reason.of("rules_conflict_together")]
    return [Reason.of("rule_group_conflict", group=g) for g in culprits]


# the sentences the solver writes without any parameter from the instance
_FIXED_SENTENCES = ("rules_conflict_unnamed", "rules_conflict_together", "workshops_infeasible",
                    "no_schedule_in_time", "no_workshops_in_time", "no_programme_in_time")


def read_diagnosis(data_or_instance: Any, sentences: list[str]) -> list[Reason]:
    """The structured reasons behind a solution's ``diagnosis`` sentences.

    The solution document carries sentences (the contract); their reasons are rebuilt here,
    without parsing any sentence: the counting arguments are deterministic functions of the
    instance, so they are recomputed and matched word for word, as are the relaxation's
    and the solver's fixed sentences. A sentence rebuilt by none of them (written by
    another version of the solver) comes back as an ``unrecognised`` reason carrying it."""
    known = {r.text(): r for r in (Reason.of(code) for code in _FIXED_SENTENCES)}
    known |= {r.text(): r for r in (Reason.of("rule_group_conflict", group=g)
                                    for g in GROUP_WORDS)}
    if any(s not in known for s in sentences):
        known |= {r.text(): r for r in counting_findings(load_instance(data_or_instance))}
    return [known.get(s) or Reason.of("unrecognised", text=s) for s in sentences]
