"""Every change of the scheduling area: solve jobs, accepting, moving, pinning, publishing.

Each function raises :class:`SchedulingError` with a message for the organiser when a rule
refuses the change; the view commits once per request (or rolls back on error).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from scheduler import (
    InstanceError,
    load_instance,
    solution_findings,
)

from ..auth.models import User
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    Session,
    Workshop,
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
    solution_map,
    switching_state,
)
from .rules import (
    ORGANISER,
    PARTICIPANT,
    SchedulingError,
    lock_event,
    refuse,
)
from .seating import SESSIONS, WORKSHOPS, Seating, seating_of
from .text import _

DEFAULT_STALE_AFTER_S = 60
DEFAULT_QUEUE_STALE_AFTER_S = 3600
DEFAULT_CHANGE_PENALTY = 50
MAX_LISTED = 5
KEEP_JOBS = 20


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
# The organiser's moves and a participant's own switch go through one path for sessions
# and workshops (:mod:`seating`) and the same rule checks (:mod:`rules`); only the wording
# differs (third person for the organiser, second person for the participant).

def move_to(event: Event, participant: Participant, target: Session | Workshop, *,
            pin: bool, anyway: bool = False, user: User | None = None
            ) -> Assignment | WorkshopAssignment:
    """Seat ``participant`` in ``target`` (a session for its round, a workshop for its
    slot), if every rule allows it.

    ``anyway``: the organiser chose to break the soft rules (:data:`SOFT_RULES`, which
    only sessions have); each one broken is recorded with who and when. Hard rules are
    never overridden.
    """
    seating = seating_of(target)
    plan = seating.plan(event, participant, target, ORGANISER)
    if plan.current is not None and seating.target_id(plan.current) == target.id:
        plan.current.pinned = pin
        db.session.flush()
        return plan.current
    broken: list[str] = []
    row = seating.seat(event, participant, plan, pin=pin,
                       overridden=broken if anyway else None)
    db.session.add_all(MoveOverride(
        event_id=event.id, participant_id=participant.id,
        user_id=user.id if user else None, kind=seating.kind, when_key=plan.when.key,
        to_key=target.key, rule=rule, created_at=utcnow()) for rule in broken)
    db.session.flush()
    return row


# The names before the Seating interface, kept for callers written against them.
move_to_session = move_to
move_to_workshop = move_to


# --- a participant's own switch (portal) -----------------------------------------------

def switch_to(participant: Participant, target: Session | Workshop,
              now: datetime | None = None) -> ScheduleSwitch:
    """The participant takes ``target`` (a session, a workshop) instead of their place at
    that time.

    Allowed once the schedule is published and until switching closes
    (:func:`queries.switching_closes_at`). Same rules as an organiser's move, under the
    same locks, so the last seat is taken once. Changes the assignment *and* the
    participant's snapshot in the latest publication (their day shows it at once and a
    re-publication does not report it as a change); logs the switch for the organisers.
    """
    seating = seating_of(target)
    event = participant.event
    publication, snapshot = _open_snapshot(participant, now)
    if target.event_id != event.id or seating.when_id(target) is None:
        raise SchedulingError(seating.words.not_in_day)
    plan = seating.plan(event, participant, target, PARTICIPANT)
    current = plan.current
    if current is None:
        raise SchedulingError(seating.words.nothing_to_change)
    if seating.target_id(current) == target.id:
        raise SchedulingError(seating.words.already_there)
    if current.pinned:
        raise SchedulingError(seating.words.chosen_by_organisers)
    before = seating.get_target(seating.target_id(current)).key
    seating.seat(event, participant, plan, pin=False)
    db.session.refresh(snapshot)  # read under the participant's lock, not a stale copy
    when_key = plan.when.key
    field = seating.snapshot_field
    setattr(snapshot, field, {**(getattr(snapshot, field) or {}), when_key: target.key})
    snapshot.rooms = {**(snapshot.rooms or {}), when_key: plan.room.key}
    db.session.flush()
    assignment_changed.send(participant)  # their calendar says the new place at once
    return _log_switch(participant, publication, seating.kind, when_key, before, target.key)


# The names before the Seating interface, kept for callers written against them.
switch_session = switch_to
switch_workshop = switch_to


def switch_refusals(participant: Participant, options: list[SwitchOption]) -> dict[int, str]:
    """Why each option of a "change" page cannot be taken (target id -> the reason, in the
    participant's words), read before any tap with the rules :func:`switch_to` applies,
    so the page offers only what can be taken. Options missing from the result may be
    taken (the switch still checks everything again, under its locks). A fixed number of
    queries, whatever the number of options."""
    others = [o for o in options if not o.is_current]
    if not others:
        return {}
    seating = seating_of(others[0].target)
    current = next((o for o in options if o.is_current), None)
    whole = _refusal_for_all(seating, participant, others[0], current)
    refusals = {}
    for option in others:
        reason = whole or _option_refusal(seating, participant, option)
        if reason:
            refusals[option.target.id] = reason
    if not whole:
        refusals.update(seating.day_refusals(participant, [o for o in others
                                                           if o.target.id not in refusals]))
    return refusals


def _refusal_for_all(seating: Seating, participant: Participant, option: SwitchOption,
                     current: SwitchOption | None) -> str | None:
    """A rule that refuses every option of the page (the person's own situation)."""
    if participant.status != ParticipantStatus.REGISTERED:
        return refuse("not_registered", PARTICIPANT).message
    when_id = seating.when_id(option.target)
    rule = seating.blocked_rule(participant, when_id)
    if rule is not None:
        return refuse(rule, PARTICIPANT).message
    if current is None:
        return str(_("You have no place at this time to change."))
    row = seating.current_row(participant, when_id)
    if row is not None and row.pinned:
        return str(seating.words.chosen_by_organisers)
    return seating.leaving_refusal(current)


def _option_refusal(seating: Seating, participant: Participant, option: SwitchOption
                    ) -> str | None:
    """Rules of one option on its own: step-free access, a free seat."""
    if participant.needs_step_free and option.room is not None and not option.room.step_free:
        return refuse("step_free", PARTICIPANT, room=option.room.name).message
    if option.seats_left <= 0:
        return seating.full_refusal(option)
    return None


def _open_snapshot(participant: Participant, now: datetime | None
                   ) -> tuple[Publication, PublishedSchedule]:
    """The latest publication and the participant's snapshot in it, if switching is open
    (read after taking the event's shared lock: no publication can commit meanwhile)."""
    lock_event(participant.event, shared=True)
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
    seating, when_id = (SESSIONS, round_id) if round_id is not None else (WORKSHOPS, slot_id)
    row = seating.current_row(participant, when_id)
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
    lock_event(event, shared=False)
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
