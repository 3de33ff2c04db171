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

import numpy as np
from ortools.graph.python import min_cost_flow

from .seatdata import SeatData, path_values


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
    J = len(cols)
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
    # nodes: 0 source? no: groups carry their own supply. groups 0..G-1, choices G..G+J-1,
    # rooms next, sink last
    rooms: dict[int, int] = {}
    room_cap: list[int] = []
    for (rr, _room, rcap), ss in sorted(room_rows.items()):
        if rr != r:
            continue
        k = len(room_cap)
        room_cap.append(int(rcap))
        for i in ss:
            rooms[int(i)] = k
    n_room = len(room_cap)
    sink = G + J + n_room
    f = min_cost_flow.SimpleMinCostFlow()
    gi, jj = np.nonzero(use)
    cost = -np.round(val[gi, jj]).astype(np.int64)
    a_tail = gi.astype(np.int64)
    a_head = (G + jj).astype(np.int64)
    a_cap = cnt[gi].astype(np.int64)
    f.add_arcs_with_capacity_and_unit_cost(a_tail, a_head, a_cap, cost)
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[:G] = cnt
    supply[sink] = -int(cnt.sum())
    tails, heads, caps = [], [], []
    for k, j in enumerate(cols):
        j = int(j)
        head = sink if j not in rooms else G + J + rooms[j]
        if j >= S:
            tails.append(G + k)
            heads.append(head)
            caps.append(int(cnt.sum()))
            continue
        c = int(cap[j]) if held[j] else 0
        low = int(min_aud[j]) if held[j] else 0
        low = min(low, c)
        tails.append(G + k)
        heads.append(head)
        caps.append(c - low)
        supply[G + k] -= low
        supply[head] += low
    for k, rc in enumerate(room_cap):
        tails.append(G + J + k)
        heads.append(sink)
        caps.append(rc)
    f.add_arcs_with_capacity_and_unit_cost(np.array(tails, dtype=np.int64),
                                           np.array(heads, dtype=np.int64),
                                           np.array(caps, dtype=np.int64),
                                           np.zeros(len(tails), dtype=np.int64))
    f.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supply)
    st = f.solve()
    if st != f.OPTIMAL:
        if repair:
            raise RuntimeError("round re-seating has no feasible flow")
        return paths, 0.0
    flows = f.flows(np.arange(len(gi), dtype=np.int64))
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
    for _cycle in range(max_cycles):
        for r in range(d.R):
            if stop is not None and stop.is_set():
                return paths
            paths, gain = reseat_round(d, cls, paths, r, cap, min_aud, room_rows)
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
