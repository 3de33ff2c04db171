"""Who is expected at a checkpoint, and where a person is expected instead.

The door and lunch expect every registered participant. A session checkpoint (room,
round) expects those whose place in that round, in the *latest publication*, is a
session held in that room, plus the presenters of the sessions there; a workshop
checkpoint those whose published workshop it is. Before any publication nobody is
expected anywhere in particular: every registered participant is let in.

One person (a scan) is answered with a few targeted queries; a whole checkpoint (the
scanners' offline bundle) with one load of the programme and the publication.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from ..extensions import db
from ..programme.catalogue import Catalogue
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
from ..scheduling.models import PublishedSchedule
from ..scheduling.queries import ScheduleMap, latest_publication, published_map
from .models import Checkpoint


@dataclass(frozen=True)
class ExpectedPlace:
    """Where a person is expected at the checkpoint's time: "Salle 2 — bleu"."""

    kind: str                  # "session" or "workshop"
    room: str                  # room name ("" if the session has no room yet)
    colour: str | None         # "#RRGGBB" of the session's theme (None for workshops)
    colour_name: str | None    # "bleu": always shown with the colour
    title: str                 # project or workshop name

    @property
    def label(self) -> str:
        return f"{self.room} — {self.colour_name}" if self.colour_name else self.room

    def as_dict(self) -> dict:
        return {**asdict(self), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict | None) -> ExpectedPlace | None:
        if not data:
            return None
        return cls(data["kind"], data["room"], data.get("colour"), data.get("colour_name"),
                   data.get("title", ""))


def _needs_schedule(checkpoint: Checkpoint) -> bool:
    return checkpoint.kind in ("session", "workshop")


# --- one person ------------------------------------------------------------------------

def _snapshot(participant: Participant) -> tuple[bool, PublishedSchedule | None]:
    """(published at all, the participant's snapshot in the latest publication)."""
    publication = latest_publication(participant.event)
    if publication is None:
        return False, None
    return True, db.session.scalar(select(PublishedSchedule).where(
        PublishedSchedule.publication_id == publication.id,
        PublishedSchedule.participant_id == participant.id))


def _presenting_session(participant: Participant, round_id: int) -> Session | None:
    """The session the participant presents in this round, if any."""
    by_project = select(Session).join(
        project_presenters, project_presenters.c.project_id == Session.project_id).where(
        project_presenters.c.participant_id == participant.id, Session.round_id == round_id)
    by_session = select(Session).join(
        session_presenters, session_presenters.c.session_id == Session.id).where(
        session_presenters.c.participant_id == participant.id, Session.round_id == round_id)
    return db.session.scalar(by_project.limit(1)) or db.session.scalar(by_session.limit(1))


def _session_place(session: Session | None) -> ExpectedPlace | None:
    if session is None:
        return None
    project = db.session.get(Project, session.project_id)
    theme = db.session.get(Theme, project.theme_id)
    room = db.session.get(Room, session.room_id) if session.room_id else None
    return ExpectedPlace("session", room.name if room else "", theme.colour,
                         theme.colour_name, project.name)


def _workshop_place(workshop: Workshop | None) -> ExpectedPlace | None:
    if workshop is None:
        return None
    room = db.session.get(Room, workshop.room_id)
    return ExpectedPlace("workshop", room.name if room else "", None, None, workshop.name)


def _published_session(checkpoint: Checkpoint, snapshot: PublishedSchedule | None
                       ) -> Session | None:
    round_ = db.session.get(Round, checkpoint.round_id) if checkpoint.round_id else None
    key = (snapshot.sessions or {}).get(round_.key) if snapshot and round_ else None
    if key is None:
        return None
    return db.session.scalar(select(Session).where(Session.event_id == checkpoint.event_id,
                                                   Session.key == key))


def _published_workshop(checkpoint: Checkpoint, snapshot: PublishedSchedule | None
                        ) -> Workshop | None:
    workshop = db.session.get(Workshop, checkpoint.workshop_id) \
        if checkpoint.workshop_id else None
    if workshop is None or snapshot is None:
        return None
    slot = db.session.get(WorkshopSlot, workshop.slot_id)
    key = (snapshot.workshops or {}).get(slot.key)
    if key is None:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.event_id == checkpoint.event_id,
                                                    Workshop.key == key))


