"""Best paths of a class by a bounded depth-first search over rounds (polynomial pricing).

Why: enumerating the K best choices of every round together costs K^R path evaluations,
which explodes beyond 4 rounds (5 rounds: 12 of 17 s in pricing; 8 rounds: minutes). A
path's value is a sum over rounds except for three rules that span rounds: distinct
projects, theme variety, and the unlucky penalty (no wish granted). So a cheap *relaxed*
dynamic programme over rounds, vectorised with numpy over all classes, gives for every class
and round the best value of the remaining rounds, with and without a wish still to grant
(``A`` and ``B`` below), ignoring distinct projects and themes. That is an upper bound of
any completion, so:

* a class whose relaxed best is not improving is skipped (its relaxed value is a valid
  bound of its best reduced cost: this is most classes once column generation has
  converged);
* for the others a depth-first search takes each round's choices best first and prunes
  every node whose bound cannot beat the incumbent: the first leaf is usually the answer,
  and the search is exact (the cross-round rules are checked on the way).

Each search has a node budget; when it is spent, the class keeps its relaxed bound (still
valid) and the best legal paths found. Cost: O(C * S) for the bounds plus a few nodes per
improving class, instead of O(C * K^R).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

NEG = -1e9  # value of a forbidden choice (same convention as scheduler.paths)
NODE_BUDGET = 600  # search nodes per class and call (then the relaxed bound is kept)


@dataclass(frozen=True)
class PathRules:
    """What the search needs of the instance, as plain arrays (see ``paths.SeatData``)."""

    R: int
    S: int
    choices_of_round: list[np.ndarray]
    proj: np.ndarray  # choice -> project (idles have a project of their own)
    theme: np.ndarray  # choice -> theme (-1 for idles)
    wished: np.ndarray  # [C, S+R]
    has_wishes: np.ndarray  # [C]
    pen: float  # unlucky penalty
    k: int  # min_distinct_themes


def suffix_bounds(rules: PathRules, red: np.ndarray, rows: np.ndarray,
                  cls: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Relaxed best values of rounds r.. for the ``rows`` of ``red`` (classes ``cls``,
    default the same indices): ``A[:, r]`` with no condition, ``B[:, r]`` with at least one
    wished choice (-inf if impossible). Vectorised."""
    R = rules.R
    cls = rows if cls is None else cls
    G = len(rows)
    m = np.full((G, R), NEG)
    mw = np.full((G, R), -np.inf)
    for r in range(R):
        cols = rules.choices_of_round[r]
        sub = red[np.ix_(rows, cols)]
        m[:, r] = sub.max(axis=1)
        w = np.where(rules.wished[np.ix_(cls, cols)] & (sub > NEG / 2), sub, -np.inf)
        mw[:, r] = w.max(axis=1)
    A = np.zeros((G, R + 1))
    B = np.full((G, R + 1), -np.inf)
    for r in range(R - 1, -1, -1):
        A[:, r] = A[:, r + 1] + m[:, r]
        B[:, r] = np.maximum(mw[:, r] + A[:, r + 1], m[:, r] + B[:, r + 1])
    return A, B


def relaxed_best(rules: PathRules, A: np.ndarray, B: np.ndarray, cls: np.ndarray
                 ) -> np.ndarray:
    """Upper bound of each class's best path value (the relaxed programme's optimum)."""
    hw = rules.has_wishes[cls]
    return np.where(hw, np.maximum(A[:, 0] - rules.pen, B[:, 0]), A[:, 0])


