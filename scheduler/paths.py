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
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from ortools.linear_solver import pywraplp

from .instance import Instance
from .person_mip import Background, MipOutcome, model_size, solve_person_mip
from .pricing import (
    PathRules,
    WishTable,
    assignment_bound,
    relaxed_best,
    search_class,
    suffix_bounds,
    wish_bound,
    wish_table,
)
from .seatdata import NEG, Placement, SeatData, path_values  # noqa: F401  (Placement: re-exported)
from .stopping import AnyOf, StopAt, watch_stop  # noqa: F401  (re-exported: diagnosis imports it)

_DEBUG = bool(os.environ.get("SCHEDULER_DEBUG"))
BIG = 10**5  # objective cost of one artificial (unseated / missing-audience) unit
LARGE_CLASSES = 3000  # above this many classes: PDLP and LP rounding instead of a MIP
LARGE_CG_ITERS = 3  # column-generation rounds on very large days (deterministic work limit)
ENUM_LIMIT = 3000  # above this many combinations per class, price by search (pricing.py)
GREEDY_NODES = 40  # search nodes for one class's path in the greedy (a heuristic)
LNS_CYCLES = 4  # cycles over the rounds of the min-cost-flow local search (scheduler.refine)
# The per-person MIP (scheduler.person_mip) follows the path strategies on days priced by
# search (many rounds) with at most this many binaries, and the path strategies then get
# PATH_SHARE of the limit (the rest is the MIP's, plus whatever they leave unused).
PERSON_MIP_MAX = 80_000
PATH_SHARE = 0.5
PERSON_MIP_NODES = 2000  # work limit of the per-person MIP when it follows the paths
ALL_PATHS_LIMIT = 50_000  # SCIP on every legal path up to this many
MIP_ABS_GAP = 0.99  # SCIP's optimality gap on the path MIP (integer objective: a proof)
# Start columns by the vectorised wish programme, and pricing by search, above this many
# class x combination evaluations of the enumeration (3-round days keep the enumeration)
FAST_START_WORK = 1_000_000
# Very large days (scheduler.refine.construct, then the round local search): the share of
# the time left after the first schedule kept for the subgradient bound and the priced
# start (the round local search gained 0.2 % at 10,000 people, the priced start 2 % on
# 400 people), the subgradient's work limit
# and first step factor (Polyak), and the share of the limit that, still left after the
# local search, sends the day on to the path LP instead
LARGE_BOUND_SHARE = 0.6
SUBGRADIENT_ITERS = 150
SG_THETA = 1.0
LARGE_LP_SHARE = 0.5


@dataclass
class SeatResult:
    status: str  # OPTIMAL / FEASIBLE / UNKNOWN
    objective: int | None
    bound: float
    sessions: dict[str, dict[str, str]]  # participant -> round id -> session id
    lp_bound: float


def _price(d: SeatData, price: np.ndarray, mu: np.ndarray, K: int, want: int,
           deadline: float = math.inf, big_search: bool = True
           ) -> tuple[list[tuple[int, tuple[int, ...], float, float]], np.ndarray]:
    """Best paths by reduced cost and a valid bound of each class's best reduced cost.

    Two pricers, picked by the size of the enumeration: on days with few rounds (3-round
    days: a few hundred combinations) enumerating every round's best choices together in one
    numpy pass is fastest (:func:`_price_enum`); beyond ``ENUM_LIMIT`` combinations (K^R
    grows exponentially with the rounds) the exact search over rounds of
    :mod:`scheduler.pricing` is used, whose cost is polynomial in the rounds."""
    if _enum_size(d, K) > ENUM_LIMIT or (big_search
                                         and d.C * _enum_size(d, K) > FAST_START_WORK):
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
    # (classes the clock leaves unsearched keep this bound: the tighter of the two)
    ub = np.minimum(relaxed_best(rules, A, B, every),
                    wish_bound(rules, _wish_table(d), red)[0]) - mu
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
    val, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
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
            best_ub = np.maximum(best_ub, _class_bounds(d, price) - mu)
            break
        ch = np.stack([cand_rounds[r][:, combo[r]] for r in range(R)], axis=1)
        val, legal = path_values(d, score, wished, proj, theme, real, rows, ch)
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
    val, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
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


class Seated(NamedTuple):
    """An integer seating on the column list ``cols``: its objective, people per column
    index, whether artificial units (people left unseated) remain, and whether a MIP proved
    it optimal over its columns."""

    objective: int
    counts: dict[int, int]
    artificial: bool
    proven: bool = False


@dataclass
class _Seating:
    """What the strategies of one seating share: the data, seat limits, the master LP with
    its columns, the clocks, and what earlier strategies found (bound, LP values, starts)."""

    inst: Instance
    place: Placement
    d: SeatData
    cap: list[int]
    min_aud: list[int]
    room_rows: dict
    always_held: bool
    master: _Master
    stop: StopAt  # the caller's stop event and the seating's deadline
    t_start: float
    t0: float
    deadline: float
    path_deadline: float  # the path strategies' deadline (earlier when the person MIP follows)
    path_limit: float  # their share of the limit (the fractions below are of it)
    progress: Callable[[float, float | None, float | None], None] | None
    seed: int
    K: int
    searching: bool
    person_mip: bool  # the per-person MIP may run on this day (size, shape)
    portfolio: bool  # ... in a helper thread beside the path strategies (two workers)
    prefs: dict[int, list] = field(default_factory=dict)
    start_rows: list | None = None
    ub0: np.ndarray | None = None
    best_bound: float = math.inf
    x: list[float] = field(default_factory=list)
    lp_ok: bool = False
    background: Background | None = None
    person_tried: bool = False  # the per-person MIP ran after the paths already
    converged: bool = False  # column generation ended with the bound at the LP value
    caller_stop: StopAt | None = None  # the caller's stop and the deadline only
    mip_proven: threading.Event = field(default_factory=threading.Event)
    construct: bool = True  # the round-flow construction first (not for a bound alone)


