"""Seeded days of every shape the scheduler must handle, and a benchmark over them (issue 13).

``make_instance(shape, seed)`` builds a contract-valid ``speed-dating-instance/1`` dict
(see ``../shared/docs/scheduling.md``) for a :class:`Shape`: any number of rounds (1 to 12
and beyond), 0-4 workshop slots, 2-10 themes, themed rooms of unequal capacity and table
counts (some not step-free) plus open rooms, 10-20 % of people arriving late or leaving
early, people without project wishes, presenters (some of whom need step-free rooms), a few
fixed entries, optional ``previous`` assignments with a change penalty, and either a fixed
programme or a programme left (mostly) to the solver. Every instance passes
``scheduler.load_instance`` and the counting diagnosis: the generator builds a programme
first and sizes rooms and seats from it with 15-30 % slack, so a schedule exists.

``ROWS`` are the named benchmark rows (the issue's targets among them). The runner

    python -m benchmarks.shapes [--quick] [--time-limit S] [--rows NAMES] [--workers N]

solves each row with ``scheduler.solve`` and with the plain HiGHS MIP of
``benchmarks.plain_mip``, each in its own subprocess (peak memory measured alone, hard kill
at the limit plus a grace period), checks every solution with ``scheduler.check_solution``,
and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))

THEME_NAMES = ["remobiliser", "dynamiser", "transformer", "former", "accompagner", "financer",
               "territoires", "numerique", "mobilite", "logement"]
CATEGORIES = ["association", "siae", "entreprise", "service-public", "financeur"]


@dataclass(frozen=True)
class Shape:
    """What a generated day looks like; sizes and shares, not the random draws."""

    rounds: int
    participants: int
    themes: int = 4
    slots: int = 1
    programme_mode: bool = False
    unavailable_share: float = 0.15  # arriving late or leaving early (issue: 10-20 %)
    no_wish_share: float = 0.10
    accessible_share: float = 0.03  # participants who need step-free rooms
    presenter_accessible_share: float = 0.25
    fixed_share: float = 0.01
    previous_share: float = 0.0  # participants with a previous schedule (re-solve)
    change_penalty: int = 0
    min_distinct_themes: int = 2
    min_audience: int = 3


# --------------------------------------------------------------------------- the generator


def make_instance(shape: Shape, seed: int) -> dict[str, Any]:
    """A contract-valid instance of ``shape``; the same (shape, seed) gives the same dict.

    A draw that the counting diagnosis rejects (rare: e.g. a round whose sessions all share
    one theme) is redrawn with a derived seed, so every returned instance is feasible as far
    as the counting checks can tell (and by construction: the generated programme has the
    seats, tables and themes a schedule needs)."""
    from scheduler import load_instance
    from scheduler.diagnosis import counting_reasons

    reasons: list[str] = []
    for attempt in range(30):
        data = _draw(shape, random.Random(seed * 1000 + attempt))
        reasons = counting_reasons(load_instance(data))
        if not reasons:
            return data
    raise ValueError(f"no feasible draw for {shape} (seed {seed}): {reasons[:3]}")


def _draw(shape: Shape, rng: random.Random) -> dict[str, Any]:
    n, n_rounds = shape.participants, shape.rounds
    themes = [{"id": t, "name": t.capitalize()} for t in THEME_NAMES[:shape.themes]]
    size = min(70, max(6, round(math.sqrt(n) * 1.4)))  # people per session, on average
    per_round = max(2, math.ceil(n * rng.uniform(1.15, 1.3) / size))
    n_projects = min(per_round * n_rounds, max(n_rounds + 2, shape.themes + 1,
                                               math.ceil(1.6 * per_round)))
    pop = _zipf(n_projects, rng)
    counts = _sessions_per_project(pop, per_round * n_rounds, n_rounds, rng)
    theme_of = [themes[j % len(themes)]["id"] for j in range(n_projects)]
    projects = [{"id": f"pr{j:04d}", "name": f"Project {j}", "theme": theme_of[j],
                 "presenters": []} for j in range(n_projects)]
    rounds_of = _place_rounds(counts, n_rounds, rng)
    rooms, sessions = _rooms_and_sessions(shape, projects, rounds_of, n, rng)
    rounds = [{"id": f"r{i + 1}", "start": _clock(9 * 60 + 25 * i),
               "end": _clock(9 * 60 + 25 * i + 20)} for i in range(n_rounds)]
    slots = [{"id": f"atelier{k + 1}", "start": _clock(14 * 60 + 60 * k),
              "end": _clock(14 * 60 + 60 * k + 50)} for k in range(shape.slots)]
    workshops = _workshops(slots, rooms, n, rng)
    people = _participants(shape, projects, pop, rounds, slots, workshops, rng)
    _presenters(shape, projects, people, rng)
    # the same draws in both modes, so that a programme-mode day and its fixed twin (same
    # shape and seed) differ only by the rounds and rooms left out: the twin's programme is
    # a witness that the programme-mode day is feasible
    open_ = {s["id"] for s in sessions if rng.random() < 0.85}
    presenters = {pid for p in projects for pid in p["presenters"]}
    _fixed_entries(shape, people, [s for s in sessions if s["id"] not in open_], rooms,
                   workshops, presenters, rng)
    if shape.programme_mode:
        for s in sessions:
            if s["id"] in open_:
                del s["round"], s["room"]
    options: dict[str, Any] = {
        "rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5, "unlucky_penalty": 200,
        "min_distinct_themes": shape.min_distinct_themes, "change_penalty": 0,
        "allow_idle": False, "time_limit_s": 60, "workers": 2, "seed": 0}
    if shape.previous_share:
        options["previous"] = _previous(shape, people, sessions, workshops, rng)
        options["change_penalty"] = shape.change_penalty
    return {
        "format": "speed-dating-instance/1",
        "event": {"name": f"Generated {n_rounds}-round day ({n} participants)",
                  "date": "2026-12-07", "timezone": "Europe/Paris"},
        "themes": themes, "rooms": rooms, "rounds": rounds, "projects": projects,
        "sessions": sorted(sessions, key=lambda s: s["id"]),
        "workshop_slots": slots, "workshops": workshops, "participants": people,
        "options": options,
    }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _zipf(n: int, rng: random.Random) -> list[float]:
    """Popularity weights: Zipf-like over a shuffled order (a few projects draw crowds)."""
    order = list(range(n))
    rng.shuffle(order)
    pop = [0.0] * n
    for rank, j in enumerate(order):
        pop[j] = 1.0 / (rank + 1) ** 0.8
    return pop


def _sessions_per_project(pop: list[float], total: int, n_rounds: int,
                          rng: random.Random) -> list[int]:
    """One session each, the rest drawn by popularity; never more than one per round."""
    counts = [1] * len(pop)
    for _ in range(total - len(pop)):
        open_ = [j for j in range(len(pop)) if counts[j] < n_rounds]
        j = rng.choices(open_, weights=[pop[k] for k in open_])[0]
        counts[j] += 1
    return counts


def _place_rounds(counts: list[int], n_rounds: int, rng: random.Random) -> list[list[int]]:
    """Rounds of each project's sessions: distinct rounds (rule 9), the emptiest first."""
    load = [0] * n_rounds
    rounds_of: list[list[int]] = [[] for _ in counts]
    for j in sorted(range(len(counts)), key=lambda j: (-counts[j], j)):
        chosen = sorted(range(n_rounds), key=lambda r: (load[r], rng.random()))[:counts[j]]
        for r in chosen:
            load[r] += 1
        rounds_of[j] = sorted(chosen)
    return rounds_of


