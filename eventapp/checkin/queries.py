"""Read side of check-in: the JSON the scanners and the API read, the organiser's
dashboard, the attendance export and the badges' data for the renderer.

The same dictionaries answer the staff page's cookie routes and the API's bearer
routes (docs/api.md and docs/checkin.md give their shapes), so both stay identical.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..database import commit_keeping_loaded
from ..events.models import Event
from ..extensions import db
from ..i18n import local_time
from ..programme.catalogue import Catalogue
from ..programme.grid import Grid, GridColumn, Seat, grid_rows, table_columns
from ..programme.models import Room, Round, Session, Workshop
from ..registration.csv_io import neutralise
from ..registration.models import Participant, ParticipantStatus
from ..registration.queries import CATEGORY_LABELS, STATUS_LABELS
from ..scheduling.queries import (
    ScheduleMap,
    draft_map,
    latest_publication,
    presenting_sessions,
    published_map,
)
from ..scheduling.review import Cell
from ..web import YIELD_PER
from . import codes
from .badge_card import BadgeCard, Stripe
from .checkpoints import sync_checkpoints
from .expected import UNREAD, checkpoint_expectations, expected_counts, latest_published_map
from .models import Admission, Badge, Checkpoint, Scan
from .operations import ScanOutcome, badge_code

RESULT_LABELS = {
    "ok": _l("OK"),
    "already": _l("Already scanned"),
    "wrong_place": _l("Wrong place"),
    "unknown": _l("Unknown badge"),
    "revoked": _l("Revoked badge"),
    "cancelled": _l("Registration cancelled"),
    "outside_window": _l("Outside opening hours"),
}
KIND_LABELS = {
    "door": _l("Entrance"),
    "session": _l("Speed-dating"),
    "workshop": _l("Workshop"),
    "lunch": _l("Lunch"),
}
REFUSED = ("already", "wrong_place", "unknown", "revoked", "cancelled", "outside_window")
TIME_FLAG_LABELS = {
    "device_time_early": _l("The phone's clock was far before the event's day: the "
                            "server's time was used."),
    "device_time_ahead": _l("The phone's clock was ahead of the server's: the server's "
                            "time was used."),
}
ARRIVAL_BUCKET = timedelta(minutes=15)
SORTS = ("name", "organisation", "room")


def category_label(category: str | None) -> str:
    return str(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else ""


# What a printed badge says instead of a form's label (which explains who sets it).
BADGE_CATEGORY_LABELS = {"intervenant": _l("Speaker")}


def badge_category_label(category: str | None) -> str:
    """The category as printed on a badge: "Intervenant(e)", not the form's wording."""
    if category in BADGE_CATEGORY_LABELS:
        return str(BADGE_CATEGORY_LABELS[category])
    return category_label(category)


def rfc3339(event: Event, moment: datetime | None) -> str | None:
    """``moment`` as an RFC 3339 date-time in the event's timezone, or in UTC ("Z") when
    the local form is not one: before standard time (1911 in Paris) zoneinfo gives the
    local mean time, an offset with seconds ("+00:09:21"), and near years 1 and 9999 the
    local time may not exist at all. Every date-time check-in answers goes through here."""
    if moment is None:
        return None
    try:
        local = event.to_local(moment)
    except OverflowError:
        local = None
    offset = local.utcoffset() if local is not None else None
    if offset is None or offset.seconds % 60 or offset.microseconds:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return local.isoformat()


# --- checkpoints -----------------------------------------------------------------------