def solve_seating(inst: Instance, place: Placement, *, time_limit: float, seed: int = 0,
                  workers: int = 1, always_held: bool = False,
                  progress: Callable[[float, float | None, float | None], None] | None = None,
                  stop: threading.Event | None = None, t0: float | None = None
                  ) -> SeatResult:
    """Seat everyone for the programme ``place``: the strategies of ``PIPELINE`` in turn
    (see the module docstring and docs/scheduler.md)."""
    ctx = _context(inst, place, time_limit, seed, workers, always_held, progress, stop, t0)
    res: Seated | None = None
    try:
        for _name, strategy in PIPELINE:
            res = strategy(ctx, res)
            if _DEBUG:
                print(f"{_name} done at {time.monotonic() - ctx.t0:.2f} s")
    finally:
        if ctx.background is not None:
            ctx.background.cancel(wait=2.0)
    return _read_out(ctx, res)


@dataclass
class SeatLimits:
    """The seat counting of a seating: per choice capacity and min_audience, and rows
    ``sum of people in these sessions <= limit`` keyed ``(round, room, limit)`` (a room's
    capacity shared by its tables; the programme relaxation adds rows of its own)."""

    cap: list[int]
    min_aud: list[int]
    rows: dict[tuple, list[int]]


def seat_limits(inst: Instance, place: Placement) -> SeatLimits:
    cap = [inst.session_capacity(s, place.room_of[i]) for i, s in enumerate(inst.sessions)]
    min_aud = [s.min_audience for s in inst.sessions]
    rr: dict[tuple[int, str], list[int]] = {}
    for i in range(len(inst.sessions)):
        rr.setdefault((place.round_of[i], place.room_of[i]), []).append(i)
    rows = {(r, room, inst.rooms[room].capacity): ss for (r, room), ss in rr.items()
            if sum(cap[i] for i in ss) > inst.rooms[room].capacity}
    return SeatLimits(cap, min_aud, rows)


def _context(inst: Instance, place: Placement, time_limit: float, seed: int, workers: int,
             always_held: bool, progress, stop, t0: float | None,
             data: SeatData | None = None, limits: SeatLimits | None = None) -> _Seating:
    t_start = time.monotonic()
    deadline = t_start + time_limit
    d = data if data is not None else SeatData(inst, place)
    lim = limits if limits is not None else seat_limits(inst, place)
    cap, min_aud, room_rows = lim.cap, lim.min_aud, lim.rows
    master = _Master(d, cap, min_aud, room_rows, always_held)
    K = 4 if d.R <= 3 else 3 if d.R <= 4 else 2
    searching = _enum_size(d, K) > ENUM_LIMIT
    person = (not always_held and not master.large and model_size(d) <= PERSON_MIP_MAX)
    # the helper thread only on days priced by search (many rounds): its result depends on
    # the clock, and 3-round days keep the deterministic path pipeline that wins there
    portfolio = person and searching and workers >= 2
    # alone (one worker), the MIP follows the paths: on days priced by search they leave
    # it part of the limit
    path_limit = time_limit * (PATH_SHARE if person and searching and not portfolio else 1.0)
    proven = threading.Event()  # set by the per-person MIP when it proves its optimum
    ctx = _Seating(inst, place, d, cap, min_aud, room_rows, always_held, master,
                   StopAt(AnyOf(stop, proven), deadline), t_start,
                   t0 if t0 is not None else t_start, deadline, t_start + path_limit,
                   path_limit, progress, seed, K, searching, person, portfolio)
    ctx.caller_stop = StopAt(stop, deadline)
    ctx.mip_proven = proven
    return ctx


def lagrangian_bound(inst: Instance, place: Placement, data: SeatData, limits: SeatLimits,
                     *, time_limit: float, stop: threading.Event | None = None) -> float:
    """Only the bound of the path formulation (start columns and column generation, no
    integer solution) for seat data and limits given by the caller: the programme-mode
    relaxation (scheduler.programme.placement_bound) prices its virtual sessions with it.
    ``inf`` unless column generation converged (the bound met the LP value): a bound cut
    short by the clock would depend on the machine's speed."""
    ctx = _context(inst, place, time_limit, 0, 1, False, None, stop, None, data, limits)
    ctx.person_mip = False
    ctx.construct = False  # (the programme relaxation's virtual day needs no schedule)
    _start_columns(ctx, None)
    _column_generation(ctx, None)
    return ctx.best_bound if ctx.converged else math.inf


