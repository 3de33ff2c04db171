"""Every change to registrations: register, cancel, promote, wishes, erase, import.

Functions change the session and queue emails; they never commit (the view commits
once, then sends the queued emails). A refused change raises :class:`RegistrationError`
with a message fit for the person who asked.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError

from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..mail import queue_email, queue_rendered_email, render_email
from ..programme.models import Project, Round
from ..signals import participant_cancelled, participant_erased
from ..urls import external_url
from . import queries
from .models import (
    Participant,
    ParticipantStatus,
    ProjectWish,
    RankedWish,
    RegistrationSettings,
    WorkshopWish,
)
from .tokens import PORTAL, issue_token, revoke_tokens

DEFAULT_RETENTION_MONTHS = 12

W = TypeVar("W", bound=RankedWish)


class RegistrationError(Refused, ValueError):
    """A refused change, with a message for the person who asked."""


class WishesError(RegistrationError):
    """The ranking is not valid: ``errors`` maps a form field (or "") to its messages."""

    status = 400

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(str(_l("Your choices could not be saved; see the errors below.")),
                         details=[{"field": field or None, "message": message}
                                  for field, messages in errors.items() for message in messages])
        self.errors = errors


@dataclass
class PersonDetails:
    """What a person tells about themselves (registration, portal edit, organiser edit)."""

    first_name: str
    last_name: str
    email: str
    organisation: str = ""
    category: str | None = None
    role: str = "participant"
    needs_step_free: bool = False
    accessibility_notes: str = ""
    dietary_notes: str = ""
    job_title: str | None = None


@dataclass
class RegistrationResult:
    """What :func:`register` did. ``already``: the address was registered before, so
    nothing changed and its holder was emailed their link; callers answer exactly as for
    a new registration, so the form does not reveal who is registered."""

    participant: Participant
    token: str
    waiting: bool
    already: bool = False


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- Settings and locking ------------------------------------------------------------


def settings_for_update(event: Event) -> RegistrationSettings:
    """The event's settings row, created with defaults on first change."""
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id, waiting_list=True, retention_months=12,
                                        organiser_name="", privacy_contact="")
        db.session.add(settings)
    return settings


def update_settings(event: Event, **values) -> RegistrationSettings:
    """Change the registration settings; a larger capacity promotes people who wait."""
    settings = settings_for_update(event)
    for name, value in values.items():
        setattr(settings, name, value)
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise RegistrationError(str(_l("Registration must close after it opens.")))
    db.session.flush()
    promote_waiting(event)
    return settings


