"""The plain MIP of the contract's model, solved by HiGHS: the yardstick of issue 13.

One binary per participant, session and round the session may be held in (a single round
for a fixed programme) and per participant and workshop; in programme mode one binary per
session, round and admitting room, and a continuous audience per placement. The nine hard
rules of ``../shared/docs/scheduling.md`` are written as linear rows, and the objective is
the contract's: satisfaction - unlucky_penalty x unlucky - change_penalty x changed
(``unlucky`` with one indicator per participant who has wishes, ``changed`` as 1 - x for
each ``previous`` entry). Nothing is aggregated: this is the formulation a competent
engineer writes first, the bar the scheduler must beat. It shares no code with
``scheduler`` (see :class:`Instance` for why it cannot even import it).

``solve_plain_mip(data, time_limit_s=..., threads=...)`` returns a contract solution dict
(status, objective, bound, programme, assignments) that ``scheduler.check_solution`` and
``scheduler.evaluate`` can verify. The rows are built with numpy (grouping variable arrays
by key) so that building is not the bottleneck below a few thousand participants.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf
SOLUTION_FORMAT = "speed-dating-solution/1"
DEFAULT_OPTIONS: dict[str, Any] = {
    "rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5, "unlucky_penalty": 200,
    "min_distinct_themes": 1, "previous": {}, "change_penalty": 0, "allow_idle": False}


class Instance(SimpleNamespace):
    """The instance with the contract's defaults filled in (attribute access).

    Parsed here, not by ``scheduler.load_instance``: OR-Tools (which ``scheduler`` imports)
    bundles its own ``libhighs.so.1``, and a process can load only one library of that
    name, so this module must never import ``scheduler`` (nor ``scheduler`` highspy). The
    instance is assumed valid (the benchmark validates it with ``scheduler`` first)."""

    def theme_of(self, session: SimpleNamespace) -> str:
        return self.projects[session.project].theme


def load_instance(data: dict[str, Any]) -> Instance:
    ns = SimpleNamespace
    rooms = {r["id"]: ns(id=r["id"], capacity=int(r["capacity"]), tables=r.get("tables", 1),
                         accessible=r.get("accessible", True), themes=r.get("themes") or [])
             for r in data["rooms"]}
    for rm in rooms.values():
        rm.admits = (lambda t, rm=rm: not rm.themes or t in rm.themes)
    projects = {p["id"]: ns(id=p["id"], theme=p["theme"], presenters=p.get("presenters") or [])
                for p in data["projects"]}
    sessions = [ns(id=s["id"], project=s["project"], round=s.get("round"), room=s.get("room"),
                   capacity=s.get("capacity"), min_audience=s.get("min_audience") or 0)
                for s in data["sessions"]]
    workshops = [ns(id=w["id"], slot=w["slot"], room=w.get("room"),
                    capacity=w["capacity"] if w.get("capacity") is not None
                    else rooms[w["room"]].capacity)
                 for w in data.get("workshops") or []]
    people = [ns(id=p["id"], wishes=list(p.get("wishes") or []),
                 themes=list(p.get("themes") or []),
                 workshop_wishes=list(p.get("workshop_wishes") or []),
                 unavailable=set(p.get("unavailable") or []),
                 needs_accessible=bool(p.get("needs_accessible")),
                 fixed_map=dict(p.get("fixed") or {}))
              for p in data["participants"]]
    opts = dict(DEFAULT_OPTIONS)
    opts.update({k: v for k, v in (data.get("options") or {}).items() if k in DEFAULT_OPTIONS})
    presents: dict[str, list[str]] = {}
    for pr in projects.values():
        for pid in pr.presenters:
            presents.setdefault(pid, []).append(pr.id)
    return Instance(rooms=rooms, projects=projects, sessions=sessions, workshops=workshops,
                    participants=people, options=ns(**opts), presents=presents,
                    round_ids=[r["id"] for r in data["rounds"]],
                    slot_ids=[s["id"] for s in data.get("workshop_slots") or []])


@dataclass
class _Cols:
    """Column store: bounds, costs (maximised) and integrality, appended in blocks."""

    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    cost: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    n: int = 0

    def add(self, k: int, lb: float | np.ndarray = 0.0, ub: float | np.ndarray = 1.0,
            cost: float | np.ndarray = 0.0, integer: bool = True) -> np.ndarray:
        """Append ``k`` columns; return their indices."""
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (k,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (k,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (k,)).copy())
        self.integer.append(np.full(k, 1 if integer else 0, dtype=np.uint8))
        idx = np.arange(self.n, self.n + k, dtype=np.int32)
        self.n += k
        return idx


@dataclass
class _Rows:
    """Row store in CSR blocks."""

    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    lengths: list[np.ndarray] = field(default_factory=list)
    index: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    lo_blocks: list[np.ndarray] = field(default_factory=list)
    hi_blocks: list[np.ndarray] = field(default_factory=list)

    def add(self, idx: list[int] | np.ndarray, val: list[float] | np.ndarray,
            lo: float, hi: float) -> None:
        idx = np.asarray(idx, dtype=np.int32)
        self.lo_blocks.append(np.array([lo]))
        self.hi_blocks.append(np.array([hi]))
        self.lengths.append(np.array([len(idx)]))
        self.index.append(idx)
        self.value.append(np.broadcast_to(np.asarray(val, dtype=float), idx.shape).copy())

    def grouped(self, keys: np.ndarray, cols: np.ndarray, vals: np.ndarray | float,
                lo: float | np.ndarray, hi: float | np.ndarray, min_size: int = 1
                ) -> np.ndarray:
        """One row per distinct key: Σ vals·cols over the entries with that key in [lo, hi].
        ``lo``/``hi`` may be arrays indexed like the returned sorted unique keys."""
        vals = np.broadcast_to(np.asarray(vals, dtype=float), cols.shape)
        order = np.argsort(keys, kind="stable")
        k, c, v = keys[order], cols[order], vals[order]
        uniq, starts, counts = np.unique(k, return_index=True, return_counts=True)
        lo_a = np.broadcast_to(np.asarray(lo, dtype=float), uniq.shape)
        hi_a = np.broadcast_to(np.asarray(hi, dtype=float), uniq.shape)
        keep = counts >= min_size
        if not keep.all():
            mask = np.repeat(keep, counts)
            c, v = c[mask], v[mask]
            uniq, counts, lo_a, hi_a = uniq[keep], counts[keep], lo_a[keep], hi_a[keep]
        del starts
        self.lo_blocks.append(lo_a.astype(float))
        self.hi_blocks.append(hi_a.astype(float))
        self.lengths.append(counts)
        self.index.append(c.astype(np.int32))
        self.value.append(v.astype(float))
        return uniq

    def pass_to(self, h: highspy.Highs) -> None:
        if not self.lengths:
            return
        lengths = np.concatenate(self.lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
        index = np.concatenate(self.index).astype(np.int32)
        value = np.concatenate(self.value)
        h.addRows(len(lengths), np.concatenate(self.lo_blocks), np.concatenate(self.hi_blocks),
                  len(index), starts, index, value)


@dataclass
class _Model:
    """Index tables of the variables, kept to read the solution back."""

    inst: Instance
    cols: _Cols = field(default_factory=_Cols)
    rows: _Rows = field(default_factory=_Rows)
    xp: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # participant
    xs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # session
    xr: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # round
    xcol: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    zp: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # workshops
    zw: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    zcol: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    y: dict[tuple[int, int, str], int] = field(default_factory=dict)  # (s, r, room) -> col
    n_cols: dict[tuple[int, int, str], int] = field(default_factory=dict)  # audiences
    ucol_of: dict[int, int] = field(default_factory=dict)  # participant -> unlucky column
    wished: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # x is a wish
    offset: float = 0.0
    infeasible: bool = False


def solve_plain_mip(data: Any, *, time_limit_s: float = 60.0, threads: int = 2,
                    seed: int = 0, verbose: bool = False,
                    hold_all: bool = False) -> dict[str, Any]:
    """Build and solve the plain MIP; return a ``speed-dating-solution/1`` dict.

    ``hold_all`` holds every session (min_audience always applies) as in programme mode
    even though ``data`` fixes every round and room: a programme-mode day with its
    programme fixed to a candidate, e.g. to show that the candidate admits a schedule."""
    t0 = time.monotonic()
    inst = load_instance(data)
    inst.always_held = hold_all or any(s.round is None or s.room is None
                                       for s in inst.sessions)
    m = build(inst)
    h = highspy.Highs()
    h.setOptionValue("output_flag", verbose)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("time_limit", max(0.1, time_limit_s - (time.monotonic() - t0)))
    # an exact optimum (HiGHS's default relative gap of 1e-4 let "OPTIMAL" stand 5 below
    # the optimum of a 12-round day); the objective is an integer, so a gap under 1 proves it
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.99)
    n = m.cols.n
    h.addVars(n, np.concatenate(m.cols.lb), np.concatenate(m.cols.ub))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.concatenate(m.cols.cost))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.concatenate(m.cols.integer))
    m.rows.pass_to(h)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    return _solution(m, h, t0)


# --------------------------------------------------------------------------- the model


def build(inst: Instance) -> _Model:
    m = _Model(inst)
    ctx = _Context(inst)
    _placement_vars(m, ctx)
    _attendance_vars(m, ctx)
    _workshop_vars(m, ctx)
    _rule1_and_presenters(m, ctx)
    _rule2_distinct_projects(m, ctx)
    _rules4_5_sessions(m, ctx)
    _rule4_rooms(m, ctx)
    _rule6_programme_accessibility(m, ctx)
    _rule8_themes(m, ctx)
    _rule9_and_tables(m, ctx)
    _workshop_rows(m, ctx)
    _unlucky(m, ctx)
    _changes(m, ctx)
    return m


class _Context:
    """Dense look-ups shared by the row builders (ids -> indices, scores, placements)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        o = inst.options
        self.R = inst.round_ids
        self.ridx = {r: i for i, r in enumerate(self.R)}
        self.S = inst.sessions
        self.sidx = {s.id: i for i, s in enumerate(self.S)}
        self.P = list(inst.projects)
        self.pidx = {p: i for i, p in enumerate(self.P)}
        self.T = sorted({inst.projects[p].theme for p in self.P})
        self.tidx = {t: i for i, t in enumerate(self.T)}
        self.proj = np.array([self.pidx[s.project] for s in self.S], dtype=np.int32)
        self.theme = np.array([self.tidx[inst.theme_of(s)] for s in self.S], dtype=np.int32)
        self.people = inst.participants
        self.inst_rooms_accessible = {k: rm.accessible for k, rm in inst.rooms.items()}
        w = o.rank_weights
        n, k = len(self.people), len(self.P)
        self.wish_rank = np.full((n, k), -1, dtype=np.int32)
        self.score = np.zeros((n, k), dtype=np.int64)
        for i, p in enumerate(self.people):
            for pr in set(self.P) - set(p.wishes):
                if inst.projects[pr].theme in p.themes:
                    self.score[i, self.pidx[pr]] = o.theme_weight
            for r, pr in enumerate(p.wishes):
                self.wish_rank[i, self.pidx[pr]] = r
                self.score[i, self.pidx[pr]] = w[r] if r < len(w) else 0
        # placements: session -> [(round index, room id)]
        self.places: list[list[tuple[int, str]]] = []
        for s in self.S:
            rs = [self.ridx[s.round]] if s.round else list(range(len(self.R)))
            rooms = [s.room] if s.room else [m for m, rm in inst.rooms.items()
                                             if rm.admits(inst.theme_of(s))]
            self.places.append([(r, room) for r in rs for room in rooms])
        self.placed = [len(pl) == 1 and bool(s.round and s.room)
                       for pl, s in zip(self.places, self.S, strict=True)]
        # presenters: participant -> presented project indices
        self.presents = {pid: {self.pidx[pr] for pr in prs} for pid, prs in inst.presents.items()}
        self.fixed_rounds: dict[str, set[int]] = {}  # known presenting rounds
        self.open_presenting: dict[str, list[int]] = {}  # programme sessions they present
        for pid, prs in self.presents.items():
            for si, s in enumerate(self.S):
                if self.proj[si] in prs:
                    if s.round:
                        self.fixed_rounds.setdefault(pid, set()).add(self.ridx[s.round])
                    else:
                        self.open_presenting.setdefault(pid, []).append(si)

    def accessible(self, si: int, r: int) -> tuple[bool, bool]:
        """(some placement of session si in round r is step-free, all are)."""
        acc = [self.inst_rooms_accessible[room] for rr, room in self.places[si] if rr == r]
        return any(acc), all(acc)


