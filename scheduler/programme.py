"""Programme mode: place the sessions whose round or room is left to the solver.

Why not one big CP-SAT model: measured on the 2016 day, the compact joint model
(:mod:`scheduler.compact`) did not even find a first solution in 20 s, because CP-SAT has to
discover placement and seating of 237 people at once. The seating LP, however, is solved in
well under a second for a given programme. So the programme is built in two steps:

1. a small CP-SAT model places sessions (rules 4 tables, 9, room themes, enough seats per
   round) while minimising *wish conflicts*: two sessions that the same participants want
   should not be in the same round, weighted by what those participants would lose;
2. a deterministic local search moves or swaps sessions between rounds, each candidate
   programme being scored by the exact seating model (:func:`scheduler.paths.solve_seating`).

The objective's proven bound in programme mode is the joint placement-and-seating LP's
(:mod:`scheduler.joint`) where it applies, else the seat-counting relaxation's
(:func:`placement_bound`), never above the sum over participants of their best
conceivable sessions (:func:`programme_bound`), plus the workshop optimum; solutions are
reported FEASIBLE, never OPTIMAL, unless that bound is met.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # CP-SAT's module imports pandas (seconds): only when used
    from ortools.sat.python import cp_model

from .checker import session_score
from .compact import make_solver, placement_options
from .instance import Instance
from .paths import SeatLimits, lagrangian_bound, solve_seating
from .person_mip import model_size, solve_person_mip
from .reasons import Reason
from .seatdata import NEG, Placement, SeatData
from .stopping import watch_stop

SEATING_LIMIT_S = 10.0  # safety-net time limit of one candidate programme's seating
SECONDS_PER_EVAL = 6.0  # local-search budget: one seating evaluation per 6 s of time limit


PLACEMENT_BOUND_ROUNDS = 3  # the seat-counting programme bound is tried up to this many
# ... by the path LP; by the virtual day's per-person MIP up to this many binaries, with
# this node limit: 2016 (10,440) proven in 2.5 s at load 14; 4 rounds and 150 people
# (26,084) not in 15 s (its root alone), where it would only compete with the local search
VIRTUAL_MIP_MAX = 15_000
VIRTUAL_MIP_NODES = 200


def wish_conflicts(inst: Instance) -> dict[tuple[int, int], int]:
    """Pairwise weight of holding two sessions in the same round: what participants wanting
    both would lose (the smaller score), shared among a project's sessions."""
    by_proj: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(inst.sessions):
        by_proj[s.project].append(i)
    weight: dict[tuple[str, str], float] = defaultdict(float)
    for p in inst.participants:
        scored = [(pr, session_score(inst, p, pr)) for pr in p.wishes]
        for (a, sa), (b, sb) in itertools.combinations(scored, 2):
            key = (a, b) if a < b else (b, a)
            weight[key] += min(sa, sb)
    out: dict[tuple[int, int], int] = {}
    for (a, b), w in weight.items():
        if not w or not by_proj[a] or not by_proj[b]:
            continue
        share = w / (len(by_proj[a]) * len(by_proj[b]))
        for i in by_proj[a]:
            for j in by_proj[b]:
                out[(min(i, j), max(i, j))] = round(share)
    return out


