"""Organiser pages of the scheduling area (thin: parse, call operations/queries, render)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import organiser_required
from ..events.models import Event
from ..exchange.queries import export_instance
from ..extensions import db
from ..mail import commit_and_send
from ..programme.models import Round, Session, Workshop, WorkshopSlot
from ..programme.queries import get_event_or_404
from . import jobs, operations
from .catalogue import Catalogue
from .diagnosis import explain
from .forms import ActionForm, MoveForm, SolveForm
from .models import SolveJob
from .notifications import queue_publication_emails
from .operations import SchedulingError
from .queries import (
    ListPage,
    active_job,
    below_min_audience,
    compare_maps,
    draft_day,
    draft_map,
    get_job_or_404,
    get_participant_or_404,
    job_progress_dict,
    latest_publication,
    participant_pins,
    publication_changes,
    published_maps,
    recent_jobs,
    registered_in_order,
    search_participants,
    solution_map,
    switch_summary,
)
from .review import build_review


def _refused(error: SchedulingError) -> None:
    db.session.rollback()
    flash(error.message, "error")
    for detail in error.details:
        flash(detail, "error")


def _overview_context(event: Event, solve_form: SolveForm | None = None) -> dict:
    operations.recover_stale_jobs(event)
    db.session.commit()
    draft = draft_map(event)
    cat = Catalogue.load(event)
    review = build_review(cat, export_instance(event), draft) if draft else None
    return {
        "event": event, "solve_form": solve_form or SolveForm(), "action_form": ActionForm(),
        "active": active_job(event), "jobs": recent_jobs(event),
        "publication": latest_publication(event), "review": review, "cat": cat,
        "changes": publication_changes(event, cat=cat, draft=draft),
        "switches": switch_summary(cat),
    }


@organiser_required
def overview(slug: str):
    event = get_event_or_404(slug)
    return render_template("scheduling/overview.html", **_overview_context(event))


@organiser_required
def start_solve(slug: str):
    event = get_event_or_404(slug)
    form = SolveForm()
    if not form.validate_on_submit():
        return render_template("scheduling/overview.html",
                               **_overview_context(event, form)), 400
    try:
        job = operations.start_solve(event, current_user, time_limit_s=form.time_limit_s.data,
                                     change_penalty=form.change_penalty.data)
    except SchedulingError as error:
        _refused(error)
        return redirect(url_for(".overview", slug=slug))
    db.session.commit()
    try:
        jobs.dispatch(job.id)
    except RuntimeError as error:
        operations.job_dispatch_failed(job, str(error))
        db.session.commit()
        flash(job.error, "error")
        return redirect(url_for(".overview", slug=slug))
    flash(_("The solver is running. You can keep working; this page shows its progress."),
          "success")
    return redirect(url_for(".job", slug=slug, job_id=job.id))


def _job_context(event: Event, job: SolveJob) -> dict:
    cat = Catalogue.load(event)
    context = {"event": event, "job": job, "cat": cat, "action_form": ActionForm(),
               "progress": job_progress_dict(job), "review": None, "reasons": [],
               "changes": []}
    solution = job.solution or {}
    if solution.get("diagnosis"):
        context["reasons"] = explain(cat, solution["diagnosis"])
    if job.has_schedule:
        schedule = solution_map(solution)
        context["review"] = build_review(cat, job.instance, schedule,
                                         solution.get("programme"))
        publication = latest_publication(event)
        if publication is not None:
            before, before_rooms = published_maps(publication)
            context["changes"] = compare_maps(cat, before, schedule, before_rooms=before_rooms)
    return context


@organiser_required
def job(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    operations.recover_stale_jobs(event)
    db.session.commit()
    return render_template("scheduling/job.html", **_job_context(event, job))


@organiser_required
def job_status(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    operations.recover_stale_jobs(event)
    db.session.commit()
    response = jsonify(job_progress_dict(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@organiser_required
def cancel_job(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    if ActionForm().validate_on_submit():
        try:
            operations.cancel_job(job)
        except SchedulingError as error:
            _refused(error)
        else:
            db.session.commit()
            flash(_("Cancelling: the solver stops and keeps the best schedule found so far."),
                  "success")
    return redirect(url_for(".job", slug=slug, job_id=job_id))


@organiser_required
def accept_job(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".job", slug=slug, job_id=job_id))
    try:
        operations.accept_result(event, job)
    except SchedulingError as error:
        _refused(error)
        return redirect(url_for(".job", slug=slug, job_id=job_id))
    db.session.commit()
    flash(_("This schedule is now the event's draft. Adjust it if needed, then publish it."),
          "success")
    return redirect(url_for(".overview", slug=slug))


PER_PAGE = 50


@organiser_required
def participants(slug: str):
    """The registered people with their draft places, a page at a time (searchable):
    the programme, one page of people and their draft rows, whatever the event's size."""
    event = get_event_or_404(slug)
    cat = Catalogue.load(event, with_participants=False)
    query = request.args.get("q", "").strip()[:200]
    found = search_participants(cat, query, registered_in_order(event))
    page = ListPage.of(found, request.args.get("page", 1, type=int) or 1, PER_PAGE)
    draft = draft_map(event, [person.id for person in page.items])
    return render_template("scheduling/participants.html", event=event, cat=cat, draft=draft,
                           people=page.items, page=page, query=query,
                           sessions=cat.session_by_key, workshops=cat.workshop_by_key)


NO_PLACE = 0  # the select's "no place yet" entry (row ids start at 1)


