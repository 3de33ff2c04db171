"""Read side of scheduling: current and published assignments, who moved, a person's day.

Schedules are compared as *maps* in the exchange format's terms: participant key ->
{"sessions": {round key: session key}, "workshops": {slot key: workshop key}}. The draft
(the Assignment rows), a solver result and a publication snapshot all turn into that map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, defer, selectinload

from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..programme.catalogue import Catalogue
from ..programme.models import Project, Room, Round, Session, Theme, Workshop, WorkshopSlot
from ..registration.models import Participant, ParticipantStatus
from .catalogue import ScheduleCatalogue
from .models import (
    Assignment,
    JobStatus,
    MoveOverride,
    Publication,
    PublishedSchedule,
    ScheduleSwitch,
    SolveJob,
    WorkshopAssignment,
)

ScheduleMap = dict[str, dict[str, dict[str, str]]]


def get_job_or_404(event: Event, job_id: int, *, light: bool = False) -> SolveJob:
    """The event's job; ``light``: without its instance and solution documents (the
    progress poll reads neither, and at 10,000 people they are megabytes of JSON to
    decode at every poll; read anyway, each loads on access)."""
    options = (defer(SolveJob.instance), defer(SolveJob.solution)) if light else ()
    job = db.session.get(SolveJob, job_id, options=options)
    if job is None or job.event_id != event.id:
        abort(404)
    return job


def get_participant_or_404(event: Event, participant_id: int) -> Participant:
    person = db.session.get(Participant, participant_id)
    if person is None or person.event_id != event.id:
        abort(404)
    return person


# A job's instance and solution documents are megabytes of JSON at 10,000 people: lists
# and panels that show jobs' statuses and scores read them only if touched.
_WITHOUT_DOCUMENTS = (defer(SolveJob.instance), defer(SolveJob.solution))


def recent_jobs(event: Event, limit: int = 10) -> list[SolveJob]:
    return list(db.session.scalars(
        select(SolveJob).where(SolveJob.event_id == event.id)
        .order_by(SolveJob.created_at.desc(), SolveJob.id.desc()).limit(limit)
        .options(*_WITHOUT_DOCUMENTS)))


def active_job(event: Event) -> SolveJob | None:
    return db.session.scalar(select(SolveJob).where(
        SolveJob.event_id == event.id, SolveJob.status.in_(JobStatus.ACTIVE))
        .options(*_WITHOUT_DOCUMENTS))


OUTCOME_LABELS = {
    "queued": _l("Queued"), "running": _l("Running"), "optimal": _l("Optimal"),
    "feasible": _l("Feasible (not proven optimal)"), "infeasible": _l("Infeasible"),
    "no_solution": _l("No solution found"), "cancelled": _l("Cancelled"), "failed": _l("Failed"),
}


def outcome_label(job: SolveJob) -> str:
    """The job's outcome in the interface language (shown with its word, not colour alone)."""
    return str(OUTCOME_LABELS[job.outcome])


def job_progress_dict(job: SolveJob) -> dict:
    """The JSON the progress poller reads (also the no-JS page's data)."""
    elapsed = job.elapsed_s
    if job.status == JobStatus.RUNNING and job.started_at is not None:
        elapsed = max(elapsed or 0.0, (utcnow() - job.started_at).total_seconds())
    return {
        "id": job.id,
        "status": job.status,
        "status_label": outcome_label(job),
        "active": job.is_active,
        "solver_status": job.solver_status,
        "best": job.best,
        "bound": job.bound,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "time_limit_s": job.time_limit_s,
        "cancel_requested": job.cancel_requested,
        "error": job.error or None,
    }


def search_participants(cat: ScheduleCatalogue, query: str = "",
                        people: list[Participant] | None = None) -> list[Participant]:
    """Registered participants whose name, organisation or key contains ``query``
    (case- and accent-insensitive), in name order; among ``people`` when given (a page
    that does not load the catalogue's people and their wishes)."""
    if people is None:
        people = [p for p in cat.participants.values() if p.status == ParticipantStatus.REGISTERED]
    needle = _fold(query)
    if not needle:
        return people
    return [p for p in people
            if needle in _fold(f"{p.first_name} {p.last_name} {p.organisation} {p.key}")]


def registered_in_order(event: Event) -> list[Participant]:
    """The registered participants in name order (the catalogue's), without wishes."""
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.status == ParticipantStatus.REGISTERED)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)))