def _placement_vars(m: _Model, ctx: _Context) -> None:
    """y[s, r, room] for sessions the solver places; Σ y = 1 (a session is always held)."""
    for si, _s in enumerate(ctx.S):
        if ctx.placed[si]:
            continue
        cols = m.cols.add(len(ctx.places[si]))
        for c, (r, room) in zip(cols, ctx.places[si], strict=True):
            m.y[(si, r, room)] = int(c)
        m.rows.add(cols, 1.0, 1.0, 1.0)


def _attendance_vars(m: _Model, ctx: _Context) -> None:
    """x[p, s, r] for every (participant, session, round) that no rule excludes outright:
    unavailable rounds, known presenting rounds, own projects, fixed entries (only the fixed
    session in that round, forced to 1), rooms that are never step-free for those who need
    them."""
    nR = len(ctx.R)
    by_round: list[np.ndarray] = []
    acc_ok: list[np.ndarray] = []
    for r in range(nR):
        ss = [si for si in range(len(ctx.S)) if any(rr == r for rr, _ in ctx.places[si])]
        by_round.append(np.array(ss, dtype=np.int32))
        acc_ok.append(np.array([ctx.accessible(si, r)[0] for si in ss], dtype=bool))
    xp, xs, xr, lb = [], [], [], []
    for i, p in enumerate(ctx.people):
        own = ctx.presents.get(p.id, set())
        busy = ctx.fixed_rounds.get(p.id, set())
        fx = p.fixed_map
        for r, rid in enumerate(ctx.R):
            if rid in p.unavailable or r in busy:
                continue
            if rid in fx:
                si = ctx.sidx[fx[rid]]
                # rule 6 against rule 7: a fixed entry that is never step-free for someone
                # who needs it cannot be kept (idling instead would break rule 7)
                ok = not p.needs_accessible or ctx.accessible(si, r)[0]
                if not ok:
                    m.infeasible = True
                ss = np.array([si] if ok else [], dtype=np.int32)
                lb.append(np.ones(len(ss)))
            else:
                ss = by_round[r]
                keep = np.ones(len(ss), dtype=bool)
                if own:
                    keep &= ~np.isin(ctx.proj[ss], list(own))
                if p.needs_accessible:
                    keep &= acc_ok[r]
                ss = ss[keep]
                lb.append(np.zeros(len(ss)))
            xp.append(np.full(len(ss), i, dtype=np.int32))
            xs.append(ss)
            xr.append(np.full(len(ss), r, dtype=np.int32))
    m.xp = np.concatenate(xp) if xp else np.zeros(0, np.int32)
    m.xs = np.concatenate(xs) if xs else np.zeros(0, np.int32)
    m.xr = np.concatenate(xr) if xr else np.zeros(0, np.int32)
    cost = ctx.score[m.xp, ctx.proj[m.xs]].astype(float)
    m.xcol = m.cols.add(len(m.xp), np.concatenate(lb) if lb else 0.0, 1.0, cost)


