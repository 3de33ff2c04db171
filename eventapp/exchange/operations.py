"""Import of a ``speed-dating-instance/1`` document: a new event, or a replaced one.

The document is validated as a whole first (:mod:`.validation`); nothing is written
unless it is entirely valid. The caller (view or CLI command) commits once: a replace
deletes and re-creates the programme and participants inside that single transaction, so
a failure half-way leaves the event as it was.

A replace keeps what the file cannot carry: a participant whose id (key) is in the file
keeps their row, hence their email, consent, personal links, badges, calendar feeds and
check-in history; only participants absent from the file are deleted with all of theirs.
:func:`replace_instance` reports both.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update

from ..checkin.models import Badge, Scan
from ..events.models import Event
from ..extensions import db
from ..programme.keys import slugify
from ..programme.models import (
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
    project_presenters,
    room_themes,
    session_presenters,
)
from ..programme.palette import colour_name
from ..registration.models import (
    Participant,
    ParticipantStatus,
    ParticipantTheme,
    ParticipantToken,
    ParticipantUnavailableRound,
    ParticipantUnavailableSlot,
    ProjectWish,
    WorkshopWish,
)
from ..scheduling.models import Assignment, WorkshopAssignment
from .validation import InstanceImportError, load_document, validate_instance

__all__ = ["InstanceImportError", "ParticipantData", "ReplaceReport", "import_instance",
           "load_document", "registration_data", "replace_instance", "unique_slug",
           "validate_instance"]

SLUG_LENGTH = 80


def unique_slug(name: str, on: date) -> str:
    """``<name>-<yyyy-mm-dd>``, shortened at a word boundary, with -2, -3... if taken."""
    suffix = on.isoformat()
    full = slugify(name, max_length=SLUG_LENGTH * 4)
    limit = SLUG_LENGTH - len(suffix) - 5  # room for "-<date>" and a "-NNN" counter
    stem = full if len(full) <= limit else full[:limit].rsplit("-", 1)[0]
    base = f"{stem}-{suffix}" if stem else f"event-{suffix}"
    taken = set(db.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_instance(data: Any, *, event: Event | None = None) -> Event:
    """Create an event from a document, or replace ``event``'s programme and participants.

    On replace, the event keeps its identity (slug, name, date, timezone, venue, plenary
    items): the file's rounds are read as local times of the event's own day, and the
    participants the file names keep their personal data (see :func:`replace_instance`).
    Raises :class:`InstanceImportError` (and writes nothing) if the document is not valid.
    The caller commits.
    """
    if event is not None:
        replace_instance(event, data)
        return event
    doc = validate_instance(data)
    event = _create_event(doc["event"])
    _build(event, doc, {})
    return event


@dataclass(frozen=True)
class ParticipantData:
    """What the exchange format cannot carry, counted over some of an event's participants."""

    participants: int = 0
    emails: int = 0
    consents: int = 0
    personal_links: int = 0
    badges: int = 0
    scans: int = 0

    def holds_registrations(self) -> bool:
        """True if replacing these participants would lose something only people gave."""
        return any(count for name, count in asdict(self).items() if name != "participants")


@dataclass(frozen=True)
class ReplaceReport:
    """What a replace kept (participants named in the file) and removed (the others)."""

    kept: ParticipantData
    removed: ParticipantData

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"kept": asdict(self.kept), "removed": asdict(self.removed)}


def registration_data(event: Event, keys: Collection[str] | None = None, *,
                      named: bool = True) -> ParticipantData:
    """Counts over the event's participants whose key is (``named``) or is not in ``keys``.

    ``keys`` None means every participant. Scans count live history: those of these people.
    """
    where: list[ColumnElement[bool]] = [Participant.event_id == event.id]
    if keys is not None:
        where.append(Participant.key.in_(keys) if named else Participant.key.not_in(keys))
    people = select(Participant.id).where(*where)

    def count(model: Any, *conditions: ColumnElement[bool]) -> int:
        return db.session.scalar(
            select(func.count()).select_from(model).where(*conditions)) or 0

    return ParticipantData(
        participants=count(Participant, *where),
        emails=count(Participant, *where, Participant.email.is_not(None)),
        consents=count(Participant, *where, Participant.consent_at.is_not(None)),
        personal_links=count(ParticipantToken, ParticipantToken.participant_id.in_(people),
                             ParticipantToken.revoked_at.is_(None)),
        badges=count(Badge, Badge.participant_id.in_(people), Badge.revoked_at.is_(None)),
        scans=count(Scan, Scan.participant_id.in_(people)),
    )


