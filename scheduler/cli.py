"""Command line: exit 0 solved, 2 INFEASIBLE/UNKNOWN (file still written), 1 invalid input.

An invalid instance never produces a traceback: unreadable files, bad JSON (with line and
column) and every validation error are printed on stderr, one per line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .instance import InstanceError, load_instance
from .solver import solve


def _progress(seconds: float, best: float | None, bound: float | None) -> None:
    b = "-" if best is None else f"{best:.0f}"
    d = "-" if bound is None else f"{bound:.0f}"
    print(f"[{seconds:7.2f}s] best {b}  bound {d}", file=sys.stderr, flush=True)


def _process_age() -> float:
    """Seconds since this process started (Linux: from /proc), 0 where unknown."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def _read(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise SystemExit(_fail(f"{path}: cannot read the file ({e.strerror or e})")) from None
    except UnicodeDecodeError as e:
        raise SystemExit(_fail(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})")) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SystemExit(_fail(f"{path}: invalid JSON at line {e.lineno}, column {e.colno}: "
                               f"{e.msg}")) from None


def _fail(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler",
                                     description="Speed-dating scheduler")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("solve", help="solve an instance")
    p.add_argument("instance")
    p.add_argument("-o", "--output", help="solution file (default: stdout)")
    p.add_argument("--time-limit", type=float, help="seconds (overrides options.time_limit_s)")
    p.add_argument("--workers", type=int, help="threads (overrides options.workers)")
    p.add_argument("--seed", type=int, help="random seed (overrides options.seed)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.time_limit is not None and args.time_limit <= 0:
        return _fail("--time-limit must be positive")
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1")
    data = _read(args.instance)
    try:
        inst = load_instance(data)
    except InstanceError as e:
        print(f"error: {args.instance} is not a valid instance:", file=sys.stderr)
        for path, msg in e.errors:
            print(f"{path}: {msg}" if path else msg, file=sys.stderr)
        return 1
    # the limit is a wall for the whole command (issue 13: answer within limit + 2 s): the
    # start-up already spent (Python and OR-Tools imports, reading the file: 1 s on a quiet
    # machine, 3-4 s on a loaded one) comes off the solver's share
    limit = args.time_limit if args.time_limit is not None else inst.options.time_limit_s
    if limit:
        limit = max(0.1 * limit, limit - _process_age())
    sol = solve(inst, time_limit_s=limit, workers=args.workers, seed=args.seed,
                progress=None if args.quiet else _progress)
    text = json.dumps(sol, ensure_ascii=False, indent=1)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError as e:
            return _fail(f"{args.output}: cannot write the solution ({e.strerror or e})")
    else:
        print(text)
    print(f"status {sol['status']}  objective {sol['objective']}  bound {sol['bound']}  "
          f"{sol['solve_seconds']}s", file=sys.stderr)
    for line in sol["diagnosis"]:
        print(f"diagnosis: {line}", file=sys.stderr)
    return 0 if sol["status"] in ("OPTIMAL", "FEASIBLE") else 2
