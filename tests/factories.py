"""Factory functions for tests: ``make_event(...)`` and friends.

Each builds a valid object with sensible defaults, adds it to the session and flushes,
so a test states only what matters to it.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventapp.extensions import db
from eventapp.models import (
    Event,
    Participant,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    User,
    Workshop,
    WorkshopSlot,
)

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_user(email: str | None = None, role: str = "organiser", password: str = PASSWORD) -> User:
    user = User(email=email or f"user{_next()}@example.org", role=role, name="Test user")
    user.set_password(password)
    _save(user)
    db.session.commit()
    return user


def make_event(**fields) -> Event:
    n = _next()
    fields.setdefault("slug", f"event-{n}")
    fields.setdefault("name", f"Journée test {n}")
    fields.setdefault("date", date(2016, 12, 7))
    fields.setdefault("venue", "Paris")
    fields.setdefault("timezone", "Europe/Paris")
    # Most tests need an event that takes registrations; a new event is a draft
    # (builder/lifecycle.py): pass stage="draft" to test one.
    fields.setdefault("stage", "open")
    return _save(Event(**fields))


def local(event: Event, hhmm: str) -> datetime:
    """An aware UTC datetime for a wall-clock time of the event's day."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(event.date, time(hour, minute), ZoneInfo(event.timezone)).astimezone(
        ZoneInfo("UTC")
    )


def make_theme(event: Event, **fields) -> Theme:
    n = _next()
    fields.setdefault("key", f"theme-{n}")
    fields.setdefault("name", f"Thème {n}")
    fields.setdefault("colour", "#d0312d")
    fields.setdefault("colour_name", "rouge")
    return _save(Theme(event=event, **fields))


def make_room(event: Event, **fields) -> Room:
    n = _next()
    themes = fields.pop("themes", [])
    fields.setdefault("key", f"room-{n}")
    fields.setdefault("name", f"Salle {n}")
    fields.setdefault("capacity", 60)
    fields.setdefault("tables", 1)
    room = Room(event=event, **fields)
    room.themes = list(themes)
    return _save(room)


def make_participant(event: Event, **fields) -> Participant:
    n = _next()
    fields.setdefault("key", f"p{n:03d}")
    fields.setdefault("first_name", "Camille")
    fields.setdefault("last_name", f"Martin {n}")
    fields.setdefault("email", f"camille{n}@example.org")
    fields.setdefault("category", "association")
    return _save(Participant(event=event, **fields))


def make_project(event: Event, theme: Theme | None = None, **fields) -> Project:
    n = _next()
    presenters = fields.pop("presenters", [])
    fields.setdefault("key", f"project-{n}")
    fields.setdefault("name", f"Projet {n}")
    project = Project(event=event, theme=theme or make_theme(event), **fields)
    project.presenters = list(presenters)
    return _save(project)


def make_round(event: Event, start: str = "11:50", minutes: int = 20, **fields) -> Round:
    fields.setdefault("key", f"r{_next()}")
    starts = local(event, start)
    return _save(Round(event=event, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                       **fields))


def make_session(event: Event, project: Project | None = None, **fields) -> Session:
    fields.setdefault("key", f"session-{_next()}")
    return _save(Session(event=event, project=project or make_project(event), **fields))


def make_workshop_slot(event: Event, start: str = "14:15", minutes: int = 90, **fields):
    fields.setdefault("key", f"slot-{_next()}")
    starts = local(event, start)
    return _save(WorkshopSlot(event=event, starts_at=starts,
                              ends_at=starts + timedelta(minutes=minutes), **fields))


def make_workshop(event: Event, slot: WorkshopSlot | None = None, room: Room | None = None,
                  **fields) -> Workshop:
    n = _next()
    fields.setdefault("key", f"workshop-{n}")
    fields.setdefault("name", f"Atelier {n}")
    fields.setdefault("capacity", 40)
    return _save(Workshop(event=event, slot=slot or make_workshop_slot(event),
                          room=room or make_room(event), **fields))


def make_programme_item(event: Event, start: str = "09:30", minutes: int = 30, **fields):
    fields.setdefault("title", f"Intervention {_next()}")
    starts = local(event, start)
    return _save(ProgrammeItem(event=event, starts_at=starts,
                               ends_at=starts + timedelta(minutes=minutes), **fields))


# --- Registration area ----------------------------------------------------------------


def make_registration_settings(event: Event, **fields):
    """Registration settings of ``event`` (capacity, dates, deadline...)."""
    from eventapp.registration.models import RegistrationSettings

    fields.setdefault("waiting_list", True)
    fields.setdefault("retention_months", 12)
    fields.setdefault("organiser_name", "")
    fields.setdefault("privacy_contact", "")
    return _save(RegistrationSettings(event_id=event.id, **fields))


def make_portal_token(participant: Participant, purpose: str = "portal") -> str:
    """A live token of ``participant``; returns it in clear."""
    from eventapp.registration.tokens import issue_token

    token = issue_token(participant, purpose)
    db.session.flush()
    return token


def read_outbox(app) -> list:
    """The emails written to the test outbox, oldest first, as EmailMessage objects."""
    from email import policy
    from email.parser import BytesParser
    from pathlib import Path

    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def email_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def portal_token_in(message) -> str:
    """The personal-link token inside an email's plain-text part."""
    import re

    match = re.search(r"/p/([A-Za-z0-9_-]{20,})/", email_text(message))
    assert match, email_text(message)
    return match.group(1)


def make_badge_card(**fields):
    """A ``BadgeCard`` (plain data, nothing saved) with the 2016 day's four stripes."""
    from eventapp.checkin.badge_card import BadgeCard, Stripe

    number = _next()
    defaults = dict(
        full_name=f"Camille Lefèvre {number}",
        organisation="Centre social d’Écully",
        category_label="Association",
        event_name="Journée de restitution et d’échanges",
        event_date_label="Mercredi 7 décembre 2016",
        stripes=(
            Stripe("Tour 1", "Salle 2", "#1f6fb2", "bleu"),
            Stripe("Tour 2", "Salle 5", "#f2d21b", "jaune"),
            Stripe("Tour 3", "Salle 1", "#c0392b", "rouge"),
            Stripe("Atelier", "Amphithéâtre", "#ffffff", "blanc"),
        ),
        qr_text=f"B1.{number:05d}.tQ3xZ8kP-aW_9sLmE2vR",
    )
    defaults.update(fields)
    return BadgeCard(**defaults)


def make_calendar_feed(event: Event, scope: str = "participant", **targets):
    """A calendar feed link (``participant=`` or ``room=`` as the scope needs); returns
    the feed row, its secret derived by :func:`eventapp.calendars.queries.feed_secret`."""
    from eventapp.calendars.operations import ensure_feed

    feed = ensure_feed(event, scope, **targets)
    db.session.commit()
    return feed


# --- Check-in area -------------------------------------------------------------------


def make_badge_code(participant: Participant) -> str:
    """The participant's current badge code (issuing the badge); flushed."""
    from eventapp.checkin.operations import current_code

    code = current_code(participant)
    db.session.flush()
    return code


def make_checkpoints(event: Event) -> dict:
    """The event's checkpoints synced from its programme, by key; committed."""
    from eventapp.checkin.checkpoints import sync_checkpoints

    rows = sync_checkpoints(event)
    db.session.commit()
    return {row.key: row for row in rows}
