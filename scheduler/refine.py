"""Large-neighbourhood search by round: re-seat one whole round exactly by min-cost flow.

Why: on very large days (10,000 participants) the path LP cannot be solved to optimality in
time, and its rounded solution is a few per cent from the bound. But once every participant's
sessions in the *other* rounds are fixed, the best way to re-seat one round is an exact
transportation problem: each participant's value for each session of that round is known
exactly (the unlucky penalty, theme variety, distinct projects and changes all depend only on
the whole path, which is now fixed except for that one choice), and what couples participants
is only seat counting (session capacity, room capacity summed over its tables). That is a
min-cost flow

    source -> participant group -> session -> (room) -> sink

solved in well under a second by OR-Tools' ``SimpleMinCostFlow``. Each step never makes the
schedule worse (the current seating is one of the flows), so cycling over the rounds until a
whole cycle brings nothing is a monotone local search whose steps are exact. The number of
cycles is a fixed work limit, so the result is deterministic.

Restrictions that keep the flow small and the rules intact:

* a participant's arcs are their legal choices worth more than their worthless level (a
  session with no wish and no theme), their current session, and the legal sessions among
  the round's emptiest ones (so that someone can always make room);
* ``min_audience``: sessions held at the start of a step keep at least ``min_audience`` people
  (a lower bound on the session arc), sessions empty at the start stay empty in that step.

The session prices of the last flows (node potentials of the optimal flow, recomputed from
its residual graph) are also good Lagrangian prices: see :func:`round_prices`.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
from ortools.graph.python import min_cost_flow

from .seatdata import NEG, SeatData, path_values

_DEBUG = bool(os.environ.get("SCHEDULER_DEBUG"))


def _values_for_round(d: SeatData, cls: np.ndarray, paths: np.ndarray, r: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value (per person) and legality of every choice of round r for every group, the other
    rounds being kept. Returns (choices, value[G, J], legal[G, J])."""
    cols = d.choices_of_round[r]
    G, J = len(cls), len(cols)
    real = np.arange(d.S + d.R) < d.S
    val = np.empty((G, J))
    legal = np.empty((G, J), dtype=bool)
    step = max(1, 2_000_000 // max(1, J))
    for a in range(0, G, step):
        b = min(G, a + step)
        ch = np.repeat(paths[a:b], J, axis=0)
        ch[:, r] = np.tile(cols, b - a)
        v, ok = path_values(d, d.score, d.wished, d.proj, d.theme, real,
                             np.repeat(cls[a:b], J), ch)
        val[a:b] = v.reshape(b - a, J)
        legal[a:b] = ok.reshape(b - a, J)
    return cols, val, legal


def _groups(cls: np.ndarray, paths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (class, path) rows, their counts, and each person's group (sorted, so
    deterministic)."""
    key = np.concatenate([cls[:, None], paths], axis=1)
    uniq, inv, cnt = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    return uniq, cnt, inv.reshape(-1)


def reseat_round(d: SeatData, cls: np.ndarray, paths: np.ndarray, r: int, cap: np.ndarray,
                 min_aud: np.ndarray, room_rows: dict, n_spare: int = 8, repair: bool = False
                 ) -> tuple[np.ndarray, float]:
    """Best re-seating of round r with the other rounds fixed (over the arcs described in the
    module docstring). Returns the new person-level paths and the objective gain.

    ``repair``: the current seating of round r may break capacities or min_audience (a start
    built from each class's favourite path); every legal arc is offered, sessions below
    min_audience are closed, and the result is taken whatever its value."""
    S = d.S
    uniq, cnt, inv = _groups(cls, paths)
    gcls, gpath = uniq[:, 0], uniq[:, 1:]
    G = len(uniq)
    cols, val, legal = _values_for_round(d, gcls, gpath, r)
    pos = {int(j): k for k, j in enumerate(cols)}
    cur = np.array([pos[int(x)] for x in gpath[:, r]])
    att = np.bincount(paths[:, r], minlength=S + d.R)[:S]
    held = (att >= min_aud) if repair else (att > 0)
    held |= min_aud == 0
    sess_cols = cols < S
    # worthless level: the lowest legal value of the row
    lv = np.where(legal, val, np.inf)
    floor = lv.min(axis=1)
    use = legal & (val > floor[:, None] + 1e-9)
    if repair:
        use = legal.copy()
    use[np.arange(G), cur] = True
    spare = np.where(sess_cols, 0, 0).astype(np.int64)
    spare[sess_cols] = cap[cols[sess_cols]] - att[cols[sess_cols]]
    ok_open = ~sess_cols | held[np.minimum(cols, S - 1)]
    order = np.argsort(-np.where(ok_open, spare, -10**9), kind="stable")[:n_spare]
    use[:, order] |= legal[:, order]
    use &= ok_open[None, :]
    if not repair:
        use[np.arange(G), cur] = True
    # a session not held takes nobody: no seats and no minimum audience
    flows = _seat_round(d, gcls, cnt, cols, val, use, np.where(held, cap[:S], 0),
                        np.where(held, min_aud[:S], 0), room_rows, r)
    if flows is None:
        if repair:
            raise RuntimeError("round re-seating has no feasible flow")
        return paths, 0.0
    gi, jj = np.nonzero(use)
    old = float(np.sum(cnt * val[np.arange(G), cur]))
    new = float(np.sum(flows * val[gi, jj]))
    if new <= old + 1e-9 and not repair:
        return paths, 0.0
    # hand the flow out to the group's members, in person order
    out = paths.copy()
    members = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(cnt)])
    fill = starts[:-1].copy()
    for a in np.flatnonzero(flows):
        g = gi[a]
        k = int(flows[a])
        who = members[fill[g]:fill[g] + k]
        out[who, r] = cols[jj[a]]
        fill[g] += k
    return out, new - old


def local_search(d: SeatData, cls: np.ndarray, paths: np.ndarray, cap, min_aud, room_rows,
                 max_cycles: int = 6, stop=None) -> np.ndarray:
    """Cycle :func:`reseat_round` over the rounds until a whole cycle gains nothing or
    ``max_cycles`` cycles are done (a work limit, so the result is deterministic)."""
    cap = np.asarray(cap, dtype=np.int64)
    min_aud = np.asarray(min_aud, dtype=np.int64)
    idle_since = 0
    last = 0.0  # seconds of the last re-seating: one that cannot end in time is not begun
    for _cycle in range(max_cycles):
        for r in range(d.R):
            if stop is not None and (stop.is_set() or time.monotonic() + 1.2 * last
                                     > getattr(stop, "deadline", math.inf)):
                return paths
            t = time.monotonic()
            paths, gain = reseat_round(d, cls, paths, r, cap, min_aud, room_rows)
            last = time.monotonic() - t
            idle_since = 0 if gain > 0.5 else idle_since + 1
            if idle_since >= d.R:
                return paths
    return paths


def person_value(d: SeatData, cls: np.ndarray, paths: np.ndarray) -> float:
    val, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
                              np.arange(d.S + d.R) < d.S, cls, paths)
    assert legal.all()
    return float(val.sum())





def expand(d: SeatData, per_class: dict[int, list[tuple[tuple[int, ...], int]]]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Person-level arrays (class of each person, path of each person) from path counts, in
    class order; members of a class are interchangeable so their order does not matter."""
    cls: list[int] = []
    paths: list[tuple[int, ...]] = []
    for c in range(d.C):
        for path, k in per_class.get(c, ()):
            cls += [c] * k
            paths += [path] * k
    return np.array(cls, dtype=np.int64), np.array(paths, dtype=np.int64).reshape(-1, d.R)


def lp_start(d: SeatData, cols, x, fallback: dict[int, tuple[int, ...]]
             ) -> tuple[np.ndarray, np.ndarray]:
    """Round an LP solution to one path per person: each class takes the floor of its paths'
    values, then the largest remainders; anyone left takes the class's ``fallback`` path.
    The result may break capacities: it is a start for a repair cycle."""
    by_class: dict[int, list[tuple[float, int]]] = {}
    for j, v in enumerate(x):
        if v > 1e-6:
            by_class.setdefault(cols[j][0], []).append((v, j))
    per_class: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for c in range(d.C):
        n = int(d.n[c])
        lst = sorted(by_class.get(c, []), key=lambda t: (-t[0], t[1]))
        got = {j: int(np.floor(v + 1e-6)) for v, j in lst}
        left = n - sum(got.values())
        for _v, j in sorted(lst, key=lambda t: (-(t[0] - np.floor(t[0] + 1e-6)), t[1])):
            if left <= 0:
                break
            got[j] += 1
            left -= 1
        rows = [(tuple(cols[j][1]), k) for j, k in got.items() if k > 0]
        if left > 0:
            if c not in fallback:  # the start schedule left this class unseated too
                raise RuntimeError(f"class {c} has no fallback path")
            rows.append((fallback[c], left))
        per_class[c] = rows
    return expand(d, per_class)


def repair_and_improve(d: SeatData, cls: np.ndarray, paths: np.ndarray, cap, min_aud,
                       room_rows, cycles: int, stop=None) -> np.ndarray:
    """One repair cycle (every round re-seated under the real capacities), then
    :func:`local_search`."""
    cap = np.asarray(cap, dtype=np.int64)
    min_aud = np.asarray(min_aud, dtype=np.int64)
    for r in range(d.R):
        if stop is not None and stop.is_set():
            # a half-repaired start is not a schedule: the caller falls back on another
            raise RuntimeError("out of time while repairing the start")
        paths, _ = reseat_round(d, cls, paths, r, cap, min_aud, room_rows, repair=True)
    return local_search(d, cls, paths, cap, min_aud, room_rows, max_cycles=cycles, stop=stop)


def to_rows(d: SeatData, cls: np.ndarray, paths: np.ndarray
            ) -> list[tuple[int, tuple[int, ...], int, float]]:
    """``(class, path, count, value per person)`` rows, sorted."""
    uniq, cnt, _ = _groups(cls, paths)
    val, legal = path_values(d, d.score, d.wished, d.proj, d.theme,
                              np.arange(d.S + d.R) < d.S, uniq[:, 0], uniq[:, 1:])
    if not legal.all():
        raise RuntimeError("local search produced an illegal path")
    return [(int(u[0]), tuple(int(v) for v in u[1:]), int(k), float(round(w)))
            for u, k, w in zip(uniq, cnt, val, strict=True)]


# --------------------------------------------------------------------------- first schedule

CONSTRUCT_TOP = 8  # arcs per group in the construction: its best choices ...
CONSTRUCT_SPARE = 8  # ... and the round's sessions with the most seats (room for everyone)


def _feasible_themes(d: SeatData, att: np.ndarray, distinct: np.ndarray, fut_min: np.ndarray,
                     fut_max: np.ndarray) -> np.ndarray:
    """Whether rule 8 (min(k, attended) distinct themes) can still be met by someone who
    has attended ``att`` rounds with ``distinct`` themes and will attend between ``fut_min``
    and ``fut_max`` more rounds, each bringing at most one new theme. The deficit
    ``min(k, att + m) - (distinct + m)`` never grows with m, so it is enough to try the
    fewest (need of at most one) and the most future rounds."""
    k = d.k
    low = np.minimum(k, att + fut_min) <= 1
    high = np.minimum(k, att + fut_max) <= distinct + fut_max
    return low | high


def _round_state(d: SeatData, gcls: np.ndarray, gpath: np.ndarray, r: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            np.ndarray]:
    """For groups (class ``gcls``, choices ``gpath`` of rounds < r) and every choice of
    round r: value of taking it now (score, the unlucky penalty avoided by a first wish,
    changes), and legality (per-person rules, rule 8 still reachable). Returns (choices,
    value, legal, attended, distinct themes, new theme)."""
    S = d.S
    cols = d.choices_of_round[r]
    G, J = len(gcls), len(cols)
    real_j = cols < S
    score = d.score[np.ix_(gcls, cols)]
    legal = score > NEG / 2
    att = np.zeros(G, dtype=np.int64)
    distinct = np.zeros(G, dtype=np.int64)
    got_wish = np.zeros(G, dtype=bool)
    new_theme = np.broadcast_to(real_j, (G, J)).copy()
    for q in range(r):
        ch = gpath[:, q]
        real_q = ch < S
        legal &= d.proj[ch][:, None] != d.proj[cols][None, :]
        fresh = real_q.copy()
        for p in range(q):
            fresh &= ~((gpath[:, p] < S) & (d.theme[gpath[:, p]] == d.theme[ch]))
        distinct += fresh
        att += real_q
        got_wish |= d.wished[gcls, ch]
        new_theme &= ~(real_q[:, None] & (d.theme[ch][:, None] == d.theme[cols][None, :]))
    value = np.where(legal, score, 0.0)
    first_wish = d.wished[np.ix_(gcls, cols)] & (d.has_wishes[gcls] & ~got_wish)[:, None]
    value = value + d.pen * first_wish
    if d.chg:
        pv = d.prev[gcls, r]
        value -= d.chg * ((pv[:, None] >= 0) & (cols[None, :] != pv[:, None]))
    return cols, value, legal, att, distinct, new_theme


def _projects_left(d: SeatData, gcls: np.ndarray, gpath: np.ndarray, cols: np.ndarray,
                   q: int, must_q: np.ndarray) -> np.ndarray:
    """[G, J]: whether taking choice j of this round still leaves the group a session of a
    project not yet seen in the later round q, where it must attend (rule 3 looking ahead:
    someone who saw every project open to them in round q would have no choice left)."""
    S = d.S
    cq = d.choices_of_round[q]
    sq = cq[cq < S]
    open_q = d.score[np.ix_(gcls, sq)] > NEG / 2
    for p in range(gpath.shape[1]):
        open_q &= d.proj[gpath[:, p]][:, None] != d.proj[sq][None, :]
    n_open = open_q.sum(axis=1)
    same = (d.proj[cols][:, None] == d.proj[sq][None, :]).astype(np.int64)  # [J, Jq]
    taken = open_q.astype(np.int64) @ same.T  # [G, J]: sessions of j's project left in q
    return ~(must_q[:, None] & (n_open[:, None] - taken <= 0))


def _seat_round(d: SeatData, gcls: np.ndarray, cnt: np.ndarray, cols: np.ndarray,
                value: np.ndarray, use: np.ndarray, cap: np.ndarray, low: np.ndarray,
                room_rows: dict, r: int) -> np.ndarray | None:
    """Min-cost flow of one round: groups (``cnt`` people each) to choices over the arcs
    ``use``, session j taking between ``low[j]`` and ``cap[j]`` people (rooms shared by
    tables: their own limit). Returns the flow per arc of ``np.nonzero(use)`` (None if no
    flow seats everyone)."""
    S = d.S
    G, J = use.shape
    rooms: dict[int, int] = {}
    room_cap: list[int] = []
    for (rr, _room, rcap), ss in sorted(room_rows.items()):
        if rr != r:
            continue
        rooms.update({int(i): len(room_cap) for i in ss})
        room_cap.append(int(rcap))
    sink = G + J + len(room_cap)
    gi, jj = np.nonzero(use)
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(
        gi.astype(np.int64), (G + jj).astype(np.int64), cnt[gi].astype(np.int64),
        -np.round(value[gi, jj]).astype(np.int64))
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:G] = cnt
    supply[sink] = -int(cnt.sum())
    tails, heads, caps = [], [], []
    for k, j in enumerate(cols):
        j = int(j)
        head = G + J + rooms[j] if j in rooms else sink
        if j >= S:
            c, lo = int(cnt.sum()), 0
        else:
            c, lo = int(cap[j]), int(min(low[j], cap[j]))
        tails.append(G + k)
        heads.append(head)
        caps.append(c - lo)
        supply[G + k] -= lo
        supply[head] += lo
    for k, rc in enumerate(room_cap):
        tails.append(G + J + k)
        heads.append(sink)
        caps.append(rc)
    f.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64),
        np.array(caps, dtype=np.int64), np.zeros(len(tails), dtype=np.int64))
    f.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supply)
    if f.solve() != f.OPTIMAL:
        return None
    return f.flows(np.arange(len(gi), dtype=np.int64))


