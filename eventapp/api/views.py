"""API views: parse the JSON, call the same operations as the HTML pages, answer JSON.

Each view commits once; emails queued by an operation go out after the commit
(:func:`eventapp.mail.commit_and_send`), exactly as in the HTML flow.
"""

from __future__ import annotations

from flask import Response, jsonify, request, url_for
from flask_babel import get_locale

from ..builder import lifecycle
from ..events.models import Event
from ..exchange.operations import (
    import_instance,
    registration_data,
    replace_instance,
)
from ..exchange.queries import export_filename, export_instance, instance_json
from ..extensions import db
from ..mail import commit_and_send, queued_emails
from ..registration import operations as registration_operations
from ..registration import queries as registration_queries
from ..registration.forms import RegistrationForm
from ..registration.models import ParticipantStatus
from ..scheduling import jobs
from ..scheduling import operations as scheduling_operations
from ..scheduling.forms import DEFAULT_TIME_LIMIT_S, SolveForm
from ..scheduling.models import SolveJob
from ..scheduling.operations import DEFAULT_CHANGE_PENALTY
from ..scheduling.queries import participant_day
from . import queries
from .auth import (
    current_api_user,
    current_participant,
    organiser_required,
    participant_limited,
    participant_required,
    staff_required,
)
from .errors import ApiError, validation_error
from .openapi import build_document
from .parsing import json_body, validated_form


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        raise ApiError(404, f"No event with the slug {slug!r}.", field="slug")
    return event


def _job_or_404(event: Event, job_id: int) -> SolveJob:
    job = db.session.get(SolveJob, job_id)
    if job is None or job.event_id != event.id:
        raise ApiError(404, f"No solve job {job_id} for this event.", field="job_id")
    return job


def openapi() -> Response:
    return jsonify(build_document())


@staff_required
def list_events() -> Response:
    return jsonify({"events": queries.event_list()})


@staff_required
def get_event(slug: str) -> Response:
    return jsonify(queries.event_detail(_event_or_404(slug)))


@organiser_required
def open_registration(slug: str) -> Response:
    """Open registration after the same check as the organiser's page: a refusal lists
    each thing still missing in its details."""
    event = _event_or_404(slug)
    lifecycle.open_registration(event)
    db.session.commit()
    return jsonify(queries.event_detail(event))


@organiser_required
def close_registration(slug: str) -> Response:
    event = _event_or_404(slug)
    lifecycle.close_registration(event)
    db.session.commit()
    return jsonify(queries.event_detail(event))


@organiser_required
def import_event_instance() -> tuple[Response, int, dict]:
    document = json_body()
    event = import_instance(document)
    db.session.commit()
    location = url_for(".get_event", slug=event.slug)
    return jsonify(queries.event_detail(event)), 201, {"Location": location}


@organiser_required
def replace_event_instance(slug: str) -> Response:
    """Replace the event's programme and participants (the page's confirmed replace): the
    event keeps its slug, name, date and timezone."""
    event = _event_or_404(slug)
    document = json_body()
    confirmed = _confirm_replace_flag()
    if not confirmed and registration_data(event).holds_registrations():
        raise ApiError(
            409, "The event has registrations or check-in scans. Replacing it deletes the "
                 "participants the file does not name, with their emails, personal links, "
                 "badges and scans (those it names keep theirs). Send the request again "
                 "with ?confirm_replace=true to replace it.", field="confirm_replace")
    report = replace_instance(event, document)
    db.session.commit()
    return jsonify({**queries.event_detail(event), "replacement": report.as_dict()})


def _confirm_replace_flag() -> bool:
    """The ``confirm_replace`` query parameter: ``true`` or ``false`` (the default)."""
    value = request.args.get("confirm_replace", "false")
    if value not in ("true", "false"):
        raise ApiError(400, "confirm_replace must be true or false.", field="confirm_replace")
    return value == "true"