def search_class(rules: PathRules, red_c: np.ndarray, wished_c: np.ndarray, has_wish: bool,
                 A_c: np.ndarray | None, B_c: np.ndarray | None, floor: float, want: int,
                 budget: int = NODE_BUDGET
                 ) -> tuple[list[tuple[float, tuple[int, ...]]], bool]:
    """The ``want`` best legal paths of one class worth more than ``floor`` (value in the
    ``red_c`` space), best first, and whether the search was complete (budget not spent).

    ``red_c`` is the class's value per choice (NEG if forbidden), ``A_c``/``B_c`` its rows
    of :func:`suffix_bounds` (None: computed here, cheaper for a single class)."""
    R = rules.R
    S = rules.S
    opts: list[list[tuple[float, int]]] = []
    for r in range(R):
        cols = rules.choices_of_round[r]
        vals = red_c[cols]
        order = np.argsort(-vals, kind="stable")
        opts.append([(float(vals[o]), int(cols[o])) for o in order if vals[o] > NEG / 2])
        if not opts[-1]:
            return [], True
    k = rules.k
    pen = rules.pen if has_wish else 0.0
    top = [o[0][0] for o in opts]
    if A_c is None:
        A_c = np.concatenate([np.cumsum(top[::-1])[::-1], [0.0]])
    bit_of, F = _wish_table(rules, opts, wished_c, has_wish, pen)
    if F[0, 0] <= floor:
        return [], True
    best: list[tuple[float, tuple[int, ...]]] = []  # min-heap of (value, path)
    path: list[int] = []
    projects: set[int] = set()
    nodes = 0
    thr = floor

    def theme_gap(r: int, themes: frozenset[int], n_new: int) -> float:
        """Relaxed cost of taking ``n_new`` sessions of new themes in rounds r.. (the
        largest losses against each round's best, one per round): <= 0, -inf if
        impossible."""
        gaps = []
        for q in range(r, R):
            for v, j in opts[q]:
                if j < S and int(rules.theme[j]) not in themes:
                    gaps.append(v - top[q])
                    break
        if len(gaps) < n_new:
            return -np.inf
        gaps.sort(reverse=True)
        return sum(gaps[:n_new])

    def bound(r: int, value: float, state: int, themes: frozenset[int], attended: int
              ) -> float:
        b = value + F[r, state]
        n_new = min(k, attended) - len(themes)
        if n_new > 0 and b > thr:
            b = min(b, value + A_c[r] + theme_gap(r, themes, n_new))
        return b

    def visit(r: int, value: float, state: int, themes: frozenset[int], attended: int
              ) -> None:
        nonlocal nodes, thr
        if r == R:
            need = min(k, attended)
            if need > 1 and len(themes) < need:
                return
            total = value if state or not has_wish else value - pen
            if total > thr:
                item = (total, tuple(path))
                if len(best) < want:
                    heapq.heappush(best, item)
                else:
                    heapq.heapreplace(best, item)
                if len(best) >= want:
                    thr = max(floor, best[0][0])
            return
        nodes += 1
        if nodes > budget:
            return
        for v, j in opts[r]:
            if value + v + A_c[r + 1] <= thr:
                break  # choices are sorted: no later one can do better
            p = int(rules.proj[j])
            if p in projects:
                continue
            st = state | bit_of.get(j, 0)
            real = j < S
            th = themes | {int(rules.theme[j])} if real else themes
            if bound(r + 1, value + v, st, th, attended + real) <= thr:
                continue
            path.append(j)
            projects.add(p)
            visit(r + 1, value + v, st, th, attended + real)
            projects.discard(p)
            path.pop()
            if nodes > budget:
                return

    visit(0, 0.0, 0, frozenset(), 0)
    return sorted(best, reverse=True), nodes <= budget


TRACKED_WISHES = 8  # wished projects whose repetition the search's bound rules out exactly


def _wish_table(rules: PathRules, opts: list[list[tuple[float, int]]], wished_c: np.ndarray,
                has_wish: bool, pen: float) -> tuple[dict[int, int], np.ndarray]:
    """Exact best completion values over rounds for one class, relaxing only the distinct
    projects rule for projects it did not wish for (and for wishes beyond the
    ``TRACKED_WISHES`` most valuable).

    Why: a class's valuable choices are its wished projects, which often present in several
    rounds; a bound that lets a path take its first wish in every round is far too loose to
    prune (measured: thousands of nodes per class on 5 rounds). The state is the set of
    tracked wished projects used plus a bit "an untracked wish was granted", so the unlucky
    penalty is exact too. Returns ``bit_of`` (choice -> state bits it sets) and ``F[r,
    state]``, the best value of rounds r.. from that state (including the penalty)."""
    R = rules.R
    best_of: dict[int, float] = {}
    for o in opts:
        for v, j in o:
            if wished_c[j]:
                p = int(rules.proj[j])
                best_of[p] = max(best_of.get(p, -np.inf), v)
    tracked = sorted(best_of, key=lambda p: (-best_of[p], p))[:TRACKED_WISHES]
    W = len(tracked)
    pbit = {p: 1 << b for b, p in enumerate(tracked)}
    loose = 1 << W  # an untracked wished project was taken
    n_states = 1 << (W + 1)
    states = np.arange(n_states)
    F = np.full((R + 1, n_states), 0.0)
    if has_wish:
        F[R, 0] = -pen
    bit_of: dict[int, int] = {}
    for r in range(R - 1, -1, -1):
        plain = loose_v = -np.inf
        row = np.full(n_states, -np.inf)
        for v, j in opts[r]:
            if not wished_c[j]:
                plain = max(plain, v)
                continue
            b = pbit.get(int(rules.proj[j]), loose)
            bit_of[j] = b
            if b == loose:
                loose_v = max(loose_v, v)
            else:
                free = (states & b) == 0
                row = np.where(free, np.maximum(row, v + F[r + 1, states | b]), row)
        row = np.maximum(row, plain + F[r + 1])
        row = np.maximum(row, loose_v + F[r + 1, states | loose])
        F[r] = row
    return bit_of, F


