"""Read-side of registrations: settings, registration state, seats, lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlalchemy.orm import contains_eager, selectinload

from ..events.models import Event
from ..extensions import db
from ..programme.models import Project, Theme, Workshop, WorkshopSlot
from .models import (
    CATEGORIES,
    ROLES,
    STATUSES,
    Participant,
    ParticipantStatus,
    RegistrationSettings,
)

CATEGORY_LABELS = {
    "siae": _l("Work integration social enterprise (SIAE)"),
    "service-public": _l("Public employment service"),
    "association": _l("Association"),
    "entreprise": _l("Company"),
    "collectivite": _l("Local authority"),
    "recherche": _l("Research"),
    "financeur": _l("Funder"),
    "demandeur-emploi": _l("Job seeker"),
    "intervenant": _l("Speaker (set by organisers)"),
    "autre": _l("Other"),
}
ROLE_LABELS = {
    "participant": _l("Participant"),
    "presenter": _l("Project presenter"),
    "speaker": _l("Speaker"),
    "staff": _l("Staff"),
}
STATUS_LABELS = {
    ParticipantStatus.REGISTERED: _l("Registered"),
    "waiting": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}
assert set(CATEGORY_LABELS) == set(CATEGORIES) and set(ROLE_LABELS) == set(ROLES)
assert set(STATUS_LABELS) == set(STATUSES)


# Where the public form stands (RegistrationState.code; the API's registration.state).
REGISTRATION_STATE_CODES = ("open", "waiting_list", "full", "not_open", "closed")


@dataclass(frozen=True)
class RegistrationState:
    """Whether the public form takes registrations now, and what to tell visitors."""

    code: str  # one of REGISTRATION_STATE_CODES
    message: str

    @property
    def accepts(self) -> bool:
        return self.code in {"open", "waiting_list"}


def settings_of(event: Event) -> RegistrationSettings:
    """The event's settings, or unsaved defaults (open, unlimited) if none were saved."""
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id, waiting_list=True,
                                        retention_months=12, organiser_name="",
                                        privacy_contact="")
    return settings


def registered_count(event_id: int) -> int:
    return db.session.scalar(
        db.select(func.count()).where(Participant.event_id == event_id,
                                      Participant.status == ParticipantStatus.REGISTERED)
    ) or 0


def has_free_seat(event: Event, settings: RegistrationSettings | None = None) -> bool:
    """Whether one more person can be registered (``settings``: the event's, when the
    caller has them already: an event without saved settings costs a SELECT per lookup)."""
    capacity = (settings or settings_of(event)).capacity
    return capacity is None or registered_count(event.id) < capacity


def registration_state(event: Event, now: datetime,
                       settings: RegistrationSettings | None = None) -> RegistrationState:
    if event.stage == "draft":  # the organiser has not opened registration yet
        return RegistrationState("not_open", str(_l("Registration is not open yet.")))
    if event.stage == "closed":
        return RegistrationState("closed", str(_l("Registration is closed.")))
    settings = settings or settings_of(event)
    if settings.opens_at and now < settings.opens_at:
        return RegistrationState("not_open", str(_l("Registration is not open yet.")))
    if settings.closes_at and now >= settings.closes_at:
        return RegistrationState("closed", str(_l("Registration is closed.")))
    if has_free_seat(event, settings):
        return RegistrationState("open", "")
    if settings.waiting_list:
        return RegistrationState("waiting_list", str(_l(
            "The event is full. You can still register: you will be on the waiting list and "
            "receive an email as soon as a seat frees up.")))
    return RegistrationState("full", str(_l("The event is full; registration is closed.")))


def wishes_open(event: Event, now: datetime) -> bool:
    deadline = settings_of(event).wishes_deadline
    return deadline is None or now < deadline


def emails_in_event(event_id: int) -> dict[str, tuple[int, str]]:
    """Lower-case email -> (participant id, status), for checking a whole file at once."""
    rows = db.session.execute(db.select(Participant.email, Participant.id, Participant.status)
                              .where(Participant.event_id == event_id,
                                     Participant.email.is_not(None)))
    return {email.lower(): (ident, status) for email, ident, status in rows}


