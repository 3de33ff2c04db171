"""The participant's pages. Every view starts from the token in the URL: an unknown or
revoked token is a plain 404, so the pages say nothing to someone guessing links."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from ..calendars.notifications import queue_switch_email
from ..calendars.operations import portal_calendar_links
from ..database import commit_keeping_loaded
from ..db_types import utcnow
from ..events.queries import get_owned_or_404
from ..programme.models import Round, WorkshopSlot
from ..registration import operations, queries
from ..registration.forms import ConfirmForm, PersonForm
from ..registration.models import PUBLIC_CATEGORIES, Participant, ParticipantStatus
from ..registration.tokens import portal_participant_or_404
from ..scheduling import operations as scheduling
from ..scheduling.operations import SchedulingError
from ..scheduling.queries import round_numbers, switching_state
from ..scheduling.seating import BY_KIND, SESSIONS, WORKSHOPS, Seating
from ..web import commit_or_refuse
from .forms import (
    SwitchForm,
    build_wishes_form,
    fill_wishes_form,
    read_wishes_form,
    wishes_form_errors,
)
from .queries import export_personal_data, map_link, my_day


def _programme(participant: Participant) -> dict:
    event = participant.event
    return {"projects": queries.projects_of(event.id),
            "workshops": queries.workshops_of(event.id),
            "themes": queries.themes_of(event.id)}


def home(token: str) -> ResponseReturnValue:
    """"Mon programme": the next step first (choosing, while nothing is chosen), then the
    whole day as the calendar has it; the calendar and the badge once the day holds
    something of the person's own."""
    participant = portal_participant_or_404(token)
    event = participant.event
    mine = my_day(participant)
    wishes_open = queries.wishes_open(event, utcnow())
    has_programme = bool(queries.projects_of(event.id) or queries.workshops_of(event.id))
    has_wishes = bool(participant.project_wishes or participant.workshop_wishes)
    calendar_links = portal_calendar_links(participant) if mine.has_personal else None
    commit_keeping_loaded()  # the feed made on the first visit; the day, read, stays loaded
    return render_template(
        "portal/home.html", token=token, participant=participant, event=event,
        settings=queries.settings_of(event), wishes_open=wishes_open,
        waiting_position=queries.waiting_position(participant),
        labels={"category": queries.CATEGORY_LABELS, "role": queries.ROLE_LABELS,
                "status": queries.STATUS_LABELS},
        has_programme=has_programme, has_wishes=has_wishes,
        choose_first=(has_programme and wishes_open and not has_wishes
                      and participant.status != ParticipantStatus.CANCELLED and not mine.day),
        mine=mine, day=mine.day, change_links=_change_links(token, participant, mine.day),
        map_link=map_link(event), calendar_links=calendar_links)


def wishes(token: str) -> ResponseReturnValue:
    participant = portal_participant_or_404(token)
    event = participant.event
    programme = _programme(participant)
    form = build_wishes_form(programme["projects"], programme["workshops"], programme["themes"])
    is_open = queries.wishes_open(event, utcnow()) and participant.status != "cancelled"
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "GET":
        fill_wishes_form(form, participant)
    elif not is_open:
        abort(403)
    elif form.validate_on_submit():
        project_ranks, workshop_ranks, theme_ids = read_wishes_form(form)
        saved = commit_or_refuse(lambda: operations.save_wishes(
            participant, project_ranks, workshop_ranks, theme_ids),
            operations.RegistrationError, show=False)
        if saved:
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("portal.home", token=token))
        refusal = saved.error
        errors = refusal.errors if isinstance(refusal, operations.WishesError) \
            else {"": [str(refusal)]}
        status = 400
    else:
        errors, status = wishes_form_errors(form), 400
    return render_template(
        "portal/wishes.html", token=token, participant=participant, event=event, form=form,
        errors=errors, is_open=is_open, settings=queries.settings_of(event),
        minimum=operations.minimum_project_wishes(event), **programme), status


def edit(token: str) -> ResponseReturnValue:
    participant = portal_participant_or_404(token)
    form = PersonForm()
    if participant.category and participant.category not in PUBLIC_CATEGORIES:
        # Set by an organiser ("intervenant"): keep it selectable for this person.
        form.category.choices = [*form.category.choices,
                                 SelectChoice(participant.category,
                                              queries.CATEGORY_LABELS[participant.category])]
    if request.method == "GET":
        form.fill(participant)
    elif form.validate_on_submit() and commit_or_refuse(
            lambda: operations.update_details(participant, form.details()),
            operations.RegistrationError, field=form.email).done:
        flash(_("Your details are saved."), "success")
        return redirect(url_for("portal.home", token=token))
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("portal/edit.html", token=token, participant=participant,
                           event=participant.event, form=form), status