def _launch_person_mip(ctx: _Seating, hint: list | None) -> None:
    """Start the per-person MIP beside the path strategies (portfolio mode, once)."""
    if ctx.portfolio and ctx.background is None and not ctx.stop.is_set():
        ctx.background = Background(ctx.d, ctx.cap, ctx.min_aud, ctx.room_rows,
                                    ctx.always_held, deadline=ctx.deadline,
                                    stop=ctx.caller_stop, seed=ctx.seed, hint=hint,
                                    proven=ctx.mip_proven)


def _start_columns(ctx: _Seating, res: Seated | None) -> Seated | None:
    """Initial columns: each class's best paths at zero prices, plus a first schedule (the
    round flows or a greedy) so that the first LP is feasible without artificial units."""
    d, master = ctx.d, ctx.master
    if master.large:
        start = _large_start(ctx)
        if start is not None:
            return start
    if ctx.searching:
        # many rounds: the paths' bound is often loose there, so the MIP starts at once (on
        # a loaded machine the start columns alone took seconds; HiGHS finds its own first
        # schedules on those days)
        _launch_person_mip(ctx, None)
    if ctx.start_rows is None and ctx.construct:
        # a first schedule before anything else: the round flows are fast, so there is
        # one even when a loaded machine left the limit nearly spent (a 10-round day ended
        # UNKNOWN with 4 s from the command line when this came after the pricing)
        ctx.start_rows = _constructed_rows(ctx)
        if ctx.start_rows is not None and (master.large or ctx.searching):
            ctx.start_rows = _improved_rows(ctx, ctx.start_rows)
    zero = np.zeros(d.S + d.R)
    # (not for the programme relaxation's bound alone: its convergence in the time given
    # decides whether it counts, and the enumeration there kept it deterministic)
    if ctx.construct and not ctx.searching and d.C * _enum_size(d, ctx.K) > FAST_START_WORK:
        init, ctx.ub0 = _fast_start(d, -1e8)
    else:
        init, ctx.ub0 = _price(d, zero, np.full(d.C, -1e8), ctx.K,
                               want=2 if ctx.searching else 4,
                               deadline=ctx.t_start + 0.3 * ctx.path_limit,
                               big_search=ctx.construct)
    for c, path, _rc, val in init:
        master.add(c, path, val)
        ctx.prefs.setdefault(c, []).append((path, val, 0))
    # the flow start also on days priced by search (many rounds): the greedy below seats
    # class by class and can fail where the round flows find a seating
    if (master.large or ctx.searching) and not ctx.always_held and ctx.start_rows is None:
        ctx.start_rows = _flow_start(ctx)
    first = ctx.start_rows
    if first is None:
        # a schedule first: 40 % of the limit from now (the pricing may have used 30 %)
        first, _ = _greedy(d, ctx.cap, ctx.room_rows, ctx.prefs,
                           StopAt(ctx.stop, time.monotonic() + 0.4 * ctx.path_limit))
    for c, path, _k, val in first:
        master.add(c, path, val)
    # the Lagrangian bound at zero prices (every class on its best path, no seat limits): a
    # fallback in case the first LP's prices give a worse one and the safety net fires
    if np.isfinite(ctx.ub0).all():
        ctx.best_bound = float(np.sum(d.n * (ctx.ub0 - 1e8)))
    return res


def _fast_start(d: SeatData, mu: float
                ) -> tuple[list[tuple[int, tuple[int, ...], float, float]], np.ndarray]:
    """Start columns and the zero-price bound in one vectorised pass: each class's best
    path of the wish programme (:func:`scheduler.pricing.wish_bound`), kept where it is
    legal (it relaxes only theme variety and repeated unwished projects). Same outputs as
    :func:`_price` at zero prices with class duals ``mu``. Why: enumerating at zero
    prices took 7 s of a 20 s limit on a 4-round, 2,000-person day (loaded machine); the
    column generation prices the rest."""
    rules = _path_rules(d)
    red = _reduced_values(d, np.zeros(d.S + d.R))
    val, chosen = wish_bound(rules, _wish_table(d), red, want_paths=True)
    ub = np.minimum(val, _class_bounds(d, np.zeros(d.S + d.R))) - mu
    exact, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
                               np.arange(d.S + d.R) < d.S, np.arange(d.C), chosen)
    out = [(c, tuple(int(x) for x in chosen[c]), float(exact[c] - mu),
            float(round(exact[c]))) for c in np.flatnonzero(legal)]
    return out, ub


def _constructed_rows(ctx: _Seating) -> list | None:
    """The round-by-round flow construction (:func:`scheduler.refine.construct`) as start
    rows, reported as the first schedule; None if it fails. Why before the greedy: on a
    4-round, 2,000-person day it took 0.9 s where the greedy took 11.5 s (loaded machine)
    and left one person unseated, and its schedule is worth 8 % more."""
    from . import refine
    # (with the last resort's grace past the deadline: a schedule late by a second beats
    # none; the caller's own stop event is obeyed at once)
    grace = StopAt(ctx.caller_stop.stop, max(ctx.deadline, time.monotonic()) + 1.0)
    try:
        cls_p, paths_p = refine.construct(ctx.d, ctx.cap, ctx.min_aud, ctx.room_rows,
                                          ctx.always_held, stop=grace)
    except RuntimeError:
        return None
    rows = refine.to_rows(ctx.d, cls_p, paths_p)
    if ctx.progress:
        ctx.progress(time.monotonic() - ctx.t0, round(sum(k * v for _c, _p, k, v in rows)),
                     ctx.best_bound if math.isfinite(ctx.best_bound) else None)
    return rows


