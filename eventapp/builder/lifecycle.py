"""An event's life: draft -> registration open -> registration closed -> programme
published -> the day -> finished.

Only what the organiser decides is stored (``Event.stage``: draft, open, closed); the rest
is derived: a publication makes the programme published, the event's date makes it "the
day" or "finished" (in the event's own time zone). pretix keeps a shop offline until it
is published; here a draft is not public and takes no registration until the organiser
opens registration, after a check that lists what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..programme.models import Round, Session
from ..registration.models import RegistrationSettings
from ..scheduling.models import Publication

# Derived status codes, in the order of the event's life, with their labels.
STATUS_LABELS = {
    "draft": _l("Draft: not public"),
    "registration_open": _l("Registration open"),
    "registration_closed": _l("Registration closed"),
    "published": _l("Programme published"),
    "the_day": _l("The day"),
    "finished": _l("Finished"),
}


class LifecycleError(Refused):
    """A stage change refused, with what is missing."""

    def __init__(self, message: str, missing: list[Missing] | None = None) -> None:
        super().__init__(message, code="registration_not_ready" if missing else None,
                         details=[item.message for item in missing or []])
        self.missing = missing or []


@dataclass(frozen=True)
class EventStatus:
    """Where the event stands: a code of :data:`STATUS_LABELS`, and its label."""

    code: str
    stage: str

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.code])

    @property
    def step(self) -> int:
        return list(STATUS_LABELS).index(self.code)


def event_today(event: Event) -> date:
    """Today's date where the event takes place."""
    return utcnow().astimezone(event.tz).date()


def derive_status(event: Event, published: bool, today: date) -> EventStatus:
    """The event's status from its stored stage, whether a programme was published, and
    the date (pure: the caller reads what it needs)."""
    if event.stage == "draft":  # whatever its date: not public until opened
        code = "draft"
    elif event.date < today:
        code = "finished"
    elif event.date == today:
        code = "the_day"
    elif published:
        code = "published"
    else:
        code = {"draft": "draft", "open": "registration_open",
                "closed": "registration_closed"}[event.stage]
    return EventStatus(code, event.stage)


def event_status(event: Event) -> EventStatus:
    """Where the event stands now: one SQL statement (is a programme published?)."""
    published = bool(db.session.scalar(select(exists().where(Publication.event_id == event.id))))
    return derive_status(event, published, event_today(event))


# --- the check before opening registration -----------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing to do before registration can open, with where to do it."""

    message: str
    url: str
    field: str = ""  # the registration setting to fill in, if it is one


def opening_check(event: Event) -> list[Missing]:
    """What is still missing before registration can open (empty: ready).

    Participants must know who holds their data (RGPD) and whom to ask, choose among
    sessions of at least one round, and the organiser must say how many seats there are.
    Two SQL statements, whatever the size of the event.
    """
    settings = db.session.get(RegistrationSettings, event.id)
    rounds, sessions = db.session.execute(select(
        select(func.count()).select_from(Round).where(Round.event_id == event.id)
        .scalar_subquery(),
        select(func.count()).select_from(Session).where(Session.event_id == event.id)
        .scalar_subquery())).one()
    settings_url = url_for("registration.settings", slug=event.slug)
    missing = []
    if settings is None or not settings.organiser_name.strip():
        missing.append(Missing(_("Name the data controller (the organising body) for the "
                                 "privacy notice."), f"{settings_url}#organiser_name",
                               "organiser_name"))
    if settings is None or not settings.privacy_contact.strip():
        missing.append(Missing(_("Give the privacy contact (whom participants ask about "
                                 "their data)."), f"{settings_url}#privacy_contact",
                               "privacy_contact"))
    if not rounds:
        missing.append(Missing(_("Add at least one speed-dating round."),
                               url_for("programme.rounds", slug=event.slug)))
    if not sessions:
        missing.append(Missing(_("Add the sessions (the projects presented in the rounds)."),
                               url_for("programme.sessions", slug=event.slug)))
    if settings is None or settings.capacity is None:
        missing.append(Missing(_("Say how many people can register (capacity)."),
                               f"{settings_url}#capacity", "capacity"))
    return missing


def open_registration(event: Event) -> None:
    """Open registration (from draft or closed), if nothing is missing."""
    missing = opening_check(event)
    if missing:
        raise LifecycleError(_("Registration cannot open yet: see below what is missing."),
                             missing)
    event.stage = "open"


def close_registration(event: Event) -> None:
    """Close registration: the event stays public, the form refuses new people."""
    if event.stage != "open":
        raise LifecycleError(_("Registration is not open."))
    event.stage = "closed"