def cancel(token: str) -> ResponseReturnValue:
    participant = portal_participant_or_404(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if commit_or_refuse(lambda: operations.cancel(participant),
                            operations.RegistrationError, send_mail=True).done:
            flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("portal.home", token=token))
    return render_template("portal/cancel.html", token=token, participant=participant,
                           event=participant.event, form=form,
                           someone_waiting=queries.someone_waiting(participant.event_id))


def data(token: str) -> ResponseReturnValue:
    participant = portal_participant_or_404(token)
    payload = export_personal_data(participant)
    response = Response(json.dumps(payload, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    # The name people find in their downloads folder, in their language.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_("my-data")}-{participant.event.slug}.json"')
    return response


def delete(token: str) -> ResponseReturnValue:
    participant = portal_participant_or_404(token)
    event = participant.event
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if commit_or_refuse(lambda: operations.erase_participant(participant),
                            send_mail=True):
            flash(_("All your data for this event has been deleted, and your personal "
                    "links no longer work."), "success")
            return redirect(url_for("registration.register", slug=event.slug))
    return render_template("portal/delete.html", token=token, participant=participant,
                           event=event, form=form)


# --- switching a session or workshop after publication ---------------------------------

SWITCH_ENDPOINTS = {SESSIONS: ("portal.switch_round", "round_id"),
                    WORKSHOPS: ("portal.switch_workshop", "slot_id")}


def _change_links(token: str, participant: Participant, day: list) -> dict[str, str]:
    """"session:<round key>" / "workshop:<slot key>" -> the change page, while open."""
    if not switching_state(participant).open:
        return {}
    links = {}
    for item in day:
        seating = BY_KIND.get(item.kind)
        target = getattr(item, seating.kind, None) if seating is not None else None
        if seating is not None and target is not None and not item.presenting:
            endpoint, argument = SWITCH_ENDPOINTS[seating]
            when: dict[str, Any] = {argument: seating.when_id(target)}
            links[f"{seating.kind}:{item.label}"] = url_for(endpoint, token=token, **when)
    return links


def switch_round(token: str, round_id: int) -> ResponseReturnValue:
    return _switch_page(token, SESSIONS, round_id)


def switch_workshop(token: str, slot_id: int) -> ResponseReturnValue:
    return _switch_page(token, WORKSHOPS, slot_id)


def _switch_page(token: str, seating: Seating, when_id: int) -> ResponseReturnValue:
    """List the other sessions of a round (or workshops of a slot) with their free seats;
    on POST, switch to the chosen one and go back to "My programme"."""
    participant = portal_participant_or_404(token)
    when = get_owned_or_404(seating.when_model, participant.event, when_id)
    form = SwitchForm()
    error, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        state = switching_state(participant)
        if not state.open:
            error, status = state.reason, 403
        else:
            error = _switch(participant, seating, when, form.target.data)
            if error is None:
                flash(_("Done: your programme is changed. We sent you a confirmation "
                        "email.") if participant.email else _("Done: your programme is "
                                                               "changed."), "success")
                return redirect(url_for("portal.home", token=token))
            status = 409
    options = seating.switch_options(participant, when)
    state = switching_state(participant)
    refusals = scheduling.switch_refusals(participant, options) if state.open else {}
    # What can be taken first, then the rest with the reason why not (current place on top).
    options.sort(key=lambda o: (not o.is_current, o.target.id in refusals))
    number = round_numbers(participant.event).get(when.id, 0) if seating is SESSIONS else 0
    return render_template(
        "portal/switch.html", token=token, participant=participant, event=participant.event,
        form=form, kind=seating.kind, when=when, options=options, error=error,
        refusals=refusals, heading=seating.switch_heading(number), state=state,
        one_second=timedelta(seconds=1)), status


def _switch(participant: Participant, seating: Seating, when: Round | WorkshopSlot,
            target_id: int) -> str | None:
    """Run the switch and commit it with its confirmation email; the refusal's message,
    or None once done."""
    target = seating.get_target(target_id)
    if target is None or seating.when_id(target) != when.id:
        return _("This choice is not offered here; choose one of the list.")

    def switch() -> None:
        scheduling.switch_to(participant, target)
        queue_switch_email(participant)

    done = commit_or_refuse(switch, SchedulingError, send_mail=True, show=False)
    return None if done else done.refusal.message