def assignment_bound(rules: PathRules, red_c: np.ndarray) -> float:
    """Best value of one choice per round with distinct projects, ignoring the themes and
    the unlucky penalty (which only restrict or subtract): an upper bound of the class's
    best path that is exact about distinct projects, for the classes whose search ran out
    of nodes (their plain relaxation lets a project repeat in every round).

    A max-weight assignment of rounds to projects, by the Hungarian algorithm with its inner
    loop vectorised (O(R^2 P)); -inf if some round has no choice."""
    R = rules.R
    projects = np.unique(rules.proj)
    col = {int(p): k for k, p in enumerate(projects)}
    big = 1e12
    cost = np.full((R, len(projects)), big)
    for r in range(R):
        for j in rules.choices_of_round[r]:
            v = red_c[j]
            if v > NEG / 2:
                k = col[int(rules.proj[j])]
                cost[r, k] = min(cost[r, k], -v)
    if (cost.min(axis=1) >= big).any():
        return -np.inf
    total = _hungarian(cost)
    return -np.inf if total >= big / 2 else -total


def _hungarian(a: np.ndarray) -> float:
    """Minimum cost of assigning every row of ``a`` (n <= m) to a distinct column."""
    n, m = a.shape
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=np.int64)  # column -> row (1-based, 0 = free)
    way = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            cur = a[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            upd = free & (cur < minv[1:])
            minv[1:][upd] = cur[upd]
            way[1:][upd] = j0
            cand = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(cand)) + 1
            delta = cand[j1 - 1]
            on = np.flatnonzero(used)
            u[p[on]] += delta
            v[on] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return float(sum(a[p[j] - 1, j - 1] for j in range(1, m + 1) if p[j]))


# --------------------------------------------------------------------------- wish bound

TRACK = 5  # wished projects per class whose repetition the vectorised bound rules out


@dataclass(frozen=True)
class WishTable:
    """Per round, where each class's wished projects are (for :func:`wish_bound`): built
    once per seating, since it does not depend on prices."""

    T: int  # tracked wishes (state bits), plus one bit for any untracked wish
    plain: list[np.ndarray]  # [C, J_r] choice not wished by the class
    loose: list[np.ndarray]  # [C, J_r] wished, of an untracked project
    at: list[np.ndarray]  # [C, T, M_r] positions in round r's choices of tracked wish b
    has_wishes: np.ndarray
    pen: float


def wish_table(rules: PathRules, proj_of_wishes: list[list[int]]) -> WishTable:
    """``proj_of_wishes[c]``: the class's wished projects, best first (the first ``TRACK``
    are tracked)."""
    C = len(proj_of_wishes)
    T = min(TRACK, max((len(w) for w in proj_of_wishes), default=0))
    tracked = np.full((C, max(T, 1)), -1, dtype=np.int64)
    for c, w in enumerate(proj_of_wishes):
        tracked[c, :min(T, len(w))] = w[:T]
    plain, loose, at = [], [], []
    for r in range(rules.R):
        cols = rules.choices_of_round[r]
        wished = rules.wished[:, cols]
        pj = rules.proj[cols]
        is_tracked = (pj[None, None, :] == tracked[:, :, None]).any(axis=1)
        plain.append(~wished)
        loose.append(wished & ~is_tracked)
        pos: dict[int, list[int]] = {}
        for k, p in enumerate(pj):
            pos.setdefault(int(p), []).append(k)
        M = max((len(v) for v in pos.values()), default=1)
        a = np.full((C, max(T, 1), M), -1, dtype=np.int64)
        for c in range(C):
            for b in range(T):
                for m, k in enumerate(pos.get(int(tracked[c, b]), ())):
                    a[c, b, m] = k
        at.append(a[:, :T])
    return WishTable(T, plain, loose, at, rules.has_wishes, rules.pen)


