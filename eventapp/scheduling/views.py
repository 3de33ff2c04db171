"""Organiser pages of the scheduling area (thin: parse, call operations/queries, render)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import organiser_required
from ..events.models import Event
from ..extensions import db
from ..mail import queued_emails
from ..programme.models import Round, Session, WorkshopSlot
from ..programme.queries import get_event_or_404
from ..web import commit_or_refuse
from . import jobs, operations
from .catalogue import ScheduleCatalogue
from .diagnosis import explain_diagnosis
from .forms import ActionForm, MoveForm, SolveForm
from .instance import export_instance
from .models import SolveJob
from .move_options import MoveOption
from .preview import SHOWN_WITHOUT_EMAIL, preview_publication
from .queries import (
    ListPage,
    active_job,
    below_min_audience,
    changes_data,
    changes_from_data,
    compare_maps,
    draft_day,
    draft_map,
    get_job_or_404,
    get_participant_or_404,
    job_progress_dict,
    latest_publication,
    participant_pins,
    person_overrides,
    person_places,
    presenting_sessions,
    publication_changes,
    published_maps,
    recent_jobs,
    registered_in_order,
    round_numbers,
    search_participants,
    solution_map,
    switch_summary,
)
from .review import build_review, review_data, review_from_data
from .review_store import (
    DRAFT,
    DRAFT_CHANGES,
    job_changes_source,
    job_source,
    stored_review_data,
)
from .seating import SEATINGS, SESSIONS, WORKSHOPS, Seating

RULE_NAMES = {
    "min_audience": _l("minimum audience (the session left)"),
    "min_audience_join": _l("minimum audience (the session joined)"),
    "theme_variety": _l("theme variety"),
}


def _overview_context(event: Event, solve_form: SolveForm | None = None) -> dict:
    operations.recover_stale_jobs(event)
    db.session.commit()
    draft = draft_map(event)
    cat = ScheduleCatalogue.load(event)
    review = None
    if draft:  # (read back while the draft and what it is made for do not change)
        review = review_from_data(cat, stored_review_data(
            event.id, DRAFT, lambda: review_data(export_instance(event), draft)))
    return {
        "event": event, "solve_form": solve_form or SolveForm(), "action_form": ActionForm(),
        "active": active_job(event), "jobs": recent_jobs(event),
        "publication": latest_publication(event), "review": review, "cat": cat,
        "changes": changes_from_data(cat, stored_review_data(
            event.id, DRAFT_CHANGES,
            lambda: changes_data(publication_changes(event, cat=cat, draft=draft)))),
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
    started = commit_or_refuse(lambda: operations.start_solve(
        event, current_user, time_limit_s=form.time_limit_s.data,
        change_penalty=form.change_penalty.data), details=True)
    if not started:
        return redirect(url_for(".overview", slug=slug))
    job = started.value
    assert job is not None  # (done: the operation's job)
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
    cat = ScheduleCatalogue.load(event)
    context = {"event": event, "job": job, "cat": cat, "action_form": ActionForm(),
               "progress": job_progress_dict(job), "review": None, "reasons": [],
               "changes": []}
    solution = job.solution or {}
    if solution.get("diagnosis"):
        context["reasons"] = explain_diagnosis(cat, job.instance, solution["diagnosis"])
    if job.has_schedule:
        schedule = solution_map(solution)
        if job.is_active:  # (the best schedule so far: it may still change)
            context["review"] = build_review(cat, job.instance, schedule,
                                             solution.get("programme"))
        else:
            context["review"] = review_from_data(cat, stored_review_data(
                event.id, job_source(job.id),
                lambda: review_data(job.instance, schedule, solution.get("programme")),
                job_id=job.id))
        publication = latest_publication(event)
        if publication is not None:
            def changes() -> list:
                before, before_rooms = published_maps(publication)
                return changes_data(compare_maps(cat, before, schedule,
                                                 before_rooms=before_rooms))

            context["changes"] = changes_from_data(cat, changes() if job.is_active else
                                                   stored_review_data(
                                                       event.id, job_changes_source(job.id),
                                                       changes, job_id=job.id))
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
    get_job_or_404(event, job_id, light=True)
    operations.recover_stale_jobs(event)
    db.session.commit()
    # read after the commit (which expires what was read before, and would reload the
    # whole row, documents included, at the first attribute)
    job = get_job_or_404(event, job_id, light=True)
    response = jsonify(job_progress_dict(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@organiser_required
def cancel_job(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    if ActionForm().validate_on_submit() and commit_or_refuse(
            lambda: operations.cancel_job(job), details=True):
        flash(_("Cancelling: the solver stops and keeps the best schedule found so far."),
              "success")
    return redirect(url_for(".job", slug=slug, job_id=job_id))


@organiser_required
def accept_job(slug: str, job_id: int):
    event = get_event_or_404(slug)
    job = get_job_or_404(event, job_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".job", slug=slug, job_id=job_id))
    if not commit_or_refuse(lambda: operations.accept_result(event, job), details=True):
        return redirect(url_for(".job", slug=slug, job_id=job_id))
    flash(_("This schedule is now the event's draft. Adjust it if needed, then publish it."),
          "success")
    return redirect(url_for(".overview", slug=slug))


PER_PAGE = 50


@organiser_required
def participants(slug: str):
    """The registered people with their draft places, a page at a time (searchable):
    the programme, one page of people and their draft rows, whatever the event's size."""
    event = get_event_or_404(slug)
    cat = ScheduleCatalogue.load(event, with_participants=False)
    query = request.args.get("q", "").strip()[:200]
    found = search_participants(cat, query, registered_in_order(event))
    page = ListPage.of(found, request.args.get("page", 1, type=int) or 1, PER_PAGE)
    draft = draft_map(event, [person.id for person in page.items])
    shown = {person.id for person in page.items}
    presenting = {person: {s.round_id: s for s in sessions}
                  for person, sessions in presenting_sessions(cat, shown).items()}
    return render_template("scheduling/participants.html", event=event, cat=cat, draft=draft,
                           people=page.items, page=page, query=query, presenting=presenting,
                           sessions=cat.session_by_key, workshops=cat.workshop_by_key)


