"""URL map of the report: the organiser's page and downloads; the rapporteur's page."""

from __future__ import annotations

from flask import Blueprint

from . import views

bp = Blueprint("report", __name__)

_manage = "/manage/events/<slug>/report"

bp.add_url_rule(f"{_manage}/", "edit", views.edit, methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/report.docx", "docx", views.docx)
bp.add_url_rule(f"{_manage}/report.pdf", "pdf", views.pdf)
bp.add_url_rule(f"{_manage}/workshops/<int:workshop_id>", "workshop", views.workshop,
                methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/workshops/<int:workshop_id>/link", "rapporteur_link",
                views.rapporteur_link, methods=["POST"])
bp.add_url_rule("/rapporteur/<token>", "rapporteur", views.rapporteur, methods=["GET", "POST"])