def _workshop_vars(m: _Model, ctx: _Context) -> None:
    inst = m.inst
    w = inst.options.rank_weights
    zp, zw, lb, cost = [], [], [], []
    for i, p in enumerate(ctx.people):
        fx = p.fixed_map
        for slot in inst.slot_ids:
            if slot in p.unavailable:
                continue
            for k, wk in enumerate(inst.workshops):
                if wk.slot != slot or (slot in fx and fx[slot] != wk.id):
                    continue
                if p.needs_accessible and wk.room and not inst.rooms[wk.room].accessible:
                    continue
                zp.append(i)
                zw.append(k)
                lb.append(1.0 if slot in fx else 0.0)
                rank = p.workshop_wishes.index(wk.id) if wk.id in p.workshop_wishes else None
                cost.append(w[rank] if rank is not None and rank < len(w) else 0)
    m.zp = np.array(zp, dtype=np.int32)
    m.zw = np.array(zw, dtype=np.int32)
    m.zcol = m.cols.add(len(zp), np.array(lb), 1.0, np.array(cost, dtype=float))


def _of_person(m: _Model, i: int) -> slice:
    """The x variables of participant i (created in participant order: a contiguous run)."""
    return slice(int(np.searchsorted(m.xp, i, "left")), int(np.searchsorted(m.xp, i, "right")))