@dataclass
class ListPage:
    """One page of a list already in memory (the shape of Flask-SQLAlchemy's pages)."""

    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, rows: list, page: int, per_page: int) -> ListPage:
        pages = max(1, math.ceil(len(rows) / per_page))
        page = min(max(1, page), pages)
        return cls(rows[(page - 1) * per_page:page * per_page], page, per_page, len(rows))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _fold(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


# --- schedule maps ---------------------------------------------------------------------

def _empty_entry() -> dict[str, dict[str, str]]:
    return {"sessions": {}, "workshops": {}}


def draft_map(event: Event, participant_ids: list[int] | None = None) -> ScheduleMap:
    """The event's current (draft) assignments of registered participants, in keys
    (of ``participant_ids`` only when given: one page of a list).

    Rows left by someone who cancelled or went back to the waiting list are not part of
    the schedule (they are not seated, and a re-solve drops them).
    """
    result: ScheduleMap = {}
    seated = (Participant.event_id == event.id) & (
        Participant.status == ParticipantStatus.REGISTERED)
    if participant_ids is not None:
        seated = seated & Participant.id.in_(participant_ids)
    for field, row, when, when_id, place, place_id in (
            ("sessions", Assignment, Round, Assignment.round_id,
             Session, Assignment.session_id),
            ("workshops", WorkshopAssignment, WorkshopSlot, WorkshopAssignment.slot_id,
             Workshop, WorkshopAssignment.workshop_id)):
        rows = db.session.execute(
            select(Participant.key, when.key, place.key)
            .join(row, row.participant_id == Participant.id)
            .join(when, when.id == when_id)
            .join(place, place.id == place_id)
            .where(seated))
        for person, when_key, place_key in rows:
            result.setdefault(person, _empty_entry())[field][when_key] = place_key
    return result


def solution_map(solution: dict) -> ScheduleMap:
    return {a["participant"]: {"sessions": dict(a.get("sessions") or {}),
                               "workshops": dict(a.get("workshops") or {})}
            for a in solution.get("assignments") or []}


def map_to_assignments(schedule: ScheduleMap) -> list[dict]:
    """A schedule map as the contract's ``assignments`` list."""
    return [{"participant": key, "sessions": dict(entry["sessions"]),
             "workshops": dict(entry["workshops"])} for key, entry in sorted(schedule.items())]


def latest_publication(event: Event) -> Publication | None:
    return db.session.scalar(
        select(Publication).where(Publication.event_id == event.id)
        .order_by(Publication.version.desc()).limit(1))


def get_publication(event: Event, version: int) -> Publication | None:
    return db.session.scalar(select(Publication).where(
        Publication.event_id == event.id, Publication.version == version))


def published_map(publication: Publication | None) -> ScheduleMap:
    if publication is None:
        return {}
    rows = db.session.execute(
        select(Participant.key, PublishedSchedule.sessions, PublishedSchedule.workshops)
        .join(Participant, Participant.id == PublishedSchedule.participant_id)
        .where(PublishedSchedule.publication_id == publication.id))
    return {key: {"sessions": dict(s or {}), "workshops": dict(w or {})}
            for key, s, w in rows}


def published_maps(publication: Publication | None) -> tuple[ScheduleMap, RoomMap]:
    """:func:`published_map` and :func:`published_rooms` in one read of the snapshots
    (a comparison needs both; ten thousand JSON rows are read once, not twice)."""
    if publication is None:
        return {}, {}
    places: ScheduleMap = {}
    rooms: RoomMap = {}
    for key, sessions, workshops, where in db.session.execute(
            select(Participant.key, PublishedSchedule.sessions, PublishedSchedule.workshops,
                   PublishedSchedule.rooms)
            .join(Participant, Participant.id == PublishedSchedule.participant_id)
            .where(PublishedSchedule.publication_id == publication.id)):
        places[key] = {"sessions": dict(sessions or {}), "workshops": dict(workshops or {})}
        rooms[key] = dict(where or {})
    return places, rooms


def published_rooms(publication: Publication | None) -> RoomMap:
    if publication is None:
        return {}
    rows = db.session.execute(
        select(Participant.key, PublishedSchedule.rooms)
        .join(Participant, Participant.id == PublishedSchedule.participant_id)
        .where(PublishedSchedule.publication_id == publication.id))
    return {key: dict(rooms or {}) for key, rooms in rows}


def previous_option(event: Event, instance: dict) -> dict[str, dict[str, str]]:
    """The latest publication as the solver's ``previous`` option.

    Only entries the instance can still name are kept: a participant who cancelled, a
    session deleted or moved to another round since publication cannot be "kept".
    """
    published = published_map(latest_publication(event))
    if not published:
        return {}
    people = {p["id"] for p in instance["participants"]}
    session_round = {s["id"]: s.get("round") for s in instance["sessions"]}
    workshop_slot = {w["id"]: w["slot"] for w in instance["workshops"]}
    previous: dict[str, dict[str, str]] = {}
    for person, entry in published.items():
        if person not in people:
            continue
        kept = {r: s for r, s in entry["sessions"].items()
                if s in session_round and session_round[s] in (r, None)}
        kept.update({sl: w for sl, w in entry["workshops"].items()
                     if workshop_slot.get(w) == sl})
        if kept:
            previous[person] = kept
    return previous


# --- who moved -------------------------------------------------------------------------

@dataclass
class Move:
    """One round or slot where a participant's session or workshop changed."""

    when: Round | WorkshopSlot | None
    when_key: str
    before: Session | Workshop | None
    before_key: str | None
    after: Session | Workshop | None
    after_key: str | None
    kind: str = "session"    # "session" (a round) or "workshop" (a workshop slot)
    number: int = 0          # 1-based round or slot number in the day
    before_room: Room | None = None  # where it was (when known)
    after_room: Room | None = None   # where it is now

    @property
    def room_only(self) -> bool:
        """Same session or workshop, another room."""
        return self.before_key == self.after_key


@dataclass
class ParticipantChange:
    """Everything that changed for one participant between two schedules."""

    participant: Participant
    moves: list[Move]
    is_new: bool = False       # not in the earlier schedule (late registration)
    is_removed: bool = False   # not in the later one (cancelled)


RoomMap = dict[str, dict[str, str]]  # participant key -> {round/slot key: room key}


def current_rooms(cat: Catalogue, schedule: ScheduleMap) -> RoomMap:
    """Where each entry of ``schedule`` takes place with today's programme."""
    sessions, workshops, rooms = cat.session_by_key, cat.workshop_by_key, cat.rooms
    result: RoomMap = {}
    for person, entry in schedule.items():
        where: dict[str, str] = {}
        for when, key in entry["sessions"].items():
            session = sessions.get(key)
            if session is not None and session.room_id in rooms:
                where[when] = rooms[session.room_id].key
        for when, key in entry["workshops"].items():
            workshop = workshops.get(key)
            if workshop is not None and workshop.room_id in rooms:
                where[when] = rooms[workshop.room_id].key
        result[person] = where
    return result


def compare_maps(cat: ScheduleCatalogue, before: ScheduleMap, after: ScheduleMap,
                 before_rooms: RoomMap | None = None, after_rooms: RoomMap | None = None
                 ) -> list[ParticipantChange]:
    """Per-participant differences from ``before`` to ``after``, ordered by name.

    A change of session or workshop is a move; so is the same session held in another
    room (a room change), when the rooms of ``before`` are known (publication snapshots
    record them). ``after_rooms`` defaults to where things are held today.
    """
    by_key = cat.participant_by_key
    rounds, slots = cat.round_by_key, cat.slot_by_key
    sessions, workshops, room_by_key = cat.session_by_key, cat.workshop_by_key, cat.room_by_key
    if after_rooms is None:
        after_rooms = current_rooms(cat, after)
    order = [r.key for r in cat.rounds] + [s.key for s in cat.slots]
    numbers = {r.key: i for i, r in enumerate(cat.rounds, start=1)}
    numbers.update({s.key: i for i, s in enumerate(cat.slots, start=1)})
    changes = []
    for person in sorted(set(before) | set(after)):
        if person not in by_key:
            continue
        old, new = before.get(person, _empty_entry()), after.get(person, _empty_entry())
        was = (before_rooms or {}).get(person, {})
        now = after_rooms.get(person, {})
        moves = []
        for when in order:
            kind = "sessions" if when in rounds else "workshops"
            lookup = sessions if kind == "sessions" else workshops
            a, b = old[kind].get(when), new[kind].get(when)
            room_moved = (a is not None and a == b and before_rooms is not None
                          and was.get(when) and now.get(when) and was[when] != now[when])
            if a != b or room_moved:
                moves.append(Move(rounds.get(when) or slots.get(when), when,
                                  lookup.get(a) if a else None, a,
                                  lookup.get(b) if b else None, b,
                                  "session" if kind == "sessions" else "workshop",
                                  numbers.get(when, 0),
                                  room_by_key.get(was.get(when, "")),
                                  room_by_key.get(now.get(when, ""))))
        if moves:
            changes.append(ParticipantChange(by_key[person], moves,
                                             is_new=person not in before,
                                             is_removed=person not in after))
    changes.sort(key=lambda c: (c.participant.last_name.lower(),
                                c.participant.first_name.lower(), c.participant.id))
    return changes


def changes_data(changes: list[ParticipantChange]) -> list[list[Any]]:
    """``changes`` as JSON, by keys (``review_store`` keeps them while the draft and the
    publications do not change: comparing them costs reading every snapshot)."""
    return [[c.participant.key, c.is_new, c.is_removed,
             [[m.when_key, m.before_key, m.after_key, m.kind, m.number,
               m.before_room.key if m.before_room else None,
               m.after_room.key if m.after_room else None] for m in c.moves]]
            for c in changes]


def changes_from_data(cat: ScheduleCatalogue, data: list[list[Any]]) -> list[ParticipantChange]:
    """:func:`changes_data`'s list named again with ``cat``'s rows (people no longer in
    the event left out)."""
    by_key, rounds, slots = cat.participant_by_key, cat.round_by_key, cat.slot_by_key
    sessions, workshops, room_by_key = cat.session_by_key, cat.workshop_by_key, cat.room_by_key
    changes = []
    for key, is_new, is_removed, moves in data:
        if key not in by_key:
            continue
        rebuilt = []
        for when, before, after, kind, number, before_room, after_room in moves:
            lookup: dict[str, Any] = sessions if kind == "session" else workshops
            rebuilt.append(Move(rounds.get(when) or slots.get(when), when,
                                lookup.get(before) if before else None, before,
                                lookup.get(after) if after else None, after, kind, number,
                                room_by_key.get(before_room or ""),
                                room_by_key.get(after_room or "")))
        changes.append(ParticipantChange(by_key[key], rebuilt, is_new=is_new,
                                         is_removed=is_removed))
    return changes


def publication_changes(event: Event, version: int | None = None, *,
                        cat: ScheduleCatalogue | None = None, draft: ScheduleMap | None = None
                        ) -> list[ParticipantChange]:
    """Who moved, for the organiser's review and for the participants' emails.

    ``version=None``: what publishing now would change (the draft against the latest
    publication; empty if nothing was published yet, since nobody has been told anything).
    ``version=N``: what publication N changed compared with publication N-1 (everybody
    is "new" in version 1). Same session in another room counts as a move. ``cat`` and
    ``draft`` (:func:`draft_map`): the caller's, when it already read them.
    """
    cat = cat or ScheduleCatalogue.load(event)
    if version is None:
        latest = latest_publication(event)
        if latest is None:
            return []
        before, before_rooms = published_maps(latest)
        return compare_maps(cat, before, draft_map(event) if draft is None else draft,
                            before_rooms=before_rooms)
    current = get_publication(event, version)
    if current is None:
        return []
    previous = get_publication(event, version - 1)
    before, before_rooms = published_maps(previous)
    after, after_rooms = published_maps(current)
    return compare_maps(cat, before, after,
                        before_rooms=before_rooms if previous else None,
                        after_rooms=after_rooms)


# --- a participant's day ---------------------------------------------------------------

@dataclass
class DayItem:
    """One entry of a participant's published programme, ready to display or mail."""

    kind: str                 # "session" or "workshop"
    label: str                # "Round 2" / workshop slot label, untranslated number inside
    number: int               # round number (1-based) or slot number
    starts_at: datetime       # aware, in the event's timezone
    ends_at: datetime
    title: str                # project or workshop name
    project: Project | None
    session: Session | None
    workshop: Workshop | None
    room: Room | None
    table_label: str          # the table's track name, or "" when the room has one table
    table_number: int | None
    theme: Theme | None       # colour and colour name (never show the colour alone)
    presenting: bool = False  # the participant presents this session (not a seat)

    @property
    def room_name(self) -> str:
        return self.room.name if self.room else ""

    @property
    def colour(self) -> str | None:
        return self.theme.colour if self.theme else None

    @property
    def colour_name(self) -> str | None:
        return self.theme.colour_name if self.theme else None


def participant_day(participant: Participant, cat: Catalogue | None = None) -> list[DayItem]:
    """The participant's PUBLISHED sessions and workshops, in time order.

    Empty until the schedule is published: drafts are never shown to participants.
    ``cat``: the event's catalogue when the caller already loaded it (calendar feeds).
    """
    event = participant.event
    publication = latest_publication(event)
    if publication is None:
        return []
    snapshot = db.session.scalar(select(PublishedSchedule).where(
        PublishedSchedule.publication_id == publication.id,
        PublishedSchedule.participant_id == participant.id))
    if snapshot is None:
        return []
    cat = cat or Catalogue.load(event)
    presents = presenting_sessions(cat, {participant.id}).get(participant.id, [])
    return _day_items(cat, snapshot.sessions or {}, snapshot.workshops or {}, presents)


def published_days(publication: Publication) -> dict[int, list[DayItem]]:
    """Every participant's day in one publication (participant id -> items), loading the
    programme once: for the publication emails, where a per-person query would not scale."""
    cat = Catalogue.load(publication.event)
    snapshots = db.session.scalars(select(PublishedSchedule).where(
        PublishedSchedule.publication_id == publication.id))
    presents = presenting_sessions(cat)
    return {snap.participant_id: _day_items(cat, snap.sessions or {}, snap.workshops or {},
                                            presents.get(snap.participant_id, []))
            for snap in snapshots}


def presenting_sessions(cat: Catalogue, people: set[int] | None = None
                        ) -> dict[int, list[Session]]:
    """Participant id -> the placed sessions they present (as a project presenter or a
    session's extra presenter), in round order; for ``people`` only if given. Two
    queries, whatever the number of participants."""
    from ..programme.models import project_presenters, session_presenters

    by_project: dict[int, set[int]] = {}
    by_session: dict[int, set[int]] = {}
    for link, column, target, owners in (
            (project_presenters, "project_id", by_project, cat.projects),
            (session_presenters, "session_id", by_session, cat.sessions)):
        query = select(link.c[column], link.c.participant_id).where(
            link.c[column].in_(list(owners)))
        if people is not None:
            query = query.where(link.c.participant_id.in_(list(people)))
        for owner, person in db.session.execute(query):
            target.setdefault(person, set()).add(owner)
    order: dict[int | None, int] = {r.id: i for i, r in enumerate(cat.rounds)}
    result: dict[int, list[Session]] = {}
    for person in set(by_project) | set(by_session):
        projects, own = by_project.get(person, set()), by_session.get(person, set())
        mine = [s for s in cat.sessions.values() if s.round_id in order and s.room_id
                and (s.project_id in projects or s.id in own)]
        result[person] = sorted(mine, key=lambda s: (order[s.round_id], s.id))
    return result


def _day_items(cat: Catalogue, sessions: dict[str, str], workshops: dict[str, str],
               presents: list[Session] | None = None) -> list[DayItem]:
    event = cat.event
    items: list[DayItem] = []
    session_by_key, workshop_by_key = cat.session_by_key, cat.workshop_by_key
    for number, round_ in enumerate(cat.rounds, start=1):
        session = session_by_key.get(sessions.get(round_.key, ""))
        if session is None:
            continue
        project = cat.session_project(session)
        room = cat.rooms.get(session.room_id) if session.room_id else None
        label = ""
        if room is not None and session.table_number and room.tables > 1:
            label = room.table_label(session.table_number)
        items.append(DayItem(
            "session", round_.key, number, event.to_local(round_.starts_at),
            event.to_local(round_.ends_at), project.name, project, session, None, room,
            label, session.table_number if room is not None and room.tables > 1 else None,
            cat.themes.get(project.theme_id)))
    numbers = {r.id: i for i, r in enumerate(cat.rounds, start=1)}
    for session in presents or []:
        round_ = next(r for r in cat.rounds if r.id == session.round_id)
        project = cat.session_project(session)
        room = cat.rooms.get(session.room_id) if session.room_id else None
        label = room.table_label(session.table_number) \
            if room is not None and session.table_number and room.tables > 1 else ""
        items.append(DayItem(
            "session", round_.key, numbers[round_.id], event.to_local(round_.starts_at),
            event.to_local(round_.ends_at), project.name, project, session, None, room, label,
            session.table_number if room is not None and room.tables > 1 else None,
            cat.themes.get(project.theme_id), presenting=True))
    for number, slot in enumerate(cat.slots, start=1):
        workshop = workshop_by_key.get(workshops.get(slot.key, ""))
        if workshop is None:
            continue
        items.append(DayItem(
            "workshop", slot.key, number, event.to_local(slot.starts_at),
            event.to_local(slot.ends_at), workshop.name, None, None, workshop,
            cat.rooms.get(workshop.room_id), "", None, None))
    items.sort(key=lambda item: (item.starts_at, item.kind))
    return items


def draft_day(participant: Participant, cat: Catalogue | None = None) -> list[DayItem]:
    """The participant's current draft programme (organiser pages only)."""
    cat = cat or ScheduleCatalogue.load(participant.event)
    entry = draft_map(participant.event, [participant.id]).get(participant.key, _empty_entry())
    presents = presenting_sessions(cat, {participant.id}).get(participant.id, [])
    return _day_items(cat, entry["sessions"], entry["workshops"], presents)


def below_min_audience(session: Session) -> int | None:
    """The session's seated count when it is above zero but below its minimum audience.

    Moving someone by hand into an empty session is allowed (others may follow), but
    publication refuses it until the minimum is met, so the organiser is told at once.
    """
    seated = db.session.scalar(select(func.count()).select_from(Assignment).join(
        Participant, Participant.id == Assignment.participant_id).where(
        Assignment.session_id == session.id,
        Participant.status == ParticipantStatus.REGISTERED)) or 0
    return seated if 0 < seated < session.min_audience else None


# --- participants' own switches (portal) ------------------------------------------------

# "Almost full" when at most this many seats are left, or at most this share of the
# capacity (whichever is larger): 2 of 8, 2 of 20, 4 of 40.
ALMOST_FULL_SEATS = 2
ALMOST_FULL_SHARE = 0.10

AVAILABILITY_LABELS = {
    "free": _l("Seats available"),
    "almost_full": _l("Almost full"),
    "full": _l("Full"),
}


def round_numbers(event: Event) -> dict[int, int]:
    """Round id -> its 1-based number in the day (what participants read)."""
    rounds = db.session.scalars(select(Round).where(Round.event_id == event.id)
                                .order_by(Round.starts_at, Round.id))
    return {r.id: i for i, r in enumerate(rounds, start=1)}


def availability(seats_left: int, capacity: int) -> str:
    """"free", "almost_full" or "full" for ``seats_left`` of ``capacity`` seats."""
    if seats_left <= 0:
        return "full"
    if seats_left <= max(ALMOST_FULL_SEATS, math.ceil(capacity * ALMOST_FULL_SHARE)):
        return "almost_full"
    return "free"


def switching_closes_at(event: Event) -> datetime:
    """When participants can no longer change their programme themselves: midnight at the
    start of the event day, in the event's timezone. From then on the lists printed for
    the staff stay right; changes on the day go through the organisers."""
    return event.local_to_utc(time(0, 0))


@dataclass
class SwitchState:
    """Whether a participant may switch now, and why not (a message for them)."""

    open: bool
    reason: str = ""
    publication: Publication | None = None
    snapshot: PublishedSchedule | None = None
    closes_at: datetime | None = None


def switching_state(participant: Participant, now: datetime | None = None) -> SwitchState:
    """Open once the schedule is published, for a registered participant who has a
    published day, until :func:`switching_closes_at`."""
    event = participant.event
    closes_at = switching_closes_at(event)
    if participant.status != ParticipantStatus.REGISTERED:
        return SwitchState(False, str(_l("Only registered participants can change their "
                                         "programme.")), closes_at=closes_at)
    publication = latest_publication(event)
    snapshot = None if publication is None else db.session.scalar(
        select(PublishedSchedule).where(PublishedSchedule.publication_id == publication.id,
                                        PublishedSchedule.participant_id == participant.id))
    if snapshot is None:
        return SwitchState(False, str(_l("Your programme is not published yet: changes open "
                                         "once it is.")), closes_at=closes_at)
    if (now or utcnow()) >= closes_at:
        return SwitchState(False, str(_l("Changes are closed since the event day began: "
                                         "ask the organisers' team on site.")),
                           publication, snapshot, closes_at)
    return SwitchState(True, "", publication, snapshot, closes_at)


@dataclass
class SwitchOption:
    """One session of a round (or workshop of a slot) a participant could switch to."""

    kind: str                      # "session" or "workshop"
    target: Session | Workshop
    title: str
    project: Project | None
    room: Room | None
    table_label: str
    theme: Theme | None
    capacity: int
    seats_left: int                # for this participant (their own seat not counted)
    is_current: bool
    taken: int = 0                 # seated others in this session or workshop

    @property
    def availability(self) -> str:
        return availability(self.seats_left, self.capacity)

    @property
    def availability_label(self) -> str:
        return str(AVAILABILITY_LABELS[self.availability])


def _seat_counts(column, where, participant: Participant) -> dict[int, int]:
    """Seated participants other than ``participant``, grouped by ``column``."""
    model = column.class_
    rows = db.session.execute(
        select(column, func.count()).select_from(model)
        .join(Participant, Participant.id == model.participant_id)
        .where(Participant.status == ParticipantStatus.REGISTERED,
               model.participant_id != participant.id,
               *where)
        .group_by(column))
    return dict(rows.all())


def session_options(participant: Participant, round_: Round) -> list[SwitchOption]:
    """The round's placed sessions with their free seats (session and room), for the
    participant's "change" page, by room and table."""
    current = db.session.scalar(select(Assignment.session_id).where(
        Assignment.participant_id == participant.id, Assignment.round_id == round_.id))
    sessions = db.session.scalars(
        select(Session).join(Room, Room.id == Session.room_id)
        .where(Session.round_id == round_.id)
        .options(contains_eager(Session.room),
                 selectinload(Session.project).selectinload(Project.theme))
        .order_by(Room.name, Session.table_number, Session.id)).all()
    by_session = _seat_counts(Assignment.session_id, [Assignment.round_id == round_.id],
                              participant)
    room_load = dict(db.session.execute(
        select(Session.room_id, func.count()).select_from(Assignment)
        .join(Session, Session.id == Assignment.session_id)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Assignment.round_id == round_.id, Participant.status == ParticipantStatus.REGISTERED,
               Assignment.participant_id != participant.id)
        .group_by(Session.room_id)).all())
    options = []
    for session in sessions:
        room = session.room
        if room is None:  # (joined on its room: never)
            continue
        capacity = session.effective_capacity or 0
        left = min(capacity - by_session.get(session.id, 0),
                   room.capacity - room_load.get(room.id, 0))
        label = room.table_label(session.table_number) \
            if session.table_number and room.tables > 1 else ""
        options.append(SwitchOption("session", session, session.project.name,
                                    session.project, room, label, session.project.theme,
                                    capacity, left, session.id == current,
                                    by_session.get(session.id, 0)))
    return options


