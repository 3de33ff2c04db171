"""URL map of the participant portal: /p/<token>/..., opened by the personal link."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..extensions import limiter
from . import views

bp = Blueprint("portal", __name__, url_prefix="/p/<token>")


@bp.after_request
def _private_headers(response: Response) -> Response:
    """The URL is a password: never leak it to other sites, never keep the page in caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _limit() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


def _limited(view):
    return limiter.limit(_limit, methods=["POST"])(view)


bp.add_url_rule("/", "home", views.home)
bp.add_url_rule("/wishes", "wishes", _limited(views.wishes), methods=["GET", "POST"])
bp.add_url_rule("/edit", "edit", _limited(views.edit), methods=["GET", "POST"])
bp.add_url_rule("/cancel", "cancel", _limited(views.cancel), methods=["GET", "POST"])
bp.add_url_rule("/data.json", "data", views.data)
bp.add_url_rule("/delete", "delete", _limited(views.delete), methods=["GET", "POST"])
bp.add_url_rule("/rounds/<int:round_id>/change", "switch_round", _limited(views.switch_round),
                methods=["GET", "POST"])
bp.add_url_rule("/workshops/<int:slot_id>/change", "switch_workshop",
                _limited(views.switch_workshop), methods=["GET", "POST"])