def _rooms_and_sessions(shape: Shape, projects: list[dict], rounds_of: list[list[int]],
                        n: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Themed rooms of 1-3 tables sized from the programme, plus open rooms; sessions placed.

    Each theme gets as many tables as its busiest round needs; a theme's first room is
    step-free and takes the theme's first sessions of every round, so everyone who needs a
    step-free room can reach every theme present in a round."""
    n_rounds = shape.rounds
    by_theme_round: dict[tuple[str, int], list[int]] = {}
    for j, rs in enumerate(rounds_of):
        for r in rs:
            by_theme_round.setdefault((projects[j]["theme"], r), []).append(j)
    rooms: list[dict] = []
    tables_of: dict[str, list[str]] = {}
    for t in sorted({p["theme"] for p in projects}):
        need = max(len(by_theme_round.get((t, r), [])) for r in range(n_rounds))
        k = 0
        while need > 0:
            tables = min(need, rng.choice([1, 1, 2, 3]))
            room = {"id": f"{t}-{k}", "name": f"{t.capitalize()} {k}", "capacity": 0,
                    "tables": tables, "accessible": k == 0 or rng.random() < 0.6,
                    "themes": [t]}
            rooms.append(room)
            tables_of.setdefault(t, []).extend([room["id"]] * tables)
            need -= tables
            k += 1
    per_round_count = [sum(1 for rs in rounds_of if r in rs) for r in range(n_rounds)]
    seat_target = n * rng.uniform(1.15, 1.3)
    sessions: list[dict] = []
    seq = [0] * len(projects)
    for (t, r), js in sorted(by_theme_round.items()):
        base = seat_target / per_round_count[r]
        for j, room_id in zip(js, tables_of[t], strict=False):
            seq[j] += 1
            sessions.append({"id": f"{projects[j]['id']}-{seq[j]}", "project": projects[j]["id"],
                             "round": f"r{r + 1}", "room": room_id,
                             "capacity": max(4, round(base * rng.uniform(0.7, 1.3)))})
    _top_up(sessions, seat_target, n_rounds)
    for s in sessions:
        s["min_audience"] = min(shape.min_audience, s["capacity"] // 4)
    room_by_id = {m["id"]: m for m in rooms}
    load: dict[tuple[str, str], int] = {}
    for s in sessions:
        load[(s["round"], s["room"])] = load.get((s["round"], s["room"]), 0) + s["capacity"]
    for (_r, m), total in load.items():
        room_by_id[m]["capacity"] = max(room_by_id[m]["capacity"], total)
    size = max(s["capacity"] for s in sessions)
    for k in range(2):  # open rooms: any theme; unused by the fixed programme
        rooms.append({"id": f"open-{k}", "name": f"Open room {k}", "capacity": size,
                      "tables": 1 + k, "accessible": k == 0, "themes": []})
    return rooms, sessions


def _top_up(sessions: list[dict], seat_target: float, n_rounds: int) -> None:
    """Rounds whose drawn capacities fall short of the seat target get their seats back."""
    for r in range(n_rounds):
        in_r = [s for s in sessions if s["round"] == f"r{r + 1}"]
        short = seat_target - sum(s["capacity"] for s in in_r)
        for i, s in enumerate(in_r):
            if short > 0:
                s["capacity"] += math.ceil(short / (len(in_r) - i))
                short = seat_target - sum(x["capacity"] for x in in_r)


def _workshops(slots: list[dict], rooms: list[dict], n: int,
               rng: random.Random) -> list[dict]:
    """Per slot 2+ workshops seating 1.25x the people; one in a themed room (whose capacity
    then binds, and which may not be step-free), the others roomless."""
    out = []
    for slot in slots:
        k = max(2, n // 60)
        cap = math.ceil(n * 1.25 / k)
        for i in range(k):
            w = {"id": f"{slot['id']}-w{i:03d}", "name": f"Workshop {i}", "slot": slot["id"],
                 "capacity": cap}
            if i == 0:
                room = rng.choice(rooms)
                w["room"] = room["id"]
                w["capacity"] = min(cap, room["capacity"])
            out.append(w)
        short = math.ceil(n * 1.15) - sum(w["capacity"] for w in out if w["slot"] == slot["id"])
        if short > 0:
            out[-1]["capacity"] += short
    return out


def _participants(shape: Shape, projects: list[dict], pop: list[float], rounds: list[dict],
                  slots: list[dict], workshops: list[dict], rng: random.Random) -> list[dict]:
    ids = [p["id"] for p in projects]
    theme_ids = sorted({p["theme"] for p in projects})
    round_ids = [r["id"] for r in rounds]
    slot_ids = [s["id"] for s in slots]
    people = []
    late = set(rng.sample(range(shape.participants), round(shape.unavailable_share *
                                                            shape.participants)))
    for i in range(shape.participants):
        p: dict[str, Any] = {"id": f"p{i:05d}", "category": rng.choice(CATEGORIES),
                             "wishes": [], "themes": rng.sample(theme_ids, rng.choice([1, 1, 2]))}
        if rng.random() >= shape.no_wish_share:
            nw = min(len(ids), rng.choice([3, 4, 5, 5]))
            while len(p["wishes"]) < nw:
                j = rng.choices(ids, weights=pop)[0]
                if j not in p["wishes"]:
                    p["wishes"].append(j)
        p["workshop_wishes"] = []
        for slot in slot_ids:
            mine = [w["id"] for w in workshops if w["slot"] == slot]
            p["workshop_wishes"] += rng.sample(mine, min(len(mine), rng.choice([1, 2, 3])))
        if rng.random() < shape.accessible_share:
            p["needs_accessible"] = True
        if i in late:
            k = rng.randint(1, max(1, len(round_ids) // 2))
            if rng.random() < 0.5:  # arrives late
                p["unavailable"] = round_ids[:k]
            else:  # leaves early: the last rounds and the afternoon's workshops
                p["unavailable"] = round_ids[-k:] + slot_ids
        people.append(p)
    return people


def _presenters(shape: Shape, projects: list[dict], people: list[dict],
                rng: random.Random) -> None:
    """One presenter per project (a second for one in five), who wish for nothing and are
    there all day; some need step-free rooms."""
    want = sum(2 if rng.random() < 0.2 else 1 for _ in projects)
    free = [i for i, p in enumerate(people) if not p.get("unavailable")]
    chosen = rng.sample(free, min(len(people) // 3, want))
    for k, i in enumerate(chosen):
        projects[k % len(projects)]["presenters"].append(people[i]["id"])
        people[i]["wishes"] = []
        people[i]["needs_accessible"] = rng.random() < shape.presenter_accessible_share


def _fixed_entries(shape: Shape, people: list[dict], sessions: list[dict], rooms: list[dict],
                   workshops: list[dict], presenters: set[str], rng: random.Random) -> None:
    """A few organiser-fixed entries, legal ones: placed sessions (a quarter of their seats at
    most) in a round the person attends, step-free if needed; or a workshop."""
    room_ok = {m["id"]: m.get("accessible", True) for m in rooms}
    taken: dict[str, int] = {}
    placed = sessions
    for p in people:
        if rng.random() >= shape.fixed_share or p["id"] in presenters:
            continue
        unav = set(p.get("unavailable", []))
        if workshops and rng.random() < 0.3:
            w = rng.choice(workshops)
            if w["slot"] not in unav and (not p.get("needs_accessible") or
                                          room_ok.get(w.get("room"), True)):
                p["fixed"] = {w["slot"]: w["id"]}
            continue
        if not placed:
            continue
        s = rng.choice(placed)
        if s["round"] in unav or taken.get(s["id"], 0) >= s["capacity"] // 4:
            continue
        if p.get("needs_accessible") and not room_ok[s["room"]]:
            continue
        taken[s["id"]] = taken.get(s["id"], 0) + 1
        p["fixed"] = {s["round"]: s["id"]}


def _previous(shape: Shape, people: list[dict], sessions: list[dict],
              workshops: list[dict], rng: random.Random) -> dict[str, dict[str, str]]:
    """A previous schedule for a share of the people: for each round, a session of that round
    (in the generated programme) or of any round in programme mode."""
    by_round: dict[str, list[str]] = {}
    for s in sessions:
        by_round.setdefault(s.get("round") or "", []).append(s["id"])
    out: dict[str, dict[str, str]] = {}
    rounds = sorted(r for r in by_round if r)
    for p in people:
        if rng.random() >= shape.previous_share:
            continue
        prev = {r: rng.choice(by_round[r] + by_round.get("", [])) for r in rounds}
        for w in workshops:
            if rng.random() < 0.3:
                prev[w["slot"]] = w["id"]
        out[p["id"]] = prev
    return out


# --------------------------------------------------------------------------- benchmark rows


@dataclass(frozen=True)
class Row:
    """One benchmark row: a generated shape (with its seed) or a shared example file."""

    name: str
    time_limit: float
    shape: Shape | None = None
    seed: int = 1
    example: str | None = None


ROWS: list[Row] = [
    Row("2016", 30, example="restitution-2016.json"),
    Row("2016-programme", 30, example="restitution-2016-programme.json"),
    Row("r1-30", 10, Shape(rounds=1, participants=30, themes=2, slots=0)),
    Row("r2-120", 10, Shape(rounds=2, participants=120, themes=3, slots=2)),
    Row("r3-1000", 10, Shape(rounds=3, participants=1000, themes=6, slots=1)),
    Row("r3-400-changes", 30, Shape(rounds=3, participants=400, themes=4, slots=1,
                                    previous_share=0.5, change_penalty=30)),
    Row("r4-2000", 120, Shape(rounds=4, participants=2000, themes=8, slots=2)),
    Row("r4-150-programme", 30, Shape(rounds=4, participants=150, themes=4, slots=1,
                                      programme_mode=True)),
    Row("r5-300", 60, Shape(rounds=5, participants=300, themes=6, slots=1)),
    Row("r5-1000", 120, Shape(rounds=5, participants=1000, themes=6, slots=1)),
    Row("r6-300-programme", 60, Shape(rounds=6, participants=300, themes=5, slots=2,
                                      programme_mode=True)),
    Row("r6-10000", 120, Shape(rounds=6, participants=10000, themes=10, slots=1)),
    Row("r8-300", 60, Shape(rounds=8, participants=300, themes=5, slots=0)),
    Row("r10-300", 60, Shape(rounds=10, participants=300, themes=4, slots=3)),
    Row("r12-300", 60, Shape(rounds=12, participants=300, themes=10, slots=4,
                             unavailable_share=0.2)),
]
QUICK_LIMIT = 20.0  # --quick caps every row's limit at this, except the 10,000-person row
BIG = 5000  # rows at least this large keep their limit under --quick


def row_instance(row: Row) -> dict[str, Any]:
    if row.example:
        return json.loads((SHARED / "examples" / row.example).read_text(encoding="utf-8"))
    assert row.shape is not None
    return make_instance(row.shape, row.seed)


# --------------------------------------------------------------------------- the runner

_CHILD = r"""
import json, sys, time
kind, src, dst, limit, workers = sys.argv[1:6]
data = json.load(open(src, encoding="utf-8"))
if kind == "scheduler":
    from scheduler import solve
else:
    from benchmarks.plain_mip import solve_plain_mip
t = time.monotonic()  # (after the imports: start-up is not the solve)
if kind == "scheduler":
    sol = solve(data, time_limit_s=float(limit), workers=int(workers))
else:
    sol = solve_plain_mip(data, time_limit_s=float(limit), threads=int(workers))
sol["wall_seconds"] = time.monotonic() - t
json.dump(sol, open(dst, "w", encoding="utf-8"))
"""
GRACE_S = 30.0  # the child is killed at limit + grace (model building included)
MEMORY_LIMIT_GIB = 8.0  # address-space cap of each child: the machine is shared


def _cap_memory() -> None:
    limit = int(MEMORY_LIMIT_GIB * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_child(kind: str, path: Path, limit: float, workers: int) -> dict[str, Any]:
    """Solve in a subprocess; return its solution plus wall seconds and peak RSS (MiB).

    ``os.wait4`` returns the resource usage of that one child (its ``ru_maxrss``, as
    ``RUSAGE_CHILDREN`` would after it, but not mixed with earlier children), and a child
    still running at limit + grace is killed: a hard wall even if a solver ignores its limit.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sol.json"
        t = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, kind, str(path), str(out),
                                 str(limit), str(workers)], cwd=REPO_ROOT,
                                preexec_fn=_cap_memory)
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t > limit + GRACE_S and not killed:
                proc.kill()
                killed = True
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t
        peak = usage.ru_maxrss / 1024
        if killed or proc.returncode != 0 or not out.exists():
            state = "KILLED" if killed else f"CRASHED ({proc.returncode})"
            return {"status": state, "objective": None, "bound": None, "wall": wall,
                    "peak_mib": peak}
        sol = json.loads(out.read_text(encoding="utf-8"))
    sol["wall"] = wall
    sol["peak_mib"] = peak
    return sol