def workshop_options(participant: Participant, slot: WorkshopSlot) -> list[SwitchOption]:
    """The slot's workshops with their free seats, for the participant's "change" page."""
    current = db.session.scalar(select(WorkshopAssignment.workshop_id).where(
        WorkshopAssignment.participant_id == participant.id,
        WorkshopAssignment.slot_id == slot.id))
    workshops = db.session.scalars(select(Workshop).where(Workshop.slot_id == slot.id)
                                   .options(selectinload(Workshop.room))
                                   .order_by(Workshop.position, Workshop.name)).all()
    taken = _seat_counts(WorkshopAssignment.workshop_id,
                         [WorkshopAssignment.slot_id == slot.id], participant)
    return [SwitchOption("workshop", w, w.name, None, w.room, "", None, w.capacity,
                         w.capacity - taken.get(w.id, 0), w.id == current, taken.get(w.id, 0))
            for w in workshops]


@dataclass
class SwitchEntry:
    """One self-service switch, named for the organiser."""

    participant: Participant
    kind: str          # "session" or "workshop"
    number: int        # round or slot number in the day
    before: str        # project or workshop name ("" if unknown now)
    after: str
    at: datetime


@dataclass
class SwitchSummary:
    """Self-service switches since the latest publication, for the organiser."""

    version: int
    count: int
    people: int
    recent: list[SwitchEntry]