def wish_bound(rules: PathRules, tab: WishTable, red: np.ndarray, want_paths: bool = False
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """Best path value of every class at the reduced values ``red`` [C, S+R] (NEG where
    forbidden), relaxing only theme variety and the distinct projects rule for projects
    the class did not wish for (or beyond its ``TRACK`` first wishes): a dynamic programme
    over rounds whose state is the set of tracked wishes granted plus "an untracked wish
    granted", vectorised over classes (so the unlucky penalty is exact). An upper bound of
    each class's best legal path, tighter than :func:`relaxed_best`, and cheap enough for
    10,000 classes. With ``want_paths`` also one maximising path per class (choice
    indices; it may break the relaxed rules), for subgradient steps."""
    R, T = rules.R, tab.T
    C = red.shape[0]
    NS = 1 << (T + 1)
    states = np.arange(NS)
    loose_bit = 1 << T
    F = np.zeros((C, NS))
    F[:, 0] = np.where(tab.has_wishes, -tab.pen, 0.0)
    keep = []
    rows = np.arange(C)
    for r in range(R - 1, -1, -1):
        cols = rules.choices_of_round[r]
        sub = red[:, cols]
        ok = sub > NEG / 2
        pm = np.where(tab.plain[r] & ok, sub, -np.inf)
        lm = np.where(tab.loose[r] & ok, sub, -np.inf)
        p_arg, l_arg = pm.argmax(axis=1), lm.argmax(axis=1)
        pv, lv = pm[rows, p_arg], lm[rows, l_arg]
        a = tab.at[r]
        if T:
            pad = np.concatenate([np.where(ok, sub, -np.inf), np.full((C, 1), -np.inf)],
                                 axis=1)
            idx = np.where(a >= 0, a, len(cols))
            cand = pad[rows[:, None, None], idx]  # [C, T, M]
            w_m = cand.argmax(axis=2)
            wv = np.take_along_axis(cand, w_m[:, :, None], axis=2)[:, :, 0]
            w_arg = np.take_along_axis(idx, w_m[:, :, None], axis=2)[:, :, 0]
        else:
            wv = np.zeros((C, 0))
            w_arg = np.zeros((C, 0), dtype=np.int64)
        new = pv[:, None] + F
        new = np.maximum(new, lv[:, None] + F[:, states | loose_bit])
        for b in range(T):
            bit = 1 << b
            free = (states & bit) == 0
            new = np.maximum(new, np.where(free[None, :],
                                           wv[:, b:b + 1] + F[:, states | bit], -np.inf))
        if want_paths:
            keep.append((F, cols, pv, p_arg, lv, l_arg, wv, w_arg))
        F = new
    best = F[:, 0]
    if not want_paths:
        return best, None
    keep.reverse()
    s = np.zeros(C, dtype=np.int64)
    out = np.zeros((C, R), dtype=np.int64)
    for r, (Fn, cols, pv, p_arg, lv, l_arg, wv, w_arg) in enumerate(keep):
        opts = [pv + Fn[rows, s], lv + Fn[rows, s | loose_bit]]
        picks = [cols[p_arg], cols[l_arg]]
        bits = [np.zeros(C, dtype=np.int64), np.full(C, loose_bit)]
        for b in range(T):
            bit = 1 << b
            opts.append(np.where((s & bit) == 0, wv[:, b] + Fn[rows, s | bit], -np.inf))
            picks.append(cols[np.minimum(w_arg[:, b], len(cols) - 1)])
            bits.append(np.full(C, bit))
        k = np.argmax(np.stack(opts, axis=1), axis=1)
        out[:, r] = np.stack(picks, axis=1)[rows, k]
        s |= np.stack(bits, axis=1)[rows, k]
    return best, out
