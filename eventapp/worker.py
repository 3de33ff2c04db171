"""What an ``rq worker`` process runs: the app is built here, at the top of the import
graph, so the scheduling area below never imports ``create_app``.

``scheduling.jobs`` enqueues :func:`run_solve_job` by its dotted name.
"""

from __future__ import annotations

from flask import has_app_context

from . import create_app
from .extensions import db
from .scheduling import jobs


def run_solve_job(job_id: int) -> str:
    """Run one queued job to its end and return its final status (the RQ entry point):
    outside an app context it creates the app from the environment (DATABASE_URL...)."""
    if has_app_context():
        return jobs.run_solve_job(job_id)
    app = create_app()
    with app.app_context():
        try:
            return jobs.run_solve_job(job_id)
        finally:
            db.session.remove()
            db.engine.dispose()
