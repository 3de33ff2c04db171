"""Smoke test of the registration burst benchmark (``benchmarks/registration_burst.py``):
its set-up, a tiny burst (5 people a second for 2 s) through gunicorn, the SMTP sink and
its checks, run as the command is run. Only the checks are asserted (no error, one
confirmation per person, none before its commit: the exit status), never the figures.
Runs in the PostgreSQL pass (TEST_DATABASE_URL), on a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
def test_the_registration_burst_runs_and_its_checks_pass():
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"eventapp_bench_burst_smoke_{uuid.uuid4().hex[:8]}"
    url = server.set(drivername="postgresql+psycopg", database=name)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.registration_burst", "--rate", "5",
         "--duration", "2", "--clients", "4",
         "--database-url", url.render_as_string(hide_password=False)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "emails: 10 received; 0 people emailed twice, 0 never" in done.stdout, done.stdout
    assert "0 read before their registration's commit" in done.stdout, done.stdout