def initial_programme(inst: Instance, time_limit: float, workers: int, seed: int,
                      stop: threading.Event | None = None,
                      feasibility_limit: float | None = None) -> Placement | None:
    """Place every session minimising wish conflicts; None when no placement exists (proven),
    TimeoutError when none was found in time.

    Two solves of one model: first any placement (no objective, ``feasibility_limit``
    deterministic seconds, default ``time_limit``), then the conflict-minimising one hinted
    with it (``time_limit``). With the objective from the start, CP-SAT found no placement
    at all in 3 s on a 6-round, 96-session day (``r6-300-programme`` of the shapes
    benchmark: UNKNOWN) where the feasibility model alone finds one; the first placement is
    kept when the second solve improves nothing."""
    from ortools.sat.python import cp_model

    R = len(inst.round_ids)
    m = cp_model.CpModel()
    pl = {}
    in_round: dict[tuple[int, int], list] = defaultdict(list)
    for i, s in enumerate(inst.sessions):
        opts = placement_options(inst, s)
        vs = []
        for r, room in opts:
            v = m.new_bool_var(f"pl_{i}_{r}_{room}")
            pl[(i, r, room)] = v
            in_round[(i, r)].append(v)
            vs.append(v)
        m.add_exactly_one(vs)
    by_rt: dict[tuple[int, str], list] = defaultdict(list)
    for (i, r, room), v in pl.items():
        by_rt[(r, room)].append((i, v))
    for (_r, room), lst in by_rt.items():
        rm = inst.rooms[room]
        m.add(sum(v for _, v in lst) <= rm.tables)
    by_proj: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(inst.sessions):
        by_proj[s.project].append(i)
    held = {}
    for i in range(len(inst.sessions)):
        for r in range(R):
            h = m.new_bool_var("")
            m.add(h == sum(in_round[(i, r)]))
            held[(i, r)] = h
    for ss in by_proj.values():
        for r in range(R):
            if len(ss) > 1:
                m.add(sum(held[(i, r)] for i in ss) <= 1)
    if not inst.options.allow_idle:
        _enough_seats(m, inst, by_rt, by_proj, held)
    first_limit = time_limit if feasibility_limit is None else feasibility_limit
    first = _solve_placement(m, pl, len(inst.sessions), first_limit, workers, seed, stop)
    if first is None:
        return None
    # minimum audience: only sessions in a round where enough people can come
    cost = []
    for (i, j), w in sorted(wish_conflicts(inst).items()):
        if w <= 0:
            continue
        for r in range(R):
            both = m.new_bool_var("")
            m.add_bool_or([held[(i, r)].negated(), held[(j, r)].negated(), both])
            cost.append(w * both)
    # balance: keep the number of sessions per round even (spreads the seats)
    per_round = [sum(held[(i, r)] for i in range(len(inst.sessions))) for r in range(R)]
    hi = m.new_int_var(0, len(inst.sessions), "")
    for e in per_round:
        m.add(e <= hi)
    m.minimize(sum(cost) + 1000 * hi)
    for (i, r, room), v in pl.items():
        m.add_hint(v, first.round_of[i] == r and first.room_of[i] == room)
    try:
        better = _solve_placement(m, pl, len(inst.sessions), time_limit, workers, seed,
                                  stop)
    except TimeoutError:
        better = None  # the hinted search was cut before completing the hint
    return better if better is not None else first


def _enough_seats(m: cp_model.CpModel, inst: Instance, by_rt: dict, by_proj: dict,
                  held: dict) -> None:
    """Enough seats in every round for those who must attend it: everyone available, less
    the presenters excused by one of their sessions held in that round. (Counting every
    presenter as excused, as this model first did, let the feasibility solve pile the
    sessions into a few rounds and leave a 6-round day 17 seats short in its last round.)"""
    presenting = {pid: [i for pr in prs for i in by_proj.get(pr, [])]
                  for pid, prs in inst.presents.items()}
    for r, rid in enumerate(inst.round_ids):
        must: list = []
        for p in inst.participants:
            if rid in p.unavailable:
                continue
            own = presenting.get(p.id)
            if not own:
                must.append(1)
                continue
            excused = m.new_bool_var("")
            m.add(excused <= sum(held[(i, r)] for i in own))
            must.append(1 - excused)
        seats = []
        for (rr, room), lst in by_rt.items():
            if rr != r:
                continue
            load = sum(inst.session_capacity(inst.sessions[i], room) * v for i, v in lst)
            cap_room = m.new_int_var(0, inst.rooms[room].capacity, "")
            m.add(cap_room <= load)
            seats.append(cap_room)
        m.add(sum(seats) >= sum(must))


def _solve_placement(m: cp_model.CpModel, pl: dict, n: int, time_limit: float, workers: int,
                     seed: int, stop: threading.Event | None) -> Placement | None:
    """Solve the placement model within ``time_limit`` deterministic seconds (1.5 x that on
    the clock); None when it is proven infeasible, TimeoutError when nothing was found."""
    from ortools.sat.python import cp_model

    solver = make_solver(time_limit, workers, seed)
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.max_time_in_seconds = time_limit * 1.5
    with watch_stop(stop, solver.stop_search):
        st = solver.solve(m)
    if st == cp_model.INFEASIBLE:
        return None
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(Reason.of("no_programme_in_time").text())
    rounds = [0] * n
    rooms = [""] * n
    for (i, r, room), v in pl.items():
        if solver.value(v):
            rounds[i], rooms[i] = r, room
    return Placement(rounds, rooms)


def programme_bound(inst: Instance) -> int:
    """Valid upper bound of the session objective over every programme: each participant's
    best scores over distinct projects, one per round they may attend (no capacity)."""
    R = len(inst.round_ids)
    total = 0
    for p in inst.participants:
        k = R - sum(1 for r in inst.round_ids if r in p.unavailable)
        fixed = {v for key, v in p.fixed if key in inst.round_ids}
        fixed_projects = {inst.session_by_id[v].project for v in fixed}
        scores = sorted((session_score(inst, p, pr) for pr in inst.projects
                         if pr not in fixed_projects
                         and pr not in inst.presents.get(p.id, ())), reverse=True)
        fixed_score = sum(session_score(inst, p, pr) for pr in fixed_projects)
        total += fixed_score + sum(scores[:max(0, k - len(fixed))])
    return total