class CheckpointNames:
    """Labels of an event's checkpoints ("Salle 2 — round 2"), from one programme load."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.round_numbers = {r.id: i for i, r in enumerate(cat.rounds, start=1)}

    @classmethod
    def load(cls, event: Event) -> CheckpointNames:
        """Only what labels need (rooms, rounds, workshops): a scan answers fast."""
        def rows(model, *order):
            return db.session.scalars(select(model).where(model.event_id == event.id)
                                      .order_by(*order, model.id)).all()

        return cls(Catalogue(event, rooms={r.id: r for r in rows(Room, Room.position)},
                             rounds=list(rows(Round, Round.starts_at)),
                             workshops={w.id: w for w in rows(Workshop)}))

    @classmethod
    def of_checkpoint(cls, event: Event, checkpoint: Checkpoint) -> CheckpointNames:
        """Only what one checkpoint's label needs (its room, the rounds for a session's
        number, its workshop): what a single scan's answer loads."""
        room = db.session.get(Room, checkpoint.room_id) if checkpoint.room_id else None
        workshop = db.session.get(Workshop, checkpoint.workshop_id) \
            if checkpoint.workshop_id else None
        rounds = db.session.scalars(select(Round).where(Round.event_id == event.id)
                                    .order_by(Round.starts_at, Round.id)).all() \
            if checkpoint.kind == "session" else []
        return cls(Catalogue(event, rooms={room.id: room} if room else {},
                             rounds=list(rounds),
                             workshops={workshop.id: workshop} if workshop else {}))

    def label(self, checkpoint: Checkpoint) -> str:
        room = self.cat.rooms.get(checkpoint.room_id) if checkpoint.room_id else None
        if checkpoint.kind == "session":
            number = self.round_numbers.get(checkpoint.round_id, 0)
            return str(_l("%(room)s — round %(number)d", room=room.name if room else "?",
                          number=number))
        if checkpoint.kind == "workshop":
            workshop = self.cat.workshops.get(checkpoint.workshop_id)
            name = workshop.name if workshop else "?"
            label = str(_l("Workshop: %(name)s", name=name))
            return label + (f" ({room.name})" if room else "")
        return str(KIND_LABELS[checkpoint.kind]) + (f" ({room.name})" if room else "")


def window_dict(event: Event, checkpoint: Checkpoint) -> dict:
    opens, closes = event.to_local(checkpoint.opens_at), event.to_local(checkpoint.closes_at)
    return {"opens_at": rfc3339(event, checkpoint.opens_at),
            "closes_at": rfc3339(event, checkpoint.closes_at),
            "timezone": event.timezone, "enforced": not event.checkin_rehearsal,
            "label": f"{local_time(opens, event.timezone)}–{local_time(closes, event.timezone)}"}


def checkpoint_dict(event: Event, checkpoint: Checkpoint, names: CheckpointNames) -> dict:
    cat = names.cat
    room = cat.rooms.get(checkpoint.room_id) if checkpoint.room_id else None
    workshop = cat.workshops.get(checkpoint.workshop_id) if checkpoint.workshop_id else None
    round_ = next((r for r in cat.rounds if r.id == checkpoint.round_id), None)
    return {
        "id": checkpoint.id, "key": checkpoint.key, "kind": checkpoint.kind,
        "label": names.label(checkpoint),
        "room": {"key": room.key, "name": room.name} if room else None,
        "round": names.round_numbers.get(checkpoint.round_id) if round_ else None,
        "round_key": round_.key if round_ else None,
        "workshop": {"key": workshop.key, "name": workshop.name} if workshop else None,
        "window": window_dict(event, checkpoint),
        "active": checkpoint.active,
    }


def checkpoint_list(event: Event) -> list[dict]:
    """Every active checkpoint (synced with the programme first)."""
    cat = Catalogue.load(event)
    names = CheckpointNames(cat)
    return [checkpoint_dict(event, cp, names) for cp in sync_checkpoints(event, cat)]


def get_checkpoint(event: Event, checkpoint_id: int) -> Checkpoint | None:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.event_id != event.id:
        return None
    return checkpoint


# --- participants and scan answers ----------------------------------------------------

def participant_summary(participant: Participant | None, serial: int | None = None
                        ) -> dict | None:
    """What a scanner shows of a person: name, organisation, category."""
    if participant is None:
        return None
    return {"id": participant.key, "serial": serial, "name": participant.full_name,
            "first_name": participant.first_name, "last_name": participant.last_name,
            "organisation": participant.organisation, "category": participant.category,
            "category_label": category_label(participant.category),
            "status": participant.status}


