"""Checkpoints derived from the programme, kept in step with it.

Each checkpoint has a deterministic key computed from the programme (the exchange
format's keys): ``door``, ``session:<round>:<room>``, ``workshop:<workshop>`` and
``lunch:<programme item id>``. :func:`sync_checkpoints` computes the wanted set, and
only when it differs from the rows (a round moved, a room added...) takes the event's
lock and updates them: new rows are created, windows refreshed, and checkpoints the
programme no longer has are *deactivated*, never deleted, so their scans and admissions
stay. Rows rather than keys computed on the fly, because scans, admissions and the
offline devices need a stable id to point at. Every read path (the checkpoint list, the
scanners' bundle, the dashboard) syncs first, so a programme change shows at the next
read; a scan uses the row as synced last.

Windows (UTC, shown in the event's timezone) open a little before and close a little
after the programme's times, so staff can scan the queue at the door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..database import lock_row
from ..events.models import Event
from ..extensions import db
from ..programme.catalogue import Catalogue
from ..programme.models import ProgrammeItem, ProgrammeItemKind
from .models import Checkpoint

DOOR_BEFORE, DOOR_AFTER = timedelta(minutes=90), timedelta(minutes=60)
SESSION_BEFORE, SESSION_AFTER = timedelta(minutes=10), timedelta(minutes=5)
WORKSHOP_BEFORE, WORKSHOP_AFTER = timedelta(minutes=15), timedelta(minutes=10)
LUNCH_BEFORE, LUNCH_AFTER = timedelta(minutes=15), timedelta(minutes=15)
# An event without any timed item: the door is open during the local day.
DEFAULT_DOOR = (time(7, 0), time(21, 0))


@dataclass(frozen=True)
class Wanted:
    """One checkpoint as the programme defines it now."""

    key: str
    kind: str
    opens_at: datetime
    closes_at: datetime
    position: int
    room_id: int | None = None
    round_id: int | None = None
    workshop_id: int | None = None
    programme_item_id: int | None = None

    FIELDS = ("kind", "opens_at", "closes_at", "position", "room_id", "round_id",
              "workshop_id", "programme_item_id")

    def matches(self, row: Checkpoint) -> bool:
        return row.active and all(getattr(row, name) == getattr(self, name)
                                  for name in self.FIELDS)


def wanted_checkpoints(cat: Catalogue) -> list[Wanted]:
    """Door, then each (room, round), each workshop and each lunch, in time order."""
    lunches = db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.event_id == cat.event.id,
                                    ProgrammeItem.kind == ProgrammeItemKind.LUNCH)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)).all()
    timed: list[Wanted] = []
    for round_ in cat.rounds:
        room_ids = sorted({s.room_id for s in cat.sessions.values()
                           if s.round_id == round_.id and s.room_id in cat.rooms},
                          key=lambda rid: (cat.rooms[rid].position, rid))
        for room_id in room_ids:
            timed.append(Wanted(f"session:{round_.key}:{cat.rooms[room_id].key}", "session",
                                round_.starts_at - SESSION_BEFORE,
                                round_.ends_at + SESSION_AFTER, 0,
                                room_id=room_id, round_id=round_.id))
    slots = {slot.id: slot for slot in cat.slots}
    for workshop in cat.workshops.values():
        slot = slots.get(workshop.slot_id)
        if slot is None:
            continue
        timed.append(Wanted(f"workshop:{workshop.key}", "workshop",
                            slot.starts_at - WORKSHOP_BEFORE, slot.ends_at + WORKSHOP_AFTER,
                            0, room_id=workshop.room_id, workshop_id=workshop.id))
    for item in lunches:
        timed.append(Wanted(f"lunch:{item.id}", "lunch", item.starts_at - LUNCH_BEFORE,
                            item.ends_at + LUNCH_AFTER, 0, room_id=item.room_id,
                            programme_item_id=item.id))
    timed.sort(key=lambda w: (w.opens_at, w.kind, w.key))
    door = Wanted("door", "door", *_door_window(cat), 0)
    return [door] + [Wanted(**{**w.__dict__, "position": i})
                     for i, w in enumerate(timed, start=1)]


def _door_window(cat: Catalogue) -> tuple[datetime, datetime]:
    """From before the first item of the day to after the last one."""
    items = db.session.execute(
        select(ProgrammeItem.starts_at, ProgrammeItem.ends_at)
        .where(ProgrammeItem.event_id == cat.event.id)).all()
    spans = [(start, end) for start, end in items]
    spans += [(r.starts_at, r.ends_at) for r in cat.rounds]
    spans += [(s.starts_at, s.ends_at) for s in cat.slots]
    if not spans:
        opens, closes = DEFAULT_DOOR
        return cat.event.local_to_utc(opens), cat.event.local_to_utc(closes)
    return (min(start for start, _ in spans) - DOOR_BEFORE,
            max(end for _, end in spans) + DOOR_AFTER)


def sync_checkpoints(event: Event, cat: Catalogue | None = None) -> list[Checkpoint]:
    """The event's active checkpoints, brought in step with the programme first.

    Cheap when nothing changed (one read of the rows); otherwise the event row is
    locked while rows are created or updated, so two concurrent syncs do not both insert
    the same key.
    """
    wanted = wanted_checkpoints(cat or Catalogue.load(event))
    rows = _rows_by_key(event)
    if not _needs_update(wanted, rows):
        return _active_in_order(rows)
    lock_row(Event, event.id)
    rows = _rows_by_key(event)
    wanted_keys = {w.key for w in wanted}
    for item in wanted:
        row = rows.get(item.key)
        if row is None:
            row = Checkpoint(event_id=event.id, key=item.key)
            db.session.add(row)
            rows[item.key] = row
        if not item.matches(row):
            for name in Wanted.FIELDS:
                setattr(row, name, getattr(item, name))
            row.active = True
    for key, row in rows.items():
        if key not in wanted_keys and row.active:
            row.active = False
    db.session.flush()
    return _active_in_order(rows)


def _rows_by_key(event: Event) -> dict[str, Checkpoint]:
    return {row.key: row for row in db.session.scalars(
        select(Checkpoint).where(Checkpoint.event_id == event.id))}


def _needs_update(wanted: list[Wanted], rows: dict[str, Checkpoint]) -> bool:
    keys = {w.key for w in wanted}
    if any(row.active and key not in keys for key, row in rows.items()):
        return True
    return any(w.key not in rows or not w.matches(rows[w.key]) for w in wanted)


def _active_in_order(rows: dict[str, Checkpoint]) -> list[Checkpoint]:
    return sorted((row for row in rows.values() if row.active),
                  key=lambda row: (row.position, row.id or 0))