def participant_by_email(event_id: int, email: str) -> Participant | None:
    if not email:
        return None
    return db.session.scalar(
        db.select(Participant).where(Participant.event_id == event_id,
                                     func.lower(Participant.email) == email.lower())
    )


def waiting_list(event_id: int) -> list[Participant]:
    """People waiting for a seat, in the order they will be promoted."""
    return list(db.session.scalars(
        db.select(Participant)
        .where(Participant.event_id == event_id, Participant.status == "waiting")
        .order_by(Participant.waiting_since, Participant.id)
    ))


def someone_waiting(event_id: int) -> bool:
    """Whether a cancellation now gives a seat to someone (one query, no list loaded)."""
    return db.session.scalar(db.select(
        db.select(Participant.id).where(Participant.event_id == event_id,
                                        Participant.status == "waiting").exists())) or False


def projects_of(event_id: int) -> list[Project]:
    return list(db.session.scalars(
        db.select(Project).where(Project.event_id == event_id)
        .order_by(Project.position, Project.name)))


def workshops_of(event_id: int) -> list[Workshop]:
    return list(db.session.scalars(
        db.select(Workshop).join(WorkshopSlot).where(Workshop.event_id == event_id)
        .options(contains_eager(Workshop.slot), selectinload(Workshop.room))
        .order_by(WorkshopSlot.starts_at, Workshop.position, Workshop.name)))


def themes_of(event_id: int) -> list[Theme]:
    return list(db.session.scalars(
        db.select(Theme).where(Theme.event_id == event_id).order_by(Theme.position, Theme.name)))


# The organiser's order of people (list and export); the export's wish queries share it.
PARTICIPANT_ORDER = (func.lower(Participant.last_name), func.lower(Participant.first_name),
                     Participant.id)


def search_participants(event_id: int, text: str = "", category: str = "", status: str = ""):
    """The organiser's list: a query filtered by free text, category and status."""
    query = db.select(Participant).where(Participant.event_id == event_id)
    text = (text or "").strip()
    if text:
        # The organiser's text is literal: % and _ are not wildcards.
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        columns = (
            Participant.first_name + " " + Participant.last_name,
            Participant.last_name + " " + Participant.first_name,
            func.coalesce(Participant.email, ""),
            Participant.organisation,
        )
        query = query.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))
    if category in CATEGORIES:
        query = query.where(Participant.category == category)
    if status in STATUSES:
        query = query.where(Participant.status == status)
    return query.order_by(*PARTICIPANT_ORDER)


def status_counts(event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Participant.status, func.count()).where(Participant.event_id == event_id)
        .group_by(Participant.status)).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def waiting_position(participant: Participant) -> int | None:
    """1 for the next person to get a seat; None when not waiting."""
    if participant.status != "waiting":
        return None
    for position, waiting in enumerate(waiting_list(participant.event_id), start=1):
        if waiting.id == participant.id:
            return position
    return None


def participants_with_email(event_id: int, ids: list[int]) -> list[Participant]:
    """The event's participants among ``ids`` who have an email address (one query)."""
    if not ids:
        return []
    return list(db.session.scalars(
        db.select(Participant).where(Participant.event_id == event_id,
                                     Participant.id.in_(ids), Participant.email.is_not(None),
                                     Participant.email != "")
        .order_by(Participant.last_name, Participant.first_name, Participant.id)))


@dataclass
class LinkMailPreview:
    """Before sending the imported people their links: how many, and the email."""

    new_with_email: int
    new_without_email: int
    updated_with_email: int
    example: object | None  # mail.OutgoingEmail of the first new person, link blanked


def link_mail_preview(event: Event, created: list[int], updated: list[int]
                      ) -> LinkMailPreview:
    """Counts in three queries whatever the import's size, and one email rendered (no
    personal link is issued for the preview)."""
    from flask_babel import gettext

    from ..mail import render_email

    new = participants_with_email(event.id, created)
    old = participants_with_email(event.id, updated)
    example = None
    person = new[0] if new else (old[0] if old else None)
    if person is not None:
        assert person.email  # chosen among those with an address
        example = render_email("registered_by_organiser", person.email, person.locale,
                               participant=person, event=event,
                               link=gettext("(their personal link)"),
                               settings=settings_of(event))
    return LinkMailPreview(len(new), len(created) - len(new), len(old), example)