NO_PLACE = 0  # the select's "no place yet" entry (row ids start at 1)


def _option_label(option: MoveOption) -> str:
    """The option's text: its free seats, or why it is not possible (read by screen
    readers on disabled options too, so the reason is in the text, not in a colour)."""
    seats = ngettext("%(num)d free seat", "%(num)d free seats", max(option.seats_left, 0))
    if option.is_current:
        return _("%(place)s · %(seats)s (current place)", place=option.title, seats=seats)
    if not option.allowed:
        return _("%(place)s · not possible: %(reason)s", place=option.title,
                 reason=option.reason)
    return f"{option.title} · {seats}"


def _select_form(prefix: str, options: list[MoveOption], current: int | None,
                 pinned: bool) -> MoveForm:
    choices: list[tuple] = [(o.target.id, _option_label(o), {} if o.allowed or o.is_current
                             else {"disabled": True}) for o in options]
    if current is None:
        choices.insert(0, (NO_PLACE, _("— no place —"), {}))
    form = MoveForm(prefix=prefix, formdata=None, target=current, pinned=pinned)
    form.target.choices = choices
    return form


def _anyway_form(prefix: str, options: list[MoveOption]) -> MoveForm | None:
    """The "move anyway" form of a round: only the places a soft rule forbids."""
    soft = [o for o in options if o.soft and not o.is_current]
    if not soft:
        return None
    form = MoveForm(prefix=prefix, formdata=None)
    form.target.choices = [(o.target.id, f"{o.title} — {o.reason}") for o in soft]
    return form


@dataclass
class MoveSection:
    """One round or slot of the move page: its form, its "move anyway" form (rounds whose
    places break only a soft rule), and why the person cannot take any place there."""

    seating: Seating
    when: Round | WorkshopSlot
    number: int
    form: MoveForm
    anyway: MoveForm | None
    note: str | None

    @property
    def key(self) -> tuple[str, int]:
        return (self.seating.when_kind, self.when.id)

    @property
    def heading(self) -> str:
        return _("Round %(number)d", number=self.number) if self.seating is SESSIONS \
            else _("Workshops")


MOVE_ENDPOINTS = {SESSIONS: (".move_session", ".move_session_anyway", "round_id"),
                  WORKSHOPS: (".move_workshop", None, "slot_id")}


def _move_sections(cat: ScheduleCatalogue, person, failed: tuple | None = None,
                   failed_form: MoveForm | None = None, failed_anyway: bool = False
                   ) -> list[MoveSection]:
    """One form per round and per slot, listing what is possible (with free seats) and,
    disabled, what is not (with the reason); plus the "move anyway" forms. A form that
    failed (``failed``: its (when kind, id)) is shown as submitted, with its errors."""
    pins = participant_pins(person)
    places = dict(zip(SEATINGS, person_places(person), strict=True))
    whens: dict[Seating, Sequence[Round | WorkshopSlot]] = {SESSIONS: cat.rounds,
                                                           WORKSHOPS: cat.slots}
    notes = {"unavailable_round": _("Not available in this round."),
             "presenter_busy": _("Presents their project in this round."),
             "unavailable_slot": _("Not available during these workshops.")}
    sections = []
    for seating in SEATINGS:
        current = places[seating]
        options = seating.move_options(cat, person, current)
        blocked = seating.blocked(person)
        for number, when in enumerate(whens[seating], start=1):
            key = (seating.when_kind, when.id)
            if when.id not in options:
                continue
            form = _select_form(f"{seating.when_kind}-{when.id}", options[when.id],
                                current.get(when.id), pins.get(key, False))
            anyway = _anyway_form(f"anyway-{seating.when_kind}-{when.id}", options[when.id])
            if key == failed and failed_form is not None:
                shown = anyway if failed_anyway else form
                if shown is not None:
                    failed_form.target.choices = shown.target.choices
                form, anyway = (form, failed_form) if failed_anyway else (failed_form, anyway)
            rules = blocked.get(when.id)
            note = notes[rules[-1]] if rules else None  # presenting says more than absent
            sections.append(MoveSection(seating, when, number, form, anyway, note))
    return sections


