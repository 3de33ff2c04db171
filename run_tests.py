#!/usr/bin/env python3
"""Run the whole test suite: ``python3 run_tests.py [pytest arguments]``.

1. lint (ruff for Python, ESLint for the browser code; mypy's type check runs beside the
   test passes, as it needs no database and a core's worth of time);
2. the suite on SQLite, in two passes: the solver and the browser tests (tests/scheduler,
   tests/browser), and the app's tests (everything else);
3. the tests that reach the database (tests/conftest.py, ``EVENTAPP_DATABASE_TESTS_ONLY``)
   again on PostgreSQL: on TEST_DATABASE_URL if set, else on a fresh database created on
   the local server (127.0.0.1:5432) and dropped afterwards. Without a reachable
   PostgreSQL server this pass is skipped, and said so. The solver never touches a
   database, and the browser tests drive the same routes and queries as the app's tests
   through a browser, so neither runs a second time on PostgreSQL.

The passes run side by side, three on two cores so that no core idles while one long
pass finishes (they share nothing: each has its own database, temporary folders, free
ports and uniquely named job queues); each pass's output is printed whole when it ends.
Given test paths, the SQLite suite is one pass over them. ``--sequential`` runs the
passes one after the other. The tests marked ``alone`` (solver walls, determinism under
time limits, all under tests/scheduler) then run on SQLite with the machine to
themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from bootstrap import ROOT, ensure_venv

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


REPORTS = Path(tempfile.mkdtemp(prefix="eventapp-tests-"))


def _run(label: str, args: list[str], env: dict[str, str]) -> int:
    print(f"\n=== {label} ===", flush=True)
    return subprocess.run(args, cwd=ROOT, env=env).returncode




class Pass:
    """One pytest pass started in the background, its output kept in a log file."""

    def __init__(self, label: str, args: list[str], env: dict[str, str]):
        self.label = label
        name = f"pass-{len(list(REPORTS.glob('*.log')))}"
        self.log = REPORTS / f"{name}.log"
        report = REPORTS / f"{name}.xml"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([*args, f"--junitxml={report}"], cwd=ROOT, env=env,
                                            stdout=out, stderr=subprocess.STDOUT)
        print(f"started: {label} (log {self.log})", flush=True)

    def wait(self) -> int:
        returncode = self.process.wait()
        print(f"\n=== {self.label} ===", flush=True)
        sys.stdout.buffer.write(self.log.read_bytes())
        sys.stdout.flush()
        return returncode


def _totals() -> tuple[int, int, int]:
    """Passed, failed (failures + errors) and skipped over every pytest pass."""
    passed = failed = skipped = 0
    for report in REPORTS.glob("*.xml"):
        for suite in ET.parse(report).getroot().iter("testsuite"):
            tests, skip = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            fail = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            passed += tests - skip - fail
            failed += fail
            skipped += skip
    return passed, failed, skipped


def _admin_connection():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def _create_pg_database() -> str | None:
    """Create a fresh database; None (with the reason printed) if there is no server."""
    try:
        connection = _admin_connection()
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        print(f"PostgreSQL skipped: no server reachable at {PG_ADMIN_URL} ({error})")
        return None
    name = f"eventapp_test_{uuid.uuid4().hex[:10]}"
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _eslint(env: dict[str, str]) -> int:
    """ESLint over the browser code the app serves (eslint.config.mjs); installed by
    bootstrap's ``npm ci``. Without npm the step is skipped, and said so."""
    eslint = ROOT / "node_modules" / ".bin" / "eslint"
    if not eslint.exists():
        print("\n=== eslint ===\nESLint skipped: no node_modules (npm is not installed).")
        return 0
    return _run("eslint", [str(eslint), "eventapp/static"], env)


# Where the solver and browser tests live: a pass of their own on SQLite, none on PostgreSQL.
SOLVER_AND_BROWSER = ["tests/scheduler", "tests/browser"]


def _names_paths(extra: list[str]) -> bool:
    """Whether the pytest arguments name tests to run (a file, folder or node id)."""
    return any(not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()
               for arg in extra)