@organiser_required
def export_event_instance(slug: str) -> Response:
    event = _event_or_404(slug)
    response = Response(instance_json(export_instance(event)), mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{export_filename(event)}"'
    return response


def create_registration(slug: str) -> tuple[Response, int]:
    event = _event_or_404(slug)
    form = validated_form(RegistrationForm, json_body())
    registration_operations.register(event, form.details(), str(get_locale() or "fr"))
    commit_and_send()
    # The same answer for a new and an already registered address, so the API does not
    # tell who is registered: the email says which (with the personal link, never
    # returned here).
    email = registration_operations.normalise_email(form.email.data)
    return jsonify({"message": f"Registration received: an email with the personal link "
                               f"was sent to {email}; it says whether the person is "
                               f"registered or on the waiting list."}), 202


@participant_required
def get_participant() -> Response:
    response = jsonify(queries.participant_dict(current_participant()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _ranks(data: dict, name: str, by_key: dict) -> dict[int, int | None]:
    """An ordered list of keys (first = first choice) as {id: 1-based rank}."""
    value = data.get(name, [])
    if not isinstance(value, list):
        raise validation_error("Some fields are not valid.", [
            {"field": name, "message": "Must be a list of keys, first choice first."}])
    errors, ranks = [], {}
    for index, key in enumerate(value):
        item = by_key.get(key) if isinstance(key, str) else None
        if item is None:
            errors.append({"field": f"{name}[{index}]",
                           "message": f"Unknown key {key!r} for this event."})
        elif item.id in ranks:
            errors.append({"field": f"{name}[{index}]", "message": f"{key} is listed twice."})
        else:
            ranks[item.id] = index + 1
    if errors:
        raise validation_error("Some fields are not valid.", errors)
    return ranks


@participant_required
@participant_limited
def update_wishes() -> Response:
    participant = current_participant()
    data = json_body()
    unknown = sorted(set(data) - {"projects", "workshops", "themes"})
    if unknown:
        raise validation_error("Unknown fields.", [{"field": name, "message": "Unknown field."}
                                                   for name in unknown])
    event = participant.event
    projects = _ranks(data, "projects",
                      {p.key: p for p in registration_queries.projects_of(event.id)})
    workshops = _ranks(data, "workshops",
                       {w.key: w for w in registration_queries.workshops_of(event.id)})
    themes = list(_ranks(data, "themes",
                         {t.key: t for t in registration_queries.themes_of(event.id)}))
    registration_operations.save_wishes(participant, projects, workshops, themes)
    db.session.commit()
    return jsonify(queries.participant_dict(participant))


@participant_required
def get_participant_programme() -> Response:
    participant = current_participant()
    day = participant_day(participant) if participant.status == ParticipantStatus.REGISTERED else []
    response = jsonify(queries.programme_dict(participant, day))
    response.headers["Cache-Control"] = "no-store"
    return response


@organiser_required
def start_solve(slug: str) -> tuple[Response, int, dict]:
    event = _event_or_404(slug)
    form = validated_form(SolveForm, json_body(), defaults={
        "time_limit_s": DEFAULT_TIME_LIMIT_S, "change_penalty": DEFAULT_CHANGE_PENALTY})
    job = scheduling_operations.start_solve(
        event, current_api_user(), time_limit_s=form.time_limit_s.data,
        change_penalty=form.change_penalty.data)
    db.session.commit()
    try:
        jobs.dispatch(job.id)
    except RuntimeError as error:
        scheduling_operations.job_dispatch_failed(job, str(error))
        db.session.commit()
        raise ApiError(503, job.error) from error
    location = url_for(".get_solve_job", slug=slug, job_id=job.id)
    return jsonify(queries.job_dict(job)), 202, {"Location": location}


@organiser_required
def get_solve_job(slug: str, job_id: int) -> Response:
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    scheduling_operations.recover_stale_jobs(event)
    db.session.commit()
    response = jsonify(queries.job_dict(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@organiser_required
def cancel_solve_job(slug: str, job_id: int) -> Response:
    """Stop a job: a queued one at once, a running one keeps its best schedule so far."""
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    scheduling_operations.cancel_job(job)
    db.session.commit()
    return jsonify(queries.job_dict(job))


@organiser_required
def accept_solve_job(slug: str, job_id: int) -> Response:
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    written = scheduling_operations.accept_result(event, job)
    db.session.commit()
    return jsonify({"job": queries.job_dict(job), "seats_written": written})


@organiser_required
def publish_assignments(slug: str) -> tuple[Response, int]:
    event = _event_or_404(slug)
    publication = scheduling_operations.publish(event, current_api_user(), notify=True)
    emailed = len(queued_emails())  # the publication's emails, queued by its receivers
    commit_and_send()
    return jsonify(queries.publication_dict(publication, emailed)), 201


