"""URL map of the JSON API (/api/v1). Described, route by route, in openapi.py."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException

from ..errors import Refused
from ..extensions import csrf, limiter
from ..registration.limits import per_email_limited
from . import views, views_checkin
from .cli import register_commands
from .errors import (
    ApiError,
    handle_api_error,
    handle_http_exception,
    handle_refused,
    install_app_handler,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1", cli_group=None)
register_commands(bp)
# Bearer tokens only, never cookies (see auth.py): no CSRF token to ask for.
csrf.exempt(bp)
bp.register_error_handler(ApiError, handle_api_error)
# Every area's domain error (a Refused), raised by an operation a view calls.
bp.register_error_handler(Refused, handle_refused)
# Every HTTP error, including 500s from unexpected exceptions, answers JSON.
bp.register_error_handler(HTTPException, handle_http_exception)
bp.record_once(lambda state: install_app_handler(state.app))


@bp.after_request
def _api_headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _registration_limit() -> str:
    """Per client address, like the HTML registration form (it sends an email)."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


bp.add_url_rule("/openapi.json", "openapi", views.openapi)
bp.add_url_rule("/events", "list_events", views.list_events)
bp.add_url_rule("/events", "import_event_instance", views.import_event_instance,
                methods=["POST"])
bp.add_url_rule("/events/<slug>", "get_event", views.get_event)
bp.add_url_rule("/events/<slug>/instance", "export_event_instance",
                views.export_event_instance)
bp.add_url_rule("/events/<slug>/instance", "replace_event_instance",
                views.replace_event_instance, methods=["PUT"])
# The event's life: a new (imported) event is a draft until registration opens.
bp.add_url_rule("/events/<slug>/registration/open", "open_registration",
                views.open_registration, methods=["POST"])
bp.add_url_rule("/events/<slug>/registration/close", "close_registration",
                views.close_registration, methods=["POST"])
bp.add_url_rule("/events/<slug>/registrations", "create_registration",
                limiter.limit(_registration_limit)(per_email_limited(views.create_registration)),
                methods=["POST"])
bp.add_url_rule("/events/<slug>/solve-jobs", "start_solve", views.start_solve,
                methods=["POST"])
bp.add_url_rule("/events/<slug>/solve-jobs/<int:job_id>", "get_solve_job",
                views.get_solve_job)
bp.add_url_rule("/events/<slug>/solve-jobs/<int:job_id>/cancel", "cancel_solve_job",
                views.cancel_solve_job, methods=["POST"])
bp.add_url_rule("/events/<slug>/solve-jobs/<int:job_id>/accept", "accept_solve_job",
                views.accept_solve_job, methods=["POST"])
bp.add_url_rule("/events/<slug>/publications", "publish_assignments",
                views.publish_assignments, methods=["POST"])
bp.add_url_rule("/participant", "get_participant", views.get_participant)
# Rate-limited per participant once authenticated (auth.participant_limited).
bp.add_url_rule("/participant/wishes", "update_wishes", views.update_wishes, methods=["PUT"])
bp.add_url_rule("/participant/programme", "get_participant_programme",
                views.get_participant_programme)
# Check-in (views_checkin.py): staff tokens may scan.
bp.add_url_rule("/events/<slug>/participants", "list_participants",
                views_checkin.list_participants)
bp.add_url_rule("/events/<slug>/participants/<participant_key>/badge",
                "get_participant_badge", views_checkin.get_participant_badge)
bp.add_url_rule("/events/<slug>/checkpoints", "list_checkpoints",
                views_checkin.list_checkpoints)
bp.add_url_rule("/events/<slug>/checkpoints/<int:checkpoint_id>/bundle",
                "get_checkpoint_bundle", views_checkin.get_checkpoint_bundle)
bp.add_url_rule("/events/<slug>/scans", "scan_badge", views_checkin.scan_badge,
                methods=["POST"])
bp.add_url_rule("/events/<slug>/scans/batch", "upload_scans", views_checkin.upload_scans,
                methods=["POST"])
bp.add_url_rule("/events/<slug>/attendance", "get_attendance", views_checkin.get_attendance)