def _improved_rows(ctx: _Seating, rows: list) -> list:
    """Start rows improved by the round local search (:mod:`scheduler.refine`), for the
    time the seating's stop allows."""
    from . import refine
    cls_p, paths_p = refine.expand(ctx.d, {c: [] for c in range(ctx.d.C)} | _per_class(rows))
    paths_p = refine.local_search(ctx.d, cls_p, paths_p, ctx.cap, ctx.min_aud, ctx.room_rows,
                                  max_cycles=LNS_CYCLES, stop=ctx.stop)
    return refine.to_rows(ctx.d, cls_p, paths_p)


def _per_class(rows: list) -> dict[int, list[tuple[tuple[int, ...], int]]]:
    out: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for c, path, k, _v in rows:
        out.setdefault(c, []).append((path, k))
    return out


def _large_start(ctx: _Seating) -> Seated | None:
    """Very large days: a first schedule within seconds by round-by-round min-cost flows
    (:func:`scheduler.refine.construct`), improved by the flow local search by round, and
    the subgradient bound (:func:`subgradient_bound`) in the time left. Why not the path
    LP: its start columns alone (a search per class, 9,000 classes) took a minute and more
    on a 10,000-person 6-round day, which then ended with no schedule at all. None when
    the construction fails, or when more than ``LARGE_LP_SHARE`` of the limit is left after
    the local search (then the path strategies follow, from its schedule in
    ``ctx.start_rows``)."""
    from . import refine
    d = ctx.d
    t_build = time.monotonic()
    try:
        cls_p, paths_p = refine.construct(d, ctx.cap, ctx.min_aud, ctx.room_rows,
                                          ctx.always_held, stop=ctx.caller_stop)
    except RuntimeError as e:
        if _DEBUG:
            print(f"construction failed: {e}")
        return None
    # (a repair cycle of the priced start below costs about one construction)
    t_build = time.monotonic() - t_build

    def publish(paths_now: np.ndarray) -> Seated:
        rows = refine.to_rows(d, cls_p, paths_now)
        ctx.start_rows = rows
        ctx.prefs = {}
        for c, path, _k, v in rows:
            ctx.prefs.setdefault(c, []).append((path, v, 0))
        value = round(sum(k * v for _c, _p, k, v in rows))
        if ctx.progress:
            ctx.progress(time.monotonic() - ctx.t0, value, ctx.best_bound)
        return Seated(value, {j: rows[j][2] for j in range(len(rows))}, False)

    t_pub = time.monotonic()
    res = publish(paths_p)
    # the caller's read-out of 10,000 people costs a few times this publication (seconds on
    # a loaded machine): keep that much back from the deadline
    deadline = ctx.deadline - 3.0 * (time.monotonic() - t_pub)
    if _DEBUG:
        print(f"construction {res.objective} at {time.monotonic() - ctx.t_start:.1f} s")
    # the zero-price bound after the first schedule: the relaxed programme always (cheap,
    # vectorised), the wish programme (its table takes seconds here) if time allows
    rules, every = _path_rules(d), np.arange(d.C)
    A, B = suffix_bounds(rules, _reduced_values(d, np.zeros(d.S + d.R)), every)
    ctx.best_bound = min(ctx.best_bound, float(d.n @ relaxed_best(rules, A, B, every)))
    if deadline - time.monotonic() > 0.5 * t_build:
        ctx.best_bound = min(ctx.best_bound, _relaxed_bound(d, np.zeros(d.S + d.R)))
    # the local search first, leaving a share of the time to the bound and the priced
    # start (the search is work-limited: on days that are merely large it ends long before)
    left = deadline - time.monotonic()
    paths_p = refine.local_search(d, cls_p, paths_p, ctx.cap, ctx.min_aud, ctx.room_rows,
                                  max_cycles=LNS_CYCLES,
                                  stop=StopAt(ctx.caller_stop,
                                              deadline - LARGE_BOUND_SHARE * left))
    res = publish(paths_p)
    if _DEBUG:
        print(f"local search {res.objective} at {time.monotonic() - ctx.t_start:.1f} s")
    if deadline - time.monotonic() > LARGE_LP_SHARE * ctx.path_limit:
        # time to spare (a day merely over LARGE_CLASSES): the path LP follows, from this
        # schedule, for its bound and its rounding (the better schedule is kept)
        return None
    if deadline - time.monotonic() < 0.5 * t_build:
        # (no time for a subgradient step, whose first one builds the wish table)
        res = publish(paths_p)
        ctx.master.cols[:] = [(c, path, v) for c, path, _k, v in ctx.start_rows]
        return res
    priced: list = []
    left = deadline - time.monotonic()
    # the priced start needs about a construction's time: kept back only if it fits in
    # half of what is left, else the bound takes it all
    keep = 1.5 * t_build if 1.5 * t_build <= 0.5 * left else 0.0
    bound = subgradient_bound(d, ctx.cap, ctx.room_rows, float(res.objective),
                              deadline - keep, ctx.caller_stop,
                              max_iters=SUBGRADIENT_ITERS, best_paths=priced)
    ctx.best_bound = min(ctx.best_bound, bound)
    if _DEBUG:
        print(f"bound {ctx.best_bound:.0f} at {time.monotonic() - ctx.t_start:.1f} s")
    if priced and time.monotonic() + t_build < deadline:
        # a Lagrangian heuristic: everyone on their best path at the bound's prices (which
        # priced the crowded sessions), where legal, made feasible and improved by the
        # round flows; kept if better
        paths_p = _priced_start(ctx, cls_p, paths_p, priced[0], deadline)
    res = publish(paths_p)
    ctx.master.cols[:] = [(c, path, v) for c, path, _k, v in ctx.start_rows]
    return res


