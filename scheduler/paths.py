"""Seating for a fixed programme: a path (column) formulation over participant classes.

Why this formulation: participants with identical data are interchangeable, so they form one
*class* with an integer count. For a class, a *path* is one choice per round (a session or
idle) that already satisfies every per-person rule (distinct projects, theme variety,
unavailability, presenters, accessibility, fixed entries), and it carries the per-person
objective terms that are not linear in session counts (the unlucky penalty, changes). What
is left between classes is only seat counting, so the LP relaxation is very tight (often
integral) and a person-level solution is read off the integer path counts directly. (A plain
CP-SAT model with one boolean per participant and session was measured far from optimal.)

There are too many paths to list at 1,000+ participants, so the LP is solved by column
generation: start from each class's best paths, price new paths with the LP duals, and stop
when no improving path is found or time runs out. Pricing is vectorised with numpy over all
classes: per round it looks at the best few sessions by reduced value (plus the best wished
session and the best session of another theme) and enumerates their combinations. With the
duals, ``LP(restricted) + sum_c n_c * max(0, ub_c)`` where ``ub_c`` is an upper bound of the
best reduced cost of class c (exact over the enumerated candidates, and ``relaxed - best_r +
(K+1)-th best_r`` for any path leaving them) is a valid upper bound of the full LP (Farley /
Lagrangian bound), hence of the real problem. The integer solution is found on the generated
paths by a MIP solver (SCIP), unless the LP optimum is already integral. On very large days
(more than ``LARGE_CLASSES`` classes) the LP is solved by PDLP for a fixed number of rounds and
the schedule comes from the min-cost-flow local search by round of :mod:`scheduler.refine`.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

from .checker import session_score
from .instance import Instance, Participant
from .pricing import PathRules, assignment_bound, relaxed_best, search_class, suffix_bounds

_DEBUG = bool(os.environ.get("SCHEDULER_DEBUG"))
BIG = 10**5  # objective cost of one artificial (unseated / missing-audience) unit
LARGE_CLASSES = 3000  # above this many classes: PDLP and LP rounding instead of a MIP
NEG = -1e9  # value of a forbidden choice
LARGE_CG_ITERS = 3  # column-generation rounds on very large days (deterministic work limit)
ENUM_LIMIT = 3000  # above this many combinations per class, price by search (pricing.py)
GREEDY_NODES = 40  # search nodes for one class's path in the greedy (a heuristic)
LNS_CYCLES = 4  # cycles over the rounds of the min-cost-flow local search (scheduler.refine)


@contextmanager
def watch_stop(stop: threading.Event | None, interrupt: Callable[[], Any]):
    """Call ``interrupt`` from a helper thread as soon as ``stop`` is set."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                interrupt()
                return

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


class StopAt:
    """A stop event that also fires at a deadline: handed to every phase of the seating
    (pricing, flows, MIPs) so that the time limit is a wall, not a hint. Duck-types the
    ``is_set``/``wait`` of ``threading.Event`` that the phases use."""

    def __init__(self, stop: threading.Event | StopAt | None, deadline: float):
        self.stop = stop
        self.deadline = deadline

    def is_set(self) -> bool:
        return ((self.stop is not None and self.stop.is_set())
                or time.monotonic() >= self.deadline)

    def wait(self, timeout: float) -> bool:
        step = max(0.0, min(timeout, self.deadline - time.monotonic()))
        if self.stop is not None:
            self.stop.wait(step)
        else:
            time.sleep(step)
        return self.is_set()


@dataclass
class Placement:
    """Round and room of every session (a complete programme)."""

    round_of: list[int]  # session index -> round index
    room_of: list[str]


@dataclass
class SeatResult:
    status: str  # OPTIMAL / FEASIBLE / UNKNOWN
    objective: int | None
    bound: float
    sessions: dict[str, dict[str, str]]  # participant -> round id -> session id
    lp_bound: float


def seat_class_key(inst: Instance, p: Participant, presents_rounds: frozenset[int]) -> tuple:
    """What makes two participants interchangeable for the seating."""
    o = inst.options
    prev = ()
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
        acc_ok = np.array([inst.rooms[place.room_of[i]].accessible for i in range(S)])
        proj_score_cache: dict[tuple, np.ndarray] = {}
        for c, p in enumerate(reps):
            key = (p.wishes, p.themes)
            if key not in proj_score_cache:
                proj_score_cache[key] = np.array(
                    [session_score(inst, p, s.project) for s in inst.sessions], dtype=float)
            base = proj_score_cache[key]
            pres: set[int] = set()
            for pr in inst.presents.get(p.id, ()):
                pres |= proj_rounds.get(pr, set())
            fixed = {ridx[k]: sidx[v] for k, v in p.fixed if k in ridx}
            own = set(inst.presents.get(p.id, ()))
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
                    ok = np.array([i for i in ok if inst.sessions[i].project not in own],
                                  dtype=np.int64)
                self.score[c, ok] = base[ok]
                if o.allow_idle:
                    self.score[c, S + r] = 0.0
            for i, s in enumerate(inst.sessions):
                if s.project in p.wishes:
                    self.wished[c, i] = True
            if o.change_penalty:
                for k, v in o.previous.get(p.id, {}).items():
                    if k in ridx:
                        self.prev[c, ridx[k]] = sidx[v]
        self.pen = float(o.unlucky_penalty)
        self.chg = float(o.change_penalty)
        self.k = o.min_distinct_themes