def _render_participant(event: Event, person, status: int = 200, failed: tuple | None = None,
                        failed_form: MoveForm | None = None, failed_anyway: bool = False):
    # one person's page: the programme, not the 10,000 others
    cat = ScheduleCatalogue.load(event, with_participants=False)
    sections = _move_sections(cat, person, failed, failed_form, failed_anyway)
    return render_template("scheduling/participant.html", event=event, person=person, cat=cat,
                           sections=sections, endpoints=MOVE_ENDPOINTS,
                           overrides=person_overrides(person), rule_names=RULE_NAMES,
                           day=draft_day(person, cat)), status


@organiser_required
def participant(slug: str, participant_id: int):
    event = get_event_or_404(slug)
    person = get_participant_or_404(event, participant_id)
    return _render_participant(event, person)


def _move(slug: str, participant_id: int, seating: Seating, when_id: int,
          anyway: bool = False):
    event = get_event_or_404(slug)
    person = get_participant_or_404(event, participant_id)
    when = db.session.get(seating.when_model, when_id)
    if when is None or when.event_id != event.id:
        return _render_participant(event, person, 404)
    kind = seating.when_kind
    form = MoveForm(prefix=f"anyway-{kind}-{when_id}" if anyway else f"{kind}-{when_id}")
    form.target.choices = [(NO_PLACE, "")] + [(t.id, "") for t in seating.targets_of(when_id)]
    valid = form.validate_on_submit()
    if valid and form.target.data == NO_PLACE:
        form.target.errors = [_("Choose a place.")]
        valid = False
    if not valid:
        return _render_participant(event, person, 400, (kind, when_id), form, anyway)
    target = seating.get_target(form.target.data)
    assert target is not None  # the form's choices are the places of that time
    moved = commit_or_refuse(lambda: operations.move_to(
        event, person, target, pin=form.pinned.data, anyway=anyway, user=current_user),
        show=False)
    if not moved:
        form.target.errors = [moved.refusal.message, *moved.refusal.details]
        return _render_participant(event, person, 409, (kind, when_id), form, anyway)
    flash(_("Saved: %(name)s's place is updated.", name=person.full_name or person.key),
          "success")
    seated = below_min_audience(target) if isinstance(target, Session) else None
    if seated is not None:
        flash(_("“%(project)s” now has %(seated)d participant(s), below its minimum audience "
                "of %(minimum)d: publishing is refused until more people join it or they "
                "move elsewhere.", project=target.project.name, seated=seated,
                minimum=target.min_audience), "warning")
    return redirect(url_for(".participant", slug=slug, participant_id=person.id))


@organiser_required
def move_session(slug: str, participant_id: int, round_id: int):
    return _move(slug, participant_id, SESSIONS, round_id)


@organiser_required
def move_session_anyway(slug: str, participant_id: int, round_id: int):
    """The organiser breaks a soft rule on purpose; the move is recorded with their name."""
    return _move(slug, participant_id, SESSIONS, round_id, anyway=True)


@organiser_required
def move_workshop(slug: str, participant_id: int, slot_id: int):
    return _move(slug, participant_id, WORKSHOPS, slot_id)


@organiser_required
def publish_confirm(slug: str):
    """Publishing asks first: the email, how many receive it, who has no address."""
    event = get_event_or_404(slug)
    if not draft_map(event):
        flash(_("Nothing to publish yet: accept a solver result first."), "error")
        return redirect(url_for(".overview", slug=slug))
    preview = preview_publication(event)
    return render_template("scheduling/publish.html", event=event, preview=preview,
                           action_form=ActionForm(), shown=SHOWN_WITHOUT_EMAIL,
                           publication=latest_publication(event),
                           session_numbers=round_numbers(event))


@organiser_required
def publish(slug: str):
    event = get_event_or_404(slug)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".overview", slug=slug))
    def publish_counting_emails() -> tuple:
        publication = operations.publish(event, current_user, notify=True)
        return publication, len(queued_emails())  # the emails its receivers queued

    published = commit_or_refuse(publish_counting_emails, send_mail=True, details=True)
    if not published:
        return redirect(url_for(".overview", slug=slug))
    assert published.value is not None  # (done: what the operation returned)
    publication, emailed = published.value
    flash(_("Published (version %(version)d): participants now see their programme; "
            "%(emailed)d received it by email.", version=publication.version,
            emailed=emailed), "success")
    return redirect(url_for(".overview", slug=slug))