def scan_answer(event: Event, outcome: ScanOutcome, names: CheckpointNames | None = None,
                label: str | None = None) -> dict:
    """The answer to one scan (docs/checkin.md, "Scan answer"). A scan just recorded
    carries what it read (``outcome.state``, ``outcome.participant``); a replay reads
    its stored row's checkpoint, person and badge."""
    scan = outcome.scan
    state = outcome.state
    checkpoint = state or scan.checkpoint or db.session.get(Checkpoint, scan.checkpoint_id)
    if label is None:
        label = (names or CheckpointNames.of_checkpoint(event, checkpoint)).label(checkpoint)
    expected = outcome.expected
    message = str(RESULT_LABELS[scan.result])
    if scan.result == "wrong_place":
        message = str(_l("Expected in %(place)s", place=expected.label)) if expected \
            else str(_l("No place booked here at this time"))
    elif scan.result == "already" and outcome.first_scan_at is not None:
        message = str(_l("Already scanned at %(time)s",
                         time=local_time(outcome.first_scan_at, event.timezone)))
    elif scan.result == "outside_window":
        message = str(_l("Open %(window)s only", window=window_dict(event, checkpoint)["label"]))
    if state is not None:
        participant, serial = outcome.participant, state.serial
    else:
        badge = scan.badge
        participant, serial = scan.participant, badge.serial if badge is not None else None
    return {
        "nonce": scan.nonce,
        "result": scan.result,
        "message": message,
        "participant": participant_summary(participant, serial),
        "first_scan_at": rfc3339(event, outcome.first_scan_at),
        "expected": expected.as_dict() if expected is not None else None,
        "checkpoint": {"id": checkpoint.id, "kind": checkpoint.kind, "label": label},
        "window": window_dict(event, checkpoint),
        "scanned_at": rfc3339(event, scan.scanned_at),
        "received_at": rfc3339(event, scan.received_at),
        "conflict": scan.conflict,
        "time_flag": scan.time_flag,
        "manual": scan.manual,
        "replayed": outcome.replayed,
    }


def participant_list(event: Event) -> list[dict]:
    """Every participant with their id (key) and status, for organisers' scripts."""
    people = db.session.scalars(select(Participant).where(Participant.event_id == event.id)
                                .order_by(Participant.last_name, Participant.first_name,
                                          Participant.id))
    return [{"id": p.key, "first_name": p.first_name, "last_name": p.last_name,
             "organisation": p.organisation, "category": p.category, "role": p.role,
             "status": p.status} for p in people]


# --- the scanners' offline bundle ------------------------------------------------------

def revoked_serials(event: Event) -> list[int]:
    """Serials that verify but must be refused (reissued, cancelled, erased)."""
    return sorted(db.session.scalars(select(Badge.serial).where(
        Badge.event_id == event.id,
        (Badge.revoked_at.is_not(None)) | (Badge.participant_id.is_(None)))))


def _live_badges(event: Event) -> dict[int, Badge]:
    """participant id -> live badge, issuing the missing ones (registered people)."""
    from .operations import issue_badge

    badges = {b.participant_id: b for b in db.session.scalars(select(Badge).where(
        Badge.event_id == event.id, Badge.revoked_at.is_(None),
        Badge.participant_id.is_not(None)))}
    for person in registered_people(event):
        if person.id not in badges:
            badges[person.id] = issue_badge(person)
    return badges


def registered_people(event: Event) -> list[Participant]:
    return list(db.session.scalars(registered_query(event)))


def checkpoint_bundle(event: Event, checkpoint: Checkpoint) -> dict:
    """Everything a staff phone needs to scan at ``checkpoint`` without the network
    (docs/checkin.md, "Offline bundle")."""
    cat = Catalogue.load(event)
    sync_checkpoints(event, cat)
    names = CheckpointNames(cat)
    people = registered_people(event)
    badges = _live_badges(event)
    expectations = checkpoint_expectations(checkpoint, people, cat)
    admitted = dict(db.session.execute(
        select(Admission.participant_id, Admission.admitted_at)
        .where(Admission.checkpoint_id == checkpoint.id)).all())
    entries = []
    for person in people:
        badge = badges[person.id]
        elsewhere = expectations.elsewhere.get(person.id)
        entries.append({
            "serial": badge.serial, "id": person.key, "name": person.full_name,
            "organisation": person.organisation, "category": person.category,
            "category_label": category_label(person.category),
            "expected": person.id in expectations.expected_ids,
            "expected_place": elsewhere.as_dict() if elsewhere is not None else None,
            "admitted_at": rfc3339(event, admitted.get(person.id)),
        })
    return {
        "event": {"slug": event.slug, "name": event.name, "timezone": event.timezone,
                  "rehearsal": event.checkin_rehearsal},
        "checkpoint": checkpoint_dict(event, checkpoint, names),
        "everyone_expected": expectations.everyone,
        "signing": codes.scheme(event.id),
        "revoked": revoked_serials(event),
        "participants": entries,
        "generated_at": rfc3339(event, _now()),
    }