def _alone(python: str, extra: list[str], env: dict[str, str]) -> int:
    """The tests marked ``alone`` (solver walls, determinism under time limits), on SQLite
    with the machine to themselves; 1 if they failed. They live under tests/scheduler
    (tests/conftest.py refuses them elsewhere), so only that folder is collected unless
    tests were named. Exit status 5 (none selected, e.g. with ``-k``) is not a failure."""
    where = [] if _names_paths(extra) else ["tests/scheduler"]
    code = Pass("pytest, clock-sensitive tests alone",
                [python, "-m", "pytest", *where, *extra, "-m", "alone"], env).wait()
    return 0 if code in (0, 5) else 1


def _passes(python: str, extra: list[str], env: dict[str, str], sqlite_env: dict[str, str],
            pg_url: str | None) -> list[tuple[str, list[str], dict[str, str]]]:
    """The pytest passes: label, command and environment of each."""
    pytest = [python, "-m", "pytest"]
    ignore = [f"--ignore={folder}" for folder in SOLVER_AND_BROWSER]
    # Clock-sensitive solver tests (marker "alone") wait for the parallel passes to end.
    deferred = dict(sqlite_env, EVENTAPP_DEFER_ALONE="1")
    if _names_paths(extra):
        passes = [("pytest on SQLite", [*pytest, *extra], deferred)]
    else:
        passes = [("pytest on SQLite: the app", [*pytest, *ignore, *extra], deferred),
                  ("pytest on SQLite: the solver and the browser",
                   [*pytest, *SOLVER_AND_BROWSER, *extra], deferred)]
    if pg_url:
        passes.append((f"pytest on PostgreSQL, the database tests ({pg_url})",
                       [*pytest, *ignore, *extra],
                       dict(env, TEST_DATABASE_URL=pg_url, EVENTAPP_DATABASE_TESTS_ONLY="1")))
    return passes


def _failed_passes(codes: list[int]) -> int:
    """How many passes failed. A pass that selected nothing (exit status 5: the named tests
    are all in another pass, or ``-k`` matched none of its tests) has not failed, unless no
    pass ran anything."""
    if codes and all(code == 5 for code in codes):
        print("No test was selected.")
        return 1
    return sum(code not in (0, 5) for code in codes)


def _start_mypy(python: str, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    """mypy over scheduler/ and eventapp/ ([tool.mypy] in pyproject.toml), in the
    background: its output is printed when the test passes end."""
    log = REPORTS / "mypy.log"
    with log.open("wb") as out:
        process = subprocess.Popen([python, "-m", "mypy"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    print("started: mypy", flush=True)
    return process, log


def _wait_mypy(started: tuple[subprocess.Popen, Path]) -> int:
    process, log = started
    code = process.wait()
    print("\n=== mypy ===", flush=True)
    sys.stdout.buffer.write(log.read_bytes())
    sys.stdout.flush()
    return code


def main() -> int:
    ensure_venv("requirements-dev.txt")
    extra = [arg for arg in sys.argv[1:] if arg != "--sequential"]
    sequential = "--sequential" in sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAIL_"))}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    failures = 0
    failures += _run("ruff check", [python, "-m", "ruff", "check", "."], env) != 0
    failures += _eslint(env) != 0
    sqlite_env = dict(env)
    sqlite_env.pop("TEST_DATABASE_URL", None)
    pg_url = os.environ.get("TEST_DATABASE_URL")
    created = None
    if not pg_url:
        created = pg_url = _create_pg_database()
    passes = _passes(python, extra, env, sqlite_env, pg_url)
    type_check = _start_mypy(python, env)
    try:
        if sequential:
            codes = [Pass(label, args, pass_env).wait() for label, args, pass_env in passes]
        else:
            started = [Pass(label, args, pass_env) for label, args, pass_env in passes]
            codes = [run.wait() for run in started]
        failures += _failed_passes(codes)
        failures += _wait_mypy(type_check) != 0
        failures += _alone(python, extra, sqlite_env)
    finally:
        if created:
            _drop_pg_database(created)
    passed, failed, skipped = _totals()
    print("\nAll passes succeeded." if not failures else f"\n{failures} pass(es) failed.")
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
