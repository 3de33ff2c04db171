#!/usr/bin/env python3
"""Run the whole test suite: ``python3 run_tests.py [pytest arguments]``.

1. lint (ruff for Python, ESLint for the browser code);
2. the suite on SQLite;
3. the database tests again on PostgreSQL: on TEST_DATABASE_URL if set, else on a fresh
   database created on the local server (127.0.0.1:5432) and dropped afterwards. Without
   a reachable PostgreSQL server this pass is skipped, and said so.

The two database passes run side by side, one per core (they share nothing: each has its
own database, temporary folders, free ports and uniquely named job queues); each pass's
output is printed whole when it ends. ``--sequential`` runs them one after the other.
The tests marked ``alone`` (solver walls, determinism under time limits) then run on
SQLite with the machine to themselves.
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


def _alone(python: str, extra: list[str], env: dict[str, str]) -> int:
    """The tests marked ``alone`` (solver walls, determinism under time limits), on SQLite
    with the machine to themselves; 1 if they failed. Exit status 5 (none selected, e.g.
    with ``-k``) is not a failure."""
    code = Pass("pytest, clock-sensitive tests alone",
                [python, "-m", "pytest", *extra, "-m", "alone"], env).wait()
    return 0 if code in (0, 5) else 1


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
    # Clock-sensitive solver tests (marker "alone") wait for the parallel passes to end.
    passes = [("pytest on SQLite", [python, "-m", "pytest", *extra],
               dict(sqlite_env, EVENTAPP_DEFER_ALONE="1"))]
    if pg_url:
        passes.append((f"pytest on PostgreSQL ({pg_url})",
                       [python, "-m", "pytest", "--ignore=tests/scheduler", *extra],
                       dict(env, TEST_DATABASE_URL=pg_url)))
    try:
        if sequential:
            for label, args, pass_env in passes:
                failures += Pass(label, args, pass_env).wait() != 0
            failures += _alone(python, extra, sqlite_env)
        else:
            started = [Pass(label, args, pass_env) for label, args, pass_env in passes]
            failures += sum(run.wait() != 0 for run in started)
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