def _priced_start(ctx: _Seating, cls_p: np.ndarray, paths_p: np.ndarray,
                  chosen: np.ndarray, deadline: float) -> np.ndarray:
    """The person-level paths ``paths_p`` replaced by a repaired and improved start from
    each class's path ``chosen`` (the subgradient's, where legal) when that is better."""
    from . import refine
    d = ctx.d
    _v, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
                            np.arange(d.S + d.R) < d.S, np.arange(d.C), chosen)
    start = np.where(legal[cls_p][:, None], chosen[cls_p], paths_p)
    try:
        new = refine.repair_and_improve(d, cls_p, start, ctx.cap, ctx.min_aud, ctx.room_rows,
                                        cycles=LNS_CYCLES, stop=StopAt(ctx.caller_stop,
                                                                       deadline))
    except RuntimeError:
        return paths_p
    old_v = refine.person_value(d, cls_p, paths_p)
    new_v = refine.person_value(d, cls_p, new)
    if _DEBUG:
        print(f"priced start {new_v:.0f} (was {old_v:.0f})")
    return new if new_v > old_v else paths_p


def _relaxed_bound(d: SeatData, price: np.ndarray) -> float:
    """The bound at seat prices ``price`` (non-negative, sessions only, so that their
    right-hand sides add nothing: zero prices here) with each class's best path relaxed
    (:func:`_class_bounds`); vectorised, so affordable on the largest days."""
    return float(np.sum(d.n * _class_bounds(d, price)))


def _class_bounds(d: SeatData, price: np.ndarray) -> np.ndarray:
    """An upper bound of every class's best path value at ``price`` (vectorised): the
    tighter of the relaxed programme and the wish programme (see scheduler.pricing). The
    fallback when pricing is cut by the clock: the relaxed programme alone, which lets a
    wished project repeat in every round, put a 4-round day's bound 30-47 % away."""
    rules = _path_rules(d)
    red = _reduced_values(d, price)
    every = np.arange(d.C)
    A, B = suffix_bounds(rules, red, every)
    return np.minimum(relaxed_best(rules, A, B, every),
                      wish_bound(rules, _wish_table(d), red)[0])


def _wish_table(d: SeatData) -> WishTable:
    """The class's wished projects, most valuable first, for :func:`wish_bound` (cached on
    the seat data: it does not depend on prices)."""
    tab = getattr(d, "_wish_tab", None)
    if tab is None:
        wishes = []
        for c in range(d.C):
            js = np.flatnonzero(d.wished[c, :d.S])
            best: dict[int, float] = {}
            for j in js:
                p = int(d.proj[j])
                best[p] = max(best.get(p, -np.inf), float(d.score[c, j]))
            wishes.append(sorted(best, key=lambda p: (-best[p], p)))
        tab = wish_table(_path_rules(d), wishes)
        d._wish_tab = tab  # type: ignore[attr-defined]
    return tab


def subgradient_bound(d: SeatData, cap: list[int], room_rows: dict, target: float,
                      deadline: float, stop=None, max_iters: int = 200,
                      best_paths: list | None = None) -> float:
    """Lagrangian bound of the seating: seat prices on the capacity rows (sessions and
    rooms shared by tables) tuned by subgradient steps (Polyak's step towards ``target``,
    the best schedule's value), each class taking its best path at those prices by the
    vectorised :func:`scheduler.pricing.wish_bound`. Every iterate is a valid upper bound
    (any non-negative prices; min_audience only restricts), so the best one is returned
    whenever the clock stops it.

    Why: on the largest days the path LP's column generation (a search per class) does not
    fit the limit, and the relaxed bound at zero prices is far off (2.5 times the optimum
    at 10,000 people)."""
    S, R = d.S, d.R
    rules = _path_rules(d)
    tab = _wish_table(d)
    capv = np.asarray(cap, dtype=float)
    rooms = [(float(key[2]), np.asarray(ss, dtype=np.int64)) for key, ss in room_rows.items()]
    pi = np.zeros(S)
    rho = np.zeros(len(rooms))
    best = math.inf
    theta, stall = SG_THETA, 0
    weights = np.repeat(d.n, R).astype(float)
    last = 0.0  # seconds of the last step: one that cannot end in time is not begun
    for _it in range(max_iters):
        if (time.monotonic() + 1.2 * last > deadline
                or (stop is not None and stop.is_set())):
            break
        t_step = time.monotonic()
        price = np.zeros(S + R)
        price[:S] = pi
        for k, (_rc, ss) in enumerate(rooms):
            price[ss] += rho[k]
        val, chosen = wish_bound(rules, tab, _reduced_values(d, price), want_paths=True)
        if not np.isfinite(val).all():
            return best  # a class without any path: nothing to bound
        value = float(pi @ capv + sum(rho[k] * rc for k, (rc, _s) in enumerate(rooms))
                      + d.n @ val)
        if value < best - 1e-6 * abs(best if math.isfinite(best) else 1.0):
            best, stall = value, 0
            if best_paths is not None:  # each class's best path at the best prices
                best_paths[:] = [chosen]
        else:
            stall += 1
            if stall >= 5:
                theta, stall = theta / 2, 0
        x = np.bincount(chosen.ravel(), weights=weights, minlength=S + R)[:S]
        g = capv - x
        g[(pi <= 0) & (g > 0)] = 0.0
        gr = np.array([rc - x[ss].sum() for rc, ss in rooms])
        if len(rooms):
            gr[(rho <= 0) & (gr > 0)] = 0.0
        norm = float(g @ g + gr @ gr)
        if norm == 0 or best - target <= 1e-7 * max(1.0, abs(target)):
            break
        step = theta * max(value - target, 1e-3 * abs(value)) / norm
        pi = np.maximum(0.0, pi - step * g)
        rho = np.maximum(0.0, rho - step * gr)
        last = time.monotonic() - t_step
        if _DEBUG and _it % 10 == 0:
            print(f"subgradient {_it}: {value:.0f} best {best:.0f} theta {theta}")
    return best


