"""Read-side helpers of the programme area."""

from __future__ import annotations

from flask import abort

from ..events.models import Event
from ..extensions import db


def get_event_or_404(slug: str) -> Event:
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event
