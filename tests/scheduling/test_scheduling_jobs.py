"""Solve jobs: thread runner, progress, cancel, one job per event, stale jobs, RQ workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventapp.db_types import utcnow
from eventapp.extensions import db
from eventapp.scheduling import jobs, operations
from eventapp.scheduling.models import JobStatus, SolveJob, SolveProgress
from eventapp.scheduling.operations import SchedulingError
from tests.conftest import REPO_ROOT
from tests.scheduling_world import (
    build_world,
    import_example,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    run_job_to_end,
    solve_now,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Solve jobs run in threads (or RQ workers) and write through their own connections.
pytestmark = pytest.mark.truncate_db


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""  # thread runner unless a test asks for RQ
    app_config["SOLVE_PROGRESS_INTERVAL_S"] = 0.1
    return app_config


def _schedule_url(event, suffix: str = "") -> str:
    return f"/manage/events/{event.slug}/schedule/{suffix}"


@pytest.mark.slow
def test_thread_job_on_the_2016_day_reaches_the_optimum(organiser_client, shared_examples):
    event = import_example(shared_examples)
    response = organiser_client.post(_schedule_url(event, "solve"),
                                     data={"time_limit_s": 60, "change_penalty": 50})
    assert response.status_code == 302
    job = db.session.scalar(select(SolveJob).where(SolveJob.event_id == event.id))
    assert f"/schedule/jobs/{job.id}" in response.headers["Location"]
    assert job.backend == "thread"
    job = run_job_to_end(job.id)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.solver_status == "OPTIMAL"
    assert job.best == job.bound == 58560
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert len(job.solution["assignments"]) == 237
    samples = db.session.scalars(select(SolveProgress).where(SolveProgress.job_id == job.id)).all()
    assert samples, "the progress callback's values were written to the database"
    assert samples[-1].best == 58560
    status = organiser_client.get(_schedule_url(event, f"jobs/{job.id}.json")).get_json()
    assert status["status"] == "finished" and status["active"] is False
    assert status["best"] == 58560 and status["bound"] == 58560


def test_progress_json_and_page_while_running(organiser_client, monkeypatch):
    world = build_world()
    release = threading.Event()

    def slow_solve(instance, *, time_limit_s, progress, stop):
        progress(0.5, 120.0, 300.0)
        release.wait(10)
        return {"status": "UNKNOWN", "objective": None, "bound": None, "assignments": [],
                "programme": [], "metrics": None, "diagnosis": ["no schedule was found "
                                                                "within the time limit"]}

    monkeypatch.setattr(jobs, "solve", slow_solve)
    organiser_client.post(_schedule_url(world.event, "solve"),
                          data={"time_limit_s": 30, "change_penalty": 0})
    job = db.session.scalar(select(SolveJob))
    try:
        deadline = time.monotonic() + 10
        data = {}
        while time.monotonic() < deadline:
            data = organiser_client.get(_schedule_url(world.event, f"jobs/{job.id}.json")
                                        ).get_json()
            if data["best"] is not None:
                break
            time.sleep(0.05)
        assert data["status"] == "running" and data["active"] is True
        assert data["best"] == 120 and data["bound"] == 300
        page = organiser_client.get(_schedule_url(world.event, f"jobs/{job.id}")).get_data(True)
        assert "scheduling.js" in page and 'http-equiv="refresh"' in page  # JS and no-JS
        assert "Cancel the solve" in page
    finally:
        release.set()
    job = run_job_to_end(job.id)
    assert job.status == JobStatus.FINISHED and job.outcome == "no_solution"


def test_cancel_a_running_job_keeps_its_best_result(organiser_client, monkeypatch):
    world = build_world()
    seen_stop = threading.Event()
    started = threading.Event()

    def waiting_solve(instance, *, time_limit_s, progress, stop):
        started.set()
        for _ in range(200):
            progress(0.1, 10.0, 50.0)
            if stop.wait(0.05):
                seen_stop.set()
                break
        return {"status": "FEASIBLE", "objective": 10, "bound": 50, "assignments": [],
                "programme": [], "metrics": {}, "diagnosis": []}

    monkeypatch.setattr(jobs, "solve", waiting_solve)
    organiser_client.post(_schedule_url(world.event, "solve"),
                          data={"time_limit_s": 30, "change_penalty": 0})
    job = db.session.scalar(select(SolveJob))
    assert started.wait(5)
    response = organiser_client.post(_schedule_url(world.event, f"jobs/{job.id}/cancel"))
    assert response.status_code == 302
    job = run_job_to_end(job.id, timeout=15)
    assert seen_stop.is_set(), "the cancel flag reached the solver's stop event"
    assert job.status == JobStatus.CANCELLED and job.outcome == "cancelled"
    assert job.best == 10


def test_cancel_a_queued_job_and_it_never_runs(app):
    world = build_world()
    job = operations.start_solve(world.event, None, time_limit_s=10, change_penalty=0)
    db.session.commit()
    operations.cancel_job(job)
    db.session.commit()
    assert job.status == JobStatus.CANCELLED
    assert jobs.run_solve_job(job.id) == JobStatus.CANCELLED
    with pytest.raises(SchedulingError):
        operations.cancel_job(job)


def test_one_active_job_per_event(organiser_client):
    world = build_world()
    job = operations.start_solve(world.event, None, time_limit_s=10, change_penalty=0)
    db.session.commit()
    with pytest.raises(SchedulingError, match="already running"):
        operations.start_solve(world.event, None, time_limit_s=10, change_penalty=0)
    db.session.rollback()
    response = organiser_client.post(_schedule_url(world.event, "solve"),
                                     data={"time_limit_s": 10, "change_penalty": 0},
                                     follow_redirects=True)
    assert "A solve is already running for this event" in response.get_data(True)
    assert db.session.query(SolveJob).count() == 1
    # The database itself refuses a second active job, whatever the code path.
    db.session.add(SolveJob(event_id=world.event.id, status=JobStatus.RUNNING,
                            time_limit_s=5, instance={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Ended jobs do not count.
    job = db.session.get(SolveJob, job.id)
    job.status = JobStatus.FINISHED
    db.session.add(SolveJob(event_id=world.event.id, status=JobStatus.QUEUED,
                            time_limit_s=5, instance={}))
    db.session.commit()


def test_stale_running_job_is_failed_and_unblocks_the_event(organiser_client):
    world = build_world()
    long_ago = utcnow() - timedelta(minutes=10)
    stale = SolveJob(event_id=world.event.id, status=JobStatus.RUNNING, time_limit_s=30,
                     instance={}, created_at=long_ago, started_at=long_ago,
                     heartbeat_at=long_ago)
    fresh_event_job = SolveJob(event_id=build_other_event().id, status=JobStatus.RUNNING,
                               time_limit_s=30, instance={}, heartbeat_at=utcnow())
    db.session.add_all([stale, fresh_event_job])
    db.session.commit()
    page = organiser_client.get(_schedule_url(world.event))
    assert page.status_code == 200
    db.session.expire_all()
    assert stale.status == JobStatus.FAILED and "restarted" in stale.error
    assert fresh_event_job.status == JobStatus.RUNNING  # alive: left alone
    job = solve_now(world.event, time_limit_s=10)
    assert job.status == JobStatus.FINISHED and job.solver_status == "OPTIMAL"


def build_other_event():
    from tests.factories import make_event

    event = make_event()
    db.session.commit()
    return event


def _redis_or_skip():
    redis = pytest.importorskip("redis", reason="the redis client is not installed")
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    return connection


@pytest.mark.slow
def test_rq_worker_runs_the_job(app, organiser_client, database_url):
    connection = _redis_or_skip()
    queue = f"eventapp-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, SOLVE_QUEUE=queue)
    world = build_world()
    response = organiser_client.post(_schedule_url(world.event, "solve"),
                                     data={"time_limit_s": 20, "change_penalty": 0})
    assert response.status_code == 302
    job = db.session.scalar(select(SolveJob))
    assert job.backend == "rq" and job.status == JobStatus.QUEUED
    from rq import Queue

    assert Queue(queue, connection=connection).count == 1
    # A worker runs with the web app's configuration (in production: its base URL).
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO_ROOT),
           "PUBLIC_BASE_URL": "http://localhost"}
    env.pop("REDIS_URL", None)
    try:
        worker = subprocess.run(
            [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", REDIS_URL,
             "--worker-class", "rq.worker.SimpleWorker", queue],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)
    finally:
        Queue(queue, connection=connection).delete(delete_jobs=True)
    assert worker.returncode == 0, worker.stderr[-3000:]
    db.session.expire_all()
    job = db.session.get(SolveJob, job.id)
    assert job.status == JobStatus.FINISHED, (job.error, worker.stderr[-2000:])
    assert job.solver_status == "OPTIMAL" and job.solution["assignments"]


def test_rq_unreachable_marks_the_job_failed(app, organiser_client):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0", SOLVE_QUEUE="never-used")
    world = build_world()
    response = organiser_client.post(_schedule_url(world.event, "solve"),
                                     data={"time_limit_s": 20, "change_penalty": 0},
                                     follow_redirects=True)
    assert "The job queue could not be reached" in response.get_data(True)
    job = db.session.scalar(select(SolveJob))
    assert job.status == JobStatus.FAILED


def test_old_jobs_are_pruned_but_accepted_ones_kept(app):
    app.config["SOLVE_KEEP_JOBS"] = 2
    world = build_world()
    ids = []
    for n in range(4):
        job = SolveJob(event_id=world.event.id, status=JobStatus.FINISHED, time_limit_s=5,
                       instance={}, created_at=utcnow() - timedelta(minutes=10 - n),
                       accepted_at=utcnow() if n == 0 else None)
        db.session.add(job)
        db.session.flush()
        ids.append(job.id)
    db.session.commit()
    new = operations.start_solve(world.event, None, time_limit_s=5, change_penalty=0)
    db.session.commit()
    left = set(db.session.scalars(select(SolveJob.id)))
    assert left == {ids[0], ids[2], ids[3], new.id}  # the 2 newest ended, the accepted, the new


def test_a_crashing_solver_fails_the_job_with_a_message(app, monkeypatch):
    def broken_solve(instance, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(jobs, "solve", broken_solve)
    world = build_world()
    job = solve_now(world.event)
    assert job.status == JobStatus.FAILED and job.outcome == "failed"
    assert job.error == "internal error: RuntimeError: out of memory"
    assert job.finished_at is not None
    # the event is not blocked
    operations.start_solve(world.event, None, time_limit_s=5, change_penalty=0)


def test_solving_an_empty_event_is_refused_clearly(organiser_client):
    from tests.factories import make_event, make_participant

    event = make_event(slug="empty")
    db.session.commit()
    response = organiser_client.post("/manage/events/empty/schedule/solve",
                                     data={"time_limit_s": 10, "change_penalty": 0},
                                     follow_redirects=True)
    assert "There is nobody to seat" in response.get_data(True)
    make_participant(event)
    db.session.commit()
    response = organiser_client.post("/manage/events/empty/schedule/solve",
                                     data={"time_limit_s": 10, "change_penalty": 0},
                                     follow_redirects=True)
    assert "no speed-dating round and no workshop slot yet" in response.get_data(True)
    response = organiser_client.post("/manage/events/empty/schedule/solve",
                                     data={"time_limit_s": 1, "change_penalty": -3})
    assert response.status_code == 400
    page = response.get_data(True)
    assert "Between 5 and 3600 seconds." in page and "Between 0 and 100000." in page
    assert db.session.query(SolveJob).count() == 0