def lock_event(event: Event) -> None:
    """Serialise seat-counting writers of one event until the transaction ends.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE) on the event. SQLite: a no-op write
    on the event row takes the database's single write lock *before* we count, so two
    registrations for the last seat cannot both see it free.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.select(Event.id).where(Event.id == event.id).with_for_update())
    else:
        db.session.execute(text("UPDATE events SET id = id WHERE id = :id"), {"id": event.id})


def new_participant_key(event_id: int) -> str:
    """A fresh exchange-format id ("p-1a2b3c4d") unused in the event."""
    while True:
        key = f"p-{secrets.token_hex(4)}"
        exists = db.session.scalar(
            db.select(Participant.id).where(Participant.event_id == event_id,
                                            Participant.key == key)
        )
        if exists is None:
            return key


# --- Registration ---------------------------------------------------------------------


def register(event: Event, details: PersonDetails, locale: str,
             now: datetime | None = None) -> RegistrationResult:
    """Register a person from the public form; full events put them on the waiting list.

    An address already registered (and not cancelled) changes nothing: its holder gets an
    email with a fresh link instead, and the caller gives the same answer as for a new
    registration (the form must not tell a stranger who is registered).

    Only an event with a capacity serialises its registrations (:func:`lock_event`), and
    only around the count and the insert, as late as can be: the lock lasts until the
    commit, and the registrations of an opening burst would otherwise queue behind each
    other one at a time. Without a capacity nothing is counted, so nothing is locked; two
    registrations of one address at once are told apart by the unique address of the
    event (the second becomes an "already registered"). The emails are rendered and sent
    after the commit (:func:`eventapp.mail.queue_rendered_email`).
    """
    now = now or utcnow()
    settings = queries.settings_of(event)
    state = queries.registration_state(event, now, settings)
    if state.code in {"not_open", "closed", "full"}:
        raise RegistrationError(state.message)
    email = normalise_email(details.email)
    existing = queries.participant_by_email(event.id, email)
    if existing is not None and existing.status != "cancelled":
        return _already_registered(existing, settings, now)
    participant = existing or Participant(event_id=event.id, key=new_participant_key(event.id))
    _apply_details(participant, details, email)
    participant.consent_at = now
    participant.locale = locale
    waiting = False
    if settings.capacity is not None:
        lock_event(event)  # (the critical section: this count, the insert, the commit)
        waiting = not queries.has_free_seat(event, settings)
        if waiting and not settings.waiting_list:
            raise RegistrationError(str(_l("The event is full; registration is closed.")))
    participant.status = "waiting" if waiting else ParticipantStatus.REGISTERED
    participant.waiting_since = now if waiting else None
    if existing is None:
        participant.created_at = now
        try:
            with db.session.begin_nested():
                db.session.add(participant)
        except IntegrityError:
            # The same address registered by a simultaneous request (a double click):
            # that registration stands, and this one answers as for any known address.
            other = queries.participant_by_email(event.id, email)
            if other is None or other.status == "cancelled":
                raise
            return _already_registered(other, settings, now)
    else:
        db.session.flush()
    token = issue_token(participant, PORTAL, first=existing is None)
    template = "registration_waiting" if waiting else "registration_confirmed"
    _queue_portal_email(participant, token, template, settings)
    return RegistrationResult(participant, token, waiting)


def _already_registered(participant: Participant, settings: RegistrationSettings,
                        now: datetime) -> RegistrationResult:
    """The answer to a registration of an address already registered: a fresh link by
    email, nothing else changed."""
    token = issue_token(participant, PORTAL, now)
    _queue_portal_email(participant, token, "already_registered", settings)
    return RegistrationResult(participant, token, participant.status == "waiting", already=True)


def resend_link(event: Event, email: str) -> bool:
    """Email a fresh portal link to a registered address; True if there was one.

    The view says the same thing in both cases, so the form does not reveal who is
    registered.
    """
    participant = queries.participant_by_email(event.id, normalise_email(email))
    if participant is None:
        return False
    token = issue_token(participant, PORTAL)
    _queue_portal_email(participant, token, "link_resent")
    return True


def cancel(participant: Participant, by_organiser: bool = False) -> list[Participant]:
    """Cancel a registration (or leave the waiting list); returns whoever got the seat."""
    if participant.status == "cancelled":
        raise RegistrationError(str(_l("This registration is already cancelled.")))
    lock_event(participant.event)
    participant.status = ParticipantStatus.CANCELLED
    participant.waiting_since = None
    db.session.flush()
    participant_cancelled.send(participant)
    if not by_organiser and participant.email:
        queue_email(render_email("cancelled", participant.email, participant.locale,
                                 participant=participant, event=participant.event))
    return promote_waiting(participant.event)


def promote_waiting(event: Event) -> list[Participant]:
    """Give free seats to the waiting list, earliest first, and tell each person."""
    settings = queries.settings_of(event)
    promoted: list[Participant] = []
    if settings.capacity is None and not queries.waiting_list(event.id):
        return promoted
    lock_event(event)
    for participant in queries.waiting_list(event.id):
        if not queries.has_free_seat(event):
            break
        participant.status = ParticipantStatus.REGISTERED
        participant.waiting_since = None
        db.session.flush()
        promoted.append(participant)
        if participant.email:
            token = issue_token(participant, PORTAL)
            _queue_portal_email(participant, token, "promoted")
    return promoted


def send_portal_link(participant: Participant, template: str = "registered_by_organiser") -> None:
    """Email the person a fresh personal link (organiser-added or imported people)."""
    if participant.email:
        _queue_portal_email(participant, issue_token(participant, PORTAL), template)


def _queue_portal_email(participant: Participant, token: str, template: str,
                        settings: RegistrationSettings | None = None) -> None:
    """Queue the email with the person's link, rendered after the commit."""
    if not participant.email:
        return
    link = external_url("portal.home", token=token)
    queue_rendered_email(template, participant.email, participant.locale,
                         participant=participant, event=participant.event, link=link,
                         settings=settings or queries.settings_of(participant.event))