def switch_summary(cat: Catalogue, limit: int = 10) -> SwitchSummary | None:
    """None before publication; else how many switches (and people) since publishing,
    and the latest ``limit`` of them, newest first."""
    publication = latest_publication(cat.event)
    if publication is None:
        return None
    since = ScheduleSwitch.publication_id == publication.id
    count, people = db.session.execute(
        select(func.count(), func.count(ScheduleSwitch.participant_id.distinct()))
        .where(since)).one()
    rows = db.session.scalars(select(ScheduleSwitch).where(since)
                              .order_by(ScheduleSwitch.created_at.desc(),
                                        ScheduleSwitch.id.desc()).limit(limit)).all()
    numbers = {r.key: i for i, r in enumerate(cat.rounds, start=1)}
    numbers.update({s.key: i for i, s in enumerate(cat.slots, start=1)})
    recent = [SwitchEntry(row.participant, row.kind, numbers.get(row.when_key, 0),
                          _switch_title(cat, row.kind, row.from_key),
                          _switch_title(cat, row.kind, row.to_key), row.created_at)
              for row in rows]
    return SwitchSummary(publication.version, count, people, recent)


def _switch_title(cat: Catalogue, kind: str, key: str | None) -> str:
    if kind == "session":
        session = cat.session_by_key.get(key or "")
        return cat.session_project(session).name if session is not None else ""
    workshop = cat.workshop_by_key.get(key or "")
    return workshop.name if workshop is not None else ""


