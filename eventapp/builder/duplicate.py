"""Changes to a whole event: duplicating it for next year's day.

Next year's day starts from this year's programme (themes and colours, rooms, projects,
plenary items, rounds, workshop slots and workshops, sessions) moved to the new date at
the same wall-clock times; no people (participants, presenters, assignments, tokens,
badges, scans) and no publication come along. The copy is a draft.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..registration.models import RegistrationSettings
from . import operations as programme_ops

# The rows a duplicate copies, each of one event (``event_id``): the programme's, keyed by
# ``id``, and the registration settings (keyed by their event).
Row = TypeVar("Row", bound=Theme | Room | Project | ProgrammeItem | Round | WorkshopSlot
              | Workshop | Session)
Copied = TypeVar("Copied", bound=Theme | Room | Project | ProgrammeItem | Round
                 | WorkshopSlot | Workshop | Session | RegistrationSettings)
Timed = TypeVar("Timed", Round, WorkshopSlot)
_NOT_COPIED = {"id", "event_id", "created_at", "updated_at"}


def _rows(model: type[Row], event: Event) -> list[Row]:
    return list(db.session.scalars(select(model).where(model.event_id == event.id)
                                   .order_by(model.id)))


def _copy(row: Copied, event: Event, **changes: Any) -> Copied:
    """A new row of the same model with ``row``'s columns, in ``event``, plus ``changes``."""
    values = {column.key: getattr(row, column.key) for column in row.__table__.columns
              if column.key not in _NOT_COPIED}
    values.update(changes)
    copy = type(row)(event_id=event.id, **values)
    db.session.add(copy)
    return copy


def _shift(moment: datetime | None, source: Event, target: Event) -> datetime | None:
    """The same local time, ``target.date - source.date`` days later, in the target's zone."""
    if moment is None:
        return None
    local = moment.astimezone(source.tz)
    moved = datetime.combine(local.date() + (target.date - source.date), local.time())
    return moved.replace(tzinfo=target.tz).astimezone(UTC)


def duplicate_event(source: Event, name: str, slug: str | None, on: date) -> Event:
    """Create a draft copy of ``source``'s programme under a new name, address and date.

    Raises ``ProgrammeError`` (field ``name``, ``slug`` or ``date``) for a missing name or
    a taken address, before writing anything. The caller commits.
    """
    event = programme_ops.save_event(None, {
        "name": name, "slug": slug, "date": on, "timezone": source.timezone,
        "venue": source.venue, "address": source.address, "description": source.description})
    event.scheduling_options = dict(source.scheduling_options or {})
    db.session.flush()

    themes = {t.id: _copy(t, event) for t in _rows(Theme, source)}
    rooms = {}
    for room in _rows(Room, source):
        rooms[room.id] = _copy(room, event, table_labels=list(room.table_labels or []))
        rooms[room.id].themes = [themes[t.id] for t in room.themes]
    db.session.flush()
    projects = {p.id: _copy(p, event, theme_id=themes[p.theme_id].id,
                            keywords=list(p.keywords or [])) for p in _rows(Project, source)}

    def timed(model: type[Timed]) -> dict[int, Timed]:
        return {row.id: _copy(row, event, starts_at=_shift(row.starts_at, source, event),
                              ends_at=_shift(row.ends_at, source, event))
                for row in _rows(model, source)}

    rounds, slots = timed(Round), timed(WorkshopSlot)
    db.session.flush()
    for item in _rows(ProgrammeItem, source):
        _copy(item, event, starts_at=_shift(item.starts_at, source, event),
              ends_at=_shift(item.ends_at, source, event),
              room_id=rooms[item.room_id].id if item.room_id else None)
    for workshop in _rows(Workshop, source):
        _copy(workshop, event, slot_id=slots[workshop.slot_id].id,
              room_id=rooms[workshop.room_id].id)
    for session in _rows(Session, source):
        _copy(session, event, project_id=projects[session.project_id].id,
              round_id=rounds[session.round_id].id if session.round_id else None,
              room_id=rooms[session.room_id].id if session.room_id else None)
    settings = db.session.get(RegistrationSettings, source.id)
    if settings is not None:
        _copy(settings, event, **{name: _shift(getattr(settings, name), source, event)
                                  for name in ("opens_at", "closes_at", "wishes_deadline")})
    db.session.flush()
    return event


def default_copy(source: Event) -> tuple[str, date]:
    """What the duplicate form proposes: the same name and the same weekday a year later."""
    return source.name, source.date + timedelta(weeks=52)