def _now() -> datetime:
    from ..db_types import utcnow

    return utcnow()


# --- attendance and the dashboard ------------------------------------------------------

@dataclass
class CheckpointCount:
    checkpoint: Checkpoint
    label: str
    admitted: int
    expected: int | None
    refused: int
    conflicts: int


def attendance(event: Event, cat: Catalogue | None = None,
               people: list[Participant] | None = None,
               schedule: ScheduleMap | None = UNREAD) -> list[CheckpointCount]:
    """Per active checkpoint: admitted, expected (None where everyone is), refusals and
    conflicts, in a fixed number of queries and one pass over the people. ``cat``,
    ``people`` (:func:`registered_people`) and ``schedule`` (the latest published map)
    are read here unless the caller already has them."""
    cat = cat or Catalogue.load(event)
    checkpoints = sync_checkpoints(event, cat)
    names = CheckpointNames(cat)
    admitted = _count_by(Admission.checkpoint_id, Admission.event_id == event.id)
    refused = _count_by(Scan.checkpoint_id, Scan.event_id == event.id,
                        Scan.result.in_(REFUSED))
    conflicts = _count_by(Scan.checkpoint_id, Scan.event_id == event.id,
                          Scan.conflict.is_(True))
    people = registered_people(event) if people is None else people
    if schedule is UNREAD:
        schedule = latest_published_map(event)
    expected = expected_counts(checkpoints, people, cat, schedule)
    return [CheckpointCount(checkpoint, names.label(checkpoint),
                            admitted.get(checkpoint.id, 0), expected[checkpoint.id],
                            refused.get(checkpoint.id, 0), conflicts.get(checkpoint.id, 0))
            for checkpoint in checkpoints]


def _count_by(column, *where) -> dict[int, int]:
    return dict(db.session.execute(select(column, func.count()).where(*where)
                                   .group_by(column)).all())


def attendance_dict(event: Event) -> dict:
    people = registered_people(event)
    return {"event": event.slug, "registered": len(people), "checkpoints": [
        {"id": row.checkpoint.id, "kind": row.checkpoint.kind, "label": row.label,
         "admitted": row.admitted, "expected": row.expected, "refused": row.refused,
         "conflicts": row.conflicts} for row in attendance(event, people=people)]}


@dataclass
class ArrivalBucket:
    starts_at: datetime       # in the event's timezone
    count: int
    cumulative: int


def event_day(event: Event) -> tuple[datetime, datetime]:
    """The event's own day in UTC: its local midnight and the start of its last quarter
    of an hour (what every chart is bounded by)."""
    start = datetime.combine(event.date, time(0), event.tz)
    end = datetime.combine(event.date + timedelta(days=1), time(0), event.tz)
    return start.astimezone(UTC), end.astimezone(UTC) - ARRIVAL_BUCKET


def arrivals(event: Event) -> list[ArrivalBucket]:
    """Door admissions per quarter of an hour, in the event's timezone, over at most the
    event's day: an admission outside it (a rehearsal, a row mended by hand, a phone's
    clock years off before effective_time refused it) counts in the first or last
    quarter, never stretches the chart (one stray year-1 row once asked for 70 million
    buckets)."""
    door = db.session.scalar(select(Checkpoint).where(Checkpoint.event_id == event.id,
                                                      Checkpoint.key == "door"))
    if door is None:
        return []
    times = sorted(db.session.scalars(select(Admission.admitted_at).where(
        Admission.checkpoint_id == door.id)))
    if not times:
        return []
    first, last = event_day(event)
    counts = Counter(_bucket(event.to_local(min(max(t, first), last))) for t in times)
    start, end = min(counts), max(counts)
    buckets, total, moment = [], 0, start
    while moment <= end:
        total += counts.get(moment, 0)
        buckets.append(ArrivalBucket(moment, counts.get(moment, 0), total))
        moment += ARRIVAL_BUCKET
    return buckets


