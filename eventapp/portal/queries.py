"""Read-side helpers of the participant's own pages."""

from __future__ import annotations

from datetime import datetime

from ..attendance.queries import signatures_export
from ..db_types import utcnow
from ..evaluation.queries import answers_export
from ..extensions import db
from ..registration.models import Participant, ParticipantToken
from ..scheduling.models import Assignment, WorkshopAssignment


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_personal_data(participant: Participant) -> dict:
    """Everything stored about the person (RGPD right of access), as JSON-ready data."""
    assignments = db.session.scalars(
        db.select(Assignment).where(Assignment.participant_id == participant.id)).all()
    workshop_assignments = db.session.scalars(
        db.select(WorkshopAssignment).where(WorkshopAssignment.participant_id == participant.id)
    ).all()
    tokens = db.session.scalars(
        db.select(ParticipantToken).where(ParticipantToken.participant_id == participant.id)
        .order_by(ParticipantToken.id)).all()
    event = participant.event
    return {
        "format": "eventapp-personal-data/1",
        "exported_at": utcnow().isoformat(),
        "event": {"name": event.name, "date": event.date.isoformat(), "venue": event.venue},
        "participant": {
            "id": participant.key,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "organisation": participant.organisation,
            "job_title": participant.job_title,
            "category": participant.category,
            "role": participant.role,
            "status": participant.status,
            "needs_step_free": participant.needs_step_free,
            "accessibility_notes": participant.accessibility_notes,
            "dietary_notes": participant.dietary_notes,
            "language": participant.locale,
            "registered_at": _iso(participant.created_at),
            "consent_given_at": _iso(participant.consent_at),
            "waiting_since": _iso(participant.waiting_since),
        },
        "project_wishes": [{"rank": w.rank + 1, "project": w.project.key,
                            "name": w.project.name} for w in participant.project_wishes],
        "workshop_wishes": [{"rank": w.rank + 1, "workshop": w.workshop.key,
                             "name": w.workshop.name} for w in participant.workshop_wishes],
        "themes": [{"theme": t.key, "name": t.name} for t in participant.theme_interests],
        "unavailable_rounds": [r.key for r in participant.unavailable_rounds],
        "unavailable_workshop_slots": [s.key for s in participant.unavailable_slots],
        "assignments": [{"round": a.round.key, "session": a.session.key,
                         "project": a.session.project.name} for a in assignments],
        "workshop_assignments": [{"slot": a.slot.key, "workshop": a.workshop.key,
                                  "name": a.workshop.name} for a in workshop_assignments],
        "links": [{"purpose": t.purpose, "created_at": _iso(t.created_at),
                   "revoked_at": _iso(t.revoked_at)} for t in tokens],
        # After the day: signatures on attendance sheets and evaluation answers.
        "signatures": signatures_export(participant),
        "evaluation_answers": answers_export(participant),
    }
