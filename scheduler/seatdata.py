"""The seating's data: a programme (:class:`Placement`), participants grouped into classes
of interchangeable people with dense numpy arrays of their choices (:class:`SeatData`), and
the exact per-person value and legality of whole paths (:func:`path_values`).

Why a module of its own: the path formulation (:mod:`scheduler.paths`), the round-by-round
min-cost-flow search (:mod:`scheduler.refine`) and the per-person MIP
(:mod:`scheduler.person_mip`) all read these arrays; in ``paths.py`` they made ``paths`` and
``refine`` import each other."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .instance import Instance, Participant

NEG = -1e9  # value of a forbidden choice


@dataclass
class Placement:
    """Round and room of every session (a complete programme)."""

    round_of: list[int]  # session index -> round index
    room_of: list[str]




def seat_class_key(inst: Instance, p: Participant, presents_rounds: frozenset[int]) -> tuple:
    """What makes two participants interchangeable for the seating."""
    o = inst.options
    prev: tuple[tuple[str, str], ...] = ()
    if o.change_penalty:
        prev = tuple(sorted((k, v) for k, v in o.previous.get(p.id, {}).items()
                            if k in inst.round_ids))
    fixed = tuple(sorted((k, v) for k, v in p.fixed if k in inst.round_ids))
    unav = tuple(sorted(r for r in p.unavailable if r in inst.round_ids))
    return (p.wishes, tuple(sorted(p.themes)), unav, p.needs_accessible, fixed, prev,
            tuple(sorted(presents_rounds)))


class SeatData:
    """Dense arrays describing classes and choices. Choice ``j < S`` is session j; choice
    ``S + r`` is "idle in round r" (its own pseudo-project and no theme)."""

    def __init__(self, inst: Instance, place: Placement):
        o = inst.options
        self.inst = inst
        S = self.S = len(inst.sessions)
        R = self.R = len(inst.round_ids)
        ridx = {r: i for i, r in enumerate(inst.round_ids)}
        sidx = {s.id: i for i, s in enumerate(inst.sessions)}
        proj_ids = {pr: i for i, pr in enumerate(inst.projects)}
        theme_ids = {t: i for i, t in enumerate(inst.themes)}
        self.proj = np.array([proj_ids[s.project] for s in inst.sessions]
                             + [-1 - r for r in range(R)], dtype=np.int64)
        self.theme = np.array([theme_ids[inst.theme_of(s)] for s in inst.sessions]
                              + [-1] * R, dtype=np.int64)
        self.round_of = np.array(list(place.round_of) + list(range(R)), dtype=np.int64)
        self.choices_of_round = [np.flatnonzero(self.round_of == r) for r in range(R)]
        proj_rounds: dict[str, set[int]] = {}
        for i, s in enumerate(inst.sessions):
            proj_rounds.setdefault(s.project, set()).add(place.round_of[i])
        groups: dict[tuple, int] = {}
        self.members: list[list[str]] = []
        reps: list[Participant] = []
        for p in inst.participants:
            pres: set[int] = set()
            for pr in inst.presents.get(p.id, ()):
                pres |= proj_rounds.get(pr, set())
            key = seat_class_key(inst, p, frozenset(pres))
            if key not in groups:
                groups[key] = len(reps)
                reps.append(p)
                self.members.append([])
            self.members[groups[key]].append(p.id)
        C = self.C = len(reps)
        self.n = np.array([len(m) for m in self.members], dtype=np.int64)
        self.score = np.full((C, S + R), NEG)
        self.wished = np.zeros((C, S + R), dtype=bool)
        self.prev = np.full((C, R), -2, dtype=np.int64)
        self.has_wishes = np.array([bool(p.wishes) for p in reps])
        self.attend_max = np.zeros(C, dtype=np.int64)
        acc_ok = np.array([inst.rooms[place.room_of[i]].accessible for i in range(S)],
                          dtype=bool)
        sess_proj = self.proj[:S]
        proj_theme = np.array([theme_ids[inst.projects[pr].theme] for pr in inst.projects],
                              dtype=np.int64)
        proj_score_cache: dict[tuple, np.ndarray] = {}
        wished_cache: dict[tuple, np.ndarray] = {}
        for c, p in enumerate(reps):
            key = (p.wishes, p.themes)
            if key not in proj_score_cache:
                # session_score of the contract, per project then per session (vectorised:
                # one call per class and session took 15 s at 10,000 people)
                liked = np.zeros(len(theme_ids) + 1, dtype=bool)
                liked[[theme_ids[t] for t in p.themes if t in theme_ids]] = True
                ps = np.where(liked[proj_theme], float(o.theme_weight), 0.0)
                for rank, w in enumerate(p.wishes):
                    ps[proj_ids[w]] = (o.rank_weights[rank] if rank < len(o.rank_weights)
                                       else 0)
                proj_score_cache[key] = ps[sess_proj]
            base = proj_score_cache[key]
            pres = set()
            for pr in inst.presents.get(p.id, ()):
                pres |= proj_rounds.get(pr, set())
            fixed = {ridx[k]: sidx[v] for k, v in p.fixed if k in ridx}
            own = set(inst.presents.get(p.id, ()))
            own_ids = [proj_ids[pr] for pr in own if pr in proj_ids]
            for r, rid in enumerate(inst.round_ids):
                sess = self.choices_of_round[r]
                sess = sess[sess < S]
                if rid in p.unavailable or r in pres:
                    self.score[c, S + r] = 0.0
                    continue
                self.attend_max[c] += 1
                if r in fixed:
                    self.score[c, fixed[r]] = base[fixed[r]]
                    continue
                ok = sess
                if p.needs_accessible:
                    ok = ok[acc_ok[ok]]
                if own:
                    mine = np.zeros(len(proj_ids), dtype=bool)
                    mine[own_ids] = True
                    ok = ok[~mine[sess_proj[ok]]]
                self.score[c, ok] = base[ok]
                if o.allow_idle:
                    self.score[c, S + r] = 0.0
            # (vectorised: a loop over sessions per class took 10 s at 10,000 people)
            if p.wishes not in wished_cache:
                pm = np.zeros(len(proj_ids), dtype=bool)
                pm[[proj_ids[w] for w in p.wishes if w in proj_ids]] = True
                wished_cache[p.wishes] = pm[sess_proj]
            self.wished[c, :S] = wished_cache[p.wishes]
            if o.change_penalty:
                for k, v in o.previous.get(p.id, {}).items():
                    if k in ridx:
                        self.prev[c, ridx[k]] = sidx[v]
        self.pen = float(o.unlucky_penalty)
        self.chg = float(o.change_penalty)
        self.k = o.min_distinct_themes


def path_values(d: SeatData, score: np.ndarray, wished: np.ndarray, proj: np.ndarray,
                 theme: np.ndarray, real: np.ndarray, cls: np.ndarray, ch: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Objective value per member and legality of paths ``ch`` (rows, one choice per round)
    for classes ``cls``. Vectorised over many candidate paths at once."""
    val = np.zeros(len(cls))
    legal = np.ones(len(cls), dtype=bool)
    any_wish = np.zeros(len(cls), dtype=bool)
    attended = np.zeros(len(cls), dtype=np.int64)
    distinct = np.zeros(len(cls), dtype=np.int64)
    for r in range(d.R):
        s = ch[:, r]
        sc = score[cls, s]
        ok = sc > NEG / 2
        legal &= ok
        val += np.where(ok, sc, 0.0)
        any_wish |= wished[cls, s]
        is_real = real[s]
        attended += is_real
        new_theme = is_real.copy()
        for q in range(r):
            legal &= proj[ch[:, q]] != proj[s]
            new_theme &= theme[ch[:, q]] != theme[s]
        distinct += new_theme
        if d.chg:
            pv = d.prev[cls, r]
            val -= d.chg * ((pv >= 0) & (pv != s))
    need = np.minimum(d.k, attended)
    legal &= (need <= 1) | (distinct >= need)
    val -= d.pen * (d.has_wishes[cls] & ~any_wish)
    return val, legal