def _flow_start(ctx: _Seating) -> list | None:
    """Each class's favourite path, made feasible round by round by exact min-cost flows
    and improved by them (scheduler.refine); much faster than the greedy on very large days,
    and a better schedule. None when no feasible flow is found from that start."""
    from . import refine
    d = ctx.d
    fav = {c: ctx.prefs[c][0][0] for c in ctx.prefs}
    for c in range(d.C):  # classes the initial pricing had no time for
        if ctx.stop.is_set():
            break  # (then a class lacks a path: no flow start)
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
        paths_p = refine.repair_and_improve(d, cls_p, paths_p, ctx.cap, ctx.min_aud,
                                            ctx.room_rows, cycles=LNS_CYCLES, stop=ctx.stop)
        return refine.to_rows(d, cls_p, paths_p)
    except RuntimeError as e:
        if _DEBUG:
            print(f"flow start failed: {e}")
        return None  # no feasible flow from that start: use the greedy


def _column_generation(ctx: _Seating, res: Seated | None) -> Seated | None:
    """The master LP and pricing until the bound meets the LP value (or the work limit or
    the clock); leaves the LP values in ``ctx.x`` and the best Lagrangian bound."""
    d, master, stop = ctx.d, ctx.master, ctx.stop
    if master.large and res is not None:
        return res  # the flows' schedule (see _large_start): no time for the path LP
    K = ctx.K
    widest = max(len(c) for c in d.choices_of_round)
    lp_value = -math.inf
    dirty = True
    # very large days: a fixed number of column-generation rounds (a work limit, so the
    # result does not depend on the machine's speed); the wall clock is only a safety net
    max_iters = LARGE_CG_ITERS if master.large else 200
    cg_deadline = ctx.t_start + (0.7 if master.large else 0.6) * ctx.path_limit
    for _it in range(max_iters):
        if stop.is_set():
            break
        ts = time.monotonic()
        if not master.solve(ctx.path_deadline):
            break
        dirty = False
        ctx.lp_ok = True
        tl = time.monotonic() - ts
        lp_value = master.solver.Objective().Value()
        price, mu = master.duals()
        ts = time.monotonic()
        # the search proves each class's best path: asking it for a second one costs more
        # search than it brings (measured on 8 rounds)
        new, ub = _price(d, price, mu, K, want=1 if ctx.searching else 2,
                         deadline=cg_deadline, big_search=ctx.construct)
        if _DEBUG:
            print(f"it {_it} K {K} lp {lp_value:.0f} lp_s {tl:.2f} price_s "
                  f"{time.monotonic() - ts:.2f} cols {len(master.cols)} new {len(new)}")
        bound = master.lagrangian_bound(price, mu, ub)
        ctx.best_bound = min(ctx.best_bound, bound)
        if ctx.progress:
            ctx.progress(time.monotonic() - ctx.t0, None, ctx.best_bound)
        if time.monotonic() > cg_deadline or _it == max_iters - 1:
            break
        added = 0
        for c, path, _rc, val in new:
            if master.add(c, path, val):
                added += 1
                dirty = True
        if stop.is_set():
            break
        if ctx.best_bound - lp_value <= 1e-6 * max(1.0, abs(lp_value)):
            ctx.converged = True
            break
        if added == 0:
            # no improving path among the candidates, but the bound still allows one
            # outside them: widen the candidate lists (the bound tightens as K grows)
            if ctx.searching or widest <= K or K ** d.R > 4096:
                break  # (the search prices exactly: nothing to widen)
            K += 2
    if dirty:
        # columns were added after the last solve: values must be fresh (a short grace)
        ctx.lp_ok = master.solve(ctx.path_deadline + 1.0)
    # an LP stopped by its time limit has no values: then nothing to round (the flow start
    # or the greedy seats everyone)
    ctx.x = ([v.solution_value() for v in master.vars] if ctx.lp_ok
             else [0.0] * len(master.vars))
    ctx.prefs = {c: sorted(v, key=lambda t: -t[1]) for c, v in ctx.prefs.items()}
    return res