def placement_bound(inst: Instance, time_limit: float,
                    stop: threading.Event | None = None, *, mip: bool = True,
                    path_lp: bool = True) -> float | None:
    """A bound over every programme that counts seats: the path LP of a *virtual* day where
    each open session has a copy in every round it may be placed in.

    Why: :func:`programme_bound` ignores capacities (10 % above the best schedule of the
    2016 day), so programme-mode answers could never be called optimal. Any real programme
    and seating maps onto the virtual day (a person in session s, held in round r, takes the
    copy of s in round r), so the virtual day's path LP bound (scheduler.paths, Lagrangian,
    valid for any prices) bounds the real optimum, provided the virtual day only relaxes:

    * a copy holds the most seats s has in any room admitting it that round, is step-free
      if one of those rooms is, and its copies together hold at most that many (s is held
      once); the copies of one project in a round hold at most one session's seats (rule 9);
      a round holds at most its rooms' capacities; rooms of the fixed part keep their rows;
    * min_audience is dropped; presenters of open projects may attend or be idle in any
      round (where they present is not known).

    The virtual day's per-person MIP (:mod:`scheduler.person_mip`) is tried first: on the
    2016 day HiGHS proves its optimum (60,480, the path LP's bound too) in 2-4 s on the
    loaded machine, where the path column generation did not converge in 10 s there (so
    under load the reported bound fell back to the per-person one, 10 % away). Its dual
    bound is taken when HiGHS proves the optimum or stops at its node limit (work, so the
    bound does not depend on the machine's speed); otherwise the path LP follows, up to
    ``PLACEMENT_BOUND_ROUNDS`` rounds (measured on 4 and 6 rounds: its column generation
    did not converge within its share of the limit, so it only cost time).

    ``mip`` and ``path_lp`` choose the methods tried. None when the relaxation does not
    apply (change penalties on open sessions) or proves nothing in time."""
    t_end = time.monotonic() + time_limit
    day = virtual_day(inst)
    if day is None:
        return None
    virtual, place, d, limits = day
    if mip and model_size(d) <= VIRTUAL_MIP_MAX:
        out = solve_person_mip(d, limits.cap, limits.min_aud, limits.rows, False,
                               deadline=t_end, stop=stop, node_limit=VIRTUAL_MIP_NODES)
        if out.proven or (out.by_work and math.isfinite(out.bound)):
            return out.bound
    if (not path_lp or len(inst.round_ids) > PLACEMENT_BOUND_ROUNDS
            or time.monotonic() >= t_end):
        return None
    return lagrangian_bound(virtual, place, d, limits, time_limit=t_end - time.monotonic(),
                            stop=stop)


def virtual_day(inst: Instance) -> tuple[Instance, Placement, SeatData, SeatLimits] | None:
    """The relaxation of :func:`placement_bound`: the virtual day, its programme, seat data
    and seat limits; None when it does not apply."""
    o = inst.options
    open_ids = {s.id for s in inst.sessions if s.round is None or s.room is None}
    if o.change_penalty and any(v in open_ids for prev in o.previous.values()
                                for v in prev.values()):
        return None
    open_projects = {inst.sessions[i].project for i, s in enumerate(inst.sessions)
                     if s.id in open_ids}
    copies: list = []
    round_of: list[int] = []
    room_of: list[str] = []
    cap: list[int] = []
    rows: dict[tuple, list[int]] = {}
    for s in inst.sessions:
        options = placement_options(inst, s)
        rounds = sorted({r for r, _room in options})
        if not rounds:
            return None  # no placement at all: the diagnosis says why
        most = max(inst.session_capacity(s, room) for _r, room in options)
        mine = []
        for r in rounds:
            rooms = [room for rr, room in options if rr == r]
            step_free = [room for room in rooms if inst.rooms[room].accessible]
            room = (step_free or rooms)[0]
            vid = s.id if len(rounds) == 1 else f"{s.id}@{inst.round_ids[r]}"
            mine.append(len(copies))
            copies.append(replace(s, id=vid, round=inst.round_ids[r], room=room))
            round_of.append(r)
            room_of.append(room)
            cap.append(max(inst.session_capacity(s, m) for m in rooms))
        if len(mine) > 1:
            rows[("held once", s.id, most)] = mine
    by_project_round: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_round: dict[int, list[int]] = defaultdict(list)
    fixed_rooms: dict[tuple[int, str], list[int]] = defaultdict(list)
    for j, c in enumerate(copies):
        by_project_round[(c.project, round_of[j])].append(j)
        by_round[round_of[j]].append(j)
        if c.id not in open_ids and "@" not in c.id:
            fixed_rooms[(round_of[j], c.room)].append(j)
    for (pr, r), js in by_project_round.items():
        if len({copies[j].id.split("@")[0] for j in js}) > 1:
            rows[("rule 9", (pr, r), max(cap[j] for j in js))] = js
    seats = sum(rm.capacity for rm in inst.rooms.values())
    for r, js in by_round.items():
        if sum(cap[j] for j in js) > seats:
            rows[("round", r, seats)] = js
    for (r, room), js in fixed_rooms.items():
        if sum(cap[j] for j in js) > inst.rooms[room].capacity:
            rows[(r, room, inst.rooms[room].capacity)] = js
    virtual = replace(inst, sessions=copies)
    busy = {pid: tuple(pr for pr in prs if pr not in open_projects)
            for pid, prs in inst.presents.items()}
    virtual.presents = busy
    place = Placement(round_of, room_of)
    d = SeatData(virtual, place)
    free = {pid for pid, prs in inst.presents.items() if set(prs) & open_projects}
    R = len(inst.round_ids)
    for c, members in enumerate(d.members):
        if free & set(members):
            for r in range(R):
                if d.score[c, d.S + r] <= NEG / 2 and inst.round_ids[r] not in \
                        inst.participant_by_id[members[0]].unavailable:
                    d.score[c, d.S + r] = 0.0  # may be idle: presenting, round unknown
    limits = SeatLimits(cap, [0] * len(copies), rows)
    return virtual, place, d, limits


