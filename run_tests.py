#!/usr/bin/env python3
"""Run the whole test suite: ``python3 run_tests.py [pytest arguments]``.

1. lint (ruff);
2. the suite on SQLite;
3. the database tests again on PostgreSQL: on TEST_DATABASE_URL if set, else on a fresh
   database created on the local server (127.0.0.1:5432) and dropped afterwards. Without
   a reachable PostgreSQL server this pass is skipped, and said so.
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


def _pytest(label: str, args: list[str], env: dict[str, str]) -> int:
    report = REPORTS / f"{len(list(REPORTS.iterdir()))}.xml"
    return _run(label, [*args, f"--junitxml={report}"], env)


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


def main() -> int:
    ensure_venv("requirements-dev.txt")
    extra = sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAIL_"))}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    failures = 0
    failures += _run("ruff check", [python, "-m", "ruff", "check", "."], env) != 0
    sqlite_env = dict(env)
    sqlite_env.pop("TEST_DATABASE_URL", None)
    failures += _pytest("pytest on SQLite", [python, "-m", "pytest", *extra], sqlite_env) != 0

    pg_url = os.environ.get("TEST_DATABASE_URL")
    created = None
    if not pg_url:
        created = pg_url = _create_pg_database()
    if pg_url:
        pg_env = dict(env, TEST_DATABASE_URL=pg_url)
        args = [python, "-m", "pytest", "--ignore=tests/scheduler", *extra]
        try:
            failures += _pytest(f"pytest on PostgreSQL ({pg_url})", args, pg_env) != 0
        finally:
            if created:
                _drop_pg_database(created)
    passed, failed, skipped = _totals()
    print("\nAll passes succeeded." if not failures else f"\n{failures} pass(es) failed.")
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
