"""The exchange files: the export's JSON text and name, and what an import would change.

The document itself is built by :func:`eventapp.scheduling.instance.export_instance`
(also what the solve job feeds the solver); it is re-exported here for the exchange's
callers.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..registration.models import Participant
from ..scheduling.instance import export_instance  # noqa: F401 (the exchange's export)
from ..scheduling.models import Assignment, WorkshopAssignment


def instance_json(document: dict) -> str:
    """The document as a file: UTF-8, readable, stable (keys in the contract's order)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def export_filename(event: Event) -> str:
    return f"{event.slug}-instance.json"


COUNTED = ("themes", "rooms", "rounds", "projects", "sessions", "workshop_slots", "workshops",
           "participants")


def event_counts(event: Event) -> dict[str, int]:
    """What a replace would delete: rows per list of the format, plus assignments."""
    models = dict(zip(COUNTED, (Theme, Room, Round, Project, Session, WorkshopSlot, Workshop,
                                Participant), strict=True))
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model)
                                .where(model.__table__.c.event_id == event.id)) or 0
        for name, model in models.items()
    }
    counts["assignments"] = (db.session.scalar(
        select(func.count()).select_from(Assignment).join(Round, Round.id == Assignment.round_id)
        .where(Round.event_id == event.id)
    ) or 0) + (db.session.scalar(
        select(func.count()).select_from(WorkshopAssignment)
        .join(WorkshopSlot, WorkshopSlot.id == WorkshopAssignment.slot_id)
        .where(WorkshopSlot.event_id == event.id)
    ) or 0)
    return counts


def document_counts(document: dict) -> dict[str, int]:
    """The same counts for a (validated) document; its assignments are the pinned ones."""
    counts = {name: len(document.get(name) or []) for name in COUNTED}
    counts["assignments"] = sum(len(person.get("fixed") or {})
                                for person in document.get("participants") or [])
    return counts


def identity_differences(event: Event, document: dict) -> list[tuple[str, str, str]]:
    """(field, event's value, file's value) where the file describes another event.

    A replace keeps the event's name, date and timezone; the organiser is told when the
    file says otherwise (e.g. last year's file used as a template).
    """
    header = document.get("event") or {}
    current = {"name": event.name, "date": event.date.isoformat(), "timezone": event.timezone}
    return [(name, value, str(header.get(name))) for name, value in current.items()
            if header.get(name) != value]