def placement(checkpoint: Checkpoint, participant: Participant
              ) -> tuple[bool, ExpectedPlace | None]:
    """(expected at ``checkpoint``, else where the person is expected then). One scan
    asks both: the snapshot and the session are looked up once for the two answers."""
    if not _needs_schedule(checkpoint):
        return True, None
    published, snapshot = _snapshot(participant)
    if not published:
        return True, None
    if checkpoint.kind == "workshop":
        workshop = _published_workshop(checkpoint, snapshot)
        if workshop is not None and workshop.id == checkpoint.workshop_id:
            return True, None
        return False, _workshop_place(workshop)
    if checkpoint.round_id is None:
        return False, None
    session = _presenting_session(participant, checkpoint.round_id) \
        or _published_session(checkpoint, snapshot)
    if session is not None and session.room_id == checkpoint.room_id:
        return True, None
    return False, _session_place(session)


def is_expected(checkpoint: Checkpoint, participant: Participant) -> bool:
    return placement(checkpoint, participant)[0]


def expected_place(checkpoint: Checkpoint, participant: Participant) -> ExpectedPlace | None:
    """Where the person should be at this checkpoint's time (None: nowhere booked)."""
    _published, snapshot = _snapshot(participant)
    if checkpoint.kind == "workshop":
        return _workshop_place(_published_workshop(checkpoint, snapshot))
    if checkpoint.kind != "session" or checkpoint.round_id is None:
        return None
    presenting = _presenting_session(participant, checkpoint.round_id)
    return _session_place(presenting or _published_session(checkpoint, snapshot))


# --- a whole checkpoint ----------------------------------------------------------------

UNREAD: ScheduleMap = {"": {}}  # marks "schedule not given" (None means "not published")


def presenting_sessions(cat: Catalogue) -> dict[int, dict[int, Session]]:
    """Round id -> presenter id -> the session they present in that round (the first by
    id when several), in two queries whatever the number of sessions: presenters are
    expected at their own session, whatever the publication says."""
    by_project: dict[int, list[int]] = {}
    for project_id, person_id in db.session.execute(select(
            project_presenters.c.project_id, project_presenters.c.participant_id)
            .join(Project, Project.id == project_presenters.c.project_id)
            .where(Project.event_id == cat.event.id)):
        by_project.setdefault(project_id, []).append(person_id)
    by_session: dict[int, list[int]] = {}
    for session_id, person_id in db.session.execute(select(
            session_presenters.c.session_id, session_presenters.c.participant_id)
            .join(Session, Session.id == session_presenters.c.session_id)
            .where(Session.event_id == cat.event.id)):
        by_session.setdefault(session_id, []).append(person_id)
    result: dict[int, dict[int, Session]] = {}
    for session in cat.sessions.values():
        if session.round_id is None:
            continue
        here = result.setdefault(session.round_id, {})
        for person_id in by_project.get(session.project_id, []) + by_session.get(session.id, []):
            here.setdefault(person_id, session)
    return result


