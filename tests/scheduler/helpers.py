"""Test helpers: tiny instance builder and an INDEPENDENT rule checker / objective.

The checker here deliberately shares no code with ``scheduler.checker`` so that a bug in the
library's checker cannot hide a bug in the solver.
"""

from __future__ import annotations

import copy
import itertools
import os
from pathlib import Path
from typing import Any

from tests.conftest import missing_shared_example

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))


def shared_example(name: str) -> Path:
    path = SHARED_DIR / "examples" / name
    if not path.exists():
        missing_shared_example(f"shared example {path} not found (set SHARED_DIR)")
    return path


def tiny(**over: Any) -> dict[str, Any]:
    """Two rooms, two rounds, three projects, four participants."""
    data: dict[str, Any] = {
        "format": "speed-dating-instance/1",
        "themes": [{"id": "a"}, {"id": "b"}],
        "rooms": [{"id": "ra", "capacity": 10, "themes": ["a"]},
                  {"id": "rb", "capacity": 10, "tables": 2, "accessible": False}],
        "rounds": [{"id": "r1", "start": "10:00", "end": "10:20"},
                   {"id": "r2", "start": "10:30", "end": "10:50"}],
        "projects": [{"id": "x", "theme": "a"}, {"id": "y", "theme": "b"},
                     {"id": "z", "theme": "b"}],
        "sessions": [{"id": "x1", "project": "x", "round": "r1", "room": "ra", "capacity": 2},
                     {"id": "y1", "project": "y", "round": "r1", "room": "rb", "capacity": 2},
                     {"id": "x2", "project": "x", "round": "r2", "room": "ra", "capacity": 2},
                     {"id": "z1", "project": "z", "round": "r2", "room": "rb", "capacity": 2}],
        "participants": [
            {"id": "p1", "wishes": ["x", "y"], "themes": ["a"]},
            {"id": "p2", "wishes": ["x"], "themes": ["b"]},
            {"id": "p3", "wishes": ["x", "z"]},
            {"id": "p4", "wishes": ["y", "x", "z"]},
        ],
        "options": {"min_distinct_themes": 1},
    }
    for k, v in over.items():
        data[k] = v
    return copy.deepcopy(data)


# --------------------------------------------------------------------------- independent rules

DEFAULTS = {"rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5,
            "unlucky_penalty": 200, "min_distinct_themes": 1, "previous": {},
            "change_penalty": 0, "allow_idle": False}


def opts(data: dict) -> dict:
    o = dict(DEFAULTS)
    o.update({k: v for k, v in (data.get("options") or {}).items() if k in DEFAULTS})
    return o


def programme(data: dict, sol: dict) -> dict[str, tuple[str, str]]:
    prog = {s["id"]: (s.get("round"), s.get("room")) for s in data["sessions"]}
    for e in sol.get("programme", []):
        prog[e["session"]] = (e["round"], e["room"])
    return prog


def objective(data: dict, assignments: list[dict]) -> int:
    o = opts(data)
    proj = {s["id"]: s["project"] for s in data["sessions"]}
    theme = {p["id"]: p["theme"] for p in data["projects"]}
    by = {a["participant"]: a for a in assignments}
    w = o["rank_weights"]
    total = 0
    for p in data["participants"]:
        a = by.get(p["id"], {"sessions": {}, "workshops": {}})
        wishes = p.get("wishes", [])
        got = [proj[s] for s in a.get("sessions", {}).values()]
        for pr in got:
            if pr in wishes:
                k = wishes.index(pr)
                total += w[k] if k < len(w) else 0
            elif theme[pr] in p.get("themes", []):
                total += o["theme_weight"]
        ww = p.get("workshop_wishes", [])
        for wid in a.get("workshops", {}).values():
            if wid in ww:
                k = ww.index(wid)
                total += w[k] if k < len(w) else 0
        if wishes and not set(wishes) & set(got):
            total -= o["unlucky_penalty"]
        for key, val in o["previous"].get(p["id"], {}).items():
            cur = a.get("sessions", {}).get(key, a.get("workshops", {}).get(key))
            if cur != val:
                total -= o["change_penalty"]
    return total


