"""Running solve jobs in the background: a thread beside the app, or RQ workers.

Without REDIS_URL a job runs in a daemon thread of the web process (its own app context
and database session). With REDIS_URL it is queued for ``rq worker`` processes, which may
run on any machine that reaches the database: the entry point,
:func:`eventapp.worker.run_solve_job`, builds its own app when no app context exists.

Whatever the runner, the job talks to the web pages only through its row: a reporter
thread writes the latest best score, bound and a heartbeat at most every
``SOLVE_PROGRESS_INTERVAL_S`` seconds, and reads the ``cancel_requested`` flag, setting the
solver's stop event when the organiser asked to cancel. A job whose heartbeat is older
than ``SOLVE_STALE_AFTER_S`` is considered dead (see :func:`operations.recover_stale_jobs`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from flask import Flask, current_app
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from scheduler import InstanceError, solve

from ..db_types import utcnow
from ..extensions import db
from .models import JobStatus, SolveJob, SolveProgress

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "eventapp-solve"
DEFAULT_INTERVAL_S = 0.5
# RQ kills a job running past its timeout; leave room for the diagnosis after the limit.
RQ_TIMEOUT_MARGIN_S = 600
# What RQ workers import and call (it builds the app first): named, not imported, since
# the worker module sits above every area.
WORKER_ENTRY_POINT = "eventapp.worker.run_solve_job"

_threads: dict[int, threading.Thread] = {}


def redis_url(app: Flask | None = None) -> str:
    """REDIS_URL from the app's config if it names it (even empty), else the environment."""
    config = (app or current_app).config
    if "REDIS_URL" in config:
        return config["REDIS_URL"] or ""
    return os.environ.get("REDIS_URL", "").strip()


def queue_name(app: Flask | None = None) -> str:
    return (app or current_app).config.get("SOLVE_QUEUE", DEFAULT_QUEUE)


def backend_for(app: Flask | None = None) -> str:
    return "rq" if redis_url(app) else "thread"


def dispatch(job_id: int) -> None:
    """Start a committed, queued job on its backend.

    Raises :class:`RuntimeError` when the queue cannot be reached (the caller marks the
    job failed and tells the organiser).
    """
    job = db.session.get(SolveJob, job_id)
    if job.backend == "rq":
        _enqueue(job)
    else:
        _start_thread(current_app._get_current_object(), job_id)


def _enqueue(job: SolveJob) -> None:
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    try:
        connection = Redis.from_url(redis_url(), socket_connect_timeout=3)
        Queue(queue_name(), connection=connection).enqueue(
            WORKER_ENTRY_POINT, job.id,
            job_timeout=int(job.time_limit_s) + RQ_TIMEOUT_MARGIN_S,
            result_ttl=3600, failure_ttl=86400, description=f"solve job {job.id}")
    except RedisError as error:
        raise RuntimeError(str(error)) from error


def _start_thread(app: Flask, job_id: int) -> None:
    def main() -> None:
        with app.app_context():
            try:
                run_solve_job(job_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=main, name=f"solve-job-{job_id}", daemon=True)
    _threads[job_id] = thread
    thread.start()


def wait_for_thread(job_id: int, timeout: float | None = None) -> bool:
    """Join a job's thread (tests, CLI); True when it is finished or was never started here."""
    thread = _threads.get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    if thread.is_alive():
        return False
    _threads.pop(job_id, None)
    return True


def run_solve_job(job_id: int) -> str:
    """Run one queued job to its end, in the current app context, and return its final
    status (a worker process enters through :data:`WORKER_ENTRY_POINT`)."""
    return _run(job_id)


