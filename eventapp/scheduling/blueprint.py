"""URL map of the scheduling area: solve, review, adjust and publish."""

from __future__ import annotations

from flask import Blueprint

from . import views
from .queries import job_progress_dict, outcome_label

bp = Blueprint("scheduling", __name__, url_prefix="/manage/events/<slug>/schedule")
bp.add_url_rule("/", view_func=views.overview)
bp.add_url_rule("/solve", view_func=views.start_solve, methods=["POST"])
bp.add_url_rule("/jobs/<int:job_id>", view_func=views.job)
bp.add_url_rule("/jobs/<int:job_id>.json", view_func=views.job_status)
bp.add_url_rule("/jobs/<int:job_id>/cancel", view_func=views.cancel_job, methods=["POST"])
bp.add_url_rule("/jobs/<int:job_id>/accept", view_func=views.accept_job, methods=["POST"])
bp.add_url_rule("/participants", view_func=views.participants)
bp.add_url_rule("/participants/<int:participant_id>", view_func=views.participant)
bp.add_url_rule("/participants/<int:participant_id>/rounds/<int:round_id>",
                view_func=views.move_session, methods=["POST"])
bp.add_url_rule("/participants/<int:participant_id>/rounds/<int:round_id>/anyway",
                view_func=views.move_session_anyway, methods=["POST"])
bp.add_url_rule("/participants/<int:participant_id>/slots/<int:slot_id>",
                view_func=views.move_workshop, methods=["POST"])
bp.add_url_rule("/publish", view_func=views.publish_confirm, methods=["GET"])
bp.add_url_rule("/publish", view_func=views.publish, methods=["POST"])
bp.add_app_template_global(job_progress_dict, "job_progress")
bp.add_app_template_global(outcome_label, "outcome_label")
