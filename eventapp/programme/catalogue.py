"""Every programme row of one event, indexed by id and by exchange-format key.

The participants are not part of it: :class:`eventapp.scheduling.catalogue.ScheduleCatalogue`
adds them where schedules are read (the programme comes before the people).

Solver results, published snapshots and the solver's diagnosis speak in keys; pages need
names, rooms and colours. One catalogue loads an event's rows in a fixed number of
queries, so a 300-participant review page does not lazy-load row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event
from ..extensions import db
from .models import (
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)


def event_rows(event: Event, model: Any, *order: Any, options: tuple = ()) -> list:
    """Every row of ``model`` in ``event``, in ``order`` then by id."""
    return list(db.session.scalars(
        select(model).where(model.event_id == event.id).options(*options)
        .order_by(*order, model.id)).all())


@dataclass
class Catalogue:
    event: Event
    themes: dict[int, Theme] = field(default_factory=dict)
    rooms: dict[int, Room] = field(default_factory=dict)
    rounds: list[Round] = field(default_factory=list)
    slots: list[WorkshopSlot] = field(default_factory=list)
    projects: dict[int, Project] = field(default_factory=dict)
    sessions: dict[int, Session] = field(default_factory=dict)
    workshops: dict[int, Workshop] = field(default_factory=dict)

    @classmethod
    def load(cls, event: Event) -> Self:
        """Load the event's programme rows."""
        def rows(model, *order, options=()):
            return event_rows(event, model, *order, options=options)

        cat = cls(event)
        cat.themes = {t.id: t for t in rows(Theme, Theme.position)}
        # each room's themes with it: pages that check who a room admits read them all
        cat.rooms = {r.id: r for r in rows(Room, Room.position,
                                           options=(selectinload(Room.themes),))}
        cat.rounds = list(rows(Round, Round.starts_at))
        cat.slots = list(rows(WorkshopSlot, WorkshopSlot.starts_at))
        cat.projects = {p.id: p for p in rows(Project, Project.position)}
        cat.sessions = {s.id: s for s in rows(Session)}
        cat.workshops = {w.id: w for w in rows(Workshop, Workshop.position)}
        return cat

    # --- key lookups (keys are unique per event and kind), built once per catalogue: a
    # catalogue is a snapshot that nobody adds rows to, and per-participant loops (the
    # publication emails, calendars) look keys up thousands of times.
    def _by_key(self, rows) -> dict:
        return {row.key: row for row in rows}

    @cached_property
    def round_by_key(self) -> dict[str, Round]:
        return self._by_key(self.rounds)

    @cached_property
    def slot_by_key(self) -> dict[str, WorkshopSlot]:
        return self._by_key(self.slots)

    @cached_property
    def room_by_key(self) -> dict[str, Room]:
        return self._by_key(self.rooms.values())

    @cached_property
    def project_by_key(self) -> dict[str, Project]:
        return self._by_key(self.projects.values())

    @cached_property
    def session_by_key(self) -> dict[str, Session]:
        return self._by_key(self.sessions.values())

    @cached_property
    def workshop_by_key(self) -> dict[str, Workshop]:
        return self._by_key(self.workshops.values())

    @cached_property
    def theme_by_key(self) -> dict[str, Theme]:
        return self._by_key(self.themes.values())

    def round_number(self, round_: Round) -> int:
        """1-based position of a round in the day (what organisers call "round 2")."""
        return next(i for i, r in enumerate(self.rounds, start=1) if r.id == round_.id)

    def session_project(self, session: Session) -> Project:
        return self.projects[session.project_id]

    def session_theme(self, session: Session) -> Theme:
        return self.themes[self.session_project(session).theme_id]