def participant_pins(participant: Participant) -> dict[tuple[str, int], bool]:
    """("round", id) / ("slot", id) -> whether the organiser pinned that place."""
    pins = {("round", a.round_id): a.pinned for a in db.session.scalars(
        select(Assignment).where(Assignment.participant_id == participant.id))}
    pins.update({("slot", a.slot_id): a.pinned for a in db.session.scalars(
        select(WorkshopAssignment).where(WorkshopAssignment.participant_id == participant.id))})
    return pins


def person_places(participant: Participant) -> tuple[dict[int, int], dict[int, int]]:
    """The participant's draft places: round id -> session id, slot id -> workshop id."""
    sessions = dict(db.session.execute(select(Assignment.round_id, Assignment.session_id)
                                       .where(Assignment.participant_id == participant.id)).all())
    workshops = dict(db.session.execute(
        select(WorkshopAssignment.slot_id, WorkshopAssignment.workshop_id)
        .where(WorkshopAssignment.participant_id == participant.id)).all())
    return sessions, workshops


def person_overrides(participant: Participant, limit: int = 20) -> list[MoveOverride]:
    """The organisers' "move anyway" of this participant, newest first (with who)."""
    return list(db.session.scalars(
        select(MoveOverride).where(MoveOverride.participant_id == participant.id)
        .options(selectinload(MoveOverride.user))
        .order_by(MoveOverride.created_at.desc(), MoveOverride.id.desc()).limit(limit)))


