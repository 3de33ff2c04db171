"""API views of check-in: participants, badges, checkpoints, scans and attendance.

The scan operations take staff tokens as well as organisers' (staff never edit the
programme); the JSON is the staff page's (``checkin.scanning`` and ``checkin.queries``),
so the two answer identically.
"""

from __future__ import annotations

from ..checkin import queries as checkin_queries
from ..checkin import scanning
from ..checkin.operations import badge_code, current_badge
from ..extensions import db
from ..registration.models import Participant
from ..urls import external_url
from . import schemas
from .auth import current_api_user, organiser_required, staff_required
from .errors import ApiError
from .parsing import json_body
from .spec import CHECKPOINT_ID, ORGANISER, PARTICIPANT_KEY, SLUG, STAFF, Answer, operation
from .views import _event_or_404

TAGS = ["check-in"]


@operation("/events/<slug>/participants", "GET", "listParticipants",
           "Every participant with their id and status (organisers).", tags=TAGS,
           security=ORGANISER, parameters=[SLUG], errors=(401, 403, 404),
           answers=[Answer(200, schemas.ParticipantList, "The participants.")],
           guards=(organiser_required,))
def list_participants(slug: str) -> schemas.ParticipantList:
    event = _event_or_404(slug)
    return schemas.ParticipantList(
        event=event.slug, participants=checkin_queries.participant_list(event))


@operation("/events/<slug>/participants/<participant_key>/badge", "GET",
           "getParticipantBadge", "The participant's badge: the QR code's text and links to "
           "its PNG and PDF (organisers; issues the badge on first use).", tags=TAGS,
           security=ORGANISER, parameters=[SLUG, PARTICIPANT_KEY],
           errors=(401, 403, 404, 409),
           answers=[Answer(200, schemas.ParticipantBadge, "The badge.")],
           guards=(organiser_required,))
def get_participant_badge(slug: str, participant_key: str) -> schemas.ParticipantBadge:
    event = _event_or_404(slug)
    participant = db.session.scalar(db.select(Participant).where(
        Participant.event_id == event.id, Participant.key == participant_key))
    if participant is None:
        raise ApiError(404, f"No participant {participant_key!r} in this event.",
                       field="participant_key")
    badge = current_badge(participant)
    db.session.commit()
    return schemas.ParticipantBadge(
        participant=participant.key, serial=badge.serial,
        issued_at=checkin_queries.rfc3339(event, badge.issued_at),
        code=badge_code(badge),
        png=external_url("checkin.badge_png", slug=slug, participant_id=participant.id),
        pdf=external_url("checkin.badges_pdf", slug=slug, layout="a6",
                         participant=participant.id))


@operation("/events/<slug>/checkpoints", "GET", "listCheckpoints",
           "The door, each (room, round), each workshop and lunch, with their time windows "
           "(organisers and staff).", tags=TAGS, security=STAFF, parameters=[SLUG],
           errors=(401, 404),
           answers=[Answer(200, schemas.CheckpointList, "The checkpoints.")],
           guards=(staff_required,))
def list_checkpoints(slug: str) -> schemas.CheckpointList:
    event = _event_or_404(slug)
    data = schemas.CheckpointList(event=event.slug,
                                  checkpoints=checkin_queries.checkpoint_list(event))
    db.session.commit()
    return data


@operation("/events/<slug>/checkpoints/<int:checkpoint_id>/bundle", "GET",
           "getCheckpointBundle", "What a scanner needs offline at one checkpoint: expected "
           "list, public key, revocation list, window (organisers and staff).", tags=TAGS,
           security=STAFF, parameters=[SLUG, CHECKPOINT_ID], errors=(401, 404),
           answers=[Answer(200, schemas.CheckpointBundle, "The bundle.")],
           guards=(staff_required,))
def get_checkpoint_bundle(slug: str, checkpoint_id: int) -> schemas.CheckpointBundle:
    event = _event_or_404(slug)
    checkpoint = checkin_queries.get_checkpoint(event, checkpoint_id)
    if checkpoint is None:
        raise ApiError(404, f"No checkpoint {checkpoint_id} in this event.",
                       field="checkpoint_id")
    data = schemas.CheckpointBundle.model_validate(
        checkin_queries.checkpoint_bundle(event, checkpoint))
    db.session.commit()
    return data


# The scan bodies are read by checkin.scanning, shared with the staff page (an offline
# batch answers a bad item in its place): the models document them.
@operation("/events/<slug>/scans", "POST", "scanBadge",
           "Record one scan and answer its result (organisers and staff). Refusals are "
           "answered 200 with their result; 400 only for a malformed body; 409 for a nonce "
           "already used with another code, person or checkpoint.", tags=TAGS,
           security=STAFF, parameters=[SLUG], body=schemas.ScanRequest,
           errors=(400, 401, 404, 409, 415),
           answers=[Answer(200, schemas.ScanAnswer, "The result.")],
           guards=(staff_required,))
def scan_badge(slug: str) -> schemas.ScanAnswer:
    event = _event_or_404(slug)
    answer = schemas.ScanAnswer.model_validate(
        scanning.scan(event, json_body(), current_api_user()))
    db.session.commit()
    return answer


@operation("/events/<slug>/scans/batch", "POST", "uploadScans",
           "An offline queue: applied in device-time order, each answered; uploading it "
           "again adds nothing (organisers and staff).", tags=TAGS, security=STAFF,
           parameters=[SLUG], body=schemas.ScanBatch,
           errors=(400, 401, 404, 415),
           answers=[Answer(200, schemas.ScanBatchAnswer,
                           "One answer per scan, in the order sent.")],
           guards=(staff_required,))
def upload_scans(slug: str) -> schemas.ScanBatchAnswer:
    event = _event_or_404(slug)
    answer = schemas.ScanBatchAnswer.model_validate(
        scanning.upload(event, json_body(), current_api_user()))
    db.session.commit()
    return answer


@operation("/events/<slug>/attendance", "GET", "getAttendance",
           "Admissions, expected people, refusals and conflicts per checkpoint "
           "(organisers).", tags=TAGS, security=ORGANISER, parameters=[SLUG],
           errors=(401, 403, 404),
           answers=[Answer(200, schemas.Attendance, "The counts.")],
           guards=(organiser_required,))
def get_attendance(slug: str) -> schemas.Attendance:
    event = _event_or_404(slug)
    data = schemas.Attendance.model_validate(checkin_queries.attendance_dict(event))
    db.session.commit()
    return data
