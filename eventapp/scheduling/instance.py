"""Export of an event as a ``speed-dating-instance/1`` document.

This is also what the solve job feeds the solver, so it runs a fixed number of queries
whatever the event's size (ids are mapped to keys in Python, no lazy loading) and its
output is deterministic: the same database gives byte-identical JSON.

Personal data stays out: participants appear with their key, name and choices only
(no email, organisation or notes), since the file goes to the solver and is shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from scheduler import DEFAULT_OPTIONS, INSTANCE_FORMAT

from ..events.models import Event
from ..extensions import Model, db
from ..programme.models import (
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
from ..registration.models import (
    Participant,
    ParticipantStatus,
    ParticipantTheme,
    ParticipantUnavailableRound,
    ParticipantUnavailableSlot,
    ProjectWish,
    WorkshopWish,
)
from .models import Assignment, WorkshopAssignment


def export_instance(event: Event) -> dict[str, Any]:
    """The event's programme, participants and options as an instance document."""
    return _Exporter(event).document()


def _options(stored: dict) -> dict[str, Any]:
    """Stored options over the contract's defaults; ``previous`` only when it was given.

    Keys that are not options of the format (another area's settings) stay out, so the
    document remains importable.
    """
    options = {name: stored.get(name, default) for name, default in DEFAULT_OPTIONS.items()
               if name != "previous"}
    if "previous" in stored:
        options["previous"] = stored["previous"]
    return options


def _pairs(statement) -> dict[int, list[int]]:
    """Group (owner id, other id) rows into owner -> [other ids], in row order."""
    grouped: dict[int, list[int]] = {}
    for owner, other in db.session.execute(statement):
        grouped.setdefault(owner, []).append(other)
    return grouped


