"""The per-person MIP of a fixed programme's seating, on OR-Tools' own HiGHS.

Why: the path formulation (:mod:`scheduler.paths`) prices paths over rounds, and its bound
on days of many rounds is the Lagrangian one, which the path MIP cannot close when the
generated columns miss the optimum. The compact model (one binary per participant and legal
session, the per-person rules as rows) is small on such days (a few hundred people x a few
hundred sessions) and HiGHS proves it in seconds, with its own dual bound valid for the real
problem. It is the "plain MIP" of issue 13, built from :class:`SeatData` (so classes give
the legal choices and values) and started from the best schedule known (a hint).

Only OR-Tools' HiGHS may be used here: ``highspy`` bundles another ``libhighs.so.1`` that
cannot share a process with OR-Tools (docs/scheduler.md). It is reached through MathOpt's
protocol buffers, built with numpy: pywraplp's HiGHS reports no solution when the time limit
stops a MIP that has one and prints HiGHS's banner on stdout (where the command line writes
the solution), and MathOpt's Python objects took 6 s to build a 300-person 8-round model.

Rules as rows, per participant ``p`` (member of class ``c``), ``x[p, i]`` binary for each
legal session ``i`` (``SeatData.score[c, i] > NEG``):

* one session per attended round (``= 1``, or ``<= 1`` where idle is legal);
* distinct projects: ``sum x <= 1`` per project seen in two rounds;
* theme variety: ``t[p, theme] <= sum x`` of that theme, ``sum t >= min(k, attended)``
  (attended is known unless idle is allowed: then a binary ``b`` as in the plain MIP);
* unlucky penalty: ``u[p] <= sum`` of wished ``x``, worth ``+pen`` (constant ``-pen``);
* changes: ``-chg`` per previous entry, ``+chg`` on the previous session's ``x``;
* seats: session capacity, min_audience with an open indicator (or always, if held), room
  capacity per round where its sessions could overfill it.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    parameters_pb2,
    result_pb2,
    solution_pb2,
)
from ortools.math_opt.core.python import solver as mo_solver
from ortools.util.python.solve_interrupter import SolveInterrupter

from .seatdata import NEG, SeatData, path_values
from .stopping import AnyOf, watch_stop

Row = tuple[int, tuple[int, ...], int, float]  # (class, path, people, value per person)
INF = math.inf
MARGIN_S = 0.5  # HiGHS's time limit ends this long before the deadline (portfolio)
ABS_GAP = 0.99  # HiGHS's optimality gap: below 1, so "optimal" proves an integer optimum


@dataclass
class MipOutcome:
    """What the per-person MIP returns: the schedule as path rows (None if it found none),
    its objective, the MIP's dual bound (valid for the real seating; ``inf`` if unknown)
    and whether the optimum is proven."""

    rows: list[Row] | None
    objective: int | None
    bound: float
    proven: bool
    by_work: bool = False  # HiGHS stopped at its node limit (work), not at the clock


def model_size(d: SeatData) -> int:
    """Number of binaries x[p, i] the model would have (to choose the strategy by size)."""
    legal = (d.score[:, :d.S] > NEG / 2).sum(axis=1)
    return int(np.dot(d.n, legal))


@dataclass
class _Lp:
    """Columns and rows as numpy blocks, turned into a MathOpt ``ModelProto`` at the end."""

    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    gain: list[np.ndarray] = field(default_factory=list)
    n: int = 0
    rlo: list[np.ndarray] = field(default_factory=list)
    rhi: list[np.ndarray] = field(default_factory=list)
    ri: list[np.ndarray] = field(default_factory=list)
    ci: list[np.ndarray] = field(default_factory=list)
    vi: list[np.ndarray] = field(default_factory=list)
    m: int = 0
    constant: float = 0.0

    def cols(self, k: int, lb: float, ub: float, integer: bool,
             gain: float | np.ndarray = 0.0) -> np.ndarray:
        self.lb.append(np.full(k, lb))
        self.ub.append(np.full(k, ub))
        self.integer.append(np.full(k, integer))
        self.gain.append(np.broadcast_to(np.asarray(gain, dtype=float), (k,)).copy())
        self.n += k
        return np.arange(self.n - k, self.n, dtype=np.int64)

    def rows(self, k: int, lo: float | np.ndarray, hi: float | np.ndarray,
             row: np.ndarray, col: np.ndarray, val: float | np.ndarray) -> None:
        """``k`` rows ``lo <= sum val * x[col] <= hi``; ``row`` numbers entries 0..k-1."""
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=float), (k,)).copy())
        self.rhi.append(np.broadcast_to(np.asarray(hi, dtype=float), (k,)).copy())
        self.ri.append(np.asarray(row, dtype=np.int64) + self.m)
        self.ci.append(np.asarray(col, dtype=np.int64))
        self.vi.append(np.broadcast_to(np.asarray(val, dtype=float), (len(row),)).copy())
        self.m += k

    def proto(self) -> model_pb2.ModelProto:
        """The model as MathOpt's ``ModelProto``. Its large repeated fields are written in
        the protocol buffers' packed wire format by numpy and parsed in one call: filled
        with ``extend`` they took 0.4-0.5 s on 300-person days of 8-10 rounds (175,000
        matrix entries), more than building the rows."""
        mp = model_pb2.ModelProto()
        gain = np.concatenate(self.gain) if self.gain else np.zeros(0)
        nz = np.flatnonzero(gain)
        r, c, val = ((np.concatenate(self.ri), np.concatenate(self.ci),
                      np.concatenate(self.vi)) if self.ri else
                     (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)))
        order = np.lexsort((c, r))
        integer = np.concatenate(self.integer) if self.integer else np.zeros(0, bool)
        mp.variables.MergeFromString(
            _packed_ints(1, np.arange(self.n))
            + _packed_doubles(2, _cat(self.lb)) + _packed_doubles(3, _cat(self.ub))
            + _packed_ints(4, integer.astype(np.int64)))
        mp.objective.maximize = True
        mp.objective.offset = self.constant
        mp.objective.linear_coefficients.MergeFromString(
            _packed_ints(1, nz) + _packed_doubles(2, gain[nz]))
        mp.linear_constraints.MergeFromString(
            _packed_ints(1, np.arange(self.m))
            + _packed_doubles(2, _cat(self.rlo)) + _packed_doubles(3, _cat(self.rhi)))
        mp.linear_constraint_matrix.MergeFromString(
            _packed_ints(1, r[order]) + _packed_ints(2, c[order])
            + _packed_doubles(3, val[order]))
        return mp


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(float) if parts else np.zeros(0)


def _varints(values: np.ndarray) -> bytes:
    """Protocol buffers' base-128 varints of non-negative integers, vectorised: seven bits
    per byte, low first, the high bit set on every byte but the last."""
    cur = np.array(values, dtype=np.int64)
    if not len(cur):
        return b""
    most = max(1, (int(cur.max()).bit_length() + 6) // 7)
    digits = np.empty((len(cur), most), dtype=np.uint8)
    keep = np.empty((len(cur), most), dtype=bool)
    keep[:, 0] = True
    for k in range(most):
        low = (cur & 0x7F).astype(np.uint8)
        cur >>= 7
        more = cur > 0
        digits[:, k] = low | (more.astype(np.uint8) << 7)
        if k + 1 < most:
            keep[:, k + 1] = more
    return digits[keep].tobytes()


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2): a packed repeated field when non-empty."""
    if not payload:
        return b""
    return _varints(np.array([number << 3 | 2, len(payload)])) + payload


