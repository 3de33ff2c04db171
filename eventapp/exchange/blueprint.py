"""URL map of the exchange area (instance import/export)."""

from __future__ import annotations

from flask import Blueprint

from . import views

bp = Blueprint("exchange", __name__, url_prefix="/manage")
bp.add_url_rule("/events/<slug>/export.json", view_func=views.export_event)
bp.add_url_rule("/import", view_func=views.import_new, methods=["GET", "POST"])
bp.add_url_rule("/events/<slug>/import", view_func=views.import_into, methods=["GET", "POST"])