def run_row(row: Row, limit: float, workers: int, tmp: Path) -> dict[str, Any]:
    from scheduler import check_solution

    data = row_instance(row)
    path = tmp / f"{row.name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result: dict[str, Any] = {"row": row.name, "rounds": len(data["rounds"]),
                              "participants": len(data["participants"]),
                              "sessions": len(data["sessions"]),
                              "slots": len(data.get("workshop_slots", [])),
                              "programme_mode": any(not s.get("round") or not s.get("room")
                                                    for s in data["sessions"]),
                              "limit": limit}
    for kind in ("scheduler", "mip"):
        print(f"  {row.name}: {kind}...", file=sys.stderr, flush=True)
        sol = run_child(kind, path, limit, workers)
        broken = (check_solution(data, sol) if sol.get("objective") is not None else [])
        # seconds: the solve call as timed inside the child (import time excluded, the MIP's
        # model building included); a killed child gets its wall time
        result[kind] = {"seconds": sol.get("wall_seconds", sol["wall"]), "status": sol["status"],
                        "objective": sol.get("objective"), "bound": sol.get("bound"),
                        "peak_mib": sol.get("peak_mib"), "broken": len(broken)}
        for msg in broken[:5]:
            print(f"  {row.name} {kind}: {msg}", file=sys.stderr)
    return result


