"""API views of check-in: participants, badges, checkpoints, scans and attendance.

The scan operations take staff tokens as well as organisers' (staff never edit the
programme); the JSON is the staff page's (``checkin.scanning`` and ``checkin.queries``),
so the two answer identically.
"""

from __future__ import annotations

from flask import Response, jsonify

from ..checkin import queries as checkin_queries
from ..checkin import scanning
from ..checkin.operations import badge_code, current_badge
from ..extensions import db
from ..registration.models import Participant
from ..urls import external_url
from .auth import current_api_user, organiser_required, staff_required
from .errors import ApiError
from .parsing import json_body
from .views import _event_or_404


def _no_store(data: dict) -> Response:
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@organiser_required
def list_participants(slug: str) -> Response:
    event = _event_or_404(slug)
    return _no_store({"event": event.slug,
                      "participants": checkin_queries.participant_list(event)})


@organiser_required
def get_participant_badge(slug: str, participant_key: str) -> Response:
    event = _event_or_404(slug)
    participant = db.session.scalar(db.select(Participant).where(
        Participant.event_id == event.id, Participant.key == participant_key))
    if participant is None:
        raise ApiError(404, f"No participant {participant_key!r} in this event.",
                       field="participant_key")
    badge = current_badge(participant)
    db.session.commit()
    return _no_store({
        "participant": participant.key, "serial": badge.serial,
        "issued_at": checkin_queries.rfc3339(event, badge.issued_at),
        "code": badge_code(badge),
        "png": external_url("checkin.badge_png", slug=slug,
                            participant_id=participant.id),
        "pdf": external_url("checkin.badges_pdf", slug=slug, layout="a6",
                            participant=participant.id),
    })


@staff_required
def list_checkpoints(slug: str) -> Response:
    event = _event_or_404(slug)
    data = {"event": event.slug, "checkpoints": checkin_queries.checkpoint_list(event)}
    db.session.commit()
    return _no_store(data)


@staff_required
def get_checkpoint_bundle(slug: str, checkpoint_id: int) -> Response:
    event = _event_or_404(slug)
    checkpoint = checkin_queries.get_checkpoint(event, checkpoint_id)
    if checkpoint is None:
        raise ApiError(404, f"No checkpoint {checkpoint_id} in this event.",
                       field="checkpoint_id")
    data = checkin_queries.checkpoint_bundle(event, checkpoint)
    db.session.commit()
    return _no_store(data)


@staff_required
def scan_badge(slug: str) -> Response:
    event = _event_or_404(slug)
    answer = scanning.scan(event, json_body(), current_api_user())
    db.session.commit()
    return _no_store(answer)


@staff_required
def upload_scans(slug: str) -> Response:
    event = _event_or_404(slug)
    answer = scanning.upload(event, json_body(), current_api_user())
    db.session.commit()
    return _no_store(answer)


@organiser_required
def get_attendance(slug: str) -> Response:
    event = _event_or_404(slug)
    data = checkin_queries.attendance_dict(event)
    db.session.commit()
    return _no_store(data)