def _integral_lp(ctx: _Seating, res: Seated | None) -> Seated | None:
    """The LP optimum itself when it is integral and respects min_audience."""
    master, S = ctx.master, ctx.d.S
    if res is not None or not ctx.lp_ok or any(a.solution_value() > 1e-7 for a in master.arts):
        return res
    x, cols = ctx.x, master.cols
    if not all(abs(v - round(v)) < 1e-6 for v in x):
        return res
    counts = {j: int(round(v)) for j, v in enumerate(x) if v > 0.5}
    att = [0] * S
    for j, k in counts.items():
        for i in cols[j][1]:
            if i < S:
                att[i] += k
    if all((att[i] == 0 and not ctx.always_held) or att[i] >= ctx.min_aud[i]
           for i in range(S)):
        return Seated(round(sum(cols[j][2] * k for j, k in counts.items())), counts, False)
    return res


def _large_day_rounding(ctx: _Seating, res: Seated | None) -> Seated | None:
    """Very large days (no MIP): the LP rounded per person and improved by the round flows,
    or kept integral and completed greedily."""
    if res is not None or not ctx.master.large:
        return res
    args = (ctx.d, ctx.master.cols, ctx.x, ctx.cap, ctx.min_aud, ctx.room_rows)
    if ctx.start_rows is not None:
        res = _lp_round_and_improve(*args, ctx.start_rows, ctx.stop)
    if res is None:  # (the greedy's tries stop at the deadline, with the last resort's grace)
        grace = StopAt(ctx.caller_stop.stop, max(ctx.deadline, time.monotonic()) + 1.0)
        res = _round_and_repair(*args, ctx.always_held, ctx.prefs, grace)
    return res


def _path_mip(ctx: _Seating, res: Seated | None) -> Seated | None:
    """SCIP on the paths: in programme mode first on the generated ones (small, fast: if it
    reaches the Lagrangian bound it is optimal for the real problem; on fixed days it rarely
    does, so it would only cost time), then on every legal path when there are few enough,
    so that SCIP's optimality proof covers the real problem (the LP bound alone is weak when
    min_audience binds)."""
    if res is not None or ctx.stop.is_set():
        return res
    _launch_person_mip(ctx, None)  # the LP left a gap: the per-person MIP too
    d, cols = ctx.d, ctx.master.cols
    args = (d, cols, ctx.cap, ctx.min_aud, ctx.room_rows, ctx.always_held)
    path_stop = StopAt(ctx.stop, ctx.path_deadline)
    if ctx.always_held:
        res = _solve_mip(*args, _left(ctx.path_deadline), ctx.x, path_stop)
    reached = (res is not None and not res.artificial
               and res.objective >= math.floor(ctx.best_bound + 1e-6))
    if reached or path_stop.is_set():
        return res
    if (ctx.person_mip and not ctx.portfolio and res is None
            and model_size(d) < _path_count(d, ALL_PATHS_LIMIT) <= ALL_PATHS_LIMIT):
        # the per-person model is the smaller exact one (2 rounds, 120 people: HiGHS 1.6 s
        # where SCIP on every path took 8 s, loaded machine); work-limited, then SCIP
        mine = _solve_person(ctx, None, ctx.path_deadline)
        if mine is not None and mine.proven:
            return mine
        res = res if mine is None else mine
        if res is not None and not res.artificial:
            return res  # (its columns replaced the generated ones: no SCIP on them)
    n_before = len(cols)
    complete = _all_paths(d, cols, limit=ALL_PATHS_LIMIT)
    if complete or res is None:
        full = _solve_mip(*args, _left(ctx.path_deadline), ctx.x, path_stop)
        if full is not None and complete and full.proven:
            ctx.best_bound = min(ctx.best_bound, float(full.objective))
        if full is not None and (res is None or res.artificial or (
                not full.artificial and full.objective >= res.objective)):
            return full
    if res is not None:
        del cols[n_before:]  # keep the column list that res's counts index
    return res


def _left(deadline: float) -> float:
    return max(0.01, deadline - time.monotonic())


def _flow_fallback(ctx: _Seating, res: Seated | None) -> Seated | None:
    """Out of time (or the MIP found nothing): the flow start, improved from the rounded LP
    if there is time, so that a feasible schedule is not lost for want of a proof."""
    if (res is None or res.artificial) and ctx.start_rows is not None:
        res = _lp_round_and_improve(ctx.d, ctx.master.cols, ctx.x, ctx.cap, ctx.min_aud,
                                    ctx.room_rows, ctx.start_rows, ctx.stop)
    return res


def _person_mip(ctx: _Seating, res: Seated | None) -> Seated | None:
    """The per-person MIP on HiGHS (scheduler.person_mip) for days of moderate size: in a
    helper thread since the start (two workers) or now, started from the best schedule so
    far, for the time left (one worker). Its dual bound is valid for the real problem, so it
    proves what the path bound cannot (many rounds)."""
    if not ctx.person_mip:
        return res
    proven = (res is not None and not res.artificial
              and res.objective >= math.floor(ctx.best_bound + 1e-6))
    if ctx.background is not None:
        if proven:
            ctx.background.cancel()
            return res
        out = ctx.background.result()
    elif proven or ctx.portfolio or ctx.person_tried or ctx.stop.is_set():
        return res
    else:
        return _solve_person(ctx, res, ctx.deadline) or res
    return _take(ctx, res, out) or res