# --- before publishing -------------------------------------------------------------------

def changes_if_published(event: Event, cat: ScheduleCatalogue | None = None
                         ) -> list[ParticipantChange]:
    """Who publishing now would tell something: everyone seated in the draft for a first
    publication, else those whose day changes (what the emails follow)."""
    cat = cat or ScheduleCatalogue.load(event)
    latest = latest_publication(event)
    before = published_map(latest) if latest is not None else {}
    return compare_maps(cat, before, draft_map(event),
                        before_rooms=published_rooms(latest) if latest is not None else None)


def presenters_without_email(event: Event) -> list[Participant]:
    """Presenters of a placed session who have no email address (two queries), in name
    order: a publication cannot tell them when they present."""
    from ..programme.models import project_presenters, session_presenters

    by_project = select(project_presenters.c.participant_id).join(
        Session, Session.project_id == project_presenters.c.project_id).where(
        Session.event_id == event.id, Session.round_id.is_not(None))
    by_session = select(session_presenters.c.participant_id).join(
        Session, Session.id == session_presenters.c.session_id).where(
        Session.event_id == event.id, Session.round_id.is_not(None))
    no_email = (Participant.email.is_(None)) | (Participant.email == "")
    return list(db.session.scalars(
        select(Participant).where(Participant.event_id == event.id, no_email,
                                  Participant.id.in_(by_project.union(by_session)))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)))


