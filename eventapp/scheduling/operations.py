"""Every change of the scheduling area: solve jobs, accepting, moving, pinning, publishing.

Each function raises :class:`SchedulingError` with a message for the organiser when a rule
refuses the change; the view commits once per request (or rolls back on error).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from scheduler import (
    DEFAULT_OPTIONS,
    InstanceError,
    load_instance,
    solution_findings,
)

from ..auth.models import User
from ..database import lock_row
from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    Project,
    Room,
    Round,
    Session,
    Workshop,
    WorkshopSlot,
    session_presenters,
)
from ..registration.models import Participant, ParticipantStatus
from ..signals import assignment_changed, schedule_published
from .catalogue import ScheduleCatalogue
from .diagnosis import explain
from .instance import export_instance
from .jobs import backend_for
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
from .queries import (
    SwitchOption,
    active_job,
    current_rooms,
    draft_map,
    latest_publication,
    map_to_assignments,
    previous_option,
    round_numbers,
    solution_map,
    switching_state,
)
from .text import _

DEFAULT_STALE_AFTER_S = 60
DEFAULT_QUEUE_STALE_AFTER_S = 3600
DEFAULT_CHANGE_PENALTY = 50
MAX_LISTED = 5
KEEP_JOBS = 20


class SchedulingError(Refused):
    """A refused change, with a message for the organiser and optional details."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message, details=details)


# --- solve jobs ------------------------------------------------------------------------

def recover_stale_jobs(event: Event) -> list[SolveJob]:
    """Mark failed the active jobs whose runner died (app restart, killed worker).

    A running job refreshes its heartbeat every few seconds; a queued thread job starts
    at once. Past the limits, nothing will ever finish them, and they would block the
    event's next solve forever.
    """
    config = current_app.config
    stale = timedelta(seconds=config.get("SOLVE_STALE_AFTER_S", DEFAULT_STALE_AFTER_S))
    queue_stale = timedelta(seconds=config.get("SOLVE_QUEUE_STALE_AFTER_S",
                                               DEFAULT_QUEUE_STALE_AFTER_S))
    now = utcnow()
    recovered = []
    for job in db.session.scalars(select(SolveJob).where(
            SolveJob.event_id == event.id, SolveJob.status.in_(JobStatus.ACTIVE))):
        if job.status == JobStatus.RUNNING:
            dead = (job.heartbeat_at or job.started_at or job.created_at) < now - stale
            reason = _("The solve stopped reporting (the server or worker was probably "
                       "restarted). Start it again.")
        else:
            limit = queue_stale if job.backend == "rq" else stale
            dead = job.created_at < now - limit
            reason = _("No worker started this solve. Check that an RQ worker is running, "
                       "then start it again.") if job.backend == "rq" else \
                _("The solve never started (the server was probably restarted). "
                  "Start it again.")
        if dead:
            job.status = JobStatus.FAILED
            job.error = reason
            job.finished_at = now
            recovered.append(job)
    db.session.flush()
    return recovered


def build_solve_instance(event: Event, *, time_limit_s: int, change_penalty: int) -> dict:
    """The event's data as the solver's instance: pins as ``fixed``, the latest
    publication as ``previous`` (so few people move once they were told)."""
    instance = export_instance(event)
    options = instance["options"]
    options["previous"] = previous_option(event, instance)
    options["change_penalty"] = change_penalty
    options["time_limit_s"] = time_limit_s
    return instance