def _apply_details(participant: Participant, details: PersonDetails, email: str) -> None:
    participant.first_name = details.first_name.strip()
    participant.last_name = details.last_name.strip()
    participant.email = email or None
    participant.organisation = (details.organisation or "").strip()
    participant.category = details.category or None
    participant.role = details.role or "participant"
    participant.needs_step_free = bool(details.needs_step_free)
    participant.accessibility_notes = (details.accessibility_notes or "").strip()
    participant.dietary_notes = (details.dietary_notes or "").strip()
    if details.job_title is not None:
        participant.job_title = details.job_title.strip()


def update_details(participant: Participant, details: PersonDetails) -> None:
    """Correct a participant's details; an email already used in the event is refused."""
    email = normalise_email(details.email)
    if email:
        other = queries.participant_by_email(participant.event_id, email)
        if other is not None and other.id != participant.id:
            raise RegistrationError(
                str(_l("Another participant of this event already uses this email address."))
            )
    _apply_details(participant, details, email)


# --- Wishes ---------------------------------------------------------------------------


def validate_ranking(ranks: dict[str, int | None], minimum: int, what: str) -> list[str]:
    """Ranks (1 = first choice) must be unique and consecutive from 1, at least ``minimum``.

    ``ranks`` maps an item's name to its chosen rank or None (not interested). Returns
    the problems, each naming the items concerned.
    """
    errors: list[str] = []
    by_rank: dict[int, list[str]] = {}
    for name, rank in ranks.items():
        if rank is not None:
            by_rank.setdefault(rank, []).append(name)
    for rank, names in sorted(by_rank.items()):
        if len(names) > 1:
            errors.append(str(_l("Choice %(rank)s is given to several %(what)s: %(names)s. "
                                 "Give each choice number once.",
                                 rank=rank, what=what, names=", ".join(sorted(names)))))
    count = len(by_rank)
    missing = [rank for rank in range(1, count + 1) if rank not in by_rank]
    if missing:
        errors.append(str(_l("Your %(what)s choices must follow each other from 1 without gaps: "
                             "choice %(rank)s is missing.", what=what, rank=missing[0])))
    ranked = sum(len(names) for names in by_rank.values())
    if ranked < minimum:
        errors.append(str(_l("Please rank at least %(count)s %(what)s (you ranked %(ranked)s).",
                             count=minimum, what=what, ranked=ranked)))
    return errors


def minimum_project_wishes(event: Event) -> int:
    """As many projects as rounds (one per round), but never more than there are projects."""
    rounds = db.session.scalar(db.select(func.count()).where(Round.event_id == event.id)) or 0
    projects = db.session.scalar(db.select(func.count()).where(Project.event_id == event.id)) or 0
    return min(rounds, projects)


def save_wishes(participant: Participant, project_ranks: Mapping[int, int | None],
                workshop_ranks: Mapping[int, int | None], theme_ids: list[int],
                now: datetime | None = None) -> None:
    """Replace the participant's wishes after checking the deadline and the ranking.

    ``project_ranks`` and ``workshop_ranks`` map ids of this event's projects and
    workshops to a 1-based rank or None.
    """
    event = participant.event
    if participant.status == "cancelled":  # (the portal hides the form; the API asks)
        raise RegistrationError(str(_l("This registration is already cancelled.")))
    if not queries.wishes_open(event, now or utcnow()):
        raise RegistrationError(str(_l("The deadline for choices has passed.")))
    projects = {p.id: p for p in queries.projects_of(event.id)}
    workshops = {w.id: w for w in queries.workshops_of(event.id)}
    themes = {t.id: t for t in queries.themes_of(event.id)}
    if not set(project_ranks) <= set(projects) or not set(workshop_ranks) <= set(workshops) \
            or not set(theme_ids) <= set(themes):
        raise RegistrationError(str(_l("Your choices name a project, workshop or theme that "
                                       "is not part of this event.")))
    errors: dict[str, list[str]] = {}
    project_errors = validate_ranking(
        {projects[i].name: r for i, r in project_ranks.items()},
        minimum_project_wishes(event), str(_l("projects")))
    workshop_errors = validate_ranking(
        {workshops[i].name: r for i, r in workshop_ranks.items()}, 0, str(_l("workshops")))
    if project_errors:
        errors["projects"] = project_errors
    if workshop_errors:
        errors["workshops"] = workshop_errors
    if errors:
        raise WishesError(errors)
    _replace_wishes(participant.project_wishes, ProjectWish, _zero_based(project_ranks))
    _replace_wishes(participant.workshop_wishes, WorkshopWish, _zero_based(workshop_ranks))
    participant.theme_interests = [themes[i] for i in sorted(set(theme_ids))]


