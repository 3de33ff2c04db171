"""Finding an event (and a row of it) from a URL: the first step of nearly every view."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _

from ..extensions import db
from .models import Event


def get_event_or_404(slug: str) -> Event:
    """The event at this address, or a 404 page that says what was not found."""
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, description=_(
            "No event has the address “%(slug)s”. It may have been renamed or removed: "
            "the home page lists every event.", slug=slug))
    return event


def is_visible_to(event: Event, user: Any) -> bool:
    """Drafts are seen by the signed-in team (organisers, and staff preparing the day)
    only; every other stage is public."""
    if not event.is_draft:
        return True
    return bool(getattr(user, "is_authenticated", False))


def get_public_event_or_404(slug: str) -> Event:
    """The event at this address if its public pages are open to the current visitor:
    a draft is a 404 for everyone but the signed-in team."""
    from flask_login import current_user

    event = get_event_or_404(slug)
    if not is_visible_to(event, current_user):
        abort(404, description=_(
            "No event has the address “%(slug)s”. It may have been renamed or removed: "
            "the home page lists every event.", slug=slug))
    return event


def get_owned_or_404(model: type, event: Event, ident: int) -> Any:
    """Row ``ident`` of ``model`` if it belongs to ``event``: ids of other events are 404."""
    obj = db.session.get(model, ident)
    if obj is None or obj.event_id != event.id:
        abort(404)
    return obj