class _Exporter:
    def __init__(self, event: Event):
        self.event = event
        self.keys: dict[type, dict[int, str]] = {}

    def _load(self, model: type[Model], *order, options=()) -> list[Any]:
        columns = model.__table__.c  # any table of an event's rows: id, event_id, key
        rows: list[Any] = list(db.session.scalars(
            select(model).where(columns.event_id == self.event.id).options(*options)
            .order_by(*order, columns.id)
        ))
        self.keys[model] = {row.id: row.key for row in rows}
        return rows

    def _hhmm(self, moment) -> str:
        return self.event.to_local(moment).strftime("%H:%M")

    def document(self) -> dict[str, Any]:
        event = self.event
        themes = self._load(Theme, Theme.position)
        rooms = self._load(Room, Room.position)
        rounds = self._load(Round, Round.starts_at)
        slots = self._load(WorkshopSlot, WorkshopSlot.starts_at)
        projects = self._load(Project, Project.position)
        sessions = self._load(Session)
        workshops = self._load(Workshop, Workshop.position)
        # Columns, not ORM rows with their wishes: ten thousand people and their fifty
        # thousand wishes are read several times faster as tuples.
        people = db.session.execute(
            select(Participant.id, Participant.key, Participant.first_name,
                   Participant.last_name, Participant.category, Participant.needs_step_free)
            .where(Participant.event_id == event.id,
                   Participant.status == ParticipantStatus.REGISTERED)
            .order_by(Participant.id)
        ).all()
        self.keys[Participant] = {person.id: person.key for person in people}
        header: dict[str, Any] = {"name": event.name, "date": event.date.isoformat(),
                                  "timezone": event.timezone}
        for extra in ("venue", "address", "description"):
            if getattr(event, extra):
                header[extra] = getattr(event, extra)
        return {
            "format": INSTANCE_FORMAT,
            "event": header,
            "themes": [{"id": t.key, "name": t.name, "colour": t.colour} for t in themes],
            "rooms": self._rooms(rooms),
            "rounds": [{"id": r.key, "start": self._hhmm(r.starts_at),
                        "end": self._hhmm(r.ends_at)} for r in rounds],
            "projects": self._projects(projects),
            "sessions": self._sessions(sessions, rooms),
            "workshop_slots": [{"id": s.key, "start": self._hhmm(s.starts_at),
                                "end": self._hhmm(s.ends_at)} for s in slots],
            "workshops": self._workshops(workshops),
            "participants": self._participants(people, sessions),
            "options": _options(event.scheduling_options or {}),
        }

    def _rooms(self, rooms: list[Room]) -> list[dict]:
        theme_keys = self.keys[Theme]
        room_theme_ids = _pairs(
            select(room_themes.c.room_id, room_themes.c.theme_id)
            .join(Theme, Theme.id == room_themes.c.theme_id)
            .where(Theme.event_id == self.event.id).order_by(Theme.position, Theme.id))
        result = []
        for room in rooms:
            item = {"id": room.key, "name": room.name, "capacity": room.capacity,
                    "tables": room.tables, "accessible": room.step_free,
                    "themes": [theme_keys[i] for i in room_theme_ids.get(room.id, [])]}
            if room.directions:
                item["directions"] = room.directions
            if room.table_labels:
                item["table_labels"] = list(room.table_labels)
            result.append(item)
        return result

    def _projects(self, projects: list[Project]) -> list[dict]:
        people = self.keys[Participant]
        presenter_ids = _pairs(
            select(project_presenters.c.project_id, project_presenters.c.participant_id)
            .join(Project, Project.id == project_presenters.c.project_id)
            .where(Project.event_id == self.event.id)
            .order_by(project_presenters.c.participant_id))
        result = []
        for project in projects:
            item = {"id": project.key, "name": project.name,
                    "theme": self.keys[Theme][project.theme_id],
                    # Only seated people: a cancelled presenter is not in the file.
                    "presenters": [people[i] for i in presenter_ids.get(project.id, [])
                                   if i in people]}
            for extra in ("organisation", "keywords", "description"):
                if getattr(project, extra):
                    item[extra] = getattr(project, extra)
            result.append(item)
        return result

    def _sessions(self, sessions: list[Session], rooms: list[Room]) -> list[dict]:
        # The contract's default capacity, written out so that readers need not know it.
        room_shares = {room.id: room.capacity // max(room.tables, 1) for room in rooms}
        result = []
        for session in sessions:
            item: dict[str, Any] = {"id": session.key,
                                    "project": self.keys[Project][session.project_id]}
            if session.round_id is not None:
                item["round"] = self.keys[Round][session.round_id]
            if session.room_id is not None:
                item["room"] = self.keys[Room][session.room_id]
            capacity = session.capacity
            if capacity is None and session.room_id is not None:
                capacity = room_shares[session.room_id]
            if capacity is not None:
                item["capacity"] = capacity
            item["min_audience"] = session.min_audience
            result.append(item)
        return result

    def _workshops(self, workshops: list[Workshop]) -> list[dict]:
        result = []
        for workshop in workshops:
            item = {"id": workshop.key, "name": workshop.name,
                    "slot": self.keys[WorkshopSlot][workshop.slot_id],
                    "room": self.keys[Room][workshop.room_id], "capacity": workshop.capacity}
            for extra in ("host", "panel", "description"):
                if getattr(workshop, extra):
                    item[extra] = getattr(workshop, extra)
            result.append(item)
        return result

    def _wishes(self, wish: type[ProjectWish] | type[WorkshopWish]) -> dict[int, list[int]]:
        """Seated person id -> wished ids (projects or workshops), in rank order."""
        column = getattr(wish, f"{wish.target}_id")
        return _pairs(select(wish.participant_id, column)
                      .join(Participant, Participant.id == wish.participant_id)
                      .where(Participant.event_id == self.event.id,
                             Participant.status == ParticipantStatus.REGISTERED)
                      .order_by(wish.participant_id, wish.rank))

    def _participants(self, people: Sequence[Any], sessions: list[Session]) -> list[dict]:
        themes, rounds, slots = self.keys[Theme], self.keys[Round], self.keys[WorkshopSlot]
        event_id = self.event.id
        project_wishes, workshop_wishes = self._wishes(ProjectWish), self._wishes(WorkshopWish)
        theme_ids = _pairs(
            select(ParticipantTheme.participant_id, ParticipantTheme.theme_id)
            .join(Theme, Theme.id == ParticipantTheme.theme_id)
            .where(Theme.event_id == event_id).order_by(Theme.position, Theme.id))
        away_rounds = _pairs(
            select(ParticipantUnavailableRound.participant_id, Round.id)
            .join(Round, Round.id == ParticipantUnavailableRound.round_id)
            .where(Round.event_id == event_id).order_by(Round.starts_at, Round.id))
        away_slots = _pairs(
            select(ParticipantUnavailableSlot.participant_id, WorkshopSlot.id)
            .join(WorkshopSlot, WorkshopSlot.id == ParticipantUnavailableSlot.slot_id)
            .where(WorkshopSlot.event_id == event_id)
            .order_by(WorkshopSlot.starts_at, WorkshopSlot.id))
        presenting = self._extra_presenter_rounds(sessions)
        fixed = self._pinned()
        round_order = list(rounds)  # ids in chronological order
        result = []
        for person in people:
            item: dict[str, Any] = {"id": person.key}
            full_name = " ".join(part for part in (person.first_name, person.last_name) if part)
            if full_name:
                item["name"] = full_name
            away = set(away_rounds.get(person.id, [])) | presenting.get(person.id, set())
            item.update({
                "category": person.category,
                "wishes": [self.keys[Project][i] for i in project_wishes.get(person.id, [])],
                "themes": [themes[i] for i in theme_ids.get(person.id, [])],
                "workshop_wishes": [self.keys[Workshop][i]
                                    for i in workshop_wishes.get(person.id, [])],
                "unavailable": [rounds[i] for i in round_order if i in away]
                + [slots[i] for i in away_slots.get(person.id, [])],
                "needs_accessible": person.needs_step_free,
                "fixed": fixed.get(person.id, {}),
            })
            result.append(item)
        return result

    def _extra_presenter_rounds(self, sessions: list[Session]) -> dict[int, set[int]]:
        """Rounds where a person presents as a per-session presenter.

        Rule 3 of the contract only knows a project's presenters, so someone added to
        one session only must be declared unavailable in that session's round.
        """
        round_of = {session.id: session.round_id for session in sessions
                    if session.round_id is not None}
        busy: dict[int, set[int]] = {}
        rows = db.session.execute(
            select(session_presenters.c.participant_id, session_presenters.c.session_id)
            .join(Session, Session.id == session_presenters.c.session_id)
            .where(Session.event_id == self.event.id, Session.round_id.is_not(None)))
        for person_id, session_id in rows:
            busy.setdefault(person_id, set()).add(round_of[session_id])
        return busy

    def _pinned(self) -> dict[int, dict[str, str]]:
        """Pinned assignments as each person's ``fixed`` map, rounds before slots."""
        fixed: dict[int, dict[str, str]] = {}
        rows = db.session.execute(
            select(Assignment.participant_id, Assignment.round_id, Assignment.session_id)
            .join(Round, Round.id == Assignment.round_id)
            .where(Round.event_id == self.event.id, Assignment.pinned.is_(True))
            .order_by(Round.starts_at, Round.id))
        for person_id, round_id, session_id in rows:
            fixed.setdefault(person_id, {})[self.keys[Round][round_id]] = \
                self.keys[Session][session_id]
        rows = db.session.execute(
            select(WorkshopAssignment.participant_id, WorkshopAssignment.slot_id,
                   WorkshopAssignment.workshop_id)
            .join(WorkshopSlot, WorkshopSlot.id == WorkshopAssignment.slot_id)
            .where(WorkshopSlot.event_id == self.event.id, WorkshopAssignment.pinned.is_(True))
            .order_by(WorkshopSlot.starts_at, WorkshopSlot.id))
        for person_id, slot_id, workshop_id in rows:
            fixed.setdefault(person_id, {})[self.keys[WorkshopSlot][slot_id]] = \
                self.keys[Workshop][workshop_id]
        return fixed


COUNTED = ("themes", "rooms", "rounds", "projects", "sessions", "workshop_slots", "workshops",
           "participants")