# --- RGPD: access and erasure ---------------------------------------------------------


def erase_participant(participant: Participant) -> list[Participant]:
    """Delete the person and all their data (RGPD erasure); their seat goes to the list.

    Tokens are revoked first, then deleted with the person by the foreign keys' cascade,
    as are wishes, assignments and presenter links.
    """
    event = participant.event
    revoke_tokens(participant)
    db.session.flush()
    lock_event(event)
    participant_erased.send(participant)
    db.session.delete(participant)
    db.session.flush()
    return promote_waiting(event)


def purge_expired(today: date) -> dict[str, int]:
    """Erase the participants of events whose retention period is over.

    The privacy notice promises deletion ``retention_months`` after the event; run daily
    (``flask registration purge-expired``). Returns the number erased per event slug.
    """
    purged: dict[str, int] = {}
    rows = db.session.execute(
        db.select(Event, RegistrationSettings.retention_months)
        .outerjoin(RegistrationSettings, RegistrationSettings.event_id == Event.id)).all()
    for event, months in rows:
        if today < add_months(event.date, months or DEFAULT_RETENTION_MONTHS):
            continue
        people = db.session.scalars(
            db.select(Participant).where(Participant.event_id == event.id)).all()
        for participant in people:
            revoke_tokens(participant)
            participant_erased.send(participant)
            db.session.delete(participant)
        if people:
            purged[event.slug] = len(people)
    db.session.flush()
    return purged


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Organiser changes ----------------------------------------------------------------


def add_participant(event: Event, details: PersonDetails) -> Participant:
    """An organiser adds someone (speaker, staff...): registered, no consent box, no email."""
    email = normalise_email(details.email)
    if email and queries.participant_by_email(event.id, email) is not None:
        raise RegistrationError(
            str(_l("A participant of this event already uses this email address.")))
    participant = Participant(event_id=event.id, key=new_participant_key(event.id),
                              status=ParticipantStatus.REGISTERED, created_at=utcnow())
    _apply_details(participant, details, email)
    db.session.add(participant)
    db.session.flush()
    return participant


def apply_import_row(event: Event, row) -> Participant:
    """Create or update one participant from a validated CSV row (see csv_io.ImportRow).

    A new person is registered (organisers' lists bypass the capacity); an existing one
    keeps their status, and only the file's columns change.
    """
    participant = queries.participant_by_email(event.id, row.email) if row.email else None
    if participant is None:
        participant = Participant(event_id=event.id, key=new_participant_key(event.id),
                                  status=ParticipantStatus.REGISTERED, created_at=utcnow())
        db.session.add(participant)
    for name, value in row.changes.items():
        setattr(participant, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    if row.project_ids is not None:
        _replace_wishes(participant.project_wishes, ProjectWish,
                        [(ident, rank) for rank, ident in enumerate(row.project_ids)])
    if row.workshop_ids is not None:
        _replace_wishes(participant.workshop_wishes, WorkshopWish,
                        [(ident, rank) for rank, ident in enumerate(row.workshop_ids)])
    return participant


def _zero_based(ranks: Mapping[int, int | None]) -> list[tuple[int, int]]:
    """The form's ranks (1 is the first wish) as (target id, stored rank); unranked left out."""
    return [(ident, rank - 1) for ident, rank in ranks.items() if rank is not None]


def _replace_wishes(wishes: list[W], model: type[W], ranked: list[tuple[int, int]]) -> None:
    """Replace one kind of a participant's wishes by (target id, rank) pairs.

    The old rows are deleted (flushed) first: a new wish may reuse a rank or a target, and
    the unique constraints are checked row by row.
    """
    wishes.clear()
    db.session.flush()
    wishes.extend(model.of(target_id, rank) for target_id, rank in ranked)


__all__ = [
    "PersonDetails",
    "RegistrationError",
    "WishesError",
    "add_participant",
    "apply_import_row",
    "cancel",
    "erase_participant",
    "promote_waiting",
    "purge_expired",
    "register",
    "resend_link",
    "save_wishes",
    "send_portal_link",
    "update_details",
    "update_settings",
    "validate_ranking",
]
