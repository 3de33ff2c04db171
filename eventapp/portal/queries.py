"""Read-side helpers of the participant's own pages: what "Mon programme" shows (the
whole day, from the same items as their calendar, ``calendars.queries.participant_items``,
so the page and the phone's calendar never disagree about a room, a table or a buffet
colour) and the personal-data export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from flask_babel import get_locale
from sqlalchemy.orm import selectinload

from ..attendance.queries import signatures_export
from ..calendars.ics import CalendarItem
from ..calendars.queries import CalendarContext, participant_items
from ..db_types import utcnow
from ..evaluation.queries import answers_export
from ..events.models import Event
from ..extensions import db
from ..programme.models import ProgrammeItemKind, Session, Theme
from ..registration.models import Participant, ParticipantToken, ProjectWish, WorkshopWish
from ..scheduling.models import Assignment, WorkshopAssignment
from ..scheduling.queries import DayItem, participant_day

OSM_SEARCH = "https://www.openstreetmap.org/search"
# Identity prefixes of the items that are the participant's own (not plenary).
PERSONAL = ("round", "slot", "present")


@dataclass(frozen=True)
class AgendaRow:
    """One line of "Mon programme": the calendar item, and for a round or a workshop the
    published entry it came from (round number, room, table, change link)."""

    kind: str                  # "round", "slot", "present" or "item" (plenary)
    item: CalendarItem
    day: DayItem | None
    theme: Theme | None        # the colour shown with its name (round, presenting, lunch)
    is_lunch: bool = False


@dataclass(frozen=True)
class MyDay:
    rows: list[AgendaRow]
    day: list[DayItem]         # the published sessions and workshops (empty before)

    @property
    def has_personal(self) -> bool:
        """True once something of the day is theirs (a round, a workshop, a presentation):
        only then are the calendar and the badge worth offering."""
        return any(row.kind in PERSONAL for row in self.rows)


def my_day(participant: Participant) -> MyDay:
    """The participant's day in time order, in the page's language (a few queries,
    whatever the size of the event: the calendar loads only this person's sessions)."""
    event = participant.event
    if participant.status == "cancelled":
        return MyDay([], [])
    ctx = CalendarContext.load(event, participant=participant)
    day = participant_day(participant, ctx.cat) if participant.status == "registered" else []
    items = participant_items(ctx, participant, day, locale=str(get_locale()))
    by_identity = {("round:" if d.kind == "session" else "slot:") + d.label: d for d in day}
    lunches = {f"item:{p.id}" for p in ctx.plenary if p.kind == ProgrammeItemKind.LUNCH}
    rows = []
    for item in items:
        kind = item.identity.split(":", 1)[0]
        theme = ctx.cat.themes.get(item.theme_id) if item.theme_id else None
        rows.append(AgendaRow(kind, item, by_identity.get(item.identity), theme,
                              item.identity in lunches))
    return MyDay(rows, day)


def map_link(event: Event) -> str | None:
    """An OpenStreetMap search for the venue's address (a link, no embedded map: nothing
    loads from another site until the person asks)."""
    if not event.address.strip():
        return None
    lines = [line.strip() for line in (event.venue, *event.address.splitlines())]
    place = ", ".join(line for line in lines if line)
    return f"{OSM_SEARCH}?{urlencode({'query': place})}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_personal_data(participant: Participant) -> dict:
    """Everything stored about the person (RGPD right of access), as JSON-ready data."""
    # Each row with what it names, in a fixed number of queries (not one per wish).
    assignments = db.session.scalars(
        db.select(Assignment).where(Assignment.participant_id == participant.id)
        .options(selectinload(Assignment.round),
                 selectinload(Assignment.session).selectinload(Session.project))).all()
    workshop_assignments = db.session.scalars(
        db.select(WorkshopAssignment).where(WorkshopAssignment.participant_id == participant.id)
        .options(selectinload(WorkshopAssignment.slot), selectinload(WorkshopAssignment.workshop))
    ).all()
    project_wishes = db.session.scalars(
        db.select(ProjectWish).where(ProjectWish.participant_id == participant.id)
        .options(selectinload(ProjectWish.project)).order_by(ProjectWish.rank)).all()
    workshop_wishes = db.session.scalars(
        db.select(WorkshopWish).where(WorkshopWish.participant_id == participant.id)
        .options(selectinload(WorkshopWish.workshop)).order_by(WorkshopWish.rank)).all()
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
                            "name": w.project.name} for w in project_wishes],
        "workshop_wishes": [{"rank": w.rank + 1, "workshop": w.workshop.key,
                             "name": w.workshop.name} for w in workshop_wishes],
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