def expected_counts(checkpoints: list[Checkpoint], people: list[Participant],
                    cat: Catalogue, schedule: ScheduleMap | None) -> dict[int, int | None]:
    """Checkpoint id -> how many of ``people`` it expects (None: everyone), in one pass
    over the people whatever the number of checkpoints: the same answer as
    ``len(checkpoint_expectations(...).expected_ids)`` for each, without reading every
    person once per checkpoint."""
    counts: dict[int, int | None] = {
        cp.id: 0 if _needs_schedule(cp) and schedule is not None else None
        for cp in checkpoints}
    if schedule is None:
        return counts
    at_session = {(cp.room_id, cp.round_id): cp.id for cp in checkpoints
                  if cp.kind == "session" and cp.round_id is not None}
    at_workshop = {cp.workshop_id: cp.id for cp in checkpoints if cp.kind == "workshop"}
    presenting = presenting_sessions(cat)
    sessions, workshops = cat.session_by_key, cat.workshop_by_key
    empty: dict = {"sessions": {}, "workshops": {}}
    for person in people:
        entry = schedule.get(person.key, empty)
        for round_ in cat.rounds:
            session = presenting.get(round_.id, {}).get(person.id) \
                or sessions.get(entry["sessions"].get(round_.key, ""))
            where = at_session.get((session.room_id, round_.id)) if session else None
            if where is not None:
                counts[where] += 1
        for slot in cat.slots:
            chosen = workshops.get(entry["workshops"].get(slot.key, ""))
            where = at_workshop.get(chosen.id) if chosen is not None else None
            if where is not None and chosen.slot_id == slot.id:
                counts[where] += 1
    return counts


@dataclass
class Expectations:
    """For one checkpoint: who is expected, and where the others are expected."""

    everyone: bool                           # door, lunch, or nothing published yet
    expected_ids: set[int]
    elsewhere: dict[int, ExpectedPlace]      # participant id -> their place then


def latest_published_map(event) -> ScheduleMap | None:
    """The latest publication's schedule (None before any publication): read once per
    request and handed to :func:`checkpoint_expectations` and :func:`expected_counts`."""
    publication = latest_publication(event)
    return None if publication is None else published_map(publication)


def checkpoint_expectations(checkpoint: Checkpoint, people: list[Participant],
                            cat: Catalogue, schedule: ScheduleMap | None = UNREAD
                            ) -> Expectations:
    """Who of ``people`` the checkpoint expects (see the module docstring); ``schedule``:
    :func:`latest_published_map`, read here when not given."""
    if not _needs_schedule(checkpoint):
        return Expectations(True, {p.id for p in people}, {})
    if schedule is UNREAD:
        schedule = latest_published_map(checkpoint.event)
    if schedule is None:
        return Expectations(True, {p.id for p in people}, {})
    expected: set[int] = set()
    elsewhere: dict[int, ExpectedPlace] = {}
    place = _place_finder(checkpoint, cat)
    for person in people:
        entry = schedule.get(person.key, {"sessions": {}, "workshops": {}})
        where, here = place(person, entry)
        if here:
            expected.add(person.id)
        elif where is not None:
            elsewhere[person.id] = where
    return Expectations(False, expected, elsewhere)


def _place_finder(checkpoint: Checkpoint, cat: Catalogue):
    """A function (person, schedule entry) -> (expected place, expected here?)."""
    themes, rooms = cat.themes, cat.rooms

    def session_place(session: Session) -> ExpectedPlace:
        project = cat.session_project(session)
        theme = themes.get(project.theme_id)
        room = rooms.get(session.room_id) if session.room_id else None
        return ExpectedPlace("session", room.name if room else "",
                             theme.colour if theme else None,
                             theme.colour_name if theme else None, project.name)

    if checkpoint.kind == "workshop":
        workshop = cat.workshops.get(checkpoint.workshop_id)
        slot = next((s for s in cat.slots if workshop and s.id == workshop.slot_id), None)
        by_key = cat.workshop_by_key

        def workshop_finder(person, entry):
            chosen = by_key.get(entry["workshops"].get(slot.key, "")) if slot else None
            if chosen is None:
                return None, False
            room = rooms.get(chosen.room_id)
            return (ExpectedPlace("workshop", room.name if room else "", None, None,
                                  chosen.name), chosen.id == checkpoint.workshop_id)
        return workshop_finder

    round_ = next((r for r in cat.rounds if r.id == checkpoint.round_id), None)
    sessions_by_key = cat.session_by_key
    presenting = presenting_sessions(cat).get(round_.id, {}) if round_ is not None else {}

    def session_finder(person, entry):
        session = presenting.get(person.id) or (
            sessions_by_key.get(entry["sessions"].get(round_.key, "")) if round_ else None)
        if session is None:
            return None, False
        return session_place(session), session.room_id == checkpoint.room_id
    return session_finder
