"""URL map of the evaluation: the organiser's builder, sending, results and CSV; the
participant's answer page by their personal link."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..extensions import limiter
from . import views

bp = Blueprint("evaluation", __name__)

_manage = "/manage/events/<slug>/evaluation"


@bp.app_template_global("evaluation_portal")
def evaluation_portal(participant) -> bool:
    """For "Mon programme": whether the questionnaire is open for this person."""
    return views.portal_open(participant)


def _limited(view):
    return limiter.limit(lambda: current_app.config["PORTAL_RATE_LIMIT"],
                         methods=["POST"])(view)


bp.add_url_rule(f"{_manage}/", "builder", views.builder, methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/blocks", "add_block", views.add_block, methods=["POST"])
bp.add_url_rule(f"{_manage}/questions", "add_question", views.add_question, methods=["POST"])
bp.add_url_rule(f"{_manage}/questions/<int:question_id>/delete", "delete_question",
                views.delete_question, methods=["POST"])
bp.add_url_rule(f"{_manage}/send", "send", views.send, methods=["POST"])
bp.add_url_rule(f"{_manage}/remind", "remind", views.remind, methods=["POST"])
bp.add_url_rule(f"{_manage}/results", "results", views.results)
bp.add_url_rule(f"{_manage}/results.csv", "results_csv", views.results_csv)
bp.add_url_rule("/p/<token>/evaluation", "answer", _limited(views.answer),
                methods=["GET", "POST"])