def sessions_under_minimum(cat: Catalogue) -> list[tuple[Session, int]]:
    """Sessions holding some seated participants but fewer than their minimum audience
    (what a hand move "anyway" may leave): publication refuses them (one query)."""
    counts = dict(db.session.execute(
        select(Assignment.session_id, func.count()).join(
            Participant, Participant.id == Assignment.participant_id)
        .where(Participant.status == ParticipantStatus.REGISTERED,
               Assignment.session_id.in_(list(cat.sessions)))
        .group_by(Assignment.session_id)).all())
    order: dict[int | None, int] = {r.id: i for i, r in enumerate(cat.rounds)}
    thin = [(cat.sessions[sid], n) for sid, n in counts.items()
            if 0 < n < cat.sessions[sid].min_audience]
    return sorted(thin, key=lambda pair: (order.get(pair[0].round_id, 0), pair[0].id))


def theme_variety_breaches(cat: ScheduleCatalogue, draft: ScheduleMap
                           ) -> list[tuple[Participant, int, int]]:
    """Registered participants whose draft sessions cover fewer themes than the event asks
    (min(min_distinct_themes, rounds attended)), with (got, needed): what a "move anyway"
    may leave, and publication refuses. No query beyond the catalogue and the draft."""
    from scheduler import DEFAULT_OPTIONS

    wanted = int((cat.event.scheduling_options or {}).get(
        "min_distinct_themes", DEFAULT_OPTIONS["min_distinct_themes"]) or 0)
    if wanted <= 1:
        return []
    by_key = cat.participant_by_key
    breaches = []
    for key, entry in draft.items():
        sessions = [cat.session_by_key[s] for s in entry["sessions"].values()
                    if s in cat.session_by_key]
        needed = min(wanted, len(sessions))
        got = len({cat.session_project(s).theme_id for s in sessions})
        if got < needed and key in by_key:
            breaches.append((by_key[key], got, needed))
    breaches.sort(key=lambda b: (b[0].last_name, b[0].first_name, b[0].id))
    return breaches
