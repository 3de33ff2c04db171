"""URL map of the registration area: the public pages (events, an event's programme,
registration) and the organiser's participant pages (list, edit, cancel, settings, CSV
import/export)."""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from ..extensions import limiter
from . import views_event, views_manage, views_public
from .limits import per_email_limited

bp = Blueprint("registration", __name__, cli_group="registration")

public_bp = Blueprint("public", __name__)
public_bp.add_url_rule("/", view_func=views_event.index)
public_bp.add_url_rule("/e/<slug>/", view_func=views_event.programme)
public_bp.add_url_rule("/e/<slug>/projects", view_func=views_event.projects)
public_bp.add_url_rule("/e/<slug>/colours.css", view_func=views_event.theme_css)


@bp.cli.command("purge-expired")
def purge_expired_command() -> None:
    """Erase participants of events whose retention period is over (run daily)."""
    from ..db_types import utcnow
    from ..extensions import db
    from .operations import purge_expired

    purged = purge_expired(utcnow().date())
    db.session.commit()
    for slug, count in purged.items():
        click.echo(f"{slug}: {count} participants erased")
    click.echo(f"{sum(purged.values())} participants erased in total.")


def _public_post_limit() -> str:
    """Per client address; raise it (env REGISTRATION_RATE_LIMIT) for on-site sign-ups
    behind one shared address."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _limited(view):
    """Public forms send emails: throttle their POSTs per client address, and per email
    address asked about (limits.py)."""
    return limiter.limit(_public_post_limit, methods=["POST"])(per_email_limited(view))


bp.add_url_rule("/e/<slug>/register", "register", _limited(views_public.register),
                methods=["GET", "POST"])
bp.add_url_rule("/e/<slug>/register/sent", "registered", views_public.registered)
bp.add_url_rule("/e/<slug>/privacy", "privacy", views_public.privacy)
bp.add_url_rule("/e/<slug>/link", "lost_link", _limited(views_public.lost_link),
                methods=["GET", "POST"])

_manage = "/manage/events/<slug>/participants"
bp.add_url_rule(f"{_manage}/", "participants", views_manage.participants)
bp.add_url_rule(f"{_manage}/new", "participant_new", views_manage.participant_new,
                methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/<int:participant_id>/edit", "participant_edit",
                views_manage.participant_edit, methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/<int:participant_id>/cancel", "participant_cancel",
                views_manage.participant_cancel, methods=["POST"])
bp.add_url_rule(f"{_manage}/<int:participant_id>/send-link", "participant_send_link",
                views_manage.participant_send_link, methods=["POST"])
bp.add_url_rule(f"{_manage}/settings", "settings", views_manage.settings,
                methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/export.csv", "export_csv", views_manage.export_csv)
bp.add_url_rule(f"{_manage}/import", "import_upload", views_manage.import_upload,
                methods=["GET", "POST"])
bp.add_url_rule(f"{_manage}/import/template.csv", "import_template",
                views_manage.import_template)
bp.add_url_rule(f"{_manage}/import/<import_id>", "import_preview", views_manage.import_preview)
bp.add_url_rule(f"{_manage}/import/<import_id>/done", "import_done", views_manage.import_done)
bp.add_url_rule(f"{_manage}/import/<import_id>/rejected.csv", "import_rejected",
                views_manage.import_rejected)
bp.add_url_rule(f"{_manage}/import/<import_id>/links", "import_links",
                views_manage.import_links, methods=["POST"])
bp.add_url_rule(f"{_manage}/import/<import_id>/confirm", "import_confirm",
                views_manage.import_confirm, methods=["POST"])
