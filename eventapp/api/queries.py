"""Read-side of the API: models turned into the JSON documents the OpenAPI file describes.

Times are ISO 8601 with the event's UTC offset, next to the event's IANA timezone name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..builder import queries as queries_manage
from ..db_types import utcnow
from ..events.models import Event
from ..registration import operations as registration_operations
from ..registration import queries as registration_queries
from ..registration.models import Participant
from ..scheduling.models import Publication, SolveJob
from ..scheduling.queries import DayItem, job_progress_dict, latest_publication


def iso(moment: datetime | None, event: Event | None = None) -> str | None:
    if moment is None:
        return None
    return (event.to_local(moment) if event is not None else moment).isoformat()


def event_summary(event: Event) -> dict[str, Any]:
    return {"slug": event.slug, "name": event.name, "date": event.date.isoformat(),
            "timezone": event.timezone, "venue": event.venue}


def event_list() -> list[dict[str, Any]]:
    return [event_summary(event) for event in queries_manage.all_events()]


def theme_dict(theme) -> dict[str, Any] | None:
    if theme is None:
        return None
    return {"key": theme.key, "name": theme.name, "colour": theme.colour,
            "colour_name": theme.colour_name}


def event_detail(event: Event) -> dict[str, Any]:
    """The event with its programme (keys are the exchange format's ids)."""
    themes = {t.id: t for t in queries_manage.themes(event)}
    publication = latest_publication(event)
    return {
        **event_summary(event),
        "address": event.address,
        "description": event.description,
        "counts": queries_manage.summary(event),
        "registration": registration_state(event),
        "themes": [theme_dict(t) for t in themes.values()],
        "rooms": [{"key": r.key, "name": r.name, "capacity": r.capacity, "tables": r.tables,
                   "step_free": r.step_free} for r in queries_manage.rooms(event)],
        "rounds": [{"key": r.key, "starts_at": iso(r.starts_at, event),
                    "ends_at": iso(r.ends_at, event)} for r in queries_manage.rounds(event)],
        "projects": [{"key": p.key, "name": p.name,
                      "theme": themes[p.theme_id].key if p.theme_id in themes else None}
                     for p in queries_manage.projects(event)],
        "workshop_slots": [{"key": s.key, "starts_at": iso(s.starts_at, event),
                            "ends_at": iso(s.ends_at, event)}
                           for s in queries_manage.slots(event)],
        "workshops": [{"key": w.key, "name": w.name, "capacity": w.capacity,
                       "slot": w.slot.key if w.slot else None}
                      for w in queries_manage.workshops(event)],
        "publication": publication_dict(publication) if publication else None,
    }


def registration_state(event: Event) -> dict[str, Any]:
    state = registration_queries.registration_state(event, utcnow())
    return {"state": state.code, "accepts": state.accepts, "message": state.message or None}


def publication_dict(publication: Publication, emailed: int | None = None) -> dict[str, Any]:
    data = {"version": publication.version,
            "published_at": iso(publication.published_at, publication.event)}
    if emailed is not None:
        data["emailed"] = emailed
    return data


def participant_dict(participant: Participant) -> dict[str, Any]:
    """What the participant may read about themselves, and what they may choose from."""
    event = participant.event
    return {
        "id": participant.key,
        "event": event_summary(event),
        "status": participant.status,
        "waiting_position": registration_queries.waiting_position(participant),
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "email": participant.email,
        "organisation": participant.organisation,
        "category": participant.category,
        "role": participant.role,
        "needs_step_free": participant.needs_step_free,
        "accessibility_notes": participant.accessibility_notes,
        "dietary_notes": participant.dietary_notes,
        "wishes": wishes_dict(participant),
        "choices": choices_dict(event),
    }


def wishes_dict(participant: Participant) -> dict[str, Any]:
    return {
        "projects": [w.project.key for w in sorted(participant.project_wishes,
                                                    key=lambda w: w.rank)],
        "workshops": [w.workshop.key for w in sorted(participant.workshop_wishes,
                                                      key=lambda w: w.rank)],
        "themes": sorted(t.key for t in participant.theme_interests),
    }


def choices_dict(event: Event) -> dict[str, Any]:
    settings = registration_queries.settings_of(event)
    return {
        "open": registration_queries.wishes_open(event, utcnow()),
        "deadline": iso(settings.wishes_deadline, event),
        "minimum_projects": registration_operations.minimum_project_wishes(event),
        "projects": [{"key": p.key, "name": p.name}
                     for p in registration_queries.projects_of(event.id)],
        "workshops": [{"key": w.key, "name": w.name}
                      for w in registration_queries.workshops_of(event.id)],
        "themes": [theme_dict(t) for t in registration_queries.themes_of(event.id)],
    }


def job_dict(job: SolveJob) -> dict[str, Any]:
    """Progress while it runs; the solution's summary and document once it has ended."""
    progress = job_progress_dict(job)
    data = {
        "id": job.id,
        "event": job.event.slug,
        "status": progress["status"],
        "status_label": progress["status_label"],
        "active": progress["active"],
        "solver_status": progress["solver_status"],
        "progress": {"best": progress["best"], "bound": progress["bound"],
                     "elapsed_s": progress["elapsed_s"],
                     "time_limit_s": progress["time_limit_s"]},
        "change_penalty": job.change_penalty,
        "cancel_requested": progress["cancel_requested"],
        "error": progress["error"],
        "created_at": iso(job.created_at, job.event),
        "started_at": iso(job.started_at, job.event),
        "finished_at": iso(job.finished_at, job.event),
        "accepted_at": iso(job.accepted_at, job.event),
        "has_schedule": job.has_schedule,
        "summary": None,
        "solution": None,
    }
    if not job.is_active and job.solution:
        solution = job.solution
        data["summary"] = {
            "status": solution.get("status"), "objective": solution.get("objective"),
            "bound": solution.get("bound"), "solve_seconds": solution.get("solve_seconds"),
            "metrics": solution.get("metrics") or {},
            "assigned_participants": len(solution.get("assignments") or []),
            "diagnosis": solution.get("diagnosis") or [],
        }
        data["solution"] = solution
    return data


def day_item_dict(item: DayItem, event: Event) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "number": item.number,
        "key": item.label,
        "starts_at": item.starts_at.isoformat(),
        "ends_at": item.ends_at.isoformat(),
        "timezone": event.timezone,
        "title": item.title,
        "project": item.project.key if item.project else None,
        "session": item.session.key if item.session else None,
        "workshop": item.workshop.key if item.workshop else None,
        "room": {"key": item.room.key, "name": item.room.name} if item.room else None,
        "table": ({"number": item.table_number, "label": item.table_label or None}
                  if item.table_number else None),
        "theme": theme_dict(item.theme),
        "presenting": item.presenting,
    }


def programme_dict(participant: Participant, day: list[DayItem]) -> dict[str, Any]:
    event = participant.event
    publication = latest_publication(event)
    return {
        "participant": participant.key,
        "event": event_summary(event),
        "timezone": event.timezone,
        "published": bool(day),
        "publication": publication_dict(publication) if publication and day else None,
        "items": [day_item_dict(item, event) for item in day],
    }