def _neighbours(inst: Instance, place: Placement) -> list[Placement]:
    """Moves of one free session to another round (and a room with a free table there),
    and swaps of the rounds of two free sessions, in a deterministic order."""
    R = len(inst.round_ids)
    used: dict[tuple[int, str], int] = defaultdict(int)
    proj_round: dict[tuple[str, int], int] = defaultdict(int)
    for i, s in enumerate(inst.sessions):
        used[(place.round_of[i], place.room_of[i])] += 1
        proj_round[(s.project, place.round_of[i])] += 1
    out = []
    free = [i for i, s in enumerate(inst.sessions) if s.round is None]
    for i in free:
        s = inst.sessions[i]
        for r in range(R):
            if r == place.round_of[i] or proj_round[(s.project, r)]:
                continue
            for rr, room in placement_options(inst, s):
                if rr == r and used[(r, room)] < inst.rooms[room].tables:
                    rounds = list(place.round_of)
                    rooms = list(place.room_of)
                    rounds[i], rooms[i] = r, room
                    out.append(Placement(rounds, rooms))
                    break
    for i, j in itertools.combinations(free, 2):
        a, b = inst.sessions[i], inst.sessions[j]
        ri, rj = place.round_of[i], place.round_of[j]
        if ri == rj or a.project == b.project:
            continue
        if proj_round[(a.project, rj)] or proj_round[(b.project, ri)]:
            continue
        # the two sessions exchange their (round, room) slots: tables stay balanced
        rounds = list(place.round_of)
        rooms = list(place.room_of)
        rounds[i], rounds[j] = rj, ri
        rooms[i], rooms[j] = place.room_of[j], place.room_of[i]
        if (a.room in (None, rooms[i]) and b.room in (None, rooms[j])
                and inst.rooms[rooms[i]].admits(inst.theme_of(a))
                and inst.rooms[rooms[j]].admits(inst.theme_of(b))):
            out.append(Placement(rounds, rooms))
    return out


def improve(inst: Instance, place: Placement, deadline: float, workers: int, seed: int,
            report, stop, max_evals: int = 10) -> tuple[Placement, object]:
    """First-improvement local search over programmes, scored by the exact seating.

    The search stops after ``max_evals`` seatings (a work limit, so that the result does not
    depend on the machine's speed); ``deadline`` is only a safety net."""
    evals = 0

    def score(pl: Placement):
        nonlocal evals
        evals += 1
        limit = max(0.0, min(SEATING_LIMIT_S, deadline - time.monotonic()))  # safety net
        res = solve_seating(inst, pl, time_limit=limit, seed=seed, workers=workers,
                            always_held=True, stop=stop)
        return (res.objective if res.objective is not None else -10**12), res

    def out_of_budget() -> bool:
        return (evals >= max_evals or time.monotonic() >= deadline
                or bool(stop and stop.is_set()))

    best_val, best_res = score(place)
    report(best_val)
    improved = True
    while improved and not out_of_budget():
        improved = False
        for cand in _neighbours(inst, place):
            if out_of_budget():
                break
            val, res = score(cand)
            if val > best_val:
                best_val, best_res, place = val, res, cand
                report(best_val)
                improved = True
                break
    return place, best_res