def _seat_round_min_audience(d: SeatData, gcls: np.ndarray, cnt: np.ndarray,
                             cols: np.ndarray, value: np.ndarray,
                             tiers: list[np.ndarray], cap: np.ndarray, min_aud: np.ndarray,
                             always_held: bool, room_rows: dict, r: int,
                             first_tier: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """One round of :func:`construct` with rule 5: a plain flow first; if some sessions end
    below min_audience, the sessions that reached it are held (min_audience as a lower
    bound) and every other one closed; if that leaves no flow, the short ones are held
    too. Each flow is tried on the arcs of each tier in turn from ``first_tier`` (a few
    per group, more, every legal one: the fewer, the faster). Returns the flow, the arcs
    it is over and their tier."""
    S = d.S
    hold = np.where(always_held, min_aud, 0)
    tries = [(hold, np.zeros(S, dtype=bool))]
    k, first = 0, min(first_tier, len(tiers) - 1)
    while k < len(tries):
        low, closed = tries[k]
        k += 1
        capr = np.where(closed, 0, cap)
        for t, use in enumerate(tiers[first:], start=first):
            first = t  # (the later tries only add limits: no sparser tier will do)
            flows = _seat_round(d, gcls, cnt, cols, value, use, capr, low, room_rows, r)
            if _DEBUG:
                print(f"construct r{r} try{k} arcs {int(use.sum())} ok {flows is not None}")
            if flows is not None:
                break
        if flows is None:
            continue
        _gi, jj = np.nonzero(use)
        seated = np.bincount(cols[jj], weights=flows, minlength=S + d.R)[:S]
        short = (seated > 0) & (seated < min_aud) & (low < min_aud)
        if not short.any():
            return flows, use, first
        if len(tries) == 1:
            held = (seated >= min_aud) & (min_aud > 0)
            tries.append((np.where(held, min_aud, low), (min_aud > 0) & ~held & (low == 0)))
            tries.append((np.where(held | short, min_aud, low),
                          (min_aud > 0) & (seated == 0) & (low == 0)))
    raise RuntimeError(f"round {r}: no flow seats everyone with min_audience")


def construct(d: SeatData, cap, min_aud, room_rows: dict, always_held: bool = False,
              stop=None) -> tuple[np.ndarray, np.ndarray]:
    """A first schedule, built round by round with exact min-cost flows.

    Why: the other starts need every class's best path first (a search per class: a minute
    at 10,000 people) and then a repair that can fail; this one needs neither, so a large
    day always has a schedule within seconds. Round r seats everyone, given their rounds
    before it, by a min-cost flow over their legal choices (capacities and rooms exactly;
    no project twice; presenters, availability, accessibility and fixed entries through
    the seat data; rule 8 kept reachable by looking ahead at the rounds left), valued by
    score plus the unlucky penalty a first wish avoids. Rule 5 (min_audience) is a choice
    per session: sessions left below it are closed and the round re-seated, or, if that
    leaves no flow, held with min_audience as a lower bound. Each round first offers a few
    arcs per group (best choices, emptiest sessions), then every legal arc if no flow
    exists. Raises RuntimeError when a round has no flow (the caller falls back on
    another strategy) or when the stop event is set."""
    S, R = d.S, d.R
    cap = np.asarray(cap, dtype=np.int64)
    min_aud = np.asarray(min_aud, dtype=np.int64)
    cls = np.repeat(np.arange(d.C), d.n).astype(np.int64)
    paths = np.full((len(cls), R), -1, dtype=np.int64)
    can = np.zeros((d.C, R), dtype=bool)  # some session is open to the class in round r
    must = np.zeros((d.C, R), dtype=bool)  # ... and idling is not allowed
    for r in range(R):
        cols = d.choices_of_round[r]
        can[:, r] = (d.score[:, cols[cols < S]] > NEG / 2).any(axis=1)
        must[:, r] = can[:, r] & ~(d.score[:, cols[cols >= S]] > NEG / 2).any(axis=1)
    # a fixed entry (the only legal choice of a round) keeps its project for that round
    # (and its theme, for rule 8)
    forced = np.full((d.C, R), -10**9, dtype=np.int64)
    forced_th = np.full((d.C, R), -10**9, dtype=np.int64)
    for r in range(R):
        cols = d.choices_of_round[r]
        ok = d.score[:, cols] > NEG / 2
        one = (ok.sum(axis=1) == 1) & (cols[np.argmax(ok, axis=1)] < S)
        forced[one, r] = d.proj[cols[np.argmax(ok[one], axis=1)]]
        forced_th[one, r] = d.theme[cols[np.argmax(ok[one], axis=1)]]
    is_forced = forced > -10**9
    can &= ~is_forced
    must &= ~is_forced
    tier = 0
    for r in range(R):
        if stop is not None and stop.is_set():
            raise RuntimeError("out of time while building the first schedule")
        if r:
            uniq, cnt, inv = _groups(cls, paths[:, :r])
            gcls, gpath = uniq[:, 0], uniq[:, 1:]
        else:
            gcls, cnt = np.arange(d.C), d.n.astype(np.int64)
            gpath, inv = np.zeros((d.C, 0), dtype=np.int64), cls
        cols, value, legal, att, distinct, new_theme = _round_state(d, gcls, gpath, r)
        real_j = cols < S
        att_f = np.zeros(len(gcls), dtype=np.int64)  # fixed entries to come, new themes
        new_f = np.zeros(len(gcls), dtype=np.int64)
        dup = np.zeros_like(legal)  # choice j's theme is one a fixed entry brings anyway
        for q in range(r + 1, R):
            legal &= d.proj[cols][None, :] != forced[gcls, q][:, None]
            ft = forced_th[gcls, q]
            fresh = is_forced[gcls, q].copy()
            att_f += fresh
            for p in range(r):
                fresh &= ~((gpath[:, p] < S) & (d.theme[gpath[:, p]] == ft))
            for p in range(r + 1, q):
                fresh &= ~(is_forced[gcls, p] & (forced_th[gcls, p] == ft))
            new_f += fresh
            dup |= fresh[:, None] & (d.theme[cols][None, :] == ft[:, None])
            legal &= _projects_left(d, gcls, gpath, cols, q, must[gcls, q])
        fut_min = must[gcls, r + 1:].sum(axis=1)
        fut_max = can[gcls, r + 1:].sum(axis=1)
        legal &= _feasible_themes(d, att[:, None] + real_j[None, :] + att_f[:, None],
                                  distinct[:, None] + (new_theme & ~dup) + new_f[:, None],
                                  fut_min[:, None], fut_max[:, None])
        if not legal.any(axis=1).all():
            if _DEBUG:
                for g in np.flatnonzero(~legal.any(axis=1))[:3]:
                    c = gcls[g]
                    ok = d.score[c, cols] > NEG / 2
                    print(f"round {r} class {c} path {gpath[g]} proj {d.proj[gpath[g]]} "
                          f"themes {d.theme[gpath[g]]} att {att[g]} distinct {distinct[g]} "
                          f"open {cols[ok]} proj {d.proj[cols[ok]]} th {d.theme[cols[ok]]} "
                          f"forced {forced[c]} fut {fut_min[g]} {fut_max[g]}")
            raise RuntimeError(f"round {r}: someone has no legal choice left")
        masked = np.where(legal, value, -np.inf)
        free = np.where(real_j, cap[np.minimum(cols, S - 1)], -1)
        tiers = []
        for top, spare in ((CONSTRUCT_TOP, CONSTRUCT_SPARE),
                           (4 * CONSTRUCT_TOP, 4 * CONSTRUCT_SPARE)):
            if top + spare >= len(cols):
                break
            best = np.argpartition(-masked, top - 1, axis=1)[:, :top]
            few = np.zeros_like(legal)
            few[np.arange(len(gcls))[:, None], best] = True
            # the group's legal sessions with the most seats: room for everyone
            roomy = np.argpartition(-np.where(legal, free[None, :], -2), spare - 1,
                                    axis=1)[:, :spare]
            few[np.arange(len(gcls))[:, None], roomy] = True
            # and each session's best-suited groups: no session unreachable
            if len(gcls) > 4 * spare:
                fans = np.argpartition(-masked, 4 * spare - 1, axis=0)[:4 * spare]
                few[fans, np.arange(len(cols))[None, :]] = True
            few[:, ~real_j] = True
            tiers.append(few & legal)
        tiers.append(legal)
        # (from the tier the previous round needed: later rounds have more limits, and a
        # flow that does not exist costs a solve; 10,000 people, loaded machine: seconds)
        flows, use, tier = _seat_round_min_audience(d, gcls, cnt, cols, value, tiers, cap,
                                                    min_aud, always_held, room_rows, r, tier)
        gi, jj = np.nonzero(use)
        members = np.argsort(inv, kind="stable")
        starts = np.concatenate([[0], np.cumsum(cnt)])
        fill = starts[:-1].copy()
        for a in np.flatnonzero(flows):
            g, k = gi[a], int(flows[a])
            paths[members[fill[g]:fill[g] + k], r] = cols[jj[a]]
            fill[g] += k
    _val, ok = path_values(d, d.score, d.wished, d.proj, d.theme,
                           np.arange(S + R) < S, cls, paths)
    if not ok.all():
        raise RuntimeError("the first schedule breaks a per-person rule")
    return cls, paths