def _bucket(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


Occupancy = Grid[Cell]
"""The review's fill grid, with admissions as the counts."""


def occupancy(event: Event, cat: Catalogue, people: list[Participant] | None = None,
              schedule: ScheduleMap | None = UNREAD) -> Occupancy:
    """Per round and room table: people admitted at the (room, round) checkpoint whose
    published session (the draft's, before any publication) is that table's, against
    its capacity. ``people`` and ``schedule`` as for :func:`attendance`."""
    columns = table_columns(cat.rooms.values())
    tables = {(c.room.id, c.table) for c in columns}
    seen = _admitted_by_session(event, cat, people, schedule)
    seats: dict[Seat, Session] = {}
    for session in cat.sessions.values():
        seat = (session.round_id, session.room_id, session.table_number or 1)
        if seat[1:] in tables:  # a table of one of the event's rooms
            seats.setdefault(seat, session)

    def cell(round_: Round, column: GridColumn) -> Cell:
        session = seats.get(column.seat(round_))
        if session is None:
            return Cell(None)
        return Cell(session, cat.session_project(session), cat.session_theme(session),
                    seen[round_.id].get(session.key, 0), session.effective_capacity or 0)

    return Grid(columns, grid_rows(cat.rounds, columns, cell))


def _admitted_by_session(event: Event, cat: Catalogue, people: list[Participant] | None,
                         schedule: ScheduleMap | None) -> dict[int, Counter]:
    """Round id -> how many people admitted at one of its checkpoints have each session
    key as their (published, else draft) session of that round."""
    if schedule is UNREAD:
        schedule = latest_published_map(event)
    if schedule is None:
        schedule = draft_map(event)
    keys = {p.id: p.key for p in (registered_people(event) if people is None else people)}
    admitted = db.session.execute(
        select(Checkpoint.round_id, Admission.participant_id)
        .join(Checkpoint, Checkpoint.id == Admission.checkpoint_id)
        .where(Admission.event_id == event.id, Checkpoint.kind == "session")).all()
    by_round: dict[int, list[int]] = defaultdict(list)
    for round_id, participant_id in admitted:
        by_round[round_id].append(participant_id)
    return {round_.id: Counter(schedule.get(keys.get(pid, ""), {}).get("sessions", {})
                               .get(round_.key) for pid in by_round.get(round_.id, []))
            for round_ in cat.rounds}


NO_SHOWS_SHOWN = 200  # the dashboard names the first ones; the attendance CSV has all


@dataclass
class Dashboard:
    counts: list[CheckpointCount]
    arrivals: list[ArrivalBucket]
    occupancy: Occupancy
    no_shows: list[Participant]      # the first NO_SHOWS_SHOWN by name
    conflicts: list[Scan]            # the latest ``refused_limit``
    flagged: list[Scan]
    refused: list[Scan]
    registered: int
    arrived: int
    names: CheckpointNames
    conflict_count: int = 0

    @property
    def not_arrived(self) -> int:
        return self.registered - self.arrived


def dashboard(event: Event, refused_limit: int = 30) -> Dashboard:
    cat = Catalogue.load(event)
    people = registered_people(event)
    schedule = latest_published_map(event)  # the request's one read of the publication
    counts = attendance(event, cat, people, schedule)
    door = next((row.checkpoint for row in counts if row.checkpoint.kind == "door"), None)
    arrived_ids = set(db.session.scalars(select(Admission.participant_id).where(
        Admission.checkpoint_id == door.id))) if door else set()
    # Each listed scan shows its person, checkpoint and scanner: loaded with the scans.
    scans = select(Scan).where(Scan.event_id == event.id).options(
        selectinload(Scan.participant), selectinload(Scan.checkpoint),
        selectinload(Scan.scanned_by))
    return Dashboard(
        counts=counts, arrivals=arrivals(event),
        occupancy=occupancy(event, cat, people, schedule),
        no_shows=[p for p in people if p.id not in arrived_ids][:NO_SHOWS_SHOWN],
        conflicts=list(db.session.scalars(scans.where(Scan.conflict.is_(True))
                                          .order_by(Scan.effective_at.desc(), Scan.id.desc())
                                          .limit(refused_limit))),
        conflict_count=_count_by(Scan.event_id, Scan.event_id == event.id,
                                 Scan.conflict.is_(True)).get(event.id, 0),
        flagged=list(db.session.scalars(scans.where(Scan.time_flag.is_not(None))
                                        .order_by(Scan.received_at.desc(), Scan.id.desc())
                                        .limit(refused_limit))),
        refused=list(db.session.scalars(scans.where(Scan.result.in_(REFUSED))
                                        .order_by(Scan.received_at.desc(), Scan.id.desc())
                                        .limit(refused_limit))),
        registered=len(people), arrived=len(arrived_ids), names=CheckpointNames(cat))


@dataclass
class CategoryLine:
    category: str
    label: str
    registered: int
    came: int

    @property
    def share(self) -> float:
        return self.came / self.registered if self.registered else 0.0


def category_summary(event: Event) -> list[CategoryLine]:
    """Who came, by category (the funders' question): registered and admitted at the
    door, per category, largest first."""
    door = db.session.scalar(select(Checkpoint).where(Checkpoint.event_id == event.id,
                                                      Checkpoint.key == "door"))
    came = set(db.session.scalars(select(Admission.participant_id).where(
        Admission.checkpoint_id == door.id))) if door else set()
    registered: Counter = Counter()
    arrived: Counter = Counter()
    for person in registered_people(event):
        registered[person.category or ""] += 1
        arrived[person.category or ""] += person.id in came
    lines = [CategoryLine(key, category_label(key) or str(_l("Not given")), registered[key],
                          arrived[key]) for key in registered]
    lines.sort(key=lambda line: (-line.came, -line.registered, line.label))
    return lines


REGISTERED_ORDER = (Participant.last_name, Participant.first_name, Participant.id)


def registered_query(event: Event):
    """The registered participants, in :data:`REGISTERED_ORDER`."""
    return select(Participant).where(
        Participant.event_id == event.id, Participant.status == ParticipantStatus.REGISTERED
    ).order_by(*REGISTERED_ORDER)


def attendance_rows(event: Event) -> Iterator[list[str]]:
    """One row per registered participant, one column per checkpoint (the local time of
    the admission, empty when absent): what a funder's report is built from, for
    :func:`eventapp.web.csv_stream` (formulas defused, like the participants' export).
    The people and their admissions are read in batches, in the same order, and merged:
    a fixed number of queries, and memory that does not grow with the event."""
    cat = Catalogue.load(event)
    checkpoints = sync_checkpoints(event, cat)
    names = CheckpointNames(cat)
    commit_keeping_loaded()  # the checkpoints synced; the rows below are only read
    yield [str(_l("Id")), str(_l("Last name")), str(_l("First name")),
           str(_l("Organisation")), str(_l("Category")), str(_l("Status")),
           str(_l("Checkpoints attended"))] + [names.label(cp) for cp in checkpoints]
    batches = {"yield_per": YIELD_PER}
    people = db.session.scalars(registered_query(event), execution_options=batches)
    admissions = iter(db.session.execute(
        select(Admission.participant_id, Admission.checkpoint_id, Admission.admitted_at)
        .join(Participant, Participant.id == Admission.participant_id)
        .where(Admission.event_id == event.id, Participant.status == ParticipantStatus.REGISTERED)
        .order_by(*REGISTERED_ORDER), execution_options=batches))
    head = next(admissions, None)
    column = {cp.id: index for index, cp in enumerate(checkpoints)}
    labels: dict[tuple[str | None, str], tuple[str, str]] = {}  # translated once each
    for person in people:
        times = [""] * len(checkpoints)  # "HH:MM" cells need no defusing
        while head is not None and head[0] == person.id:
            if head[1] in column:
                times[column[head[1]]] = event.to_local(head[2]).strftime("%H:%M")
            head = next(admissions, None)
        key = (person.category, person.status)
        if key not in labels:
            labels[key] = (category_label(person.category), str(STATUS_LABELS[person.status]))
        yield [neutralise(value) for value in (
            person.key, person.last_name, person.first_name, person.organisation,
            *labels[key])] + [str(sum(1 for t in times if t)), *times]


# --- badges for the renderer -----------------------------------------------------------

def badge_stripes(cat: Catalogue, entry: dict, presents: list[Session] | None = None
                  ) -> tuple[Stripe, ...]:
    """The speed-dating rooms in round order (where the person sits, or presents: then
    the stripe says so), then the workshop room(s)."""
    stripes = []
    own = {s.round_id: s for s in presents or []}
    for number, round_ in enumerate(cat.rounds, start=1):
        session = cat.session_by_key.get(entry["sessions"].get(round_.key, ""))
        label = _l("Round %(number)d", number=number)
        if session is None and round_.id in own:
            session, label = own[round_.id], _l("Round %(number)d · presents", number=number)
        if session is None or session.room_id not in cat.rooms:
            continue
        theme = cat.session_theme(session)
        stripes.append(Stripe(str(label), cat.rooms[session.room_id].name, theme.colour,
                              theme.colour_name))
    for slot in cat.slots:
        workshop = cat.workshop_by_key.get(entry["workshops"].get(slot.key, ""))
        if workshop is None or workshop.room_id not in cat.rooms:
            continue
        room = cat.rooms[workshop.room_id]
        theme = room.themes[0] if room.themes else None
        stripes.append(Stripe(str(_l("Workshop")), room.name,
                              theme.colour if theme else "#ffffff",
                              theme.colour_name if theme else str(_l("white"))))
    return tuple(stripes)


def badge_cards(event: Event, sort: str = "name",
                participants: list[Participant] | None = None) -> list[BadgeCard]:
    """The badges of the registered participants (or of ``participants``), ready for
    the renderer, sorted by name, organisation or first room."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    cat = Catalogue.load(event)
    schedule = published_map(latest_publication(event))
    people = participants if participants is not None else registered_people(event)
    badges = _live_badges(event) if participants is None else {}
    date_label = format_date(event.date, "full").capitalize()
    presents = presenting_sessions(cat)
    pairs = []
    for person in people:
        badge = badges.get(person.id)
        if badge is None:
            from .operations import current_badge

            badge = current_badge(person)
        entry = schedule.get(person.key, {"sessions": {}, "workshops": {}})
        pairs.append((person, BadgeCard(
            person.full_name, person.organisation, badge_category_label(person.category),
            event.name, date_label, badge_stripes(cat, entry, presents.get(person.id)),
            badge_code(badge))))
    pairs.sort(key=lambda pair: _sort_key(sort, *pair))
    return [card for _person, card in pairs]


def _sort_key(sort: str, person: Participant, card: BadgeCard) -> tuple:
    from ..registration.csv_io import fold

    name = (fold(person.last_name), fold(person.first_name), person.id)
    if sort == "organisation":
        return (fold(person.organisation), *name)
    if sort == "room":
        return (0, fold(card.stripes[0].room_name), *name) if card.stripes else (1, "", *name)
    return name


def staff_event(now: datetime | None = None) -> Event | None:
    """The event staff scan for: today's (in its own time zone), else the nearest one in
    rehearsal; None if neither. Two statements at most."""
    now = now or datetime.now(UTC)
    near = db.session.scalars(select(Event).where(
        Event.date.between(now.date() - timedelta(days=1), now.date() + timedelta(days=1)))
        .order_by(Event.date, Event.id)).all()
    today = [event for event in near if now.astimezone(event.tz).date() == event.date]
    if today:
        return today[0]
    rehearsals = db.session.scalars(select(Event).where(Event.checkin_rehearsal.is_(True))).all()
    return min(rehearsals, key=lambda event: (abs((event.date - now.date()).days), event.id),
               default=None)
