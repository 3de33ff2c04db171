"""API views: each is declared once with :func:`spec.operation` (route, body model, answer
models, document), calls the same operations as the HTML pages and returns an answer model.

Each view commits once; emails queued by an operation go out after the commit
(:func:`eventapp.mail.commit_and_send`), exactly as in the HTML flow.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, request, url_for
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
from ..programme.models import Project, Theme, Workshop
from ..registration import operations as registration_operations
from ..registration import queries as registration_queries
from ..registration.forms import RegistrationForm
from ..registration.models import ParticipantStatus
from ..scheduling import jobs
from ..scheduling import operations as scheduling_operations
from ..scheduling.models import SolveJob
from ..scheduling.queries import participant_day
from . import queries, schemas
from .auth import (
    current_api_user,
    current_participant,
    organiser_required,
    participant_limited,
    participant_required,
    staff_required,
)
from .errors import ApiError, validation_error
from .parsing import json_body, validated_form
from .spec import (
    CONFIRM_REPLACE,
    JOB_ID,
    ORGANISER,
    PARTICIPANT,
    SLUG,
    Answer,
    operation,
    request_body,
)


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


@operation("/events", "GET", "listEvents", "Every event (organisers and staff).",
           tags=["events"], security=ORGANISER, errors=(401,),
           answers=[Answer(200, schemas.EventList, "The events.")],
           guards=(staff_required,))
def list_events() -> schemas.EventList:
    return queries.event_list()


@operation("/events", "POST", "importEventInstance",
           "Create an event from a speed-dating-instance/1 document (organisers).",
           tags=["events"], security=ORGANISER, body="Instance",
           errors=(400, 401, 403, 413, 415),
           answers=[Answer(201, schemas.Event, "The new event.", headers=("Location",))],
           guards=(organiser_required,))
def import_event_instance() -> tuple[schemas.Event, int, dict]:
    document = json_body()
    event = import_instance(document)
    db.session.commit()
    location = url_for(".get_event", slug=event.slug)
    return queries.event_detail(event), 201, {"Location": location}


@operation("/events/<slug>", "GET", "getEvent",
           "An event with its programme (organisers and staff).", tags=["events"],
           security=ORGANISER, parameters=[SLUG], errors=(401, 404),
           answers=[Answer(200, schemas.Event, "The event.")],
           guards=(staff_required,))
def get_event(slug: str) -> schemas.Event:
    return queries.event_detail(_event_or_404(slug))


@operation("/events/<slug>/instance", "GET", "exportEventInstance",
           "The event as a speed-dating-instance/1 document (organisers).", tags=["events"],
           security=ORGANISER, parameters=[SLUG], errors=(401, 403, 404),
           answers=[Answer(200, "Instance", "The instance.")],
           guards=(organiser_required,))
def export_event_instance(slug: str) -> Response:
    event = _event_or_404(slug)
    response = Response(instance_json(export_instance(event)), mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{export_filename(event)}"'
    return response


@operation("/events/<slug>/instance", "PUT", "replaceEventInstance",
           "Replace the event's programme and participants by a document's; the event keeps "
           "its slug, name, date and timezone (organisers). Participants are matched by id: "
           "those the file names keep their email, consent, personal links, badges and "
           "check-in history; the others are deleted. An event with registrations or scans "
           "is replaced only with confirm_replace=true (409 otherwise).",
           tags=["events"], security=ORGANISER, parameters=[SLUG, CONFIRM_REPLACE],
           body="Instance", errors=(400, 401, 403, 404, 409, 413, 415),
           answers=[Answer(200, schemas.ReplacedEvent,
                           "The replaced event and what the replace kept and removed.")],
           guards=(organiser_required,))
def replace_event_instance(slug: str) -> schemas.ReplacedEvent:
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
    return schemas.ReplacedEvent(**dict(queries.event_detail(event)),
                                 replacement=schemas.Replacement.model_validate(
                                     report.as_dict()))


def _confirm_replace_flag() -> bool:
    """The ``confirm_replace`` query parameter: ``true`` or ``false`` (the default)."""
    value = request.args.get("confirm_replace", "false")
    if value not in ("true", "false"):
        raise ApiError(400, "confirm_replace must be true or false.", field="confirm_replace")
    return value == "true"


@operation("/events/<slug>/registrations", "POST", "createRegistration",
           "Register a person (public, rate-limited). The personal link is emailed to the "
           "person, never returned. An address already registered gets the same answer (and "
           "an email reminding them of their link), so the answer does not tell who is "
           "registered.", tags=["registration"], parameters=[SLUG],
           body=schemas.RegistrationRequest, errors=(400, 404, 409, 415, 429),
           answers=[Answer(202, schemas.RegistrationReceived, "Accepted: the email says "
                           "whether the person is registered or on the waiting list.")])
def create_registration(slug: str) -> tuple[schemas.RegistrationReceived, int]:
    """The body's types and limits come from its schema; the registration form (shared
    with the HTML page) then applies the rules that need more (deliverable email)."""
    event = _event_or_404(slug)
    body: schemas.RegistrationRequest = request_body()
    form = validated_form(RegistrationForm, body.model_dump(exclude_unset=True))
    registration_operations.register(event, form.details(), str(get_locale() or "fr"))
    commit_and_send()
    # The same answer for a new and an already registered address, so the API does not
    # tell who is registered: the email says which (with the personal link, never
    # returned here).
    email = registration_operations.normalise_email(form.email.data)
    return schemas.RegistrationReceived(
        message=f"Registration received: an email with the personal link was sent to "
                f"{email}; it says whether the person is registered or on the waiting "
                f"list."), 202


@operation("/events/<slug>/solve-jobs", "POST", "startSolve",
           "Start a solve in the background (organisers).", tags=["scheduling"],
           security=ORGANISER, parameters=[SLUG], body=schemas.SolveRequest,
           errors=(400, 401, 403, 404, 409, 415, 503),
           answers=[Answer(202, schemas.SolveJob, "The queued job.", headers=("Location",))],
           guards=(organiser_required,))
def start_solve(slug: str) -> tuple[schemas.SolveJob, int, dict]:
    event = _event_or_404(slug)
    body: schemas.SolveRequest = request_body()
    job = scheduling_operations.start_solve(
        event, current_api_user(), time_limit_s=body.time_limit_s,
        change_penalty=body.change_penalty)
    db.session.commit()
    try:
        jobs.dispatch(job.id)
    except RuntimeError as error:
        scheduling_operations.job_dispatch_failed(job, str(error))
        db.session.commit()
        raise ApiError(503, job.error) from error
    location = url_for(".get_solve_job", slug=slug, job_id=job.id)
    return queries.job_answer(job), 202, {"Location": location}


INCLUDE_SOLUTION = {"name": "include", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": ["solution"]},
                    "description": "solution: the answer carries the solution document "
                                   "(null otherwise: it is large)."}


@operation("/events/<slug>/solve-jobs/<int:job_id>", "GET", "getSolveJob",
           "A solve job's progress; once ended, its summary, and its solution document "
           "with include=solution (organisers).",
           tags=["scheduling"], security=ORGANISER, parameters=[SLUG, JOB_ID, INCLUDE_SOLUTION],
           errors=(400, 401, 403, 404), answers=[Answer(200, schemas.SolveJob, "The job.")],
           guards=(organiser_required,))
def get_solve_job(slug: str, job_id: int) -> schemas.SolveJob:
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    scheduling_operations.recover_stale_jobs(event)
    db.session.commit()
    include = request.args.get("include")
    if include not in (None, "solution"):
        raise ApiError(400, "include must be solution.", field="include")
    return queries.job_answer(job, with_solution=include == "solution")


@operation("/events/<slug>/solve-jobs/<int:job_id>/cancel", "POST", "cancelSolveJob",
           "Stop a job; a running one keeps its best schedule so far (organisers).",
           tags=["scheduling"], security=ORGANISER, parameters=[SLUG, JOB_ID],
           errors=(401, 403, 404, 409), answers=[Answer(200, schemas.SolveJob, "The job.")],
           guards=(organiser_required,))
def cancel_solve_job(slug: str, job_id: int) -> schemas.SolveJob:
    """Stop a job: a queued one at once, a running one keeps its best schedule so far."""
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    scheduling_operations.cancel_job(job)
    db.session.commit()
    return queries.job_answer(job)


@operation("/events/<slug>/solve-jobs/<int:job_id>/accept", "POST", "acceptSolveJob",
           "Make the job's schedule the event's draft (organisers).", tags=["scheduling"],
           security=ORGANISER, parameters=[SLUG, JOB_ID], errors=(401, 403, 404, 409),
           answers=[Answer(200, schemas.AcceptResult, "Accepted.")],
           guards=(organiser_required,))
def accept_solve_job(slug: str, job_id: int) -> schemas.AcceptResult:
    event = _event_or_404(slug)
    job = _job_or_404(event, job_id)
    written = scheduling_operations.accept_result(event, job)
    db.session.commit()
    return schemas.AcceptResult(job=queries.job_answer(job), seats_written=written)


# The event's life: a new (imported) event is a draft until registration opens.
@operation("/events/<slug>/registration/open", "POST", "openRegistration",
           "Open registration once nothing is missing (organisers); a refusal lists what is "
           "missing in its details.", tags=["events"], security=ORGANISER,
           parameters=[SLUG], errors=(401, 403, 404, 409),
           answers=[Answer(200, schemas.Event, "The event, registration open.")],
           guards=(organiser_required,))
def open_registration(slug: str) -> schemas.Event:
    """Open registration after the same check as the organiser's page: a refusal lists
    each thing still missing in its details."""
    event = _event_or_404(slug)
    lifecycle.open_registration(event)
    db.session.commit()
    return queries.event_detail(event)


@operation("/events/<slug>/registration/close", "POST", "closeRegistration",
           "Close registration; the event stays public (organisers).", tags=["events"],
           security=ORGANISER, parameters=[SLUG], errors=(401, 403, 404, 409),
           answers=[Answer(200, schemas.Event, "The event, registration closed.")],
           guards=(organiser_required,))
def close_registration(slug: str) -> schemas.Event:
    event = _event_or_404(slug)
    lifecycle.close_registration(event)
    db.session.commit()
    return queries.event_detail(event)


@operation("/events/<slug>/publications", "POST", "publishAssignments",
           "Publish the draft to participants and email them (organisers).",
           tags=["scheduling"], security=ORGANISER, parameters=[SLUG],
           errors=(401, 403, 404, 409),
           answers=[Answer(201, schemas.Publication, "The new publication.")],
           guards=(organiser_required,))
def publish_assignments(slug: str) -> tuple[schemas.Publication, int]:
    event = _event_or_404(slug)
    publication = scheduling_operations.publish(event, current_api_user(), notify=True)
    emailed = len(queued_emails())  # the publication's emails, queued by its receivers
    commit_and_send()
    return queries.publication_answer(publication, emailed), 201


@operation("/participant", "GET", "getParticipant",
           "The calling participant's registration, wishes and choices.",
           tags=["participant"], security=PARTICIPANT, errors=(401,),
           answers=[Answer(200, schemas.Participant, "The participant.")],
           guards=(participant_required,))
def get_participant() -> schemas.Participant:
    return queries.participant_answer(current_participant())


def _ranks(keys: list[str], name: str, by_key: Mapping[str, Project | Workshop | Theme]
           ) -> dict[int, int]:
    """An ordered list of keys (first = first choice) as {id: 1-based rank}."""
    errors: list[dict[str, str]] = []
    ranks: dict[int, int] = {}
    for index, key in enumerate(keys):
        item = by_key.get(key)
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


# Rate-limited per participant once authenticated (auth.participant_limited).
@operation("/participant/wishes", "PUT", "updateWishes",
           "Replace the calling participant's wishes.", tags=["participant"],
           security=PARTICIPANT, body=schemas.Wishes, errors=(400, 401, 409, 415, 429),
           answers=[Answer(200, schemas.Participant, "Saved.")],
           guards=(participant_required, participant_limited,))
def update_wishes() -> schemas.Participant:
    participant = current_participant()
    body: schemas.Wishes = request_body()
    event = participant.event
    projects = _ranks(body.projects, "projects",
                      {p.key: p for p in registration_queries.projects_of(event.id)})
    workshops = _ranks(body.workshops, "workshops",
                       {w.key: w for w in registration_queries.workshops_of(event.id)})
    themes = list(_ranks(body.themes, "themes",
                         {t.key: t for t in registration_queries.themes_of(event.id)}))
    registration_operations.save_wishes(participant, projects, workshops, themes)
    db.session.commit()
    return queries.participant_answer(participant)


@operation("/participant/programme", "GET", "getParticipantProgramme",
           "The calling participant's published day (empty before publication).",
           tags=["participant"], security=PARTICIPANT, errors=(401,),
           answers=[Answer(200, schemas.ParticipantProgramme, "The day.")],
           guards=(participant_required,))
def get_participant_programme() -> schemas.ParticipantProgramme:
    participant = current_participant()
    day = participant_day(participant) if participant.status == ParticipantStatus.REGISTERED else []
    return queries.programme(participant, day)