def start_solve(event: Event, user: User | None, *, time_limit_s: int,
                change_penalty: int = DEFAULT_CHANGE_PENALTY) -> SolveJob:
    """Create a queued job for the event (the caller commits, then dispatches it)."""
    recover_stale_jobs(event)
    if active_job(event) is not None:
        raise _already_running()
    instance = build_solve_instance(event, time_limit_s=time_limit_s,
                                    change_penalty=change_penalty)
    if not instance["participants"]:
        raise SchedulingError(_("There is nobody to seat: no registered participant yet."))
    if not instance["rounds"] and not instance["workshop_slots"]:
        raise SchedulingError(_("The programme has no speed-dating round and no workshop "
                                "slot yet: add them before solving."))
    try:
        load_instance(instance)
    except InstanceError as error:
        raise SchedulingError(
            _("The event's data cannot be solved as it is; correct these points first:"),
            [f"{path}: {message}" for path, message in error.errors[:MAX_LISTED * 2]],
        ) from error
    job = SolveJob(event=event, created_by_id=user.id if user else None,
                   status=JobStatus.QUEUED, backend=backend_for(),
                   time_limit_s=time_limit_s, change_penalty=change_penalty,
                   instance=instance, heartbeat_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError as error:  # another organiser started one a moment ago
        raise _already_running() from error
    _prune_old_jobs(event)
    return job


def _prune_old_jobs(event: Event) -> None:
    """Keep the event's last KEEP_JOBS jobs (each holds a full instance and solution),
    and any accepted one: its result is what the draft came from."""
    keep = current_app.config.get("SOLVE_KEEP_JOBS", KEEP_JOBS)
    old = db.session.scalars(
        select(SolveJob.id).where(SolveJob.event_id == event.id,
                                  SolveJob.status.not_in(JobStatus.ACTIVE),
                                  SolveJob.accepted_at.is_(None))
        .order_by(SolveJob.created_at.desc(), SolveJob.id.desc()).offset(keep)).all()
    if old:
        db.session.execute(delete(SolveJob).where(SolveJob.id.in_(old)),
                           execution_options={"synchronize_session": "fetch"})


def _already_running() -> SchedulingError:
    return SchedulingError(_("A solve is already running for this event. Wait for it to "
                             "finish or cancel it before starting another."))


def job_dispatch_failed(job: SolveJob, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.error = _("The job queue could not be reached: %(reason)s", reason=reason)
    job.finished_at = utcnow()


def cancel_job(job: SolveJob) -> None:
    """Cancel a queued job at once; ask a running one to stop (it keeps its best result)."""
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.cancel_requested = True
        job.finished_at = utcnow()
    elif job.status == JobStatus.RUNNING:
        job.cancel_requested = True
    else:
        raise SchedulingError(_("This solve has already ended."))


# --- accepting a result ----------------------------------------------------------------

def accept_result(event: Event, job: SolveJob) -> int:
    """Make a job's schedule the event's draft, in one transaction; return seats written.

    The result is checked against the event's data *now*: if seats, pins or people changed
    since the solve so that the result breaks a rule, it is refused (solve again).
    Pinned assignments stay as they are (the solver had them as ``fixed``).
    """
    if job.event_id != event.id or not job.has_schedule:
        raise SchedulingError(_("This solve has no schedule to accept."))
    cat = ScheduleCatalogue.load(event)
    schedule = solution_map(job.solution)
    programme = job.solution.get("programme") or []
    _place_programme(cat, programme)
    current = export_instance(event)
    violations = solution_findings(current, {"programme": programme,
                                             "assignments": map_to_assignments(schedule)})
    if violations:
        raise SchedulingError(
            _("The event changed since this solve (people, seats or pins), and this result "
              "no longer fits it. Run the solver again."), explain(cat, violations[:MAX_LISTED]))
    written = _write_draft(cat, schedule)
    job.accepted_at = utcnow()
    return written


def _place_programme(cat: ScheduleCatalogue, programme: list[dict]) -> None:
    """Programme mode: give sessions left open the round and room the solver chose."""
    rounds, rooms = cat.round_by_key, cat.room_by_key
    used = {(s.round_id, s.room_id, s.table_number) for s in cat.sessions.values()
            if s.table_number}
    for entry in programme:
        session = cat.session_by_key.get(entry.get("session"))
        if session is None or (session.round_id and session.room_id):
            continue
        round_, room = rounds.get(entry.get("round")), rooms.get(entry.get("room"))
        if round_ is None or room is None:
            continue
        session.round_id, session.room_id = round_.id, room.id
        table = next(t for t in range(1, room.tables + 2)
                     if (round_.id, room.id, t) not in used or t > room.tables)
        session.table_number = table
        used.add((round_.id, room.id, table))
    db.session.flush()


def _write_draft(cat: ScheduleCatalogue, schedule: dict) -> int:
    round_ids = [r.id for r in cat.rounds]
    slot_ids = [s.id for s in cat.slots]
    pinned_rounds = set(db.session.execute(
        select(Assignment.participant_id, Assignment.round_id)
        .where(Assignment.round_id.in_(round_ids), Assignment.pinned.is_(True))).all())
    pinned_slots = set(db.session.execute(
        select(WorkshopAssignment.participant_id, WorkshopAssignment.slot_id)
        .where(WorkshopAssignment.slot_id.in_(slot_ids),
               WorkshopAssignment.pinned.is_(True))).all())
    db.session.execute(delete(Assignment).where(
        Assignment.round_id.in_(round_ids), Assignment.pinned.is_(False)),
        execution_options={"synchronize_session": "fetch"})
    db.session.execute(delete(WorkshopAssignment).where(
        WorkshopAssignment.slot_id.in_(slot_ids), WorkshopAssignment.pinned.is_(False)),
        execution_options={"synchronize_session": "fetch"})
    people, rounds, slots = cat.participant_by_key, cat.round_by_key, cat.slot_by_key
    sessions, workshops = cat.session_by_key, cat.workshop_by_key
    rows: list[Any] = []
    for key, entry in schedule.items():
        person = people[key]
        for round_key, session_key in entry["sessions"].items():
            round_id = rounds[round_key].id
            if (person.id, round_id) not in pinned_rounds:
                rows.append(Assignment(participant_id=person.id, round_id=round_id,
                                       session_id=sessions[session_key].id, pinned=False))
        for slot_key, workshop_key in entry["workshops"].items():
            slot_id = slots[slot_key].id
            if (person.id, slot_id) not in pinned_slots:
                rows.append(WorkshopAssignment(participant_id=person.id, slot_id=slot_id,
                                               workshop_id=workshops[workshop_key].id,
                                               pinned=False))
    db.session.add_all(rows)
    db.session.flush()
    db.session.expire_all()
    return len(rows)


# --- manual moves and participants' own switches ----------------------------------------
#
# The organiser's moves and a participant's own switch go through the same rule checks
# below; only the wording differs (third person for the organiser, second person for the
# participant), chosen by ``audience``.

ORGANISER = "organiser"
PARTICIPANT = "participant"


def _refuse(rule: str, audience: str, **params: Any) -> SchedulingError:
    """The refusal of ``rule`` worded for ``audience``; ``error.rule`` names the rule."""
    messages = _PARTICIPANT_MESSAGES if audience == PARTICIPANT else _ORGANISER_MESSAGES
    error = SchedulingError(messages[rule](params))
    error.rule = rule
    return error


_ORGANISER_MESSAGES = {
    "not_registered": lambda p: _("%(name)s is not a registered participant (waiting list or "
                                  "cancelled).", name=p["name"]),
    "unavailable_round": lambda p: _("Unavailable: %(name)s is not available during this "
                                     "round.", name=p["name"]),
    "unavailable_slot": lambda p: _("Unavailable: %(name)s is not available during these "
                                    "workshops.", name=p["name"]),
    "presenter_busy": lambda p: _("Presenter busy: %(name)s presents their project during "
                                  "this round.", name=p["name"]),
    "step_free": lambda p: _("Accessibility: %(name)s needs step-free access and “%(room)s” "
                             "is not step-free.", name=p["name"], room=p["room"]),
    "same_project": lambda p: _("Same project twice: %(name)s already attends “%(project)s” "
                                "in another round.", name=p["name"], project=p["project"]),
    "session_full": lambda p: _("Capacity: “%(project)s” has no seat left in this round "
                                "(%(taken)d / %(capacity)d).", project=p["project"],
                                taken=p["taken"], capacity=p["capacity"]),
    "room_full": lambda p: _("Capacity: room “%(room)s” is full in this round "
                             "(%(taken)d / %(capacity)d).", room=p["room"], taken=p["taken"],
                             capacity=p["capacity"]),
    "workshop_full": lambda p: _("Capacity: the workshop “%(workshop)s” is full "
                                 "(%(taken)d / %(capacity)d).", workshop=p["workshop"],
                                 taken=p["taken"], capacity=p["capacity"]),
    "theme_variety": lambda p: _("Theme variety: %(name)s would see only %(got)d different "
                                 "theme(s); the event asks for %(needed)d.", name=p["name"],
                                 got=p["got"], needed=p["needed"]),
    "min_audience": lambda p: _("Minimum audience: “%(project)s” would keep only %(left)d "
                                "participants, below its minimum of %(minimum)d.",
                                project=p["project"], left=p["left"], minimum=p["minimum"]),
    "min_audience_join": lambda p: _("Minimum audience: “%(project)s” has nobody yet and "
                                     "would have only 1 participant, below its minimum of "
                                     "%(minimum)d.", project=p["project"],
                                     minimum=p["minimum"]),
}

_PARTICIPANT_MESSAGES = {
    "not_registered": lambda p: _("Only registered participants can change their "
                                  "programme (you are on the waiting list or cancelled)."),
    "unavailable_round": lambda p: _("You told the organisers you are not available during "
                                     "this round."),
    "unavailable_slot": lambda p: _("You told the organisers you are not available during "
                                    "these workshops."),
    "presenter_busy": lambda p: _("You present your own project during this round."),
    "step_free": lambda p: _("Room “%(room)s” has no step-free access, which you need.",
                             room=p["room"]),
    "same_project": lambda p: _("You already see “%(project)s” in round %(number)d.",
                                project=p["project"], number=p["number"]),
    "session_full": lambda p: _("This presentation is full: “%(project)s” has no seat left.",
                                project=p["project"]),
    "room_full": lambda p: _("This presentation is full: room “%(room)s” has no seat left "
                             "in this round.", room=p["room"]),
    "workshop_full": lambda p: _("This workshop is full: “%(workshop)s” has no seat left.",
                                 workshop=p["workshop"]),
    "theme_variety": lambda p: _("Theme variety: with this change you would see only "
                                 "%(got)d different theme(s) and the event asks for "
                                 "%(needed)d. Choose a presentation of another theme.",
                                 got=p["got"], needed=p["needed"]),
    "min_audience": lambda p: _("“%(project)s” needs at least %(minimum)d participants and "
                                "would keep only %(left)d without you: you cannot leave it.",
                                project=p["project"], left=p["left"], minimum=p["minimum"]),
    "min_audience_join": lambda p: _("“%(project)s” has nobody yet and needs at least "
                                     "%(minimum)d participants: you cannot open it alone.",
                                     project=p["project"], minimum=p["minimum"]),
}

# Rules an organiser may break on purpose with "move anyway" (recorded in MoveOverride):
# they describe a state the next moves can repair, and publication still checks them.
# The others (capacity, step-free access, availability, presenting, the same project
# twice) describe what cannot happen on the day.
SOFT_RULES = ("min_audience", "min_audience_join", "theme_variety")


def refusal_message(rule: str, **params: Any) -> str:
    """The organiser's wording of ``rule`` (the move page shows it next to an option)."""
    return _ORGANISER_MESSAGES[rule](params)


def _lock(model: type, row_id: int) -> None:
    """Serialise the writers that count seats, until the transaction ends
    (:func:`eventapp.database.lock_row`)."""
    lock_row(model, row_id)


def _lock_event(event: Event, *, shared: bool) -> None:
    """Publishing (exclusive) and participants' switches (shared) exclude each other, so a
    switch never edits a snapshot that a publication committing at the same moment has
    already replaced. PostgreSQL: FOR UPDATE / FOR SHARE on the event row; SQLite: the
    write lock (as :func:`_lock`)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event.id)
                           .with_for_update(read=shared))
    else:
        _lock(Event, event.id)


def _lock_all(rows: list[tuple[type, int]]) -> None:
    """Lock rows in a fixed order (participant, rooms, then sessions or workshops by id),
    the same in every writer, so two moves never wait for each other in a cycle."""
    order = {Participant: 0, Room: 1, Session: 2, Workshop: 2}
    for model, row_id in sorted(set(rows), key=lambda r: (order[r[0]], r[1])):
        _lock(model, row_id)


def presenting_rounds(participant: Participant) -> set[int]:
    """Rounds in which the participant presents (project presenter or session presenter)."""
    from ..programme.models import project_presenters

    by_project = select(Session.round_id).join(
        project_presenters, project_presenters.c.project_id == Session.project_id
    ).where(project_presenters.c.participant_id == participant.id,
            Session.round_id.is_not(None))
    by_session = select(Session.round_id).join(
        session_presenters, session_presenters.c.session_id == Session.id
    ).where(session_presenters.c.participant_id == participant.id,
            Session.round_id.is_not(None))
    return set(db.session.scalars(by_project)) | set(db.session.scalars(by_session))


def move_to_session(event: Event, participant: Participant, session: Session, *,
                    pin: bool, anyway: bool = False, user: User | None = None) -> Assignment:
    """Seat ``participant`` in ``session`` for its round, if every rule allows it.

    ``anyway``: the organiser chose to break the soft rules (:data:`SOFT_RULES`); each
    one broken is recorded with who and when. Hard rules are never overridden.
    """
    plan = _plan_session_move(event, participant, session, ORGANISER)
    if plan.current is not None and plan.current.session_id == session.id:
        plan.current.pinned = pin
        db.session.flush()
        return plan.current
    broken: list[str] = []
    assignment = _seat_in_session(event, participant, plan, pin=pin,
                                  overridden=broken if anyway else None)
    db.session.add_all(MoveOverride(
        event_id=event.id, participant_id=participant.id,
        user_id=user.id if user else None, kind="session", when_key=plan.round.key,
        to_key=session.key, rule=rule, created_at=utcnow()) for rule in broken)
    db.session.flush()
    return assignment


class _SessionMove:
    """What a move into a session needs once the shared rules passed."""

    def __init__(self, session: Session, room: Room, round_: Round,
                 current: Assignment | None, others: list[Assignment], audience: str):
        self.session, self.room, self.round = session, room, round_
        self.current, self.others, self.audience = current, others, audience


def _plan_session_move(event: Event, participant: Participant, session: Session,
                       audience: str) -> _SessionMove:
    """Lock, then check the rules that do not depend on seats: status, availability,
    presenting, step-free access, the same project twice."""
    if session.event_id != event.id or participant.event_id != event.id:
        raise SchedulingError(_("This session does not belong to the event."))
    if session.round_id is None or session.room_id is None:
        raise SchedulingError(_("This session has no round or room yet."))
    room = db.session.get(Room, session.room_id)
    round_ = db.session.get(Round, session.round_id)
    _lock(Participant, participant.id)
    current = db.session.scalar(select(Assignment).where(
        Assignment.participant_id == participant.id, Assignment.round_id == round_.id))
    locks = [(Room, room.id), (Session, session.id)]
    if current is not None:
        locks.append((Session, current.session_id))
    _lock_all(locks)
    name = participant.full_name or participant.key
    if participant.status != ParticipantStatus.REGISTERED:
        raise _refuse("not_registered", audience, name=name)
    if round_.id in {r.id for r in participant.unavailable_rounds}:
        raise _refuse("unavailable_round", audience, name=name)
    if round_.id in presenting_rounds(participant):
        raise _refuse("presenter_busy", audience, name=name)
    if participant.needs_step_free and not room.step_free:
        raise _refuse("step_free", audience, name=name, room=room.name)
    others = db.session.scalars(select(Assignment).where(
        Assignment.participant_id == participant.id, Assignment.round_id != round_.id)).all()
    for other in others:
        seen = db.session.get(Session, other.session_id)
        if seen.project_id == session.project_id:
            raise _refuse("same_project", audience, name=name, project=session.project.name,
                          number=round_numbers(event).get(other.round_id, 0))
    return _SessionMove(session, room, round_, current, list(others), audience)


def _seat_in_session(event: Event, participant: Participant, plan: _SessionMove, *,
                     pin: bool, overridden: list[str] | None = None) -> Assignment:
    """Check seats, theme variety and the audience on both sides, then write the move.

    ``overridden``: a list to collect the soft rules broken instead of refusing them
    (the organiser's "move anyway"); None refuses every rule.
    """
    _check_session_seats(participant, plan)
    current = plan.current
    soft = [lambda: _check_theme_variety(event, participant, plan),
            lambda: _check_min_audience_on_joining(plan.session, participant, plan.audience)]
    if current is not None:
        leaving = current.session_id
        soft.append(lambda: _check_min_audience_after_leaving(leaving, participant,
                                                              plan.audience))
    for check in soft:
        try:
            check()
        except SchedulingError as error:
            if overridden is None or getattr(error, "rule", None) not in SOFT_RULES:
                raise
            overridden.append(error.rule)
    if current is not None:
        current.session_id = plan.session.id
        current.pinned = pin
    else:
        current = Assignment(participant_id=participant.id, round_id=plan.round.id,
                             session_id=plan.session.id, pinned=pin)
        db.session.add(current)
    db.session.flush()
    # Counted again inside the transaction after the write (belt and braces: the locks
    # above already serialise the writers of these rows).
    _check_session_seats(participant, plan)
    return current


def _check_theme_variety(event: Event, participant: Participant, plan: _SessionMove) -> None:
    """Rule 8: the sessions attended cover min(min_distinct_themes, rounds attended) themes."""
    wanted = int((event.scheduling_options or {}).get(
        "min_distinct_themes", DEFAULT_OPTIONS["min_distinct_themes"]) or 0)
    if wanted <= 1:
        return
    sessions = [db.session.get(Session, a.session_id) for a in plan.others] + [plan.session]
    themes = {s.project.theme_id for s in sessions}
    needed = min(wanted, len(sessions))
    if len(themes) < needed:
        raise _refuse("theme_variety", plan.audience,
                      name=participant.full_name or participant.key,
                      got=len(themes), needed=needed)


def _seated(statement, model):
    """Only rows of registered participants hold a seat (not cancelled or waiting ones)."""
    return statement.join(Participant, Participant.id == model.participant_id).where(
        Participant.status == ParticipantStatus.REGISTERED)


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _check_session_seats(participant: Participant, plan: _SessionMove) -> None:
    """Seats taken by others, plus this person, must fit in the session and the room."""
    session, room = plan.session, plan.room
    taken = _count(_seated(select(Assignment.id), Assignment).where(
        Assignment.session_id == session.id, Assignment.participant_id != participant.id))
    capacity = session.effective_capacity or 0
    if taken + 1 > capacity:
        raise _refuse("session_full", plan.audience, project=session.project.name,
                      taken=taken, capacity=capacity)
    in_room = _count(_seated(select(Assignment.id), Assignment)
                     .join(Session, Session.id == Assignment.session_id)
                     .where(Session.room_id == room.id, Assignment.round_id == plan.round.id,
                            Assignment.participant_id != participant.id))
    if in_room + 1 > room.capacity:
        raise _refuse("room_full", plan.audience, room=room.name, taken=in_room,
                      capacity=room.capacity)


def _check_min_audience_after_leaving(session_id: int, participant: Participant,
                                      audience: str) -> None:
    old = db.session.get(Session, session_id)
    left = _count(_seated(select(Assignment.id), Assignment).where(
        Assignment.session_id == old.id, Assignment.participant_id != participant.id))
    if 0 < left < old.min_audience:
        raise _refuse("min_audience", audience, project=old.project.name, left=left,
                      minimum=old.min_audience)


def _check_min_audience_on_joining(session: Session, participant: Participant,
                                   audience: str) -> None:
    """The other side of the minimum audience: opening an empty session with one person
    leaves it under its minimum just as leaving one does (publication refuses both)."""
    others = _count(_seated(select(Assignment.id), Assignment).where(
        Assignment.session_id == session.id, Assignment.participant_id != participant.id))
    if others == 0 and session.min_audience > 1:
        raise _refuse("min_audience_join", audience, project=session.project.name,
                      minimum=session.min_audience)


def move_to_workshop(event: Event, participant: Participant, workshop: Workshop, *,
                     pin: bool) -> WorkshopAssignment:
    """Send ``participant`` to ``workshop`` for its slot, if every rule allows it."""
    current = _plan_workshop_move(event, participant, workshop, ORGANISER)
    if current is not None and current.workshop_id == workshop.id:
        current.pinned = pin
        db.session.flush()
        return current
    return _seat_in_workshop(participant, workshop, current, ORGANISER, pin=pin)


def _plan_workshop_move(event: Event, participant: Participant, workshop: Workshop,
                        audience: str) -> WorkshopAssignment | None:
    """Lock, check status, availability and step-free access; return the current row."""
    if workshop.event_id != event.id or participant.event_id != event.id:
        raise SchedulingError(_("This workshop does not belong to the event."))
    slot = db.session.get(WorkshopSlot, workshop.slot_id)
    room = db.session.get(Room, workshop.room_id)
    _lock(Participant, participant.id)
    _lock_all([(Room, room.id), (Workshop, workshop.id)])
    name = participant.full_name or participant.key
    if participant.status != ParticipantStatus.REGISTERED:
        raise _refuse("not_registered", audience, name=name)
    if slot.id in {s.id for s in participant.unavailable_slots}:
        raise _refuse("unavailable_slot", audience, name=name)
    if participant.needs_step_free and not room.step_free:
        raise _refuse("step_free", audience, name=name, room=room.name)
    return db.session.scalar(select(WorkshopAssignment).where(
        WorkshopAssignment.participant_id == participant.id,
        WorkshopAssignment.slot_id == slot.id))


def _seat_in_workshop(participant: Participant, workshop: Workshop,
                      current: WorkshopAssignment | None, audience: str, *,
                      pin: bool) -> WorkshopAssignment:
    """Check the workshop's seats (before and after the write), then move."""
    for after_write in (False, True):
        if after_write:
            if current is not None:
                current.workshop_id = workshop.id
                current.pinned = pin
            else:
                current = WorkshopAssignment(participant_id=participant.id,
                                             slot_id=workshop.slot_id,
                                             workshop_id=workshop.id, pinned=pin)
                db.session.add(current)
            db.session.flush()
        taken = _count(_seated(select(WorkshopAssignment.id), WorkshopAssignment).where(
            WorkshopAssignment.workshop_id == workshop.id,
            WorkshopAssignment.participant_id != participant.id))
        if taken + 1 > workshop.capacity:
            raise _refuse("workshop_full", audience, workshop=workshop.name, taken=taken,
                          capacity=workshop.capacity)
    return current


# --- a participant's own switch (portal) -----------------------------------------------

def switch_session(participant: Participant, session: Session,
                   now: datetime | None = None) -> ScheduleSwitch:
    """The participant takes a seat in ``session`` instead of their place in its round.

    Allowed once the schedule is published and until switching closes
    (:func:`queries.switching_closes_at`). Same rules as an organiser's move, under the
    same locks, so the last seat is taken once. Changes the assignment *and* the
    participant's snapshot in the latest publication (their day shows it at once and a
    re-publication does not report it as a change); logs the switch for the organisers.
    """
    event = participant.event
    publication, snapshot = _open_snapshot(participant, now)
    if session.event_id != event.id or session.round_id is None:
        raise SchedulingError(_("This presentation is not part of your day."))
    plan = _plan_session_move(event, participant, session, PARTICIPANT)
    current = plan.current
    if current is None:
        raise SchedulingError(_("You have no place in this round to change."))
    if current.session_id == session.id:
        raise SchedulingError(_("This is already your presentation for this round."))
    if current.pinned:
        raise SchedulingError(_("The organisers chose your place in this round themselves: "
                                "ask them if you need to change it."))
    before = db.session.get(Session, current.session_id).key
    _seat_in_session(event, participant, plan, pin=False)
    db.session.refresh(snapshot)  # read under the participant's lock, not a stale copy
    round_key = plan.round.key
    snapshot.sessions = {**(snapshot.sessions or {}), round_key: session.key}
    snapshot.rooms = {**(snapshot.rooms or {}), round_key: plan.room.key}
    db.session.flush()
    assignment_changed.send(participant)  # their calendar says the new session at once
    return _log_switch(participant, publication, "session", round_key, before, session.key)


def switch_workshop(participant: Participant, workshop: Workshop,
                    now: datetime | None = None) -> ScheduleSwitch:
    """The participant's own change of workshop in a slot (see :func:`switch_session`)."""
    event = participant.event
    publication, snapshot = _open_snapshot(participant, now)
    if workshop.event_id != event.id:
        raise SchedulingError(_("This workshop is not part of your day."))
    current = _plan_workshop_move(event, participant, workshop, PARTICIPANT)
    if current is None:
        raise SchedulingError(_("You have no workshop at this time to change."))
    if current.workshop_id == workshop.id:
        raise SchedulingError(_("This is already your workshop at this time."))
    if current.pinned:
        raise SchedulingError(_("The organisers chose your workshop themselves: ask them if "
                                "you need to change it."))
    before = db.session.get(Workshop, current.workshop_id).key
    _seat_in_workshop(participant, workshop, current, PARTICIPANT, pin=False)
    db.session.refresh(snapshot)  # read under the participant's lock, not a stale copy
    slot = db.session.get(WorkshopSlot, workshop.slot_id)
    room = db.session.get(Room, workshop.room_id)
    snapshot.workshops = {**(snapshot.workshops or {}), slot.key: workshop.key}
    snapshot.rooms = {**(snapshot.rooms or {}), slot.key: room.key}
    db.session.flush()
    assignment_changed.send(participant)  # their calendar says the new workshop at once
    return _log_switch(participant, publication, "workshop", slot.key, before, workshop.key)


def switch_refusals(participant: Participant, options: list[SwitchOption]) -> dict[int, str]:
    """Why each option of a "change" page cannot be taken (target id -> the reason, in the
    participant's words), read before any tap with the rules :func:`switch_session` and
    :func:`switch_workshop` apply, so the page offers only what can be taken. Options
    missing from the result may be taken (the switch still checks everything again,
    under its locks). A fixed number of queries, whatever the number of options."""
    others = [o for o in options if not o.is_current]
    if not others:
        return {}
    current = next((o for o in options if o.is_current), None)
    whole = _refusal_for_all(participant, others[0], current)
    refusals = {}
    for option in others:
        reason = whole or _option_refusal(participant, option)
        if reason:
            refusals[option.target.id] = reason
    if others[0].kind == "session" and not whole:
        refusals.update(_session_refusals(participant, [o for o in others
                                                        if o.target.id not in refusals]))
    return refusals


def _refusal_for_all(participant: Participant, option: SwitchOption,
                     current: SwitchOption | None) -> str | None:
    """A rule that refuses every option of the page (the person's own situation)."""
    def words(rule: str, **params: Any) -> str:
        return _refuse(rule, PARTICIPANT, **params).message

    if participant.status != ParticipantStatus.REGISTERED:
        return words("not_registered")
    nothing_to_change = str(_("You have no place at this time to change."))
    if option.kind == "session":
        round_id = option.target.round_id
        if round_id in {r.id for r in participant.unavailable_rounds}:
            return words("unavailable_round")
        if round_id in presenting_rounds(participant):
            return words("presenter_busy")
        if current is None:
            return nothing_to_change
        row = db.session.scalar(select(Assignment).where(
            Assignment.participant_id == participant.id, Assignment.round_id == round_id))
        if row is not None and row.pinned:
            return str(_("The organisers chose your place in this round themselves: ask "
                         "them if you need to change it."))
        leaving, left = current.target, current.taken
        if 0 < left < leaving.min_audience:
            return words("min_audience", project=leaving.project.name, left=left,
                         minimum=leaving.min_audience)
        return None
    if option.target.slot_id in {s.id for s in participant.unavailable_slots}:
        return words("unavailable_slot")
    if current is None:
        return nothing_to_change
    row = db.session.scalar(select(WorkshopAssignment).where(
        WorkshopAssignment.participant_id == participant.id,
        WorkshopAssignment.slot_id == option.target.slot_id))
    if row is not None and row.pinned:
        return str(_("The organisers chose your workshop themselves: ask them if you need "
                     "to change it."))
    return None


def _option_refusal(participant: Participant, option: SwitchOption) -> str | None:
    """Rules of one option on its own: step-free access, a free seat."""
    if participant.needs_step_free and option.room is not None and not option.room.step_free:
        return _refuse("step_free", PARTICIPANT, room=option.room.name).message
    if option.seats_left <= 0:
        if option.kind == "workshop":
            return _refuse("workshop_full", PARTICIPANT, workshop=option.title).message
        if option.capacity - option.taken > 0:  # seats at the table, none in the room
            return _refuse("room_full", PARTICIPANT, room=option.room.name).message
        return _refuse("session_full", PARTICIPANT, project=option.title).message
    return None


def _session_refusals(participant: Participant, options: list[SwitchOption]
                      ) -> dict[int, str]:
    """Rules that depend on the rest of the person's day: the same project twice, the
    variety of themes."""
    if not options:
        return {}
    event = participant.event
    round_id = options[0].target.round_id
    seen = db.session.execute(
        select(Session.project_id, Assignment.round_id, Project.theme_id)
        .join(Assignment, Assignment.session_id == Session.id)
        .join(Project, Project.id == Session.project_id)
        .where(Assignment.participant_id == participant.id, Assignment.round_id != round_id)
    ).all()
    numbers = round_numbers(event)
    by_project = {project_id: numbers.get(other_round, 0)
                  for project_id, other_round, _theme in seen}
    wanted = int((event.scheduling_options or {}).get(
        "min_distinct_themes", DEFAULT_OPTIONS["min_distinct_themes"]) or 0)
    themes = {theme for _p, _r, theme in seen}
    refusals = {}
    for option in options:
        session = option.target
        if session.project_id in by_project:
            refusals[session.id] = _refuse("same_project", PARTICIPANT, project=option.title,
                                           number=by_project[session.project_id]).message
            continue
        needed = min(wanted, len(seen) + 1)
        got = len(themes | {option.project.theme_id})
        if wanted > 1 and got < needed:
            refusals[session.id] = _refuse("theme_variety", PARTICIPANT, got=got,
                                           needed=needed).message
    return refusals


def _open_snapshot(participant: Participant, now: datetime | None
                   ) -> tuple[Publication, PublishedSchedule]:
    """The latest publication and the participant's snapshot in it, if switching is open
    (read after taking the event's shared lock: no publication can commit meanwhile)."""
    _lock_event(participant.event, shared=True)
    state = switching_state(participant, now)
    if not state.open:
        raise SchedulingError(state.reason)
    return state.publication, state.snapshot


def _log_switch(participant: Participant, publication: Publication, kind: str,
                when_key: str, before: str | None, after: str) -> ScheduleSwitch:
    entry = ScheduleSwitch(event_id=participant.event_id, publication_id=publication.id,
                           participant_id=participant.id, kind=kind, when_key=when_key,
                           from_key=before, to_key=after, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry


def set_pinned(participant: Participant, *, round_id: int | None = None,
               slot_id: int | None = None, pinned: bool) -> None:
    """Pin (or unpin) the participant's current session of a round or workshop of a slot."""
    if round_id is not None:
        row = db.session.scalar(select(Assignment).where(
            Assignment.participant_id == participant.id, Assignment.round_id == round_id))
    else:
        row = db.session.scalar(select(WorkshopAssignment).where(
            WorkshopAssignment.participant_id == participant.id,
            WorkshopAssignment.slot_id == slot_id))
    if row is None:
        raise SchedulingError(_("There is nothing to pin: %(name)s has no place there yet.",
                                name=participant.full_name or participant.key))
    row.pinned = pinned
    db.session.flush()


# --- publication -----------------------------------------------------------------------

def publish(event: Event, user: User | None, *, notify: bool = False) -> Publication:
    """Show the current draft to participants as a new publication version.

    Sends ``schedule_published``: calendars record it and, with ``notify``, each
    participant whose day changed is emailed (queued; sent by the caller's commit).

    Refused while the draft breaks a rule or leaves a registered participant without a
    place (solve again or move them first): participants are never shown a wrong day.
    """
    _lock_event(event, shared=False)
    draft = draft_map(event)
    if not draft:
        raise SchedulingError(_("Nothing to publish yet: accept a solver result first."))
    instance = export_instance(event)
    empty: dict[str, dict[str, str]] = {"sessions": {}, "workshops": {}}
    schedule = {p["id"]: draft.get(p["id"], empty) for p in instance["participants"]}
    violations = solution_findings(instance, {"assignments": map_to_assignments(schedule)})
    cat = ScheduleCatalogue.load(event)
    by_key = cat.participant_by_key
    # someone with no row at all who needs a place: a late registration, say so plainly
    missing_place = {v["participant"] for v in violations
                     if v.code in ("round_without_session", "slot_without_workshop")}
    unseated = {k for k in schedule if k not in draft and k in missing_place}
    if unseated:
        missing = sorted((by_key[k] for k in unseated),
                         key=lambda p: (p.last_name, p.first_name, p.id))
        raise SchedulingError(
            _("%(count)d registered participant(s) have no place yet: run the solver again "
              "(or place them by hand) before publishing.", count=len(missing)),
            [p.full_name or p.key for p in missing[:MAX_LISTED]])
    if violations:
        raise SchedulingError(_("The current schedule breaks a rule; correct it before "
                                "publishing."), explain(cat, violations[:MAX_LISTED]))
    latest = latest_publication(event)
    publication = Publication(event=event, version=(latest.version if latest else 0) + 1,
                              published_at=utcnow(),
                              published_by_id=user.id if user else None)
    db.session.add(publication)
    db.session.flush()
    rooms = current_rooms(cat, schedule)
    db.session.add_all(PublishedSchedule(
        publication_id=publication.id, participant_id=by_key[key].id,
        sessions=entry["sessions"], workshops=entry["workshops"], rooms=rooms[key])
        for key, entry in sorted(schedule.items()))
    db.session.flush()
    schedule_published.send(publication, notify=notify)
    return publication
