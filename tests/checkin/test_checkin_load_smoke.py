"""Smoke test of the check-in load benchmark (``benchmarks/checkin_load.py``).

Its set-up, a tiny load (2 scanners, 2 s) and its database checks, run as the command
is run. Only the checks are asserted (nothing lost, doubled or answered wrongly: the
command's exit status); the figures never are. Runs in the PostgreSQL pass
(TEST_DATABASE_URL), on a database of its own, and only where wrk is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (apt-get install wrk)")
def test_the_load_benchmark_runs_and_its_checks_pass():
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"eventapp_bench_checkin_smoke_{uuid.uuid4().hex[:8]}"
    url = server.set(drivername="postgresql+psycopg", database=name)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.checkin_load", "--participants", "150",
         "--scanners", "2", "--duration", "2", "--replay", "20", "--bare", "1",
         "--database-url", url.render_as_string(hide_password=False)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    verdict = [line for line in done.stdout.splitlines() if line.startswith("verdict:")]
    assert verdict and "0 lost / 0 doubled / results right: met" in verdict[0], done.stdout
    assert "replay: " in done.stdout and ", 0 rows added" in done.stdout, done.stdout
    assert "bare Flask ceiling" in done.stdout and "of it" in done.stdout, done.stdout