def _solve_person(ctx: _Seating, res: Seated | None, deadline: float) -> Seated | None:
    """The per-person MIP now, started from ``res``; a node limit (work, not the clock)
    keeps its outcome deterministic unless the deadline stops HiGHS first. None when it
    brings nothing better than ``res``."""
    ctx.person_tried = True
    cols = ctx.master.cols
    hint = None
    if res is not None and not res.artificial:
        hint = [(cols[j][0], cols[j][1], k, cols[j][2]) for j, k in sorted(res.counts.items())]
    out = solve_person_mip(ctx.d, ctx.cap, ctx.min_aud, ctx.room_rows, ctx.always_held,
                           deadline=deadline, stop=ctx.stop, seed=ctx.seed, hint=hint,
                           node_limit=PERSON_MIP_NODES, log=_DEBUG)
    return _take(ctx, res, out)


def _take(ctx: _Seating, res: Seated | None, out: MipOutcome) -> Seated | None:
    """Fold the per-person MIP's outcome in: its bound always, its schedule (replacing the
    column list) when strictly better than ``res``; None when ``res`` stays."""
    ctx.best_bound = min(ctx.best_bound, out.bound)
    if _DEBUG:
        print(f"person MIP: {out.objective} bound {out.bound} proven {out.proven}")
    if out.rows is None or (res is not None and not res.artificial
                            and res.objective >= out.objective):
        return None
    ctx.master.cols[:] = [(c, path, v) for c, path, _k, v in out.rows]
    return Seated(out.objective, {j: row[2] for j, row in enumerate(out.rows)}, False,
                  out.proven)


def _last_resort(ctx: _Seating, res: Seated | None) -> Seated | None:
    """The LP-guided greedy, with a short grace past the deadline (the wall is limit + 2 s)."""
    if res is None or res.artificial:
        res = _round_and_repair(ctx.d, ctx.master.cols, ctx.x, ctx.cap, ctx.min_aud,
                                ctx.room_rows, ctx.always_held, ctx.prefs,
                                StopAt(None, max(ctx.deadline, time.monotonic()) + 1.0))
    return res


# The seating's strategies, in order: each gets the result so far and returns it, improved
# or unchanged (a strategy that does not apply to the day returns it as is).
PIPELINE: tuple[tuple[str, Callable[[_Seating, Seated | None], Seated | None]], ...] = (
    ("start columns", _start_columns),
    ("column generation", _column_generation),
    ("integral LP", _integral_lp),
    ("large-day rounding", _large_day_rounding),
    ("path MIP", _path_mip),
    ("flow fallback", _flow_fallback),
    ("person MIP", _person_mip),
    ("last resort", _last_resort),
)


def _read_out(ctx: _Seating, res: Seated | None) -> SeatResult:
    """Canonical person-level read-out: members in id order take paths in path order."""
    d, inst, S = ctx.d, ctx.inst, ctx.d.S
    best_bound = ctx.best_bound
    if res is None or res.artificial:
        return SeatResult("UNKNOWN", None, best_bound, {}, best_bound)
    cols = ctx.master.cols
    per_class: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for j, k in res.counts.items():
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
    status = "OPTIMAL" if res.objective >= bound_int else "FEASIBLE"
    return SeatResult(status, res.objective, float(max(bound_int, res.objective)),
                      sessions_of, best_bound)


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
    return Seated(round(best_val), {j: best[j][2] for j in range(len(best))}, False)


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
    return Seated(value, {j: rows[j][2] for j in range(len(rows))}, False)


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
    """Integer path counts on the generated columns (None if SCIP found none in time)."""
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
    # An exact optimum: pywraplp's default parameters stop SCIP within a relative gap of
    # 1e-4, and this optimum, when the columns are complete, becomes the reported bound
    # (see scheduler.person_mip: HiGHS's same default put a bound below a feasible
    # schedule). The objective is an integer, so an absolute gap under 1 is a proof.
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.0)
    solver.SetSolverSpecificParametersAsString(f"limits/absgap = {MIP_ABS_GAP}\n")
    with watch_stop(stop, solver.InterruptSolve):
        st = solver.Solve(params)
    if st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    proven = st == pywraplp.Solver.OPTIMAL
    counts = {j: int(round(v.solution_value())) for j, v in enumerate(xs)
              if v.solution_value() > 0.5}
    artificial = any(a.solution_value() > 0.5 for a in arts)
    value = round(sum(cols[j][2] * k for j, k in counts.items()))
    return Seated(value, counts, artificial, proven and not artificial)


def _path_count(d: SeatData, limit: int) -> int:
    """Number of candidate paths of all classes (counting stops past ``limit``)."""
    total = 0
    legal = d.score > NEG / 2
    for c in range(d.C):
        total += math.prod(int(legal[c, cr].sum()) for cr in d.choices_of_round)
        if total > limit:
            break
    return total


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
