"""The SQL statements of one scan (issue 17: at most four per scan).

:func:`operations.record_scan` is the one audited operation; this module holds its
statements, written with SQLAlchemy Core (no ORM objects, no flush, no savepoint) and
built once per shape, so a scan costs:

1. **the lock**: the participant's row, found through the badge's serial or the manual
   entry's key, locked and its id returned in one statement (PostgreSQL ``SELECT ...
   FOR UPDATE``; SQLite a no-op ``UPDATE ... RETURNING``, which takes the database's
   single write lock before anything is read). A code that names no person takes no
   lock: nothing it records can conflict but its nonce, which statement 3 settles.
2. **the read**, under the lock: the checkpoint's window and place, the rehearsal flag,
   the badge, the person, their admission here, and, for a session or workshop
   checkpoint, where the latest publication (or their own presentation) puts them, with
   the names an answer "expected in Salle 2 — bleu" shows.
3. **the scan row**: ``INSERT ... ON CONFLICT (event_id, nonce) DO NOTHING RETURNING id``:
   no row back means the nonce was known, and the stored answer is replayed.
4. **the admission**, for an ``ok`` only.

Why the lock and the read are two statements and not one: in PostgreSQL's READ COMMITTED
a statement reads from the snapshot taken when it *started*; a ``SELECT ... FOR UPDATE``
that waits for another scan of the same person gets that person's latest row, but the
admission that scan has just committed (another table) stays invisible to it, and the
scan would answer ``ok`` twice. The read starts once the lock is held, so it sees every
admission, revocation and cancellation committed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
    project_presenters,
    session_presenters,
)
from ..registration.models import Participant
from ..scheduling.models import Publication, PublishedSchedule
from .models import Admission, Badge, Checkpoint, Scan

SCHEDULED_KINDS = ("session", "workshop")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- 1. the lock -----------------------------------------------------------------------

@lru_cache(maxsize=8)
def _lock_statement(dialect: str, manual: bool) -> Executable:
    participants = Participant.__table__
    badges = Badge.__table__
    if manual:
        where = and_(participants.c.event_id == bindparam("b_event_id"),
                     participants.c.key == bindparam("b_key"))
    else:
        owner = select(badges.c.participant_id).where(
            badges.c.event_id == bindparam("b_event_id"),
            badges.c.serial == bindparam("b_serial")).scalar_subquery()
        where = participants.c.id == owner
    if dialect == "postgresql":
        return select(participants.c.id).where(where).with_for_update(of=participants)
    return (participants.update().where(where).values(id=participants.c.id)
            .returning(participants.c.id))


def lock_subject(event_id: int, serial: int | None, key: str | None) -> int | None:
    """Lock the person a scan names (by badge serial, or by key for a manual entry) and
    return their id; None (no lock) when nobody is named."""
    manual = key is not None
    if not manual and serial is None:
        return None
    params: dict[str, Any] = {"b_event_id": event_id}
    params.update({"b_key": key} if manual else {"b_serial": serial})
    return db.session.execute(_lock_statement(_dialect(), manual), params).scalar()


# --- 2. the read -----------------------------------------------------------------------

@dataclass(frozen=True)
class ScanState:
    """What one scan's decision and answer need, read under the lock."""

    checkpoint_id: int
    event_id: int
    kind: str
    opens_at: datetime
    closes_at: datetime
    room_id: int | None
    round_id: int | None
    workshop_id: int | None
    rehearsal: bool
    badge_id: int | None
    serial: int | None
    revoked_at: datetime | None
    participant_id: int | None
    key: str | None
    status: str | None
    first_name: str | None
    last_name: str | None
    organisation: str | None
    category: str | None
    admission_id: int | None
    admitted_at: datetime | None
    admission_scan_id: int | None
    published: bool
    # Session and workshop checkpoints: the place the person is expected at this
    # checkpoint's time (None: nowhere) and whether it is this checkpoint's.
    place_id: int | None = None
    place_here: bool | None = None
    place_room: str | None = None
    place_colour: str | None = None
    place_colour_name: str | None = None
    place_title: str | None = None

    @property
    def id(self) -> int:  # a checkpoint's attributes, for labels and windows
        return self.checkpoint_id


def _json_text(column: Any, key: ColumnElement) -> ColumnElement:
    """``column[key]`` of a JSON object, as text, with ``key`` an SQL expression."""
    if _dialect() == "postgresql":
        return column.op("->>", return_type=String)(key)
    return func.json_extract(column, literal('$."') + key + literal('"'), type_=String)