def _packed_ints(number: int, values: np.ndarray) -> bytes:
    return _field(number, _varints(values))


def _packed_doubles(number: int, values: np.ndarray) -> bytes:
    return _field(number, np.ascontiguousarray(values, dtype="<f8").tobytes())


def _gains(d: SeatData, c: int, legal: np.ndarray, lp: _Lp) -> np.ndarray:
    """Per legal choice: its score, plus the change penalty it avoids (the penalty of every
    previous entry is a constant)."""
    gain = d.score[c, legal].astype(float)
    if d.chg:
        for r in range(d.R):
            pv = int(d.prev[c, r])
            if pv >= 0:
                lp.constant -= d.chg * d.n[c]
                gain[(legal == pv) & (d.round_of[legal] == r)] += d.chg
    return gain


@dataclass
class _Built:
    lp: _Lp
    xs: list[np.ndarray]  # per class: variable ids [members, legal choices]
    legal: list[np.ndarray]  # per class: legal session indices
    person: np.ndarray  # per x variable: its person (classes in order, members in order)
    choice: np.ndarray  # per x variable: its session
    cls: np.ndarray  # per person: its class


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct keys, each entry's group number and each group's size."""
    uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return uniq, inv.ravel(), counts


def _build(d: SeatData, cap, min_aud, room_rows, always_held: bool) -> _Built:
    """The model as numpy blocks, every rule vectorised over all people at once (built class
    by class, the 2016 day's 227 classes took 0.3 s of Python, as long as HiGHS's solve)."""
    lp = _Lp()
    S = d.S
    xs, legal_of, person_parts, choice_parts, gain_parts = [], [], [], [], []
    first = 0
    for c in range(d.C):
        legal = np.flatnonzero(d.score[c, :S] > NEG / 2)
        n = int(d.n[c])
        legal_of.append(legal)
        person_parts.append(np.repeat(np.arange(first, first + n), len(legal)))
        choice_parts.append(np.tile(legal, n))
        gain_parts.append(np.tile(_gains(d, c, legal, lp), n))
        first += n
    empty = np.zeros(0, np.int64)
    person = np.concatenate(person_parts) if person_parts else empty
    choice = np.concatenate(choice_parts) if choice_parts else empty
    x = lp.cols(len(person), 0.0, 1.0, True,
                np.concatenate(gain_parts) if gain_parts else np.zeros(0))
    off = 0
    for c in range(d.C):
        k = int(d.n[c]) * len(legal_of[c])
        xs.append(x[off:off + k].reshape(int(d.n[c]), len(legal_of[c])))
        off += k
    cls = np.repeat(np.arange(d.C), d.n)
    b = _Built(lp, xs, legal_of, person, choice, cls)
    if len(x):
        _person_rows(b, d)
    _seat_rows(b, d, cap, min_aud, room_rows, always_held)
    return b


def _person_rows(b: _Built, d: SeatData) -> None:
    """The per-person rules of every member (see the module docstring)."""
    lp, x, person, choice, cls = b.lp, np.arange(len(b.person)), b.person, b.choice, b.cls
    R = d.R
    rnd = d.round_of[choice]
    idle_ok = d.score[:, d.S:] > NEG / 2  # [class, round]
    # one session per attended round (rounds with a legal session only)
    uniq, inv, _n = _groups(person * R + rnd)
    lo = np.where(idle_ok[cls[uniq // R], uniq % R], 0.0, 1.0)
    lp.rows(len(uniq), lo, 1.0, inv, x, 1.0)
    held = np.zeros(len(cls), np.int64)  # rounds with a legal session, per person
    np.add.at(held, uniq // R, 1)
    idle_held = np.zeros(len(cls), bool)  # idle is legal in one of them
    np.logical_or.at(idle_held, uniq // R, idle_ok[cls[uniq // R], uniq % R])
    # distinct projects: a project seen in two rounds, at most once
    n_proj = int(d.proj.max()) + 1
    uniq, inv, counts = _groups(person * n_proj + d.proj[choice])
    many = counts > 1
    keep = many[inv]
    renum = np.cumsum(many) - 1
    lp.rows(int(many.sum()), -INF, 1.0, renum[inv[keep]], x[keep], 1.0)
    # theme variety: t[p, theme] <= sum x of that theme, sum t >= min(k, attended)
    need = np.minimum(d.k, held)
    if d.k > 1 and (need > 1).any():
        on = (need > 1)[person]
        n_theme = int(d.theme.max()) + 1
        uniq, inv, _n = _groups(person[on] * n_theme + d.theme[choice[on]])
        t = lp.cols(len(uniq), 0.0, 1.0, False)
        k = len(uniq)
        lp.rows(k, -INF, 0.0, np.concatenate([inv, np.arange(k)]),
                np.concatenate([x[on], t]), np.concatenate([-np.ones(len(inv)), np.ones(k)]))
        t_person = uniq // n_theme
        known = ~idle_held[t_person]  # attended rounds known: sum t >= min(k, attended)
        pk, tinv, _n = _groups(t_person[known])
        lp.rows(len(pk), need[pk].astype(float), INF, tinv, t[known], 1.0)
        # idle allowed: b = 1 when k themes are needed: sum t >= k b, sum t >= attended - R b
        pb, tinv, _n = _groups(t_person[~known])
        if len(pb):
            bv = lp.cols(len(pb), 0.0, 1.0, True)
            m = len(pb)
            lp.rows(m, 0.0, INF, np.concatenate([tinv, np.arange(m)]),
                    np.concatenate([t[~known], bv]),
                    np.concatenate([np.ones(len(tinv)), np.full(m, -float(d.k))]))
            pos = np.full(len(cls), -1, np.int64)
            pos[pb] = np.arange(m)
            xon = pos[person] >= 0
            lp.rows(m, 0.0, INF, np.concatenate([tinv, pos[person[xon]], np.arange(m)]),
                    np.concatenate([t[~known], x[xon], bv]),
                    np.concatenate([np.ones(len(tinv)), -np.ones(int(xon.sum())),
                                    np.full(m, float(R))]))
    # unlucky penalty: u[p] <= sum of wished x, worth +pen (constant -pen)
    if d.pen:
        pw = np.flatnonzero(d.has_wishes[cls])
        if len(pw):
            lp.constant -= d.pen * len(pw)
            u = lp.cols(len(pw), 0.0, 1.0, False, d.pen)
            pos = np.full(len(cls), -1, np.int64)
            pos[pw] = np.arange(len(pw))
            wx = d.wished[cls[person], choice] & (pos[person] >= 0)
            lp.rows(len(pw), -INF, 0.0, np.concatenate([pos[person[wx]], np.arange(len(pw))]),
                    np.concatenate([x[wx], u]),
                    np.concatenate([-np.ones(int(wx.sum())), np.ones(len(pw))]))


def _seat_rows(b: _Built, d: SeatData, cap, min_aud, room_rows, always_held: bool) -> None:
    """Session capacity and min_audience (with an open indicator), room capacity."""
    lp = b.lp
    order = np.argsort(b.choice, kind="stable")
    sess, col = b.choice[order], order
    bounds = np.searchsorted(sess, np.arange(d.S + 1))
    by_session = [col[bounds[i]:bounds[i + 1]] for i in range(d.S)]
    for i in range(d.S):
        vs = by_session[i]
        if not len(vs):
            continue
        k = len(vs)
        if min_aud[i] > 0 and not always_held:  # open indicator o: min o <= sum <= cap o
            o = lp.cols(1, 0.0, 1.0, True)
            lp.rows(2, np.array([0.0, -INF]), np.array([INF, 0.0]), np.repeat([0, 1], k + 1),
                    np.tile(np.concatenate([vs, o]), 2),
                    np.concatenate([np.ones(k), [-float(min_aud[i])],
                                    np.ones(k), [-float(cap[i])]]))
        elif k > cap[i] or (always_held and min_aud[i] > 0):
            lo = float(min_aud[i]) if always_held else -INF
            lp.rows(1, lo, float(cap[i]), np.zeros(k), vs, 1.0)
    for (_r, _room, rcap), ss in room_rows.items():
        vs = np.concatenate([by_session[i] for i in ss])
        lp.rows(1, -INF, float(rcap), np.zeros(len(vs)), vs, 1.0)


def _hint(b: _Built, d: SeatData, rows: list[Row]) -> model_parameters_pb2.SolutionHintProto:
    """A start for HiGHS from a known schedule (members take the rows' paths in order)."""
    ids: list[np.ndarray] = []
    taken = [0] * d.C
    for c, path, k, _v in rows:
        chosen = np.isin(b.legal[c], [i for i in path if i < d.S])
        ids.append(b.xs[c][taken[c]:taken[c] + k][:, chosen].ravel())
        taken[c] += k
    every = np.concatenate([x.ravel() for x in b.xs]) if b.xs else np.zeros(0, np.int64)
    values = np.zeros(b.lp.n)
    if ids:
        values[np.concatenate(ids)] = 1.0
    hint = model_parameters_pb2.SolutionHintProto()
    every.sort()
    hint.variable_values.ids.extend(every.tolist())
    hint.variable_values.values.extend(values[every].tolist())
    return hint


def _read(b: _Built, d: SeatData, values: np.ndarray) -> list[Row]:
    """Path rows of the incumbent (idle where a person has no session in a round)."""
    on = values[:len(b.person)] > 0.5
    paths = np.tile(d.S + np.arange(d.R), (len(b.cls), 1))
    paths[b.person[on], d.round_of[b.choice[on]]] = b.choice[on]
    keyed = np.concatenate([b.cls[:, None], paths], axis=1)
    if not len(keyed):
        return []
    uniq, counts = np.unique(keyed, axis=0, return_counts=True)
    cls, ch = uniq[:, 0], uniq[:, 1:]
    val, ok = path_values(d, d.score, d.wished, d.proj, d.theme,
                          np.arange(d.S + d.R) < d.S, cls, ch)
    if not ok.all():
        raise RuntimeError("the per-person MIP returned an illegal path")
    return [(int(c), tuple(int(i) for i in p), int(k), float(round(v)))
            for c, p, k, v in zip(cls, ch, counts, val, strict=True)]


class Background:
    """The per-person MIP in a helper thread, beside the path strategies (a portfolio on
    two workers: HiGHS releases the GIL while it solves). ``cancel`` stops it (the paths
    proved their schedule optimal); ``result`` waits for it until its deadline."""

    def __init__(self, d: SeatData, cap, min_aud, room_rows, always_held: bool, *,
                 deadline: float, stop=None, seed: int = 0, hint: list[Row] | None = None,
                 proven: threading.Event | None = None):
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self.outcome = MipOutcome(None, None, INF, False)
        self.deadline = deadline
        either = AnyOf(stop, self.cancelled)

        def run() -> None:
            try:
                # HiGHS's own limit a little before the deadline, so that it returns by
                # itself in time even when the interrupt is noticed late
                self.outcome = solve_person_mip(d, cap, min_aud, room_rows, always_held,
                                                deadline=deadline - MARGIN_S, stop=either,
                                                seed=seed, hint=hint)
                if self.outcome.proven and proven is not None:
                    proven.set()  # the path strategies may stop
            except Exception as e:  # noqa: BLE001  (the path strategies still answer)
                if os.environ.get("SCHEDULER_DEBUG"):
                    print(f"person MIP failed: {e!r}")
                self.outcome = MipOutcome(None, None, INF, False)
            finally:
                self.done.set()
                _LIVE.discard(self)

        self.thread = threading.Thread(target=run, daemon=True, name="person-mip")
        _LIVE.add(self)
        self.thread.start()

    def cancel(self, wait: float = 1.0) -> None:
        """Interrupt HiGHS and wait (briefly) for it to return: a process that exits while
        HiGHS still runs in a helper thread aborts ("terminate called without an active
        exception"; seen once in the shapes benchmark on a machine loaded 7 times over,
        where HiGHS took more than a second to notice). :func:`_join_at_exit` waits for the
        rest."""
        self.cancelled.set()
        if self.done.wait(wait):
            _LIVE.discard(self)

    def result(self, grace: float = 0.5) -> MipOutcome:
        self.done.wait(max(0.0, self.deadline - time.monotonic()) + grace)
        return self.outcome


_LIVE: set[Background] = set()


@atexit.register
def _join_at_exit() -> None:
    """Let interrupted HiGHS runs return before the interpreter exits (see ``cancel``)."""
    for run in list(_LIVE):
        run.cancelled.set()
        run.done.wait(30.0)


def solve_person_mip(d: SeatData, cap, min_aud, room_rows, always_held: bool, *,
                     deadline: float, stop=None, seed: int = 0,
                     hint: list[Row] | None = None, node_limit: int | None = None,
                     log: bool = False) -> MipOutcome:
    """Solve the per-person MIP on HiGHS until optimal, ``deadline`` or ``stop``."""
    b = _build(d, cap, min_aud, room_rows, always_held)
    model = b.lp.proto()
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint:
        model_params.solution_hints.append(_hint(b, d, hint))
    left = deadline - time.monotonic()
    if left <= 0.05 or (stop is not None and stop.is_set()):
        return MipOutcome(None, None, INF, False)
    params = _mip_params(left, seed, node_limit, log)
    return _outcome(b, d, _run(model, params, model_params, stop))


def _mip_params(left: float, seed: int, node_limit: int | None, log: bool,
                presolve: bool = False) -> parameters_pb2.SolveParametersProto:
    """HiGHS's parameters for a MIP of this model (``left`` seconds at most)."""
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromNanoseconds(int(left * 1e9))
    params.enable_output = log
    if node_limit is not None:
        params.node_limit = int(node_limit)
    params.random_seed = int(seed) % (2**31)
    # HiGHS's presolve (probing tens of thousands of binaries) and symmetry detection took
    # 8-18 s on a 300-person 8-round day whose root LP is integral (4 s without them on
    # the same loaded machine); the rows are already tight.
    params.highs.string_options["presolve"] = "on" if presolve else "off"
    params.highs.bool_options["mip_detect_symmetry"] = False
    # The root LP of these models is (near) integral: HiGHS's randomised rounding at the
    # root finds the optimum, or not, by luck. With the default effort (0.05) and seed 0 it
    # missed it on a 5-round 300-person day and HiGHS spent 30 s on cuts (seeds 1-3 found
    # it at once); with 0.3 it found it at the root (4 s, load 11) and the other days of
    # the shapes benchmark took the same time as before.
    params.highs.double_options["mip_heuristic_effort"] = 0.3
    # An exact optimum, not HiGHS's default one within a relative gap of 1e-4: on a
    # 12-round 300-person day HiGHS stopped "optimal" at 62,430 with a dual bound over
    # 62,435 (a gap of 8e-5), and that bound, taken as the optimum, was reported below a
    # feasible schedule. The objective is an integer, so a gap under 1 is a proof.
    params.highs.double_options["mip_rel_gap"] = 0.0
    params.highs.double_options["mip_abs_gap"] = ABS_GAP
    # (HiGHS's MIP search is serial; MathOpt refuses a thread count for HiGHS)
    return params


def _run(model: model_pb2.ModelProto, params: parameters_pb2.SolveParametersProto,
         model_params: model_parameters_pb2.ModelSolveParametersProto | None,
         stop) -> result_pb2.SolveResultProto:
    """One HiGHS solve through MathOpt, interrupted when ``stop`` is set."""
    interrupter = SolveInterrupter()
    with watch_stop(stop, interrupter.interrupt):
        return mo_solver.solve(model, parameters_pb2.SOLVER_TYPE_HIGHS,
                               parameters_pb2.SolverInitializerProto(), params,
                               model_params or model_parameters_pb2.ModelSolveParametersProto(),
                               None, callback_pb2.CallbackRegistrationProto(), None,
                               interrupter.pybind_interrupter)


def _variant(model: model_pb2.ModelProto, *, upper: np.ndarray | None = None,
             relaxed: bool = False) -> model_pb2.ModelProto:
    """A copy of ``model`` with other upper bounds, or with every variable continuous."""
    out = model_pb2.ModelProto()
    out.CopyFrom(model)
    if upper is not None:
        out.variables.ClearField("upper_bounds")
        out.variables.MergeFromString(_packed_doubles(3, upper))
    if relaxed:
        out.variables.ClearField("integers")
        out.variables.MergeFromString(_packed_ints(4, np.zeros(len(out.variables.ids),
                                                               np.int64)))
    return out


def _value(rows: list[Row]) -> int:
    return round(sum(k * v for _c, _p, k, v in rows))


def solve_lp_guided(d: SeatData, cap, min_aud, room_rows, always_held: bool, *,
                    start: list[Row] | None, deadline: float, stop=None, seed: int = 0,
                    node_limit: int | None = None, log: bool = False) -> MipOutcome:
    """The per-person model's LP relaxation, then the MIP restricted to the sessions that
    the LP's solution or the ``start`` schedule give each person (the neighbourhood of
    the RINS heuristic); the LP's value is the bound, so a schedule that reaches it is
    proven optimal without any search.

    Why: on days of many rounds and a few hundred people the LP of this model is (nearly)
    integral and its value is the optimum, but HiGHS on the whole MIP spends its time in
    rounds of cuts at the root (each re-solving an LP of 40,000-50,000 columns) and finds
    the optimum only if its randomised rounding happens to: on the 10-round, 300-person
    day of the shapes benchmark it had a schedule 37,000 points below the optimum after
    30 s. The restricted MIP has a tenth of the binaries (the LP's support, plus the
    start's, so that the start stays feasible in it) and HiGHS solves it in about a second;
    there it reached the LP's value on the 10- and 12-round days (measured in
    benchmarks/RESULTS.md). The outcome is deterministic (node limit, no clock) unless
    the deadline cuts a solve short."""
    b = _build(d, cap, min_aud, room_rows, always_held)
    model = b.lp.proto()
    start_value = _value(start) if start else None
    nothing = MipOutcome(start, start_value, INF, False)
    left = deadline - time.monotonic()
    if left <= 0.05 or (stop is not None and stop.is_set()):
        return nothing
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromNanoseconds(int(left * 1e9))
    params.enable_output = log
    params.highs.string_options["presolve"] = "off"
    res = _run(_variant(model, relaxed=True), params, None, stop)
    if (res.termination.reason != result_pb2.TERMINATION_REASON_OPTIMAL
            or not res.solutions or not res.solutions[0].HasField("primal_solution")):
        return nothing
    lp = res.solutions[0].primal_solution
    bound = float(lp.objective_value)
    values = np.zeros(b.lp.n)
    values[np.array(lp.variable_values.ids, dtype=np.int64)] = np.array(
        lp.variable_values.values)
    nx = len(b.person)
    used = values[:nx] > 1e-6
    hint = None
    if start:
        hint = _hint(b, d, start)
        ids = np.array(hint.variable_values.ids, dtype=np.int64)
        used[ids[np.array(hint.variable_values.values, dtype=float) > 0.5]] = True
    if start_value is not None and start_value >= math.floor(bound + 1e-6):
        return MipOutcome(start, start_value, float(start_value), True)
    upper = _cat(b.lp.ub)
    upper[:nx][~used] = 0.0
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint is not None:
        model_params.solution_hints.append(hint)
    left = deadline - time.monotonic()
    if left <= 0.05 or (stop is not None and stop.is_set()):
        return MipOutcome(start, start_value, bound, False)
    # (presolve on: it removes the binaries fixed at zero, nine in ten)
    sub = _outcome(b, d, _run(_variant(model, upper=upper),
                              _mip_params(left, seed, node_limit, log, presolve=True),
                              model_params, stop))
    rows, value = start, start_value
    if sub.rows is not None and sub.objective is not None and (
            value is None or sub.objective > value):
        rows, value = sub.rows, sub.objective
    if value is None:
        return MipOutcome(None, None, bound, False, sub.by_work)
    proven = value >= math.floor(bound + 1e-6)
    return MipOutcome(rows, value, float(value) if proven else bound, proven, sub.by_work)


def _outcome(b: _Built, d: SeatData, res: result_pb2.SolveResultProto) -> MipOutcome:
    bound = INF
    dual = res.termination.objective_bounds.dual_bound
    if math.isfinite(dual):
        bound = dual  # (the objective's offset holds the constants)
    by_work = res.termination.limit == result_pb2.LIMIT_NODE
    feasible = [s for s in res.solutions if s.HasField("primal_solution") and
                s.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE]
    if not feasible:
        return MipOutcome(None, None, bound, False, by_work)
    sol = feasible[0].primal_solution.variable_values
    values = np.zeros(b.lp.n)
    values[np.array(sol.ids, dtype=np.int64)] = np.array(sol.values)
    rows = _read(b, d, values)
    value = round(sum(k * v for _c, _p, k, v in rows))
    # Proven only when the dual bound says so: HiGHS's "optimal" holds within its gap
    # tolerances, and the value is an integer, so a bound under value + 1 proves it.
    proven = (res.termination.reason == result_pb2.TERMINATION_REASON_OPTIMAL
              and math.floor(bound + 1e-6) <= value)
    if proven:
        bound = float(value)
    return MipOutcome(rows, value, bound, proven, by_work)
