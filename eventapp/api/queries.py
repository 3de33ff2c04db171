"""Read side of the API: models of the app turned into the answer models of schemas.py
(which serialise them and describe them in the OpenAPI document).

Times are given in the event's timezone (``event.to_local``); the schema writes them with
their UTC offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ..builder import queries as queries_manage
from ..db_types import utcnow
from ..events.models import Event
from ..programme.models import Theme
from ..registration import operations as registration_operations
from ..registration import queries as registration_queries
from ..registration.models import Participant, ParticipantStatus
from ..scheduling.models import Publication, SolveJob
from ..scheduling.queries import DayItem, job_progress_dict, latest_publication
from . import schemas


def _local(moment: datetime | None, event: Event) -> datetime | None:
    return None if moment is None else event.to_local(moment)


def event_summary(event: Event) -> schemas.EventSummary:
    return schemas.EventSummary.model_validate(event, from_attributes=True)


def event_list() -> schemas.EventList:
    return schemas.EventList(events=[event_summary(event)
                                     for event in queries_manage.all_events()])


def theme(item: Theme | None) -> schemas.Theme | None:
    return None if item is None else schemas.Theme.model_validate(item, from_attributes=True)


def event_detail(event: Event) -> schemas.Event:
    """The event with its programme (keys are the exchange format's ids)."""
    themes = {t.id: t for t in queries_manage.themes(event)}
    publication = latest_publication(event)
    return schemas.Event(
        **dict(event_summary(event)),
        address=event.address,
        description=event.description,
        counts=queries_manage.summary(event),
        registration=registration_state(event),
        themes=[schemas.Theme.model_validate(t, from_attributes=True)
                for t in themes.values()],
        rooms=[schemas.RoomItem.model_validate(r, from_attributes=True)
               for r in queries_manage.rooms(event)],
        rounds=[schemas.TimedItem(key=r.key, starts_at=event.to_local(r.starts_at),
                                  ends_at=event.to_local(r.ends_at))
                for r in queries_manage.rounds(event)],
        projects=[schemas.ProjectItem(
            key=p.key, name=p.name,
            theme=themes[p.theme_id].key if p.theme_id in themes else None)
            for p in queries_manage.projects(event)],
        workshop_slots=[schemas.TimedItem(key=s.key, starts_at=event.to_local(s.starts_at),
                                          ends_at=event.to_local(s.ends_at))
                        for s in queries_manage.slots(event)],
        workshops=[schemas.WorkshopItem(key=w.key, name=w.name, capacity=w.capacity,
                                        slot=w.slot.key if w.slot else None)
                   for w in queries_manage.workshops(event)],
        publication=publication_answer(publication) if publication else None,
    )


def registration_state(event: Event) -> schemas.RegistrationState:
    state = registration_queries.registration_state(event, utcnow())
    return schemas.RegistrationState(state=state.code, accepts=state.accepts,
                                     message=state.message or None)


def publication_answer(publication: Publication,
                       emailed: int | None = None) -> schemas.Publication:
    return schemas.Publication(
        version=publication.version,
        published_at=publication.event.to_local(publication.published_at), emailed=emailed)


def participant_answer(participant: Participant) -> schemas.Participant:
    """What the participant may read about themselves, and what they may choose from."""
    event = participant.event
    return schemas.Participant(
        id=participant.key,
        event=event_summary(event),
        status=ParticipantStatus(participant.status),
        waiting_position=registration_queries.waiting_position(participant),
        first_name=participant.first_name,
        last_name=participant.last_name,
        email=participant.email,
        organisation=participant.organisation,
        category=participant.category,
        role=participant.role,
        needs_step_free=participant.needs_step_free,
        accessibility_notes=participant.accessibility_notes,
        dietary_notes=participant.dietary_notes,
        wishes=wishes(participant),
        choices=choices(event),
    )


def wishes(participant: Participant) -> schemas.ParticipantWishes:
    return schemas.ParticipantWishes(
        projects=[w.project.key for w in sorted(participant.project_wishes,
                                                 key=lambda w: w.rank)],
        workshops=[w.workshop.key for w in sorted(participant.workshop_wishes,
                                                   key=lambda w: w.rank)],
        themes=sorted(t.key for t in participant.theme_interests),
    )


def choices(event: Event) -> schemas.Choices:
    settings = registration_queries.settings_of(event)
    return schemas.Choices(
        open=registration_queries.wishes_open(event, utcnow()),
        deadline=_local(settings.wishes_deadline, event),
        minimum_projects=registration_operations.minimum_project_wishes(event),
        projects=[schemas.Named.model_validate(p, from_attributes=True)
                  for p in registration_queries.projects_of(event.id)],
        workshops=[schemas.Named.model_validate(w, from_attributes=True)
                   for w in registration_queries.workshops_of(event.id)],
        themes=[schemas.Theme.model_validate(t, from_attributes=True)
                for t in registration_queries.themes_of(event.id)],
    )


def job_answer(job: SolveJob, with_solution: bool = False) -> schemas.SolveJob:
    """Progress while it runs; the solution's summary once it has ended, and its document
    when asked (``with_solution``): at 10,000 people the document is over a megabyte, which
    a client polling the job's progress should not download each time."""
    progress = job_progress_dict(job)
    event = job.event
    summary = solution = None
    if not job.is_active and job.solution:
        solution = job.solution
        summary = schemas.SolveSummary(
            status=solution.get("status"), objective=solution.get("objective"),
            bound=solution.get("bound"), solve_seconds=solution.get("solve_seconds"),
            metrics=solution.get("metrics") or {},
            assigned_participants=len(solution.get("assignments") or []),
            diagnosis=solution.get("diagnosis") or [])
    return schemas.SolveJob(
        id=job.id,
        event=event.slug,
        status=progress["status"],
        status_label=progress["status_label"],
        active=progress["active"],
        solver_status=progress["solver_status"],
        progress=schemas.Progress(best=progress["best"], bound=progress["bound"],
                                  elapsed_s=progress["elapsed_s"],
                                  time_limit_s=progress["time_limit_s"]),
        change_penalty=job.change_penalty,
        cancel_requested=progress["cancel_requested"],
        error=progress["error"],
        created_at=event.to_local(job.created_at),
        started_at=_local(job.started_at, event),
        finished_at=_local(job.finished_at, event),
        accepted_at=_local(job.accepted_at, event),
        has_schedule=job.has_schedule,
        summary=summary,
        solution=solution if with_solution else None,
    )


def day_item(item: DayItem, event: Event) -> schemas.ProgrammeItem:
    kind: Literal["session", "workshop"] = "session" if item.kind == "session" else "workshop"
    return schemas.ProgrammeItem(
        kind=kind,
        number=item.number,
        key=item.label,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        timezone=event.timezone,
        title=item.title,
        project=item.project.key if item.project else None,
        session=item.session.key if item.session else None,
        workshop=item.workshop.key if item.workshop else None,
        room=schemas.Named.model_validate(item.room, from_attributes=True)
        if item.room else None,
        table=(schemas.ProgrammeTable(number=item.table_number,
                                      label=item.table_label or None)
               if item.table_number else None),
        theme=theme(item.theme),
        presenting=item.presenting,
    )


def programme(participant: Participant, day: list[DayItem]) -> schemas.ParticipantProgramme:
    event = participant.event
    publication = latest_publication(event)
    return schemas.ParticipantProgramme(
        participant=participant.key,
        event=event_summary(event),
        timezone=event.timezone,
        published=bool(day),
        publication=publication_answer(publication) if publication and day else None,
        items=[day_item(item, event) for item in day],
    )