def _path_values(d: SeatData, score: np.ndarray, wished: np.ndarray, proj: np.ndarray,
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


def _price(d: SeatData, price: np.ndarray, mu: np.ndarray, K: int, want: int,
           deadline: float = math.inf
           ) -> tuple[list[tuple[int, tuple[int, ...], float, float]], np.ndarray]:
    """Best paths by reduced cost and a valid bound of each class's best reduced cost.

    Two pricers, picked by the size of the enumeration: on days with few rounds (3-round
    days: a few hundred combinations) enumerating every round's best choices together in one
    numpy pass is fastest (:func:`_price_enum`); beyond ``ENUM_LIMIT`` combinations (K^R
    grows exponentially with the rounds) the exact search over rounds of
    :mod:`scheduler.pricing` is used, whose cost is polynomial in the rounds."""
    if _enum_size(d, K) > ENUM_LIMIT:
        return _price_search(d, price, mu, want, deadline)
    return _price_enum(d, price, mu, K, want, deadline)


def _enum_size(d: SeatData, K: int) -> int:
    """Number of combinations :func:`_price_enum` would evaluate per class."""
    extra = 4 if d.chg else 3  # best wished, best other theme, (previous), one wildcard
    return math.prod(min(K, len(c)) + extra for c in d.choices_of_round)


def _path_rules(d: SeatData) -> PathRules:
    return PathRules(d.R, d.S, d.choices_of_round, d.proj, d.theme, d.wished, d.has_wishes,
                     d.pen, d.k)


def _reduced_values(d: SeatData, price: np.ndarray, cls: slice = slice(None)) -> np.ndarray:
    """Per class (``cls``) and choice: score minus price, minus the change penalty when the
    choice differs from the class's previous one in that round (the change term is per
    round, so it folds into the choice values); NEG where forbidden."""
    score = d.score[cls]
    red = score - price[None, :]
    if d.chg:
        for r in range(d.R):
            cols = d.choices_of_round[r]
            pv = d.prev[cls, r]
            differs = (pv[:, None] >= 0) & (cols[None, :] != pv[:, None])
            red[:, cols] -= d.chg * differs
    red[score <= NEG / 2] = NEG
    return red


def _price_search(d: SeatData, price: np.ndarray, mu: np.ndarray, want: int,
                  deadline: float) -> tuple[list[tuple[int, tuple[int, ...], float, float]],
                                            np.ndarray]:
    """Exact pricing by :func:`scheduler.pricing.search_class`, same outputs as
    :func:`_price_enum`. Classes left when the deadline passes keep their relaxed bound."""
    rules = _path_rules(d)
    red = _reduced_values(d, price)
    every = np.arange(d.C)
    A, B = suffix_bounds(rules, red, every)
    ub = relaxed_best(rules, A, B, every) - mu
    found: list[tuple[int, tuple[int, ...], float]] = []
    for c in np.flatnonzero(ub > 1e-6):
        if time.monotonic() > deadline:
            break
        paths, complete = search_class(rules, red[c], d.wished[c], bool(d.has_wishes[c]),
                                       A[c], B[c], float(mu[c]) + 1e-6, want)
        if complete:
            ub[c] = paths[0][0] - mu[c] if paths else 1e-6
        else:  # out of nodes: the bound exact about distinct projects may be tighter
            ub[c] = min(ub[c], assignment_bound(rules, red[c]) - mu[c])
            if paths:
                ub[c] = max(ub[c], paths[0][0] - mu[c])
        for value, path in paths:
            found.append((int(c), path, value - float(mu[c])))
    if not found:
        return [], ub
    cls = np.array([c for c, _p, _rc in found], dtype=np.int64)
    ch = np.array([p for _c, p, _rc in found], dtype=np.int64)
    val, legal = _path_values(d, d.score, d.wished, d.proj, d.theme,
                              np.arange(d.S + d.R) < d.S, cls, ch)
    if not legal.all():
        raise RuntimeError("path search returned an illegal path")
    return [(c, p, rc, float(round(v))) for (c, p, rc), v in zip(found, val, strict=True)], ub


def _price_enum(d: SeatData, price: np.ndarray, mu: np.ndarray, K: int, want: int,
                deadline: float = math.inf
                ) -> tuple[list[tuple[int, tuple[int, ...], float, float]], np.ndarray]:
    """Best paths by reduced cost for every class, and a valid upper bound of each class's
    best reduced cost over *all* paths.

    Per round the candidates are the K best choices by reduced value, the best wished one,
    the best one of another theme than the best, and (with change_penalty) the previous one.
    For the bound, each round also gets two *wildcards* standing for every choice left out:
    worth the (K+1)-th best reduced value (resp. the best left-out wished value, flagged as
    wished), with a project and a theme of their own. Any real path maps onto a combination
    that is worth at least as much and is at least as legal, so the best combination
    including wildcards bounds the best path (exact pricing would only tighten it).
    """
    C, R, S = d.C, d.R, d.S
    X = S + R
    red = d.score - price[None, :]
    red[d.score <= NEG / 2] = NEG
    # extended choice space: [sessions, idles, wildcard r (plain), wildcard r (wished)]
    score = np.concatenate([red, np.full((C, 2 * R), NEG)], axis=1)
    wished = np.concatenate([d.wished, np.zeros((C, R), bool), np.ones((C, R), bool)], axis=1)
    proj = np.concatenate([d.proj, -1000 - np.arange(2 * R)])
    theme = np.concatenate([d.theme, -1000 - np.arange(2 * R)])
    real = np.concatenate([np.arange(X) < S, np.ones(2 * R, bool)])
    rows = np.arange(C)
    cand_rounds = []
    n_wild: list[int] = []
    for r in range(R):
        cols = d.choices_of_round[r]
        sub = red[:, cols]
        order = np.argsort(-sub, axis=1, kind="stable")
        kk = min(K, len(cols))
        top = cols[order[:, :kk]]
        wsub = np.where(d.wished[:, cols], sub, NEG)
        bw_pos = np.argmax(wsub, axis=1)
        bw = cols[bw_pos]
        th_best = d.theme[top[:, 0]]
        osub = np.where(d.theme[cols][None, :] != th_best[:, None], sub, NEG)
        bo = cols[np.argmax(osub, axis=1)]
        extras = [bw[:, None], bo[:, None]]
        if d.chg:
            pv = d.prev[:, r]
            extras.append(np.where(pv >= 0, pv, top[:, 0])[:, None])
        cand = np.concatenate([top] + extras, axis=1)
        # wildcards: best value among choices not in the candidate set
        in_cand = np.zeros((C, X), bool)
        in_cand[rows[:, None], cand] = True
        left = np.where(in_cand[:, cols], NEG, sub)
        score[:, X + r] = left.max(axis=1)
        score[:, X + R + r] = np.where(d.wished[:, cols], left, NEG).max(axis=1)
        wild = [np.full((C, 1), X + r)] if (score[:, X + r] > NEG / 2).any() else []
        if (score[:, X + R + r] > NEG / 2).any():
            wild.append(np.full((C, 1), X + R + r))
        n_wild.append(len(wild))
        cand_rounds.append(np.concatenate([cand] + wild, axis=1))
    price_ext = np.concatenate([price, np.zeros(2 * R)])
    best_ub = np.full(C, -np.inf)
    keep_rc = np.full((C, want), -np.inf)
    keep_val = np.zeros((C, want))
    keep_path = np.full((C, want, R), -1, dtype=np.int64)
    widths = [cr.shape[1] for cr in cand_rounds]
    for n_done, combo in enumerate(itertools.product(*[range(w) for w in widths])):
        if n_done % 64 == 63 and time.monotonic() > deadline:
            # cut short: the maximum over part of the combinations bounds nothing, so each
            # class falls back on the relaxed programme's bound (valid for any prices)
            rules = _path_rules(d)
            every = np.arange(C)
            A, B = suffix_bounds(rules, _reduced_values(d, price), every)
            best_ub = np.maximum(best_ub, relaxed_best(rules, A, B, every) - mu)
            break
        ch = np.stack([cand_rounds[r][:, combo[r]] for r in range(R)], axis=1)
        val, legal = _path_values(d, score, wished, proj, theme, real, rows, ch)
        # ``score`` holds reduced values for real choices: add their price back for ``val``
        rc = np.where(legal, val - mu, -np.inf)
        best_ub = np.maximum(best_ub, rc)
        if any(combo[r] >= widths[r] - n_wild[r] for r in range(R)):
            continue  # contains a wildcard: bound only
        dup = (keep_path == ch[:, None, :]).all(axis=2).any(axis=1)
        worst = np.argmin(keep_rc, axis=1)
        upd = (rc > 1e-6) & ~dup & (rc > keep_rc[rows, worst])
        if upd.any():
            sel = rows[upd]
            keep_rc[sel, worst[upd]] = rc[upd]
            keep_val[sel, worst[upd]] = val[upd] + price_ext[ch[upd]].sum(axis=1)
            keep_path[sel, worst[upd]] = ch[upd]
    out = []
    for c in np.flatnonzero(np.isfinite(keep_rc).any(axis=1)):
        for w in np.argsort(-keep_rc[c], kind="stable"):
            if np.isfinite(keep_rc[c, w]):
                out.append((int(c), tuple(int(x) for x in keep_path[c, w]),
                            float(keep_rc[c, w]), float(round(keep_val[c, w]))))
    return out, best_ub


def _class_combos(d: SeatData, c: int, opts: list[list[int]]
                  ) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Every combination of the per-round options of class c, with value and legality."""
    combos = list(itertools.product(*opts))
    if not combos:
        return [], np.zeros(0), np.zeros(0, dtype=bool)
    ch = np.array(combos, dtype=np.int64).reshape(len(combos), d.R)
    val, legal = _path_values(d, d.score, d.wished, d.proj, d.theme,
                              np.arange(d.S + d.R) < d.S, np.full(len(combos), c), ch)
    return combos, val, legal


def _greedy(d: SeatData, cap: list[int], room_rows: dict, prefs: dict[int, list],
            stop: StopAt | None = None
            ) -> tuple[list[tuple[int, tuple[int, ...], int, float]], int]:
    """Seat classes in registration order on their preferred paths while seats remain, else
    on a legal path through the emptiest sessions. Returns ``(c, path, count, value)`` rows
    and the number of members left unseated. Used for a feasible start of the master LP and
    to complete a rounded LP solution."""
    rem = np.array(cap, dtype=np.int64)
    room_of: dict[int, list[list[int]]] = {}
    room_rem = []
    for (_r, _room, rcap), ss in room_rows.items():
        cell = [rcap]
        room_rem.append(cell)
        for i in ss:
            room_of.setdefault(i, []).append(cell)
    out = []

    def room_left(i: int) -> int:
        return min((cell[0] for cell in room_of.get(i, ())), default=10**9)

    def take(c: int, path: tuple[int, ...], k: int, val: float) -> None:
        for i in path:
            if i < d.S:
                rem[i] -= k
                for cell in room_of.get(i, ()):
                    cell[0] -= k
        out.append((c, path, k, val))

    left = 0
    # first pass: quotas (a rounded LP solution), second pass: preferences, then fallback
    for c in range(d.C):
        for path, val, quota in prefs.get(c, ()):
            if quota:
                k = min([quota] + [min(int(rem[i]), room_left(i)) for i in path if i < d.S])
                if k > 0:
                    take(c, path, k, val)
    seated = np.zeros(d.C, dtype=np.int64)
    for c, _p, k, _v in out:
        seated[c] += k
    for c in range(d.C):
        need = int(d.n[c] - seated[c])
        for path, val, _quota in prefs.get(c, ()):
            if need <= 0:
                break
            k = min([need] + [min(int(rem[i]), room_left(i)) for i in path if i < d.S])
            if k > 0:
                take(c, path, k, val)
                need -= k
        tries = 0
        while need > 0 and tries < 3 and not (stop is not None and stop.is_set()):
            tries += 1
            # like a self-service agenda, but legal: per round the best-scoring sessions
            # that still have seats, plus the emptiest ones as legal fallbacks
            opts = []
            for r in range(d.R):
                cols = d.choices_of_round[r]
                ok = [int(i) for i in cols if d.score[c, i] > NEG / 2
                      and (i >= d.S or min(int(rem[i]), room_left(i)) > 0)]
                by_score = sorted(ok, key=lambda i: (-d.score[c, i], -rem[i] if i < d.S
                                                     else 0, i))[:4]
                by_room = sorted(ok, key=lambda i: (-(rem[i] if i < d.S else -1), i))[:2]
                opts.append(list(dict.fromkeys(by_score + by_room)))
            if math.prod(len(o) for o in opts) <= ENUM_LIMIT:
                combos, val, legal = _class_combos(d, c, opts)
                if not legal.any():
                    break
                pick = int(np.argmax(np.where(legal, val, -np.inf)))
                best = (tuple(combos[pick]), float(round(val[pick])))
            else:
                # many rounds: the best legal path through the sessions that still have
                # seats, by the search (polynomial in the rounds, unlike the combinations)
                open_ = np.array([i >= d.S or min(int(rem[i]), room_left(i)) > 0
                                  for i in range(d.S + d.R)])
                found = _best_path(d, c, open_)
                if found is None:
                    break
                best = found
            k = min([need] + [min(int(rem[i]), room_left(i)) for i in best[0] if i < d.S])
            if k <= 0:
                break
            take(c, best[0], k, best[1])
            need -= k
        left += max(0, need)
    return out, left


def _best_path(d: SeatData, c: int, allowed: np.ndarray
               ) -> tuple[tuple[int, ...], float] | None:
    """Class c's best legal path using only ``allowed`` choices, with its value (None if
    the search finds none within its budget)."""
    red = _reduced_values(d, np.zeros(d.S + d.R), slice(c, c + 1))
    red[0, ~allowed] = NEG
    paths, _complete = search_class(_path_rules(d), red[0], d.wished[c],
                                    bool(d.has_wishes[c]), None, None, -math.inf, 1,
                                    budget=GREEDY_NODES)
    if not paths:
        return None
    # at zero prices the search's value is the path's exact value (penalties included)
    value, path = paths[0]
    return path, float(round(value))


class _Master:
    """The path master LP, kept alive so that new columns are added incrementally."""

    def __init__(self, d: SeatData, cap: list[int], min_aud: list[int],
                 room_rows: dict, always_held: bool):
        self.d = d
        # GLOP (exact simplex) for normal days; PDLP (first-order) for very large ones, where
        # simplex re-solves take minutes. Inexact PDLP duals are fine: the bound is a
        # Lagrangian bound, valid for any prices, and the primal is rounded and repaired.
        self.large = d.C > LARGE_CLASSES
        self.solver = pywraplp.Solver.CreateSolver("PDLP" if self.large else "GLOP")
        s = self.solver
        inf = s.infinity()
        self.obj = s.Objective()
        self.obj.SetMaximization()
        S = d.S
        self.cap_rows = [s.Constraint(-inf, cap[i]) for i in range(S)]
        self.min_rows: dict[int, Any] = {}
        self.arts = []
        if always_held:
            for i in range(S):
                if min_aud[i] > 0:
                    row = s.Constraint(min_aud[i], inf)
                    a = s.NumVar(0, inf, "")
                    row.SetCoefficient(a, 1)
                    self.obj.SetCoefficient(a, -BIG)
                    self.arts.append(a)
                    self.min_rows[i] = row
        self.room_rows = {}
        self.room_sessions: dict[tuple, list[int]] = {}
        self.room_of_session: dict[int, list] = {}
        for key, ss in room_rows.items():
            row = s.Constraint(-inf, key[2])
            self.room_rows[key[:2]] = row
            self.room_sessions[key[:2]] = ss
            for i in ss:
                self.room_of_session.setdefault(i, []).append(row)
        self.cls_rows = []
        for c in range(d.C):
            row = s.Constraint(float(d.n[c]), float(d.n[c]))
            a = s.NumVar(0, inf, "")
            row.SetCoefficient(a, 1)
            self.obj.SetCoefficient(a, -BIG)
            self.arts.append(a)
            self.cls_rows.append(row)
        self.cols: list[tuple[int, tuple[int, ...], float]] = []
        self.vars = []
        self.known: set[tuple[int, tuple[int, ...]]] = set()

    def add(self, c: int, path: tuple[int, ...], value: float) -> bool:
        if (c, path) in self.known:
            return False
        self.known.add((c, path))
        v = self.solver.NumVar(0, self.solver.infinity(), "")
        self.obj.SetCoefficient(v, value)
        self.cls_rows[c].SetCoefficient(v, 1)
        for i in path:
            if i < self.d.S:
                self.cap_rows[i].SetCoefficient(v, 1)
                if i in self.min_rows:
                    self.min_rows[i].SetCoefficient(v, 1)
                for row in self.room_of_session.get(i, ()):
                    row.SetCoefficient(v, 1)
        self.cols.append((c, path, value))
        self.vars.append(v)
        return True

    def solve(self, deadline: float = math.inf) -> bool:
        if math.isfinite(deadline):
            self.solver.SetTimeLimit(max(1, int(1000 * (deadline - time.monotonic()))))
        st = self.solver.Solve()
        return st == pywraplp.Solver.OPTIMAL or (
            self.large and st == pywraplp.Solver.FEASIBLE)

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        """Session prices from the row duals, clipped to their valid signs (capacity >= 0,
        min-audience <= 0) so that the Lagrangian bound stays valid with inexact duals."""
        d = self.d
        price = np.zeros(d.S + d.R)
        self.pi = {}
        for i in range(d.S):
            pi = max(0.0, self.cap_rows[i].dual_value())
            self.pi[("cap", i)] = pi
            price[i] = pi
            if i in self.min_rows:
                rho = min(0.0, self.min_rows[i].dual_value())
                self.pi[("min", i)] = rho
                price[i] += rho
        for key, row in self.room_rows.items():
            pi = max(0.0, row.dual_value())
            self.pi[("room", key)] = pi
            for i in self.room_sessions[key]:
                price[i] += pi
        mu = np.array([row.dual_value() for row in self.cls_rows])
        return price, mu

    def lagrangian_bound(self, price: np.ndarray, mu: np.ndarray, ub: np.ndarray) -> float:
        """Upper bound valid for ANY non-negative prices (Lagrangian relaxation of the seat
        rows): sum of priced right-hand sides + each class's best path value at those prices
        (``ub + mu`` bounds it, see :func:`_price`)."""
        total = 0.0
        for (kind, key), v in self.pi.items():
            if kind == "cap":
                total += v * self.cap_rows[key].ub()
            elif kind == "min":
                total += v * self.min_rows[key].lb()
            else:
                total += v * self.room_rows[key].ub()
        best = np.maximum(ub + mu, NEG)
        return total + float(np.sum(self.d.n * best))


def solve_seating(inst: Instance, place: Placement, *, time_limit: float, seed: int = 0,
                  workers: int = 1, always_held: bool = False,
                  progress: Callable[[float, float | None, float | None], None] | None = None,
                  stop: threading.Event | None = None, t0: float | None = None
                  ) -> SeatResult:
    """Seat everyone for the programme ``place``; see the module docstring."""
    t_start = time.monotonic()
    t0 = t0 if t0 is not None else t_start
    deadline = t_start + time_limit
    stop = StopAt(stop, deadline)
    d = SeatData(inst, place)
    S, R = d.S, d.R
    cap = [inst.session_capacity(s, place.room_of[i]) for i, s in enumerate(inst.sessions)]
    min_aud = [s.min_audience for s in inst.sessions]
    rr: dict[tuple[int, str], list[int]] = {}
    for i in range(S):
        rr.setdefault((place.round_of[i], place.room_of[i]), []).append(i)
    room_rows = {(r, room, inst.rooms[room].capacity): ss for (r, room), ss in rr.items()
                 if sum(cap[i] for i in ss) > inst.rooms[room].capacity}
    master = _Master(d, cap, min_aud, room_rows, always_held)
    K = 4 if R <= 3 else 3 if R <= 4 else 2
    widest = max(len(c) for c in d.choices_of_round)
    # initial columns: each class's best paths at zero prices, plus a greedy seating so that
    # the first LP is feasible without artificial units (much faster to solve)
    zero = np.zeros(S + R)
    searching = _enum_size(d, K) > ENUM_LIMIT
    init, ub0 = _price(d, zero, np.full(d.C, -1e8), K, want=2 if searching else 4,
                       deadline=t_start + 0.3 * time_limit)
    prefs: dict[int, list] = {}
    for c, path, _rc, val in init:
        master.add(c, path, val)
        prefs.setdefault(c, []).append((path, val, 0))
    start_rows = None
    # the flow start also on days priced by search (many rounds): the greedy below seats
    # class by class and can fail where the round flows find a seating
    if (master.large or searching) and not always_held:
        # very large days: each class's favourite path, made feasible round by round by
        # exact min-cost flows and improved by them (scheduler.refine); much faster than the
        # greedy below, and a better schedule
        from . import refine
        fav = {c: prefs[c][0][0] for c in prefs}
        for c in range(d.C):  # classes the initial pricing had no time for
            if c not in fav:
                found = _best_path(d, c, np.ones(d.S + d.R, dtype=bool))
                if found is not None:
                    fav[c] = found[0]
        try:
            if len(fav) < d.C:
                # a class with no legal path at all: a start without its members would seat
                # only part of the day (and crashed the LP rounding, which needs every
                # class's favourite); the greedy, the MIP or the infeasibility proof decide
                raise RuntimeError("a class has no legal path")
            cls_p, paths_p = refine.expand(d, {c: [(fav[c], int(d.n[c]))] for c in fav})
            paths_p = refine.repair_and_improve(d, cls_p, paths_p, cap, min_aud, room_rows,
                                                cycles=LNS_CYCLES, stop=stop)
            start_rows = refine.to_rows(d, cls_p, paths_p)
        except RuntimeError as e:
            if _DEBUG:
                print(f"flow start failed: {e}")
            start_rows = None  # no feasible flow from that start: use the greedy
    if start_rows is not None:
        greedy_rows = start_rows
    else:
        # a schedule first: 40 % of the limit from now (the pricing may have used 30 %)
        greedy_rows, _ = _greedy(d, cap, room_rows, prefs,
                                 StopAt(stop, time.monotonic() + 0.4 * time_limit))
    for c, path, _k, val in greedy_rows:
        master.add(c, path, val)
    # the Lagrangian bound at zero prices (every class on its best path, no seat limits): a
    # fallback in case the first LP's prices give a worse one and the safety net fires
    best_bound = math.inf
    if np.isfinite(ub0).all():
        best_bound = float(np.sum(d.n * (ub0 - 1e8)))
    lp_value = -math.inf
    dirty = True
    lp_ok = False
    # very large days: a fixed number of column-generation rounds (a work limit, so the
    # result does not depend on the machine's speed); the wall clock is only a safety net
    max_iters = LARGE_CG_ITERS if master.large else 200
    cg_deadline = t_start + (0.7 if master.large else 0.6) * time_limit
    for _it in range(max_iters):
        if stop.is_set():
            break
        ts = time.monotonic()
        if not master.solve(deadline):
            break
        dirty = False
        lp_ok = True
        tl = time.monotonic() - ts
        lp_value = master.solver.Objective().Value()
        price, mu = master.duals()
        ts = time.monotonic()
        # the search proves each class's best path: asking it for a second one costs more
        # search than it brings (measured on 8 rounds)
        new, ub = _price(d, price, mu, K, want=1 if searching else 2, deadline=cg_deadline)
        if _DEBUG:
            print(f"it {_it} K {K} lp {lp_value:.0f} lp_s {tl:.2f} price_s "
                  f"{time.monotonic() - ts:.2f} cols {len(master.cols)} new {len(new)}")
        bound = master.lagrangian_bound(price, mu, ub)
        best_bound = min(best_bound, bound)
        if progress:
            progress(time.monotonic() - t0, None, best_bound)
        if time.monotonic() > cg_deadline or _it == max_iters - 1:
            break
        added = 0
        for c, path, _rc, val in new:
            if master.add(c, path, val):
                added += 1
                dirty = True
        if stop is not None and stop.is_set():
            break
        if best_bound - lp_value <= 1e-6 * max(1.0, abs(lp_value)):
            break
        if added == 0:
            # no improving path among the candidates, but the bound still allows one
            # outside them: widen the candidate lists (the bound tightens as K grows)
            if searching or widest <= K or K ** R > 4096:
                break  # (the search prices exactly: nothing to widen)
            K += 2
    if dirty:
        # columns were added after the last solve: values must be fresh (a short grace)
        lp_ok = master.solve(deadline + 1.0)
    # an LP stopped by its time limit has no values: then nothing to round (the flow start
    # or the greedy seats everyone)
    x = ([v.solution_value() for v in master.vars] if lp_ok else [0.0] * len(master.vars))
    prefs = {c: sorted(v, key=lambda t: -t[1]) for c, v in prefs.items()}
    lp_art = not lp_ok or any(a.solution_value() > 1e-7 for a in master.arts)
    cols = master.cols
    res = None
    if not lp_art and all(abs(v - round(v)) < 1e-6 for v in x):
        counts = {j: int(round(v)) for j, v in enumerate(x) if v > 0.5}
        att = [0] * S
        for j, k in counts.items():
            for i in cols[j][1]:
                if i < S:
                    att[i] += k
        if all((att[i] == 0 and not always_held) or att[i] >= min_aud[i] for i in range(S)):
            res = (round(sum(cols[j][2] * k for j, k in counts.items())), counts, False)
    if res is None and master.large and start_rows is not None:
        res = _lp_round_and_improve(d, cols, x, cap, min_aud, room_rows, start_rows, stop)
    if res is None and master.large:
        res = _round_and_repair(d, cols, x, cap, min_aud, room_rows, always_held, prefs)
    if res is None and not stop.is_set():
        remaining = max(0.01, deadline - time.monotonic())
        # Programme mode (sessions always held): first the MIP on the generated paths only
        # (small, fast): if it reaches the Lagrangian bound it is optimal for the real
        # problem. (On fixed days it rarely does, so it would only cost time.)
        res = None
        if always_held:
            res = _solve_mip(d, cols, cap, min_aud, room_rows, always_held, remaining, x,
                             stop)
        reached = (res is not None and not res[2]
                   and res[0] >= math.floor(best_bound + 1e-6))
        if (res is None or not reached) and not stop.is_set():
            # On small days list every legal path: then the MIP's own optimality proof is a
            # proof for the real problem (the LP bound is weak when min_audience binds).
            remaining = max(0.01, deadline - time.monotonic())
            n_before = len(cols)
            complete = _all_paths(d, cols, limit=50_000)
            if complete or res is None:
                full = _solve_mip(d, cols, cap, min_aud, room_rows, always_held, remaining,
                                  x, stop)
                if full is not None and complete and full[3]:
                    best_bound = min(best_bound, float(full[0]))
                if full is not None and (res is None or res[2] or (
                        not full[2] and full[0] >= res[0])):
                    res = full
                elif res is not None:
                    del cols[n_before:]  # keep the column list that res's counts index
        res = res[:3] if res is not None else None
    if (res is None or res[2]) and start_rows is not None:
        # out of time (or the MIP found nothing): the flow start, improved from the rounded
        # LP if there is time, so that a feasible schedule is not lost for want of a proof
        res = _lp_round_and_improve(d, cols, x, cap, min_aud, room_rows, start_rows, stop)
    if res is None or res[2]:
        # a short grace past the deadline for the last resort (the wall is limit + 2 s)
        res = _round_and_repair(d, cols, x, cap, min_aud, room_rows, always_held, prefs,
                                StopAt(None, max(deadline, time.monotonic()) + 1.0))
    if res is None or res[2]:
        return SeatResult("UNKNOWN", None, best_bound, {}, best_bound)
    obj, counts, _ = res
    # canonical person-level read-out: members in id order take paths in path order
    per_class: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for j, k in counts.items():
        c, path, _ = cols[j]
        per_class.setdefault(c, []).append((path, k))
    sessions_of: dict[str, dict[str, str]] = {}
    for c in range(d.C):
        members = sorted(d.members[c])
        pos = 0
        for path, k in sorted(per_class.get(c, [])):
            for m in members[pos:pos + k]:
                sessions_of[m] = {inst.round_ids[r]: inst.sessions[i].id
                                  for r, i in enumerate(path) if i < S}
            pos += k
    bound_int = math.floor(best_bound + 1e-6)
    status = "OPTIMAL" if obj >= bound_int else "FEASIBLE"
    return SeatResult(status, obj, float(max(bound_int, obj)), sessions_of, best_bound)


def _lp_round_and_improve(d: SeatData, cols, x, cap, min_aud, room_rows, start_rows, stop):
    """Large days: round the LP solution per person, repair and improve it with the round
    min-cost flows (scheduler.refine); keep it if it beats the start schedule."""
    from . import refine
    fav: dict[int, tuple[int, ...]] = {}
    for c, path, _k, _v in start_rows:
        fav.setdefault(c, path)
    best = start_rows
    best_val = sum(k * v for _c, _p, k, v in start_rows)
    try:
        cls_p, paths_p = refine.lp_start(d, cols, x, fav)
        paths_p = refine.repair_and_improve(d, cls_p, paths_p, cap, min_aud, room_rows,
                                            cycles=LNS_CYCLES, stop=stop)
        rows = refine.to_rows(d, cls_p, paths_p)
        val = sum(k * v for _c, _p, k, v in rows)
        if val > best_val:
            best, best_val = rows, val
    except RuntimeError:
        pass  # no feasible re-seating from the rounded LP: keep the start schedule
    cols[:] = [(c, path, v) for c, path, _k, v in best]
    return round(best_val), {j: best[j][2] for j in range(len(best))}, False


def _round_and_repair(d: SeatData, cols, x, cap, min_aud, room_rows, always_held, prefs,
                      stop: StopAt | None = None):
    """Large days: keep the integral part of the LP solution, seat the rest greedily, and
    close sessions whose audience ends below min_audience (then re-seat), a few times. The
    plain greedy (no LP quotas) is tried too and the better of the two kept, because an LP
    stopped early by the time limit can be a poor guide."""
    best = None
    for use_lp in (True, False):
        got = _repair(d, cols, x if use_lp else [], cap, min_aud, room_rows, always_held,
                      prefs, stop)
        if got is not None and (best is None or got[0] > best[0]):
            best = got
    if best is None:
        return None
    value, rows = best
    cols[:] = [(c, path, val) for c, path, _k, val in rows]
    return value, {j: rows[j][2] for j in range(len(rows))}, False


def _repair(d: SeatData, cols, x, cap, min_aud, room_rows, always_held, prefs,
            stop: StopAt | None = None):
    cap = list(cap)
    for _attempt in range(4):
        quota: dict[int, list] = {}
        for j, v in enumerate(x):
            if v > 1e-3:
                c, path, val = cols[j]
                if all(cap[i] > 0 for i in path if i < d.S):
                    quota.setdefault(c, []).append((path, val, int(math.floor(v + 1e-3))))
        for c in quota:
            quota[c].sort(key=lambda t: (-t[2], -t[1]))
        merged = {c: quota.get(c, []) + [(p, v, 0) for p, v, _q in prefs.get(c, ())]
                  for c in set(quota) | set(prefs)}
        rows, left = _greedy(d, cap, room_rows, merged, stop)
        if left:
            return None
        att = [0] * d.S
        for _c, path, k, _v in rows:
            for i in path:
                if i < d.S:
                    att[i] += k
        short = [i for i in range(d.S) if 0 < att[i] < min_aud[i]
                 or (always_held and att[i] < min_aud[i])]
        if not short:
            return round(sum(v * k for _c, _p, k, v in rows)), rows
        if always_held:
            return None  # cannot close a session that must be held: leave it to the MIP
        for i in short:
            cap[i] = 0
    return None


def _solve_mip(d: SeatData, cols, cap, min_aud, room_rows, always_held, time_limit, x_lp,
               stop):
    """Integer path counts on the generated columns: (objective, counts, used_artificial)."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    inf = solver.infinity()
    S = d.S
    obj = solver.Objective()
    obj.SetMaximization()
    xs = []
    by_session: list[list] = [[] for _ in range(S)]
    by_class: list[list] = [[] for _ in range(d.C)]
    for (c, path, v) in cols:
        var = solver.IntVar(0, float(d.n[c]), "")
        xs.append(var)
        obj.SetCoefficient(var, v)
        by_class[c].append(var)
        for i in path:
            if i < S:
                by_session[i].append(var)
    arts = []
    for c in range(d.C):
        row = solver.Constraint(float(d.n[c]), float(d.n[c]))
        a = solver.IntVar(0, float(d.n[c]), "")
        obj.SetCoefficient(a, -BIG)
        arts.append(a)
        row.SetCoefficient(a, 1)
        for v in by_class[c]:
            row.SetCoefficient(v, 1)
    for i in range(S):
        row = solver.Constraint(-inf, cap[i])
        for v in by_session[i]:
            row.SetCoefficient(v, 1)
        if min_aud[i] > 0:
            low = solver.Constraint(0, inf)
            for v in by_session[i]:
                low.SetCoefficient(v, 1)
            if always_held:
                low.SetBounds(min_aud[i], inf)
            else:
                op = solver.BoolVar("")
                low.SetCoefficient(op, -min_aud[i])
                row.SetCoefficient(op, -cap[i])
                row.SetBounds(-inf, 0)
    for (_r, _room, rcap), ss in room_rows.items():
        row = solver.Constraint(-inf, rcap)
        for i in ss:
            for v in by_session[i]:
                row.SetCoefficient(v, 1)
    solver.SetTimeLimit(int(time_limit * 1000))
    solver.SuppressOutput()
    with watch_stop(stop, solver.InterruptSolve):
        st = solver.Solve()
    if st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    proven = st == pywraplp.Solver.OPTIMAL
    counts = {j: int(round(v.solution_value())) for j, v in enumerate(xs)
              if v.solution_value() > 0.5}
    artificial = any(a.solution_value() > 0.5 for a in arts)
    value = round(sum(cols[j][2] * k for j, k in counts.items()))
    return value, counts, artificial, proven and not artificial


def _all_paths(d: SeatData, cols: list, limit: int) -> bool:
    """Append every legal path of every class to ``cols`` if there are at most ``limit``
    candidate combinations in all; return whether the column set is now complete."""
    per_class = []
    total = 0
    for c in range(d.C):
        opts = [[int(i) for i in d.choices_of_round[r] if d.score[c, i] > NEG / 2]
                for r in range(d.R)]
        total += math.prod(len(o) for o in opts)
        if total > limit:
            return False
        per_class.append(opts)
    known = {(c, p) for c, p, _v in cols}
    for c, opts in enumerate(per_class):
        combos, val, legal = _class_combos(d, c, opts)
        for k, path in enumerate(combos):
            if legal[k] and (c, path) not in known:
                cols.append((c, path, float(round(val[k]))))
    return True