def _run(job_id: int) -> str:
    engine = db.engine
    table = SolveJob.__table__
    now = utcnow()
    with engine.begin() as connection:
        claimed = connection.execute(
            update(table).where(table.c.id == job_id, table.c.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)).rowcount
        row = connection.execute(
            select(table.c.status, table.c.instance, table.c.time_limit_s)
            .where(table.c.id == job_id)).first()
    if row is None:
        log.warning("solve job %s does not exist", job_id)
        return "missing"
    if not claimed:
        return row.status  # cancelled while queued, or taken by another worker
    interval = float(current_app.config.get("SOLVE_PROGRESS_INTERVAL_S", DEFAULT_INTERVAL_S))
    reporter = _Reporter(engine, job_id, interval)
    reporter.start()
    t0 = time.monotonic()
    try:
        solution = solve(row.instance, time_limit_s=row.time_limit_s, progress=reporter.progress,
                         stop=reporter.stop_event)
    except InstanceError as error:
        reporter.close()
        return _finish_failed(engine, job_id, "; ".join(f"{p}: {m}" for p, m in error.errors[:10]),
                              time.monotonic() - t0)
    except Exception as error:  # noqa: BLE001 (a crash must end the job, not leave it running)
        reporter.close()
        log.exception("solve job %s crashed", job_id)  # the traceback goes to the logs only
        return _finish_failed(engine, job_id,
                              f"internal error: {type(error).__name__}: {error}"[:500],
                              time.monotonic() - t0)
    reporter.close()
    return _finish(engine, job_id, solution, time.monotonic() - t0)


def _finish(engine: Engine, job_id: int, solution: dict[str, Any], elapsed: float) -> str:
    table = SolveJob.__table__
    with engine.begin() as connection:
        cancelled = connection.execute(
            select(table.c.cancel_requested).where(table.c.id == job_id)).scalar()
        status = JobStatus.CANCELLED if cancelled else JobStatus.FINISHED
        connection.execute(update(table).where(table.c.id == job_id).values(
            status=status, solution=solution, solver_status=solution.get("status"),
            best=solution.get("objective"), bound=solution.get("bound"),
            elapsed_s=round(elapsed, 2), finished_at=utcnow(), heartbeat_at=utcnow()))
    return status


def _finish_failed(engine: Engine, job_id: int, message: str, elapsed: float) -> str:
    table = SolveJob.__table__
    with engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == job_id).values(
            status=JobStatus.FAILED, error=message, elapsed_s=round(elapsed, 2),
            finished_at=utcnow(), heartbeat_at=utcnow()))
    return JobStatus.FAILED


class _Reporter:
    """Carries progress from the solver's threads to the job row, and cancellation back.

    The solver calls :meth:`progress` from its own threads, where no app context or
    session exists: it only records the values. A ticker thread writes them with plain
    Core statements on the engine, at most once per ``interval``, refreshes the heartbeat
    and polls the cancel flag.
    """

    HEARTBEAT_EVERY_S = 2.0

    def __init__(self, engine: Engine, job_id: int, interval: float):
        self.engine = engine
        self.job_id = job_id
        self.interval = interval
        self.stop_event = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[float, float | None, float | None] | None = None
        self._dirty = False
        self._thread = threading.Thread(target=self._loop, name=f"solve-report-{job_id}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def progress(self, seconds: float, best: float | None, bound: float | None) -> None:
        with self._lock:
            self._latest = (seconds, best, bound)
            self._dirty = True

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=10)
        self._flush(force=True)

    def _loop(self) -> None:
        last_beat = 0.0
        while not self._closed.wait(self.interval):
            try:
                beat = time.monotonic() - last_beat >= self.HEARTBEAT_EVERY_S
                if self._flush(force=beat):
                    last_beat = time.monotonic()
            except Exception:  # noqa: BLE001 (a lost sample must not kill the solve)
                log.exception("could not record progress of solve job %s", self.job_id)

    def _flush(self, force: bool) -> bool:
        with self._lock:
            latest, dirty = self._latest, self._dirty
            self._dirty = False
        if not dirty and not force:
            return False
        table = SolveJob.__table__
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        with self.engine.begin() as connection:
            if dirty and latest is not None:
                seconds, best, bound = latest
                values.update(elapsed_s=seconds, best=best, bound=bound)
                connection.execute(insert(SolveProgress.__table__).values(
                    job_id=self.job_id, seconds=seconds, best=best, bound=bound))
            connection.execute(update(table).where(
                table.c.id == self.job_id, table.c.status == JobStatus.RUNNING).values(**values))
            if connection.execute(select(table.c.cancel_requested)
                                  .where(table.c.id == self.job_id)).scalar():
                self.stop_event.set()
        return True