def _gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None or not bound:
        return None
    return (bound - obj) / abs(bound) * 100


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table: the scheduler's columns, then the plain MIP's beside them."""
    head = ("| row | rounds | people | sessions | slots | mode | limit s | seconds | status "
            "| objective | bound | gap % | peak MiB | rules broken | MIP seconds | MIP status "
            "| MIP objective | MIP bound | MIP peak MiB | MIP rules broken |")
    lines = [head, "|" + "---|" * 20]

    def f(v: Any, fmt: str = "{:,}") -> str:
        return "-" if v is None else fmt.format(v)

    for r in results:
        s, m = r["scheduler"], r["mip"]
        lines.append(
            f"| {r['row']} | {r['rounds']} | {r['participants']:,} | {r['sessions']} "
            f"| {r['slots']} | {'programme' if r['programme_mode'] else 'fixed'} "
            f"| {r['limit']:.0f} | {s['seconds']:.1f} | {s['status']} | {f(s['objective'])} "
            f"| {f(s['bound'])} | {f(_gap(s['objective'], s['bound']), '{:.3f}')} "
            f"| {f(s['peak_mib'], '{:.0f}')} | {s['broken']} | {m['seconds']:.1f} "
            f"| {m['status']} | {f(m['objective'])} | {f(m['bound'])} "
            f"| {f(m['peak_mib'], '{:.0f}')} | {m['broken']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.shapes")
    ap.add_argument("--quick", action="store_true",
                    help=f"cap every row's limit at {QUICK_LIMIT:.0f} s (rows of {BIG:,}+ "
                         f"people keep theirs)")
    ap.add_argument("--time-limit", type=float, help="override every row's time limit")
    ap.add_argument("--rows", help="comma-separated row names (default: all)")
    ap.add_argument("--workers", type=int, default=2, help="scheduler workers = MIP threads")
    ap.add_argument("--json", help="also write the raw results to this file")
    a = ap.parse_args(argv)
    by_name = {r.name: r for r in ROWS}
    names = a.rows.split(",") if a.rows else list(by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        ap.error(f"unknown rows: {', '.join(unknown)} (known: {', '.join(by_name)})")
    rows = [by_name[n] for n in names]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            if row.example and not (SHARED / "examples" / row.example).exists():
                print(f"skipping {row.name}: example not found", file=sys.stderr)
                continue
            limit = a.time_limit or row.time_limit
            if a.quick and not a.time_limit and (row.shape is None or
                                                 row.shape.participants < BIG):
                limit = min(limit, QUICK_LIMIT)
            print(f"running {row.name} (limit {limit:.0f} s)...", file=sys.stderr, flush=True)
            results.append(run_row(row, limit, a.workers, Path(tmp)))
            if a.json:
                Path(a.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