def replace_instance(event: Event, data: Any) -> ReplaceReport:
    """Replace ``event``'s programme and participants, keeping the people the file names.

    Participants are matched by their id in the file (their key): a match keeps its row
    and all that hangs on it; the file sets its name, category, accessibility and choices.
    Raises :class:`InstanceImportError` (and writes nothing) if the document is not valid.
    The caller commits.
    """
    doc = validate_instance(data)
    keys = {item["id"] for item in doc["participants"]}
    db.session.flush()
    report = ReplaceReport(kept=registration_data(event, keys, named=True),
                           removed=registration_data(event, keys, named=False))
    item_rooms = _clear_event(event, keys)
    _build(event, doc, item_rooms)
    return report


def _build(event: Event, doc: dict, item_rooms: dict[int, str]) -> None:
    # Stored as given: the contract's defaults are applied on export.
    event.scheduling_options = dict(doc["options"])
    _Builder(event, doc).build(item_rooms)
    db.session.flush()


def _create_event(fields: dict) -> Event:
    event = Event(
        slug=unique_slug(fields["name"], fields["date"]),
        name=fields["name"].strip(),
        date=fields["date"],
        timezone=fields["timezone"],
        venue=fields["venue"],
        address=fields["address"],
        description=fields["description"],
    )
    db.session.add(event)
    db.session.flush()
    return event