def violations(data: dict, sol: dict) -> list[str]:
    """All hard-rule violations, computed from the raw dicts."""
    o = opts(data)
    out = []
    rooms = {r["id"]: r for r in data["rooms"]}
    rounds = [r["id"] for r in data["rounds"]]
    slots = [s["id"] for s in data.get("workshop_slots", [])]
    sessions = {s["id"]: s for s in data["sessions"]}
    workshops = {w["id"]: w for w in data.get("workshops", [])}
    theme = {p["id"]: p["theme"] for p in data["projects"]}
    prog = programme(data, sol)
    progmode = any(s.get("round") is None or s.get("room") is None for s in data["sessions"])
    for sid, (r, m) in prog.items():
        s = sessions[sid]
        if r not in rounds or m not in rooms:
            out.append(f"{sid} not placed")
            continue
        if s.get("round") and s["round"] != r or s.get("room") and s["room"] != m:
            out.append(f"{sid} moved")
        if not s.get("room") and rooms[m].get("themes") and \
                theme[s["project"]] not in rooms[m]["themes"]:
            out.append(f"{sid} in wrong-theme room")
    for r in rounds:  # rule 9 + tables
        for pr in theme:
            if sum(1 for sid, (rr, _) in prog.items()
                   if rr == r and sessions[sid]["project"] == pr) > 1:
                out.append(f"rule9 {pr} {r}")
        for m, room in rooms.items():
            n = sum(1 for rr, mm in prog.values() if (rr, mm) == (r, m))
            if n > room.get("tables", 1):
                out.append(f"tables {m} {r}")
    presenting: dict[str, set] = {}
    for p in data["projects"]:
        for pid in p.get("presenters", []):
            presenting.setdefault(pid, set()).update(
                prog[sid][0] for sid, s in sessions.items() if s["project"] == p["id"])
    by = {a["participant"]: a for a in sol["assignments"]}
    count: dict[str, int] = {}
    for p in data["participants"]:
        a = by.get(p["id"])
        if a is None:
            out.append(f"{p['id']} missing")
            continue
        unav = set(p.get("unavailable", []))
        ss = a["sessions"]
        for r in rounds:
            if r in unav or r in presenting.get(p["id"], set()):
                if r in ss:
                    out.append(f"rule2/3 {p['id']} {r}")
            elif r not in ss and not o["allow_idle"]:
                out.append(f"rule1 {p['id']} {r}")
        for r, sid in ss.items():
            if prog[sid][0] != r:
                out.append(f"{p['id']} {sid} not in {r}")
            count[sid] = count.get(sid, 0) + 1
            room = rooms[prog[sid][1]]
            if p.get("needs_accessible") and not room.get("accessible", True):
                out.append(f"rule6 {p['id']}")
        projs = [sessions[s]["project"] for s in ss.values()]
        if len(projs) != len(set(projs)):
            out.append(f"rule2 twice {p['id']}")
        k = min(o["min_distinct_themes"], len(ss))
        if len({theme[pr] for pr in projs}) < k:
            out.append(f"rule8 {p['id']}")
        for key, val in (p.get("fixed") or {}).items():
            if ss.get(key, a["workshops"].get(key)) != val:
                out.append(f"rule7 {p['id']}")
        for sl in slots:
            if sl in unav and sl in a["workshops"]:
                out.append(f"rule2 slot {p['id']}")
            if sl not in unav and sl not in a["workshops"]:
                out.append(f"rule1 slot {p['id']}")
        for sl, wid in a["workshops"].items():
            count[wid] = count.get(wid, 0) + 1
            wr = workshops[wid].get("room")
            if p.get("needs_accessible") and wr and not rooms[wr].get("accessible", True):
                out.append(f"rule6 w {p['id']}")
            if workshops[wid]["slot"] != sl:
                out.append(f"workshop slot {p['id']}")
    load: dict[tuple, int] = {}
    for sid, s in sessions.items():
        r, m = prog[sid]
        room = rooms[m]
        cap = s.get("capacity", room["capacity"] // room.get("tables", 1))
        n = count.get(sid, 0)
        if n > min(cap, room["capacity"]):
            out.append(f"rule4 {sid}")
        if (n or progmode) and n < s.get("min_audience", 0):
            out.append(f"rule5 {sid}")
        load[(r, m)] = load.get((r, m), 0) + n
    for wid, w in workshops.items():
        n = count.get(wid, 0)
        if n > w.get("capacity", 10**9):
            out.append(f"rule4 {wid}")
        if w.get("room"):
            load[(w["slot"], w["room"])] = load.get((w["slot"], w["room"]), 0) + n
    for (_t, m), n in load.items():
        if n > rooms[m]["capacity"]:
            out.append(f"rule4 room {m}")
    return out


def brute_force(data: dict) -> int | None:
    """Optimum of a tiny fixed-programme instance (sessions only) by full enumeration."""
    rounds = [r["id"] for r in data["rounds"]]
    per_round = {r: [s["id"] for s in data["sessions"] if s["round"] == r] for r in rounds}
    choices = []
    for _p in data["participants"]:
        opts_p = [per_round[r] + [None] for r in rounds]  # the checker rejects bad idles
        paths = []
        for combo in itertools.product(*opts_p):
            paths.append({r: s for r, s in zip(rounds, combo, strict=True) if s is not None})
        choices.append(paths)
    best = None
    for pick in itertools.product(*choices):
        sol = {"programme": [], "assignments": [
            {"participant": p["id"], "sessions": pick[i], "workshops": {}}
            for i, p in enumerate(data["participants"])]}
        if violations(data, sol):
            continue
        v = objective(data, sol["assignments"])
        if best is None or v > best:
            best = v
    return best


def run_plain_mip(data: dict, time_limit_s: float = 20.0, threads: int = 1,
                  hold_all: bool = False) -> dict:
    """Solve ``data`` with ``benchmarks.plain_mip`` in a child process.

    A child process because OR-Tools (imported by ``scheduler``) bundles its own
    ``libhighs.so.1`` and a process can load only one library of that name: importing
    highspy here would break, or be broken by, the scheduler."""
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "instance.json", Path(tmp) / "solution.json"
        src.write_text(json.dumps(data), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "benchmarks.plain_mip", str(src), "-o", str(dst),
                        "--time-limit", str(time_limit_s), "--threads", str(threads)]
                       + (["--hold-all"] if hold_all else []),
                       cwd=REPO_ROOT, check=False, timeout=time_limit_s + 60)
        return json.loads(dst.read_text(encoding="utf-8"))
