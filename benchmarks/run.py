"""Benchmark the scheduler against first-come-first-served; print a Markdown table.

``python -m benchmarks.run [--only 2016,2016-programme,1k,10k] [--workers 2] [--time-limit S]``

Each solve runs in its own subprocess so that its peak memory (the child's own ru_maxrss,
read with resource.getrusage at its end) and time are measured alone. The LP bound column is
the solver's proven bound (for fixed programmes, the column-generation Lagrangian bound of
the path LP relaxation); the gap is
(bound - objective) / |bound|.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))

CASES = {
    "2016": ("example", "restitution-2016.json", 30),
    "2016-programme": ("example", "restitution-2016-programme.json", 30),
    "1k": ("generated", 1000, 10),
    "10k": ("generated", 10000, 120),
}

_CHILD = r"""
import json, resource, sys, time
from scheduler import solve
data = json.load(open(sys.argv[1], encoding="utf-8"))
t = time.monotonic()
sol = solve(data, time_limit_s=float(sys.argv[3]), workers=int(sys.argv[4]))
sol["wall_seconds"] = time.monotonic() - t
sol["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
json.dump(sol, open(sys.argv[2], "w", encoding="utf-8"))
"""


def run_case(name: str, path: Path, limit: float, workers: int) -> dict:
    from scheduler import check_solution, first_come_first_served

    data = json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sol.json"
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", _CHILD, str(path), str(out), str(limit),
                        str(workers)], cwd=REPO_ROOT, check=True)
        wall = time.monotonic() - t
        sol = json.loads(out.read_text(encoding="utf-8"))
    # in programme mode FCFS needs a programme: it gets the one the solver chose
    prog = sol["programme"] if sol.get("objective") is not None else None
    fcfs = first_come_first_served(data, prog)
    broken = check_solution(data, fcfs)
    solver_broken = check_solution(data, sol) if sol.get("objective") is not None else ["-"]
    nowish = _no_wish(data, sol), _no_wish(data, fcfs)
    obj, bound = sol.get("objective"), sol.get("bound")
    gap = (bound - obj) / abs(bound) * 100 if obj is not None and bound else None
    return {
        "instance": name, "participants": len(data["participants"]),
        "sessions": len(data["sessions"]), "seconds": sol.get("solve_seconds"),
        "wall": wall, "status": sol["status"], "objective": obj, "bound": bound, "gap": gap,
        "peak_mib": sol["peak_kib"] / 1024,
        "fcfs_objective": fcfs["objective"],
        "first_wish": (sol.get("metrics") or {}).get("first_wish_share"),
        "fcfs_first_wish": fcfs["metrics"]["first_wish_share"],
        "no_wish": nowish[0], "fcfs_no_wish": nowish[1],
        "fcfs_broken": len(broken), "solver_broken": len(solver_broken),
    }


def _no_wish(data: dict, sol: dict) -> int | None:
    """Participants with wishes who get none of them."""
    if not sol.get("assignments"):
        return None
    proj = {s["id"]: s["project"] for s in data["sessions"]}
    by = {a["participant"]: a for a in sol["assignments"]}
    n = 0
    for p in data["participants"]:
        if p.get("wishes"):
            got = {proj[s] for s in by[p["id"]]["sessions"].values()}
            n += not (got & set(p["wishes"]))
    return n


def table(rows: list[dict]) -> str:
    head = ("| instance | participants | sessions | seconds | status | objective | LP bound "
            "| gap % | peak MiB | FCFS objective | first wish (solver / FCFS) "
            "| no wish granted (solver / FCFS) | rules broken (solver / FCFS) |")
    lines = [head, "|" + "---|" * 13]

    def f(v, fmt="{:,}"):
        return "-" if v is None else fmt.format(v)

    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['participants']:,} | {r['sessions']} | "
            f"{f(r['seconds'], '{:.2f}')} | {r['status']} | {f(r['objective'])} | "
            f"{f(r['bound'])} | {f(r['gap'], '{:.3f}')} | {f(r['peak_mib'], '{:.0f}')} | "
            f"{r['fcfs_objective']:,} | {f(r['first_wish'], '{:.3f}')} / "
            f"{r['fcfs_first_wish']:.3f} | {f(r['no_wish'])} / {f(r['fcfs_no_wish'])} | "
            f"{r['solver_broken']} / {r['fcfs_broken']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run")
    ap.add_argument("--only", default=",".join(CASES))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, help="override every case's time limit")
    ap.add_argument("--seed", type=int, default=1, help="generator seed")
    a = ap.parse_args(argv)
    from benchmarks.generate import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.only.split(","):
            kind, what, limit = CASES[name]
            if kind == "example":
                path = SHARED / "examples" / str(what)
                if not path.exists():
                    print(f"skipping {name}: {path} not found", file=sys.stderr)
                    continue
            else:
                path = Path(tmp) / f"{name}.json"
                path.write_text(json.dumps(generate(int(what), a.seed)), encoding="utf-8")
            print(f"running {name}...", file=sys.stderr, flush=True)
            rows.append(run_case(name, path, a.time_limit or limit, a.workers))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