def _by_session(m: _Model) -> list[np.ndarray]:
    """Positions (into the x arrays) of each session's variables."""
    order = np.argsort(m.xs, kind="stable")
    bounds = np.searchsorted(m.xs[order], np.arange(len(m.inst.sessions) + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(len(m.inst.sessions))]


def _y_sum(m: _Model, si: int, r: int) -> list[int]:
    return [c for (s, rr, _room), c in m.y.items() if s == si and rr == r]


def _rule1_and_presenters(m: _Model, ctx: _Context) -> None:
    """Rule 1 (one session per attended round, at most one with allow_idle) and rule 3 for
    presenters whose sessions the solver places (attend nothing while presenting)."""
    allow_idle = m.inst.options.allow_idle
    nR = len(ctx.R)
    key = m.xp.astype(np.int64) * nR + m.xr
    must = np.zeros(len(ctx.people) * nR, dtype=bool)
    for i, p in enumerate(ctx.people):
        busy = ctx.fixed_rounds.get(p.id, set())
        for r, rid in enumerate(ctx.R):
            if rid not in p.unavailable and r not in busy and p.id not in ctx.open_presenting:
                must[i * nR + r] = not allow_idle
    present = np.unique(key)
    missing = np.flatnonzero(must & ~np.isin(np.arange(len(must)), present))
    if len(missing):
        m.infeasible = True  # someone must be seated in a round where nothing is open to them
    uniq = np.unique(key)
    lo = np.where(must[uniq], 1.0, 0.0)
    m.rows.grouped(key, m.xcol, 1.0, lo, 1.0)
    pos = {p.id: i for i, p in enumerate(ctx.people)}
    for pid, sis in ctx.open_presenting.items():
        i = pos[pid]
        p = ctx.people[i]
        mine = _of_person(m, i)
        busy = ctx.fixed_rounds.get(pid, set())
        for r, rid in enumerate(ctx.R):
            if rid in p.unavailable or r in busy:
                continue
            xs = list(m.xcol[mine][m.xr[mine] == r])
            ys = [(si, _y_sum(m, si, r)) for si in sis]
            for _si, yc in ys:
                if yc:
                    m.rows.add(xs + yc, 1.0, -INF, 1.0)
            if not allow_idle:
                all_y = [c for _si, yc in ys for c in yc]
                m.rows.add(xs + all_y, 1.0, 1.0, INF)


def _rule2_distinct_projects(m: _Model, ctx: _Context) -> None:
    key = m.xp.astype(np.int64) * len(ctx.P) + ctx.proj[m.xs]
    m.rows.grouped(key, m.xcol, 1.0, -INF, 1.0, min_size=2)


def _session_capacity(inst: Instance, s, room: str) -> int:
    rm = inst.rooms[room]
    cap = s.capacity if s.capacity is not None else rm.capacity // rm.tables
    return min(cap, rm.capacity)


def _rules4_5_sessions(m: _Model, ctx: _Context) -> None:
    """Session capacity and min_audience. Fixed programme: held indicator h with
    min·h ≤ Σx ≤ cap·h; in programme mode every session is held, even those the organiser
    placed. Placed by the solver: Σx over a round = Σ_room n[s, r, room],
    n ≤ cap(room)·y, and Σx ≥ min_audience (always held)."""
    inst = m.inst
    per_session = _by_session(m)
    always_held = inst.always_held  # programme mode: every session is held (rule 5)
    for si, s in enumerate(ctx.S):
        sel = per_session[si]
        cols = m.xcol[sel]
        if ctx.placed[si] and always_held:
            cap = _session_capacity(inst, s, s.room)
            m.rows.add(cols, 1.0, float(s.min_audience), float(cap))
            continue
        if ctx.placed[si]:
            cap = _session_capacity(inst, s, s.room)
            if s.min_audience > 0:
                h = int(m.cols.add(1)[0])
                m.rows.add(list(cols) + [h], [1.0] * len(cols) + [-float(s.min_audience)],
                           0.0, INF)
                m.rows.add(list(cols) + [h], [1.0] * len(cols) + [-float(cap)], -INF, 0.0)
            elif len(cols) > cap:
                m.rows.add(cols, 1.0, -INF, cap)
            continue
        rounds = m.xr[sel]
        for r in sorted({rr for rr, _ in ctx.places[si]}):
            rooms = [room for rr, room in ctx.places[si] if rr == r]
            ncols = m.cols.add(len(rooms), 0.0, INF, 0.0, integer=False)
            xc = list(cols[rounds == r])
            m.rows.add(xc + list(ncols), [1.0] * len(xc) + [-1.0] * len(rooms), 0.0, 0.0)
            for nc, room in zip(ncols, rooms, strict=True):
                m.n_cols[(si, r, room)] = int(nc)
                cap = _session_capacity(inst, s, room)
                m.rows.add([int(nc), m.y[(si, r, room)]], [1.0, -float(cap)], -INF, 0.0)
        if s.min_audience > 0:
            m.rows.add(cols, 1.0, float(s.min_audience), INF)


def _rule4_rooms(m: _Model, ctx: _Context) -> None:
    """A room's capacity, summed over what it holds in a round."""
    inst = m.inst
    per_session = _by_session(m)
    held: dict[tuple[int, str], list[tuple[int, np.ndarray]]] = {}
    for si, s in enumerate(ctx.S):
        if ctx.placed[si]:
            held.setdefault((ctx.ridx[s.round], s.room), []).append((si, per_session[si]))
    for (si, r, room), nc in m.n_cols.items():
        held.setdefault((r, room), []).append((si, np.array([nc])))
    for (_r, room), entries in held.items():
        idx: list[int] = []
        seats = 0
        for si, what in entries:
            s = ctx.S[si]
            if ctx.placed[si]:
                idx += list(m.xcol[what])
                seats += min(len(what), _session_capacity(inst, s, room))
            else:
                idx += [int(c) for c in what]
                seats += _session_capacity(inst, s, room)
        if idx and seats > inst.rooms[room].capacity:
            m.rows.add(idx, 1.0, -INF, float(inst.rooms[room].capacity))


def _rule6_programme_accessibility(m: _Model, ctx: _Context) -> None:
    """For a session whose room the solver picks, x ≤ Σ y over step-free rooms."""
    for i, p in enumerate(ctx.people):
        if not p.needs_accessible:
            continue
        sl = _of_person(m, i)
        for k in range(sl.start, sl.stop):
            si, r = int(m.xs[k]), int(m.xr[k])
            if ctx.placed[si] or ctx.accessible(si, r)[1]:
                continue
            ys = [c for (s, rr, room), c in m.y.items()
                  if s == si and rr == r and ctx.inst_rooms_accessible[room]]
            m.rows.add([int(m.xcol[k])] + ys, [1.0] + [-1.0] * len(ys), -INF, 0.0)


def _rule8_themes(m: _Model, ctx: _Context) -> None:
    """Distinct themes ≥ min(k, rounds attended). Cover t[p, θ] ≤ Σ x of theme θ; when the
    number attended A is known, Σ t ≥ min(k, A); otherwise a binary b with Σ t ≥ k·b and
    Σ t ≥ A - R·b (b = 1 exactly when A ≥ k is possible)."""
    k = m.inst.options.min_distinct_themes
    if k <= 1 or not len(m.xp):
        return
    nT, nR = len(ctx.T), len(ctx.R)
    key = m.xp.astype(np.int64) * nT + ctx.theme[m.xs]
    uniq = np.unique(key)
    tcols = m.cols.add(len(uniq), 0.0, 1.0, 0.0, integer=False)
    # t - Σx ≤ 0: the t column joins its group as one more entry
    keys = np.concatenate([key, uniq])
    cols = np.concatenate([m.xcol, tcols])
    vals = np.concatenate([-np.ones(len(key)), np.ones(len(uniq))])
    m.rows.grouped(keys, cols, vals, -INF, 0.0)
    t_of = uniq // nT
    allow_idle = m.inst.options.allow_idle
    for i, p in enumerate(ctx.people):
        mine = tcols[np.searchsorted(t_of, i, "left"):np.searchsorted(t_of, i, "right")]
        attend = m.xcol[_of_person(m, i)]
        variable = allow_idle or p.id in ctx.open_presenting
        if not variable:
            busy = ctx.fixed_rounds.get(p.id, set())
            a = sum(1 for r, rid in enumerate(ctx.R) if rid not in p.unavailable
                    and r not in busy)
            need = min(k, a)
            if need >= 2:
                m.rows.add(mine, 1.0, float(need), INF)
            continue
        b = int(m.cols.add(1)[0])
        m.rows.add(list(mine) + [b], [1.0] * len(mine) + [-float(k)], 0.0, INF)
        m.rows.add(list(mine) + list(attend) + [b],
                   [1.0] * len(mine) + [-1.0] * len(attend) + [float(nR)], 0.0, INF)


def _rule9_and_tables(m: _Model, ctx: _Context) -> None:
    """Rule 9 (one session of a project per round) and tables, for the placed-by-solver
    sessions (the fixed part of the programme is data, checked by the diagnosis)."""
    if not m.y:
        return
    fixed_tables: dict[tuple[int, str], int] = {}
    for si, s in enumerate(ctx.S):
        if ctx.placed[si]:
            key = (ctx.ridx[s.round], s.room)
            fixed_tables[key] = fixed_tables.get(key, 0) + 1
    by_pr: dict[tuple[int, int], list[int]] = {}
    by_room: dict[tuple[int, str], list[int]] = {}
    for (si, r, room), c in m.y.items():
        by_pr.setdefault((int(ctx.proj[si]), r), []).append(c)
        by_room.setdefault((r, room), []).append(c)
    for cs in by_pr.values():
        m.rows.add(cs, 1.0, -INF, 1.0)
    for si, s in enumerate(ctx.S):  # a project's fixed-round sessions block that round
        if s.round is None:
            continue
        r, pr = ctx.ridx[s.round], int(ctx.proj[si])
        others = [c for (sj, rr, _room), c in m.y.items()
                  if rr == r and int(ctx.proj[sj]) == pr and sj != si and ctx.S[sj].round is None]
        if others:
            m.rows.add(others, 1.0, -INF, 0.0)
    for (r, room), cs in by_room.items():
        free = m.inst.rooms[room].tables - fixed_tables.get((r, room), 0)
        m.rows.add(cs, 1.0, -INF, float(free))


def _workshop_rows(m: _Model, ctx: _Context) -> None:
    """Rule 1 for slots (exactly one workshop), workshop and room capacities per slot."""
    inst = m.inst
    if not len(m.zp):
        return
    slot_of = np.array([inst.slot_ids.index(w.slot) for w in inst.workshops], dtype=np.int64)
    key = m.zp.astype(np.int64) * len(inst.slot_ids) + slot_of[m.zw]
    m.rows.grouped(key, m.zcol, 1.0, 1.0, 1.0)
    caps = np.array([w.capacity for w in inst.workshops], dtype=float)
    uniq = np.unique(m.zw)
    m.rows.grouped(m.zw.astype(np.int64), m.zcol, 1.0, -INF, caps[uniq])
    rooms = sorted({w.room for w in inst.workshops if w.room})
    for room in rooms:
        for slot in inst.slot_ids:
            ks = [k for k, w in enumerate(inst.workshops) if w.room == room and w.slot == slot]
            if sum(inst.workshops[k].capacity for k in ks) <= inst.rooms[room].capacity:
                continue
            cols = m.zcol[np.isin(m.zw, ks)]
            m.rows.add(cols, 1.0, -INF, float(inst.rooms[room].capacity))


def _unlucky(m: _Model, ctx: _Context) -> None:
    """u[p] ≥ 1 - Σ x over wished projects, for participants with wishes; cost -penalty."""
    pen = m.inst.options.unlucky_penalty
    with_wishes = [i for i, p in enumerate(ctx.people) if p.wishes]
    if not with_wishes or pen == 0:
        return
    ucols = m.cols.add(len(with_wishes), 0.0, 1.0, -float(pen))
    ucol_of = dict(zip(with_wishes, ucols, strict=True))
    wished = ctx.wish_rank[m.xp, ctx.proj[m.xs]] >= 0
    keys = np.concatenate([m.xp[wished].astype(np.int64), np.array(with_wishes, np.int64)])
    cols = np.concatenate([m.xcol[wished], ucols])
    m.rows.grouped(keys, cols, 1.0, 1.0, INF)
    m.ucol_of = ucol_of
    m.wished = wished


def _changes(m: _Model, ctx: _Context) -> None:
    """changed = Σ (1 - x) over previous entries: an offset of -penalty per entry and
    +penalty on the x (or workshop) variable that keeps it."""
    o = m.inst.options
    if not o.previous or not o.change_penalty:
        return
    pen = float(o.change_penalty)
    cost = np.zeros(m.cols.n)
    pos = {p.id: i for i, p in enumerate(ctx.people)}
    widx = {w.id: k for k, w in enumerate(m.inst.workshops)}
    for pid, prev in o.previous.items():
        i = pos[pid]
        for key, val in prev.items():
            m.offset -= pen
            if key in ctx.ridx and val in ctx.sidx:
                sl = _of_person(m, i)
                sel = (m.xr[sl] == ctx.ridx[key]) & (m.xs[sl] == ctx.sidx[val])
                cost[m.xcol[sl][sel]] += pen
            elif val in widx:
                sel = (m.zp == i) & (m.zw == widx[val])
                cost[m.zcol[sel]] += pen
    # fold into the column costs (blocks are concatenated at solve time)
    m.cols.cost = [np.concatenate(m.cols.cost) + cost]
    m.cols.lb = [np.concatenate(m.cols.lb)]
    m.cols.ub = [np.concatenate(m.cols.ub)]
    m.cols.integer = [np.concatenate(m.cols.integer)]


# --------------------------------------------------------------------------- the solution


def _solution(m: _Model, h: highspy.Highs, t0: float) -> dict[str, Any]:
    inst = m.inst
    status = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2 and not m.infeasible
    if status == highspy.HighsModelStatus.kInfeasible or m.infeasible:
        name = "INFEASIBLE"
    elif status == highspy.HighsModelStatus.kOptimal and has_sol:
        name = "OPTIMAL"
    elif has_sol:
        name = "FEASIBLE"
    else:
        name = "UNKNOWN"
    out: dict[str, Any] = {"format": SOLUTION_FORMAT, "status": name, "objective": None,
                           "bound": None, "solve_seconds": round(time.monotonic() - t0, 3),
                           "programme": [], "assignments": [], "metrics": None,
                           "diagnosis": [] if has_sol else ["plain MIP: no solution"]}
    if not has_sol:
        return out
    val = np.asarray(h.getSolution().col_value)
    x_on = val[m.xcol] > 0.5
    z_on = val[m.zcol] > 0.5 if len(m.zcol) else np.zeros(0, bool)
    prog = _programme(m, val)
    out["programme"] = [{"session": s.id, "round": prog[k][0], "room": prog[k][1]}
                        for k, s in enumerate(inst.sessions)]
    sess: dict[int, dict[str, str]] = {}
    for p_, s_, r_ in zip(m.xp[x_on], m.xs[x_on], m.xr[x_on], strict=True):
        sess.setdefault(int(p_), {})[inst.round_ids[r_]] = inst.sessions[s_].id
    works: dict[int, dict[str, str]] = {}
    for p_, w_ in zip(m.zp[z_on], m.zw[z_on], strict=True):
        w = inst.workshops[w_]
        works.setdefault(int(p_), {})[w.slot] = w.id
    out["assignments"] = [{"participant": p.id,
                           "sessions": {r: sess.get(i, {})[r] for r in inst.round_ids
                                        if r in sess.get(i, {})},
                           "workshops": {sl: works.get(i, {})[sl] for sl in inst.slot_ids
                                         if sl in works.get(i, {})}}
                          for i, p in enumerate(inst.participants)]
    out["objective"] = _objective(m, val, x_on, z_on)
    bound = info.mip_dual_bound + m.offset
    out["bound"] = max(out["objective"], math.floor(bound + 1e-6)) if math.isfinite(bound) \
        else None
    if name == "OPTIMAL" and (out["bound"] is None or out["bound"] <= out["objective"]):
        out["bound"] = out["objective"]
    elif name == "OPTIMAL":
        out["status"] = "FEASIBLE"  # (HiGHS's tolerances: optimal only as far as proven)
    return out


def _programme(m: _Model, val: np.ndarray) -> list[tuple[str, str]]:
    inst = m.inst
    prog = [(s.round, s.room) for s in inst.sessions]
    for (si, r, room), c in m.y.items():
        if val[c] > 0.5:
            prog[si] = (inst.round_ids[r], room)
    return prog


def _objective(m: _Model, val: np.ndarray, x_on: np.ndarray, z_on: np.ndarray) -> int:
    """The model's objective at this incumbent with each unlucky indicator at its best value
    (an incumbent may carry u = 1 where a wish is in fact granted)."""
    cost = np.concatenate(m.cols.cost)
    total = float(cost[m.xcol][x_on].sum())
    if len(m.zcol):
        total += float(cost[m.zcol][z_on].sum())
    if m.ucol_of:
        granted = set(m.xp[x_on & m.wished].tolist())
        total -= m.inst.options.unlucky_penalty * sum(1 for i in m.ucol_of
                                                      if i not in granted)
    return int(round(total + m.offset))


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.plain_mip INSTANCE.json [-o OUT] [--time-limit S] [--threads N]``
    (a separate process from anything that imports ``scheduler``: see :class:`Instance`)."""
    import argparse
    import json
    import sys

    ap = argparse.ArgumentParser(prog="python -m benchmarks.plain_mip")
    ap.add_argument("instance")
    ap.add_argument("-o", "--output")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hold-all", action="store_true",
                    help="hold every session (programme-mode rule 5) on a fixed programme")
    a = ap.parse_args(argv)
    with open(a.instance, encoding="utf-8") as f:
        data = json.load(f)
    sol = solve_plain_mip(data, time_limit_s=a.time_limit, threads=a.threads,
                          hold_all=a.hold_all)
    text = json.dumps(sol, ensure_ascii=False)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0 if sol["status"] in ("OPTIMAL", "FEASIBLE") else 2


if __name__ == "__main__":
    raise SystemExit(main())