def _clear_event(event: Event, keep: Collection[str]) -> dict[int, str]:
    """Delete everything the exchange format describes, in foreign-key order, except the
    rows of the participants whose key is in ``keep`` (their choices go: the file has them).

    Plenary items are not in the format and stay: returns each one's room key, so that
    :meth:`_Builder.build` relinks it to the new room with the same id, if any.
    """
    db.session.flush()
    rounds = select(Round.id).where(Round.event_id == event.id)
    slots = select(WorkshopSlot.id).where(WorkshopSlot.event_id == event.id)
    people = select(Participant.id).where(Participant.event_id == event.id)
    sessions = select(Session.id).where(Session.event_id == event.id)
    projects = select(Project.id).where(Project.event_id == event.id)
    rooms = select(Room.id).where(Room.event_id == event.id)
    for statement in (
        delete(Assignment).where(Assignment.round_id.in_(rounds)),
        delete(WorkshopAssignment).where(WorkshopAssignment.slot_id.in_(slots)),
        delete(session_presenters).where(session_presenters.c.session_id.in_(sessions)),
        delete(project_presenters).where(project_presenters.c.project_id.in_(projects)),
        delete(room_themes).where(room_themes.c.room_id.in_(rooms)),
        delete(ProjectWish).where(ProjectWish.participant_id.in_(people)),
        delete(WorkshopWish).where(WorkshopWish.participant_id.in_(people)),
        delete(ParticipantTheme).where(ParticipantTheme.participant_id.in_(people)),
        delete(ParticipantUnavailableRound).where(
            ParticipantUnavailableRound.participant_id.in_(people)),
        delete(ParticipantUnavailableSlot).where(
            ParticipantUnavailableSlot.participant_id.in_(people)),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    item_rooms = _detach_item_rooms(event)
    db.session.execute(delete(Participant).where(Participant.event_id == event.id,
                                                 Participant.key.not_in(keep)),
                       execution_options={"synchronize_session": "fetch"})
    for model in (Session, Workshop, Project, Round, WorkshopSlot, Room, Theme):
        db.session.execute(delete(model).where(model.event_id == event.id),
                           execution_options={"synchronize_session": "fetch"})
    db.session.expire_all()
    return item_rooms


def _detach_item_rooms(event: Event) -> dict[int, str]:
    """Unlink plenary items from the rooms about to be deleted; return their room keys."""
    rows = db.session.execute(
        select(ProgrammeItem.id, Room.key)
        .join(Room, ProgrammeItem.room_id == Room.id)
        .where(ProgrammeItem.event_id == event.id)
    ).all()
    db.session.execute(
        update(ProgrammeItem).where(ProgrammeItem.event_id == event.id).values(room_id=None),
        execution_options={"synchronize_session": False},
    )
    return dict(rows)


class _Builder:
    """Creates the rows of a validated document for one event, in file order."""

    def __init__(self, event: Event, doc: dict):
        self.event = event
        self.doc = doc
        self.themes: dict[str, Theme] = {}
        self.rooms: dict[str, Room] = {}
        self.rounds: dict[str, Round] = {}
        self.slots: dict[str, WorkshopSlot] = {}
        self.people: dict[str, Participant] = {}
        self.projects: dict[str, Project] = {}
        self.sessions: dict[str, Session] = {}
        self.workshops: dict[str, Workshop] = {}

    def build(self, item_rooms: dict[int, str]) -> None:
        for step in (self._themes, self._rooms, self._times, self._participants,
                     self._projects, self._sessions, self._workshops, self._choices):
            step()
        self._relink_items(item_rooms)

    def _add(self, registry: dict, key: str, obj: Any) -> None:
        registry[key] = obj
        db.session.add(obj)

    def _themes(self) -> None:
        for position, item in enumerate(self.doc["themes"]):
            self._add(self.themes, item["id"], Theme(
                event=self.event, key=item["id"], name=item["name"], colour=item["colour"],
                colour_name=colour_name(item["colour"]), position=position))

    def _rooms(self) -> None:
        for position, item in enumerate(self.doc["rooms"]):
            room = Room(
                event=self.event, key=item["id"], name=item["name"],
                capacity=item["capacity"], tables=item["tables"],
                step_free=item["accessible"], directions=item["directions"],
                table_labels=item["table_labels"], position=position)
            room.themes = [self.themes[key] for key in item["themes"]]
            self._add(self.rooms, item["id"], room)

    def _times(self) -> None:
        for name, model, registry in (("rounds", Round, self.rounds),
                                      ("workshop_slots", WorkshopSlot, self.slots)):
            for item in self.doc[name]:
                self._add(registry, item["id"], model(
                    event=self.event, key=item["id"],
                    starts_at=self.event.local_to_utc(item["start"]),
                    ends_at=self.event.local_to_utc(item["end"])))

    def _participants(self) -> None:
        presenters = {key for item in self.doc["projects"] for key in item["presenters"]}
        kept = {person.key: person for person in db.session.scalars(
            select(Participant).where(Participant.event_id == self.event.id))}
        for item in self.doc["participants"]:
            person = kept.get(item["id"]) or Participant(
                event=self.event, key=item["id"], status=ParticipantStatus.REGISTERED)
            if person.full_name != item["name"]:  # the same name keeps its first/last split
                person.first_name, _, person.last_name = item["name"].partition(" ")
            person.category = item["category"]
            person.needs_step_free = item["needs_accessible"]
            person.role = "presenter" if item["id"] in presenters else "participant"
            self._add(self.people, item["id"], person)

    def _projects(self) -> None:
        for position, item in enumerate(self.doc["projects"]):
            project = Project(
                event=self.event, key=item["id"], name=item["name"],
                theme=self.themes[item["theme"]], organisation=item["organisation"],
                keywords=item["keywords"], description=item["description"], position=position)
            project.presenters = [self.people[key] for key in item["presenters"]]
            self._add(self.projects, item["id"], project)

    def _sessions(self) -> None:
        tables: dict[tuple[str, str], int] = {}
        for item in self.doc["sessions"]:
            table = None
            if item["round"] is not None and item["room"] is not None:
                table = tables[(item["round"], item["room"])] = tables.get(
                    (item["round"], item["room"]), 0) + 1
            self._add(self.sessions, item["id"], Session(
                event=self.event, key=item["id"], project=self.projects[item["project"]],
                round=self.rounds.get(item["round"]), room=self.rooms.get(item["room"]),
                table_number=table, capacity=item["capacity"],
                min_audience=item["min_audience"]))

    def _workshops(self) -> None:
        for position, item in enumerate(self.doc["workshops"]):
            self._add(self.workshops, item["id"], Workshop(
                event=self.event, key=item["id"], name=item["name"],
                slot=self.slots[item["slot"]], room=self.rooms[item["room"]],
                capacity=item["capacity"], host=item["host"], panel=item["panel"],
                description=item["description"], position=position))

    def _choices(self) -> None:
        for item in self.doc["participants"]:
            person = self.people[item["id"]]
            person.project_wishes = [ProjectWish(project=self.projects[key], rank=rank)
                                     for rank, key in enumerate(item["wishes"])]
            person.workshop_wishes = [WorkshopWish(workshop=self.workshops[key], rank=rank)
                                      for rank, key in enumerate(item["workshop_wishes"])]
            person.theme_interests = [self.themes[key] for key in item["themes"]]
            person.unavailable_rounds = [self.rounds[key] for key in item["unavailable"]
                                         if key in self.rounds]
            person.unavailable_slots = [self.slots[key] for key in item["unavailable"]
                                        if key in self.slots]
            for when, what in item["fixed"].items():
                if when in self.rounds:
                    db.session.add(Assignment(participant=person, round=self.rounds[when],
                                              session=self.sessions[what], pinned=True))
                else:
                    db.session.add(WorkshopAssignment(
                        participant=person, slot=self.slots[when],
                        workshop=self.workshops[what], pinned=True))

    def _relink_items(self, item_rooms: dict[int, str]) -> None:
        for item_id, room_key in item_rooms.items():
            room = self.rooms.get(room_key)
            item = db.session.get(ProgrammeItem, item_id)
            if room is not None and item is not None:
                item.room = room
