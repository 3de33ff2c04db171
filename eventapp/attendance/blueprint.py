"""URL map of émargement: the organiser's sheets, windows, settings and certificates; the
staff phone's signing JSON; the participant's signing page and certificate."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from ..extensions import limiter
from . import views

bp = Blueprint("attendance", __name__, cli_group="attendance")

_manage = "/manage/events/<slug>/attendance"


@bp.cli.command("purge-expired")
def purge_expired_command() -> None:
    """Delete signatures kept as proof once each event's proof retention is over (run
    daily; participants' other data follows ``flask registration purge-expired``)."""
    from ..db_types import utcnow
    from ..extensions import db
    from .operations import purge_expired_proofs

    purged = purge_expired_proofs(utcnow().date())
    db.session.commit()
    for slug, count in purged.items():
        click.echo(f"{slug}: {count} signatures deleted")
    click.echo(f"{sum(purged.values())} signatures deleted in total.")


@bp.app_template_global("attendance_portal")
def attendance_portal(participant) -> dict:
    """For "Mon programme": whether to show the signing and certificate links."""
    return views.portal_state(participant)


@bp.app_template_global("attendance_proof_months")
def attendance_proof_months(event) -> int:
    """For the privacy notice: how long signatures are kept as proof."""
    from .queries import settings_of

    return settings_of(event).proof_retention_months


@bp.app_template_global("attendance_signatures")
def attendance_signatures(participant) -> int:
    """For the erasure page: how many signatures of this person are kept as proof."""
    from sqlalchemy import func, select

    from ..extensions import db
    from .models import Signature

    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.participant_id == participant.id)) or 0


def _limited(view):
    return limiter.limit(lambda: current_app.config["PORTAL_RATE_LIMIT"],
                         methods=["POST"])(view)


# Organisers.
bp.add_url_rule(f"{_manage}/", "index", views.index)
bp.add_url_rule(f"{_manage}/sheets.pdf", "sheets_pdf", views.sheets_pdf)
bp.add_url_rule(f"{_manage}/sheets/<int:sheet_id>.pdf", "sheet_pdf", views.sheet_pdf)
bp.add_url_rule(f"{_manage}/sheets/<int:sheet_id>/window/open", "window_open",
                views.window_open, methods=["POST"])
bp.add_url_rule(f"{_manage}/sheets/<int:sheet_id>/window/close", "window_close",
                views.window_close, methods=["POST"])
bp.add_url_rule(f"{_manage}/settings", "settings", views.settings, methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/logos", "logo_add", views.logo_add, methods=["POST"])
bp.add_url_rule(f"{_manage}/logos/<int:logo_id>.png", "logo_png", views.logo_png)
bp.add_url_rule(f"{_manage}/logos/<int:logo_id>/delete", "logo_delete", views.logo_delete,
                methods=["POST"])
bp.add_url_rule(f"{_manage}/certificates.pdf", "certificates_pdf", views.certificates_pdf)
bp.add_url_rule(f"{_manage}/certificates.zip", "certificates_zip", views.certificates_zip)
bp.add_url_rule(f"{_manage}/participants/<int:participant_id>/certificate.pdf",
                "participant_certificate", views.participant_certificate)
# Staff (and organisers): the facilitator's countersignature, signatures after a scan.
bp.add_url_rule(f"{_manage}/sheets/<int:sheet_id>/countersign", "countersign",
                views.countersign, methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/sign", "sign_json", views.sign_json, methods=["POST"])
bp.add_url_rule(f"{_manage}/signatures", "upload_json", views.upload_json, methods=["POST"])
# The participant, by their personal link.
bp.add_url_rule("/p/<token>/sign", "portal_sign", _limited(views.portal_sign),
                methods=["GET", "POST"])
bp.add_url_rule("/p/<token>/certificate.pdf", "portal_certificate", views.portal_certificate)