@lru_cache(maxsize=16)
def _read_statement(dialect: str, kind: str, manual: bool) -> Select:
    del dialect  # part of the cache key: _json_text depends on it
    c, e = Checkpoint.__table__, Event.__table__
    b, p, a = Badge.__table__, Participant.__table__, Admission.__table__
    if manual:
        badge_on = and_(b.c.participant_id == bindparam("b_participant_id"),
                        b.c.revoked_at.is_(None))
        person_on = and_(p.c.id == bindparam("b_participant_id"), p.c.event_id == c.c.event_id)
    else:
        badge_on = and_(b.c.event_id == c.c.event_id, b.c.serial == bindparam("b_serial"))
        person_on = p.c.id == b.c.participant_id
    latest = (select(Publication.id).where(Publication.event_id == c.c.event_id)
              .order_by(Publication.version.desc()).limit(1).scalar_subquery())
    columns = [c.c.id, c.c.event_id, c.c.kind, c.c.opens_at, c.c.closes_at, c.c.room_id,
               c.c.round_id, c.c.workshop_id, e.c.checkin_rehearsal, b.c.id, b.c.serial,
               b.c.revoked_at, p.c.id, p.c.key, p.c.status, p.c.first_name, p.c.last_name,
               p.c.organisation, p.c.category, a.c.id, a.c.admitted_at, a.c.scan_id,
               latest.is_not(None)]
    joined = (c.join(e, e.c.id == c.c.event_id).outerjoin(b, badge_on)
              .outerjoin(p, person_on)
              .outerjoin(a, and_(a.c.checkpoint_id == c.c.id, a.c.participant_id == p.c.id)))
    if kind in SCHEDULED_KINDS:
        ps = PublishedSchedule.__table__
        joined = joined.outerjoin(ps, and_(ps.c.publication_id == latest,
                                           ps.c.participant_id == p.c.id))
    if kind == "session":
        r, s = Round.__table__, Session.__table__
        published = s.alias("published_session")
        place = s.alias("place")
        by_project = (select(s.c.id).join(project_presenters,
                                          project_presenters.c.project_id == s.c.project_id)
                      .where(project_presenters.c.participant_id == p.c.id,
                             s.c.round_id == c.c.round_id)
                      .order_by(s.c.id).limit(1).scalar_subquery())
        by_session = (select(s.c.id).join(session_presenters,
                                          session_presenters.c.session_id == s.c.id)
                      .where(session_presenters.c.participant_id == p.c.id,
                             s.c.round_id == c.c.round_id)
                      .order_by(s.c.id).limit(1).scalar_subquery())
        chosen = func.coalesce(by_project, by_session, published.c.id)
        joined = (joined.outerjoin(r, r.c.id == c.c.round_id)
                  .outerjoin(published, and_(
                      published.c.event_id == c.c.event_id,
                      published.c.key == _json_text(ps.c.sessions, r.c.key)))
                  .outerjoin(place, place.c.id == chosen)
                  .outerjoin(Project.__table__, Project.id == place.c.project_id)
                  .outerjoin(Theme.__table__, Theme.id == Project.theme_id)
                  .outerjoin(Room.__table__, Room.id == place.c.room_id))
        columns += [place.c.id, place.c.room_id.is_not_distinct_from(c.c.room_id),
                    Room.name, Theme.colour, Theme.colour_name, Project.name]
    elif kind == "workshop":
        w, ws = Workshop.__table__, WorkshopSlot.__table__
        mine = w.alias("checkpoint_workshop")
        place = w.alias("place")
        joined = (joined.outerjoin(mine, mine.c.id == c.c.workshop_id)
                  .outerjoin(ws, ws.c.id == mine.c.slot_id)
                  .outerjoin(place, and_(
                      place.c.event_id == c.c.event_id,
                      place.c.key == _json_text(ps.c.workshops, ws.c.key)))
                  .outerjoin(Room.__table__, Room.id == place.c.room_id))
        columns += [place.c.id, place.c.id == c.c.workshop_id, Room.name, literal(None),
                    literal(None), place.c.name]
    return (select(*columns).select_from(joined)
            .where(c.c.id == bindparam("b_checkpoint_id"), c.c.event_id == bindparam("b_event_id")))


def read_state(event_id: int, checkpoint_id: int, kind: str, *, serial: int | None = None,
               participant_id: int | None = None, manual: bool = False) -> ScanState | None:
    """The scan's state (statement 2); None when the checkpoint is not the event's."""
    shape = kind if kind in SCHEDULED_KINDS else "plain"
    params = {"b_event_id": event_id, "b_checkpoint_id": checkpoint_id}
    params.update({"b_participant_id": participant_id} if manual else {"b_serial": serial})
    row = db.session.execute(_read_statement(_dialect(), shape, manual), params).first()
    if row is None:
        return None
    return ScanState(*row[:23], *(row[23:] if shape != "plain" else ()))


# --- 3. and 4. the rows --------------------------------------------------------------

@lru_cache(maxsize=4)
def _insert_scan_statement(dialect: str) -> Executable:
    """Built once: the values come as parameters (``.values(**row)`` would make
    SQLAlchemy derive a cache key from every value of every scan, a third of its CPU)."""
    table = Scan.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(table)
            .on_conflict_do_nothing(index_elements=[table.c.event_id, table.c.nonce])
            .returning(table.c.id))


def insert_scan(values: dict) -> int | None:
    """The scan row, unless its nonce is known (then None: nothing written)."""
    return db.session.execute(_insert_scan_statement(_dialect()), values).scalar()


def insert_admission(values: dict) -> None:
    """The admission of an ``ok`` (taken under the person's lock: the unique constraint
    on (checkpoint, participant) is the guard if a writer ever forgot the lock)."""
    db.session.execute(Admission.__table__.insert(), values)
