"""URL map of the accounts area."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..extensions import limiter
from . import views

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# Failed and successful POSTs alike count: slows down password guessing per address.
bp.add_url_rule(
    "/login",
    view_func=limiter.limit(_login_limit, methods=["POST"])(views.login),
    methods=["GET", "POST"],
)
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