def _move_forms(cat: Catalogue, person, draft_entry: dict, pins: dict) -> dict:
    """One form per round and per slot, listing that round's sessions or slot's workshops."""
    forms = {}
    for round_ in cat.rounds:
        choices = [(s.id, _session_choice(cat, s)) for s in cat.sessions.values()
                   if s.round_id == round_.id and s.room_id]
        current = cat.session_by_key.get(draft_entry["sessions"].get(round_.key, ""))
        if current is None:
            choices.insert(0, (NO_PLACE, _("— no place —")))
        form = MoveForm(prefix=f"round-{round_.id}", formdata=None,
                        target=current.id if current else None,
                        pinned=pins.get(("round", round_.id), False))
        form.target.choices = choices
        forms[("round", round_.id)] = form
    for slot in cat.slots:
        choices = [(w.id, w.name) for w in cat.workshops.values() if w.slot_id == slot.id]
        current = cat.workshop_by_key.get(draft_entry["workshops"].get(slot.key, ""))
        if current is None:
            choices.insert(0, (NO_PLACE, _("— no place —")))
        form = MoveForm(prefix=f"slot-{slot.id}", formdata=None,
                        target=current.id if current else None,
                        pinned=pins.get(("slot", slot.id), False))
        form.target.choices = choices
        forms[("slot", slot.id)] = form
    return forms


def _session_choice(cat: Catalogue, session: Session) -> str:
    room = cat.rooms[session.room_id]
    project = cat.session_project(session)
    theme = cat.themes[project.theme_id]
    table = f" · {room.table_label(session.table_number)}" if room.tables > 1 and \
        room.table_label(session.table_number or 0) else ""
    return f"{project.name} — {room.name}{table} ({theme.colour_name})"


def _render_participant(event: Event, person, status: int = 200, failed: tuple | None = None,
                        failed_form: MoveForm | None = None):
    cat = Catalogue.load(event)
    entry = draft_map(event).get(person.key, {"sessions": {}, "workshops": {}})
    forms = _move_forms(cat, person, entry, participant_pins(person))
    if failed is not None and failed_form is not None:
        failed_form.target.choices = forms[failed].target.choices
        forms[failed] = failed_form
    unavailable = {r.id for r in person.unavailable_rounds}
    presenting = operations.presenting_rounds(person)
    notes = {("round", r.id): _("Not available in this round.") for r in cat.rounds
             if r.id in unavailable}
    notes.update({("round", r): _("Presents their project in this round.")
                  for r in presenting})
    notes.update({("slot", s.id): _("Not available during these workshops.")
                  for s in person.unavailable_slots})
    return render_template("scheduling/participant.html", event=event, person=person, cat=cat,
                           forms=forms, notes=notes, day=draft_day(person, cat)), status


@organiser_required
def participant(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    person = get_participant_or_404(event, participant_id)
    return _render_participant(event, person)


def _move(slug: str, participant_id: int, kind: str, when_id: int):
    event = get_event_or_404(slug)
    person = get_participant_or_404(event, participant_id)
    model, target_model = (Round, Session) if kind == "round" else (WorkshopSlot, Workshop)
    when = db.session.get(model, when_id)
    if when is None or when.event_id != event.id:
        return _render_participant(event, person, 404)
    form = MoveForm(prefix=f"{kind}-{when_id}")
    target_attr = "round_id" if kind == "round" else "slot_id"
    form.target.choices = [(NO_PLACE, "")] + [(t.id, "") for t in db.session.scalars(
        db.select(target_model).where(getattr(target_model, target_attr) == when_id))]
    valid = form.validate_on_submit()
    if valid and form.target.data == NO_PLACE:
        form.target.errors = [_("Choose a place.")]
        valid = False
    if not valid:
        return _render_participant(event, person, 400, (kind, when_id), form)
    target = db.session.get(target_model, form.target.data)
    try:
        if kind == "round":
            operations.move_to_session(event, person, target, pin=form.pinned.data)
        else:
            operations.move_to_workshop(event, person, target, pin=form.pinned.data)
    except SchedulingError as error:
        db.session.rollback()
        form.target.errors = [error.message, *error.details]
        return _render_participant(event, person, 409, (kind, when_id), form)
    db.session.commit()
    flash(_("Saved: %(name)s's place is updated.", name=person.full_name or person.key),
          "success")
    seated = below_min_audience(target) if kind == "round" else None
    if seated is not None:
        flash(_("“%(project)s” now has %(seated)d participant(s), below its minimum audience "
                "of %(minimum)d: publishing is refused until more people join it or they "
                "move elsewhere.", project=target.project.name, seated=seated,
                minimum=target.min_audience), "warning")
    return redirect(url_for(".participant", slug=slug, participant_id=person.id))


@organiser_required
def move_session(slug: str, participant_id: int, round_id: int):
    return _move(slug, participant_id, "round", round_id)


@organiser_required
def move_workshop(slug: str, participant_id: int, slot_id: int):
    return _move(slug, participant_id, "slot", slot_id)


@organiser_required
def publish(slug: str):
    event = get_event_or_404(slug)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".overview", slug=slug))
    try:
        publication = operations.publish(event, current_user)
    except SchedulingError as error:
        _refused(error)
        return redirect(url_for(".overview", slug=slug))
    emailed = queue_publication_emails(publication)
    commit_and_send()
    flash(_("Published (version %(version)d): participants now see their programme; "
            "%(emailed)d received it by email.", version=publication.version,
            emailed=emailed), "success")
    return redirect(url_for(".overview", slug=slug))

